"""Monte Carlo drivers: draw teachers, data and initialisations per instance, run the procedures.

Draw order per instance (one child seed each): teachers, source data (finite source only), target
inputs and noise, the pretraining initialisation, the scratch initialisation; so the data are those
of :mod:`ftheory.simulate.linear` for the same seed, and the same for every procedure.
"""
from __future__ import annotations

import numbers

import numpy as np

from ftheory.simulate.gamma import n_from_gamma
from ftheory._checks import check_int, check_memory, check_real
from ftheory.mc.batch import sq_dist
from ftheory.params import PARAMS
from ftheory.simulate._random import check_seed, spawn_seeds
from ftheory.simulate._threads import single_blas_thread
from ftheory.simulate.data import gaussian_data, teachers
from ftheory.simulate.deep_linear.options import bind, doc_block, signature
from ftheory.simulate.deep_linear.network import (DeepLinearNet, _balanced, _draw_weights, _layer_shapes,
                                                  default_alpha)
from ftheory.simulate.deep_linear.training import _check_method, linear_transfer, pretrain, train
from ftheory.simulate.estimate import MCEstimate

__all__ = ["simulate_deep_linear", "simulate_transfer", "simulate_deep_scratch", "simulate_deep_linear_transfer",
           "simulate_deep_finetune"]

_PROCEDURES = {"sc": "sc", "scratch": "sc", "lt": "lt", "linear_transfer": "lt",
               "ft": "ft", "finetune": "ft", "fine_tuning": "ft"}


def _draw_instance(rng, n, d, m, depth, theta, sigma, norm_s, norm_t, n_s, sigma_s, alpha, gauge=False):
    t = teachers(d, theta, instances=1, norm_s=norm_s, norm_t=norm_t, seed=rng)
    if n_s is not None:
        X_s, y_s = gaussian_data(t.beta_s, n_s, sigma=sigma_s, seed=rng)
    else:
        X_s = y_s = None
    X, y = gaussian_data(t.beta_t, n, sigma=sigma, seed=rng)
    shapes = _layer_shapes(d, m, depth)
    w_pre = _draw_weights(rng, shapes, alpha, d)
    w_sc = _draw_weights(rng, shapes, alpha, d)
    # drawn last, so the draws above are the same whichever pretrained state is used
    g = rng.standard_normal((depth - 1, m)) if gauge else None
    return dict(beta_s=t.beta_s[0], beta_t=t.beta_t[0], X_s=None if X_s is None else X_s[0],
                y_s=None if y_s is None else y_s[0], X=X[0], y=y[0], w_pre=w_pre, w_sc=w_sc, gauge=g)


def _draw_all(seed, instances, **kw):
    draws = [_draw_instance(np.random.default_rng(child), **kw) for child in spawn_seeds(seed, instances)]
    out = {}
    for key in ("beta_s", "beta_t", "X", "y", "X_s", "y_s", "gauge"):
        out[key] = None if draws[0][key] is None else np.stack([dr[key] for dr in draws])
    for key in ("w_pre", "w_sc"):
        out[key] = DeepLinearNet(tuple(np.stack([dr[key][l] for dr in draws])
                                       for l in range(len(draws[0][key]))))
    return out


def _validate_sim(n, d, theta, sigma, depth, lam, alpha, width, instances, gamma_s, sigma_s, norm_s,
                  norm_t, method, seed, wd, max_steps, tol, lr, pretrain_lr, pretrain_steps=0, pretrain_tol=0.0,
                  rcond=0.0, rank=None, reduced=True, early_stop=True):
    n = int(PARAMS["n"].validate(n))
    d = int(PARAMS["d"].validate(d))
    if d < 2:
        raise ValueError(f"d={d!r} is invalid: transfer needs two teacher directions, expected d >= 2")
    check_memory(f"the deep linear simulation (n={n}, d={d})", 4.0 * n * d + 4.0 * d * d,
                 "one instance's data, gradients and d x d weight matrices")
    theta = float(PARAMS["theta"].validate(theta))
    sigma = float(PARAMS["sigma"].validate(sigma))
    depth = int(PARAMS["depth"].validate(depth))
    lam = float(PARAMS["lam"].validate(lam))
    norm_s = float(PARAMS["norm_s"].validate(norm_s))
    norm_t = float(PARAMS["norm_t"].validate(norm_t))
    sigma_s = float(PARAMS["sigma_s"].validate(sigma_s))
    n_s = None
    if gamma_s is not None:
        gamma_s = float(PARAMS["gamma_s"].validate(gamma_s))
        n_s = n_from_gamma(gamma_s, d, name="gamma_s", count="n_s")
    alpha = default_alpha(depth) if alpha is None else check_real("alpha", alpha, low_open=True)
    m = d if width is None else check_int("width", width, 1)
    instances = check_int("instances", instances, 1)
    _check_method(method)
    check_seed(seed)
    check_real("wd", wd)
    check_int("max_steps", max_steps, 0)
    check_real("tol", tol)
    for name, v in (("lr", lr), ("pretrain_lr", pretrain_lr)):
        if v is not None:
            check_real(name, v, low_open=True)
    # every option, also one the procedure does not use (named as given, not as the inner function's)
    check_int("pretrain_steps", pretrain_steps, 0)
    check_real("pretrain_tol", pretrain_tol)
    check_real("rcond", rcond, high=1.0, high_open=True)
    if rank is not None:
        check_int("rank", rank, 1)
    for name, v in (("reduced", reduced), ("early_stop", early_stop)):
        if not isinstance(v, (bool, np.bool_)):      # a string such as "False" is truthy: refused, not taken as True
            raise ValueError(f"{name}={v!r} is invalid: expected True or False")
    return dict(n=n, d=d, theta=theta, sigma=sigma, depth=depth, lam=lam, alpha=alpha, m=m,
                instances=instances, n_s=n_s, gamma_s=gamma_s, sigma_s=sigma_s, norm_s=norm_s, norm_t=norm_t)


def _estimate(samples, converged, info):
    samples = np.where(np.isfinite(samples), samples, np.inf)
    return MCEstimate(samples, converged, info)


def _run_procedures(procs, n, d, theta, sigma, *, depth, lam, alpha, width, lr, max_steps, tol, wd, gamma_s,
                    sigma_s, norm_s, norm_t, instances, seed, method, reduced, pretrain_lr, pretrain_steps,
                    pretrain_tol, early_stop, rcond, rank, pretrained="gd"):
    if pretrained not in ("gd", "balanced"):
        raise ValueError(f"pretrained={pretrained!r} is invalid: expected 'gd' or 'balanced'")
    p = _validate_sim(n, d, theta, sigma, depth, lam, alpha, width, instances, gamma_s, sigma_s, norm_s,
                      norm_t, method, seed, wd, max_steps, tol, lr, pretrain_lr, pretrain_steps, pretrain_tol, rcond,
                      rank, reduced, early_stop)
    data = _draw_all(seed, p["instances"], n=p["n"], d=p["d"], m=p["m"], depth=p["depth"], theta=p["theta"],
                     sigma=p["sigma"], norm_s=p["norm_s"], norm_t=p["norm_t"], n_s=p["n_s"],
                     sigma_s=p["sigma_s"], alpha=p["alpha"], gauge=pretrained == "balanced")
    base_info = {"n": p["n"], "d": p["d"], "theta": p["theta"], "sigma": p["sigma"], "depth": p["depth"],
                 "width": p["m"], "alpha": p["alpha"], "wd": float(wd), "method": method,
                 "reduced": bool(reduced), "lam": p["lam"], "norm_s": p["norm_s"], "norm_t": p["norm_t"],
                 "pretrained": pretrained}
    if p["n_s"] is not None:
        base_info.update(gamma_s=p["gamma_s"], sigma_s=p["sigma_s"], n_s=p["n_s"])
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        base_info["seed"] = int(seed)
    X, y, beta_t = data["X"], data["y"], data["beta_t"]
    results = {}
    pre = None
    if ("lt" in procs or "ft" in procs) and pretrained == "balanced":
        pre = _BalancedPretraining(_balanced(_source_fit(data, p["n_s"]), data["gauge"]))
        pre_info = {"pretrain_steps": pre.steps, "pretrain_loss": pre.loss, "pretrain_converged": pre.converged}
    elif "lt" in procs or "ft" in procs:
        if p["n_s"] is None:
            pre = pretrain(data["beta_s"], net=data["w_pre"], lr=pretrain_lr, max_steps=pretrain_steps,
                           tol=pretrain_tol, method=method, reduced=reduced)
        else:
            pre = pretrain(X_s=data["X_s"], y_s=data["y_s"], net=data["w_pre"], lr=pretrain_lr,
                           max_steps=pretrain_steps, tol=pretrain_tol, method=method, reduced=reduced)
        pre_info = {"pretrain_steps": pre.steps, "pretrain_loss": pre.loss,
                    "pretrain_converged": pre.converged}
    if "sc" in procs:
        sc = train(data["w_sc"], X=X, y=y, lr=lr, max_steps=max_steps, tol=tol, wd=wd, method=method,
                   reduced=reduced, early_stop=early_stop)
        results["sc"] = (sq_dist(sc.beta, beta_t), sc.converged,
                         {**base_info, "procedure": "sc", "steps": sc.steps, "final_loss": sc.loss,
                          "loss_floor": sc.floor, "lr": sc.lr, "diverged": sc.diverged, "path": sc.path})
    if "lt" in procs:
        lt = linear_transfer(pre.net, X, y, lam=p["lam"], rcond=rcond, rank=rank)
        results["lt"] = (lt.risk(beta_t), pre.converged.copy(),
                         {**base_info, "procedure": "lt", "rcond": rcond, "rank": rank, **pre_info})
    if "ft" in procs:
        ft = train(pre.net, X=X, y=y, lr=lr, max_steps=max_steps, tol=tol, wd=wd, method=method,
                   reduced=reduced, early_stop=early_stop)
        results["ft"] = (sq_dist(ft.beta, beta_t), pre.converged & ft.converged,
                         {**base_info, "procedure": "ft", "steps": ft.steps, "final_loss": ft.loss,
                          "loss_floor": ft.floor, "lr": ft.lr, "diverged": ft.diverged, "path": ft.path,
                          **pre_info})
    return results


class _BalancedPretraining:
    """Stands in for a TrainResult: the balanced rank-one state, no training (flags all True)."""

    def __init__(self, net):
        self.net = net
        self.beta = net.beta
        B = net.instances
        self.steps, self.loss, self.converged = np.zeros(B, dtype=np.int64), np.zeros(B), np.ones(B, dtype=bool)


def _source_fit(data, n_s):
    """beta_s (population source) or the minimum-norm least-squares fit of the source data."""
    if n_s is None:
        return data["beta_s"]
    return np.stack([np.linalg.lstsq(Xs, ys, rcond=None)[0] for Xs, ys in zip(data["X_s"], data["y_s"])])


def _run(procs, task, options):
    p = bind(task, options)
    return _run_procedures(procs, p.pop("n"), p.pop("d"), p.pop("theta"), p.pop("sigma"), **p)


@single_blas_thread
def simulate_deep_linear(procedure, n=None, d=None, theta=0.0, sigma=0.0, **options) -> MCEstimate:
    if procedure not in _PROCEDURES:
        raise ValueError(f"procedure={procedure!r} is invalid: expected one of 'sc', 'lt', 'ft'")
    proc = _PROCEDURES[procedure]
    res = _run({proc}, dict(n=n, d=d, theta=theta, sigma=sigma), options)
    return _estimate(*res[proc])


simulate_deep_linear.__signature__ = signature(("procedure",))
simulate_deep_linear.__doc__ = f"""Monte Carlo excess risk ``||beta - beta_t||^2`` of one deep-linear procedure.

Procedures and convergence: docs/deep_linear.md (docs/background.md §1.4, §11.1).

Parameters
----------
procedure : {{"sc", "lt", "ft"}} (also "scratch", "linear_transfer", "finetune")
{doc_block()}

Returns
-------
MCEstimate
    ``samples`` are per-instance risks; ``converged`` flags every training stage involved
    (pretraining for ``lt``; pretraining and fine-tuning for ``ft``); ``info`` holds the steps,
    final losses and loss floors per instance and the parameters.
"""


@single_blas_thread
def simulate_transfer(n=None, d=None, theta=0.0, sigma=0.0, **options) -> dict:
    res = _run({"sc", "lt", "ft"}, dict(n=n, d=d, theta=theta, sigma=sigma), options)
    out = {k: _estimate(*v) for k, v in res.items()}
    r_sc, c_sc, info_sc = res["sc"]
    for tx in ("lt", "ft"):
        r_tx, c_tx, info_tx = res[tx]
        with np.errstate(invalid="ignore"):
            diff = r_sc - r_tx
        out["T_" + tx] = MCEstimate(np.where(np.isnan(diff), np.nan, diff), c_sc & c_tx,
                                    {**info_tx, "procedure": "T_" + tx})
    return out


simulate_transfer.__signature__ = signature()
simulate_transfer.__doc__ = f"""Scratch, linear transfer and fine-tuning on shared data, with per-instance transferabilities.

Each instance uses the same teachers, target data and pretrained network for all procedures
(common random numbers), so ``T_tx = R_sc - R_tx`` is computed per instance (docs/background.md
§0.2 item 6).

Parameters
----------
{doc_block()}

Returns
-------
dict
    ``"sc"``, ``"lt"``, ``"ft"``: risk estimates; ``"T_lt"``, ``"T_ft"``: transferability samples
    ``R_sc - R_tx`` with ``converged`` the AND of both runs' flags. For the same seed, ``"sc"``,
    ``"lt"`` and ``"ft"`` equal :func:`simulate_deep_linear` of each procedure.
"""


def _procedure_wrapper(proc, label):
    def fn(n=None, d=None, theta=0.0, sigma=0.0, **options):
        return simulate_deep_linear(proc, n, d, theta, sigma, **options)
    fn.__name__ = fn.__qualname__ = f"simulate_deep_{label}"
    fn.__module__ = __name__
    fn.__signature__ = signature()
    fn.__doc__ = (f"``simulate_deep_linear({proc!r}, ...)`` as a function of the task alone (for sweeps and "
                  f"the CLI); parameters as :func:`simulate_deep_linear`.")
    return fn


simulate_deep_scratch = _procedure_wrapper("sc", "scratch")
simulate_deep_linear_transfer = _procedure_wrapper("lt", "linear_transfer")
simulate_deep_finetune = _procedure_wrapper("ft", "finetune")

# gamma is a task parameter of these (options.bind: n = n_from_gamma(gamma, d)); a sweep over gamma resolves
# it the same way and seeds and stores each point as its n (ftheory.simulate.gamma.maps_gamma)
for _fn in (simulate_deep_linear, simulate_transfer, simulate_deep_scratch, simulate_deep_linear_transfer,
            simulate_deep_finetune):
    _fn.gamma_min_n, _fn.gamma_dimension = 1, None
del _fn
