"""Uniform sample of the mutants that only the @takes_gamma rewrite exposes (names absent from mm-sim5)."""
import glob, json, random, sys
def names(t):
    out = set()
    for f in glob.glob(t + '/mutants/ftheory/simulate/**/*.py.meta', recursive=True):
        out |= set(json.load(open(f))['exit_code_by_key'])
    return out
new, old = names('.'), names('/tmp/mm-sim5')
pool = sorted(new - old)
print(len(new), len(old), len(pool), file=sys.stderr)
print("\n".join(random.Random(int(sys.argv[2])).sample(pool, int(sys.argv[1]))))
