"""cor20: where the plug-in rho_lt is negative: the estimates p = (signal, noise, overlap, source) and the probe
risk's gradient, by the sign of rho_lt.  python mech.py diag_I_s2.pkl"""
import pickle
import sys

import numpy as np

d = pickle.load(open(sys.argv[1], "rb"))
rows = d["rows"]
p = np.array([r["p"] for r in rows])
g = np.array([r["grad"] for r in rows])
rho = np.array([r["rho_lt"] for r in rows])
S = np.array([r["bands"]["scratch_ridge"] for r in rows])
P = np.array([r["bands"]["linear_transfer"] for r in rows])
print(f"setting {d['index']} stream {d['stream']}: truth p = {np.round(d['p_true'], 3).tolist()}; probe risk "
      f"{d['truth']['linear_transfer']:.3f}, scratch {d['truth']['scratch_ridge']:.3f}")
for name, m in (("rho_lt<0", rho < 0), ("rho_lt>=0", rho >= 0)):
    print(f"  {name} ({m.sum()}): mean p_hat {np.round(p[m].mean(0), 3).tolist()}; overlap^2/(signal source) "
          f"{np.median(p[m, 2] ** 2 / np.maximum(p[m, 0] * p[m, 3], 1e-12)):.3f} (median); probe gradient median "
          f"{np.round(np.median(g[m], 0), 3).tolist()}; scratch / probe estimate {S[m, 0].mean():.3f} / {P[m, 0].mean():.3f}")
z = p[:, 1] <= 1e-9
print(f"  noise estimate clipped to 0 (feasible): {z.mean():.3f} of data sets; rho_lt < 0 in {np.mean(rho[z] < 0):.3f} of "
      f"those and in {np.mean(rho[~z] < 0):.3f} of the others")
Tt = d["truth"]["T_linear_transfer"]
T = np.array([r["T_lt"] for r in rows])
for name, m in (("noise clipped", z), ("noise > 0", ~z)):
    print(f"  T_lt where {name} ({m.sum()}): {np.mean((Tt >= T[m, 1]) & (Tt <= T[m, 2])):.3f} ({np.sum(Tt < T[m, 1])} / "
          f"{np.sum(Tt > T[m, 2])})")
