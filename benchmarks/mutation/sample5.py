"""Seeded uniform sample of the simulate mutants NOT in the earlier samples (by mutant name)."""
import glob, json, random, sys
names = []
for f in sorted(glob.glob('mutants/ftheory/simulate/**/*.py.meta', recursive=True)):
    names += sorted(json.load(open(f))['exit_code_by_key'])
earlier = set()
for p in sys.argv[3:]:
    earlier |= {l.strip() for l in open(p) if l.strip()}
pool = sorted(set(names) - earlier)
k = int(sys.argv[1]); seed = int(sys.argv[2])
sample = random.Random(seed).sample(pool, k)
print(len(names), len(earlier), len(set(names) & earlier), len(pool), file=sys.stderr)
print("\n".join(sample))
