"""cor20: which half-width makes T_lt's upper side wide where the plug-in rho_lt is negative.
python parts.py A.pkl [B.pkl ...] (one setting)."""
import math
import pickle
import sys

import numpy as np

rows, tr = [], None
for p in sys.argv[1:]:
    d = pickle.load(open(p, "rb"))
    rows += d["rows"]
    tr = d["truth"]
S = np.array([r["bands"]["scratch_ridge"] for r in rows])
P = np.array([r["bands"]["linear_transfer"] for r in rows])
T = np.array([r["T_lt"] for r in rows])
rho = np.clip(np.array([r["rho_lt"] for r in rows]), -1, 1)
Rs, Rp, Tt = tr["scratch_ridge"], tr["linear_transfer"], tr["T_linear_transfer"]
es, ep, eT = S[:, 0] - Rs, P[:, 0] - Rp, T[:, 0] - Tt
xs_hi, xs_lo = S[:, 2] - S[:, 0], S[:, 0] - S[:, 1]
lo_b, up_b = P[:, 0] - P[:, 1], P[:, 2] - P[:, 0]
pc = 0.5 + np.arcsin(rho) / math.pi
y_hi = np.sqrt(pc * up_b ** 2 + (1 - pc) * lo_b ** 2)
for name, m in (("rho_lt<0", rho < 0), ("rho_lt>=0", rho >= 0)):
    q = lambda x: f"{np.median(x[m]):.3f}"  # noqa: E731
    print(f"{name} ({m.sum()}): T upper half {q(T[:, 2] - T[:, 0])} = combine(scratch upper {q(xs_hi)}, probe side "
          f"{q(y_hi)}); needed (97.5% of T - T_hat) {np.quantile(-eT[m], .975):.3f}; scratch's needed upper "
          f"(97.5% of R - R_hat) {np.quantile(-es[m], .975):.3f}; probe's needed lower (97.5% of R_hat - R) "
          f"{np.quantile(ep[m], .975):.3f}; truth above T band {np.sum(Tt > T[m, 2])}, above scratch band "
          f"{np.sum(Rs > S[m, 2])}, below probe band {np.sum(Rp < P[m, 1])}")
