"""lo18: summary of lower_end.py's per-replication records (where the tuned scratch lower end sits and what sets it).

    python benchmarks/diagnostics/lo18/summarize.py F.json [F.json ...]
"""
import json
import sys

import numpy as np

for f in sys.argv[1:]:
    d = json.load(open(f))
    t, rows = d["truth"], d["rows"]
    b = np.array([r["band"] for r in rows])
    nz = np.array([r["noise"] for r in rows])
    sig = np.array([r["sig_at_low"] for r in rows])
    zs = np.array([r["z_at_low"][0] for r in rows])
    th = np.array([r["T_hat"] for r in rows])
    eq = np.array([r["e_q"] for r in rows])
    N = len(rows)
    print(f"{f}: setting {d['setting']} stream {d['stream']}, {N} reps, truth {t:.4f}, true noise {d['noise_true']:.4f}")
    print(f"  coverage {np.mean((b[:,1] <= t) & (t <= b[:,2])):.3f}; below {np.sum(t < b[:,1])}, above {np.sum(t > b[:,2])}")
    print(f"  noise interval low = 0 in {np.mean(nz[:,1] == 0):.3f}; moment estimate <= 0 in {np.mean(nz[:,0] <= 0):.3f}")
    print(f"  lower end < 0.01 in {np.mean(b[:,1] < 0.01):.3f}; < truth/2 in {np.mean(b[:,1] < t / 2):.3f}")
    print(f"  lower end / truth quantiles 5/25/50/75/95%: {np.round(np.quantile(b[:,1] / t, [.05,.25,.5,.75,.95]), 3)}")
    print(f"  disc point setting the lower end at the interval's low end (z_sigma = -1.96): {np.mean(zs < -1.95):.3f}; "
          f"its noise = 0: {np.mean(sig == 0):.3f}")
    print(f"  (truth - lower end) / (value - lower end) median {np.median((t - b[:,1]) / (b[:,0] - b[:,1])):.3f}")
    A = np.maximum(th - eq[:, 1], 0)
    print(f"  moment-centre Gaussian plug-in law: lower T_hat - q97.5 = 0 in {np.mean(A == 0):.3f}; "
          f"misses below {np.sum(t < A)}; median q97.5 {np.median(eq[:,1]):.4f}, median e mean "
          f"{np.median([r['e_mean'] for r in rows]):.4f}")
