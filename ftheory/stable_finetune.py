"""Float64 forms of the gradient-flow fine-tuning results at every magnitude (docs/background.md §6.3–§6.4).

The scale ``c = w^((L-1)/2)``, ``w = PositiveRoot(L, A, B)``, has the coefficients ``A = 1 - gamma`` and
``B = b / r^2`` with ``b = gamma (|beta_t|^2 + sigma^2/(1 - gamma))`` and ``r = norm_s``: a ratio of squared
norms, beyond the float64 range when ``norm_s`` is ~1e-160 of ``norm_t`` or ``sigma`` (or the reverse),
although ``c``, ``c r`` and the transferability are ordinary numbers. The exact power-of-4 rescaling of
:func:`ftheory.stable.rescaled` fixes a common magnitude, not a ratio. Where every scale lies in
``[2^-128, 2^128]`` nothing under- or overflows and the registered formula is used as printed (bit for bit
the values of the generated code); elsewhere every positive quantity is held as its base-2 logarithm
``log2 x = e + f``: ``e`` the integer
exponent of :func:`numpy.frexp` (exact), ``f = log2(mantissa)`` in ``[-1, 0)``. Products and powers are
sums of such pairs, with the integer parts combined exactly (integer division by ``L`` with remainder),
so the rounding is a few ulps of the *fractions*, not of ``|log2 x|`` (up to 2000); the value
``2^(e + f)`` is made with ``ldexp`` (exact, or the correctly rounded over/underflow).

With ``s = max(A, B^(1/L))`` and ``w = s x`` (:mod:`ftheory.roots`: ``x`` in ``[1, 2]`` solves
``x - alpha - beta x^(1-L) = 0``, ``alpha = A/s``, ``beta = B/s^L``, one of them 1):

* ``A^L >= B``: ``alpha = 1``, ``beta = 2^(log2 B - L log2 A)``, ``log2 c = p (log2 A + log2 x)``;
* ``A^L < B``: ``beta = 1``, ``alpha = 2^(log2 A - log2 B / L)``,
  ``log2 c = (L-1)/(2L) log2 B + p log2 x``,

with ``p = (L-1)/2``, and ``v = c r`` (the norm of the rescaled source teacher) has ``log2 v = log2 r +
log2 c``. Then ``T_gf = (1 - gamma) v (2 |beta_t| cos(theta) - v)`` and ``theta* = arccos(v / (2 |beta_t|))``
(where that is at most 1). For ``gamma > 1`` (and ``gamma = 1``, ``sigma = 0``) the scale is the root with
``A = 0``, ``b = |beta_t|^2 + sigma^2/(gamma - 1)``: ``c = B^((L-1)/(2L))``. The identities are checked in
``derivations/finetune_range.py``; the accuracy (1e-12 relative from 2.2e-308 to 1e308) in
``tests/test_float64_range.py``.
"""
from __future__ import annotations

import numpy as np

from ftheory.roots import positive_root, scaled_root

__all__ = ["finetune_scale", "finetune_transferability_gf", "finetune_break_even_theta_gf"]

_LOG2E = 1.4426950408889634  # 1/ln 2


def _log2(x):
    """``(e, f)`` with ``x = 2^(e + f)``, ``e`` integer-valued, ``f`` in ``[-1, 0)``; ``e = -inf`` at 0."""
    m, e = np.frexp(x)
    e = np.where(x > 0, e.astype(float), -np.inf)
    return e, np.log2(np.where(x > 0, m, 1.0))


def _pow2(e, f):
    """``2^(e + f)`` for real ``e`` and ``f`` (``e`` exactly representable with its fraction): ``ldexp`` of
    ``2^frac`` in ``[1, 2)``, so the only rounding of a huge or tiny value is the final one."""
    whole = np.floor(e) + np.floor(f)
    frac = (e - np.floor(e)) + (f - np.floor(f))   # each part exact, sum in [0, 2)
    n = np.clip(np.where(np.isnan(whole), 0.0, whole), -5000, 5000).astype(np.int64)
    out = np.ldexp(np.exp2(frac), n)
    return np.where(whole == -np.inf, 0.0, np.where(whole == np.inf, np.inf, out))


def _log2_sum(e1, f1, e2, f2):
    """``log2(2^(e1 + f1) + 2^(e2 + f2))`` as a pair (the first term finite, the second may be ``-inf``)."""
    swap = e2 + f2 > e1 + f1
    eb, fb = np.where(swap, e2, e1), np.where(swap, f2, f1)
    es, fs = np.where(swap, e1, e2), np.where(swap, f1, f2)
    return eb, fb + np.log1p(_pow2(es - eb, fs - fb)) * _LOG2E


def _scale_log2(gamma, sigma, L, norm_s, norm_t):
    """``log2 c`` as a pair ``(e, f)`` (1-D arrays) on every point; ``e = inf`` at ``gamma = 1``, ``sigma > 0``."""
    below = gamma < 1
    D = np.where(below, 1.0 - gamma, gamma - 1.0)                     # 1 - gamma, or gamma - 1, or 0
    log2_A = np.where(below, np.log1p(-np.minimum(gamma, 1.0)) * _LOG2E, -np.inf)
    # b = g q with q = t^2 + sigma^2/D and g = gamma (below 1) or 1, each term as a pair
    et, ft = _log2(norm_t)
    es, fs = _log2(sigma)
    eD, fD = _log2(D)
    noisy = sigma > 0
    eq, fq = _log2_sum(2.0 * et, 2.0 * ft, np.where(noisy, 2.0 * es - eD, -np.inf), np.where(noisy, 2.0 * fs - fD, 0.0))
    eg, fg = _log2(np.where(below, gamma, 1.0))
    er, fr = _log2(norm_s)
    eB, fB = eg + eq - 2.0 * er, fg + fq - 2.0 * fr           # log2 B = eB + fB, eB exact
    # which bracket end dominates: A^L >= B  <=>  log2 B / L <= log2 A
    first = (eB + fB) / L <= log2_A
    # A^L >= B: alpha = 1, beta = 2^(eB + fB - L log2 A)
    beta1 = _pow2(eB, fB - L * log2_A)
    # A^L < B: log2 B / L = kB + (rB + fB)/L with the integer division eB = L kB + rB
    kB = np.floor(eB / L)
    rB = eB - L * kB
    alpha2 = _pow2(-kB, log2_A - (rB + fB) / L)
    alpha = np.where(first, 1.0, alpha2)
    beta = np.where(first, beta1, 1.0)
    x = scaled_root(L, np.where(np.isnan(alpha), 1.0, alpha), np.where(np.isnan(beta), 0.0, beta))
    p = 0.5 * (L - 1.0)
    lx = p * np.log2(x)
    # log2 c = (L-1)/(2L) (eB + fB) + p log2 x with (L-1) eB = 2L K + R exactly
    N = (L - 1.0) * eB
    K = np.floor(N / (2.0 * L))
    R = N - 2.0 * L * K
    e = np.where(first, 0.0, K)
    f = np.where(first, p * log2_A + lx, R / (2.0 * L) + fB * (L - 1.0) / (2.0 * L) + lx)
    infinite = (gamma == 1) & (sigma > 0)
    return np.where(infinite, np.inf, e), np.where(infinite, 0.0, f)


def _inputs(*args):
    arrays = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in args))
    return arrays[0].shape, [np.ravel(a) for a in arrays]


def _out(values, shape):
    out = np.asarray(values, dtype=float).reshape(shape)
    return out[()] if out.ndim == 0 else out


#: inputs with every scale in [2^-128, 2^128] (or 0 where allowed): B within [2^-640, 2^700], c within
#: [2^-320, 2^850], no intermediate under- or overflows, so the direct formula (the registered expression,
#: bit for bit the generated code it replaces) is used there; the pairs of logarithms everywhere else
_LO, _HI = 2.0 ** -128, 2.0 ** 128


def _ordinary(gamma, sigma, norm_s, norm_t):
    def inside(v):
        return (v >= _LO) & (v <= _HI)
    return inside(norm_s) & inside(norm_t) & ((sigma == 0) | inside(sigma)) & ((gamma == 0) | inside(gamma)) \
        & (gamma != 1)


def _direct_scale(gamma, sigma, depth, norm_s, norm_t):
    """``c`` from the registered expression (ordinary inputs, ``gamma != 1``)."""
    out = np.empty(gamma.shape)
    m = gamma < 1
    g, sg, L, r, t = (a[m] for a in (gamma, sigma, depth, norm_s, norm_t))
    out[m] = positive_root(L, 1 - g, (g * t ** 2 + g * sg ** 2 / (1 - g)) / r ** 2) ** ((1 / 2) * L - 1 / 2)
    m = ~m
    g, sg, L, r, t = (a[m] for a in (gamma, sigma, depth, norm_s, norm_t))
    out[m] = ((t ** 2 + sg ** 2 / (g - 1)) / r ** 2) ** (((1 / 2) * L - 1 / 2) / L)
    return out


def _evaluate(args, ordinary, direct, robust):
    """``direct`` on the ordinary points, ``robust`` on the others (1-D arrays)."""
    with np.errstate(all="ignore"):
        if ordinary.all():
            return direct(*args)
        out = np.empty(args[0].shape)
        if ordinary.any():
            out[ordinary] = direct(*(a[ordinary] for a in args))
        rest = ~ordinary
        if rest.any():
            out[rest] = robust(*(a[rest] for a in args))
    return out


def finetune_scale(gamma, sigma, depth, norm_s, norm_t):
    """Gradient-flow scale ``c`` (docs/background.md §6.4) at any magnitude of the norms and ``sigma``."""
    shape, args = _inputs(gamma, sigma, depth, norm_s, norm_t)
    gamma, sigma, depth, norm_s, norm_t = args
    return _out(_evaluate(args, _ordinary(gamma, sigma, norm_s, norm_t), _direct_scale,
                          lambda *a: _pow2(*_scale_log2(*a))), shape)


def _scaled_norm_log2(gamma, sigma, depth, norm_s, norm_t):
    """``log2 v`` of ``v = c norm_s`` (pair), for ``gamma < 1``."""
    e, f = _scale_log2(gamma, sigma, depth, norm_s, norm_t)
    er, fr = _log2(norm_s)
    return e + er, f + fr


def _direct_gain(gamma, theta, sigma, depth, norm_s, norm_t):
    c = _direct_scale(gamma, sigma, depth, norm_s, norm_t)
    return -norm_s * (1 - gamma) * (norm_s * c - 2 * norm_t * np.cos(theta)) * c


def _robust_gain(gamma, theta, sigma, depth, norm_s, norm_t):
    ev, fv = _scaled_norm_log2(gamma, sigma, depth, norm_s, norm_t)
    half_gap = norm_t * np.cos(theta) - 0.5 * _pow2(ev, fv)             # |beta_t| cos(theta) - v/2
    ed, fd = _log2(np.abs(half_gap))
    return np.sign(half_gap) * _pow2(ev + ed, fv + fd + 1.0 + np.log1p(-gamma) * _LOG2E)


def finetune_transferability_gf(gamma, theta, sigma, depth, norm_s, norm_t):
    """``(1 - gamma) v (2 |beta_t| cos(theta) - v)``, ``v = c norm_s``, for ``gamma < 1``; 0 for ``gamma >= 1``."""
    shape, args = _inputs(gamma, theta, sigma, depth, norm_s, norm_t)
    out = np.zeros(args[0].shape)
    below = args[0] < 1
    args = [a[below] for a in args]
    gamma, theta, sigma, depth, norm_s, norm_t = args
    out[below] = _evaluate(args, _ordinary(gamma, sigma, norm_s, norm_t), _direct_gain, _robust_gain)
    return _out(out, shape)


def _direct_angle(gamma, sigma, depth, norm_s, norm_t):
    cos_star = (1 / 2) * norm_s * _direct_scale(gamma, sigma, depth, norm_s, norm_t) / norm_t
    return np.where(cos_star <= 1.0, np.arccos(np.minimum(cos_star, 1.0)), 0.0)


def _robust_angle(gamma, sigma, depth, norm_s, norm_t):
    ev, fv = _scaled_norm_log2(gamma, sigma, depth, norm_s, norm_t)
    et, ft = _log2(norm_t)
    cos_star = _pow2(ev - et, fv - ft - 1.0)
    return np.where(cos_star <= 1.0, np.arccos(np.minimum(cos_star, 1.0)), 0.0)


def finetune_break_even_theta_gf(gamma, sigma, depth, norm_s, norm_t):
    """``arccos(v / (2 |beta_t|))``, ``v = c norm_s``, where that is at most 1 and ``gamma < 1``; else 0."""
    shape, args = _inputs(gamma, sigma, depth, norm_s, norm_t)
    out = np.zeros(args[0].shape)
    below = args[0] < 1
    args = [a[below] for a in args]
    gamma, sigma, depth, norm_s, norm_t = args
    out[below] = _evaluate(args, _ordinary(gamma, sigma, norm_s, norm_t), _direct_angle, _robust_angle)
    return _out(out, shape)
