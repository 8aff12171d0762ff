"""List every mutant name of ftheory/simulate and draw a seeded uniform sample."""
import glob, json, random, sys
names = []
for f in sorted(glob.glob('mutants/ftheory/simulate/**/*.py.meta', recursive=True)):
    names += sorted(json.load(open(f))['exit_code_by_key'])
names.sort()
k = int(sys.argv[1]); seed = int(sys.argv[2]) if len(sys.argv) > 2 else 13
sample = random.Random(seed).sample(names, k)
print(len(names), file=sys.stderr)
print("\n".join(sample))
