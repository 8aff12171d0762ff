"""The held-out rows of the band benchmark (HELDOUT, h0-h11) at the rule in use, for
docs/advisor_band_coverage_heldout.json: both.py's ``fresh`` rows with the candidate's column dropped (every other
column is the benchmark's own, as run with ``--heldout``), in benchmark format.

    PYTHONPATH=. python benchmarks/diagnostics/ftlab27/heldout_json.py OUT.json BOTH.json...
"""
import json
import sys

CAND = "@label"
KEYS = ("coverage", "truth_below_band", "truth_above_band", "counted")

rows = []
for path in sys.argv[2:]:
    for r in json.load(open(path)):
        if r.get("kind") != "fresh":
            continue
        for k in KEYS:
            r[k] = {c: v for c, v in r[k].items() if not c.endswith(CAND)}
        rows.append({k: v for k, v in r.items() if k not in ("check", "kind", "index", "task_seed")})
with open(sys.argv[1], "w") as fh:
    json.dump(rows, fh, indent=1)
print(len(rows), "rows")
