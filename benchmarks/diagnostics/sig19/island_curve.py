"""Per statistic (mode "cand": the advisor's; "pilot": each row's own pilot weights), at index 6's shape:
the 95% quantile q(rho) of LR at (1, rho), acceptance at t = 1 (fitted and true nuisance) over observations from
the exact law at (1, nu0) (Worlds seed 99), and how often the kept set over a grid of t is not an interval and the
hull covers t = 1 while the test rejects it (the law at (t, nu) is that at (1, nu/t): interpolated in rho).

    PYTHONPATH=. python benchmarks/diagnostics/sig19/island_curve.py MODE [nobs] [n d N [nu0,...]]
"""
import sys

import numpy as np

from ftheory.advise.bootstrap import BUDGET, Worlds
from ftheory.advise.estimators import ParameterEstimates, _shared_worlds
from ftheory.advise.signal_noise import _TO_US

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from parts import lr_parts  # noqa: E402

mode = sys.argv[1]
nobs = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
n, d, N = (int(v) for v in sys.argv[3:6]) if len(sys.argv) > 5 else (29, 60, 1199)
pe = ParameterEstimates(np.zeros(4), np.eye(4), None, n, d, N, 1600, 0)
pe._worlds = _shared_worlds(n, d, N, 1600, 0, BUDGET * 4)
grid = np.concatenate([[0.0], np.geomspace(1e-3, 1e3, 161)])
qs = np.array([np.quantile(lr_parts(pe, pe.simulate([1.0, r, 0, 1])[:, :2] @ _TO_US, 1.0, 0, mode)[0], 0.95)
               for r in grid])
print(mode, "q(rho):", " ".join(f"{r:.3g}:{q:.3f}" for r, q in zip(grid[::10], qs[::10])))
obs = Worlds(n, d, N, nobs, 99, budget=BUDGET * 10)
ts = np.linspace(0.0, 4.0, 161)
for nu0 in [float(v) for v in (sys.argv[6] if len(sys.argv) > 6 else '0,0.1,0.25,0.5,1,2').split(',')]:
    T = obs.draws_at([1.0, nu0, 0, 1])[:, :2] @ _TO_US
    lr, nu, _, _ = lr_parts(pe, T, 1.0, 0, mode)
    fit = lr <= np.interp(nu, grid, qs)
    true = lr <= np.interp(nu0, grid, qs)
    kept = np.empty((len(T), len(ts)), bool)
    for j, t in enumerate(ts):
        l, v, _, _ = lr_parts(pe, T, t, 0, mode)
        kept[:, j] = l <= np.interp(v / max(t, 1e-12), grid, qs) if t > 0 else l <= qs[-1]
    first = np.argmax(kept, 1)
    last = len(ts) - 1 - np.argmax(kept[:, ::-1], 1)
    hull1 = (ts[first] <= 1.0) & (1.0 <= ts[last]) & kept.any(1)
    gaps = np.array([k.any() and not k[f:l + 1].all() for k, f, l in zip(kept, first, last)])
    val = np.clip(T[:, 0], 0.0, np.maximum(T[:, 1], 0.0))     # the reported value (overlap bound ignored)
    iv = np.clip(np.searchsorted(ts, val), 0, len(ts) - 1)
    comp = np.zeros(len(T), bool)
    for r in range(len(T)):                                    # the kept run of t through the value
        k = kept[r]
        lo = hi = iv[r]
        while lo > 0 and k[lo - 1]:
            lo -= 1
        while hi < len(ts) - 1 and k[hi + 1]:
            hi += 1
        a, b = min(ts[lo], val[r]), max(ts[hi], val[r])
        comp[r] = a <= 1.0 <= b
    print(f"nu0={nu0:.2f} component covers={comp.mean():.4f}", end=" ")
    print(f"nu0={nu0:.2f} fit={fit.mean():.4f} true={true.mean():.4f} hull covers={hull1.mean():.4f} "
          f"non-interval={gaps.mean():.4f} hull-not-fit={(hull1 & ~fit).mean():.4f} "
          f"mean hull width={np.mean(ts[last] - ts[first]):.3f}")
