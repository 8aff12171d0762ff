"""Summaries of Monte Carlo samples that the figures report: means with standard errors over instances,
differences of independent estimates, standard errors pooled over a row, and the agreement of a simulated
map with a reference map.

Each function takes plain arrays (simulator output, or a theory evaluated by the caller), so this module
imports no theory.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["mean_sem", "instance_mean", "finite_mean", "median_inf", "first_below", "independent_difference",
           "theory_gap", "z_scores", "chi2", "pooled_mean_sem", "rms", "mean_ratio", "mean_abs_difference",
           "sign_agreement", "agreement_where", "paired_gap_stats", "best_by_mean"]


def mean_sem(a, axis=0):
    """Mean and standard error (``ddof=1``) of ``a`` along ``axis``; the standard error is NaN with one sample.

    >>> m, s = mean_sem([1.0, 2.0, 3.0])
    >>> float(m), round(float(s), 12)
    (2.0, 0.57735026919)
    """
    a = np.asarray(a, dtype=float)
    k = a.shape[axis]
    sem = a.std(axis=axis, ddof=1) / math.sqrt(k) if k > 1 else np.full(a.mean(axis=axis).shape, np.nan)
    return a.mean(axis=axis), sem


def instance_mean(a, axis=0):
    """Mean of ``a`` over the instances on ``axis`` (NaNs propagate): an array, or a NumPy scalar for 1-D ``a``.

    >>> instance_mean([[1.0, 2.0], [3.0, 6.0]]).tolist()
    [2.0, 4.0]
    """
    return np.asarray(a, dtype=float).mean(axis=axis)


def finite_mean(a, axis=None):
    """Mean of the non-NaN entries of ``a``: a float over all entries, or an array along ``axis``; NaN (with
    NumPy's "Mean of empty slice" warning) where no entry is finite.

    >>> finite_mean([1.0, float("nan"), 3.0])
    2.0
    """
    mean = np.nanmean(np.asarray(a, dtype=float), axis=axis)
    return float(mean) if axis is None else mean


def median_inf(a) -> float:
    """Median of ``a`` with every non-finite entry (NaN: no crossing) counted as ``+inf``.

    >>> median_inf([3.0, float("nan"), 1.0])
    3.0
    """
    a = np.asarray(a, dtype=float)
    return float(np.median(np.where(np.isfinite(a), a, np.inf)))


def first_below(x, y, level=0.0):
    """``x[k]`` at the first ``k`` with ``y[k] < level`` (a float), or None if there is none.

    >>> first_below([10, 20, 40], [0.3, -0.1, -0.2])
    20.0
    """
    x, y = np.asarray(x), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x {x.shape}, y {y.shape}: expected two 1-D arrays of one length")
    below = y < level
    return float(x[np.argmax(below)]) if below.any() else None


def best_by_mean(means, sems, candidates):
    """``(j, means[j], sems[j])`` for the index ``j`` among ``candidates`` with the lowest mean (the first on a tie;
    the first NaN if a candidate's mean is NaN): e.g. the best-tuned penalty of a row of ridge estimates.

    >>> best_by_mean([0.5, 0.2, 0.1], [0.01, 0.02, 0.03], [0, 1])
    (1, 0.2, 0.02)
    """
    means, sems, idx = np.asarray(means, dtype=float), np.asarray(sems, dtype=float), list(candidates)
    if not idx:
        raise ValueError("candidates is empty: expected at least one index")
    j = idx[int(np.argmin(means[idx]))]
    return j, float(means[j]), float(sems[j])


def independent_difference(mean_a, sem_a, mean_b, sem_b):
    """``(mean_a - mean_b, sqrt(sem_a^2 + sem_b^2))``: the difference of two estimates from independent draws
    and its standard error (errors added in quadrature); broadcasts.

    >>> independent_difference(1.0, 0.3, 0.5, 0.4)
    (0.5, 0.5)
    """
    mean_a, sem_a, mean_b, sem_b = (np.asarray(x, dtype=float) for x in (mean_a, sem_a, mean_b, sem_b))
    diff, sem = mean_a - mean_b, np.sqrt(sem_a ** 2 + sem_b ** 2)
    return (float(diff), float(sem)) if diff.ndim == 0 else (diff, sem)


def theory_gap(prediction, baseline):
    """``prediction - baseline`` for two theories the caller evaluated at the same points (e.g. gradient flow minus
    the paper's fine-tuning theory): the gap paired simulations are compared with; a float for scalars.

    >>> theory_gap(0.25, 0.5)
    -0.25
    """
    gap = np.asarray(prediction, dtype=float) - np.asarray(baseline, dtype=float)
    return float(gap) if gap.ndim == 0 else gap


def z_scores(mean, sem, reference):
    """``(mean - reference) / sem``: how many standard errors an estimate lies from a reference value; broadcasts.

    >>> z_scores(1.5, 0.25, 1.0)
    2.0
    """
    z = (np.asarray(mean, dtype=float) - np.asarray(reference, dtype=float)) / np.asarray(sem, dtype=float)
    return float(z) if z.ndim == 0 else z


def chi2(mean, sem, reference, where=None) -> float:
    """Sum of the squared :func:`z_scores` over the entries selected by the boolean ``where`` (all if None), NaNs
    skipped.

    >>> chi2([1.5, 0.5, float("nan")], [0.25, 0.5, 1.0], 1.0)
    5.0
    """
    z = np.asarray(z_scores(mean, sem, reference), dtype=float)
    if where is not None:
        z = z[np.broadcast_to(np.asarray(where, dtype=bool), z.shape)]
    return float(np.nansum(z ** 2))


def pooled_mean_sem(means, sems, axis=None):
    """Mean of the finite ``means`` of independent estimates and its standard error
    ``sqrt(sum sem_k^2) / K`` over the ``K`` finite ``sems`` (NaNs skipped): floats over all entries, or arrays
    pooled along ``axis``.

    >>> pooled_mean_sem([1.0, 3.0, float("nan")], [0.3, 0.4, float("nan")])
    (2.0, 0.25)
    """
    means, sems = np.asarray(means, dtype=float), np.asarray(sems, dtype=float)
    mean = np.nanmean(means, axis=axis)
    sem = np.sqrt(np.nansum(sems ** 2, axis=axis)) / np.sum(np.isfinite(sems), axis=axis)
    return (float(mean), float(sem)) if axis is None else (mean, sem)


def rms(a) -> float:
    """Root mean square of the finite entries of ``a`` (NaNs skipped).

    >>> rms([3.0, -4.0, float("nan")]) == math.sqrt(12.5)
    True
    """
    return float(np.sqrt(np.nanmean(np.asarray(a, dtype=float) ** 2)))


def mean_ratio(numer, denom, floor=1e-10):
    """Mean of ``numer / denom`` over the entries with ``denom > floor`` (a float), or None if there are none.

    >>> mean_ratio([1.0, 3.0, 5.0], [2.0, 2.0, 0.0])
    1.0
    """
    numer, denom = np.asarray(numer, dtype=float), np.asarray(denom, dtype=float)
    if numer.shape != denom.shape:
        raise ValueError(f"numer {numer.shape}, denom {denom.shape}: expected one shape")
    ok = denom > floor
    return float(np.mean(numer[ok] / denom[ok])) if ok.any() else None


def mean_abs_difference(a, b) -> float:
    """Mean of ``|a - b|`` over the entries (NaNs propagate).

    >>> mean_abs_difference([1.0, 2.0], [2.0, 4.0])
    1.5
    """
    return float(np.mean(np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float))))


def sign_agreement(T, T_sem, T_ref, z=3.0) -> dict:
    """Agreement of a simulated map ``T`` (standard errors ``T_sem``) with a reference map ``T_ref`` of the same
    shape: ``cells``; ``cells_clear_of_boundary`` (``|T_ref| > z T_sem``); ``sign_agree_clear`` and
    ``sign_agree_all`` (cells where ``sign T == sign T_ref``, among the clear ones / all); ``max_abs_diff`` and
    ``rms_diff`` of ``T - T_ref`` (NaNs skipped)."""
    T, S, R = (np.asarray(x, dtype=float) for x in (T, T_sem, T_ref))
    if not T.shape == S.shape == R.shape:
        raise ValueError(f"T {T.shape}, T_sem {S.shape}, T_ref {R.shape}: expected one shape")
    clear = np.abs(R) > z * S
    same = np.sign(T) == np.sign(R)
    return {"cells": int(T.size), "cells_clear_of_boundary": int(clear.sum()),
            "sign_agree_clear": int((same & clear).sum()), "sign_agree_all": int(same.sum()),
            "max_abs_diff": float(np.nanmax(np.abs(T - R))), "rms_diff": rms(T - R)}


def agreement_where(T, T_ref, where) -> dict:
    """Agreement of a simulated map ``T`` with a reference map ``T_ref`` on the cells selected by the boolean
    ``where`` (broadcast to ``T``): ``sign_agree`` (cells where ``sign T == sign T_ref``), ``cells`` (selected) and
    ``rms_diff`` (:func:`rms` of ``T - T_ref`` there)."""
    T, R = np.broadcast_arrays(np.asarray(T, dtype=float), np.asarray(T_ref, dtype=float))
    w = np.broadcast_to(np.asarray(where, dtype=bool), T.shape)
    return {"sign_agree": int(((np.sign(T) == np.sign(R)) & w).sum()), "cells": int(w.sum()),
            "rms_diff": rms((T - R)[w])}


def paired_gap_stats(gap, sem, pred_same, pred_asym=None) -> dict:
    """How paired gaps (e.g. ``R_paper - R_GD`` on the same instances) follow two predictions.

    ``points``: entries where ``gap``, ``sem`` (> 0) and ``pred_same`` are finite (None counts as NaN);
    ``chi2_paper``: sum of squared z-scores ``(gap / sem)^2`` (prediction 0); ``chi2_gf_asymptotic`` (with
    ``pred_asym``): ``((gap - pred_asym) / sem)^2`` summed; ``slope``: weighted least-squares slope through 0 of
    ``gap`` on ``pred_same`` (weights ``1/sem^2``) with its standard error ``slope_sem`` (None without points).
    A slope of 1 means the gaps follow ``pred_same``, 0 that they follow the zero prediction.
    """
    g, s, p = (np.array([np.nan if v is None else v for v in x], float) for x in (gap, sem, pred_same))
    ok = np.isfinite(g) & np.isfinite(s) & np.isfinite(p) & (s > 0)
    w = 1.0 / s[ok] ** 2
    out = {"points": int(ok.sum()), "chi2_paper": float(np.sum((g[ok] / s[ok]) ** 2))}
    if pred_asym is not None:
        a = np.array([np.nan if v is None else v for v in pred_asym], float)
        out["chi2_gf_asymptotic"] = float(np.sum(((g[ok] - a[ok]) / s[ok]) ** 2))
    sxx = float(np.sum(w * p[ok] ** 2))
    out["slope"] = float(np.sum(w * g[ok] * p[ok]) / sxx) if sxx > 0 else None
    out["slope_sem"] = float(1 / math.sqrt(sxx)) if sxx > 0 else None
    return out
