"""Prepivoted levels: each simulated draw judged by the quantile of its own fitted world, and the level at which a
target fraction of the draws lie beyond it (the anisotropic min-norm bands and the T_ft law below n = d,
:mod:`ftheory.advise.aniso_pivot` and :mod:`ftheory.advise.aniso_difference`; docs/advisor.md, Bands)."""
from __future__ import annotations

import numpy as np

__all__ = ["PP_LEVELS", "calibrated_level", "grid_weights", "joint_levels", "level_at", "sorted_quantile",
           "tail_misses"]

PP_LEVELS = np.array([0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0, 2.5, 3.0,
                      4.0])                      # candidate levels of the min-norm quantiles, in units of alpha


def calibrated_level(t, own_q, levels, target, upper):
    """Prepivoted level ``(M,)``: ``own_q`` ``(L, B, M)`` is each draw's own quantile at each of the increasing
    tail probabilities ``levels`` ``(L,)`` (upper tail: the ``1 - level`` quantile), ``t`` ``(B, M)`` the draws'
    statistics; the level at which a fraction ``target`` of the draws lie beyond their own quantile on that
    tail (``t > q`` for ``upper``, else ``t < q``), linear between the candidates, clipped to their range."""
    return level_at(tail_misses(t, own_q, upper, "ray"), levels, target)


def tail_misses(t, own_q, upper, rule="ray"):
    """Fraction ``(L, M)`` of the draws ``t`` ``(B, M)`` beyond their own quantiles ``own_q`` ``(L, B, M)`` on one
    tail, non-decreasing in the level. ``rule="ray"``: every draw beyond its quantile (``t > q`` for ``upper``,
    else ``t < q``); ``"band"``: only the draws the band built from that quantile would miss: an end exists
    only where the estimate and the quantile are positive (the ray test's inversion; else the caller keeps a score-step
    end, and the band contains the estimate clipped at 0), so ``t > q > 0`` (truth below the band) and
    ``0 < t < q`` (truth above it)."""
    if rule not in ("ray", "band"):
        raise ValueError(f"rule must be 'ray' or 'band', got {rule!r}")
    if upper:
        beyond = (t[None] > own_q) & ((own_q > 0) if rule == "band" else True)
    else:
        beyond = (t[None] < own_q) & ((t[None] > 0) if rule == "band" else True)
    return np.maximum.accumulate(np.mean(beyond, 1), 0)


def level_at(miss, levels, target):
    """Level ``(M,)`` at which the non-decreasing ``miss`` ``(L, M)`` (at the increasing ``levels`` ``(L,)``)
    reaches ``target`` (scalar or ``(M,)``), linear between the candidates, clipped to their range."""
    target = np.broadcast_to(np.asarray(target, float), miss.shape[1:])
    return np.array([np.interp(target[m], miss[:, m], levels) for m in range(miss.shape[1])])


def joint_levels(miss_a, miss_b, levels, alpha):
    """Levels ``(a_lo, a_hi)`` ``(M,)`` of the two tails with ``miss_a``, ``miss_b`` ``(L, M)`` their misses
    (:func:`tail_misses`): each tail at ``alpha``, and a tail that cannot reach ``alpha`` at the largest
    candidate level gives the other tail what it leaves unused (target ``2 alpha`` minus its reachable miss)."""
    reach_a, reach_b = np.minimum(miss_a[-1], alpha), np.minimum(miss_b[-1], alpha)
    return level_at(miss_a, levels, 2 * alpha - reach_b), level_at(miss_b, levels, 2 * alpha - reach_a)


def sorted_quantile(S, a):
    """Quantiles of the sorted draws ``S`` ``(..., B, M)`` at levels ``a`` ``(L,)`` (linear interpolation, as
    ``np.quantile``): ``(L, ..., M)``."""
    B = S.shape[-2]
    pos = np.asarray(a, float) * (B - 1)
    i = np.floor(pos).astype(int)
    j = np.minimum(i + 1, B - 1)
    fr = (pos - i).reshape((-1,) + (1,) * (S.ndim - 1))
    return np.moveaxis(np.take(S, i, -2), -2, 0) * (1 - fr) + np.moveaxis(np.take(S, j, -2), -2, 0) * fr


def grid_weights(x, grid):
    """Linear interpolation between the increasing ``grid``'s points at ``x`` (clipped to the grid's range): the
    lower neighbour's index and the weight of the upper one, ``(B,)`` and ``(B, 1)``."""
    x = np.clip(x, grid[0], grid[-1])
    i = np.clip(np.searchsorted(grid, x) - 1, 0, grid.size - 2)
    return i, ((x - grid[i]) / (grid[i + 1] - grid[i]))[:, None]
