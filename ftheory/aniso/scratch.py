"""Deterministic equivalents of ridge and min-norm regression with input covariance Sigma.

Notation (docs/background.md §3.2, §3.5; Hastie, Montanari, Rosset & Tibshirani 2022, Thm. 5;
Bach 2024): with ``df1(k) = sum_i lambda_i/(lambda_i + k)`` and ``df2(k) = sum_i lambda_i^2/(lambda_i + k)^2``
the effective regularisation ``kappa`` solves ``lam = kappa (1 - df1(kappa)/n)`` and the ridge risk
``||b - beta_t||_Sigma^2`` is

    bias     = kappa^2 sum_i lambda_i beta_i^2/(lambda_i + kappa)^2 / (1 - df2/n),
    variance = sigma^2 (df2/n) / (1 - df2/n).

Numerics. ``kappa`` is the root of ``h(t) = 1 - lam/kappa - df1(kappa)/n`` in ``t = log kappa``, an
increasing function, bracketed by ``[max(lam, lambda_(n+1)/n), lam + tr(Sigma)/n]`` and found by
safeguarded Newton steps (:mod:`ftheory.aniso.log_newton`), all grid points at once. At the root ``1 - df2/n`` equals
``lam/kappa + (1/n) sum_i lambda_i kappa/(lambda_i + kappa)^2``, a sum of positive terms, so the
interpolation peak loses no digits to cancellation.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ftheory.aniso.log_newton import log_newton
from ftheory.aniso.spectra import check_lam, check_samples, check_sigma, check_spectrum, check_teacher

__all__ = ["effective_regularisation", "scratch_risk", "scratch_risk_de", "TunedRidge", "tuned_ridge",
           "projection_weights", "risk_weights_many"]


def _pairwise_sum(weights, values):
    """``sum_k weights[..., k] values[..., k]`` with batch shapes broadcast (one BLAS dot per pair)."""
    return np.matmul(weights[..., None, :], values[..., :, None])[..., 0, 0]


def effective_regularisation(eigenvalues, n, lam=0.0):
    """``kappa >= 0`` solving ``lam = kappa (1 - (1/n) sum_i lambda_i/(lambda_i + kappa))``.

    Vectorised: ``n`` (integers >= 1) and ``lam`` (>= 0) broadcast together. For ``lam = 0`` it is the
    root of ``df1(kappa) = n`` when ``n`` is below the number ``d+`` of positive eigenvalues and 0
    otherwise (the ridgeless limit). Relative accuracy a few ulp (Newton to convergence).
    """
    lam_v = check_spectrum(eigenvalues)
    n = check_samples(n)
    pen = check_lam(lam)
    return _kappa(lam_v, n, pen)


def _kappa(ev, n, pen):
    return _kappa_many([ev], n, pen)[0]


def _kappa_many(evs, n, pen):
    """``[_kappa(ev, n, pen) for ev in evs]`` with one Newton loop for all spectra (same number of positive
    eigenvalues; else one loop each): the roots do not interact, so the numbers are the same."""
    n, pen = np.broadcast_arrays(np.asarray(n, dtype=float), np.asarray(pen, dtype=float))
    shape = n.shape
    n, pen = n.ravel(), pen.ravel()
    pos = [np.sort(ev[ev > 0])[::-1] for ev in evs]
    if len({p.size for p in pos}) > 1:
        return [_kappa_many([ev], n.reshape(shape), pen.reshape(shape))[0] for ev in evs]
    d_pos = pos[0].size
    kappa = [np.zeros(n.shape) for _ in evs]
    active = (pen > 0) | (n < d_pos)
    if np.any(active):
        na, la = n[active], pen[active]
        idx = np.minimum(na.astype(np.int64), d_pos - 1)        # lambda_(n+1), 0-based index n
        t_lo, t_hi = [], []
        for p in pos:
            hi = la + p.sum() / na
            lo_free = np.where(na < d_pos, p[idx] / na, 0.0)
            t_lo.append(np.log(np.maximum(la, lo_free)))
            t_hi.append(np.log(hi))
        m = na.size
        t_lo, t_hi = np.concatenate(t_lo), np.concatenate(t_hi)
        t = t_hi.copy()
        one = len(pos) == 1
        P, la_all, na_all = (pos[0], la, na) if one else (np.stack(pos), np.tile(la, len(pos)), np.tile(na, len(pos)))

        def residual(tt, idx):                 # h(t) and dh/dt > 0 (spectrum idx // m)
            k, lt, nt = np.exp(tt), la_all[idx], na_all[idx]
            Pi = P if one else P[idx // m]
            frac = Pi / (Pi + k[:, None])                        # lambda/(lambda + kappa)
            return 1.0 - lt / k - frac.sum(1) / nt, lt / k + (frac * (1.0 - frac)).sum(1) / nt

        log_newton(residual, t, t_lo, t_hi, np.arange(t.size))
        for j, kap in enumerate(kappa):
            kap[active] = np.exp(t[j * m:(j + 1) * m])
    return [kap.reshape(shape) for kap in kappa]


def _pieces(ev, n, pen, kappa=None):
    """``(kappa, 1 - df2/n, bias weights lambda kappa^2/(lambda+kappa)^2 (..., d), df2/n)`` on the grid
    (``kappa``: ``_kappa(ev, n, pen)`` when already solved)."""
    kappa = _kappa(ev, n, pen) if kappa is None else kappa
    n_b = np.broadcast_to(np.asarray(n, dtype=float), kappa.shape)
    pen_b = np.broadcast_to(np.asarray(pen, dtype=float), kappa.shape)
    k = kappa[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac_k = np.where(k > 0, k / (ev + k), 0.0)                       # kappa/(lambda + kappa)
        frac_l = np.where(ev > 0, ev / (ev + k), 0.0)                      # lambda/(lambda + kappa)
        weights = ev * frac_k ** 2                                         # lambda kappa^2/(lambda + kappa)^2
        df2_n = (frac_l ** 2).sum(-1) / n_b
        gap = np.where(kappa > 0, np.where(pen_b > 0, pen_b / np.where(kappa > 0, kappa, 1.0), 0.0)
                       + (frac_l * frac_k).sum(-1) / n_b, 1.0 - df2_n)    # 1 - df2/n, positive form
    return kappa, gap, weights, df2_n


def scratch_risk_de(eigenvalues, beta_t, n, sigma, lam=0.0):
    """The deterministic equivalent itself, ``lam -> 0+`` included (no finite-size correction).

    Same arguments as :func:`scratch_risk`. For ``lam = 0`` and ``n > d+`` (``d+`` positive eigenvalues)
    this is ``sigma^2 d+/(n - d+)``; :func:`scratch_risk` returns the exact mean there instead.
    """
    ev = check_spectrum(eigenvalues)
    beta = check_teacher(beta_t, ev.size, "beta_t")
    n = check_samples(n)
    pen = check_lam(lam)
    sig = check_sigma(sigma)
    return _risk_de(ev, beta, n, sig, pen)


def _risk_de(ev, beta, n, sig, pen, kappa=None):
    kappa, gap, weights, df2_n = _pieces(ev, n, pen, kappa)
    with np.errstate(divide="ignore", invalid="ignore"):
        bias = np.where(kappa[...] > 0, 1.0, 0.0) * _pairwise_sum(weights, beta ** 2)
        bias = np.where(gap > 0, bias / np.where(gap > 0, gap, 1.0), np.where(bias > 0, np.inf, 0.0))
        var_unit = np.where(gap > 0, df2_n / np.where(gap > 0, gap, 1.0), np.inf)
    s2 = np.asarray(sig, dtype=float) ** 2
    with np.errstate(invalid="ignore"):
        variance = np.where(s2 > 0, s2 * var_unit, 0.0)
    out = bias + variance
    return out[()] if out.ndim == 0 else out


def scratch_risk(eigenvalues, beta_t, n, sigma, lam=0.0):
    """Excess risk ``E||b - beta_t||_Sigma^2`` of ridge (``lam > 0``) or min-norm (``lam = 0``) regression.

    Ridge minimises ``(1/n)||y - X b||^2 + lam ||b||^2``; rows of ``X`` are ``N(0, Sigma)``,
    ``y = X beta_t + sigma eps``. The value is the deterministic equivalent at this ``d`` (module
    docstring), except for min-norm with ``n > d+`` (least squares; ``d+`` = number of positive
    eigenvalues) where the exact finite-size mean ``sigma^2 d+/(n - d+ - 1)`` is returned (it does not
    depend on Sigma; ``+inf`` for ``n = d+ + 1`` and at ``n = d+`` when ``sigma > 0``).

    Parameters
    ----------
    eigenvalues : array_like (d,)
        Eigenvalues of Sigma, finite, ``>= 0``, positive trace. Used as given (not rescaled): the
        formulas hold at any scale. The toolkit's convention is trace ``d``
        (:func:`ftheory.aniso.normalise_spectrum`); a spectrum ``c`` times larger gives the risk of the
        normalised one with ``beta_t`` scaled by ``sqrt(c)`` and ``lam`` divided by ``c``.
    beta_t : array_like (..., d)
        Target teacher in Sigma's eigenbasis (a leading batch shape is allowed).
    n : int or array of int >= 1
        Target sample size(s); broadcasts with ``lam``, ``sigma`` and the batch shape of ``beta_t``.
    sigma : float >= 0 (or array)
    lam : float >= 0 (or array)

    Returns
    -------
    float or numpy.ndarray of the broadcast shape.

    Examples
    --------
    >>> import numpy as np
    >>> round(float(scratch_risk(np.ones(200), np.full(200, 200 ** -0.5), 100, 0.2)), 12)   # (1 - gamma) + gamma sigma^2/(1 - gamma)
    0.54
    """
    ev = check_spectrum(eigenvalues)
    beta = check_teacher(beta_t, ev.size, "beta_t")
    n = check_samples(n)
    pen = check_lam(lam)
    sig = check_sigma(sigma)
    return _scratch_risk(ev, beta, n, sig, pen)


def risk_weights_many(spectra, n, lam):
    """The scratch risk's linear weights for several spectra: per spectrum ``ev`` the pair ``(W, V)`` with
    ``scratch_risk(ev, beta, n, sigma, lam) = W @ beta**2 + V sigma**2`` (``beta`` in ``ev``'s eigenbasis), ``W``
    of shape ``(..., d)`` and ``V`` of shape ``(...)`` for ``n`` and ``lam`` broadcast together: the numbers of
    ``scratch_risk(ev, I, n[..., None], 0, lam[..., None])`` and ``scratch_risk(ev, 0, n, 1, lam)``, with one
    Newton loop for every ``kappa`` of every spectrum."""
    evs = [check_spectrum(ev) for ev in spectra]
    if not evs:
        raise ValueError("spectra=[] is empty: expected one or more spectra (one-dimensional arrays of eigenvalues)")
    n = check_samples(n)
    pen = check_lam(lam)
    out = []
    for ev, kappa in zip(evs, _kappa_many(evs, n, pen)):
        d = ev.size
        W = _scratch_risk(ev, check_teacher(np.eye(d), d, "beta_t"), n[..., None], check_sigma(0.0), pen[..., None],
                          kappa[..., None])
        out.append((W, _scratch_risk(ev, check_teacher(np.zeros(d), d, "beta_t"), n, check_sigma(1.0), pen, kappa)))
    return out


def _scratch_risk(ev, beta, n, sig, pen, kappa=None):
    out = np.asarray(_risk_de(ev, beta, n, sig, pen, kappa), dtype=float)
    d_pos = int(np.count_nonzero(ev > 0))
    n_b, pen_b, s_b = np.broadcast_arrays(n, pen, sig)
    over = (pen_b == 0) & (n_b > d_pos)
    if np.any(over):
        s2 = s_b.astype(float) ** 2
        with np.errstate(divide="ignore"):
            exact = np.where(n_b >= d_pos + 2, s2 * d_pos / np.maximum(n_b - d_pos - 1, 1), np.inf)
        exact = np.where(s2 == 0, 0.0, exact)
        out = np.where(np.broadcast_to(over, out.shape), np.broadcast_to(exact, out.shape), out)
    return out[()] if out.ndim == 0 else out


def projection_weights(eigenvalues, n):
    """``lambda_i/(lambda_i + kappa)`` at ``lam = 0``: the deterministic equivalent of ``E P`` (P the
    projector on the row space of X) in Sigma's eigenbasis; shape ``n.shape + (d,)``."""
    ev = check_spectrum(eigenvalues)
    n = check_samples(n)
    k = _kappa(ev, n, 0.0)[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ev > 0, ev / (ev + k), 0.0)


class TunedRidge(NamedTuple):
    """Optimally tuned ridge: the smallest deterministic-equivalent risk over ``lam > 0`` and its ``lam``.

    ``lam = 0`` means the infimum is the ridgeless limit ``lam -> 0+``."""

    risk: np.ndarray
    lam: np.ndarray


def tuned_ridge(eigenvalues, beta_t, n, sigma):
    """Risk of ridge with the risk-minimising penalty (the tuned scratch baseline), vectorised over ``n``.

    The penalty is found numerically: a log-spaced grid of 41 penalties over
    ``[1e-9, 1e7] * mean(eigenvalues)`` (plus ``lam -> 0+``), then golden-section refinement in
    ``log lam`` around the best grid point (relative accuracy ~1e-9 in ``lam``). Unlike the isotropic
    case, ``lam*`` is not ``sigma^2/(gamma ||beta_t||^2)`` in general. Returns :class:`TunedRidge`
    ``(risk, lam)`` with the shape of ``n`` broadcast against the batch shape of ``beta_t`` and ``sigma``.
    """
    ev = check_spectrum(eigenvalues)
    beta = check_teacher(beta_t, ev.size, "beta_t")
    n = check_samples(n)
    sig = check_sigma(sigma)
    shape = np.broadcast_shapes(n.shape, beta.shape[:-1], sig.shape)
    n_b = np.broadcast_to(n, shape).ravel()
    b_b = np.broadcast_to(beta, shape + (ev.size,)).reshape(-1, ev.size)
    s_b = np.broadcast_to(sig, shape).ravel()
    risks, lams = np.empty(n_b.size), np.empty(n_b.size)
    step = max(1, 2_000_000 // (41 * ev.size))
    for i in range(0, n_b.size, step):
        sl = slice(i, i + step)
        risks[sl], lams[sl] = _tuned_flat(ev, b_b[sl], n_b[sl], s_b[sl])
    best, lam_opt = risks, lams
    best, lam_opt = best.reshape(shape), lam_opt.reshape(shape)
    return TunedRidge(best[()] if best.ndim == 0 else best, lam_opt[()] if lam_opt.ndim == 0 else lam_opt)


def _tuned_flat(ev, b_b, n_b, s_b):
    """Tuned ridge for flat arrays of problems (see :func:`tuned_ridge`)."""
    scale = ev.mean()
    grid = scale * np.logspace(-9, 7, 41)

    def risk(lams):   # lams (P, G) -> (P, G)
        return _risk_de(ev, b_b[:, None, :], n_b[:, None], s_b[:, None], lams)

    values = risk(np.broadcast_to(grid, (n_b.size, grid.size)))
    zero = np.asarray(_risk_de(ev, b_b, n_b, s_b, np.zeros(n_b.size)), float)
    j = np.argmin(values, axis=1)
    lo = np.log(grid[np.maximum(j - 1, 0)])
    hi = np.log(grid[np.minimum(j + 1, grid.size - 1)])
    g = (np.sqrt(5.0) - 1) / 2
    for _ in range(45):      # golden-section search on log(lam); both interior points re-evaluated
        a, b = hi - g * (hi - lo), lo + g * (hi - lo)
        both = risk(np.exp(np.stack([a, b], 1)))
        left = both[:, 0] < both[:, 1]
        hi = np.where(left, b, hi)
        lo = np.where(left, lo, a)
    lam_opt = np.exp(0.5 * (lo + hi))
    best = np.asarray(risk(lam_opt[:, None])[:, 0], float)
    use_zero = zero <= best
    best = np.where(use_zero, zero, best)
    lam_opt = np.where(use_zero, 0.0, lam_opt)
    return best, lam_opt
