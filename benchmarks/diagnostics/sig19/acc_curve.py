"""Acceptance of the signal test at t = 1 against the true nuisance nu0 (index 6's shape, n = 29 after
centring, d = 60, N = 1199), the observations drawn from the exact law (Worlds, seed 99, independent of the
test's seed-0 draws): fitted-nuisance test (what the interval inverts) and true-nuisance test; the 95% quantile
q(nu/t) on a grid (interpolated); and P(nu_hat = 0).

    PYTHONPATH=. python benchmarks/diagnostics/sig19/acc_curve.py [n d N]
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
obs = Worlds(n, d, N, 4000, 99, budget=BUDGET * 10)
grid = np.concatenate([[0.0], np.geomspace(1e-3, 50, 160)])
qs = np.array([np.quantile(lr_parts(pe, pe.simulate([1.0, r, 0, 1])[:, :2] @ _TO_US, 1.0)[0], 0.95) for r in grid])
print("q(nu/t):", " ".join(f"{r:.3g}:{q:.3f}" for r, q in zip(grid[::10], qs[::10])))
for nu0 in (0.0, 0.05, 0.1, 0.15, 0.25, 0.35, 0.5, 0.75, 1.0, 2.0):
    T = obs.draws_at([1.0, nu0, 0, 1])[:, :2] @ _TO_US
    lr, nu, _, _ = lr_parts(pe, T, 1.0)
    qfit = np.interp(nu, grid, qs)
    qtrue = np.interp(nu0, grid, qs)
    print(f"nu0={nu0:.2f} q(nu0)={qtrue:.3f} fit={np.mean(lr <= qfit):.4f} true={np.mean(lr <= qtrue):.4f} "
          f"P(nu_hat=0)={np.mean(nu == 0):.3f} mean q(nu_hat)={np.mean(qfit):.3f}")
