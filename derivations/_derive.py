"""Tiny framework for self-checking derivations: print each step, assert each claim.

Each ``derivations/<topic>.py`` builds its results from the primitives of ``ftheory.rmt``,
shows every step (``--latex`` prints LaTeX instead of Unicode), and asserts that what it derived
equals both the statement in docs/background.md and the expression packaged in the registry. A failed
check raises ``AssertionError`` (exit status 1), so ``pytest`` runs every derivation.
"""
from __future__ import annotations

import sys

import sympy as sp

from ftheory.latex import to_latex

LATEX = "--latex" in sys.argv
QUIET = "--quiet" in sys.argv
_count = {"steps": 0, "checks": 0}


def title(text: str):
    if not QUIET:
        print(f"\n{'=' * len(text)}\n{text}\n{'=' * len(text)}")


def step(text: str, expr=None):
    """Print one step of the derivation, with an optional expression."""
    _count["steps"] += 1
    if QUIET:
        return
    print(f"\n[{_count['steps']}] {text}")
    if expr is not None:
        print(to_latex(expr) if LATEX else sp.pretty(expr, use_unicode=True))


def equal(a, b) -> bool:
    """Symbolic equality: identical, or the difference simplifies to zero (Piecewise branchwise)."""
    if a == b:
        return True
    if isinstance(a, sp.Piecewise) and isinstance(b, sp.Piecewise):
        return len(a.args) == len(b.args) and all(
            equal(ea, eb) and (ca == cb or sp.simplify(sp.Equivalent(ca, cb)) is sp.true)
            for (ea, ca), (eb, cb) in zip(a.args, b.args))
    if any(isinstance(x, sp.Basic) and x.is_infinite for x in (a, b)):
        return a == b
    if sp.simplify(sp.expand(a - b)) == 0:
        return True
    # stable rewrites write sin(x/2)^2 for (1 - cos x)/2 (docs/performance.md, accuracy): undo them and retry
    half = (lambda e: e.is_Pow and e.exp == 2 and isinstance(e.base, sp.sin),
            lambda e: (1 - sp.cos(2 * e.base.args[0])) / 2)
    a2, b2 = (sp.sympify(x).replace(*half) if isinstance(x, sp.Basic) else x for x in (a, b))
    if (a2, b2) != (a, b) and sp.simplify(sp.expand(a2 - b2)) == 0:
        return True
    return bool(sp.simplify(sp.expand(sp.powsimp(sp.expand_power_base(a2 - b2, force=False)))) == 0)


def gauss_E(expr, gs):
    """E[expr] for independent standard normals ``gs``, exactly: ``expr`` is expanded into monomials and each
    ``g^k`` replaced by its moment ``(k-1)!!`` (0 for odd k), so no Gaussian identity is assumed."""
    poly = sp.Poly(sp.expand(expr), *gs)
    total = 0
    for powers, coef in poly.terms():
        m = 1
        for k in powers:
            m *= 0 if k % 2 else sp.factorial2(k - 1)
        total += coef * m
    return sp.expand(total)


def check(claim: str, ok: bool):
    """Assert a claim of the derivation and report it."""
    _count["checks"] += 1
    if not ok:
        raise AssertionError(f"derivation check failed: {claim}")
    if not QUIET:
        print(f"    ✓ {claim}")


def done():
    print(f"\n{_count['checks']} checks passed in {_count['steps']} steps.")
