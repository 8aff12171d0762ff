"""The tuned risks' logical caps (:func:`cap_tuned`): the upper end of a tuned band is at most the upper end
of the 95% interval of the parameter that the tuned risk can never exceed.

Ridge towards ``w0`` at ``lam -> infinity`` returns ``w0``, and the tuned risk is the minimum over penalties,
so (excess risks, any ``n``, any covariance) ``min_lam R_scratch(lam) <= ||beta_t||^2_Sigma = tau^2`` (the
signal, ``w0 = 0``) and ``min_lam R_finetune(lam) <= ||beta_t - beta_s||^2_Sigma`` (the distance,
``w0 = beta_s``). Hence ``R > c_hi`` implies ``theta > c_hi`` for the capping parameter ``theta`` and its
interval's upper end ``c_hi``: the capped band misses above at most where the band or the parameter's
interval does (``P(R > min(hi, c_hi)) <= P(R > hi) + P(theta > c_hi)``), and in practice only where the band's
own upper end is loose (no finite end from the ray test below n = d).

Likewise ``lam -> 0`` is min-norm (its limit), so ``min_lam R(lam) <= R_min_norm`` at every ``n``: the tuned
value and upper end are capped at the min-norm's (:func:`cap_by_min_norm`): the capped tuned band misses above at most
where it or the min-norm band does (``P(R_tuned > min(hi, hi_mn)) <= P(R_tuned > hi) + P(R_mn > hi_mn)``).
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["CAPS", "MIN_NORM", "cap_tuned", "cap_by_min_norm"]

#: tuned procedure -> the parameter (``ParameterEstimates.interval`` name) its risk never exceeds
CAPS = {"scratch_ridge": "signal", "finetune_ridge": "distance"}
#: tuned procedure -> its min-norm limit (``lam -> 0``), a risk it never exceeds
MIN_NORM = {"scratch_ridge": "scratch_min_norm", "finetune_ridge": "finetune_min_norm"}


def cap_tuned(bands, pe):
    """``bands`` (``{proc: (values, lows, highs)}`` arrays over sample sizes) with the tuned procedures'
    upper ends capped at the upper end of ``pe.interval(CAPS[proc])`` (values and lower ends lowered to
    the cap where they exceed it); other procedures, and caps that are not finite, unchanged. A new dict."""
    out = dict(bands)
    for proc, name in CAPS.items():
        if proc not in bands:
            continue
        c = float(pe.interval(name).high)
        if not (math.isfinite(c) and c >= 0.0):
            continue
        v, lo, hi = (np.array(b, float) for b in bands[proc])
        hi = np.minimum(hi, c)
        v = np.minimum(v, hi)
        out[proc] = (v, np.minimum(lo, v), hi)
    return out


def cap_by_min_norm(bands):
    """``bands`` with each tuned procedure's value and upper end at most its min-norm limit's (:data:`MIN_NORM`),
    elementwise over the sample sizes (where both are present), the lower end at most the new value; the min-norm
    bands unchanged. A new dict. The lower ends are not ordered by ``R_tuned <= R_mn`` (a tuned lower end above
    min-norm's is consistent) and are left: capping them too took setting 12's finetune_ridge cell to 97.8%
    (below 10 -> 2 of 500); raising min-norm's upper end instead widened its exact V x noise interval by 50%."""
    out = dict(bands)
    for proc, mn in MIN_NORM.items():
        if proc in bands and mn in bands:
            (v, lo, hi), (mv, _, mhi) = ([np.array(a, float) for a in bands[k]] for k in (proc, mn))
            v, hi = np.minimum(v, mv), np.minimum(hi, mhi)
            out[proc] = (v, np.minimum(lo, v), hi)
    return out
