"""Column-by-column miss counts of two band-benchmark JSON rows (same setting and stream): equal or MOVED.

    python benchmarks/diagnostics/tuned23/cmp.py BASE.json CAND.json
"""
import json
import sys

a, b = (json.load(open(f))[0] for f in sys.argv[1:3])
for k in a["coverage"]:
    ca = (round(a["truth_below_band"][k] * a["counted"][k]), round(a["truth_above_band"][k] * a["counted"][k]))
    cb = (round(b["truth_below_band"][k] * b["counted"][k]), round(b["truth_above_band"][k] * b["counted"][k]))
    print(f"{k}: base {ca[0]} / {ca[1]} ({a['coverage'][k]:.3f}), candidate {cb[0]} / {cb[1]} ({b['coverage'][k]:.3f})"
          f" {'equal' if ca == cb else 'MOVED'}")
