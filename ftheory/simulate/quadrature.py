"""Deterministic estimators by numerical integration (twins of closed forms that are integrals)."""
from __future__ import annotations

import math

import numpy as np
from numpy.polynomial import hermite_e, legendre

from ftheory._checks import check_int

__all__ = ["hermite_coefficient"]

_NODES = 400


def hermite_coefficient(f, ell):
    """``E[f(z) He_l(z)] / sqrt(l!)`` for ``z ~ N(0, 1)``: the coefficient of ``f`` in the orthonormal
    Hermite basis (``He_l`` the probabilists' Hermite polynomial).

    ``f`` is ``"relu"`` (``max(z, 0)``), ``"step"`` (``1{z > 0}``) or a vectorised callable smooth on
    each half-line. Gauss-Legendre quadrature with 400 nodes on ``[-L, 0]`` and ``[0, L]``,
    ``L = 16 + sqrt(2 l)`` (the integrand is analytic on each piece; the Gaussian tail beyond ``L`` is
    below 1e-40 of its largest value for ``l <= 40``).
    """
    ell = check_int("ell", ell, 0)
    fn = {"relu": lambda z: np.maximum(z, 0.0), "step": lambda z: (z > 0).astype(float)}.get(f, f)
    if not callable(fn):
        raise ValueError(f"f={f!r} is invalid: expected 'relu', 'step' or a callable")
    cut = 16.0 + math.sqrt(2 * ell)
    x, w = legendre.leggauss(_NODES)
    coef = np.zeros(ell + 1)
    coef[ell] = 1.0
    total = 0.0
    for a, b in ((-cut, 0.0), (0.0, cut)):
        z = 0.5 * (b - a) * x + 0.5 * (a + b)
        values = fn(z) * hermite_e.hermeval(z, coef) * np.exp(-z * z / 2) / math.sqrt(2 * math.pi)
        total += 0.5 * (b - a) * float(np.dot(w, values))
    return total / math.sqrt(math.factorial(ell))
