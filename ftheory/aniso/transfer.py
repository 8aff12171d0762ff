"""Transfer with input covariance Sigma: linear transfer, linear fine-tuning, deep-linear fine-tuning.

* Linear transfer (docs/background.md §4.1-§4.2 with Sigma): the read-out is refitted by least squares
  on the single pretrained feature ``z = X beta_s``. Write ``beta_t = alpha beta_s + r`` with ``r``
  Sigma-orthogonal to ``beta_s`` (``alpha = <beta_s, beta_t>_Sigma/||beta_s||_Sigma^2``); then ``X r`` is
  independent of ``z`` and acts as label noise, and ``E 1/||z||^2 = 1/(||beta_s||_Sigma^2 (n - 2))`` gives
  the exact mean ``||r||_Sigma^2 + (sigma^2 + ||r||_Sigma^2)/(n - 2)`` for Gaussian inputs, with
  ``||r||_Sigma^2 = ||beta_t||_Sigma^2 sin^2(theta_Sigma)``: the Sigma-weighted angle decides.
* Linear fine-tuning (§6.1): gradient descent from ``beta_s`` stays in ``beta_s + rowspace(X)`` and
  converges to the interpolator nearest ``beta_s`` (least squares for ``n > d``): min-norm regression
  of the target ``beta_t - beta_s``.
* Deep linear fine-tuning from the balanced rank-one state (§6.3-§6.4): ``beta_ft = beta_sc + c (I - P) beta_s``
  where ``c`` solves ``r^2 c^(2L/(L-1)) - a c^2 - b = 0`` with ``r = ||beta_s||``, ``a = ||(I-P) beta_s||^2``,
  ``b = ||beta_sc||^2`` (Euclidean norms: the gradient-flow invariants do not see Sigma). With Sigma only
  the laws of ``a`` and ``b`` change; their deterministic equivalents are ``a = sum_i kappa beta_s,i^2/
  (lambda_i + kappa)``, ``b = sum_i lambda_i beta_t,i^2/(lambda_i + kappa) + sigma^2 (1/n) sum_i lambda_i/
  (lambda_i + kappa)^2 / (1 - df2/n)`` (``kappa`` at ``lam = 0``), and the risk is the min-norm risk of
  the target ``beta_t - c beta_s`` (the noise part lies in the row space; its cross term has mean 0).
"""
from __future__ import annotations

import numpy as np

from ftheory.aniso.scratch import _pieces, scratch_risk
from ftheory.aniso.spectra import check_samples, check_sigma, check_spectrum, check_teacher

__all__ = ["sigma_cosine", "linear_transfer_risk", "finetune_linear_risk", "transferability",
           "finetune_deep_scale", "finetune_deep_risk"]


def _teachers(eigenvalues, beta_s, beta_t):
    ev = check_spectrum(eigenvalues)
    bs = check_teacher(beta_s, ev.size, "beta_s")
    bt = check_teacher(beta_t, ev.size, "beta_t")
    try:
        np.broadcast_shapes(bs.shape, bt.shape)
    except ValueError:
        raise ValueError(f"beta_s has shape {bs.shape} and beta_t {bt.shape}: their batch shapes do not "
                         "broadcast") from None
    return ev, bs, bt


def _source_norm(ev, bs):
    ss = bs ** 2 @ ev
    if np.any(ss <= 0):
        raise ValueError("beta_s has ||beta_s||_Sigma = 0: the pretrained feature x.beta_s is identically "
                         "zero (expected a source teacher with weight on a positive eigenvalue)")
    return ss


def sigma_cosine(eigenvalues, beta_s, beta_t):
    """``<beta_s, beta_t>_Sigma / (||beta_s||_Sigma ||beta_t||_Sigma)``: the cosine that decides linear
    transfer (``nan`` only if ``||beta_t||_Sigma = 0``)."""
    ev, bs, bt = _teachers(eigenvalues, beta_s, beta_t)
    ss = _source_norm(ev, bs)
    tt = bt ** 2 @ ev
    with np.errstate(divide="ignore", invalid="ignore"):
        return ((bs * bt) @ ev) / np.sqrt(ss * tt)


def _residual(ev, bs, bt):
    """``||r||_Sigma^2`` with ``r = beta_t - alpha beta_s`` Sigma-orthogonal to ``beta_s``."""
    ss = _source_norm(ev, bs)
    alpha = ((bs * bt) @ ev) / ss
    r = bt - alpha[..., None] * bs
    return (r ** 2) @ ev


def linear_transfer_risk(eigenvalues, beta_s, beta_t, n, sigma):
    """Exact ``E||b beta_s - beta_t||_Sigma^2`` of refitting one coefficient ``b`` by least squares on the
    pretrained feature ``x.beta_s`` with ``n`` Gaussian samples (any ``d``).

    ``R = rho + (sigma^2 + rho)/(n - 2)`` for ``n > 2`` with ``rho = ||beta_t||_Sigma^2 (1 - cos^2 theta_Sigma)``
    (:func:`sigma_cosine`); ``+inf`` for ``n <= 2`` unless ``sigma^2 + rho = 0``. Eigenvalues are used as
    given (see :func:`ftheory.aniso.scratch_risk`). ``n`` broadcasts with the batch shapes of the teachers
    and with ``sigma``.

    >>> import numpy as np
    >>> ev = np.ones(4); bs = np.array([1.0, 0, 0, 0]); bt = np.array([1.0, 1.0, 0, 0]) / np.sqrt(2)
    >>> round(float(linear_transfer_risk(ev, bs, bt, 10, 0.2)), 12)   # isotropic: sin^2 + (sigma^2 + sin^2)/(n - 2)
    0.5675
    """
    ev, bs, bt = _teachers(eigenvalues, beta_s, beta_t)
    n = check_samples(n)
    sig = check_sigma(sigma)
    rho = _residual(ev, bs, bt)
    s_eta = sig ** 2 + rho
    with np.errstate(divide="ignore", invalid="ignore"):
        finite = rho + s_eta / np.where(n > 2, n - 2, 1)
    out = np.where(n > 2, finite, np.where(s_eta == 0, rho, np.inf))
    return out[()] if out.ndim == 0 else out


def finetune_linear_risk(eigenvalues, beta_s, beta_t, n, sigma):
    """Risk of fine-tuning a linear model from ``beta_s`` by gradient descent to convergence.

    Equal to :func:`ftheory.aniso.scratch_risk` (``lam = 0``) with target ``beta_t - beta_s``: the
    deterministic equivalent for ``n < d+``, the exact mean ``sigma^2 d+/(n - d+ - 1)`` of least squares
    for ``n > d+`` (then the initialisation is forgotten).
    """
    ev, bs, bt = _teachers(eigenvalues, beta_s, beta_t)
    return scratch_risk(ev, bt - bs, n, sigma)


def transferability(eigenvalues, beta_s, beta_t, n, sigma):
    """``{"linear_transfer": T_lt, "finetune": T_ft}`` with ``T = R_scratch(min-norm) - R_transfer``
    (``T > 0``: transfer helps). ``T_ft = 0`` for ``n >= d+`` (positive eigenvalues): both fits are then the
    same least-squares fit, also at ``n = d+, d+ + 1`` where both mean risks are infinite (as the registered
    ``finetune_transferability_finite``)."""
    ev, bs, bt = _teachers(eigenvalues, beta_s, beta_t)
    sc = scratch_risk(ev, bt, n, sigma)
    same = check_samples(n) >= np.count_nonzero(ev)
    with np.errstate(invalid="ignore"):
        ft = np.where(same, 0.0, sc - finetune_linear_risk(ev, bs, bt, n, sigma))
        return {"linear_transfer": sc - linear_transfer_risk(ev, bs, bt, n, sigma),
                "finetune": ft[()] if ft.ndim == 0 else ft}


def _deep_coefficients(ev, bs, bt, n, sig):
    kappa, gap, _, _ = _pieces(ev, n, np.zeros(()))
    k = kappa[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        proj = np.where(ev > 0, ev / (ev + k), 0.0)
        null = 1.0 - proj
        a = np.matmul(null[..., None, :], (bs ** 2)[..., :, None])[..., 0, 0]
        signal = np.matmul(proj[..., None, :], (bt ** 2)[..., :, None])[..., 0, 0]
        inv2 = np.where(ev > 0, ev / (ev + k) ** 2, 0.0).sum(-1) / np.asarray(n, float)
        noise = np.where(gap > 0, inv2 / np.where(gap > 0, gap, 1.0), np.inf)
        b = signal + np.where(sig > 0, sig ** 2 * noise, 0.0)
    return a, b


def finetune_deep_scale(eigenvalues, beta_s, beta_t, n, sigma, depth=2):
    """Deterministic equivalent of the null-space scale ``c`` of a depth-``L`` linear network fine-tuned by
    gradient flow from the balanced rank-one state with end-to-end vector ``beta_s`` (module docstring).

    ``c = w^((L-1)/2)`` with ``w`` the positive root of ``w^L - (a/r^2) w^(L-1) - b/r^2``. Meaningful
    for ``n`` below the number of positive eigenvalues (otherwise ``a = 0``, and ``c`` does not act);
    ``+inf`` at ``n = d+`` when ``sigma > 0`` (as the registered ``finetune_scale`` at ``gamma = 1``).
    Isotropic spectra give the registered ``finetune_scale``.
    """
    from ftheory.roots import positive_root

    ev, bs, bt = _teachers(eigenvalues, beta_s, beta_t)
    n = check_samples(n)
    sig = check_sigma(sigma)
    if isinstance(depth, bool) or not float(depth).is_integer() or depth < 2:
        raise ValueError(f"depth={depth!r} is invalid: expected an integer >= 2")
    r2 = bs ** 2 @ np.ones(ev.size)
    if np.any(r2 <= 0):
        raise ValueError("beta_s is zero: the rank-one pretrained state needs a non-zero source teacher")
    a, b = _deep_coefficients(ev, bs, bt, n, sig)
    finite = np.isfinite(b)                       # b = +inf at the interpolation peak (n = d+, sigma > 0)
    w = positive_root(depth, a / r2, np.where(finite, b, 0.0) / r2)
    with np.errstate(over="ignore"):
        c = np.where(finite, np.asarray(w, float) ** ((depth - 1) / 2), np.inf)
    return c[()] if c.ndim == 0 else c


def finetune_deep_risk(eigenvalues, beta_s, beta_t, n, sigma, depth=2):
    """Predicted ``E||beta_ft - beta_t||_Sigma^2`` of the fine-tuned deep linear network: the min-norm risk
    of the target ``beta_t - c beta_s`` with ``c`` = :func:`finetune_deep_scale` (``c = 1`` is
    :func:`finetune_linear_risk`)."""
    ev, bs, bt = _teachers(eigenvalues, beta_s, beta_t)
    c = np.asarray(finetune_deep_scale(ev, bs, bt, n, sigma, depth), float)
    peak = ~np.isfinite(c)                        # n = d+ with sigma > 0: the scratch part is infinite too
    out = np.asarray(scratch_risk(ev, bt - np.where(peak, 1.0, c)[..., None] * bs, n, sigma), float)
    out = np.where(peak, np.inf, out)
    return out[()] if out.ndim == 0 else out
