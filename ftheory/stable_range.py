"""Hand-derived float64 forms for results that lose digits only at extreme magnitudes (issue 12 §3; SymPy-free).

Like :mod:`ftheory.stable` (same routing through :data:`ftheory.codegen.STABLE`, same checks in
``tests/test_codegen.py``; identities proved in ``derivations/stable_forms.py`` §4f-4g and, for the two-level
min-norm risk and kappa, ``derivations/stable_two_level_risk.py``): the registered
expression is right in exact arithmetic, but in float64 a square or a product of two small terms
underflows while the value itself is a normal number.

``wasserstein1_lower_bound``
    ``sqrt(2/pi) max(N_s/sqrt(1 + norm_s^2), N_t/sqrt(1 + norm_t^2), N_y)`` with ``D = |beta_s - beta_t| =
    hypot(norm_s - norm_t, 2 sqrt(norm_s) sqrt(norm_t) sin(theta/2))``, ``N_s = sqrt(D^2 + sigma^2) - sigma_s =
    (D^2 + (sigma - sigma_s)(sigma + sigma_s))/(sqrt(D^2 + sigma^2) + sigma_s)`` (``N_t`` likewise) and ``N_y =
    |(norm_s - norm_t)(norm_s + norm_t) + (sigma_s - sigma)(sigma_s + sigma)|/(sqrt(norm_s^2 + sigma_s^2) +
    sqrt(norm_t^2 + sigma^2))``: differences of squares before square roots. The numerators are homogeneous of
    degree 1, so they are evaluated at inputs divided by an exact power of 4 (a partial rescaling: the
    denominators ``sqrt(1 + norm^2)`` are not homogeneous and take the unscaled norm).

``aniso2_ft_transferability``
    ``T = X gamma k W/H``, ``X = norm_s (2 norm_t cos theta - norm_s)``. With the eigenvalues ``m <= M``
    (fractions ``rho_1``, ``rho_2``, source energies ``e_1``, ``e_2``), ``t = m/M`` and ``k' = k/M``:
    ``W/H = (e_1 R + e_2)/(rho_1 R + rho_2)`` with ``R = t ((1 + k')/(t + k'))^2`` in ``[t, 1/t]`` (the ratio of
    ``lambda_j/(lambda_j + k)^2``), so ``T = X (gamma k') (e_1 R + e_2)/((rho_1 R + rho_2)/M)``; ``k'`` is the
    positive root of ``gamma k'^2 + B' k' - t (1 - gamma)`` with ``B' = (gamma - rho_2) + t (gamma - rho_1)``, taken
    as ``2 c (c/(B' + root))`` (``c = sqrt(t) sqrt(1 - gamma)``) or ``gamma k' = (root - B')/2``. The generated form
    multiplies ``eig_ratio`` by a sum of a-block terms of order ``eig_ratio``: the product is subnormal below
    ``eig_ratio ~ 1e-154`` (3.5e-12 relative at 1e-156, a false 0 below ~1e-170).
    ``B'`` comes from ``ftheory.stable.two_level_b_prime`` and the root from ``_two_level_root`` below (with
    ``gamma - rho_2`` rounded, ``B'`` was 0 for ~1e-17 on the threshold and T_ft wrong by a factor 1e165 at ``gamma = 0.9 = 1 - frac_a``,
    ``eig_ratio = 2.4e-188``); the value is one product of mantissas and exponents (``_product``).

``aniso2_scratch_risk``, ``aniso2_finetune_risk``, ``aniso2_kappa``
    With the same ``t``, ``k'``, ``R`` and ``M``, the min-norm risk for target block energies ``E_1``, ``E_2`` is
    ``M (gamma k') (E_1 R + E_2)/(rho_1 R + rho_2) + sigma^2 (rho_1 t R + rho_2)/(k' (rho_1 R + rho_2))`` for
    ``0 < gamma < 1``, ``M (E_1 t + E_2)`` at ``gamma = 0``, ``sigma^2/(gamma - 1)`` above 1; ``kappa = M k'``. The
    generated forms divide by ``v_j^2 = (k/(lambda_j + k))^2``, and ``v_M ~ k'`` squared underflows: on a block's
    threshold (``gamma = 1 - frac_a`` below ``eig_ratio = 1``, ``B'`` near 0, ``k' ~ t/B'``) they returned NaN
    (``0/0`` at ``gamma = 0.1``, ``frac_a = 0.9``, ``eig_ratio = 1e-300``), a false 0 where the value is normal, or
    ``inf`` (kappa's ``2C/(B + sqrt(D))`` with ``B = gamma (a + b) - 1`` rounded to 0). Here ``gamma - rho_2`` and
    ``gamma - rho_1`` are differences of the inputs (``gamma + rho - 1`` by an error-free sum), so ``B'`` has one
    rounding near 0; ``k'``, ``1/k'`` and ``gamma k'`` are each kept as two factors in range, and every term is
    multiplied as mantissas and exponents (``_product``), ``norm_t^2`` and ``sigma^2`` included: no exact
    rescaling of (sigma, norm_t) first, whose unit-norm value may underflow while the caller's is normal.
    Fine-tuning's energies ``w e_s + s^2 e_perp`` and ``w (1 - e_s) + s^2 (1 - e_perp)`` (``w = (norm_t cos theta -
    norm_s)^2``, ``s = norm_t sin theta``) are formed at norms divided by the power of two near the larger norm.
"""
from __future__ import annotations

import numpy as np

from ftheory.stable import scalar_or_array, two_level_b_prime

__all__ = ["wasserstein1_lower_bound", "aniso2_ft_transferability", "aniso2_scratch_risk",
           "aniso2_finetune_risk", "aniso2_kappa"]


def _square_gap(d, s, s_other):
    """``sqrt(d^2 + s^2) - s_other`` as a difference of squares, at inputs divided by an exact power of 4."""
    big = np.maximum(np.maximum(d, s), s_other)
    _, e = np.frexp(np.where(big > 0, big, 1.0))
    shift = 2 * (e // 2)
    d, s, s_other = (np.ldexp(x, -shift) for x in (d, s, s_other))
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = (d * d + (s - s_other) * (s + s_other)) / (np.hypot(d, s) + s_other)
    return np.ldexp(np.where(big > 0, gap, 0.0), shift)


def wasserstein1_lower_bound(theta, sigma, sigma_s, norm_s, norm_t):
    """The W1 lower bound of three 1-Lipschitz test functions without underflow or cancellation."""
    theta, sigma, sigma_s, norm_s, norm_t = np.broadcast_arrays(
        *(np.asarray(x, dtype=float) for x in (theta, sigma, sigma_s, norm_s, norm_t)))
    big = np.maximum(np.maximum(sigma, sigma_s), np.maximum(norm_s, norm_t))
    _, e = np.frexp(np.where(big > 0, big, 1.0))
    shift = 2 * (e // 2)  # x' = x / 4**(shift/2): exact
    s, ss, rs, rt = (np.ldexp(x, -shift) for x in (sigma, sigma_s, norm_s, norm_t))
    d = np.hypot(rs - rt, 2 * np.sqrt(rs) * np.sqrt(rt) * np.sin(theta / 2))
    unit = np.ldexp(1.0, -shift)  # 1 in the scaled units: sqrt(1 + norm^2) = 2**shift hypot(unit, norm')
    via_s = _square_gap(d, s, ss) / np.hypot(unit, rs)
    via_t = _square_gap(d, ss, s) / np.hypot(unit, rt)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.abs((rs - rt) * (rs + rt) + (ss - s) * (ss + s)) / (np.hypot(rs, ss) + np.hypot(rt, s))
    c = np.sqrt(2 / np.pi)
    with np.errstate(over="ignore", under="ignore"):
        via_y = np.ldexp(c * np.where(big > 0, y, 0.0), shift)
    return scalar_or_array(np.maximum(c * np.maximum(via_s, via_t), via_y))


def aniso2_ft_transferability(gamma, theta, frac_a, eig_ratio, energy_s, energy_perp, norm_s, norm_t):
    """``R_sc - R_ft`` on a two-level spectrum in the form of the module docstring (``energy_perp`` drops out)."""
    gamma, theta, rho, r, e_s, _, norm_s, norm_t = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (
        gamma, theta, frac_a, eig_ratio, energy_s, energy_perp, norm_s, norm_t)))
    h = norm_t * np.cos(theta) - 0.5 * norm_s                         # x = norm_s (2 norm_t cos theta - norm_s) = 2 norm_s h
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        a_small, t, rho1, rho2, inv_m, (k_a, k_b), (u_a, u_b), (gk_a, gk_b) = _two_level_root(gamma, rho, r)
        e1, e2 = np.where(a_small, e_s, 1 - e_s), np.where(a_small, 1 - e_s, e_s)
        q = _q(t, k_a * k_b, u_a * u_b)
        ratio = (t * q) * q
        # 2 norm_s h (gamma k') W/H as mantissas and exponents: one rounding at the end, no intermediate under/overflow
        # (an exact common rescaling of (norm_s, norm_t) made the smaller norm subnormal at ratios beyond 2^1000)
        value = np.where(gamma == 0, _product([2 * norm_s, h, e1 * t + e2], [inv_m]),
                         _product([2 * norm_s, h, gk_a, gk_b, e1 * ratio + e2], [rho1 * ratio + rho2, inv_m]))
    return scalar_or_array(np.where(gamma < 1, value, 0.0))


def _times(mant, expo, factor, divide=False):
    """``mant 2^expo`` times (or divided by) ``factor`` as a mantissa in ``[0.5, 1)`` and an exponent: no overflow."""
    m, e = np.frexp(factor)
    m2, e2 = np.frexp(mant / m if divide else mant * m)
    return m2, expo + e2 + (-e if divide else e)


def _product(numerator, denominator=()):
    """The product of the ``numerator`` factors over the ``denominator`` ones, rounded once (``ldexp``)."""
    mant, expo = np.ones(np.shape(numerator[0])), np.zeros(np.shape(numerator[0]), dtype=np.int64)
    for f in numerator:
        mant, expo = _times(mant, expo, f)
    for f in denominator:
        mant, expo = _times(mant, expo, f, divide=True)
    return np.ldexp(mant, np.clip(expo, -5000, 5000))


def _two_level_root(gamma, rho, r):
    """``(a_small, t, rho_1, rho_2, 1/M, (k_a, k_b), (u_a, u_b), (gk_a, gk_b))``: ``k' = k_a k_b``, ``1/k' = u_a
    u_b``, ``gamma k' = gk_a gk_b`` at the positive root of ``gamma k'^2 + B' k' - t (1 - gamma)``, each factor in
    range (for ``0 < gamma < 1``)."""
    a_small = r <= 1
    t = np.where(a_small, r, 1 / r)                                       # m/M
    rho1, rho2 = np.where(a_small, rho, 1 - rho), np.where(a_small, 1 - rho, rho)
    inv_m = np.where(a_small, rho * r + (1 - rho), rho + (1 - rho) / r)  # 1/M
    bq = two_level_b_prime(gamma, rho, t, a_small)
    c = np.sqrt(t) * np.sqrt(1 - gamma)
    root = np.hypot(bq, 2 * np.sqrt(gamma) * c)
    pos = bq >= 0
    # k' = 2 c (c/(B' + root)) (B' >= 0) or (root - B')/(2 gamma)
    k_a, k_b = np.where(pos, 2 * c, root - bq), np.where(pos, c / (bq + root), 0.5 / gamma)
    u_a, u_b = np.where(pos, (bq + root) / (2 * c), 2 * gamma), np.where(pos, 1 / c, 1 / (root - bq))
    gk_a, gk_b = np.where(pos, gamma * k_a, 0.5 * (root - bq)), np.where(pos, k_b, 1.0)
    return a_small, t, rho1, rho2, inv_m, (k_a, k_b), (u_a, u_b), (gk_a, gk_b)


def _q(t, kq, u):
    """``(1 + k')/(t + k')`` from ``k'`` (``kq``) or, above 1, from ``1/k'`` (``u``)."""
    return np.where(kq <= 1, (1 + kq) / (t + kq), (u + 1) / (t * u + 1))


def _two_level_risk(gamma, sigma, rho, r, energy_a, energy_b, unit):
    """Min-norm risk on a two-level spectrum for block energies ``unit^2 energy_a``, ``unit^2 energy_b``."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        a_small, t, rho1, rho2, inv_m, (k_a, k_b), (u_a, u_b), (gk_a, gk_b) = _two_level_root(gamma, rho, r)
        e1, e2 = np.where(a_small, energy_a, energy_b), np.where(a_small, energy_b, energy_a)
        q = _q(t, k_a * k_b, u_a * u_b)
        tq = t * q                                                        # in [t, 1]
        ratio = tq * q                                                    # R in [t, 1/t]
        den = rho1 * ratio + rho2
        bias = _product([unit, unit, gk_a, gk_b, e1 * ratio + e2], [inv_m, den])
        noise = _product([sigma, sigma, u_a, u_b, rho1 * (tq * tq) + rho2], [den])
        null = _product([unit, unit, e1 * t + e2], [inv_m])
        above = _product([sigma, sigma], [gamma - 1])
        value = np.select([gamma == 0, gamma < 1, gamma > 1, sigma == 0], [null, bias + noise, above, 0.0], np.inf)
    return scalar_or_array(value)


def aniso2_kappa(gamma, frac_a, eig_ratio):
    """``kappa = M k'`` (``+oo`` at ``gamma = 0``, 0 for ``gamma >= 1``)."""
    gamma, rho, r = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (gamma, frac_a, eig_ratio)))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        _, _, _, _, inv_m, (k_a, k_b), _, _ = _two_level_root(gamma, rho, r)
        value = np.select([gamma == 0, gamma < 1], [np.inf, _product([k_a, k_b], [inv_m])], 0.0)
    return scalar_or_array(value)


def aniso2_scratch_risk(gamma, sigma, frac_a, eig_ratio, energy_t, norm_t):
    """Min-norm risk on a two-level spectrum in the form of the module docstring: no ``v_j^2`` underflow."""
    gamma, sigma, rho, r, e_t, norm_t = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (
        gamma, sigma, frac_a, eig_ratio, energy_t, norm_t)))
    return _two_level_risk(gamma, sigma, rho, r, e_t, 1 - e_t, norm_t)


def aniso2_finetune_risk(gamma, theta, sigma, frac_a, eig_ratio, energy_s, energy_perp, norm_s, norm_t):
    """The same risk for ``beta_t - beta_s``, its block energies at norms divided by an exact power of two."""
    gamma, theta, sigma, rho, r, e_s, e_p, norm_s, norm_t = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (
        gamma, theta, sigma, frac_a, eig_ratio, energy_s, energy_perp, norm_s, norm_t)))
    _, shift = np.frexp(np.maximum(norm_s, norm_t))
    unit = np.ldexp(1.0, shift)
    rs, rt = np.ldexp(norm_s, -shift), np.ldexp(norm_t, -shift)
    along, across = rt * np.cos(theta) - rs, rt * np.sin(theta)      # beta_t - beta_s on u_s and on u_perp
    w, s2 = along * along, across * across
    return _two_level_risk(gamma, sigma, rho, r, w * e_s + s2 * e_p, w * (1 - e_s) + s2 * (1 - e_p), unit)
