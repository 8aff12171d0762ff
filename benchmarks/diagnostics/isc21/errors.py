"""isc21: per projection event, the law of the report's error against its band's half-widths (main's records):
value - truth 2.5 / 50 / 97.5%, median half-widths below / above the value, and the truth's 97.5% position on each
side ((truth - value)/(high - value) above, (value - truth)/(value - low) below; 1 = a calibrated side).

    python benchmarks/diagnostics/isc21/errors.py COL REC.pkl [REC.pkl ...]
"""
import os
import pickle
import sys
from collections import defaultdict

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from split import category  # noqa: E402


def main(col, paths):
    recs = [pickle.load(open(p, "rb")) for p in paths]
    truth = recs[0]["truth"][col]
    groups = defaultdict(list)
    for rec in recs:
        for r in rec["rows"]:
            groups[category(r["p_hat"])].append(r["bands"][col])
            groups["all"].append(r["bands"][col])
    print(f"{col}, setting {recs[0]['index']}, streams {[r['stream'] for r in recs]}, truth {truth:.4f}")
    for k in ("all", "neither", "noise", "cos", "both"):
        b = np.array(groups.get(k, []))
        if not len(b):
            continue
        v, lo, hi = b.T
        e = v - truth
        with np.errstate(all="ignore"):
            pa = np.where(hi > v, (truth - v) / (hi - v), np.where(truth > v, np.inf, 0.0))
            pb = np.where(v > lo, (v - truth) / (v - lo), np.where(truth < v, np.inf, 0.0))
        q = np.percentile(e, [2.5, 50, 97.5])
        print(f"  {k:8s} n {len(b):4d}  err {q[0]:+.3f} / {q[1]:+.3f} / {q[2]:+.3f}  half-width below {np.median(v - lo):.3f}"
              f" above {np.median(hi - v):.3f}  97.5% position below {np.percentile(pb, 97.5):.2f} above {np.percentile(pa, 97.5):.2f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
