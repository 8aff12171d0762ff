"""Intervals of the signal ``tau^2`` and the noise variance ``sigma^2`` by test inversion: the spectral
test on the isotropic path (:mod:`ftheory.advise.spectral`), else the U-statistic test calibrated by
the parametric bootstrap (:mod:`ftheory.advise.bootstrap`). See docs/advisor.md, Intervals.
"""
from __future__ import annotations

import math

import numpy as np

from ftheory.advise.intervals import Interval, hull, invert
from ftheory.advise.param_cov import _cov_us, _inv2, feasible

__all__ = ["signal_noise_interval", "accept"]


def accept(stat, sims):
    """``<= 0`` iff ``stat`` lies between the 2.5% and 97.5% quantiles of ``sims``."""
    lo, hi = np.quantile(sims, [0.025, 0.975])
    return max(lo - stat, stat - hi)


def signal_noise_interval(pe, which) -> Interval:
    """Signal (``which = 0``) or noise variance (1) by inverting a profile test on ``T = (U_y, S_y)``
    (means ``(tau^2, tau^2 + sigma^2)``): at candidate ``t`` the other parameter ``nu >= 0`` is fitted by
    generalised least squares with the exact covariance ``F`` at the candidate task, and
    ``Z = sign(f' F^{-1} R) sqrt(R' F^{-1} R)`` (``R`` the residual, ``f`` the direction of the
    parameter of interest: a signed root of the profiled quadratic form). ``t`` is kept if ``Z`` lies
    inside the central 95% of its law simulated at ``(t, nu)``. In the interior ``Z`` is the
    standardised ``U_y - t`` (signal) or decorrelated noise estimate; when ``nu`` hits 0, ``S_y`` (the
    total label variance) testifies too, which bounds the signal by the label variance.
    Candidates live in ``[0, inf)``; the interval is the hull of the kept values and the reported
    (truncated) estimate."""
    T = np.array([pe.p[0], pe.p[0] + pe.p[1]])
    e = np.array([0.0, 1.0]) if which == 0 else np.array([1.0, 1.0])   # direction of the nuisance
    f = np.array([1.0, 1.0]) if which == 0 else np.array([0.0, 1.0])   # direction of the parameter

    W0 = np.linalg.pinv(pe.cov_stats(2))
    eWe0 = max(float(e @ W0 @ e), 1e-300)

    def zstat(Ts, t):
        """Signed root and fitted nuisance for rows ``Ts`` of ``(U_y, S_y)`` (the same function of
        the data for the observation and the simulations: a studentised statistic)."""
        R0 = Ts - f * t
        nu = np.maximum((R0 @ W0 @ e) / eWe0, 0.0)             # pilot fit
        q0, q1 = (t + 0 * nu, nu) if which == 0 else (nu, t + 0 * nu)
        W = _inv2(_cov_us(pe.n, pe.d, q0, q1, pe.n_unlabeled))
        We = W @ e
        nu = np.maximum(np.einsum("...i,...i->...", R0, We) / np.maximum(We @ e, 1e-300), 0.0)
        R = R0 - np.multiply.outer(nu, e)
        WR = np.einsum("...ij,...j->...i", W, R)
        Q = np.maximum(np.einsum("...i,...i->...", R, WR), 0.0)
        return np.sign(WR @ f) * np.sqrt(Q), nu

    def u_test(t):
        z_obs, nu_fit = zstat(T, t)
        # three simulated worlds for the other parameter: fitted given t (least squares, uncorrelated
        # with the statistic), S_y - t (the observed total label variance kept) and its unconstrained
        # unbiased estimate; t is kept if one of them keeps it (a three-point supremum over the
        # nuisance, in the spirit of Berger & Boos 1994). Any one alone missed at small n (90-93%):
        # the spread of the statistic grows with the nuisance, which the data estimate poorly there.
        stat = math.inf
        for nu in (float(nu_fit), max(float(T[1]) - t, 0.0), max(float(pe.p[1 - which]), 0.0)):
            q = [t, nu, 0.0, 1.0] if which == 0 else [nu, t, 0.0, 1.0]
            S = pe.simulate(q)
            z_sim = zstat(S[:, :2] @ np.array([[1.0, 1.0], [0.0, 1.0]]), t)[0]
            stat = min(stat, accept(float(z_obs), z_sim))
            if stat <= 0:
                break
        return stat

    value, se = float(feasible(pe.p)[which]), math.sqrt(max(pe.cov[which, which], 0.0))
    hi = max(float(pe.p[which]), value, 0.0) + 6 * se
    sw, extra = pe.spectral_worlds, [value, float(pe.p[which])]
    test = u_test if sw is None else (  # isotropic path: the spectral test (docs/advisor.md)
        lambda t: sw.profile_accept(t, sw.nuisance_fit(t, which), which))
    if sw is not None:
        extra.append(sw.estimate()[which])
    hi = max(hi, *extra) + 1e-12
    for _ in range(12):  # make sure the upper end is rejected
        if test(hi) > 0:
            break
        hi *= 1.6
    lohi = invert(test, 0.0, hi, grid=25, extra=extra)
    return hull(value, lohi, se)
