"""lo18: summary of ls_screen.py's records: the report's value and lower end against ls_lower and the truth.

    python benchmarks/diagnostics/lo18/screen_summary.py F.json [F.json ...]
"""
import json
import sys

import numpy as np

for f in sys.argv[1:]:
    d = json.load(open(f))
    t, rows = d["truth"], d["rows"]
    b = np.array([r["band"] for r in rows])
    ll = np.array([r["ls_lower"] for r in rows])
    lo = np.minimum(ll, b[:, 0])
    print(f"{f}: {len(rows)} reps, truth {t:.4f}")
    print(f"  value - truth 2.5/50/97.5%: {np.round(np.quantile(b[:,0] - t, [.025,.5,.975]), 4)}; value below truth in "
          f"{np.mean(b[:,0] < t):.3f}")
    print(f"  report lower: misses below {np.sum(t < b[:,1])}; ls_lower: misses below {np.sum(t < ll)}; "
          f"min(ls_lower, value): {np.sum(t < lo)}")
    print(f"  ls_lower / truth 5/50/95%: {np.round(np.quantile(ll / t, [.05,.5,.95]), 3)}; value - ls_lower median "
          f"{np.median(b[:,0] - ll):.4f}; band top - value median {np.median(b[:,2] - b[:,0]):.4f}")
    print(f"  combined coverage (ls lower, report upper): {np.mean((lo <= t) & (t <= b[:,2])):.3f}; above {np.sum(t > b[:,2])}")
