"""The tuned risks' logical caps (:func:`cap_tuned`): the upper end of a tuned band is at most the upper end
of the 95% interval of the parameter that the tuned risk can never exceed.

Ridge towards ``w0`` at ``lam -> infinity`` returns ``w0``, and the tuned risk is the minimum over penalties,
so (excess risks, any ``n``, any covariance) ``min_lam R_scratch(lam) <= ||beta_t||^2_Sigma = tau^2`` (the
signal, ``w0 = 0``) and ``min_lam R_finetune(lam) <= ||beta_t - beta_s||^2_Sigma`` (the distance,
``w0 = beta_s``). Hence ``R > c_hi`` implies ``theta > c_hi`` for the capping parameter ``theta`` and its
interval's upper end ``c_hi``: the capped band misses above at most where the band or the parameter's
interval does (``P(R > min(hi, c_hi)) <= P(R > hi) + P(theta > c_hi)``), and in practice only where the band's
own upper end is loose (no finite end from the ray test below n = d).
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["CAPS", "cap_tuned"]

#: tuned procedure -> the parameter (``ParameterEstimates.interval`` name) its risk never exceeds
CAPS = {"scratch_ridge": "signal", "finetune_ridge": "distance"}


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
