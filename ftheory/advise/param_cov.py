"""The advisor's parameters ``p = (tau^2, sigma^2, rho, r^2)``: the map from the statistics, the exact
Gaussian covariance of their estimates, the nearest real task and the cosine.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["param_cov", "feasible", "cosine"]


_STATS = [("S", [1, 0]), ("U", [1, 0], None, "inv"), ("S", [0, 1]), ("S", [1, 1])]
# p = (tau^2, sigma^2, rho, r^2) = L @ (S_y, U_y, S_z, S_{y+z})
_L = np.array([[0, 1, 0, 0], [1, -1, 0, 0], [-0.5, 0, -0.5, 0.5], [0, 0, 1, 0]], float)


def feasible(p):
    """Nearest parameters of a real task: tau^2 >= rho^2 / r^2 (|cos| <= 1), sigma^2 >= 0, total kept."""
    tau2, sig2, rho, r2 = (float(v) for v in p)
    total = tau2 + sig2
    r2 = max(r2, 1e-300)
    tau2 = min(max(tau2, rho * rho / r2, 0.0), max(total, rho * rho / r2))
    return np.array([tau2, max(total - tau2, 0.0), rho, r2])


def param_cov(n, d, p, n_unlabeled=0):
    """Exact Gaussian covariance of the estimator of ``p = (tau^2, sigma^2, rho, r^2)`` at the true ``p``
    (``n`` samples, dimension ``d``; ``n_unlabeled`` rows behind an estimated Sigma^{-1}).

    Closed form of :class:`~ftheory.advise.moments.Moments` covariances for the statistics
    ``(S_y, U_y, S_z, S_{y+z})`` (checked against it in the tests and ``derivations/advise.py``).
    """
    tau2, sig2, rho, r2 = (float(v) for v in p)
    syy = tau2 + sig2
    S = np.array([[syy, rho], [rho, r2]])
    G = np.array([[tau2, rho], [rho, r2]])
    A = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])  # label combinations y, z, y + z
    SA = A @ S @ A.T
    C = np.empty((4, 4))
    idx = [0, None, 1, 2]  # statistic -> row of A (None: the U-statistic of y)
    var_u = (4 * (n - 2) * (syy * tau2 + tau2 ** 2) + 2 * (syy ** 2 * d + 4 * syy * tau2 + 3 * tau2 ** 2)) / (n * (n - 1))
    for i in range(4):
        for j in range(4):
            a, b = idx[i], idx[j]
            if a is None and b is None:
                C[i, j] = var_u
            elif a is None or b is None:
                k = b if a is None else a
                ak = A[k]
                C[i, j] = 4 * float(A[0] @ S @ ak) * float(ak @ G @ A[0]) / n
            else:
                C[i, j] = 2 * SA[a, b] ** 2 / n
    C = _L @ C @ _L.T
    if n_unlabeled > d + 3:
        # Var of c' A c for the unbiased inverse-Wishart estimate A of Sigma^{-1}: 2 tau^4 / (N - d - 3)
        extra = 2 * max(tau2, 0.0) ** 2 / (n_unlabeled - d - 3)
        C[:2, :2] += extra * np.array([[1, -1], [-1, 1]])
    return C


def _cov_us(n, d, tau2, sig2, n_unlabeled=0):
    """Exact Gaussian covariance of ``(U_y, S_y)`` at ``(tau^2, sigma^2)`` (the (U_y, S_y) block of
    :func:`param_cov`, which the tests check); arrays of parameters give ``(..., 2, 2)``."""
    tau2, sig2 = np.asarray(tau2, float), np.asarray(sig2, float)
    syy = tau2 + sig2
    vu = (4 * (n - 2) * (syy * tau2 + tau2 ** 2) + 2 * (syy ** 2 * d + 4 * syy * tau2 + 3 * tau2 ** 2)) / (n * (n - 1))
    if n_unlabeled > d + 3:
        vu = vu + 2 * tau2 ** 2 / (n_unlabeled - d - 3)
    c = 4 * syy * tau2 / n
    return np.stack([np.stack([vu, c], -1), np.stack([c, 2 * syy ** 2 / n], -1)], -2)


def _inv2(M):
    """Inverse of (..., 2, 2) matrices (closed form; singular ones get a tiny ridge)."""
    a, b, c, d = M[..., 0, 0], M[..., 0, 1], M[..., 1, 0], M[..., 1, 1]
    det = a * d - b * c
    det = np.where(np.abs(det) > 1e-300, det, 1e-300)
    return np.stack([np.stack([d, -b], -1), np.stack([-c, a], -1)], -2) / det[..., None, None]


def cosine(p):
    """Sigma-weighted cosine ``rho / (tau r)``, clipped to [-1, 1]."""
    tau2 = max(p[0], 1e-12 * (abs(p[0]) + abs(p[1])) + 1e-300)
    r2 = max(p[3], 1e-300)
    return float(np.clip(p[2] / math.sqrt(tau2 * r2), -1.0, 1.0))
