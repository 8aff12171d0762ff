"""The Monte Carlo drivers' parameters, declared once.

Each :class:`Option` drives the signature and docstring of :func:`simulate_deep_linear` and
:func:`simulate_transfer`, their validation (unknown names are rejected in one line naming the
parameters) and the flags of ``ftheory simulate`` (``ftheory/cli_simulate.py``).
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass

__all__ = ["Option", "OPTIONS", "TASK", "bind", "signature", "doc_block"]


@dataclass(frozen=True)
class Option:
    """One simulator parameter: name, default, one-line meaning and how the CLI parses it.

    ``kind`` is ``"param"`` (a canonical parameter of ``ftheory.params``: expressions allowed),
    ``"int"``, ``"real"``, ``"choice"`` (one of ``choices``) or ``"bool"``.
    """

    name: str
    default: object
    doc: str
    kind: str = "real"
    choices: tuple = ()


# the task: n (or gamma), d, theta, sigma
TASK = (
    Option("n", None, "target sample size (or give gamma)", "param"),
    Option("d", None, "input dimension, >= 2 (required)", "param"),
    Option("theta", 0.0, "source-target angle in radians, [0, pi]", "param"),
    Option("sigma", 0.0, "target label-noise standard deviation, >= 0", "param"),
    Option("gamma", None, "n / d: n = round(gamma d) (alternative to n)", "param"),
)

OPTIONS = (
    Option("depth", 2, "number of weight matrices, >= 2", "param"),
    Option("lam", 0.0, "read-out ridge of linear transfer, >= 0 (docs/background.md §0.2 item 7)", "param"),
    Option("alpha", None, "initialisation scale > 0 (default: 1e-5 at depth 2, 1e-2 deeper)"),
    Option("lr", None, "target-training step size > 0 (default: automatic, see train)"),
    Option("max_steps", 10000, "target-training step budget, >= 0", "int"),
    Option("tol", 1e-6, "loss tolerance of the convergence criterion, >= 0"),
    Option("wd", 0.0, "weight decay of scratch and fine-tuning, >= 0"),
    Option("gamma_s", None, "finite source set of n_s = round(gamma_s d) samples (default: population "
           "source)", "param"),
    Option("sigma_s", 0.0, "source label noise (with gamma_s), >= 0", "param"),
    Option("norm_s", 1.0, "source teacher norm, > 0", "param"),
    Option("norm_t", 1.0, "target teacher norm, > 0", "param"),
    Option("width", None, "hidden width m >= 1 (default d)", "int"),
    Option("instances", 20, "independent instances, >= 1", "int"),
    Option("seed", None, "int, numpy Generator, SeedSequence or None", "int"),
    Option("method", "gd", "gradient descent or gradient flow (adaptive ODE solver)", "choice", ("gd", "flow")),
    Option("reduced", True, "exact reduced (spectral) dynamics; False runs textbook full-dimensional GD", "bool"),
    Option("pretrained", "gd", "pretrained network: 'gd' trains it by GD from the small initialisation; "
           "'balanced' is the exactly balanced rank-one state of the alpha -> 0 limit (docs/background.md "
           "§2.3-§2.4) with end-to-end vector beta_s (population source) or the minimum-norm / least-squares "
           "fit of the source data, so fine-tuning runs the O(n)-per-step width-1 dynamics", "choice",
           ("gd", "balanced")),
    Option("pretrain_lr", None, "pretraining step size > 0 (default: automatic)"),
    Option("pretrain_steps", 20000, "pretraining step budget, >= 0", "int"),
    Option("pretrain_tol", 1e-12, "pretraining loss tolerance, >= 0"),
    Option("early_stop", True, "freeze converged instances (False: run max_steps, as [CODE] fine-tuning)",
           "bool"),
    Option("rcond", 1e-3, "linear-transfer relative singular-value cut-off, [0, 1)"),
    Option("rank", None, "linear transfer keeps at most this many singular directions, >= 1", "int"),
)

_BY_NAME = {o.name: o for o in TASK + OPTIONS}


def bind(task: dict, options: dict) -> dict:
    """All parameters with defaults filled; ``n`` from ``gamma`` if given. Unknown names: ValueError."""
    unknown = sorted(set(options) - set(_BY_NAME) | set(task) - set(_BY_NAME))
    if unknown:
        raise ValueError(f"unknown parameter {unknown[0]!r}: the deep-linear simulators take "
                         f"{', '.join(o.name for o in TASK + OPTIONS)}")
    out = {o.name: o.default for o in TASK + OPTIONS}
    out.update({k: v for k, v in task.items() if v is not None or k not in ("n", "d")})
    out.update(options)
    if out["d"] is None:
        raise ValueError("d=None is invalid: the input dimension d (an integer >= 2) is required")
    if out["gamma"] is not None:
        if out["n"] is not None:
            raise ValueError(f"n={out['n']!r} and gamma={out['gamma']!r}: give one of n and gamma")
        from ftheory.params import PARAMS
        from ftheory.simulate.gamma import n_from_gamma

        gamma = float(PARAMS["gamma"].validate(out["gamma"]))
        out["n"] = n_from_gamma(gamma, int(PARAMS["d"].validate(out["d"])))
    elif out["n"] is None:
        raise ValueError("n=None is invalid: give the sample size n (an integer >= 1) or gamma")
    del out["gamma"]
    return out


def signature(first=()) -> inspect.Signature:
    """The public signature: ``first`` positional names, the task, then keyword-only options."""
    P = inspect.Parameter
    params = [P(name, P.POSITIONAL_OR_KEYWORD) for name in first]
    params += [P(o.name, P.POSITIONAL_OR_KEYWORD if o.name in ("n", "d", "theta", "sigma") else P.KEYWORD_ONLY,
                 default=o.default) for o in TASK]
    params += [P(o.name, P.KEYWORD_ONLY, default=o.default) for o in OPTIONS]
    return inspect.Signature(params)


def doc_block() -> str:
    """The numpydoc parameter lines of every declared option."""
    from ftheory.params import PARAMS

    lines = []
    for o in TASK + OPTIONS:
        kind = {"param": "float", "int": "int", "real": "float", "bool": "bool"}.get(o.kind, "str")
        if o.kind == "param" and PARAMS[o.name].integer:
            kind = "int"
        if o.choices:
            kind = "{" + ", ".join(repr(c) for c in o.choices) + "}"
        lines.append(f"{o.name} : {kind}, default {o.default!r}\n    {o.doc}.")
    return "\n".join(lines)
