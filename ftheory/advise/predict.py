"""Predicted test risks of the five target procedures as functions of the estimated parameters.

``p = (tau^2, sigma^2, rho, r^2)`` (signal, noise variance, overlap <beta_t, beta_s>_Sigma,
pretrained signal ||beta_s||_Sigma^2). Risks are excess risks ``||b - beta_t||_Sigma^2``.

Isotropic theory, evaluated through the registered results (docs/background.md §3-§6):

* ``scratch_min_norm``: minimum-norm least squares, exact finite size (``scratch_risk_finite``, §3.3);
* ``scratch_ridge``: ridge with the optimal penalty (``scratch_risk_optimal_ridge``, §3.5);
* ``linear_transfer``: least squares on the pretrained feature ``z`` (``linear_transfer_risk_finite``,
  §4.2; exact for every ``Sigma``, since only the Sigma-geometry of beta_t and beta_s enters);
* ``finetune_min_norm``: gradient flow from the pretrained weights to the nearest interpolator,
  ``beta_s + X^+ (y - X beta_s)`` (§6.2): the scratch risk of the residual task ``beta_t - beta_s``;
* ``finetune_ridge``: ridge shrunk towards the pretrained weights with the optimal penalty (the
  limit of tuned weight decay towards / early stopping from the pretrained weights): the tuned
  scratch risk of the residual task.

The anisotropic theory of :mod:`ftheory.advise.aniso_predict` replaces the scratch/fine-tune
formulas when ``Sigma`` is estimated from unlabeled inputs.
"""
from __future__ import annotations

import math

import numpy as np

from ftheory.registry import get

__all__ = ["PROCEDURES", "isotropic_risk"]

PROCEDURES = ("scratch_min_norm", "scratch_ridge", "linear_transfer", "finetune_min_norm", "finetune_ridge")


def _pos(x, scale):
    return max(float(x), 1e-12 * scale + 1e-300)


def _min_norm(n, d, tau2, sig2):
    """Exact finite-size mean risk of min-norm least squares, linear in (tau^2, sigma^2)."""
    r = get("scratch_risk_finite")
    a = float(r(n=n, d=d, sigma=0.0, norm_t=1.0))
    b = float(r(n=n, d=d, sigma=1.0, norm_t=1.0)) - a
    if not math.isfinite(b):
        return math.inf if sig2 > 0 else a * tau2
    return a * tau2 + b * sig2


def _tuned_ridge(n, d, tau2, sig2):
    scale = abs(tau2) + abs(sig2)
    t2 = _pos(tau2, scale)
    s2 = max(float(sig2), 0.0)
    with np.errstate(all="ignore"):
        v = float(get("scratch_risk_optimal_ridge")(gamma=n / d, sigma=math.sqrt(s2 / t2), norm_t=1.0))
    return t2 * v


def _linear_transfer(n, tau2, sig2, rho, r2):
    """E R of least squares on the scalar feature z (n samples): rho^2/r^2 explained, the rest noise."""
    scale = abs(tau2) + abs(sig2)
    t2 = _pos(tau2, scale)
    cos = float(np.clip(rho / math.sqrt(t2 * _pos(r2, 1.0)), -1.0, 1.0))
    with np.errstate(all="ignore"):
        v = float(get("linear_transfer_risk_finite")(n=n, theta=math.acos(cos), sigma=math.sqrt(max(sig2, 0.0) / t2),
                                                     lam=0.0, norm_t=1.0, norm_s=1.0, depth=2))
    return t2 * v


def isotropic_risk(proc, n, d, p):
    """Predicted risk of procedure ``proc`` with ``n`` effective samples in dimension ``d``."""
    tau2, sig2 = float(p[0]), float(p[1])
    if proc == "scratch_min_norm":
        return _min_norm(n, d, tau2, sig2)
    if proc == "scratch_ridge":
        return _tuned_ridge(n, d, tau2, sig2)
    rho, r2 = float(p[2]), float(p[3])
    dist2 = tau2 - 2 * rho + r2
    if proc == "linear_transfer":
        return _linear_transfer(n, tau2, sig2, rho, r2) if n > 2 else math.inf
    if proc == "finetune_min_norm":
        return _min_norm(n, d, dist2, sig2)
    if proc == "finetune_ridge":
        return _tuned_ridge(n, d, dist2, sig2)
    raise KeyError(proc)
