"""Run mutmut on a list of mutant names IN THE GIVEN ORDER (so any finished prefix of a random
list is itself a uniform random sample; mutmut itself sorts by estimated test time).
SKIP_CLEAN=1 skips mutmut's clean run of the covering tests (they were run green just before)."""
import os
import sys
import mutmut.__main__ as m

names = [l.strip() for l in open(sys.argv[1]) if l.strip()]
rank = {n: i for i, n in enumerate(names)}
m.estimated_worst_case_time = lambda name: rank.get(name, len(rank))
if os.environ.get("SKIP_CLEAN") == "1":
    _get = m.get_mutant_runner
    def _runner(*a, **k):
        r = _get(*a, **k)
        r.run_clean_tests = lambda tests: 0
        return r
    m.get_mutant_runner = _runner
sys.argv = ["mutmut", "run", "--max-children", "2", *names]
m.cli()
