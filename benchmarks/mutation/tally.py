"""Tally the sampled mutants in order: done prefix, statuses, survivors."""
import glob, json, sys, collections
from mutmut.stats import status_by_exit_code
codes = {}
for f in glob.glob('mutants/ftheory/simulate/**/*.py.meta', recursive=True):
    codes.update(json.load(open(f))['exit_code_by_key'])
names = [l.strip() for l in open(sys.argv[1]) if l.strip()]
st = [(n, status_by_exit_code[codes.get(n)] if codes.get(n) is not None else "not checked") for n in names]
done = [s for s in st if s[1] != "not checked"]
print("checked:", len(done), collections.Counter(s for _, s in done))
# longest fully-checked prefix
k = next((i for i, (_, s) in enumerate(st) if s == "not checked"), len(st))
print("complete prefix:", k, collections.Counter(s for _, s in st[:k]))
if len(sys.argv) > 2:
    for n, s in st[:k]:
        if s not in ("killed",):
            print(s, n)
