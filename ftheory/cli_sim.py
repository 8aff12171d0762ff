"""``ftheory simulate`` and ``ftheory sweep``: Monte Carlo from the command line.

The flags of ``simulate`` are generated from the simulator's parameter declarations
(:mod:`ftheory.simulate.deep_linear.options`); ``sweep`` runs any simulator of
:mod:`ftheory.simulate.catalog` on a grid, serially, on local processes or on a Dask cluster.
"""
from __future__ import annotations

import argparse


def _err():
    # ValueError: ftheory.cli.main prints it as one line with status 2 (also when run as __main__,
    # where ftheory.cli.CLIError would be a different class)
    return ValueError


# -- simulate ----------------------------------------------------------------------------------------
def _flag(name):
    return "--" + name.replace("_", "-")


def add_simulate_parser(sub):
    """Add the ``simulate`` subcommand (flags generated from the deep-linear option declarations) to ``sub``; returns
    its parser.
    """
    from ftheory.simulate.deep_linear.options import OPTIONS, TASK

    p = sub.add_parser("simulate", help="train deep linear networks by gradient descent and report the risk",
                       description="Monte Carlo of the deep-linear procedures (docs/background.md §1.4): "
                       "scratch, linear transfer (read-out refit) or fine-tuning, with a small-initialisation "
                       "pretrained network; prints mean risk, standard error and convergence. Every option "
                       "below is a parameter of ftheory.simulate.deep_linear.simulate_transfer.")
    p.add_argument("procedure", choices=["scratch", "linear-transfer", "finetune"])
    for o in TASK + OPTIONS:
        doc = _CLI_DOC.get(o.name, o.doc)
        if o.kind == "bool":
            on = _flag(o.name)
            default = "" if o.default is None else f" (default {on if o.default else '--no-' + on[2:]})"
        else:
            default = "" if o.default is None or o.name in _CLI_DOC else f" (default {o.default!r})"
        kw = {"dest": o.name, "help": doc + default}
        names = [_flag(o.name)]
        if o.name == "instances":
            names.append("--reps")
        if o.kind == "bool":
            kw["action"] = argparse.BooleanOptionalAction
            kw["default"] = None
        elif o.kind == "choice":
            kw["choices"] = list(o.choices)
        elif o.kind == "int":
            kw["type"] = int
        p.add_argument(*names, **kw)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_simulate)
    return p


# what the Python docstrings say in Python terms, said for the command line
_CLI_DOC = {
    "seed": "random seed: an integer >= 0; the same seed repeats the same numbers (default 0, so runs "
            "without --seed all repeat the same numbers)",
    "lr": "target-training step size > 0 (default: automatic, 0.5 / (depth x lam_max x max(1, r)^(2 - 2/depth)) "
          "with lam_max the largest eigenvalue of X'X/n and r a bound on the norm of the end-to-end weights)",
    "reduced": "exact reduced (spectral) dynamics; --no-reduced runs textbook full-dimensional GD",
    "early_stop": "freeze converged instances (--no-early-stop: run all --max-steps steps, as the authors' "
                  "code fine-tunes)",
}


def _parse_option(o, value):
    from ftheory.params import PARAMS, parse_number

    if value is None or o.kind in ("int", "bool", "choice"):
        return value
    if o.kind == "param":
        prm = PARAMS[o.name]
        v = prm.parse(value)
        return int(v) if prm.integer else v
    try:
        return float(parse_number(value))
    except ValueError:
        raise _err()(f"{_flag(o.name)} {value!r}: expected a number") from None


def cmd_simulate(ns):
    """Deep linear networks trained by gradient descent (or flow) on Gaussian data."""
    from ftheory.cli_common import _emit, _estimate_json
    from ftheory.simulate.deep_linear import simulate_deep_linear, simulate_transfer
    from ftheory.simulate.deep_linear.options import OPTIONS, TASK

    given = {o.name: _parse_option(o, getattr(ns, o.name)) for o in TASK + OPTIONS}
    given = {k: v for k, v in given.items() if v is not None}
    if given.get("seed") is None:
        given["seed"] = 0
    elif given["seed"] < 0:
        raise _err()(f"--seed {given['seed']} is invalid: expected an integer >= 0")
    if "sigma_s" in given and "gamma_s" not in given:
        raise _err()("--sigma-s needs --gamma-s (finite source set)")
    if given.get("instances", 1) < 1:
        raise _err()(f"--reps {given['instances']} is invalid: expected an integer >= 1")
    if ns.procedure == "scratch":
        out = {"risk": simulate_deep_linear("sc", **given)}
    else:
        tx = "lt" if ns.procedure == "linear-transfer" else "ft"
        res = simulate_transfer(**given)
        out = {"risk": res[tx], "scratch_risk": res["sc"], "transferability": res["T_" + tx]}
    info = out["risk"].info
    task = {k: info[k] for k in ("n", "d", "theta", "sigma", "depth") if k in info}
    data = {"procedure": ns.procedure, "params": {**given, **task}, "seed": given["seed"],
            **{k: _estimate_json(v) for k, v in out.items()}}
    lines = [f"{ns.procedure}: n={task['n']} d={task['d']} theta={task['theta']:.6g} sigma={task['sigma']:g} "
             f"depth={task['depth']} method={info.get('method', 'gd')}"]
    for k, v in out.items():
        conv = "" if v.all_converged else "  NOT ALL CONVERGED: do not trust this mean"
        lines.append(f"  {k:16s} {v.mean:.6g} +- {v.sem:.3g} (sem)   converged {int(v.converged.sum())}/"
                     f"{v.instances}{conv}")
    _emit(data, ns.json, "\n".join(lines))


# -- sweep -------------------------------------------------------------------------------------------
def add_sweep_parser(sub):
    """Add the ``sweep`` subcommand to the argparse subparsers ``sub``; returns its parser."""
    from ftheory.simulate.catalog import SIMULATORS
    from ftheory.simulate.sweeps import EXECUTORS

    p = sub.add_parser("sweep", help="Monte Carlo sweep over a parameter grid (resumable with --store)",
                       description="Run a simulator over the Cartesian product of the --grid values. "
                       "Simulators: " + "; ".join(f"{k}: {v[2]}" for k, v in SIMULATORS.items()))
    p.add_argument("simulator", help=", ".join(SIMULATORS))
    p.add_argument("--grid", action="append", default=[], metavar="NAME=VALUES",
                   help="values to sweep: a,b,c or start:stop:step (repeatable); gamma=... with --set d=... "
                   "runs each point at n = round(gamma d)")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="fixed parameter (repeatable)")
    p.add_argument("--instances", type=int, default=100)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--store", help="folder of the resumable store: finished points are kept and reused")
    p.add_argument("--executor", default=None, choices=list(EXECUTORS),
                   help="serial (default), processes, or dask (with --scheduler: an existing cluster)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="dask.distributed scheduler address (tcp://host:8786) or scheduler file; implies "
                   "--executor dask (docs/cluster.md)")
    p.add_argument("--workers", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sweep)
    return p


class _Plain:
    """A simulator parameter outside ftheory.params (m, m_star, alpha, lr, max_steps, method, ...)."""

    def __init__(self, name):
        self.name, self.integer = name, False

    def parse(self, text):
        from ftheory.params import parse_number

        low = text.strip().lower()
        if low in ("true", "false"):
            return low == "true"
        if low in ("none", "null"):
            return None
        try:
            return int(text)
        except ValueError:
            pass
        try:
            return float(parse_number(text))
        except ValueError:
            return text.strip()          # e.g. method=flow; the simulator validates it

    def validate(self, value):
        return value


def _param(name, fn=None):
    """The canonical Param of ``name``, or a plain parser if ``fn`` takes ``name`` (ValueError otherwise)."""
    from ftheory.params import PARAMS, get_param

    if name in PARAMS:
        return get_param(name)
    if fn is not None:
        import inspect

        params = inspect.signature(fn).parameters
        if name in params or any(p.kind == p.VAR_KEYWORD for p in params.values()):
            return _Plain(name)
        listing = ", ".join(k for k in params if k not in ("instances", "seed"))
        raise ValueError(f"{fn.__name__} has no parameter {name!r}; its parameters are {listing}")
    return get_param(name)


def _fixed(items, fn) -> dict:
    values = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or not name:
            raise ValueError(f"--set expects NAME=VALUE, got {item!r}")
        if name in values:
            raise ValueError(f"--set {name} is given twice ({name}={values[name]!r} and {item!r}); give it once")
        values[name] = _param(name, fn).parse(text)
    return values


def grid_values(param, text, fn=None):
    """``a,b,c`` or an inclusive range ``start:stop:step`` (expressions allowed: ``0:pi/2:pi/8``)."""
    from ftheory.cli_common import range_values

    prm = _param(param, fn)
    if ":" in text:
        return range_values(prm, param, text)
    return [prm.parse(t) for t in text.split(",")]


def cmd_sweep(ns):
    """Run ``ftheory sweep``: the simulator over the product of the ``--grid`` values; prints a table (or JSON)."""
    from ftheory.cli_common import _emit, _number
    from ftheory.simulate.catalog import simulator
    from ftheory.simulate.sweeps import sweep, use_executor

    fn = simulator(ns.simulator)
    grid = {}
    for item in ns.grid:
        name, sep, text = item.partition("=")
        if not sep:
            raise _err()(f"--grid expects NAME=VALUES, got {item!r}")
        if name in grid:
            raise _err()(f"--grid {name} is given twice; give all its values in one --grid {name}=a,b,c")
        grid[name] = grid_values(name, text, fn)
    if not grid:
        raise _err()("give at least one --grid NAME=VALUES")
    fixed = _fixed(ns.set, fn)
    executor = ns.executor or ("dask" if ns.scheduler else "serial")
    with use_executor(executor, scheduler=ns.scheduler, workers=ns.workers):
        res = sweep(fn, grid, fixed=fixed, instances=ns.instances, seed=ns.seed, store=ns.store,
                    progress=not ns.json)
    if ns.json:
        _emit({"simulator": ns.simulator, "grid": res.grid, "fixed": res.fixed, "instances": res.instances,
               "seed": res.seed, "computed": res.computed, "loaded": res.loaded,
               "rows": [{k: _number(v) if isinstance(v, float) else v for k, v in row.items()}
                        for row in res.rows]}, True, "")
        return
    keys = list(res.grid)
    print("  ".join(f"{k:>10s}" for k in keys) + f"  {'quantity':>16s} {'mean':>12s} {'sem':>10s} {'conv':>6s}")
    for row in res.rows:
        print("  ".join(f"{row[k]:>10.4g}" for k in keys)
              + f"  {row['quantity']:>16s} {row['mean']:>12.6g} {row['sem']:>10.3g} "
                f"{row['converged']:>3d}/{row['instances']}")
    print(f"{res.computed} points computed, {res.loaded} loaded from the store")
