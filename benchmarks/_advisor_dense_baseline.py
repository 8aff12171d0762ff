"""Baseline for benchmarks/advisor_speed.py: the anisotropic predictions as computed before the
eigenbasis rewrite (commit bd24e37): one dense d x d matrix K per (sample size, penalty), its
U-statistic recomputed from the data (``O(n d^2)``) and its covariance from dense products
(``O(d^3)``) for every point of the curves. Kept only to measure the speed-up in the same process.
"""
from __future__ import annotations

import math

import numpy as np

from ftheory.advise.estimators import Interval, delta, feasible, interval
from ftheory.advise.predict import isotropic_risk


def dense_risk_factory(prep, pe, lam_grid=13):
    """``risk(proc, n)`` objects with ``.interval()`` (the pre-rewrite implementation)."""
    from ftheory.aniso import scratch_risk
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

        def interval(self):
            a = [1, 0] if self.proc.startswith("scratch") else [1, -1]
            if self.proc in ("scratch_min_norm", "finetune_min_norm"):
                return linear(a, self.n, 0.0)
            if self.proc in ("scratch_ridge", "finetune_ridge"):
                return min((linear(a, self.n, lam) for lam in lams[1:]), key=lambda iv: iv.value)
            q = feasible(pe.p)
            f = (lambda p: isotropic_risk("linear_transfer", self.n, d, p))
            return interval(f(q), delta(f, q, pe.cov), lo=0.0)

    return _Pred
