"""cor20: analysis of diag.py's records.  python ana.py A.pkl [B.pkl ...] (pooled per setting index)."""
import math
import pickle
import sys
from collections import defaultdict

import numpy as np


def conc(a, b, r):
    """combine_concordant's (low, high) for arrays: a, b (N, 3) bands (value, low, high), r (N,) or scalar."""
    r = np.clip(np.broadcast_to(np.asarray(r, float), (a.shape[0],)), -1, 1)
    v = a[:, 0] - b[:, 0]
    xs_lo, xs_hi = a[:, 0] - a[:, 1], a[:, 2] - a[:, 0]
    lo_b, up_b = b[:, 0] - b[:, 1], b[:, 2] - b[:, 0]
    pc = 0.5 + np.arcsin(r) / math.pi
    y_lo = np.sqrt(pc * lo_b ** 2 + (1 - pc) * up_b ** 2)
    y_hi = np.sqrt(pc * up_b ** 2 + (1 - pc) * lo_b ** 2)
    h = lambda x, y: np.sqrt(np.maximum(x * x + y * y - 2 * r * x * y, 0))  # noqa: E731
    return v - h(xs_lo, y_lo), v + h(xs_hi, y_hi)


def comb(a, b, r):
    r = np.clip(np.broadcast_to(np.asarray(r, float), (a.shape[0],)), -1, 1)
    v = a[:, 0] - b[:, 0]
    xs_lo, xs_hi = a[:, 0] - a[:, 1], a[:, 2] - a[:, 0]
    lo_b, up_b = b[:, 0] - b[:, 1], b[:, 2] - b[:, 0]
    h = lambda x, y: np.sqrt(np.maximum(x * x + y * y - 2 * r * x * y, 0))  # noqa: E731
    return v - h(xs_lo, up_b), v + h(xs_hi, lo_b)


def cov(lo, hi, t):
    b, a = np.sum(t < lo), np.sum(t > hi)
    return f"{1 - (a + b) / len(lo):.3f} ({b}/{a}) w {np.median(hi - lo):.3f}"


def main():
    data = defaultdict(list)
    truth = {}
    for p in sys.argv[1:]:
        d = pickle.load(open(p, "rb"))
        data[d["index"]] += d["rows"]
        truth[d["index"]] = d["truth"]
    for i, rows in sorted(data.items()):
        tr = truth[i]
        N = len(rows)
        S = np.array([r["bands"]["scratch_ridge"] for r in rows])
        P = np.array([r["bands"]["linear_transfer"] for r in rows])
        T = np.array([r["T_lt"] for r in rows])
        rho = np.array([r["rho_lt"] for r in rows])
        sc = np.array([r.get("sim_corr", np.nan) for r in rows])
        Rs, Rp, Tt = tr["scratch_ridge"], tr["linear_transfer"], tr["T_linear_transfer"]
        es, ep = S[:, 0] - Rs, P[:, 0] - Rp
        eT = T[:, 0] - Tt
        print(f"== setting {i}: {N} replications; truth Rs {Rs:.3f} Rp {Rp:.3f} T {Tt:.3f}")
        print(f"errors: mean es {es.mean():.3f} sd {es.std():.3f}; mean ep {ep.mean():.3f} sd {ep.std():.3f}; "
              f"mean eT {eT.mean():.3f} sd {eT.std():.3f}")
        rk = lambda x: np.argsort(np.argsort(x))  # noqa: E731
        print(f"realised corr(es, ep) {np.corrcoef(es, ep)[0, 1]:.3f}, Spearman {np.corrcoef(rk(es), rk(ep))[0, 1]:.3f}; "
              f"sign concordance about 0 {np.mean(np.sign(es) == np.sign(ep)):.3f}, about the medians "
              f"{np.mean(np.sign(es - np.median(es)) == np.sign(ep - np.median(ep))):.3f}; "
              f"1/2+arcsin(realised)/pi {0.5 + math.asin(np.corrcoef(es, ep)[0, 1]) / math.pi:.3f}")
        pc = 0.5 + np.arcsin(np.clip(rho, -1, 1)) / math.pi
        print(f"plug-in rho_lt: mean {rho.mean():.3f} median {np.median(rho):.3f} 10/90% {np.quantile(rho, .1):.3f}/"
              f"{np.quantile(rho, .9):.3f}, negative {np.mean(rho < 0):.3f}; its concordance mean {pc.mean():.3f}")
        ok = np.isfinite(sc)
        print(f"simulated corr (fitted world): mean {np.nanmean(sc):.3f} median {np.nanmedian(sc):.3f} 10/90% "
              f"{np.nanquantile(sc, .1):.3f}/{np.nanquantile(sc, .9):.3f}; corr(rho_lt, sim) {np.corrcoef(rho[ok], sc[ok])[0, 1]:.3f}")
        # does the plug-in track the realised dependence? split by rho_lt tercile
        qs = np.quantile(rho, [1 / 3, 2 / 3])
        for name, m in (("low", rho <= qs[0]), ("mid", (rho > qs[0]) & (rho <= qs[1])), ("high", rho > qs[1])):
            print(f"  rho_lt tercile {name}: mean rho_lt {rho[m].mean():.3f}; realised corr in it {np.corrcoef(es[m], ep[m])[0, 1]:.3f}; "
                  f"T cover {np.mean((Tt >= T[m, 1]) & (Tt <= T[m, 2])):.3f}")
        for k, B, t in (("scratch_ridge", S, Rs), ("linear_transfer", P, Rp), ("T_lt", T, Tt)):
            e = B[:, 0] - t
            q = np.quantile(e, [0.025, 0.975])
            print(f"  {k}: {cov(B[:, 1], B[:, 2], t)}; estimate-truth 2.5/97.5% {q[0]:.3f}/{q[1]:.3f}; median half-widths "
                  f"below/above the estimate {np.median(B[:, 0] - B[:, 1]):.3f}/{np.median(B[:, 2] - B[:, 0]):.3f}")
        lo, hi = conc(S, P, rho)
        print(f"  reproduce concordant(rho_lt): {cov(lo, hi, Tt)}; max diff {np.max(np.abs(np.r_[lo - T[:, 1], hi - T[:, 2]])):.2e}")
        r0 = np.corrcoef(es, ep)[0, 1]
        for name, r in (("realised const", r0), ("sim corr", np.where(ok, sc, rho)), ("rho=0", 0.0), ("rho=0.9", 0.9),
                        ("max(rho_lt, sim)", np.where(ok, np.maximum(rho, sc), rho))):
            lo, hi = conc(S, P, r)
            lo2, hi2 = comb(S, P, r)
            print(f"  concordant({name}): {cov(lo, hi, Tt)}   combine: {cov(lo2, hi2, Tt)}")
        # standardised T error on its side: e_T / half (lower half-width if eT > 0)
        hl, hu = T[:, 0] - T[:, 1], T[:, 2] - T[:, 0]
        z = np.where(eT > 0, eT / np.maximum(hl, 1e-12), eT / np.maximum(hu, 1e-12))
        print(f"  T error / its side's half-width: 2.5/97.5% {np.quantile(z, .025):.3f}/{np.quantile(z, .975):.3f} "
              f"(1 = calibrated)")
        # where the T misses fall: with piece misses?
        mS = (Rs < S[:, 1]) | (Rs > S[:, 2])
        mP = (Rp < P[:, 1]) | (Rp > P[:, 2])
        mT = (Tt < T[:, 1]) | (Tt > T[:, 2])
        print(f"  T misses {mT.sum()}: with scratch missing {np.sum(mT & mS)}, probe missing {np.sum(mT & mP)}; "
              f"scratch misses {mS.sum()}, probe {mP.sum()}, both {np.sum(mS & mP)}")


if __name__ == "__main__":
    main()
