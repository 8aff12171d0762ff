"""Experiment: the Gaussian quasi-likelihood ratio (the quadratic form PLUS log det F of the candidate's exact
covariance F) as the signal test's statistic, minimised by brute force on grids (any deterministic function of
the row is a valid statistic: its law is simulated), against the advisor's statistic. Index 6's shape by default.
Prints q(rho) and, over observations from the exact law at (1, nu0) (Worlds seed 99): acceptance at t = 1 with
the fitted and the true nuisance, the hull's and the kept set's shape over a grid of t.

    PYTHONPATH=. python benchmarks/diagnostics/sig19/qlr_curve.py [nobs] [n d N [nu0,...]]
"""
import sys

import numpy as np

from ftheory.advise.bootstrap import BUDGET, Worlds
from ftheory.advise.estimators import ParameterEstimates, _shared_worlds
from ftheory.advise.param_cov import _var_u
from ftheory.advise.signal_noise import _TO_US

nobs = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
n, d, N = (int(v) for v in sys.argv[2:5]) if len(sys.argv) > 4 else (29, 60, 1199)
nus = [float(v) for v in sys.argv[5].split(",")] if len(sys.argv) > 5 else [0.0, 0.1, 0.25, 0.5, 1.0]
pe = ParameterEstimates(np.zeros(4), np.eye(4), None, n, d, N, 1600, 0)
pe._worlds = _shared_worlds(n, d, N, 1600, 0, BUDGET * 4)
G = np.concatenate([[0.0], np.geomspace(1e-3, 50, 70)])


def g(T, a, b):
    """-2 log Gaussian likelihood (up to a constant) of rows T (..., 2) at tau^2 = a, sigma^2 = b."""
    s = a + b
    vu = _var_u(n, d, a, s, N)
    c = 4 * s * a / n
    vs = 2 * s * s / n
    det = np.maximum(vu * vs - c * c, 1e-300)
    r1, r2 = T[..., 0] - a, T[..., 1] - s
    return (r1 * r1 * vs - 2 * r1 * r2 * c + r2 * r2 * vu) / det + np.log(det)


def profile(T, t):
    """min over nu >= 0 of g at (t, nu) (grid nu = t * G)."""
    return np.min(g(T[:, None, :], t, t * G[None, :] + 1e-12 * (t == 0)), axis=1)


def cone(T):
    """min over tau^2, sigma^2 >= 0 (grid relative to the row's scale)."""
    sc = np.maximum(np.maximum(T[:, 1], np.abs(T[:, 0])), 1e-9)[:, None, None]
    a = sc * G[None, :, None] + 1e-12
    b = sc * G[None, None, :]
    return np.min(g(T[:, None, None, :], a, b), axis=(1, 2))


def lr(T, t, cm=None):
    cm = cone(T) if cm is None else cm
    return np.maximum(profile(T, t) - cm, 0.0)


def fitnu(T, t):
    v = g(T[:, None, :], t, t * G[None, :])
    return t * G[np.argmin(v, axis=1)]


grid = np.concatenate([[0.0], np.geomspace(1e-3, 1e3, 61)])
qs = []
for r in grid:
    T = pe.simulate([1.0, r, 0, 1])[:, :2] @ _TO_US
    qs.append(np.quantile(lr(T, 1.0), 0.95))
qs = np.array(qs)
print("qlr q(rho):", " ".join(f"{r:.3g}:{q:.3f}" for r, q in zip(grid[::5], qs[::5])), flush=True)
obs = Worlds(n, d, N, nobs, 99, budget=BUDGET * 10)
ts = np.linspace(0.0, 4.0, 121)
for nu0 in nus:
    T = obs.draws_at([1.0, nu0, 0, 1])[:, :2] @ _TO_US
    cm = cone(T)
    l1 = lr(T, 1.0, cm)
    fit = l1 <= np.interp(fitnu(T, 1.0), grid, qs)
    true = l1 <= np.interp(nu0, grid, qs)
    kept = np.empty((len(T), len(ts)), bool)
    for j, t in enumerate(ts):
        if t == 0:
            kept[:, j] = lr(T, 0.0, cm) <= qs[-1]
        else:
            kept[:, j] = lr(T, t, cm) <= np.interp(fitnu(T, t) / t, grid, qs)
    first = np.argmax(kept, 1)
    last = len(ts) - 1 - np.argmax(kept[:, ::-1], 1)
    hull1 = (ts[first] <= 1.0) & (1.0 <= ts[last]) & kept.any(1)
    gaps = np.array([k.any() and not k[f:l + 1].all() for k, f, l in zip(kept, first, last)])
    print(f"nu0={nu0:.2f} fit={fit.mean():.4f} true={true.mean():.4f} hull covers={hull1.mean():.4f} "
          f"non-interval={gaps.mean():.4f} hull-not-fit={(hull1 & ~fit).mean():.4f} "
          f"mean hull width={np.mean(ts[last] - ts[first]):.3f}", flush=True)
