"""Prepivoted (double-bootstrap-calibrated) signal test against the plain fitted-nuisance test: acceptance at
t = 1 over observations from the exact law at (1, nu0) (Worlds seed 99), index 6's shape by default.

The law of LR at (t, nu) is that at (1, nu/t) (LR is scale invariant), so with one grid of rho = nu/t:
law_k (sorted LR draws at (1, rho_k), seed-0 draws), and the calibrated level alpha'(rho_k): the 5% quantile of
the plug-in p-values p*_j = P_{rho_hat*_j}(LR >= LR*_j) of the draws simulated at (1, rho_k). A sample is kept if
its plug-in p-value P_{rho_hat}(LR >= LR_obs) exceeds alpha'(rho_hat) (interpolated).

    PYTHONPATH=. python benchmarks/diagnostics/sig19/prepivot_curve.py [n d N]
"""
import sys

import numpy as np

from ftheory.advise.bootstrap import BUDGET, Worlds
from ftheory.advise.estimators import ParameterEstimates, _shared_worlds
from ftheory.advise.signal_noise import _TO_US

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from parts import lr_parts  # noqa: E402

n, d, N = (int(v) for v in sys.argv[1:4]) if len(sys.argv) > 3 else (29, 60, 1199)
pe = ParameterEstimates(np.zeros(4), np.eye(4), None, n, d, N, 1600, 0)
pe._worlds = _shared_worlds(n, d, N, 1600, 0, BUDGET * 4)
grid = np.concatenate([[0.0], np.geomspace(1e-3, 1e3, 121)])
laws = np.array([np.sort(lr_parts(pe, pe.simulate([1.0, r, 0, 1])[:, :2] @ _TO_US, 1.0)[0]) for r in grid])
B = laws.shape[1]


def pval(lr, rho):
    """Plug-in p-value of LR values at their own rho (linear interpolation between grid laws)."""
    lr, rho = np.atleast_1d(lr), np.atleast_1d(rho)
    k = np.clip(np.searchsorted(grid, rho) - 1, 0, len(grid) - 2)
    w = np.clip((rho - grid[k]) / (grid[k + 1] - grid[k]), 0, 1)
    out = np.empty(lr.shape)
    for j in np.unique(k):
        m = k == j
        p0 = 1 - np.searchsorted(laws[j], lr[m], side="left") / B
        p1 = 1 - np.searchsorted(laws[j + 1], lr[m], side="left") / B
        out[m] = (1 - w[m]) * p0 + w[m] * p1
    return out


alpha = np.empty(len(grid))
for k, r in enumerate(grid):
    lr, nu, _, _ = lr_parts(pe, pe.simulate([1.0, r, 0, 1])[:, :2] @ _TO_US, 1.0)
    alpha[k] = np.quantile(pval(lr, nu), 0.05)
print("alpha'(rho):", " ".join(f"{r:.3g}:{a:.4f}" for r, a in zip(grid[::8], alpha[::8])))
obs = Worlds(n, d, N, 4000, 99, budget=BUDGET * 10)
for nu0 in (0.0, 0.05, 0.1, 0.15, 0.25, 0.35, 0.5, 0.75, 1.0, 2.0, 5.0):
    T = obs.draws_at([1.0, nu0, 0, 1])[:, :2] @ _TO_US
    lr, nu, _, _ = lr_parts(pe, T, 1.0)
    p = pval(lr, nu)
    a = np.interp(nu, grid, alpha)
    print(f"nu0={nu0:.2f} plain(p>0.05)={np.mean(p > 0.05):.4f} prepivoted={np.mean(p > a):.4f} "
          f"true-world={np.mean(pval(lr, np.full_like(nu, nu0)) > 0.05):.4f}")
