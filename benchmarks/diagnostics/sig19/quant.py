"""95% quantile of the signal test's LR law at (t, nu) for a grid of the nuisance nu (index 6's shape:
n = 29 after centring, d = 60, N = 1199), several draw seeds.

    PYTHONPATH=. python benchmarks/diagnostics/sig19/quant.py
"""
import numpy as np

from ftheory.advise.estimators import ParameterEstimates, _shared_worlds, BUDGET
from ftheory.advise.signal_noise import u_test

n, d, N = 29, 60, 1199
for seed in (0, 1, 2):
    W = _shared_worlds(n, d, N, 1600, seed, BUDGET * 4)
    row = []
    for nu in (0.0, 0.05, 0.1, 0.15, 0.25, 0.35, 0.5, 0.75, 1.0):
        pe = ParameterEstimates(np.array([1.0, nu, 0.5, 1.0]), np.eye(4), None, n, d, N, 1600, seed)
        pe._worlds = W
        # test(t) = LR_obs - q95; the observation here is the truth itself (LR_obs = 0 inside the cone)
        row.append(-u_test(pe, 0, nuisance=nu)(1.0))
    print(seed, " ".join(f"{q:.3f}" for q in row))
