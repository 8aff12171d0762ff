"""Why the advisor's linear-probe transferability is biased low on digits: its signal and noise estimates.

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/advisor_digits_signal.py [--reps 30]

For the pairs "ge5>ge5" at n = 92 and "value>ge5" at n = 23 (benchmarks/advisor_digits.py), prints the
population task of all 1797 images (signal tau^2 = b'Sigma b, noise sigma^2, rho, r^2 and the Gaussian
theory's risks), the mean over ``reps`` subsamples of the advisor's anisotropic estimates and predicted
risks, and the signal functional c'K c of the 597-image target pool (c = its pixel-label covariance) with
K = the population inverse covariance and with the advisor's debiased inverse covariance of the 600
unlabeled images, beside the mean of the U-statistic U(y, K) over 400 subsamples with either K.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import advisor_digits as b  # noqa: E402

from ftheory.advise import advise  # noqa: E402
from ftheory.advise.prepared import helmert  # noqa: E402


def ustat(Xh, yh, K):
    """``sum_{i != j} y_i y_j x_i'K x_j / (n(n-1))``."""
    n = len(yh)
    G = Xh @ K @ Xh.T
    return float(yh @ G @ yh - np.sum(yh ** 2 * np.diag(G))) / (n * (n - 1))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=30)
    ns = ap.parse_args(argv)
    X, digit, S, Uidx, T = b.load()
    d = X.shape[1]
    Up = helmert(X[Uidx])
    N = Up.shape[0]
    K_hat = (N - d - 1) / N * np.linalg.inv(Up.T @ Up / N)
    for src, tgt, n in (("ge5", "ge5", 92), ("value", "ge5", 23)):
        y = b.LABELS[tgt](digit)
        w = b.lstsq(X[S], b.LABELS[src](digit[S]))
        pop = b.population(X, digit, w, tgt)
        Sg, bt = pop["Sigma"], pop["beta_t"]
        print(f"{src}>{tgt}, n = {n}: population tau2 {bt @ Sg @ bt:.4f}, sigma2 {pop['sigma2']:.4f}, "
              f"rho {bt @ Sg @ w:.4f}, r2 {w @ Sg @ w:.4f}")
        print("  Gaussian theory at the population task:",
              {k: round(v, 4) for k, v in b.oracle(pop, n)["risk_raw"].items()})
        acc = []
        for tr, _ in b.subsamples(T, y, tgt, n, ns.reps, 7):
            cols = b.usable_columns(X[tr])
            rep = advise(X[tr][:, cols], y[tr], source_weights=w[cols], unlabeled=X[Uidx][:, cols], grid_size=0)
            e = rep.estimates
            acc.append([e["signal"].value, e["noise_variance"].value, e["overlap_inner"].value,
                        e["source_signal"].value] + [rep.predictions[k].value for k in b.RISKS])
        a = np.array(acc).mean(0)
        print(f"  advisor (anisotropic), mean of {ns.reps} subsamples: tau2 {a[0]:.4f}, sigma2 {a[1]:.4f}, "
              f"rho {a[2]:.4f}, r2 {a[3]:.4f}; risks", dict(zip(b.RISKS, np.round(a[4:], 4))))
    y = b.LABELS["ge5"](digit)
    pop = b.population(X, digit, b.lstsq(X[S], y[S]), "ge5")
    K_pop = np.linalg.inv(pop["Sigma"])
    XT = X[T] - X[T].mean(0)
    c = XT.T @ (y[T] - y[T].mean()) / len(T)
    print(f"target pool (597 images), ge5: c'K c with K = population inverse {c @ K_pop @ c:.4f}, "
          f"with the advisor's inverse from 600 unlabeled images {c @ K_hat @ c:.4f}; "
          f"own covariance {c @ np.linalg.solve(XT.T @ XT / len(T), c):.4f}")
    rng = np.random.default_rng(3)
    for n in (23, 92):
        u = []
        for _ in range(400):
            tr = rng.permutation(T)[:n]
            Xh, yh = helmert(X[tr]), helmert(y[tr])
            u.append([ustat(Xh, yh, K_pop), ustat(Xh, yh, K_hat)])
        u = np.array(u)
        print(f"  n = {n}: mean U(y, K) over 400 subsamples: population K {u[:, 0].mean():.4f} "
              f"± {u[:, 0].std(ddof=1) / 20:.4f}, advisor's K {u[:, 1].mean():.4f} ± {u[:, 1].std(ddof=1) / 20:.4f}")


if __name__ == "__main__":
    main()
