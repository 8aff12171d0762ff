"""Likelihood-ratio-type test of the cosine ``c = rho / (tau r)`` on the U-statistics (anisotropic path,
and ``spectral=False``), calibrated by the parametric bootstrap of :mod:`ftheory.advise.bootstrap`.

Statistics ``T = (a_hat, sigma_hat^2, tau_hat^2)`` with ``a_hat = rho_hat / (r_hat m_n)``,
``m_n = E chi_n / sqrt(n)``: in whitened coordinates with the source along ``e_1``,
``rho_hat / r_hat = u'y / sqrt(n) = (a chi_n + sqrt(kappa + sigma^2) xi) / sqrt(n)`` (``u = z / |z|``,
``a = c tau``, ``kappa = tau^2 - a^2``), so the law of ``T`` does not depend on ``r`` and its mean is
``(c tau, sigma^2, tau^2)`` exactly. Its covariance (:func:`cov_stats`): the ``a_hat`` terms from the
chi law and Isserlis' theorem (exact), the ``(U_y, S_y)`` block of
:func:`~ftheory.advise.param_cov.param_cov` (exact, for known Sigma and with Sigma estimated from unlabeled
rows); checked against exact simulations in ``tests/advise/test_overlap_lr.py``.

At a candidate ``c``: ``Q_c = min_{tau, s >= 0} |T - (c tau, s, tau^2)|_W^2`` (``s`` profiled in
closed form per branch, ``tau`` by the real roots of a cubic, for all draws at once), ``Q_min`` the
same over the whole parameter space (``s >= 0``, ``a^2 <= t``: a convex set; inside, its face
``s = 0`` or its surface ``c = +-1``), ``LR_c = Q_c - Q_min``. ``W`` is the inverse exact covariance at
the task fitted under ``c`` (a pilot fit with weights at the row's own clipped estimates, then one
refit), computed from each row alone, so observed and simulated statistics are the same function of
their data. ``c`` is kept if the observed ``LR_c`` is at most the 95% quantile of its simulated law at
``(c, tau(c), sigma^2(c))`` (one world: the fit under ``c``), or, as the advisor does
(``world="estimate"``), at the feasible unconstrained estimates with cosine ``c``: the fit under ``c``
sends ``tau`` to 0 for cosines far from the data, where ``c`` is unidentified and the law too wide.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.special import gammaln

from ftheory.advise.intervals import Interval, delta, hull, invert
from ftheory.advise.param_cov import _cov_us, cosine, feasible

__all__ = ["cosine_interval_lr", "cosine_lr_test", "cov_stats", "chi_mean"]

_TOL = 1e-9  # LR values are O(1); rounding of Q_c - Q_min is far below this


def chi_mean(n) -> float:
    """``m_n = E chi_n / sqrt(n)`` (the mean of ``|g| / sqrt(n)`` for ``g ~ N(0, I_n)``)."""
    n = float(n)
    return math.exp(0.5 * math.log(2.0 / n) + gammaln((n + 1) / 2) - gammaln(n / 2))


def cov_stats(n, d, a, tau2, sig2, n_unlabeled=0):
    """Exact Gaussian covariance of ``T = (a_hat, sigma_hat^2, tau_hat^2)`` at the task with
    ``a = c tau``, signal ``tau^2`` and noise variance ``sigma^2`` (``n`` rows, dimension ``d``,
    ``n_unlabeled`` rows behind Sigma); arrays give ``(..., 3, 3)``."""
    a, tau2, sig2 = np.broadcast_arrays(*(np.asarray(x, float) for x in (a, tau2, sig2)))
    m = chi_mean(n)
    C = _cov_us(n, d, tau2, sig2, n_unlabeled)
    vu, cus, vs = C[..., 0, 0], C[..., 0, 1], C[..., 1, 1]
    a2 = a * a
    kap = np.maximum(tau2 - a2, 0.0)
    v = kap + sig2
    vg = a2 * (1 - m * m) + v / n                                             # Var(rho_hat / r_hat)
    gs = a * m * (a2 + 2 * v) / n                                             # Cov(., S_y)
    gu = a * m * (a2 * (2 * n + 3) / (n + 2) + 2 * kap + 2 * v * (n + 1) / (n + 2)) / n   # Cov(., U_y)
    va, a_s, a_t = vg / (m * m), (gs - gu) / m, gu / m
    ss, st = vs - 2 * cus + vu, cus - vu
    rows = [np.stack(r, -1) for r in ((va, a_s, a_t), (a_s, ss, st), (a_t, st, vu))]
    return np.stack(rows, -2)


def _fit(T, c, W):
    """``min_{tau >= 0, s >= 0} |T - (c tau, s, tau^2)|_W^2`` for rows ``T`` (k, 3), ``W`` (k, 3, 3) and the
    cosine ``c`` (scalar or (k,)): the value and the minimising ``(tau, s)``."""
    a, s, t = T[:, 0], T[:, 1], T[:, 2]
    c = np.broadcast_to(np.asarray(c, float), a.shape)
    Waa, Was, Wat, Wss, Wst, Wtt = (W[:, i, j] for i, j in ((0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2)))
    Wss = np.maximum(Wss, 1e-300)
    # each branch of s (free: profiled; clipped at 0): Q = A_aa ra^2 + 2 A_at ra rt + A_tt rt^2
    # + 2 (q_a ra + q_t rt) + const (ra = a - c tau, rt = t - tau^2), stationary in tau where
    # -2 A_tt tau^3 - 3 c A_at tau^2 + (2 (A_at a + A_tt t + q_t) - c^2 A_aa) tau + c (A_aa a + A_at t + q_a) = 0
    free = (Waa - Was * Was / Wss, Wat - Was * Wst / Wss, Wtt - Wst * Wst / Wss, 0.0, 0.0)
    zero = (Waa, Wat, Wtt, Was * s, Wst * s)
    cands = [np.zeros_like(a)]
    for Aaa, Aat, Att, qa, qt in (free, zero):
        Att = np.maximum(Att, 1e-300)
        p2 = 3 * c * Aat / (2 * Att)
        p1 = -(2 * (Aat * a + Att * t + qt) - c * c * Aaa) / (2 * Att)
        p0 = -c * (Aaa * a + Aat * t + qa) / (2 * Att)
        cands.extend(_cubic_roots(p2, p1, p0))
    taus = np.column_stack(cands)
    taus = np.where(np.isfinite(taus) & (taus > 0), taus, 0.0)
    ra, rt = a[:, None] - c[:, None] * taus, t[:, None] - taus * taus
    s_opt = np.maximum(s[:, None] + (Was[:, None] * ra + Wst[:, None] * rt) / Wss[:, None], 0.0)
    rs = s[:, None] - s_opt
    vals = (Waa[:, None] * ra * ra + Wss[:, None] * rs * rs + Wtt[:, None] * rt * rt
            + 2 * (Was[:, None] * ra * rs + Wat[:, None] * ra * rt + Wst[:, None] * rs * rt))
    j = np.argmin(vals, axis=1)
    k = np.arange(len(a))
    return vals[k, j], taus[k, j], s_opt[k, j]


def _cubic_roots(p2, p1, p0):
    """Real roots of ``x^3 + p2 x^2 + p1 x + p0 = 0`` (arrays; NaN where a root does not exist)."""
    with np.errstate(all="ignore"):
        sh = p2 / 3
        P = p1 - p2 * sh
        Q = 2 * sh ** 3 - sh * p1 + p0
        disc = (Q / 2) ** 2 + (P / 3) ** 3
        one = np.cbrt(-Q / 2 + np.sqrt(np.maximum(disc, 0.0))) + np.cbrt(-Q / 2 - np.sqrt(np.maximum(disc, 0.0)))
        rP = np.sqrt(np.maximum(-P / 3, 0.0))
        phi = np.arccos(np.clip(np.where(rP > 0, -Q / (2 * rP ** 3), 0.0), -1.0, 1.0)) / 3
        three = [2 * rP * np.cos(phi - 2 * math.pi * k / 3) for k in range(3)]
        return [np.where(disc >= 0, one, three[0]) - sh, np.where(disc < 0, three[1] - sh, np.nan),
                np.where(disc < 0, three[2] - sh, np.nan)]


def _q_min(T, W, C):
    """``min |T - m|_W^2`` over the means ``m = (a, s, t)`` of real tasks (``s >= 0``, ``a^2 <= t``);
    ``C = W^{-1}``."""
    a, s, t = T[:, 0], T[:, 1], T[:, 2]
    k = len(a)
    both = _fit(np.concatenate([T, T]), np.repeat([1.0, -1.0], k), np.concatenate([W, W]))[0]
    best = np.minimum(both[:k], both[k:])                          # the surface |c| = 1
    css = np.maximum(C[:, 1, 1], 1e-300)                            # the face s = 0
    af, tf = a - C[:, 0, 1] / css * s, t - C[:, 2, 1] / css * s
    best = np.where(af * af <= tf, np.minimum(best, s * s / css), best)
    return np.where((s >= 0) & (a * a <= t), 0.0, best)


def _inv3(C):
    """Inverse of (k, 3, 3) symmetric positive-semidefinite matrices (adjugate; a relative ridge for
    singular ones)."""
    C = C + (1e-12 * np.trace(C, axis1=1, axis2=2) + 1e-300)[:, None, None] * np.eye(3)
    a, b, c, d, e, f = C[:, 0, 0], C[:, 0, 1], C[:, 0, 2], C[:, 1, 1], C[:, 1, 2], C[:, 2, 2]
    A, B, Cc = d * f - e * e, c * e - b * f, b * e - c * d
    D, E, F = a * f - c * c, b * c - a * e, a * d - b * b
    det = a * A + b * B + c * Cc
    return np.stack([np.stack(r, -1) for r in ((A, B, Cc), (B, D, E), (Cc, E, F))], -2) / det[:, None, None]


def _stats(P, m):
    """Rows ``(a_hat, sigma_hat^2, tau_hat^2)`` from rows of ``p_hat = (tau^2, sigma^2, rho, r^2)``."""
    P = np.atleast_2d(np.asarray(P, float))
    g = P[:, 2] / np.sqrt(np.maximum(P[:, 3], 1e-300))
    return np.column_stack([g / m, P[:, 1], P[:, 0]])


def cosine_lr_test(pe, world=None, level=0.95):
    """The test of :func:`cosine_interval_lr` as a function of the candidate cosine (``<= 0``: kept);
    ``world``: simulate at these ``(tau^2, sigma^2)`` instead of the ones fitted under the candidate
    (to measure the test at a known task), or ``"estimate"``: at the feasible unconstrained estimates
    (the same world for every candidate; a variant measured in docs/advisor_validation.md, likelihood-ratio cosine test). The function has ``.world(c)``, the fitted
    ``(tau^2, sigma^2)``, and ``.estimate``, the cosine of the unconstrained fit (``LR = 0`` there when
    the estimates are a real task)."""
    n, d, N = pe.n, pe.d, pe.n_unlabeled
    m = chi_mean(n)
    T_obs = _stats(pe.p, m)
    scale = max(float(T_obs[0, 1] + T_obs[0, 2]), 0.0) + 1e-300  # observed label second moment

    def lr(T, c):
        """``(LR, tau, s)`` for rows ``T``: a function of each row alone (and of the constant ``scale``); the rows'
        ``r_hat^2 > 0`` (:meth:`ftheory.advise.bootstrap.Worlds.draws_at`)."""
        tot = np.maximum(T[:, 1] + T[:, 2], 0.0)
        floor = 1e-3 * np.maximum(tot, 1e-6 * scale)
        t0 = np.clip(T[:, 2], 0.0, tot)
        W = _inv3(cov_stats(n, d, c * np.sqrt(t0), t0 + floor, tot - t0 + floor, N))   # pilot weights
        _, tau, s = _fit(T, c, W)
        C = cov_stats(n, d, c * tau, tau * tau + floor, s + floor, N)    # exact covariance at the fit
        W = _inv3(C)
        q, tau, s = _fit(T, c, W)
        return np.maximum(q - _q_min(T, W, C), 0.0), tau, s

    fitted = {}

    def fit_world(c):
        key = float(c)
        if key not in fitted:
            out, tau, s = lr(T_obs, c)
            fitted[key] = (float(out[0]), float(tau[0]) ** 2, float(s[0]))
        return fitted[key]

    if isinstance(world, str) and world == "estimate":    # the feasible unconstrained estimates
        world = tuple(feasible(pe.p)[:2])

    def test(c):
        obs, tau2, sig2 = fit_world(c)
        if world is not None:
            tau2, sig2 = float(world[0]), float(world[1])
        S = pe.simulate([tau2, sig2, c * math.sqrt(max(tau2, 0.0)), 1.0])
        sims = lr(_stats(S, m), c)[0]
        return obs - float(np.quantile(sims, level)) - _TOL

    test.world = lambda c: fit_world(c)[1:]
    a_hat, tau2 = float(T_obs[0, 0]), float(T_obs[0, 2])
    test.estimate = float(np.clip(a_hat / math.sqrt(tau2), -1.0, 1.0)) if tau2 > 0 else math.copysign(1.0, a_hat)
    return test


def cosine_interval_lr(pe, world=None) -> Interval:
    """95% interval of the cosine by inverting the likelihood-ratio-type test of :func:`cosine_lr_test`
    (``world`` as there; the advisor uses ``world="estimate"``, see docs/advisor_validation.md,
    likelihood-ratio cosine test):
    ``T = (a_hat, sigma_hat^2, tau_hat^2)`` (means ``(c tau, sigma^2, tau^2)``, ``a_hat`` the unbiased
    ``rho_hat / r_hat`` rescaled; law free of ``r``), ``LR_c = Q_c - Q_min`` with the exact covariance at
    the task fitted under ``c``, kept if at most the 95% quantile of its bootstrap law at that task.
    The interval is the hull of the kept cosines, the unconstrained fit's cosine and the reported
    value (the cosine of the feasible unbiased estimates)."""
    value = cosine(feasible(pe.p))
    se = math.sqrt(max(delta(cosine, feasible(pe.p), pe.cov), 0.0))
    if not float(pe.p[3]) > 0:                     # no source predictions: nothing to test
        return Interval(value, -1.0, 1.0, se)
    test = cosine_lr_test(pe, world)
    lohi = invert(test, -1.0, 1.0, grid=21, extra=[value, test.estimate], steps=10)
    if lohi is None:
        lohi = (test.estimate, test.estimate)
    lohi = (min(lohi[0], test.estimate), max(lohi[1], test.estimate))
    return hull(value, lohi, se)
