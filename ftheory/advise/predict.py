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

Every function is vectorised: ``p`` may be a ``(..., 4)`` array (e.g. parametric-bootstrap draws)
and the result has shape ``p.shape[:-1]``. The anisotropic theory of
:mod:`ftheory.advise.aniso_predict` replaces the scratch/fine-tune formulas when ``Sigma`` is
estimated from unlabeled inputs.
"""
from __future__ import annotations

import functools
import math

import numpy as np

from ftheory.registry import get

__all__ = ["PROCEDURES", "LINEAR", "isotropic_risk", "min_norm_coefficients", "tuned_ridge_risk",
           "linear_transfer_risk"]

PROCEDURES = ("scratch_min_norm", "scratch_ridge", "linear_transfer", "finetune_min_norm", "finetune_ridge")
# risks that are linear in p (their plug-in estimate is unbiased)
LINEAR = ("scratch_min_norm", "finetune_min_norm")


@functools.lru_cache(maxsize=4096)
def min_norm_coefficients(n, d):
    """``(a, b)`` with exact finite-size mean risk of min-norm least squares ``a tau^2 + b sigma^2``
    (``scratch_risk_finite``, docs/background.md §3.3); ``b = inf`` at the interpolation peak."""
    r = get("scratch_risk_finite")
    a = float(r(n=int(n), d=int(d), sigma=0.0, norm_t=1.0))
    b = float(r(n=int(n), d=int(d), sigma=1.0, norm_t=1.0)) - a
    return a, (b if math.isfinite(b) else math.inf)


def _min_norm(n, d, tau2, sig2):
    a, b = min_norm_coefficients(int(n), int(d))
    if math.isinf(b):
        return np.where(sig2 > 0, math.inf, a * tau2)
    return a * tau2 + b * sig2


def tuned_ridge_risk(gamma, tau2, sig2):
    """Asymptotic risk of optimally tuned ridge, ``tau^2 R*(gamma, sigma/tau)`` (docs/background.md §3.5),
    vectorised; ``tau^2`` is floored at a tiny positive value and ``sigma^2`` at 0."""
    tau2 = np.asarray(tau2, float)
    sig2 = np.maximum(np.asarray(sig2, float), 0.0)
    scale = np.abs(tau2) + sig2
    t2 = np.maximum(tau2, 1e-12 * scale + 1e-300)
    with np.errstate(all="ignore"):
        v = np.asarray(get("scratch_risk_optimal_ridge")(gamma=gamma, sigma=np.sqrt(sig2 / t2), norm_t=1.0), float)
    return t2 * v


def linear_transfer_risk(n, tau2, sig2, rho, r2):
    """Exact finite-n mean risk of least squares on the scalar feature ``z`` (docs/background.md §4.2):
    ``tau^2 sin^2 + (sigma^2 + tau^2 sin^2)/(n - 2)`` with ``tau^2 sin^2 = tau^2 - rho^2/r^2`` (>= 0);
    ``inf`` for ``n <= 2``."""
    tau2, sig2 = np.asarray(tau2, float), np.maximum(np.asarray(sig2, float), 0.0)
    rho, r2 = np.asarray(rho, float), np.asarray(r2, float)
    with np.errstate(all="ignore"):
        resid = np.maximum(tau2 - rho * rho / np.maximum(r2, 1e-300), 0.0)
    if n <= 2:
        return np.where((resid == 0) & (sig2 == 0), 0.0, math.inf) + 0 * tau2
    return resid + (sig2 + resid) / (n - 2)


def isotropic_risk(proc, n, d, p):
    """Predicted risk of procedure ``proc`` with ``n`` effective samples in dimension ``d``;
    ``p = (tau^2, sigma^2, rho, r^2)`` or a ``(..., 4)`` array of them."""
    p = np.asarray(p, float)
    tau2, sig2 = p[..., 0], p[..., 1]
    if proc == "scratch_min_norm":
        out = _min_norm(n, d, tau2, sig2)
    elif proc == "scratch_ridge":
        out = tuned_ridge_risk(n / d, tau2, sig2)
    else:
        rho, r2 = p[..., 2], p[..., 3]
        dist2 = tau2 - 2 * rho + r2
        if proc == "linear_transfer":
            out = linear_transfer_risk(n, tau2, sig2, rho, r2)
        elif proc == "finetune_min_norm":
            out = _min_norm(n, d, dist2, sig2)
        elif proc == "finetune_ridge":
            out = tuned_ridge_risk(n / d, dist2, sig2)
        else:
            raise KeyError(proc)
    out = np.asarray(out, float)
    return float(out) if out.ndim == 0 else out
