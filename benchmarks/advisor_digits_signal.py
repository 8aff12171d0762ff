"""Why the advisor's linear-probe transferability is biased low on digits: its signal and noise estimates.

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/advisor_digits_signal.py [--reps 30]
        [--coverage-reps 0] [--cells value>ge5@23,value>ge5@92,ge5>ge5@23,ge5>ge5@92] [--json FILE]

For the pairs "ge5>ge5" at n = 92 and "value>ge5" at n = 23 (benchmarks/advisor_digits.py), prints the
population task of all 1797 images (signal tau^2 = b'Sigma b, noise sigma^2, rho, r^2 and the Gaussian
theory's risks), the mean over ``reps`` subsamples of the advisor's anisotropic estimates and predicted
risks, and the signal functional c'K c of the 597-image target pool (c = its pixel-label covariance) with
K = the population inverse covariance and with the advisor's debiased inverse covariance of the 600
unlabeled images, beside the mean of the U-statistic U(y, K) over 400 subsamples with either K.

With ``--coverage-reps R`` (> 0), also: on the first R subsamples of each of ``--cells`` (those of
``advisor_digits.py``, seed 1), the advisor's estimates of the signal, the noise variance and the cosine
with their 95% intervals on both paths, against the population values of all 1797 images (the fraction
of intervals below / containing / above them), and on the anisotropic path the cosine interval of the
previous Fieller-type test (``overlap.cosine_interval_u``) beside the likelihood-ratio one (``--json``:
the per-subsample values).
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import advisor_digits as b  # noqa: E402

from ftheory.advise import advise  # noqa: E402
from ftheory.advise.estimators import estimate_parameters, prepare  # noqa: E402
from ftheory.advise.overlap import cosine_interval_u  # noqa: E402
from ftheory.advise.prepared import helmert  # noqa: E402

ESTIMATES = ("signal", "noise_variance", "overlap")


def estimates(X, y, w, U):
    """The advisor's estimates ``{name: (value, low, high)}`` of signal, noise variance and cosine (and,
    with ``U``, ``overlap_u``: the previous Fieller-type cosine interval), in the units of ``y``, exactly
    as ``advise`` forms them (labels and inputs divided by powers of two, scaled back)."""
    unit = 2.0 ** int(np.frexp(np.max(np.abs(y)))[1])
    xunit = 2.0 ** int(np.frexp(np.max(np.abs(X)))[1])
    pe = estimate_parameters(prepare(X / xunit, y / unit, X @ w / unit, None if U is None else U / xunit))
    out = {}
    for k in ESTIMATES:
        iv, c = pe.interval(k), (1.0 if k == "overlap" else unit ** 2)
        out[k] = (iv.value * c, iv.low * c, iv.high * c)
    if U is not None:
        iv = cosine_interval_u(pe)
        out["overlap_u"] = (iv.value, iv.low, iv.high)
    return out


def coverage(cells, reps, seed=1):
    """Per cell ``(pair, n)`` and path: the estimates on the first ``reps`` subsamples of the cell and the
    population values; returns ``(summary rows, per-subsample values)``."""
    X, digit, S, Uidx, T = b.load()
    rows, raw = [], {}
    for pair, n in cells:
        src, tgt = pair.split(">")
        y = b.LABELS[tgt](digit)
        w = b.lstsq(X[S], b.LABELS[src](digit[S]))
        pop = b.population(X, digit, w, tgt)
        Sg, bt = pop["Sigma"], pop["beta_t"]
        truth = {"signal": float(bt @ Sg @ bt), "noise_variance": pop["sigma2"],
                 "overlap": float(bt @ Sg @ w / np.sqrt((bt @ Sg @ bt) * (w @ Sg @ w)))}
        truth["overlap_u"] = truth["overlap"]
        acc = {"iso": [], "aniso": []}
        for tr, _ in b.subsamples(T, y, tgt, n, reps, seed):
            cols = b.usable_columns(X[tr])
            acc["iso"].append(estimates(X[tr][:, cols], y[tr], w[cols], None))
            acc["aniso"].append(estimates(X[tr][:, cols], y[tr], w[cols], X[Uidx][:, cols]))
        raw[f"{pair}@{n}"] = {"truth": truth, **acc}
        for path, vals in acc.items():
            for k in vals[0]:
                v = np.array([e[k] for e in vals])
                t = truth[k]
                se = v[:, 0].std(ddof=1) / np.sqrt(len(v))
                cover = np.mean((v[:, 1] <= t) & (t <= v[:, 2]))
                rows.append([pair, str(n), path, k, f"{t:.4f}", f"{v[:, 0].mean():.4f} ± {se:.4f}",
                             f"{100 * np.mean(v[:, 2] < t):.0f} / {100 * cover:.0f} / {100 * np.mean(v[:, 1] > t):.0f}",
                             f"{np.median(v[:, 2] - v[:, 1]):.4f}"])
    return rows, raw


def ustat(Xh, yh, K):
    """``sum_{i != j} y_i y_j x_i'K x_j / (n(n-1))``."""
    n = len(yh)
    G = Xh @ K @ Xh.T
    return float(yh @ G @ yh - np.sum(yh ** 2 * np.diag(G))) / (n * (n - 1))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=30, help="subsamples of the signal diagnosis (30; 0: skip it)")
    ap.add_argument("--coverage-reps", type=int, default=0,
                    help="subsamples per cell of the estimates' coverage (0: skip)")
    ap.add_argument("--cells", default="value>ge5@23,value>ge5@92,ge5>ge5@23,ge5>ge5@92",
                    help="pair@n cells of the coverage (comma list)")
    ap.add_argument("--json", default="", help="per-subsample estimates of the coverage ('': not written)")
    ns = ap.parse_args(argv)
    if ns.coverage_reps:
        cells = [(c.split("@")[0], int(c.split("@")[1])) for c in ns.cells.split(",")]
        rows, raw = coverage(cells, ns.coverage_reps)
        head = ["pair", "n", "path", "estimate", "population", "mean ± s.e.", "interval below / covers / above (%)",
                "median width"]
        print(f"Estimates against the population values, {ns.coverage_reps} subsamples per cell:\n")
        print(b.real._md(head, rows) + "\n")
        if ns.json:
            with open(ns.json, "w") as fh:
                json.dump(b.real._round(raw), fh, separators=(",", ":"))
    if ns.reps <= 0:
        return
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
