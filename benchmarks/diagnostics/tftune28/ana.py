"""Summaries of tftune28/layers.py records, both tails: the band's misses, the real statistic's PIT in each layer's
law (> 0.975: a band cut at that world's quantiles would put the truth below; < 0.025: above), and the misses by the
data's fitted noise fraction f0 against the true one.

    python benchmarks/diagnostics/tftune28/ana.py A.json [B.json ...]
"""
import json
import sys

import numpy as np

for f in sys.argv[1:]:
    r = json.load(open(f))
    rows, truth = r["reps"], r["truth"]
    N = len(rows)
    lo = np.array([x["lo"] for x in rows])
    hi = np.array([x["hi"] for x in rows])
    below, above = truth < lo, truth > hi
    t = np.array([x["t_real"] for x in rows])
    tk = np.array([x["t_known"] for x in rows])
    print(f"== {r['set']} {r['index']} {r['setting']} {r['which']}: {N} data sets, truth {truth:.4f}, f_true "
          f"{np.median([x['f_true'] for x in rows]):.3f}; misses below {below.sum()} above {above.sum()} "
          f"coverage {1 - (below.sum() + above.sum()) / N:.3f}")
    print(f"   real t 2.5/50/97.5% {np.quantile(t, [0.025, 0.5, 0.975]).round(3)}; Sigma known "
          f"{np.quantile(tk, [0.025, 0.5, 0.975]).round(3)}")
    print("   layer | PIT > 0.975 | PIT < 0.025 | mean PIT | median q2.5 / q50 / q97.5 | median world min R")
    for k in rows[0]["layers"]:
        pit = np.array([x["layers"][k]["pit"] for x in rows])
        q = np.array([x["layers"][k]["q"] for x in rows])
        Rm = np.median([x["layers"][k]["Rmin"] for x in rows])
        print(f"   {k} | {np.mean(pit > 0.975):.3f} | {np.mean(pit < 0.025):.3f} | {pit.mean():.3f} | "
              f"{np.median(q, 0).round(3)} | {Rm:.4f}")
    f0 = np.array([x["last"]["f0"][0] for x in rows])
    ft = np.median([x["f_true"] for x in rows])
    ray_hi = np.array([x["pivot_ends"][1] for x in rows])
    lam_hi = np.array([np.nanmax([x["pivot_ends"][2]] + x["hi_lam_other"]) for x in rows])
    print("   f0 bin | data sets | below | above | median beta_a / beta_b | upper end from hi_lam (share)")
    for a, c in ((0, 0.1), (0.1, 0.25), (0.25, 0.5), (0.5, 0.75), (0.75, 1.01)):
        m = (f0 >= a) & (f0 < c)
        if m.any():
            ba = np.median([x["last"]["beta_a"][0] for x, k in zip(rows, m) if k])
            bb = np.median([x["last"]["beta_b"][0] for x, k in zip(rows, m) if k])
            from_lam = np.mean(~(ray_hi[m] >= lam_hi[m]))
            print(f"   [{a}, {c}) | {m.sum()} | {below[m].sum()} | {above[m].sum()} | {ba} / {bb} | {from_lam:.2f}")
    print(f"   f0 quantiles 10/50/90 {np.quantile(f0, [0.1, 0.5, 0.9]).round(3)} (true {ft:.3f}); above misses: "
          f"upper end from hi_lam in {np.sum(above & ~(ray_hi >= lam_hi))} of {above.sum()}")
