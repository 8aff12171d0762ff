"""Piecewise formulas for a terminal with the condition under which each branch really applies.

A SymPy ``Piecewise`` takes the *first* branch whose condition holds, so a later branch's own
condition is not when it applies: in the scratch risk the branch ``sigma = 0: 0`` is reached only at
``gamma = 1`` (``gamma < 1`` and ``gamma > 1`` come first). :func:`branch_conditions` returns, for
each branch, its condition and the negations of all earlier ones, simplified within the parameters'
domains; where that simplification is not cheap and exact (conditions that are not polynomial, more
than a few comparisons) it returns None and :func:`branch_lines` writes the branches in order,
``else`` before each later one. :func:`branch_rows` makes that choice for the terminal text and for the
LaTeX ``cases`` of :func:`ftheory.latex.to_latex` alike.
"""
from __future__ import annotations

import re

import sympy as sp

__all__ = ["branch_conditions", "branch_lines", "branch_rows", "domain_set", "linear_text", "param_domains"]

MAX_ATOMS = 8        # comparisons in one branch's effective condition simplified exactly
MAX_SYMBOLS = 3      # free symbols of one comparison
MAX_WIDTH = 100      # a simplified condition longer than this (linear_text) is not shown (the ordered form is)


def domain_set(text):
    """The set of a registry domain string: ``"[0, inf)"``, ``"(0, 1)"``, ``"[0, pi]"``,
    ``"integers >= 2"``; None for anything else."""
    m = re.fullmatch(r"integers >= (-?\d+)", text.strip())
    if m:
        return sp.Range(int(m.group(1)), sp.oo)
    m = re.fullmatch(r"([\[(])\s*([^,]+?)\s*,\s*([^\])]+?)\s*([\])])", text.strip())
    if not m:
        return None
    try:
        lo, hi = (sp.sympify(v.replace("inf", "oo")) for v in (m.group(2), m.group(3)))
    except (sp.SympifyError, TypeError, SyntaxError):
        return None
    return sp.Interval(lo, hi, left_open=m.group(1) == "(", right_open=m.group(4) == ")")


def _cheap(cond) -> bool:
    atoms = [a for a in cond.atoms(sp.core.relational.Relational)]
    if len(atoms) > MAX_ATOMS:
        return False
    for a in atoms:
        e = a.lhs - a.rhs
        syms = e.free_symbols
        if len(syms) > MAX_SYMBOLS or not e.is_polynomial(*syms):
            return False
    return True


def _simplest(x, st, dom):
    """The shortest comparison of ``x`` whose solution set within ``dom`` is ``st`` (else ``st`` spelled
    out)."""
    ends = [e for e in (st.inf, st.sup) if e.is_finite]
    cands = [sp.Eq(x, e) for e in ends] + [rel(x, e) for e in ends for rel in (sp.Gt, sp.Ge, sp.Lt, sp.Le)]
    cands += [sp.Ne(x, e) for e in dom.boundary.union(sp.FiniteSet(*ends)) if e.is_finite] if dom.is_Interval else []
    for c in cands:
        try:
            if dom.intersect(c.as_set()) == st:
                return c
        except (NotImplementedError, TypeError, ValueError):
            continue
    if isinstance(st, sp.Complement) and st.args[0] == dom and isinstance(st.args[1], sp.FiniteSet):
        return sp.And(*[sp.Ne(x, e) for e in st.args[1]])
    return st.as_relational(x)


def _key(a):
    """What the comparison ``a`` constrains: its symbol, or its non-constant part up to sign."""
    if len(a.free_symbols) == 1:
        return next(iter(a.free_symbols))
    e = sp.expand(a.lhs - a.rhs)
    key = e - e.as_independent(*a.free_symbols, as_Add=True)[0]
    sign = -1 if sp.default_sort_key(-key) < sp.default_sort_key(key) else 1
    return sign * key


def _reduce(conj, domains):
    """One conjunction without redundant comparisons: those of one symbol merged within its domain into
    the simplest comparison; of those sharing one expression (``n - d``), only the ones not implied by
    the others kept; ``false`` if they contradict each other."""
    atoms = list(conj.args) if isinstance(conj, sp.And) else [conj]
    groups, rest = {}, []
    for a in atoms:
        if a.is_Relational and a.free_symbols:
            groups.setdefault(_key(a), []).append(a)
        else:
            rest.append(a)
    out = []
    t = sp.Dummy("t", real=True)
    for key, group in groups.items():
        try:
            sets = [a.func(sp.expand(a.lhs - a.rhs).subs(key, t), 0).as_set() if not key.is_Symbol
                    else a.as_set() for a in group]
        except (NotImplementedError, TypeError, ValueError):
            out += group
            continue
        dom = domains.get(key, sp.S.Reals) if key.is_Symbol else sp.S.Reals
        both = sp.Intersection(dom, *sets)
        if both.is_empty:
            return sp.false
        if key.is_Symbol:
            if both != dom:
                out.append(_simplest(key, both, dom))
            continue
        keep = list(range(len(group)))
        for i in range(len(group)):
            others = [sets[j] for j in keep if j != i]
            if others and sp.Intersection(dom, *others) == both:
                keep.remove(i)
        out += [group[i] for i in keep]
    return sp.And(*out, *rest)


def branch_conditions(expr, domains=None):
    """For each branch of the Piecewise ``expr``, the condition under which it is the one taken (its
    own condition and no earlier one), simplified within ``domains`` (``{symbol: set}``); None when
    that is not cheap (non-polynomial or too many comparisons)."""
    domains = domains or {}
    conds = [c for _, c in expr.args]
    out = []
    for k, cond in enumerate(conds):
        eff = sp.And(cond, *[sp.Not(c) for c in conds[:k]])
        if not _cheap(eff):
            return None
        # boolean simplification on the comparisons as opaque atoms (keeps their written form), then
        # the comparisons of each conjunction merged
        atoms = sorted(eff.atoms(sp.core.relational.Relational), key=sp.default_sort_key)
        names = {a: sp.Symbol(f"_c{i}") for i, a in enumerate(atoms)}
        dnf = sp.simplify_logic(eff.xreplace(names), form="dnf").xreplace({v: a for a, v in names.items()})
        terms = dnf.args if isinstance(dnf, sp.Or) else (dnf,)
        reduced = [_reduce(t, domains) for t in terms]
        parts = [frozenset(r.args) if isinstance(r, sp.And) else frozenset([r]) for r in reduced]
        # absorption: a conjunction that contains another one adds nothing to the disjunction
        out.append(sp.Or(*[r for r, p in zip(reduced, parts) if not any(q < p for q in parts)]))
    return out


def linear_text(e) -> str:
    """Linear text: ``a = b`` for equations, Unicode operators (≤ ≥ ≠ ∧ ∨ ∞ √), ``^`` for powers."""
    from sympy.printing.str import StrPrinter

    class _Printer(StrPrinter):
        def _print_Relational(self, expr):
            op = {"==": "=", "!=": "≠", "<=": "≤", ">=": "≥"}.get(expr.rel_op, expr.rel_op)
            return f"{self._print(expr.lhs)} {op} {self._print(expr.rhs)}"

        def _print_And(self, expr):
            return " ∧ ".join(self.parenthesize(a, 1) if a.is_Boolean and not a.is_Relational else self._print(a)
                              for a in expr.args)

        def _print_Or(self, expr):
            return " ∨ ".join(f"({self._print(a)})" if a.func.__name__ == "And" else self._print(a) for a in expr.args)

        def _print_Infinity(self, expr):
            return "∞"

        def _print_NegativeInfinity(self, expr):
            return "-∞"

    s = _Printer().doprint(e)
    return s.replace("**", "^").replace("sqrt(", "√(")


def branch_rows(expr, domains=None):
    """``(effective, rows)``, rows ``(condition, value)`` of the Piecewise ``expr``. ``effective``: the branches
    reached within ``domains``, each with the condition under which it is taken (``true``: everywhere not
    covered by an earlier row). Otherwise (those conditions not cheap to simplify, or one longer than
    :data:`MAX_WIDTH` characters of :func:`linear_text`) the branches as written, each taken where no earlier
    one is."""
    eff = branch_conditions(expr, domains)
    if eff is not None and all(len(linear_text(c)) <= MAX_WIDTH for c in eff):
        return True, [(c, v) for (v, _), c in zip(expr.args, eff) if c is not sp.false]
    return False, [(c, v) for v, c in expr.args]


def branch_lines(expr, text, domains=None) -> list:
    """``condition: value`` lines of the Piecewise ``expr`` (``text`` renders an expression): each
    branch with the condition under which it applies (``otherwise`` for the rest of the domain), or,
    when those conditions are not cheap to simplify, in order with ``else`` before each later branch
    (:func:`branch_rows`)."""
    effective, rows = branch_rows(expr, domains)
    lines = []
    for k, (c, v) in enumerate(rows):
        if c is sp.true:
            head = "otherwise" if lines or not effective else "everywhere in the domain"
        else:
            head = text(c) if effective else ("else if " if k else "if ") + text(c)
        lines.append(f"{head}: {text(v)}")
    return lines


def param_domains(domain: dict) -> dict:
    """``{symbol: set}`` of a result's ``domain`` (``{parameter: domain string}``): the registry parameters
    whose domain :func:`domain_set` reads."""
    from ftheory.params import PARAMS

    sets = {PARAMS[p].symbol: domain_set(dom) for p, dom in domain.items() if p in PARAMS}
    return {k: v for k, v in sets.items() if v is not None}
