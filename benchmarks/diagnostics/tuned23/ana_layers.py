"""Summaries of layers.py records: misses of the report's band, the real statistic's upper tail against each
layer's law (PIT > 0.975: the truth would fall below a band cut at that world's 97.5% point), the ray's quantile
the band used (q_b0 = v_obs / lower end) against the layers'.

    python benchmarks/diagnostics/tuned23/ana_layers.py A.json [B.json ...]
"""
import json
import sys

import numpy as np

rows, truth = [], None
for f in sys.argv[1:]:
    r = json.load(open(f))
    truth = r["truth"]
    rows += r["reps"]
N = len(rows)
lo = np.array([x["lo"] for x in rows])
hi = np.array([x["hi"] for x in rows])
v = np.array([x["v_obs"] for x in rows])
t = np.array([x["t_real"] for x in rows])
tk = np.array([x["t_known"] for x in rows])
below, above = truth < lo, truth > hi
print(f"{N} data sets, truth {truth:.4f}: band misses below {below.sum()} above {above.sum()} "
      f"coverage {1 - (below.sum() + above.sum()) / N:.3f}")
print(f"real t = min R_hat / R: 2.5/50/97.5% {np.quantile(t, [0.025, 0.5, 0.975]).round(3)}; "
      f"Sigma known: {np.quantile(tk, [0.025, 0.5, 0.975]).round(3)}; P(v_obs <= 0) {np.mean(v <= 0):.3f}")
pe = np.array([x["pivot_ends"][0] for x in rows])
qb0 = np.where((v > 0) & (pe > 0), v / np.where(pe > 0, pe, 1), np.nan)
print(f"ray's q_b0 (v/lo): median {np.nanmedian(qb0):.3f}; pivot end absent or v <= 0 in {np.mean(np.isnan(qb0)):.3f}")
names = list(rows[0]["layers"])
print("layer | frac PIT > 0.975 | frac PIT < 0.025 | median q97.5 | median q2.5 | mean PIT | misses below a band at this q97.5 (v>0)")
for k in names:
    pit = np.array([x["layers"][k]["pit"] for x in rows])
    q = np.array([x["layers"][k]["q"] for x in rows])
    mb = np.sum((v > 0) & (t > q[:, 2]))
    print(f"{k} | {np.mean(pit > 0.975):.3f} | {np.mean(pit < 0.025):.3f} | {np.median(q[:, 2]):.3f} | "
          f"{np.median(q[:, 0]):.3f} | {pit.mean():.3f} | {mb}")
# the missed data sets
print("missed below: rep, v_obs, lo, t, q_b0, q97.5 F / T, f0, f_true-ish, a, beta_b")
for x, b, q in zip(rows, below, qb0):
    if b:
        print(x["rep"], round(x["v_obs"], 3), round(x["lo"], 4), round(x["t_real"], 3), round(float(q), 3),
              round(x["layers"]["F"]["q"][2], 3), round(x["layers"]["T"]["q"][2], 3), round(x["last"]["f0"][0], 3),
              round(x["sig0"] / (x["L0"] + x["sig0"]), 3), round(x["a"], 2), x["last"]["beta_b"][0])
a = np.array([x["a"] for x in rows])
f0 = np.array([x["last"]["f0"][0] for x in rows])
print(f"a: quantiles {np.quantile(a, [0.1, 0.5, 0.9]).round(2)}; f0: {np.quantile(f0, [0.1, 0.5, 0.9]).round(3)}; "
      f"L0 median {np.median([x['L0'] for x in rows]):.3f} (true {np.median([x['L_true'] for x in rows]):.3f}); "
      f"rz median {np.median([x['rz'] for x in rows]):.3f} (true {np.median([x['rz_true'] for x in rows]):.3f})")
for k in names:
    Rm = np.array([x["layers"][k]["Rmin"] for x in rows])
    print(f"{k}: world min R median {np.median(Rm):.4f} (truth {truth:.4f})")
# misses by the data's noise fraction (the pivot's f0) and the calibrated set level
f0 = np.array([x["last"]["f0"][0] for x in rows])
beta = np.array([x["last"]["beta_b"][0] for x in rows])
pit = np.array([x["layers"]["T"]["pit"] for x in rows])
print("f0 bin | data sets | misses below | median beta_b | real t median | frac PIT(T) > 0.975")
for a, b in ((0, 0.15), (0.15, 0.4), (0.4, 0.7), (0.7, 1.01)):
    m = (f0 >= a) & (f0 < b)
    if m.any():
        print(f"[{a}, {b}) | {m.sum()} | {below[m].sum()} | {np.median(beta[m])} | {np.median(t[m]):.2f} | "
              f"{np.mean(pit[m] > 0.975):.3f}")
