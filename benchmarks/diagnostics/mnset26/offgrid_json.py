"""The off-grid rows of the band benchmark at the rule in use, for docs/advisor_band_coverage_offgrid.json: both.py's
rows (OFFGRID 0-11; with ``--rule set_low`` their min-norm columns are the candidate's, which are that rule's
bands bit for bit: both.py's docstring) and the benchmark's own ``--offgrid`` rows (12-21), in benchmark format.

    PYTHONPATH=. python benchmarks/diagnostics/mnset26/offgrid_json.py --rule set_low OUT.json BOTH.json... BENCH.json...
"""
import argparse
import json

CAND = "@set_low"
KEYS = ("coverage", "truth_below_band", "truth_above_band", "counted")

ap = argparse.ArgumentParser()
ap.add_argument("--rule", choices=("prepivot", "set_low"), required=True)
ap.add_argument("out")
ap.add_argument("rows", nargs="+")
ns = ap.parse_args()
rows = []
for path in ns.rows:
    for r in json.load(open(path)):
        if r.get("partial"):
            raise SystemExit(f"{path}: a partial run")
        if "kind" in r:                                       # both.py
            if r["kind"] != "offgrid":
                continue
            for k in KEYS:
                d = r[k]
                for c in [c for c in d if c.endswith(CAND)]:
                    v = d.pop(c)
                    if ns.rule == "set_low":
                        d[c[:-len(CAND)]] = v
            r = {k: v for k, v in r.items() if k not in ("check", "kind", "index")}
            r["min_norm_rule"] = ns.rule
        rows.append(r)
with open(ns.out, "w") as fh:
    json.dump(rows, fh, indent=1)
print(len(rows), "rows")
