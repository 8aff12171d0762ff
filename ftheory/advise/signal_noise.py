"""Intervals of the signal ``tau^2`` and the noise variance ``sigma^2`` by test inversion: the spectral
test on the isotropic path (:mod:`ftheory.advise.spectral`), else the U-statistic likelihood-ratio-type
test calibrated by the parametric bootstrap (:mod:`ftheory.advise.bootstrap`). See docs/advisor.md,
Intervals.
"""
from __future__ import annotations

import math

import numpy as np

from ftheory.advise.intervals import Interval, hull, invert
from ftheory.advise.param_cov import _cov_us, _inv2, feasible

__all__ = ["signal_noise_interval", "u_test"]

# Isotropic path (docs/advisor_validation.md, spectral signal test at small n): EXACT uses the spectral test with each data set's own
# nuisance refit and the exact covariance of z^2 (SpectralWorlds.profile_law(exact=True)); CLIP moves the
# reported value into the kept set instead of widening the set to it. Both off: not yet validated on
# every coverage cell.
EXACT = False
CLIP = False

_TO_US = np.array([[1.0, 1.0], [0.0, 1.0]])  # (tau^2_hat, sigma^2_hat) -> (U_y, S_y)


def _cone_min(Ts, W):
    """``min_m (T - m)' W (T - m)`` over the means ``m = (a, a + b)``, ``a, b >= 0``, of a real task
    (rows ``Ts`` of ``(U_y, S_y)``, matrices ``W``): 0 inside the cone, else the nearer boundary ray."""
    Ts = np.asarray(Ts, float)
    WT = np.einsum("...ij,...j->...i", W, Ts)
    QT = np.einsum("...i,...i->...", Ts, WT)
    best = QT
    for v in (np.array([1.0, 1.0]), np.array([0.0, 1.0])):  # sigma^2 = 0, tau^2 = 0
        vWv = np.maximum(np.einsum("i,...ij,j->...", v, W, v), 1e-300)
        a = np.maximum(WT @ v / vWv, 0.0)
        best = np.minimum(best, QT - a * a * vWv)
    inside = (Ts[..., 0] >= 0) & (Ts[..., 1] >= Ts[..., 0])
    return np.where(inside, 0.0, np.maximum(best, 0.0))


def u_test(pe, which, nuisance=None):
    """The U-statistic test of :func:`signal_noise_interval` as a function of the candidate ``t``
    (``<= 0``: kept). ``nuisance``: simulate at this value of the other parameter instead of the one
    fitted under ``t`` (to measure the test at a known task)."""
    T = np.array([pe.p[0], pe.p[0] + pe.p[1]])
    e = np.array([0.0, 1.0]) if which == 0 else np.array([1.0, 1.0])   # direction of the nuisance
    f = np.array([1.0, 1.0]) if which == 0 else np.array([0.0, 1.0])   # direction of the parameter
    n, d, N = pe.n, pe.d, pe.n_unlabeled

    def lr(Ts, t):
        """``(LR, nu)`` for rows ``Ts`` of ``(U_y, S_y)``: a function of each row alone, so the observation
        and the simulated data sets get the same statistic."""
        R0 = Ts - f * t
        # pilot weights: the exact covariance at the row's own clipped estimates (not the observed
        # data's: a weight fixed by the observation made the law of the observed statistic differ
        # from the simulated one; acceptance at the true task 91% at n = 11, d = 60)
        S = np.maximum(Ts[..., 1], 0.0)
        tau0 = np.clip(Ts[..., 0], 0.0, S)
        W0e = _inv2(_cov_us(n, d, tau0, S - tau0, N)) @ e
        nu = np.maximum(np.einsum("...i,...i->...", R0, W0e) / np.maximum(W0e @ e, 1e-300), 0.0)
        q0, q1 = (t + 0 * nu, nu) if which == 0 else (nu, t + 0 * nu)
        W = _inv2(_cov_us(n, d, q0, q1, N))          # exact covariance at the candidate task
        We = W @ e
        nu = np.maximum(np.einsum("...i,...i->...", R0, We) / np.maximum(We @ e, 1e-300), 0.0)
        R = R0 - np.multiply.outer(nu, e)
        Q = np.einsum("...i,...ij,...j->...", R, W, R)
        return np.maximum(Q - _cone_min(Ts, W), 0.0), nu

    def test(t):
        lr_obs, nu_fit = lr(T, t)
        nu = float(nu_fit) if nuisance is None else float(nuisance)
        sims = lr(pe.simulate([t, nu, 0.0, 1.0] if which == 0 else [nu, t, 0.0, 1.0])[:, :2] @ _TO_US, t)[0]
        return float(lr_obs) - float(np.quantile(sims, 0.95))

    return test


def signal_noise_interval(pe, which) -> Interval:
    """Signal (``which = 0``) or noise variance (1) by inverting a likelihood-ratio-type test on
    ``T = (U_y, S_y)`` (means ``(tau^2, tau^2 + sigma^2)``). At candidate ``t`` the other parameter
    ``nu >= 0`` is fitted by generalised least squares with the exact covariance ``F`` at the candidate
    task; ``LR = Q_t - Q_min`` with ``Q_t = R' F^{-1} R`` (``R`` the residual) and ``Q_min`` the same
    form minimised over every real task (``tau^2, sigma^2 >= 0``). ``t`` is kept if ``LR`` is at most
    the 95% quantile of its law simulated at ``(t, nu)`` (the constrained fit: one world, the
    parametric bootstrap at the restricted estimate). In the interior ``LR`` is the square of the
    standardised ``U_y - t`` (signal) or decorrelated noise estimate; when ``nu`` hits 0, ``S_y`` (the
    total label variance) testifies too, which bounds the signal by the label variance.
    Candidates live in ``[0, inf)``. The signal's interval is the run of kept candidates through the
    reported (truncated) estimate, widened to contain it: the kept set can have a second piece above a
    rejected stretch (where the fitted noise reaches 0), whose hull covered rejected values. The noise
    variance's interval, and both on the spectral path, are the hull of the kept values and the reported value."""
    value, se = float(feasible(pe.p)[which]), math.sqrt(max(pe.cov[which, which], 0.0))
    hi = max(float(pe.p[which]), value, 0.0) + 6 * se
    sw, extra = pe.spectral_worlds, [value, float(pe.p[which])]
    test = u_test(pe, which) if sw is None else (  # isotropic path: the spectral test (docs/advisor.md)
        lambda t: sw.profile_accept(t, sw.nuisance_fit(t, which), which, exact=EXACT))
    if sw is not None:
        extra.append(sw.estimate()[which])
    hi = max(hi, *extra) + 1e-12
    for _ in range(12):  # make sure the upper end is rejected
        if test(hi) > 0:
            break
        hi *= 1.6
    # signal (U-statistic path): the kept run through the estimate; the noise keeps the hull, which at n = 11
    # compensates its test's under-acceptance (94% at the truth; docs/advisor_validation.md, sig19)
    lohi = invert(test, 0.0, hi, grid=25, extra=extra, around=value if sw is None and which == 0 else None)
    if CLIP and sw is not None and lohi is not None:
        return Interval(value, lohi[0], lohi[1], se)   # the value moved to the nearer end (Interval)
    return hull(value, lohi, se)
