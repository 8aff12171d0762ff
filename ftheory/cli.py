"""Command-line interface: a thin layer over the public API.

    ftheory list [--topic T] [--json]
    ftheory show NAME [--json]
    ftheory latex NAME | --all [--out FILE]
    ftheory eval NAME gamma=0.5 sigma=0.2 [--dps 50] [--json]
    ftheory limit NAME PARAM POINT [--dir -|+|+-] [sigma=0 ...] [--json]
    ftheory series NAME PARAM POINT [--order 3] [--dir -|+|+-] [--json]
    ftheory reproduce [--out DIR] [--only IDS] [--scale tiny|default|paper] [--redraw] [--docs DIR]
    ftheory explore [--out explorer.html] [--data STORE_DIR]

Parameter values accept expressions (``theta=pi/4``), comma lists (``gamma=0.5,1.5``) and ranges
(``gamma=0:2:0.5``).
Errors print one line on stderr and exit with status 2.
"""
from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys

EXIT_USAGE = 2


from ftheory._checks import overflow_hint
from ftheory.cli_common import CLIError, _assignments, _emit, _number, _Parser, parse_known_args, plain_text


# -- commands ----------------------------------------------------------------------------------

def cmd_list(ns):
    """``ftheory list``: registered results, optionally of one topic."""
    from ftheory.registry import results

    rows = results(ns.topic)
    if not rows and ns.topic is not None:
        topics = sorted({r.topic for r in results()})
        raise CLIError(f"--topic {ns.topic!r} is not a topic; topics are {', '.join(topics)}")
    if ns.json:
        _emit([r.spec.as_dict() | {"params": list(r.params)} for r in rows], True, "")
        return
    width = max((len(r.name) for r in rows), default=10)
    topic = None
    for r in rows:
        if r.topic != topic:
            topic = r.topic
            print(f"[{topic}]")
        args = ", ".join(r.params)
        print(f"  {r.name:<{width}}  ({args})  [{r.status}]  {r.reference}")


def cmd_show(ns):
    """``ftheory show NAME``: metadata and the pretty-printed formula of a result."""
    from ftheory.registry import get

    from ftheory.display import formula_text

    r = get(ns.name)
    if ns.json:
        _emit({**r.spec.as_dict(), "params": list(r.params), "domain": r.domain,
               "defaults": r.defaults, "expr": str(r.expr), "latex": r.latex()}, True, "")
        return
    print(f"{r.name}  [{r.status}]  {r.reference}")
    print(r.summary)
    print()
    print(formula_text(r))
    print()
    print("domain:")
    for p, dom in r.domain.items():
        default = f"  (default {r.defaults[p]:g})" if p in r.defaults else ""
        print(f"  {p} in {dom}{default}")
    from ftheory.twins import checked_by
    if checked_by(r.name):
        print(f"checked by: {checked_by(r.name)}")


def cmd_latex(ns):
    """``ftheory latex NAME`` (or ``--all``: the formula sheet)."""
    from ftheory.sheet import formula_sheet
    from ftheory.registry import get

    if ns.all == bool(ns.name):
        raise CLIError("give a result NAME or --all")
    text = formula_sheet() if ns.all else get(ns.name).latex()
    if ns.out:
        with open(ns.out, "w") as fh:
            fh.write(text + ("\n" if not text.endswith("\n") else ""))
        print(f"wrote {ns.out}")
    else:
        print(text)


def cmd_eval(ns):
    """``ftheory eval NAME param=value ...``: float64 (or ``--dps``: mpmath) values."""
    import numpy as np

    from ftheory.registry import get

    r = get(ns.name)
    if ns.dps is None:
        _check_digits(ns)
    elif ns.digits is not None and ns.digits < 1:
        raise CLIError(f"--digits {ns.digits} is invalid: expected an integer >= 1")
    if ns.dps is not None:
        import mpmath

        # the user's text, so that mpmath keeps every decimal digit (1e400 too) and evaluates pi-expressions exactly
        exact = _read_assignments(ns.params, r, parse=False)
        if any(isinstance(v, list) or ":" in v for v in exact.values()):  # a list or a range start:stop:step
            raise CLIError("--dps evaluates scalars only; give one value per parameter")
        value = r.mp(dps=ns.dps, **exact)
        text = mpmath.nstr(value, ns.dps if ns.digits is None else min(ns.digits, ns.dps))
        _emit({"result": r.name, "params": {k: str(v) for k, v in exact.items()}, "dps": ns.dps,
               "value": text}, ns.json, text)
        return
    try:
        with overflow_hint(".mp(...)"):
            values = _read_assignments(ns.params, r)
        value = r(**values)
    except ValueError as exc:  # the command-line spelling of .mp(...)
        raise CLIError(str(exc).replace("use .mp(...)", "use --dps N")) from None

    def shown(v):
        if not isinstance(v, float):
            return v  # "inf" / "-inf"
        return repr(v) if ns.digits is None else f"{v:.{ns.digits}g}"

    if np.ndim(value) == 0:
        _emit({"result": r.name, "params": values, "value": _number(value)}, ns.json, shown(_number(value)))
    else:
        flat = [_number(v) for v in np.ravel(value)]
        _emit({"result": r.name, "params": values, "value": flat}, ns.json, "\n".join(shown(v) for v in flat))


def _check_digits(ns):
    if ns.digits is not None and not 1 <= ns.digits <= 17:
        raise CLIError(f"--digits {ns.digits} is invalid: expected an integer in [1, 17] (float64 holds 17 "
                       "significant digits; use --dps for more)")


def cmd_limit(ns):
    """``ftheory limit NAME PARAM POINT``: a symbolic limit."""
    from ftheory.registry import get

    r = get(ns.name)
    subs = _raw_assignments(ns.params, r)
    with _time_box(ns.timeout, f"the limit {ns.param} -> {ns.point}"), _dir_option():
        value = r.limit(ns.param, ns.point, ns.dir, **subs)
    _emit({"result": r.name, "param": ns.param, "point": ns.point, "dir": ns.dir, "subs": subs,
           "limit": str(value), "latex": _latex(value)}, ns.json, str(value))


def cmd_series(ns):
    """``ftheory series NAME PARAM POINT``: a series expansion."""
    from ftheory.registry import get

    r = get(ns.name)
    subs = _raw_assignments(ns.params, r)
    with _time_box(ns.timeout, f"the series in {ns.param} at {ns.point} to order {ns.order}"), _dir_option():
        value = r.series(ns.param, ns.point, ns.order, ns.dir, **subs)
    side = _series_side(r, ns, subs, value)
    _emit({"result": r.name, "param": ns.param, "point": ns.point, "order": ns.order, "dir": ns.dir,
           "subs": subs, "series": str(value), "latex": _latex(value)}, ns.json, str(value) + side)


@contextlib.contextmanager
def _dir_option():
    """Name the option ``--dir`` where the library's message names the argument ``dir=``."""
    try:
        yield
    except ValueError as exc:
        raise CLIError(str(exc).replace("pass dir='-' or dir='+'", "pass --dir - or --dir +")) from None


def _series_side(r, ns, subs, value) -> str:
    """A line naming the side of ``ns.point`` a one-sided series (``--dir +`` or ``-``) was taken on, where the
    two sides differ (a pole or branch point: the expansion is no polynomial; or a change of Piecewise
    branch); else ``""`` (also for ``--dir +-``, where the sides agree)."""
    from ftheory.params import PARAMS, parse_number

    if ns.dir == "+-":
        return ""
    try:
        point = parse_number(ns.point)
    except ValueError:  # oo
        return ""
    if not math.isfinite(point) or point in (PARAMS[ns.param].low, PARAMS[ns.param].high):  # one side only
        return ""
    other = "-" if ns.dir == "+" else "+"
    try:
        same = r.branch(ns.param, ns.point, other, **subs) == r.branch(ns.param, ns.point, ns.dir, **subs)
    except ValueError:  # no branch, or an undecided one, on the other side
        return ""
    if same and value.removeO().is_polynomial(PARAMS[ns.param].symbol):
        return ""
    return (f"\n(expanded on the side {ns.param} {'>' if ns.dir == '+' else '<'} {ns.point}, --dir {ns.dir}; "
            f"--dir {other} expands on the other side)")


def _time_box(seconds, what):
    """Stop symbolic work after ``seconds`` with a clear error (SIGALRM; main thread on POSIX only)."""
    from ftheory._timebox import time_box

    if seconds is not None and not seconds > 0:
        raise CLIError(f"--timeout {seconds} is invalid: expected a number of seconds > 0")
    return time_box(seconds, lambda: CLIError(f"{what} did not finish within --timeout {seconds:g} s; "
                                              "SymPy cannot simplify it quickly (try a lower order, or "
                                              "numeric values for the other parameters)"))


def _read_assignments(items, result=None, parse: bool = True) -> dict:
    """:func:`_assignments`, then its notes on how a word was read (``gamma=1,5``) printed on stderr."""
    values = _assignments(items, result, parse=parse, notes=(notes := []))
    sys.stderr.write("".join(f"{note}\n" for note in notes))
    return values


def _raw_assignments(items, result) -> dict:
    """Like :func:`_assignments` but keep the text (limits and series stay exact)."""
    checked = _read_assignments(items, result)  # gamma=1,5: its note, then refused as a list
    raw = {item.partition("=")[0]: item.partition("=")[2] for item in items}
    for k, v in checked.items():
        if isinstance(v, list):
            raise CLIError(f"{k}: give one value for a limit or series")
    return {k: raw[k] for k in checked}


def _latex(value):
    from ftheory.latex import to_latex

    return to_latex(value)


def cmd_validate(ns):
    """``ftheory validate``: every simulation twin, theory against simulation."""
    from ftheory import validate

    return validate.run(ns, _emit)


def cmd_phase_diagram(ns):
    """``ftheory phase-diagram NAME``: a theory phase diagram as PNG + PDF."""
    from ftheory.figures.phase import phase_diagram

    params = _read_assignments(ns.params)  # gamma=1,5: its note, then refused as a list
    for name, value in params.items():  # NAME=VALUE words: fixed values of the parameters other than the axes
        if name in ("theta", "gamma"):
            raise CLIError(f"{name}={value!r}: theta and gamma are the axes of the phase diagram; give the others")
        if isinstance(value, list):
            raise CLIError(f"{name}={value!r}: give one value (the diagram fixes every parameter but theta and gamma)")
    for name in ("sigma", "lam", "gamma_s", "sigma_s", "depth", "norm_s", "norm_t"):
        value = getattr(ns, name, None)
        if value is not None:
            from ftheory.params import get_param

            if name in params:
                raise CLIError(f"{name} is given twice (--{name.replace('_', '-')} and {name}=); give it once")
            params[name] = get_param(name).parse(value)
    if ns.size < 2:
        raise CLIError(f"--size {ns.size} is invalid: expected an integer >= 2 (grid points per axis)")
    files = phase_diagram(ns.name, ns.out, size=ns.size, binary=ns.binary, **params)
    print("\n".join(f"wrote {f}" for f in files))


def cmd_explore(ns):
    """``ftheory explore``: write (and optionally open) the interactive explorer."""
    from ftheory.explore.page import write_page

    info = write_page(ns.out, data_dir=ns.data)
    extra = f", {info['records']} simulation points from {ns.data}" if ns.data else ""
    if info.get("relu_fit"):
        extra += f", ReLU scratch power law A = {info['relu_fit']['A']:.4g}, nu = {info['relu_fit']['nu']:.3f}"
    print(f"wrote {info['path']} ({info['bytes'] / 1e3:.0f} kB{extra}); open it in any browser (works offline)")


def cmd_reproduce(ns):
    """``ftheory reproduce``: every figure of the paper, theory and simulation."""
    from ftheory.figures import reproduce

    only = None
    if ns.only is not None:
        only = [s.strip() for s in ns.only.split(",")]
        if not all(only):
            raise CLIError(f"--only {ns.only!r} names an empty figure id; give comma-separated ids (see "
                           "'ftheory reproduce --help')")
    if os.path.exists(ns.out) and not os.path.isdir(ns.out):
        raise CLIError(f"--out {ns.out!r} is a file: expected a folder (created if missing)")
    from ftheory.simulate.sweeps import use_executor

    executor = ns.executor or ("dask" if ns.scheduler else "serial")
    with use_executor(executor, scheduler=ns.scheduler, workers=ns.workers):
        reproduce(out=ns.out, only=only, scale=ns.scale, seed=ns.seed, redraw=ns.redraw, docs=ns.docs)
    print(f"wrote {os.path.abspath(os.path.join(ns.out, 'index.html'))}; open it in a browser")


# -- parser ------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``ftheory`` command."""
    parser = _Parser(prog="ftheory", description="Transfer-learning theory of 'Features are fate': "
                     "derive, export, evaluate and check the closed forms.")
    parser.add_argument("--version", action="version", version="ftheory 0.1.0")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("list", help="list the registered results")
    p.add_argument("--topic", help="only this topic (e.g. scratch)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", help="show a result: formula, domain, reference")
    p.add_argument("name")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("latex", help="LaTeX of a result, or the whole formula sheet (--all)")
    p.add_argument("name", nargs="?")
    p.add_argument("--all", action="store_true", help="a complete .tex document with every result")
    p.add_argument("--out", help="write to this file instead of stdout")
    p.set_defaults(func=cmd_latex)

    p = sub.add_parser("eval", help="evaluate a result: ftheory eval scratch_risk gamma=0.5 sigma=0.2")
    p.add_argument("name")
    p.add_argument("params", nargs="*", metavar="PARAM=VALUE",
                   help="values such as gamma=0.5, theta=pi/4, lists gamma=0.5,1.5 or ranges gamma=0:2:0.5 "
                   "(start:stop:step); the lists of several parameters pair element by element")
    p.add_argument("--dps", type=int, help="evaluate with mpmath at this many significant digits (at most 1000)")
    p.add_argument("--digits", type=int, help="print this many significant digits (float64: 1 to 17)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("limit", help="symbolic limit: ftheory limit scratch_risk gamma 1 --dir -")
    p.add_argument("name")
    p.add_argument("param")
    p.add_argument("point", help="a number, an expression such as pi/2, or oo")
    p.add_argument("params", nargs="*", metavar="PARAM=VALUE", help="substitute these first")
    p.add_argument("--dir", default="+-", choices=["+", "-", "+-"])
    p.add_argument("--timeout", type=float, default=120.0, help="give up after this many seconds (default 120)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_limit)

    p = sub.add_parser("series", help="series expansion: ftheory series scratch_risk gamma oo --order 3")
    p.add_argument("name")
    p.add_argument("param")
    p.add_argument("point", help="a number, an expression such as pi/2, or oo")
    p.add_argument("params", nargs="*", metavar="PARAM=VALUE", help="substitute these first")
    p.add_argument("--order", type=int, default=3, help="expand to O(param^order) (at most 30)")
    p.add_argument("--dir", default="+-", choices=["+", "-", "+-"])
    p.add_argument("--timeout", type=float, default=120.0, help="give up after this many seconds (default 120)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_series)

    from ftheory.cli_sim import add_simulate_parser, add_sweep_parser

    add_simulate_parser(sub)
    add_sweep_parser(sub)

    p = sub.add_parser("validate", help="theory versus simulation: every twin of ftheory.twins (exit 1 on failure)")
    from ftheory.validate import add_arguments

    add_arguments(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("phase-diagram", help="theory phase diagram over (theta, gamma) of a result, as PNG + PDF")
    p.add_argument("name", help="a result with gamma and theta parameters, e.g. linear_transfer_transferability")
    p.add_argument("params", nargs="*", metavar="PARAM=VALUE", help="other parameters, e.g. depth=3")
    p.add_argument("--sigma")
    p.add_argument("--lam")
    p.add_argument("--gamma-s", dest="gamma_s")
    p.add_argument("--sigma-s", dest="sigma_s")
    p.add_argument("--depth")
    p.add_argument("--norm-s", dest="norm_s")
    p.add_argument("--norm-t", dest="norm_t")
    p.add_argument("--size", type=int, default=600, help="grid points per axis (default 600)")
    p.add_argument("--binary", action="store_true", help="colour only the sign of T")
    p.add_argument("--out", default="phase_diagram.png")
    p.set_defaults(func=cmd_phase_diagram)

    p = sub.add_parser("explore", help="write the interactive explorer: one self-contained HTML page",
                       description="Interactive widgets (phase diagrams, risks, fine-tuning, finite source, tuned "
                       "baseline, similarity, ReLU kernels, Mercer eigenvalues and the power-law boundary) computed "
                       "by JavaScript generated from the registered results; no network access needed. See "
                       "docs/explorer.md.")
    p.add_argument("--out", default="explorer.html", help="output file (default: explorer.html)")
    p.add_argument("--data", metavar="STORE_DIR",
                   help="a sweep store folder (ftheory sweep --store, or figures/store of ftheory reproduce): "
                   "overlay its completed points with error bars; an ftheory reproduce output folder also "
                   "supplies the fitted ReLU power law (A, nu) and residuals")
    p.set_defaults(func=cmd_explore)

    from ftheory.cli_advise import add_parser as _add_advise
    _add_advise(sub)

    p = sub.add_parser("reproduce", help="reproduce the paper's figures, theory and simulation side by side",
                       epilog="[EXT] below marks what is not in the paper: an extension or correction derived "
                       "for the toolkit (labels: docs/background.md §0.1).")
    p.add_argument("--out", default="figures", help="output folder (default: figures)")
    p.add_argument("--only", help="comma-separated figure ids (listed below)")
    p.add_argument("--scale", default="default", choices=["tiny", "default", "paper"],
                   help="simulation size: tiny (seconds, for tests), default (minutes) or paper (the authors' "
                   "protocol, d = 500: about 6 min for the nine non-ReLU figures with --executor processes "
                   "--workers 2; the ReLU figures take hours; see docs/performance.md)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--redraw", action="store_true", help="draw every figure again even if it is up to date")
    p.add_argument("--docs", metavar="DIR", help="also write DIR/figures.md and copy the PNGs to DIR/images")
    p.add_argument("--executor", choices=["serial", "processes", "dask"],
                   help="where the simulation points run (default serial; see docs/cluster.md)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="dask.distributed scheduler address or scheduler file: every point runs on that cluster")
    p.add_argument("--workers", type=int, help="processes for --executor processes or a local Dask cluster")
    p.set_defaults(func=cmd_reproduce)
    from ftheory.figures import add_figure_list

    add_figure_list(p)  # --help lists the figure ids

    from ftheory import cli_aniso

    cli_aniso.add_parser(sub)
    _describe(sub)
    return parser


_ARG_HELP = {"name": "a registered result (ftheory list shows them all)",
             "param": "the parameter to vary, e.g. gamma", "seed": "base random seed (default %(default)s)",
             "series.dir": "expand above the point (+), below it (-) or on both sides (+-; default: an error "
                           "if the two expansions differ, as at a pole)",
             "limit.dir": "approach the point from above (+), below (-) or both (+-; default: an error if the "
                          "two limits differ)",
             "simulate.procedure": "the procedure to simulate", "phase-diagram.out": "output image (default "
             "%(default)s)", "sweep.instances": "Monte Carlo instances per grid point (default %(default)s)",
             "sweep.workers": "processes for --executor processes or a local Dask cluster",
             "json": "print JSON instead of text"}


def _describe(sub):
    """``ftheory CMD --help`` starts with the command's one-line help where it has no description, the
    positional ``name``/``param`` arguments, ``--seed`` and ``--json`` get a line of help, and docstring
    markup is rendered as plain text (:func:`~ftheory.cli_common.plain_text`)."""
    for action in sub._choices_actions:
        p = sub.choices[action.dest]
        p.description = plain_text(p.description or action.help)
        for a in p._actions:
            a.help = plain_text(a.help or _ARG_HELP.get(f"{action.dest}.{a.dest}") or _ARG_HELP.get(a.dest)
                                or _param_help(a.dest))


def _param_help(dest):
    from ftheory.params import PARAMS

    return f"value of {dest}: {PARAMS[dest].description}" if dest in PARAMS else None


def _unrecognized(parser, command, extra):
    """Report unknown words through the subcommand's parser ("see 'ftheory X --help'"), naming the closest
    option of that subcommand for a misspelled one (--thta -> --theta)."""
    import difflib

    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[command]
    options = [o for a in sub._actions for o in a.option_strings if o.startswith("--")]
    close = [difflib.get_close_matches(e.split("=")[0], options, n=1, cutoff=0.7) for e in extra if e.startswith("--")]
    hint = "".join(f"; did you mean {c[0]}?" for c in close[:1] if c)
    sub.error(f"unrecognized arguments: {' '.join(extra)}{hint}")


def main(argv=None) -> int:
    """Run the ``ftheory`` command; returns the exit status (2 on bad input)."""
    parser = build_parser()
    try:
        ns, extra = parse_known_args(parser, argv)  # limit NAME PARAM -oo: a point, not an option
        # PARAM=VALUE words may also follow the options (argparse stops the positional list there).
        if extra and getattr(ns, "params", None) is not None \
                and all("=" in e and not e.startswith("-") for e in extra):
            ns.params = list(ns.params) + extra
        elif extra:
            _unrecognized(parser, ns.command, extra)
        status = ns.func(ns)
    except CLIError as exc:
        print(f"ftheory: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as exc:
        print(f"ftheory: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # pragma: no cover - e.g. `ftheory latex --all | head`
        return 0
    except OSError as exc:  # an output path that cannot be written (missing folder, no permission)
        where = f": {exc.filename!r}" if exc.filename else ""
        print(f"ftheory: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_USAGE
    return status or 0


if __name__ == "__main__":
    # `python -m ftheory.cli` runs this file as __main__; run the package module's main instead, so the
    # CLIError raised by ftheory.cli_* (which import ftheory.cli) is the class that main catches.
    from ftheory.cli import main as _package_main

    sys.exit(_package_main())
