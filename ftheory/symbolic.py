"""The symbolic layer: every registered SymPy expression, with the theory loaded.

:mod:`ftheory.result` holds the declarations (``register``) and sits below :mod:`ftheory.theory`;
this module sits above it and is what code outside the theory uses to reach the expressions
(generators, derivations, :attr:`ftheory.Result.expr`). Importing it imports SymPy and every theory
module.

Examples
--------
>>> from ftheory.symbolic import expr_of
>>> expr_of("scratch_risk_finite").free_symbols  # doctest: +SKIP
"""
from __future__ import annotations

import ftheory.theory  # noqa: F401  (registers every result)
from ftheory import result as _result

__all__ = ["builders", "expr_of", "parse_latex"]


def builders() -> dict:
    """All registered ``name -> (spec, builder)`` pairs."""
    return _result.builders()


def expr_of(name: str):
    """The SymPy expression of the registered result ``name`` (built once, then cached)."""
    return _result.expr_of(name)


def parse_latex(text: str):
    """:func:`ftheory.latex.parse_latex` with every custom function of the theory available."""
    from ftheory.latex import parse_latex as parse

    return parse(text)
