"""``ftheory validate``: every twin of :mod:`ftheory.twins`, theory against simulation.

Each check runs a twin's simulator at a point of its region and compares the simulated mean with
the twin's expectation (the exact finite-size oracle where one exists) within ``Z_MAX`` standard
errors plus the twin's declared finite-size allowance (see :func:`ftheory.twins.compare`). By
default every twin runs once, at its declared example point; ``points=k`` adds ``k`` points per
twin drawn uniformly in its region with a generator seeded by ``seed``. Twins marked slow (gradient
descent) run only with ``slow=True``.
"""
from __future__ import annotations

import numpy as np

from ftheory import twins as _twins

Z_MAX = _twins.Z_MAX


def checks(*, points: int = 0, seed: int = 0, slow: bool = False, result: str | None = None) -> list:
    """``(twin, point)`` pairs to run: each twin's example, plus ``points`` random points per twin."""
    rng = np.random.default_rng(seed)
    out = []
    for twin in _twins.twins(result):
        if twin.slow and not slow:
            continue
        out.append((twin, dict(twin.example)))
        out += [(twin, _twins.sample_point(twin, rng)) for _ in range(points)]
    if result is not None and not out:
        import ftheory

        ftheory.get(result)  # unknown name: ValueError with suggestions
        why = _twins.reasons().get(result)
        raise ValueError(f"result={result!r} has no {'fast ' if not slow else ''}simulation twin"
                         + (f": {why.why}" if why else "; pass slow=True (--slow)"))
    return out


def run_checks(pairs, *, seed: int = 0, progress=None) -> list:
    """Run each ``(twin, point)`` and return its :class:`ftheory.twins.Comparison` (in order).

    The simulation seed is :func:`ftheory.twins.seed_for` of the pair, shifted by ``seed``.
    """
    outcomes = []
    for twin, point in pairs:
        if progress:
            progress(twin, point)
        outcomes.append(_twins.compare(twin, point, seed=(_twins.seed_for(twin, point) + int(seed)) % 2 ** 32))
    return outcomes


def _fmt(point) -> str:
    return ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in point.items())


def format_table(outcomes) -> str:
    """Plain-text table of comparisons with a pass/fail count."""
    head = f"{'result':44s} {'theory':>10s} {'simulation':>11s} {'sem':>9s} {'tol':>9s} {'z':>7s} {'conv':>9s}  ok"
    lines = [head, "-" * len(head)]
    for o in outcomes:
        lines.append(f"{o.twin.result:44s} {o.expected:10.5f} {o.mean:11.5f} {o.sem:9.2g} {o.tolerance:9.2g} "
                     f"{o.z:7.2f} {o.converged:4d}/{o.instances:<4d}  {'yes' if o.passed else 'NO'}")
        lines.append(f"    {_fmt(o.point)}  [{o.twin.simulator.rsplit('.', 1)[-1]}; "
                     f"oracle {o.twin.oracle or o.twin.result}]")
    failed = sum(not o.passed for o in outcomes)
    lines.append(f"{len(outcomes) - failed} passed, {failed} failed")
    return "\n".join(lines)


def add_arguments(p) -> None:
    """Options of the ``validate`` subcommand."""
    p.add_argument("--seed", type=int, default=0, help="shifts every simulation seed and draws the extra points")
    p.add_argument("--points", type=int, default=0, help="extra random points per twin (default 0: examples only)")
    p.add_argument("--slow", action="store_true", help="also run the gradient-descent twins")
    p.add_argument("--result", help="only the twins of this result")
    p.add_argument("--json", action="store_true")


def run(ns, emit) -> int:
    """Run the CLI command: 0 when every check passed, 1 otherwise."""
    import sys

    if ns.points < 0:
        raise ValueError(f"points={ns.points!r} is invalid: expected an integer >= 0")
    pairs = checks(points=ns.points, seed=ns.seed, slow=ns.slow, result=ns.result)
    progress = None if ns.json else (lambda t, p: print(f"  checking {t.label} at {_fmt(p)}", file=sys.stderr))
    outcomes = run_checks(pairs, seed=ns.seed, progress=progress)
    emit([o.as_dict() for o in outcomes], ns.json, format_table(outcomes))
    return 0 if all(o.passed for o in outcomes) else 1
