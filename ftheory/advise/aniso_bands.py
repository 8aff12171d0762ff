"""The anisotropic transferability ``T = R_scratch - R_transfer`` as one linear functional of the statistics,
with its exact Gaussian standard error: a comparator (``benchmarks/advisor_band_coverage.py --transfer-exact``)
that the report does not use (its bands of T are in :mod:`ftheory.advise.aniso_difference`).

At the penalties the point estimates select, both tuned risks, and so ``T``, are linear combinations of the
statistics ``U(a, diag k)``, ``U(y, Sigma^-1)`` and ``S(a)``
(:meth:`~ftheory.advise.aniso_predict.AnisotropicPredictor.functional`); the probe's risk enters through its
gradient in ``p``. Measured (docs/advisor_validation.md, Bands): the standard error matches the spread of
``T_hat`` given Sigma_hat, but at gamma >= 2 the bias of ``T_hat`` is comparable to that spread and the Wald
band covered T_ft 72.5-87.5% (gamma = 3, 2).
"""
from __future__ import annotations

import math

import numpy as np

from ftheory.advise.bands import Z95

__all__ = ["functional_value", "difference", "transfer_band", "transfer_functionals"]


def functional_value(aniso, F):
    """Value of a functional (terms ``(kind, a, k, coef)``) at the data."""
    total = 0.0
    for kind, a, k, c in F:
        a = np.asarray(a, float)
        if kind == "S":
            total += c * float(a @ aniso.S_raw @ a)
        else:
            G = np.einsum("i,ijk->jk", np.asarray(k, float), aniso.g)
            total += c * float(a @ G @ a)
    return total


def difference(F, G):
    """The functional ``F - G``."""
    return list(F) + [(kind, a, k, -c) for kind, a, k, c in G]


def transfer_band(aniso, F, value, z=Z95, t_hi=0.0):
    """``(value, low, high)`` for the functional ``F`` with centre ``value``: ``value -+ z sd`` with the
    exact standard error of ``F`` (plug-in for the lower end, at the candidate task with an even signal
    ``t_hi`` added for the upper end)."""
    v0 = aniso.cov_functionals(F, F)
    if not math.isfinite(v0):
        return value, -math.inf, math.inf
    sd0 = math.sqrt(max(v0, 0.0))
    sd1 = math.sqrt(max(aniso.cov_functionals(F, F, t_hi), 0.0)) if t_hi else sd0
    return value, value - z * sd0, value + z * max(sd0, sd1)



def transfer_functionals(aniso, pe, n, probe_risk):
    """``{"linear_transfer": (F, value), "finetune": (F, value)}``: the transferabilities at ``n`` as
    functionals at the penalties the point estimates select (the probe's risk ``probe_risk(p)`` through
    its central-difference gradient at the feasible estimate)."""
    from ftheory.advise.estimators import feasible

    Fs, Ff = aniso.functional("scratch", n), aniso.functional("finetune", n)
    q = feasible(pe.p)
    h = 1e-6 * (np.abs(q) + np.sqrt(np.maximum(np.diag(pe.cov), 0)) + 1e-300)
    g = np.array([(probe_risk(q + h[j] * e) - probe_risk(q - h[j] * e)) / (2 * h[j]) for j, e in enumerate(np.eye(4))])
    vs, vf = max(functional_value(aniso, Fs), 0.0), max(functional_value(aniso, Ff), 0.0)
    return {"linear_transfer": (difference(Fs, aniso.parameter_functional(g)), vs - float(probe_risk(q))),
            "finetune": (difference(Fs, Ff), vs - vf)}
