"""The tuned risks' logical caps (:func:`cap_tuned`): the upper end of a tuned band is at most the upper end
of the 95% interval of the parameter that the tuned risk can never exceed.

Ridge towards ``w0`` at ``lam -> infinity`` returns ``w0``, and the tuned risk is the minimum over penalties,
so (excess risks, any ``n``, any covariance) ``min_lam R_scratch(lam) <= ||beta_t||^2_Sigma = tau^2`` (the
signal, ``w0 = 0``) and ``min_lam R_finetune(lam) <= ||beta_t - beta_s||^2_Sigma`` (the distance,
``w0 = beta_s``). Hence ``R > c_hi`` implies ``theta > c_hi`` for the capping parameter ``theta`` and its
interval's upper end ``c_hi``: the capped band misses above at most where the band or the parameter's
interval does (``P(R > min(hi, c_hi)) <= P(R > hi) + P(theta > c_hi)``), and in practice only where the band's
own upper end is loose (no finite end from the ray test below n = d).

The same penalty path at ``lam -> 0+`` is the minimum-norm interpolator, so the tuned risk never exceeds the
min-norm risk of the same start either (:data:`MIN_NORM`): the tuned band's upper end and value are capped at
the min-norm band's upper end and value (the value is an estimate of a smaller quantity; it is not moved below
the band's lower end, which the cap never lowers), with the same union bound on the misses above.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["CAPS", "MIN_NORM", "cap_tuned"]

#: tuned procedure -> the parameter (``ParameterEstimates.interval`` name) its risk never exceeds
CAPS = {"scratch_ridge": "signal", "finetune_ridge": "distance"}
#: tuned procedure -> the min-norm procedure of the same start (its ``lam -> 0+`` end)
MIN_NORM = {"scratch_ridge": "scratch_min_norm", "finetune_ridge": "finetune_min_norm"}


def cap_tuned(bands, pe):
    """``bands`` (``{proc: (values, lows, highs)}`` arrays over sample sizes) with the tuned procedures'
    upper ends capped at the upper end of ``pe.interval(CAPS[proc])`` (values and lower ends lowered to
    the cap where they exceed it), then at the min-norm band of the same start (upper ends where finite; values
    down to the min-norm value but not below their lower end); other procedures, and caps that are not finite,
    unchanged. A new dict."""
    out = dict(bands)
    for proc, name in CAPS.items():
        if proc not in bands:
            continue
        v, lo, hi = (np.array(b, float) for b in bands[proc])
        c = float(pe.interval(name).high)
        if math.isfinite(c) and c >= 0.0:
            hi = np.minimum(hi, c)
        if MIN_NORM[proc] in bands:
            mv, _, mhi = (np.array(b, float) for b in bands[MIN_NORM[proc]])
            hi = np.where(np.isfinite(mhi) & (mhi >= 0), np.minimum(hi, mhi), hi)
            # the value moves down to the min-norm value only within its own band (never widening it below)
            v = np.where(np.isfinite(mv) & (mv >= 0), np.minimum(v, np.maximum(mv, lo)), v)
        v = np.minimum(v, hi)
        out[proc] = (v, np.minimum(lo, v), hi)
    return out
