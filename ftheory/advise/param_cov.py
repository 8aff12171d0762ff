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


def _var_u(n, d, tau2, syy, n_unlabeled=0):
    """Exact ``Var U_y`` at signal ``tau2`` and label variance ``syy`` (scalars or arrays).

    Known Sigma (``n_unlabeled = 0``): ``(4(n-2)(s tau^2 + tau^4) + 2(s^2 d + 4 s tau^2 + 3 tau^4))/(n(n-1))``.
    Sigma^{-1} estimated by ``A = (N - d - 1)/N inv(Sigma_hat)`` from ``N`` centred unlabeled rows
    independent of the data: ``E Var(U_y | A) + Var(c_y' A c_y)``, i.e. ``s tau^2`` and ``s^2 d`` times
    ``kappa = (N - d - 1)(N - 1)/((N - d)(N - d - 3))`` (``E[A Sigma A] = kappa Sigma^{-1}``), ``tau^4``
    times ``(N - d - 1)/(N - d - 3)`` (``E (c' A c)^2``), plus ``2 tau^4/(N - d - 3)``
    (``derivations/advise_wishart.py``). ``N <= d + 3`` (infinite variance): ``ValueError``.
    """
    N = int(n_unlabeled)
    if N == 0:
        kap = lam = 1.0
        extra = 0.0
    elif N > d + 3:
        kap = (N - d - 1) * (N - 1) / ((N - d) * (N - d - 3.0))
        lam = (N - d - 1) / (N - d - 3.0)
        extra = 2 * tau2 ** 2 / (N - d - 3.0)
    else:
        raise ValueError(f"n_unlabeled={n_unlabeled!r} is invalid: expected 0 (Sigma known) or more than "
                         f"d + 3 = {d + 3} rows (the estimate of Sigma^-1 has no finite variance below)")
    t4 = tau2 * tau2
    return (4 * (n - 2) * (syy * tau2 * kap + t4 * lam)
            + 2 * (syy * syy * d * kap + 4 * syy * tau2 * kap + 3 * t4 * lam)) / (n * (n - 1)) + extra


def feasible(p):
    """Nearest parameters of a real task: tau^2 >= rho^2 / r^2 (|cos| <= 1), sigma^2 >= 0, total kept."""
    tau2, sig2, rho, r2 = (float(v) for v in p)
    total = tau2 + sig2
    r2 = max(r2, 1e-300)
    tau2 = min(max(tau2, rho * rho / r2, 0.0), max(total, rho * rho / r2))
    return np.array([tau2, max(total - tau2, 0.0), rho, r2])


def param_cov(n, d, p, n_unlabeled=0):
    """Exact Gaussian covariance of the estimator of ``p = (tau^2, sigma^2, rho, r^2)`` at the true ``p``
    (``n`` samples, dimension ``d``; ``n_unlabeled``: 0 for a known Sigma, else the ``N > d + 3`` centred
    unlabeled rows behind the estimate ``(N - d - 1)/N inv(Sigma_hat)`` of Sigma^{-1}).

    Closed form of :class:`~ftheory.advise.moments.Moments` covariances for the statistics
    ``(S_y, U_y, S_z, S_{y+z})`` (checked against it in the tests and ``derivations/advise.py``); with
    Sigma estimated only ``Var U_y`` changes (:func:`_var_u`, ``derivations/advise_wishart.py``).
    """
    tau2, sig2, rho, r2 = (float(v) for v in p)
    syy = tau2 + sig2
    S = np.array([[syy, rho], [rho, r2]])
    G = np.array([[tau2, rho], [rho, r2]])
    A = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])  # label combinations y, z, y + z
    SA = A @ S @ A.T
    C = np.empty((4, 4))
    idx = [0, None, 1, 2]  # statistic -> row of A (None: the U-statistic of y)
    var_u = _var_u(n, d, tau2, syy, n_unlabeled)
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
    return _L @ C @ _L.T


def _cov_us(n, d, tau2, sig2, n_unlabeled=0):
    """Exact Gaussian covariance of ``(U_y, S_y)`` at ``(tau^2, sigma^2)`` (the (U_y, S_y) block of
    :func:`param_cov`, which the tests check); arrays of parameters give ``(..., 2, 2)``."""
    tau2, sig2 = np.asarray(tau2, float), np.asarray(sig2, float)
    syy = tau2 + sig2
    vu = _var_u(n, d, tau2, syy, n_unlabeled)
    c = 4 * syy * tau2 / n
    vs = 2 * syy ** 2 / n
    out = np.empty(np.broadcast_shapes(np.shape(vu), np.shape(c), np.shape(vs)) + (2, 2))
    out[..., 0, 0], out[..., 0, 1], out[..., 1, 0], out[..., 1, 1] = vu, c, c, vs
    return out


def _inv2(M):
    """Inverse of (..., 2, 2) matrices (closed form; singular ones get a tiny ridge)."""
    a, b, c, d = M[..., 0, 0], M[..., 0, 1], M[..., 1, 0], M[..., 1, 1]
    det = a * d - b * c
    det = np.where(np.abs(det) > 1e-300, det, 1e-300)
    out = np.empty(np.shape(det) + (2, 2))
    out[..., 0, 0], out[..., 0, 1], out[..., 1, 0], out[..., 1, 1] = d / det, -b / det, -c / det, a / det
    return out


def cosine(p):
    """Sigma-weighted cosine ``rho / (tau r)``, clipped to [-1, 1]."""
    tau2 = max(p[0], 1e-12 * (abs(p[0]) + abs(p[1])) + 1e-300)
    r2 = max(p[3], 1e-300)
    return float(np.clip(p[2] / math.sqrt(tau2 * r2), -1.0, 1.0))
