"""tftc24: screen bands of T_ft below n = d built from DifferenceLaw's worlds dumped by dump.py (same data sets as the
band benchmark). Per candidate: misses below / above (truth below / above the band), coverage, median width / S_y.

    python benchmarks/diagnostics/tftc24/screen.py DUMP.npz [DUMP.npz ...]
"""
import sys

import numpy as np

from conditional import conditional_ends

A = 0.025


def ostat(x, alpha=A):
    """(lo, hi): the order statistics j and k + 1 - j of the k values x with j = floor(alpha (k + 1)): a new draw
    exchangeable with x lies below (above) them with probability j / (k + 1) <= alpha."""
    s = np.sort(x)
    j = int(np.floor(alpha * (s.size + 1)))
    if j < 1:
        return -np.inf, np.inf
    return s[j - 1], s[s.size - j]


def plain(x, alpha=A):
    return tuple(np.quantile(x, [alpha, 1 - alpha]))


def knn(t, fh, f0, k):
    i = np.argsort(np.abs(fh - f0), kind="stable")[:k]
    return t[i], fh[i]


def adjust(t, fh, f0, scale=False):
    """Regression adjustment (ABC-style): t - b (fh - f0) with b the least-squares slope (Epanechnikov weights on
    |fh - f0| over the window's half-width); with scale, residuals rescaled by a linear fit of |res| too."""
    h = max(np.max(np.abs(fh - f0)), 1e-12) * 1.0001
    w = 1 - ((fh - f0) / h) ** 2
    X = np.stack([np.ones_like(fh), fh - f0], 1)
    beta = np.linalg.lstsq(X * np.sqrt(w)[:, None], t * np.sqrt(w), rcond=None)[0]
    res = t - X @ beta
    if not scale:
        return beta[0] + res
    g = np.linalg.lstsq(X * np.sqrt(w)[:, None], np.abs(res) * np.sqrt(w), rcond=None)[0]
    s = np.maximum(X @ g, 1e-3 * np.mean(np.abs(res)))
    return beta[0] + res * max(g[0], 1e-3 * np.mean(np.abs(res))) / s


def cands(st, fh, f0, grid, f_true):
    out = {}
    tF, fF = st[-1], fh[-1]
    out["Fw"] = plain(tF)
    for k in (128, 256, 512):
        out[f"CE{k}"] = tuple(float(v[0]) for v in conditional_ends(tF[:, None], fF, f0, A, k))
    for k in (128, 256):
        x, f = knn(tF, fF, f0, k)
        out[f"knn{k}"] = plain(x)
        out[f"knn{k}_os"] = ostat(x)
    for k in (256, 512):
        x, f = knn(tF, fF, f0, k)
        out[f"ll{k}_os"] = ostat(adjust(x, f, f0))
        out[f"ls{k}_os"] = ostat(adjust(x, f, f0, True))
    # all draws of the fitted world, linear adjustment (global)
    out["llall_os"] = ostat(adjust(tF, fF, f0))
    # pooled: the fitted world and the two grid worlds around f0, each's 256 nearest adjusted, pooled
    i = int(np.clip(np.searchsorted(grid, f0) - 1, 0, grid.size - 2))
    pool = [adjust(*knn(st[j], fh[j], f0, 256), f0) for j in (i, i + 1, -1)]
    out["pool3_os"] = ostat(np.concatenate(pool))
    # oracle: the grid world nearest the true fraction
    jt = int(np.argmin(np.abs(grid - f_true)))
    out["orc_knn128"] = plain(knn(st[jt], fh[jt], f0, 128)[0])
    out["orc_ll256_os"] = ostat(adjust(*knn(st[jt], fh[jt], f0, 256), f0))
    return out


def main():
    tot = {}
    for path in sys.argv[1:]:
        z = np.load(path)
        rows, st, fh, grid = z["rows"], z["st"], z["fh"], z["grid"]
        res = {}
        for r in range(rows.shape[0]):
            t, f0 = rows[r, 6], rows[r, 5]
            c = {"P": (rows[r, 7], rows[r, 8])}
            c.update(cands(st[r].astype(float), fh[r].astype(float), f0, grid, float(z["f_true"])))
            for k, (lo, hi) in c.items():
                e = res.setdefault(k, [0, 0, [], []])
                e[0] += t > max(hi, 0)
                e[1] += t < min(lo, 0)
                e[2].append(max(hi, 0) - min(lo, 0))
                e[3].append(f0 >= 0.7 and t < min(lo, 0))
        N = rows.shape[0]
        print(f"== {path} ({N})")
        for k, e in res.items():
            print(f"{k:14s} {e[0]:3d} / {e[1]:3d}  {100 * (1 - (e[0] + e[1]) / N):5.1f}%  width {np.median(e[2]):.2f}"
                  f"  above@f0>=.7 {sum(e[3])}")
            tot.setdefault(k, [0, 0, 0])
            tot[k][0] += e[0]
            tot[k][1] += e[1]
            tot[k][2] += N


if __name__ == "__main__":
    main()
