"""cor20: T_lt below n = d with the end-task correlations (probe_correlations, as above n = d) in place of rho_lt.
python ends.py diag2_I_s0.pkl"""
import math
import pickle
import sys

import numpy as np

d = pickle.load(open(sys.argv[1], "rb"))
rows, tr = d["rows"], d["truth"]
ok = [r for r in rows if "rho_ends" in r]
S = np.array([r["bands"]["scratch_ridge"] for r in ok])
P = np.array([r["bands"]["linear_transfer"] for r in ok])
T = np.array([r["T_lt"] for r in ok])
rl, rh = (np.clip(np.array([r["rho_ends"][j] for r in ok]), -1, 1) for j in (0, 1))
rho = np.array([r["rho_lt"] for r in ok])
Tt = tr["T_linear_transfer"]


def ends(r_lo, r_hi):
    v = S[:, 0] - P[:, 0]
    x_lo, x_hi = S[:, 0] - S[:, 1], S[:, 2] - S[:, 0]
    lo_b, up_b = P[:, 0] - P[:, 1], P[:, 2] - P[:, 0]
    p_lo, p_hi = 0.5 + np.arcsin(r_lo) / math.pi, 0.5 + np.arcsin(r_hi) / math.pi
    y_lo = np.sqrt(p_lo * lo_b ** 2 + (1 - p_lo) * up_b ** 2)
    y_hi = np.sqrt(p_hi * up_b ** 2 + (1 - p_hi) * lo_b ** 2)
    h = lambda x, y, r: np.sqrt(np.maximum(x * x + y * y - 2 * r * x * y, 0))  # noqa: E731
    return v - h(x_lo, y_lo, r_lo), v + h(x_hi, y_hi, r_hi)


print(f"setting {d['index']}: {len(ok)} of {len(rows)} replications; end correlations low end median "
      f"{np.median(rl):.3f} (negative {np.mean(rl < 0):.2f}), high end median {np.median(rh):.3f} (negative "
      f"{np.mean(rh < 0):.2f}); rho_lt median {np.median(rho):.3f}")
for name, (a, b) in (("rho_lt (main)", (rho, rho)), ("end-task pair", (rl, rh))):
    lo, hi = ends(a, b)
    print(f"  {name}: {np.mean((Tt >= lo) & (Tt <= hi)):.3f} ({np.sum(Tt < lo)} / {np.sum(Tt > hi)}) median width "
          f"{np.median(hi - lo):.3f}" + (f"; reproduces the report: {np.allclose(np.c_[lo, hi], T[:, 1:])}" if name.startswith("rho_lt") else ""))
