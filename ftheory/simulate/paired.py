"""Paired simulators: several procedures on the same draws, plus per-instance model comparisons.

Built on the public functions of :mod:`ftheory.simulate.deep_linear` (draws, pretraining, scratch,
fine-tuning, linear transfer, the automatic step size) and :mod:`ftheory.simulate.linear`
(minimum-norm solutions, which also give the row-space projection ``P v = X^+ (X v)``), so the
figures that show these numbers contain no simulation code of their own.

* :func:`simulate_finetune_paired` - scratch, linear transfer and fine-tuning by gradient descent
  (depth ``L``) with the null-space gaps of the paper (``c = 1``) and gradient-flow (per-instance
  ``c``) vectors (docs/background.md §6.2-§6.4, §7).
* :func:`simulate_finetune_models` - the same two closed-form fine-tuned vectors without any
  training (cheap): the finite-size twin of the asymptotic fine-tuning formulas.
* :func:`simulate_lt_finite_source_paired` - min-norm scratch and linear transfer from
  ``beta_hat_s = X_s^+ y_s`` on the same target data (§7.3).
* :func:`simulate_tuned_vs_transfer` - ridge at a given penalty against linear transfer.
* :func:`pretrained_feature_norms` - singular value of the features after pretraining by GD.
"""
from __future__ import annotations

import numpy as np

from ftheory._checks import check_int, check_real
from ftheory.params import PARAMS
from ftheory.simulate.gamma import n_from_gamma, takes_gamma
from ftheory.mc.batch import inner, sq_dist
from ftheory.mc.estimate import MCEstimate
from ftheory.mc.seeds import as_generator, check_seed, spawn_seeds
from ftheory.mc.threads import single_blas_thread
from ftheory.roots import positive_root
from ftheory.simulate.data import gaussian_data, teachers
from ftheory.simulate.deep_linear import DeepLinearNet, finetune, init_network, linear_transfer, pretrain, \
    train_scratch
from ftheory.simulate.linear import linear_transfer_readout, min_norm, simulate_linear_transfer_risk, \
    simulate_ridge_risk

__all__ = ["simulate_finetune_paired", "simulate_finetune_models", "simulate_lt_finite_source_paired",
           "simulate_tuned_vs_transfer", "pretrained_feature_norms", "null_space_part", "gradient_flow_scale"]


def null_space_part(X, v):
    """``(I - P) v`` per instance, ``P`` the projection on the row space of ``X`` (``P v = X^+ X v``)."""
    return v - min_norm(X, np.einsum("bnd,bd->bn", X, v))


def gradient_flow_scale(beta_pre, null_pre, beta_sc, depth=2):
    """Per-instance gradient-flow scale ``c`` of the frozen null-space part (§6.4).

    ``c = w^{(L-1)/2}`` with ``w`` the positive root of ``w^L - A w^{L-1} - B``, ``A = a/r^2``,
    ``B = b/r^2``, ``a = ||(I-P) beta_pre||^2``, ``b = ||X^+ y||^2``, ``r = ||beta_pre||`` (depth 2:
    ``r^2 c^4 - a c^2 - b = 0``).
    """
    r2 = sq_dist(beta_pre)
    return positive_root(depth, sq_dist(null_pre) / r2, sq_dist(beta_sc) / r2) ** ((depth - 1) / 2)


def _stack_nets(nets):
    return DeepLinearNet(tuple(np.concatenate([net.weights[l] for net in nets]) for l in range(nets[0].depth)))


def _draw(n, d, theta, sigma, n_s, sigma_s, depth, instances, seed, norm_s=1.0):
    """Per instance, one child seed each: teachers, source data, target data, two initialisations.

    The order of :func:`ftheory.simulate.deep_linear.simulate_transfer` (a test checks that the
    ``T_ft`` samples agree for the same seed).
    """
    rows = []
    for child in spawn_seeds(seed, instances):
        rng = np.random.default_rng(child)
        t = teachers(d, theta, instances=1, norm_s=norm_s, seed=rng)
        src = gaussian_data(t.beta_s, n_s, sigma=sigma_s, seed=rng) if n_s is not None else (None, None)
        X, y = gaussian_data(t.beta_t, n, sigma=sigma, seed=rng)
        rows.append((t, src, X, y, init_network(d, depth=depth, seed=rng), init_network(d, depth=depth, seed=rng)))
    cat = lambda k: np.concatenate([r[k] for r in rows])  # noqa: E731
    out = {"beta_s": np.concatenate([r[0].beta_s for r in rows]), "beta_t": np.concatenate([r[0].beta_t for r in rows]),
           "X": cat(2), "y": cat(3), "w_pre": _stack_nets([r[4] for r in rows]),
           "w_sc": _stack_nets([r[5] for r in rows])}
    if n_s is not None:
        out["X_s"] = np.concatenate([r[1][0] for r in rows])
        out["y_s"] = np.concatenate([r[1][1] for r in rows])
    return out


def _check(instances, seed, **canonical):
    """``ValueError`` naming the parameter, its value and its domain: every canonical parameter given (None: not
    used) against its declaration in :mod:`ftheory.params`, ``instances`` (integer >= 1) and ``seed``."""
    for name, value in canonical.items():
        if value is not None:
            PARAMS[name].validate(value)
    check_int("instances", instances, 1)
    check_seed(seed)


def _n_s(gamma_s, d):
    return None if gamma_s is None else n_from_gamma(gamma_s, d, name="gamma_s", count="n_s")


@takes_gamma()
@single_blas_thread
def simulate_finetune_paired(n, d, theta, sigma, *, gamma_s=None, sigma_s=0.0, depth=2, instances=8, seed=None,
                             max_steps=10000, ft_lr_factor=1.0) -> dict:
    """Scratch, linear transfer and fine-tuning by GD on shared data, with per-instance theory pairs.

    Default initialisation and step sizes of :mod:`ftheory.simulate.deep_linear`; population
    pretraining, or a finite source set of ``round(gamma_s d)`` samples with noise ``sigma_s`` (§7).
    ``ft_lr_factor`` multiplies the automatic fine-tuning step (GD approaches gradient flow with an
    error proportional to the step).

    Returns
    -------
    dict of MCEstimate
        ``"T_ft"``, ``"T_lt"``: ``R_sc - R_tx`` (converged = pretraining, scratch and fine-tuning
        flags). Only for ``n < d`` (null-space parts, where the theories differ): ``"gap_paper"``
        ``= R_paper - R_ft`` with ``beta_paper = X^+ y + (I - P) beta_pre``; ``"gap_cmodel"`` ``=
        R_paper - R_gf`` with ``beta_gf = X^+ y + c (I - P) beta_pre`` (the prediction of
        ``gap_paper``); ``"gd_minus_gf"`` their difference; ``"c_gd"`` the scale GD applied to the
        frozen part; ``"c_model"`` the gradient-flow root ``c``.
    """
    _check(instances, seed, n=n, d=d, theta=theta, sigma=sigma, gamma_s=gamma_s, sigma_s=sigma_s, depth=depth)
    check_int("max_steps", max_steps, 0)
    check_real("ft_lr_factor", ft_lr_factor, low_open=True)
    n, d, theta, sigma = int(n), int(d), float(theta), float(sigma)      # records as Python numbers
    dr = _draw(n, d, theta, sigma, _n_s(gamma_s, d), sigma_s, depth, instances, seed)
    if gamma_s is None:
        pre = pretrain(dr["beta_s"], net=dr["w_pre"])
    else:
        pre = pretrain(X_s=dr["X_s"], y_s=dr["y_s"], net=dr["w_pre"])
    X, y, beta_t = dr["X"], dr["y"], dr["beta_t"]
    sc = train_scratch(X, y, net=dr["w_sc"], max_steps=max_steps)
    ft_lr = None
    if ft_lr_factor != 1.0:  # the automatic step of finetune, scaled
        ft_lr = ft_lr_factor * finetune(pre.net, X, y, max_steps=0).lr
    ft = finetune(pre.net, X, y, max_steps=max_steps, lr=ft_lr)
    lt = linear_transfer(pre.net, X, y)
    r_sc, r_ft = sq_dist(sc.beta, beta_t), sq_dist(ft.beta, beta_t)
    conv_ft = pre.converged & sc.converged & ft.converged
    info = {"n": n, "d": d, "theta": theta, "sigma": sigma, "max_steps_ft": int(ft.steps.max()),
            "max_steps_sc": int(sc.steps.max())}
    out = {"T_ft": MCEstimate(r_sc - r_ft, conv_ft, info),
           "T_lt": MCEstimate(r_sc - sq_dist(lt.beta, beta_t), pre.converged & sc.converged, info)}
    if n < d:
        b_pre = pre.beta
        null_pre, null_ft, null_t = (null_space_part(X, v) for v in (b_pre, ft.beta, beta_t))
        c = gradient_flow_scale(b_pre, null_pre, min_norm(X, y), depth)
        r_paper, r_ft_null, r_gf = (sq_dist(v, null_t) for v in (null_pre, null_ft, c[:, None] * null_pre))
        out["gap_paper"] = MCEstimate(r_paper - r_ft_null, conv_ft, info)
        out["gap_cmodel"] = MCEstimate(r_paper - r_gf, conv_ft, info)
        out["gd_minus_gf"] = MCEstimate(r_gf - r_ft_null, conv_ft, info)
        out["c_gd"] = MCEstimate(inner(null_ft, null_pre) / sq_dist(null_pre), conv_ft, info)
        out["c_model"] = MCEstimate(c, conv_ft, info)
    return out


@takes_gamma()
@single_blas_thread
def simulate_finetune_models(n, d, theta, sigma, *, gamma_s=None, sigma_s=0.0, depth=2, norm_s=1.0, instances=200,
                             seed=None) -> dict:
    """Fine-tuning models without training, ``n < d``: scratch ``X^+ y``, paper and gradient flow.

    The pretrained vector is ``beta_s`` (population source) or ``beta_hat_s = X_s^+ y_s`` from
    ``round(gamma_s d)`` source samples with noise ``sigma_s`` (§7.2). Per instance:
    ``beta_paper = X^+ y + (I - P) beta_pre`` (§6.2) and ``beta_gf = X^+ y + c (I - P) beta_pre``
    with the gradient-flow root ``c`` of :func:`gradient_flow_scale` (§6.4).

    Returns
    -------
    dict of MCEstimate
        ``"T_paper"``, ``"T_gf"``: ``R_sc - R_model`` per instance; ``"c"``: the root ``c``.
    """
    _check(instances, seed, n=n, d=d, theta=theta, sigma=sigma, gamma_s=gamma_s, sigma_s=sigma_s, depth=depth,
           norm_s=norm_s)
    n, d = int(n), int(d)
    if not n < d:
        raise ValueError(f"n={n!r} is invalid with d={d!r}: the null-space models need n < d")
    n_s = _n_s(gamma_s, d)
    rows = []
    for child in spawn_seeds(seed, instances):  # draw order of simulate_finetune_paired (no initialisations)
        rng = np.random.default_rng(child)
        t = teachers(d, theta, instances=1, norm_s=norm_s, seed=rng)
        src = gaussian_data(t.beta_s, n_s, sigma=sigma_s, seed=rng) if n_s is not None else None
        X, y = gaussian_data(t.beta_t, n, sigma=sigma, seed=rng)
        b_pre = t.beta_s if src is None else min_norm(*src)
        rows.append((b_pre[0], t.beta_t[0], X[0], y[0]))
    b_pre, beta_t, X, y = (np.stack([r[k] for r in rows]) for k in range(4))
    beta_sc = min_norm(X, y)
    null_pre = null_space_part(X, b_pre)
    c = gradient_flow_scale(b_pre, null_pre, beta_sc, depth)
    r_sc = sq_dist(beta_sc, beta_t)
    info = {"n": n, "d": d, "theta": float(theta), "sigma": float(sigma),
            "gamma_s": None if gamma_s is None else float(gamma_s), "sigma_s": float(sigma_s)}
    return {"T_paper": MCEstimate(r_sc - sq_dist(beta_sc + null_pre, beta_t), info=info),
            "T_gf": MCEstimate(r_sc - sq_dist(beta_sc + c[:, None] * null_pre, beta_t), info=info),
            "c": MCEstimate(c, info=info)}


@takes_gamma()
@single_blas_thread
def simulate_lt_finite_source_paired(n, d, theta, sigma, gamma_s, sigma_s, *, instances=30, seed=None) -> dict:
    """Min-norm scratch and linear transfer from ``beta_hat_s = X_s^+ y_s`` on the same target data.

    Draw order per instance (one child seed each): teachers, source data, target data, as in
    :func:`ftheory.simulate.linear.simulate_linear_transfer_finite_source`.

    Returns
    -------
    dict of MCEstimate
        ``"sc"``, ``"lt"``, ``"T_lt"`` (= sc - lt per instance), ``"cos2_eff"``
        (``<beta_t, beta_hat_s>^2 / ||beta_hat_s||^2``, the squared cosine of the effective angle, §7.3).
    """
    _check(instances, seed, n=n, d=d, theta=theta, sigma=sigma, gamma_s=gamma_s, sigma_s=sigma_s)
    n, d = int(n), int(d)
    n_s = n_from_gamma(gamma_s, d, name="gamma_s", count="n_s")
    rows = []
    for child in spawn_seeds(seed, instances):
        rng = np.random.default_rng(child)
        t = teachers(d, theta, instances=1, seed=rng)
        X_s, y_s = gaussian_data(t.beta_s, n_s, sigma=sigma_s, seed=rng)
        X, y = gaussian_data(t.beta_t, n, sigma=sigma, seed=rng)
        rows.append((t.beta_t[0], X_s[0], y_s[0], X[0], y[0]))
    beta_t, X_s, y_s, X, y = (np.stack([r[k] for r in rows]) for k in range(5))
    beta_hat = min_norm(X_s, y_s)
    r_sc = sq_dist(min_norm(X, y), beta_t)
    r_lt = sq_dist(linear_transfer_readout(X, y, beta_hat), beta_t)
    info = {"n": n, "d": d, "theta": float(theta), "sigma": float(sigma), "gamma_s": float(gamma_s),
            "sigma_s": float(sigma_s), "n_s": n_s}
    return {"sc": MCEstimate(r_sc, info=info), "lt": MCEstimate(r_lt, info=info),
            "T_lt": MCEstimate(r_sc - r_lt, info=info),
            "cos2_eff": MCEstimate(inner(beta_hat, beta_t) ** 2 / sq_dist(beta_hat), info=info)}


@takes_gamma()
def simulate_tuned_vs_transfer(n, d, theta, sigma, lam, *, norm_t=1.0, instances=200, seed=None) -> MCEstimate:
    """Samples ``R_ridge(lam) - R_lt`` from independent instances (ridge scratch against linear transfer).

    The ridge risks come from :func:`~ftheory.simulate.linear.simulate_ridge_risk` and the
    least-squares read-out risks from :func:`~ftheory.simulate.linear.simulate_linear_transfer_risk`,
    each with its own child of ``seed``; the difference of independent samples has the right mean and
    standard error.
    """
    s1, s2 = spawn_seeds(seed, 2)
    ridge = simulate_ridge_risk(n, d, sigma, lam, norm_t=norm_t, instances=instances, seed=s1)
    lt = simulate_linear_transfer_risk(n, d, theta, sigma, norm_t=norm_t, instances=instances, seed=s2)
    return MCEstimate(ridge.samples - lt.samples, info={"n": int(n), "d": int(d), "lam": float(lam)})


def pretrained_feature_norms(d, norm_s, depth, *, instances=1, seed=None) -> MCEstimate:
    """Largest singular value of ``Phi = W_1 ... W_{L-1}`` after population pretraining by GD.

    Teachers of norm ``norm_s``; default small initialisation and step of :func:`pretrain`.
    ``converged`` holds pretraining's convergence flags.
    """
    rng = as_generator(seed)
    t = teachers(d, 0.0, instances=instances, norm_s=norm_s, seed=rng)
    pre = pretrain(t.beta_s, depth=depth, seed=rng)
    return MCEstimate(np.linalg.svd(pre.net.phi, compute_uv=False)[:, 0], pre.converged, {"d": d, "depth": depth})
