"""Anisotropic predictions: deterministic equivalents of :mod:`ftheory.aniso`, signal functionals
estimated without bias by U-statistics given Sigma (estimated from unlabeled inputs).

The min-norm/ridge risk is linear in ``(beta beta', sigma^2)``:
``R = sum_i w_i b_i^2 + V sigma^2`` with ``b = Q' beta`` (Sigma = Q diag(lambda) Q'); the weights
are read off ``ftheory.aniso.scratch_risk`` by linearity (unit teachers, then sigma = 1), and
``sum_i w_i b_i^2 = c' K c`` with ``K = Q diag(w / lambda^2) Q'`` is the U-statistic ``U(y, K)``
(``U(y - z, K)`` for fine-tuning, whose risk is the scratch risk of ``beta_t - beta_s``). The tuned
ridge minimises the estimated risk over a grid of penalties. Intervals: exact Gaussian covariance
of the statistics with plug-in parameters (:mod:`ftheory.advise.moments`).
"""
from __future__ import annotations

import math

import numpy as np

from ftheory.advise.estimators import Interval, feasible, interval
from ftheory.advise.predict import isotropic_risk

__all__ = ["anisotropic_risk_factory"]


def anisotropic_risk_factory(prep, pe, lam_grid=13):
    """``risk(proc, n)`` returning objects with ``.interval()``, or None if ftheory.aniso is missing."""
    try:
        from ftheory.aniso import scratch_risk
    except ImportError:
        return None
    m = pe.moments
    ev, Q = np.linalg.eigh(prep.Sigma)
    ev = np.maximum(ev, 1e-12 * ev.max())
    d = ev.size
    eye = np.eye(d)
    scale = float(ev.mean())
    lams = np.concatenate([[0.0], scale * np.logspace(-4, 2, lam_grid)])
    Kinv = m.kinv()
    cache = {}

    def pieces(n, lam):
        key = (int(n), float(lam))
        if key not in cache:
            with np.errstate(all="ignore"):
                w = np.asarray(scratch_risk(ev, eye, int(n), 0.0, lam), float)
                V = float(scratch_risk(ev, np.zeros(d), int(n), 1.0, lam))
            K = (Q * (w / ev ** 2)) @ Q.T
            cache[key] = (K, V, ("K", key))
        return cache[key]

    def linear(a, n, lam) -> Interval:
        K, V, key = pieces(n, lam)
        if not math.isfinite(V):
            return Interval(math.inf, math.inf, math.inf, math.nan)
        stats = [("U", a, K, key), ("U", [1, 0], Kinv, "inv"), ("S", [1, 0])]
        coef = np.array([1.0, -V, V])
        val = float(coef @ np.array([m.value(s) for s in stats]))
        var = float(coef @ m.cov_matrix(stats) @ coef)
        return interval(max(val, 0.0), var, lo=0.0)

    class _Pred:
        def __init__(self, proc, n):
            self.proc, self.n = proc, int(n)

        def __call__(self, q):
            return self.interval().value

        def interval(self):
            a = [1, 0] if self.proc.startswith("scratch") else [1, -1]
            if self.proc in ("scratch_min_norm", "finetune_min_norm"):
                return linear(a, self.n, 0.0)
            if self.proc in ("scratch_ridge", "finetune_ridge"):
                best = min((linear(a, self.n, lam) for lam in lams[1:]), key=lambda iv: iv.value)
                return best
            q = feasible(pe.p)  # linear probe: exact for every Sigma (Sigma-geometry only)
            from ftheory.advise.estimators import delta
            f = (lambda p: isotropic_risk("linear_transfer", self.n, d, p))
            return interval(f(q), delta(f, q, pe.cov), lo=0.0)

    return _Pred
