"""cor20: the T_lt combination by the sign of the plug-in rho_lt.  python groups.py A.pkl [B.pkl] (one setting)."""
import pickle
import sys

import numpy as np

sys.path.insert(0, __import__("os").path.dirname(__file__))
from ana import conc  # noqa: E402

rows, tr = [], None
for p in sys.argv[1:]:
    d = pickle.load(open(p, "rb"))
    rows += d["rows"]
    tr = d["truth"]
S = np.array([r["bands"]["scratch_ridge"] for r in rows])
P = np.array([r["bands"]["linear_transfer"] for r in rows])
rho = np.array([r["rho_lt"] for r in rows])
sc = np.array([r.get("sim_corr", np.nan) for r in rows])
Rs, Rp, Tt = tr["scratch_ridge"], tr["linear_transfer"], tr["T_linear_transfer"]
es, ep = S[:, 0] - Rs, P[:, 0] - Rp
neg = rho < 0
print(f"N {len(rows)}; plug-in negative in {neg.mean():.3f}")
for name, m in (("rho_lt<0", neg), ("rho_lt>=0", ~neg)):
    r0 = np.corrcoef(es[m], ep[m])[0, 1]
    conc0 = np.mean(np.sign(es[m]) == np.sign(ep[m]))
    lo, hi = conc(S[m], P[m], rho[m])
    lo2, hi2 = conc(S[m], P[m], r0)
    lo3, hi3 = conc(S[m], P[m], np.where(np.isfinite(sc[m]), sc[m], rho[m]))
    f = lambda lo, hi: f"{np.mean((Tt >= lo) & (Tt <= hi)):.3f} ({np.sum(Tt < lo)}/{np.sum(Tt > hi)}) w {np.median(hi - lo):.3f}"  # noqa: E731
    print(f"{name} ({m.sum()}): plug-in mean {rho[m].mean():.3f}, sim mean {np.nanmean(sc[m]):.3f}, realised {r0:.3f}, "
          f"realised sign concordance {conc0:.3f}; mean es {es[m].mean():.3f} ep {ep[m].mean():.3f}; "
          f"scratch est {S[m, 0].mean():.3f} probe est {P[m, 0].mean():.3f}")
    print(f"   T cover: plug-in {f(lo, hi)}; group's realised const {f(lo2, hi2)}; sim {f(lo3, hi3)}")
print("components per group (coverage below/above; error/half-width on its side, 2.5/97.5%):")
T = np.array([r["T_lt"] for r in rows])
for name, m in (("rho_lt<0", neg), ("rho_lt>=0", ~neg)):
    for k, B, t in (("scratch", S, Rs), ("probe", P, Rp), ("T_lt", T, Tt)):
        e = B[m, 0] - t
        z = np.where(e > 0, e / np.maximum(B[m, 0] - B[m, 1], 1e-12), e / np.maximum(B[m, 2] - B[m, 0], 1e-12))
        print(f"  {name} {k}: {np.mean((t >= B[m, 1]) & (t <= B[m, 2])):.3f} ({np.sum(t < B[m, 1])}/{np.sum(t > B[m, 2])}); "
              f"z 2.5/97.5% {np.quantile(z, .025):.2f}/{np.quantile(z, .975):.2f}; median half below/above "
              f"{np.median(B[m, 0] - B[m, 1]):.3f}/{np.median(B[m, 2] - B[m, 0]):.3f}; error 2.5/50/97.5% "
              f"{np.quantile(e, .025):.3f}/{np.median(e):.3f}/{np.quantile(e, .975):.3f}")
