"""Name -> :class:`~ftheory.result.Result`: ``ftheory.get(name)``, ``ftheory.results()``.

The registry is built from the generated evaluators (plain NumPy/mpmath code and metadata), so
looking a result up and evaluating it does not import SymPy.
"""
from __future__ import annotations

import difflib

from ftheory.result import Result, ResultSpec

_REGISTRY: dict[str, Result] | None = None


def _registry() -> dict[str, Result]:
    global _REGISTRY
    if _REGISTRY is None:
        from ftheory._generated import evaluators

        reg = {}
        for meta in evaluators.SPECS:
            meta = {k: v for k, v in meta.items() if k != "expr_hash"}
            spec = ResultSpec(**meta)
            reg[spec.name] = Result(spec, getattr(evaluators, f"{spec.name}__numpy"),
                                    getattr(evaluators, f"{spec.name}__mp"), expr_source=_symbolic_expr,
                                    lookup=get)
        _REGISTRY = reg
    return _REGISTRY


def _symbolic_expr(name):
    from ftheory.symbolic import expr_of  # SymPy and the theory, only when an expression is asked for

    return expr_of(name)


def get(name: str) -> Result:
    """Return the registered result ``name``.

    Raises
    ------
    ValueError
        For an unknown name, listing the closest registered names.

    Examples
    --------
    >>> import ftheory
    >>> ftheory.get("scratch_risk").reference
    'docs/background.md §3.2; paper Theorem 3.6, eq. (8)'
    """
    reg = _registry()
    if not isinstance(name, str) or name not in reg:
        raise ValueError(f"unknown result {name!r}{_closest_hint(str(name), sorted(reg))}")
    return reg[name]


def _closest_hint(name: str, names: list[str]) -> str:
    """The tail of the unknown-result error: up to four close names (misspellings first, then names containing
    ``name``), and where the full list is, never the full list itself.

    >>> _closest_hint("wasserstein", ["kl_task", "wasserstein1_lower_bound", "wasserstein2_task"])
    '; did you mean wasserstein2_task, wasserstein1_lower_bound? (ftheory.results() or `ftheory list` lists all 3)'
    >>> _closest_hint("zzzz", ["kl_task", "scratch_risk"])
    '; no registered name is close (ftheory.results() or `ftheory list` lists all 2)'
    """
    close = difflib.get_close_matches(name, names, n=4, cutoff=0.5)
    if len(name) >= 2:
        close += [n for n in names if name.lower() in n and n not in close][:4 - len(close)]
    where = f"(ftheory.results() or `ftheory list` lists all {len(names)})"
    return f"; did you mean {', '.join(close)}? {where}" if close else f"; no registered name is close {where}"


def results(topic: str | None = None) -> list[Result]:
    """All registered results (optionally of one ``topic``), grouped by topic then name."""
    reg = _registry()
    out = [r for r in reg.values() if topic is None or r.topic == topic]
    return sorted(out, key=lambda r: (r.topic, r.name))
