"""Prediction bands: the range of a prediction over the 95% score region of the estimated parameters.

``p = (tau^2, sigma^2, rho, r^2)`` is estimated by ``p_hat`` (unbiased) with the exact Gaussian
covariance ``C(p)`` of :mod:`ftheory.advise.moments` (closed form below, checked against
``estimators.param_cov`` in the tests). The score region

    R = { p : (p_hat - p)' C(p)^{-1} (p_hat - p) <= z^2 },   z = 1.96 (one degree of freedom),

is the set of parameters that a score test of a single linear combination would not reject, with
the variance evaluated *at the candidate* ``p`` (the spread of the U-statistics grows with the
signal: a Wald region centred at ``p_hat`` under-covers). The band of a prediction ``f`` is the range
of ``f`` over ``R`` (``f`` at the nearest real task, ``tau^2 >= rho^2/r^2``, ``sigma^2 >= 0``):

* for ``f`` linear in ``p`` it is exactly the score interval ``|f(p_hat) - f(p)| <= z sd_p(f)``;
* for a nonlinear ``f`` (tuned ridge: a minimum of linear functions, concave; the linear probe) it is
  the profile interval, which follows the curvature of ``f`` instead of its tangent (the delta method
  and a band along the signal's interval alone missed the concavity of the tuned risk in sigma^2:
  82% coverage at sigma = 1, gamma = 2);
* it depends only on ``p_hat`` and ``C``, not on how the estimates' own intervals are built.

``R`` is represented by a fixed cloud of points: ``K`` directions ``u`` (deterministic, spread over
the unit sphere, plus the coordinate axes), each ray ``p_hat + s L u`` (``L L' = C(q)``) cut where
the score form first exceeds ``z^2`` (grid in ``s`` then linear interpolation, at most ``s_max``), and
shells at fractions ``0, 1/2, 1`` of that radius (interior extremes of non-monotone functions such as
a transferability). The centre is the point estimate, so every estimate lies inside its band. Cost:
one vectorised covariance evaluation per grid point (``K x 24`` 4x4 matrices, a few ms), then one
vectorised evaluation of ``f`` on ``3 K + 1`` points per prediction.

Exact cut (isotropic path, ``worlds`` given): at small ``n`` the Gaussian law is a poor guide to the
tails of ``p_hat`` (``S_y`` is ``s_yy chi^2_n / n``; the score bound ``S_y / (1 - z sqrt(2/n))`` on
``s_yy`` is 3.05 ``S_y`` at ``n = 17`` against the exact 2.25), so the regions reached far into large
signals and no truth fell above a band at ``n <= 20``. With the bootstrap draws of
:class:`~ftheory.advise.bootstrap.Worlds` (the exact law of ``p_hat`` at every task, common random
numbers) the ray along ``L u`` is instead cut where the statistic ``u' L^{-1} p_hat`` (the linear
functional that the ray maximises) falls below the lower 2.5% point (order statistic
``floor(0.025 draws)``, 0-based) of its law at the candidate: the fluctuations at the candidate's nearest
real task, the mean at the candidate. For a fixed covariance this is the same cut as the score form's;
it costs one ``(K x 24, 16) x (16, draws)`` matrix product and a partial sort (~0.1 s for 400 draws).
The order statistic carries a Monte Carlo error (0.13 standard deviations for 400 draws) that the
range over 520 rays turns into a small widening; so the exact cut is used only where the Gaussian
law's own error is larger (:func:`exact_cut`: ``n <= 100`` effective samples for 400 draws).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ftheory.advise.param_cov import _var_u

__all__ = ["Z95", "param_cov_rows", "feasible_rows", "ScoreRegion", "score_region", "exact_cut"]

Z95 = 1.959963984540054
_L = np.array([[0, 1, 0, 0], [1, -1, 0, 0], [-0.5, 0, -0.5, 0.5], [0, 0, 1, 0]], float)  # p = L (S_y, U_y, S_z, S_yz)


def feasible_rows(P):
    """Row-wise nearest real task: ``tau^2 >= rho^2/r^2`` (|cos| <= 1), ``sigma^2 >= 0``, total kept."""
    P = np.asarray(P, float)
    tau2, sig2, rho, r2 = (P[..., k] for k in range(4))
    total = tau2 + sig2
    r2 = np.maximum(r2, 1e-300)
    b = rho * rho / r2
    t = np.minimum(np.maximum(np.maximum(tau2, b), 0.0), np.maximum(total, b))
    return np.stack([t, np.maximum(total - t, 0.0), rho, r2], axis=-1)


def param_cov_rows(n, d, P, n_unlabeled=0):
    """Exact Gaussian covariance (``(..., 4, 4)``) of the unbiased estimator of ``p`` at each row of ``P``.

    Statistics ``(S_y, U_y, S_z, S_{y+z})`` of :mod:`ftheory.advise.moments`:
    ``Cov(S_a, S_b) = 2 s_ab^2/n``, ``Cov(U_y, S_b) = 4 s_yb g_yb / n`` and
    ``Var U_y = (4(n-2)(s_yy tau^2 + tau^4) + 2(s_yy^2 d + 4 s_yy tau^2 + 3 tau^4))/(n(n-1))``; with
    Sigma^{-1} estimated from ``n_unlabeled`` rows the exact ``Var U_y`` of
    :func:`ftheory.advise.param_cov.param_cov` (its inverse-Wishart terms; the other entries are unchanged).
    """
    P = np.asarray(P, float)
    tau2, sig2, rho, r2 = (P[..., k] for k in range(4))
    tau2 = np.maximum(tau2, 0.0)
    syy = tau2 + np.maximum(sig2, 0.0)
    # second moments of the label combinations y, z, y + z; Gram of their Sigma-covariances with x
    s = {("y", "y"): syy, ("y", "z"): rho, ("z", "z"): r2}
    s[("y", "w")] = syy + rho
    s[("z", "w")] = rho + r2
    s[("w", "w")] = syy + 2 * rho + r2
    g_yb = {"y": tau2, "z": rho, "w": tau2 + rho}

    def ss(a, b):
        return s[(a, b)] if (a, b) in s else s[(b, a)]

    labels = ["y", None, "z", "w"]  # None: U_y
    C = np.empty(P.shape[:-1] + (4, 4))
    var_u = _var_u(n, d, tau2, syy, n_unlabeled)
    for i, a in enumerate(labels):
        for j, b in enumerate(labels):
            if a is None and b is None:
                C[..., i, j] = var_u
            elif a is None or b is None:
                k = b if a is None else a
                C[..., i, j] = 4 * ss("y", k) * g_yb[k] / n
            else:
                C[..., i, j] = 2 * ss(a, b) ** 2 / n
    return _L @ C @ _L.T


def _directions(k, dim=4, seed=20241008):
    """``k`` unit vectors spread over the sphere (a fixed random draw, antipodal pairs) and the axes."""
    g = np.random.default_rng(seed).standard_normal((k // 2, dim))
    g /= np.linalg.norm(g, axis=1, keepdims=True)
    return np.concatenate([np.eye(dim), -np.eye(dim), g, -g])


_ALPHA = 0.025  # one-sided level of each ray's exact test (two-sided 95% for a linear functional)
_S_GRID = np.concatenate([np.linspace(0.05, 1.0, 8), np.geomspace(1.15, 12.0, 16)])


@dataclass
class ScoreRegion:
    """Cloud of points of the score region of ``p`` (rows of ``raw``; ``points`` = their nearest real
    tasks); row 0 is the estimate itself (raw ``p_hat`` and its feasible projection)."""

    raw: np.ndarray
    points: np.ndarray
    unbounded: bool

    def band(self, f, linear=False):
        """``(value, low, high)`` of a vectorised prediction ``f`` (rows of p -> values) over the region.

        ``linear=True``: ``f`` is linear in ``p`` and evaluated at the raw points (its plug-in at the
        raw estimate is unbiased), the value clipped at 0 like a risk. Non-finite values (a risk that
        diverges somewhere in the region) give an infinite end."""
        P = self.raw if linear else self.points
        v = np.asarray(f(P), float)
        value = float(v[0])
        if linear:
            value = max(value, 0.0)
        if np.isnan(v).any():
            v = np.where(np.isnan(v), np.inf, v)
        lo, hi = float(np.min(v)), float(np.max(v))
        if linear:
            lo = max(lo, 0.0)
        return value, min(lo, value), max(hi, value)


def _exact_features(worlds):
    """``(draws, 16)`` entries of the bootstrap matrices ``(A, B)`` such that ``g . p_hat*`` at a task is the
    row-wise product with :func:`_task_features` (one matrix product for every candidate and draw)."""
    A, B = worlds.A, worlds.B
    iu = ([0, 1, 2, 0, 0, 1], [0, 1, 2, 1, 2, 2])
    return np.concatenate([B[:, iu[0], iu[1]], A[:, iu[0], iu[1]], A[:, 0, :], A[:, :1, 0]], axis=1)


def _task_features(Q, G):
    """``(..., 16)`` coefficients of ``G . p_hat*`` at the tasks ``Q`` (feasible rows) in the entries of
    :func:`_exact_features`: ``p_hat* = (c'Bc, c'Ac - c'Bc, r (Ac)_1, r^2 A_11)``, ``c = (rho/r,
    sqrt(tau^2 - rho^2/r^2), sigma)`` (:class:`~ftheory.advise.bootstrap.Worlds`)."""
    tau2, sig2, rho, r2 = (Q[..., k] for k in range(4))
    r2 = np.maximum(r2, 1e-300)
    r = np.sqrt(r2)
    a1 = rho / r
    c = np.stack([a1, np.sqrt(np.maximum(tau2 - a1 * a1, 0.0)), np.sqrt(np.maximum(sig2, 0.0))], axis=-1)
    mono = np.stack([c[..., 0] ** 2, c[..., 1] ** 2, c[..., 2] ** 2, 2 * c[..., 0] * c[..., 1],
                     2 * c[..., 0] * c[..., 2], 2 * c[..., 1] * c[..., 2]], axis=-1)
    g0, g1, g2, g3 = (G[..., k, None] for k in range(4))
    return np.concatenate([(g0 - g1) * mono, g1 * mono, g2 * r[..., None] * c, g3 * r2[..., None]], axis=-1)


def exact_cut(n, n_unlabeled=0, worlds=None) -> bool:
    """Whether :func:`score_region` cuts its rays by the exact law of ``worlds`` (``None``: with 400
    draws): on the isotropic path, with exact draws, and where the Gaussian law's error in a 2.5% point
    (the Cornish-Fisher term ``(z^2 - 1)/6`` times the skewness ``sqrt(8/n)`` of ``S_y``, in standard
    deviations) exceeds the Monte Carlo error of the ``draws``' order statistic
    (``sqrt(a (1 - a)/draws) / phi(z)``): ``n <= 100`` for 400 draws."""
    if n_unlabeled or (worlds is not None and not getattr(worlds, "exact", False)):
        return False
    draws = 400 if worlds is None else worlds.draws
    z = Z95
    mc = math.sqrt(_ALPHA * (1 - _ALPHA) / draws) / (math.exp(-z * z / 2) / math.sqrt(2 * math.pi))
    return (z * z - 1) / 6 * math.sqrt(8 / n) > mc


def score_region(p_hat, n, d, n_unlabeled=0, k=512, z=Z95, worlds=None) -> ScoreRegion:
    """The score region of ``p`` around the unbiased estimate ``p_hat`` (``n`` effective samples,
    dimension ``d``) as a cloud of points (module docstring). With ``worlds`` (exact
    :class:`~ftheory.advise.bootstrap.Worlds` of the same ``n, d``, isotropic path) each ray is cut by
    the exact law of the estimate instead of its Gaussian approximation where :func:`exact_cut` says so
    (order statistic of the draws)."""
    p_hat = np.asarray(p_hat, float)
    q = feasible_rows(p_hat)
    C0 = param_cov_rows(n, d, q, n_unlabeled)
    w, V = np.linalg.eigh(0.5 * (C0 + C0.T))
    scale = np.sqrt(np.maximum(w, 0.0))
    floor = 1e-9 * (scale.max() + abs(p_hat).max() + 1e-300)
    Lm = V * np.maximum(scale, floor)
    U = _directions(k)
    steps = U @ Lm.T                                                     # (K, 4): L u
    s = z * _S_GRID                                                      # radii along each ray
    pts = p_hat + s[None, :, None] * steps[:, None, :]                   # (K, S, 4)
    ok = pts[..., 3] > 0                                                 # r^2 = E z^2 > 0 for a real task
    exact = worlds is not None and exact_cut(n, n_unlabeled, worlds)
    if exact:
        # the statistic u' L^{-1} p_hat (the linear functional maximised along the ray) against the
        # lower alpha quantile of its exact law at the candidate (fluctuations at the nearest real task,
        # mean at the candidate itself); margin > 0 inside
        Qf = feasible_rows(np.where(ok[..., None], pts, q))
        G = U @ np.linalg.inv(Lm)                                        # (K, 4)
        X = _task_features(Qf, np.broadcast_to(G[:, None, :], Qf.shape))
        T = (X.reshape(-1, X.shape[-1]) @ _exact_features(worlds).T).reshape(Qf.shape[:2] + (-1,))
        kq = int(np.floor(_ALPHA * T.shape[-1]))
        low_q = np.partition(T, kq, axis=-1)[..., kq] + np.einsum("ksi,ki->ks", pts - Qf, G)
        margin = np.where(ok, (G @ p_hat)[:, None] - low_q, -np.inf)
        Q = np.where(np.isfinite(margin), z * z - margin, np.inf)       # inside: Q <= z^2, as below
    else:
        with np.errstate(all="ignore"):
            C = param_cov_rows(n, d, feasible_rows(np.where(ok[..., None], pts, q)), n_unlabeled)
        C = C + (1e-10 * np.trace(C0) / 4 + floor ** 2) * np.eye(4)
        diff = pts - p_hat
        Q = np.einsum("ksi,ksi->ks", diff, np.linalg.solve(C, diff[..., None])[..., 0])
        Q = np.where(ok & np.isfinite(Q), Q, np.inf)
    inside = Q <= z * z
    # the first grid radius where the form leaves the region (contiguous from the centre)
    out = ~inside
    first = np.where(out.any(1), out.argmax(1), s.size)
    unbounded = bool(np.any(first == s.size))
    idx = np.clip(first, 1, s.size - 1)
    rows = np.arange(len(U))
    s_in, s_out = s[idx - 1], s[idx]
    q_in, q_out = Q[rows, idx - 1], Q[rows, idx]
    with np.errstate(all="ignore"):
        frac = np.clip((z * z - q_in) / (q_out - q_in), 0.0, 1.0)
    if exact:
        frac = np.where(np.isfinite(q_out), frac, 0.0)
        radius = np.where(first == 0, 0.0, np.where(first == s.size, s[-1], s_in + frac * (s_out - s_in)))
    else:
        radius = np.where(first == 0, s[0] * np.sqrt(z * z / np.maximum(Q[:, 0], 1e-300)),
                          np.where(first == s.size, s[-1], s_in + frac * (s_out - s_in)))
    shells = np.concatenate([radius[:, None] * f for f in (0.5, 1.0)], axis=0)
    raw = np.concatenate([p_hat[None, :], p_hat + shells * np.concatenate([steps, steps])])
    return ScoreRegion(raw, feasible_rows(raw), unbounded)
