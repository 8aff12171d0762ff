"""Where tuned scratch overtakes transfer (``Report.crossover_n``): the smallest sample size from which scratch's
predicted risk stays at or below a transfer procedure's (ties go to scratch, as in the recommendation), exact to the
integer.

The curves are computed on a geometric grid of sample sizes (60 points up to ``n_max``: neighbours about 9% apart at
the default ``n_max = 10 n``). The grid locates the last change of order; between those two grid points the
predictions are evaluated at integer sample sizes (every integer when at most :data:`PROBES` lie between them, else
``PROBES`` evenly spaced ones, narrowing until neighbours are 1 apart), so the answer is the exact integer at which the
order changes there when it changes once between neighbouring probes; beyond it the order is checked on the grid
points. None when scratch is behind at ``n_max``."""
from __future__ import annotations

import numpy as np

__all__ = ["PROBES", "crossover_line", "crossovers", "grid_start", "is_level", "refine"]

#: integer sample sizes evaluated at once inside a bracket (one prediction call per narrowing step)
PROBES = 4


def grid_start(ahead) -> int | None:
    """Index of the first grid point from which ``ahead`` (booleans over the grid) is True to the end; None if the
    last one is False."""
    ahead = np.asarray(ahead, bool)
    if not ahead.size or not ahead[-1]:
        return None
    k = len(ahead) - 1
    while k > 0 and ahead[k - 1]:
        k -= 1
    return k


def _probes(a, b, k=PROBES):
    """Integers strictly between ``a`` and ``b``: all of them when at most ``k``, else ``k`` evenly spaced."""
    if b - a - 1 <= k:
        return np.arange(a + 1, b, dtype=int)
    return np.unique(np.round(np.linspace(a, b, k + 2)[1:-1]).astype(int))


def refine(brackets, ahead_at):
    """``{name: b}``: for each ``name: (a, b)`` (integers, scratch behind at ``a``, ahead from ``b`` on) the smallest
    integer in ``(a, b]`` from which it is ahead up to ``b``, narrowing all brackets together. ``ahead_at(ms)``:
    ``{name: booleans over ms}`` (one call per step, ``ms`` sorted integers)."""
    open_ = {k: (int(a), int(b)) for k, (a, b) in brackets.items()}
    done = {}
    while open_:
        for k, (a, b) in list(open_.items()):
            if b - a <= 1:
                done[k] = b
                del open_[k]
        if not open_:
            break
        probes = {k: _probes(a, b) for k, (a, b) in open_.items()}
        ms = np.unique(np.concatenate(list(probes.values())))
        ahead = ahead_at(ms)
        for k, (a, b) in open_.items():
            m = probes[k]
            ok = np.asarray(ahead[k], bool)[np.searchsorted(ms, m)]
            behind = m[~ok]
            a = int(behind[-1]) if behind.size else a
            after = m[m > a]
            open_[k] = (a, int(after[0]) if after.size else b)
    return done


def crossovers(ns, scratch, transfer, values_at=None):
    """``{name: n or None}``: for each ``transfer[name]`` (values over the effective sample sizes ``ns``, ascending)
    the smallest effective n from which ``scratch`` (values over ``ns``) stays at or below it, and under ``"best"``
    the same against the better transfer procedure (the largest of them, None if any is None). ``values_at(ms)``:
    ``{"scratch": ..., name: ...}`` values at the integer effective sizes ``ms``; None keeps the grid's resolution."""
    ns = np.asarray(ns, int)
    sc = np.asarray(scratch, float)
    out, brackets = {}, {}
    for name, tr in transfer.items():
        k = grid_start(sc <= np.asarray(tr, float))
        out[name] = None if k is None else int(ns[k])
        if k is not None and k > 0 and values_at is not None and ns[k] - ns[k - 1] > 1:
            brackets[name] = (int(ns[k - 1]), int(ns[k]))
    if brackets:
        def ahead_at(ms):
            v = values_at(ms)
            s = np.asarray(v["scratch"], float)
            return {name: s <= np.asarray(v[name], float) for name in brackets}
        out.update(refine(brackets, ahead_at))
    found = list(out.values())
    out["best"] = None if any(c is None for c in found) else max(found)
    return out


def is_level(curves, crossover_n, procs=("linear_transfer", "finetune_ridge")) -> bool:
    """Are tuned scratch's predictions equal to the better of the transfer procedures ``procs`` at every point of
    ``curves`` (a report's) from ``crossover_n`` on (a tie there, e.g. both 0 when the noise estimate is 0)? False
    for None."""
    if crossover_n is None:
        return False
    at = np.asarray(curves["n"], int) >= crossover_n
    best = np.minimum.reduce([np.asarray(curves[p][0], float) for p in procs])
    return bool(at.any()) and np.array_equal(np.asarray(curves["scratch_ridge"][0], float)[at], best[at])


def crossover_line(crossover_n, rows, level=False) -> str:
    """The text report's line for ``crossover_n`` (rows, or None) on the curves' grid ``rows`` (row counts);
    ``level``: the predictions are equal from there on (:func:`is_level`), said instead of "ahead"/"overtakes"."""
    first, last = int(rows[0]), int(rows[-1])
    if crossover_n is None:
        return f"Scratch never overtakes transfer up to n = {last} (the curves' end, n_max)"
    how, tie = ("is level with", " (equal predictions: ties go to scratch)") if level else ("is ahead of", "")
    if len(rows) == 1:
        return f"Scratch {how} transfer at n = {first}, the curves' only point (checked there only){tie}"
    if crossover_n == first:
        return f"Scratch {how} transfer at every n of the curves, n = {first} to {last}{tie}"
    if level:
        return (f"Scratch is level with transfer from n = {crossover_n} on (equal predictions: ties go to scratch; "
                f"exact integer; checked on the curves' grid up to n = {last})")
    return (f"Scratch overtakes transfer from n = {crossover_n} on (exact integer; checked on the curves' grid up to "
            f"n = {last})")
