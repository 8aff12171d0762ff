"""EigenPrism (Janson, Barber & Candes 2017, JRSS-B 79:1037), the comparator of the advisor's
signal and noise intervals in ``benchmarks/advisor_coverage.py`` (not part of the API).

For whitened inputs (rows N(0, I_d)) and ``X X' = U diag(lambda_i d) U'``, the rotated labels
``z = U'y`` have, by the rotation invariance of X, ``E[z_i^2 | X] = lambda_i ||beta||^2 + sigma^2``
with ``z_i`` nearly independent. ``T = sum_i w_i z_i^2`` is unbiased for ``||beta||^2`` when
``sum w_i = 0``, ``sum w_i lambda_i = 1`` (for ``sigma^2``: ``sum w_i = 1``, ``sum w_i lambda_i = 0``), and
``Var T = 2 sum w_i^2 (lambda_i ||beta||^2 + sigma^2)^2 <= 2 (||beta||^2 + sigma^2)^2 max(sum w_i^2 lambda_i^2,
sum w_i^2)`` (Cauchy-Schwarz). EigenPrism takes the weights minimising that bound (a convex
program; solved here through its one-parameter dual, exactly) and the interval
``T +- z_{0.975} sqrt(2 obj) ||y||^2 / n``, truncated at 0.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.optimize import minimize_scalar

Z95 = 1.959963984540054


def _weights(lam, target):
    """argmin_w max(w' diag(lam^2) w, w'w) s.t. sum w = target[0], sum w lam = target[1]; and the min."""
    C = np.vstack([np.ones_like(lam), lam])
    e = np.asarray(target, float)

    def inner(a):
        Dinv = 1.0 / (a * lam ** 2 + (1 - a))
        M = (C * Dinv) @ C.T
        nu = np.linalg.solve(M, e)
        return Dinv * (C.T @ nu), float(e @ nu)

    res = minimize_scalar(lambda a: -inner(a)[1], bounds=(0.0, 1.0 - 1e-9), method="bounded",
                          options={"xatol": 1e-10})
    best = max([0.0, 1.0 - 1e-9, float(res.x)], key=lambda a: inner(a)[1])
    w, _ = inner(best)
    return w, max(float(w @ (lam ** 2 * w)), float(w @ w))


def eigenprism(X, y):
    """EigenPrism 95% intervals ``((tau2, lo, hi), (sigma2, lo, hi))`` for whitened ``X`` (n x d), ``y``."""
    n, d = X.shape
    evals, U = np.linalg.eigh(X @ X.T)
    lam = np.maximum(evals, 0.0) / d
    z2 = (U.T @ y) ** 2
    scale = float(y @ y) / n
    out = []
    for target in ((0.0, 1.0), (1.0, 0.0)):
        w, obj = _weights(lam, target)
        T = float(w @ z2)
        half = Z95 * math.sqrt(2 * obj) * scale
        out.append((T, max(T - half, 0.0), max(T + half, 0.0)))
    return tuple(out)
