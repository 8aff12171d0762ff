"""Interval of the cosine (overlap) ``rho / (tau r)`` between the target and the pretrained teacher, by
test inversion. See docs/advisor.md, Intervals.
"""
from __future__ import annotations

import math

import numpy as np

from ftheory.advise.overlap_lr import cosine_interval_lr
from ftheory.advise.overlap_spectral import SpectralCosine
from ftheory.advise.intervals import Interval, accept, delta, hull, invert
from ftheory.advise.param_cov import cosine, feasible

__all__ = ["cosine_interval", "cosine_interval_spectral", "cosine_interval_u", "cosine_u_test"]


def cosine_interval(pe) -> Interval:
    """95% interval of the cosine for :class:`~ftheory.advise.estimators.ParameterEstimates` ``pe``: the
    exact spectral test (:func:`cosine_interval_spectral`) on the isotropic path with source predictions,
    else the likelihood-ratio test of :func:`~ftheory.advise.overlap_lr.cosine_interval_lr` calibrated at
    the feasible unconstrained estimates (93.8-96.8% at the five anisotropic benchmark cells, where the
    Fieller-type :func:`cosine_interval_u` gave 92.4-97.0% on the same samples)."""
    m = pe.moments
    if pe.spectral_worlds is not None and m.has_z and np.any(m.R[:, 1] != 0) and pe.n >= 3 and pe.d >= 2:
        return cosine_interval_spectral(pe)
    return cosine_interval_lr(pe, world="estimate")


def cosine_interval_spectral(pe) -> Interval:
    """Keep the cosine ``c`` if the likelihood-ratio-type distance of :class:`SpectralCosine` (the labels
    split along the source predictions and their orthogonal complement: exact law given
    ``(c, tau^2, sigma^2)``) is at most the 95% quantile of its simulated law at the world fitted under
    ``c``. The interval is the hull of the kept values, never empty (the cosine of the projected
    spectral estimates, a fixed point, has distance 0); the reported value is the cosine of the
    feasible unbiased estimates, moved to the nearest end of the interval if it lies outside (widening
    the interval to it instead over-covered: 98% at cos = 0.98, n = 30, d = 60)."""
    sc = SpectralCosine(pe.moments.X, pe.moments.R[:, 0], pe.moments.R[:, 1], seed=pe.seed)
    value = cosine(feasible(pe.p))
    se = math.sqrt(max(delta(cosine, feasible(pe.p), pe.cov), 0.0))
    c0 = sc.fixed_point()
    lohi = invert(sc.accept, -1.0, 1.0, grid=21, extra=[value, c0], steps=11)
    if lohi is None:  # not reached when the fitted world is continuous in c (the fixed point is kept)
        lohi = (c0, c0)
    return Interval(value, lohi[0], lohi[1], se)


def cosine_interval_u(pe) -> Interval:
    """Keep the cosine ``c`` if ``D(c) = rho|rho| / r^2 - c|c| tau^2`` (estimates; its law does not depend
    on ``r^2``, which ``D r^2`` did: 92% at cos = 0.98, n = 30, d = 60) lies inside the central
    95% of its simulated law at the task with cosine ``c``: ``r^2 = r_hat^2`` and ``(tau^2, sigma^2)``
    by generalised least squares on ``(U_y, S_y, rho_hat)`` with mean ``(tau^2, tau^2 + sigma^2,
    c tau r)`` (a one-dimensional search in ``tau``; ``sigma^2`` in closed form, clipped at 0)."""
    test = cosine_u_test(pe)
    value = cosine(feasible(pe.p))
    se = math.sqrt(max(delta(cosine, feasible(pe.p), pe.cov), 0.0))
    return hull(value, invert(test, -1.0, 1.0, grid=41, extra=[value]), se)


def cosine_u_test(pe, world=None):
    """The test of :func:`cosine_interval_u` as a function of the candidate cosine (``<= 0``: kept);
    ``world``: simulate at these ``(tau^2, sigma^2)`` instead of the ones fitted under the candidate."""
    tau2, sig2, rho, r2 = (float(v) for v in pe.p)
    r2 = max(r2, 1e-300)
    r = math.sqrt(r2)
    T = np.array([tau2, tau2 + sig2, rho])
    W = np.linalg.pinv(pe.cov_stats(3))
    sd_t = math.sqrt(max(pe.cov[0, 0], 0.0))
    tmax = max(tau2, rho * rho / r2, 0.0) + 8 * sd_t + 1e-12
    taus = np.sqrt(np.linspace(0.0, tmax, 400))
    e = np.array([0.0, 1.0, 0.0])
    eWe = max(float(e @ W @ e), 1e-300)
    D_obs = lambda c: rho * abs(rho) / r2 - c * abs(c) * tau2  # noqa: E731

    def null(c):
        if world is not None:
            t2 = float(world[0])
            return [t2, float(world[1]), c * r * math.sqrt(t2), r2]
        M = np.column_stack([taus ** 2, taus ** 2, c * r * taus])      # means with sigma^2 = 0
        R = T - M
        s = np.maximum((R @ W @ e) / eWe, 0.0)
        R = R - np.outer(s, e)
        Q = np.einsum("ij,jk,ik->i", R, W, R)
        k = int(np.argmin(Q))
        return [taus[k] ** 2, s[k], c * r * taus[k], r2]

    def test(c):
        S = pe.simulate(null(c))
        sims = S[:, 2] * np.abs(S[:, 2]) / np.maximum(S[:, 3], 1e-300) - c * abs(c) * S[:, 0]
        return accept(D_obs(c), sims)

    return test
