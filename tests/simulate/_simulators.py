"""The public simulators of ftheory.simulate (the catalog plus every ``simulate_*``/``sample_*`` of the simulate
modules' ``__all__``), a tiny valid call of each, and the domains of their parameters taken from the
declarations: ``ftheory.params.PARAMS`` (canonical names; grids ``thetas``, ``lams``, ... by element) and the
deep-linear ``OPTIONS`` (``ftheory.simulate.deep_linear.options``, whose one-line docs state the domain) and the
ReLU settings (``ReluSpec``, whose docstring states them)."""
import dataclasses
import importlib
import inspect
import math
import re

from ftheory.params import PARAMS
from ftheory.simulate.catalog import SIMULATORS, simulator
from ftheory.simulate.deep_linear.options import OPTIONS
from ftheory.simulate.relu.spec import ReluSpec

MODULES = ["ftheory.simulate.linear", "ftheory.simulate.linear_grid", "ftheory.simulate.aniso",
           "ftheory.simulate.paired", "ftheory.simulate.paired_rows", "ftheory.simulate.deep_linear",
           "ftheory.simulate.deep_linear.lam_grid", "ftheory.simulate.relu", "ftheory.simulate.tasks"]
GRIDS = {"thetas": "theta", "sigmas": "sigma", "lams": "lam", "ns": "n", "mus": "mu"}


def public_simulators() -> dict:
    out = {fn: simulator(name) for name, (_, fn, _) in SIMULATORS.items()}
    for mod in MODULES:
        m = importlib.import_module(mod)
        out.update({name: getattr(m, name) for name in m.__all__ if name.startswith(("simulate_", "sample_"))})
    return out


def _option_domain(o):
    """The numeric domain an Option's doc states (``>= 0``, ``> 0``, ``[0, 1)``), or None."""
    if o.kind not in ("int", "real"):
        return None
    m = re.search(r"\[(\d+), (\d+)\)", o.doc)
    if m:
        return dict(low=float(m[1]), high=float(m[2]), low_open=False, high_open=True, integer=o.kind == "int")
    m = re.search(r"(>=|>) (\d+)", o.doc)
    if m:
        return dict(low=float(m[2]), high=math.inf, low_open=m[1] == ">", high_open=False, integer=o.kind == "int")
    return None


def _relu_domains():
    """Domains stated in the ReluSpec docstring (````lr > 0````, ````rcond```` in [0, 1), ...), integer-ness from the
    field's annotation."""
    types = {f.name: f.type for f in dataclasses.fields(ReluSpec)}
    out = {}
    for name, op, low in re.findall(r"``(\w+) (>=|>) (\d+)``", ReluSpec.__doc__):
        out[name] = dict(low=float(low), high=math.inf, low_open=op == ">", high_open=False, integer=types[name] == "int")
    for name, low, high in re.findall(r"``(\w+)`` in \[(\d+), (\d+)\)", ReluSpec.__doc__):
        out[name] = dict(low=float(low), high=float(high), low_open=False, high_open=True, integer=False)
    return out


DOMAINS = _relu_domains()
DOMAINS.update({o.name: _option_domain(o) for o in OPTIONS if _option_domain(o) is not None})
DOMAINS.update({p.name: dict(low=p.low, high=p.high, low_open=p.low_open, high_open=p.high_open, integer=p.integer)
                for p in PARAMS.values()})

EV = [2.0, 1.0, 1.0, 0.5, 0.5]
BS = [0.6, -0.3, 0.2, 0.5, 0.1]
BT = [0.5, 0.2, -0.1, 0.4, 0.3]
RELU = dict(d=3, m=4, m_star=2, steps=2, pretrain_steps=2)
DEEP = dict(n=3, d=4, max_steps=3, pretrain_steps=3)
BASE = {
    "simulate_min_norm_risk": dict(n=3, d=5, sigma=0.1),
    "simulate_ridge_risk": dict(n=3, d=5, sigma=0.1, lam=0.1),
    "simulate_tuned_ridge_risk": dict(n=3, d=5, sigma=0.1, lams=[0.1, 0.2]),
    "simulate_linear_transfer_risk": dict(n=3, d=5, theta=0.5, sigma=0.1),
    "simulate_linear_transfer_finite_source": dict(n=3, d=5, theta=0.5, sigma=0.1, gamma_s=1.2, sigma_s=0.1),
    "simulate_rank_k_risk": dict(n=3, d=5, k=2, residual=0.3, sigma=0.1),
    "simulate_scratch_and_transfer": dict(n=3, d=5, theta=0.5, sigma=0.1),
    "simulate_transfer_grid": dict(n=3, d=5, thetas=[0.5], sigma=0.1),
    "simulate_min_norm_sigma_grid": dict(n=3, d=5, sigmas=[0.1]),
    "simulate_ridge_grid": dict(n=3, d=5, sigma=0.1, lams=[0.1]),
    "simulate_aniso_scratch_risk": dict(eigenvalues=EV, beta_t=BT, n=3, sigma=0.1),
    "simulate_aniso_tuned_ridge_risk": dict(eigenvalues=EV, beta_t=BT, n=3, sigma=0.1, lams=[0.1]),
    "simulate_aniso_linear_transfer_risk": dict(eigenvalues=EV, beta_s=BS, beta_t=BT, n=3, sigma=0.1),
    "simulate_aniso_finetune_linear_risk": dict(eigenvalues=EV, beta_s=BS, beta_t=BT, n=3, sigma=0.1),
    "simulate_aniso_transfer": dict(eigenvalues=EV, beta_s=BS, beta_t=BT, n=3, sigma=0.1),
    "simulate_aniso_deep_finetune": dict(eigenvalues=EV, beta_s=BS, beta_t=BT, n=3, sigma=0.1, max_steps=3),
    "simulate_finetune_paired": dict(n=3, d=5, theta=0.5, sigma=0.1, max_steps=3),
    "simulate_finetune_models": dict(n=3, d=5, theta=0.5, sigma=0.1),
    "simulate_lt_finite_source_paired": dict(n=3, d=5, theta=0.5, sigma=0.1, gamma_s=1.2, sigma_s=0.1),
    "simulate_tuned_vs_transfer": dict(n=3, d=5, theta=0.5, sigma=0.1, lam=0.1),
    "simulate_finetune_rows": dict(n=3, d=5, sigma=0.1, thetas=[0.5], max_steps=3),
    "simulate_lt_finite_source_rows": dict(n=3, d=5, sigma=0.1, gamma_s=1.2, sigma_s=0.1, thetas=[0.5]),
    "simulate_deep_linear": dict(procedure="ft", **DEEP),
    "simulate_transfer": DEEP, "simulate_deep_scratch": DEEP, "simulate_deep_linear_transfer": DEEP,
    "simulate_deep_finetune": DEEP,
    "simulate_deep_linear_transfer_lams": dict(n=3, d=4, theta=0.5, sigma=0.1, lams=[0.0], pretrain_steps=3),
    "simulate_relu": dict(n=3, mu=0.0, **RELU),
    "simulate_relu_scratch": dict(ns=[3], **RELU),
    "simulate_relu_transfer": dict(ns=[3], mus=[0.0], **RELU),
    "sample_kl_divergence": dict(theta=0.5, sigma_p=0.5, sigma_q=0.7, d=2, size=50),
    "simulate_w1_estimate": dict(theta=0.5, sigma=0.1, d=2, size=10),
}
SIMS = public_simulators()


def takes(fn, name) -> bool:
    params = inspect.signature(fn).parameters
    return name in params or (name in ReluSpec.names() and any(p.kind == p.VAR_KEYWORD for p in params.values()))


def call(name, **changes):
    """The tiny valid call of simulator ``name`` (2 instances where it takes them, seed 0) with ``changes``."""
    fn = SIMS[name]
    kw = dict(BASE[name])
    if takes(fn, "instances"):
        kw["instances"] = 2
    kw["seed"] = 0
    if "gamma" in changes:
        kw.pop("n", None)
    kw.update(changes)
    return fn(**kw)


def declared(name) -> list:
    """Parameters of simulator ``name`` that have a declared domain (signature order; ReLU settings too)."""
    fn = SIMS[name]
    names = list(inspect.signature(fn).parameters)
    if any(p.kind == p.VAR_KEYWORD for p in inspect.signature(fn).parameters.values()):
        names += list(ReluSpec.names())
    return [p for p in dict.fromkeys(names) if (p in DOMAINS or p in GRIDS) and takes(fn, p)]


def random_helpers() -> dict:
    """Every other public function of ftheory.simulate that takes ``seed`` (data, teachers, initialisations,
    pretraining), by ``module.name``; sweeps (whose ``seed`` is an int root) excluded."""
    import pkgutil

    import ftheory.simulate as S

    out = {}
    for m in pkgutil.walk_packages(S.__path__, "ftheory.simulate."):
        mod = importlib.import_module(m.name)
        for name, f in vars(mod).items():
            if name.startswith("_") or "__mutmut_" in name or not inspect.isfunction(f) or f.__module__ != m.name \
                    or name in SIMS or name in ("sweep", "point_seed"):    # (mutmut's copies: x_NAME__mutmut_N)
                continue
            if m.name == "ftheory.simulate.keyed" or name == "gram_panels":
                # sweep points (``seed`` is the point seed a sweep derives; simulate_ridge_lam_rows draws from its
                # root on purpose) and a function of a finished ReLU simulation (its draws are checked against
                # sphere_inputs in tests/simulate/test_relu_gram.py): not random helpers with the seed contract
                continue
            if "seed" in inspect.signature(f).parameters:
                out[f"{m.name}.{name}"] = f
    return out


def _relu_pretrain_args():
    from ftheory.simulate.relu import draw_teacher, init_student

    return (init_student(3, 4, instances=2, seed=1), draw_teacher(3, 2, instances=2, seed=0).source(0.0))


def _xy():
    import numpy as np

    rng = np.random.default_rng(3)
    return rng.standard_normal((2, 3, 5)), rng.standard_normal((2, 3))


HELPER_CALLS = {   # name: (positional arguments (or a function making them), keywords) of a tiny call
    "ftheory.simulate.aniso.block_teacher": ((6, 2, 0.5), {}),
    "ftheory.simulate.aniso.random_spectrum": ((5,), {}),
    "ftheory.simulate.aniso.sigma_data": ((EV, BT, 3), {"sigma": 0.1}),
    "ftheory.simulate.aniso.two_level_pair": ((6, 0.5, 2.0, 0.5, 0.5, 0.5), {}),
    "ftheory.simulate.data.gaussian_data": (([[0.6, 0.8, 0.0]], 4), {"sigma": 0.1}),
    "ftheory.simulate.data.sphere_inputs": ((5, 3), {}),
    "ftheory.simulate.data.target_teacher": ((4,), {"instances": 2}),
    "ftheory.simulate.data.teachers": ((4, 0.5), {"instances": 2}),
    "ftheory.simulate.deep_linear.network.init_network": ((4,), {"depth": 3, "instances": 2}),
    "ftheory.simulate.deep_linear.network.pretrained_state": (([[0.5, 0.5, 0.5, 0.5]],), {"depth": 3}),
    "ftheory.simulate.deep_linear.training.pretrain": (([[1.0, 0.0, 0.0, 0.0]],), {"max_steps": 3}),
    "ftheory.simulate.deep_linear.training.train_scratch": (_xy, {"max_steps": 3}),
    "ftheory.simulate.linear_grid.transfer_grid_estimates": ((3, 5, [0.5], 0.1), {"instances": 2}),
    "ftheory.simulate.paired.pretrained_feature_norms": ((4, 1.0, 2), {"instances": 2}),
    "ftheory.simulate.relu.network.draw_teacher": ((3, 2), {"instances": 2}),
    "ftheory.simulate.relu.network.init_student": ((3, 4), {"instances": 2}),
    "ftheory.simulate.relu.procedures.pretrain": (_relu_pretrain_args, {"n_source": 4, "steps": 2}),
    "ftheory.simulate.relu.spans.simulate_teacher_outside": ((3, 2, [0.0, 0.5]), {"instances": 2}),
}
