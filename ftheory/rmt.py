"""Random-matrix primitives the derivations start from (docs/background.md §1.5).

Every primitive is a small SymPy construction that states one fact about Gaussian designs, with
the condition under which it holds. Closed forms of the theory are assembled from these (see
``ftheory.theory``) and the proportional limit is taken with :func:`proportional_limit`.

* (T1) :func:`projection_fraction` - E||P v||^2 / ||v||^2 for the projector onto a random subspace.
* (T2) :func:`inverse_wishart_trace` - E tr W^{-1} for W ~ Wishart_p(N, I).
* (T3) :func:`min_norm_noise_trace` - E||X^+ eps||^2 / sigma^2 for a Gaussian design.
* (T4) :func:`inverse_chi2_moment` - E[(chi^2_k)^{-j}], derived as a Gamma integral.
* (T6) :func:`mp_stieltjes` and :func:`mp_stieltjes_derivative` - Marchenko-Pastur law on the
  negative axis.

A :class:`Case` is a value together with the condition under which it is valid; a primitive
returns the regular case, and the caller decides what happens outside it.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

__all__ = [
    "Case", "projection_fraction", "null_space_fraction", "inverse_wishart_trace",
    "min_norm_noise_trace", "inverse_chi2_moment", "mp_stieltjes", "mp_stieltjes_derivative",
    "restrict", "proportional_limit", "tidy_piecewise",
]


@dataclass(frozen=True)
class Case:
    """A value and the condition on the parameters under which it holds."""

    value: sp.Expr
    condition: sp.Basic = sp.true

    def __iter__(self):  # allows ``value, condition = case``
        yield self.value
        yield self.condition


def projection_fraction(n, d) -> sp.Expr:
    """(T1) ``E||P v||^2 / ||v||^2`` for ``P = X^+ X``, X an n x d Gaussian matrix, v fixed.

    The row space of X is a Haar-uniform min(n, d)-dimensional subspace, so
    ``E P = min(n, d)/d I``. Returns ``min(n, d) / d``.
    """
    return sp.Min(n, d) / d


def null_space_fraction(n, d) -> sp.Expr:
    """(T1) ``E||(I - P) v||^2 / ||v||^2 = 1 - min(n, d)/d``: the part of v the data never sees."""
    return 1 - projection_fraction(n, d)


def inverse_wishart_trace(p, N) -> Case:
    """(T2) ``E tr W^{-1}`` for ``W ~ Wishart_p(N, I_p)``: ``p / (N - p - 1)`` when ``N >= p + 2``.

    For ``p <= N <= p + 1`` the trace of the mean is infinite; the returned :class:`Case`
    carries the condition ``N >= p + 2``.
    """
    return Case(p / (N - p - 1), sp.Ge(N, p + 2))


def min_norm_noise_trace(n, d) -> tuple[Case, Case]:
    """(T3) ``E||X^+ eps||^2 / sigma^2`` for an n x d Gaussian design, as two regular cases.

    ``X^+ eps | X ~ N(0, sigma^2 (X^T X)^+)``, so the variance is ``sigma^2 E tr (X X^T)^{-1}``
    with ``X X^T ~ W_n(d, I)`` when n < d, and ``sigma^2 E tr (X^T X)^{-1}`` with
    ``X^T X ~ W_d(n, I)`` when n > d; each is (T2).

    Returns
    -------
    (under, over) : Case, Case
        ``n/(d - n - 1)`` valid for ``n <= d - 2`` and ``d/(n - d - 1)`` valid for ``n >= d + 2``.
    """
    under = inverse_wishart_trace(p=n, N=d)
    over = inverse_wishart_trace(p=d, N=n)
    return (Case(under.value, _solve_for(under.condition, n)),
            Case(over.value, _solve_for(over.condition, n)))


def _solve_for(rel, sym):
    """Rewrite a linear relation so that ``sym`` stands alone on the left (``d >= n + 2`` -> ``n <= d - 2``)."""
    expr = rel.lhs - rel.rhs
    coeff = expr.coeff(sym)
    if coeff == 0 or not expr.is_polynomial(sym) or sp.degree(expr, sym) != 1:
        return rel
    rhs = sp.expand(-(expr - coeff * sym) / coeff)
    op = type(rel)
    if coeff.is_negative:
        op = {sp.Ge: sp.Le, sp.Le: sp.Ge, sp.Gt: sp.Lt, sp.Lt: sp.Gt}.get(op, op)
    return op(sym, rhs)


def inverse_chi2_moment(k, j: int = 1) -> Case:
    """(T4) ``E[(chi^2_k)^{-j}]`` derived as a Gamma integral against the chi-square density.

    ``j = 1`` gives ``1/(k - 2)`` for ``k > 2``; ``j = 2`` gives ``1/((k - 2)(k - 4))`` for ``k > 4``.
    """
    q = sp.Symbol("q", positive=True)
    kk = sp.Symbol("k", positive=True)
    density = q ** (kk / 2 - 1) * sp.exp(-q / 2) / (2 ** (kk / 2) * sp.gamma(kk / 2))
    value, cond = sp.integrate(density / q ** j, (q, 0, sp.oo), conds="separate")
    value = sp.factor(sp.gammasimp(value))
    return Case(value.subs(kk, k), cond.subs(kk, k))


def mp_stieltjes(phi, lam) -> sp.Expr:
    """(T6) ``m_lam = m(-lam) > 0``, Stieltjes transform of the Marchenko-Pastur law at ``-lam``.

    The law is the limiting spectrum of ``X^T X / n`` with aspect ratio ``phi = d/n``. ``m_lam``
    is the positive root of ``phi lam m^2 + (1 - phi + lam) m - 1 = 0`` (``lam > 0``).
    """
    m = sp.Symbol("m")
    roots = sp.solve(sp.Eq(phi * lam * m ** 2 + (1 - phi + lam) * m - 1, 0), m)
    # The product of the roots is -1/(phi lam) < 0: exactly one root is positive, the one with +sqrt.
    (positive,) = [r for r in roots if _sign_of_sqrt_term(r) > 0]
    return positive


def _sign_of_sqrt_term(root) -> int:
    for term in sp.Add.make_args(sp.expand(root * sp.denom(sp.together(root)))):
        if term.has(sp.Pow) and any(p.exp == sp.S.Half for p in term.atoms(sp.Pow)):
            return 1 if sp.sign(term.as_coeff_Mul()[0]) > 0 else -1
    raise ValueError("no square-root term")  # pragma: no cover


def mp_stieltjes_derivative(phi, lam) -> sp.Expr:
    """(T6) ``m'_lam = \\int dmu(x) / (x + lam)^2 = -d m_lam / d lam`` (implicit differentiation)."""
    lam_ = sp.Symbol("lambda_", positive=True)
    return sp.simplify(-sp.diff(mp_stieltjes(phi, lam_), lam_)).subs(lam_, lam)


def restrict(expr, condition, sym) -> sp.Expr:
    """Simplify ``expr`` knowing that ``condition`` (a linear relation in ``sym``) holds.

    ``Min``, ``Max``, ``Abs`` and inner ``Piecewise`` conditions that the relation decides are
    resolved: e.g. ``Min(n, d)`` becomes ``n`` under ``n <= d - 2``. Works by writing
    ``sym = boundary -/+ t`` with ``t >= 0`` and letting SymPy decide the comparisons.
    """
    rel = _solve_for(condition, sym)
    if not isinstance(rel, sp.core.relational.Relational) or rel.lhs != sym:
        return expr
    t = sp.Dummy("t", positive=isinstance(rel, (sp.Lt, sp.Gt)), nonnegative=True)
    if isinstance(rel, (sp.Le, sp.Lt)):
        shifted, back = rel.rhs - t, rel.rhs - sym
    elif isinstance(rel, (sp.Ge, sp.Gt)):
        shifted, back = rel.rhs + t, sym - rel.rhs
    else:
        return expr.subs(sym, rel.rhs)
    return sp.piecewise_fold(expr.subs(sym, shifted)).subs(t, back)


# ----------------------------------------------------------------------------------------------
# proportional limit and piecewise tidying
# ----------------------------------------------------------------------------------------------

def proportional_limit(expr, n, d, ratio) -> sp.Expr:
    """Proportional limit ``n, d -> oo`` with ``n / d -> ratio`` of a Piecewise finite-size expression.

    Each branch's value is replaced by its limit with ``n = ratio * d``, ``d -> oo``. Each
    condition ``lhs (op) rhs`` becomes ``lim (lhs - rhs)/d (op) 0``: conditions whose limit is
    ``|f| <= 0`` shrink to ``f = 0``; the others become strict (the boundary points are where a
    later, singular branch applies). Finally :func:`tidy_piecewise` substitutes the value of the
    main variable into branches that are reached at a single point only.
    """
    pieces = expr.args if isinstance(expr, sp.Piecewise) else ((expr, sp.true),)
    new = []
    for value, cond in pieces:
        v = value.subs(n, ratio * d)
        # Min/Max of quantities growing like d: pull d out (exact, d > 0) so the limit sees one variable.
        v = v.replace(lambda e: isinstance(e, (sp.Min, sp.Max)) and e.has(d),
                      lambda e: d * type(e)(*[sp.simplify(a / d) for a in e.args]))
        c = _limit_condition(cond, n, d, ratio)
        new.append((_termwise_limit(v, d), c))
    return tidy_piecewise(sp.Piecewise(*new), ratio)


def _termwise_limit(expr, d):
    """Limit d -> oo term by term, keeping the additive structure of the finite expression.

    The sum of the term limits keeps each contribution (bias, variance, ...) as a separate,
    sign-definite term, which is the cancellation-free form for float64 evaluation. Falls back to
    the limit of the whole sum when the terms would give ``oo - oo``.
    """
    terms = [sp.simplify(sp.limit(t, d, sp.oo)) for t in sp.Add.make_args(sp.expand(expr, mul=False, multinomial=False))]
    if sp.zoo in terms or sum(1 for t in terms if t.is_infinite) > 1:
        return sp.simplify(sp.limit(expr, d, sp.oo))
    return sp.Add(*terms)


def _limit_condition(cond, n, d, ratio):
    if cond in (sp.true, sp.false):
        return cond
    if isinstance(cond, (sp.And, sp.Or)):
        return type(cond)(*[_limit_condition(a, n, d, ratio) for a in cond.args])
    if isinstance(cond, sp.Not):
        return sp.Not(_limit_condition(cond.args[0], n, d, ratio))
    if isinstance(cond, sp.Eq) and not cond.has(n) and not cond.has(d):
        return cond
    if not isinstance(cond, sp.core.relational.Relational):
        raise ValueError(f"cannot take the proportional limit of the condition {cond}")
    lhs = (cond.lhs - cond.rhs).subs(n, ratio * d)
    if not lhs.has(d):
        return type(cond)(lhs, 0)
    g = sp.simplify(sp.limit(lhs / d, d, sp.oo))
    if isinstance(g, sp.Abs) and isinstance(cond, (sp.Le, sp.Lt)):
        return sp.Eq(g.args[0], 0)
    strict = {sp.Le: sp.Lt, sp.Lt: sp.Lt, sp.Ge: sp.Gt, sp.Gt: sp.Gt}
    if type(cond) not in strict:
        raise ValueError(f"cannot take the proportional limit of the condition {cond}")
    return _solve_for(strict[type(cond)](g, 0), ratio)


def tidy_piecewise(expr, var) -> sp.Expr:
    """Simplify a Piecewise in ``var``: drop unreachable branches and substitute ``var`` where a
    branch can only be reached at a single value of it (e.g. ``gamma = 1`` after ``gamma < 1``
    and ``gamma > 1``). Only conditions that depend on ``var`` alone are used to find that set.
    """
    if not isinstance(expr, sp.Piecewise):
        return expr
    remaining = sp.Reals if not var.is_nonnegative else sp.Interval(0, sp.oo)
    out = []
    for value, cond in expr.args:
        if remaining is sp.S.EmptySet:
            break
        var_part, other = _split_condition(cond, var)
        here = remaining if var_part is sp.true else remaining.intersect(var_part.as_set())
        if here is sp.S.EmptySet:
            continue
        if isinstance(here, sp.FiniteSet) and len(here) == 1:
            (point,) = here
            value = sp.simplify(value.subs(var, point))
            cond = sp.And(other, sp.true) if var_part is not sp.true else cond
            cond = cond.subs(var, point) if cond not in (sp.true, sp.false) else cond
        out.append((value, cond))
        if other is sp.true:
            remaining = remaining - here
    return sp.Piecewise(*out)


def _split_condition(cond, var):
    """Split a conjunction into (the part in ``var`` only, the rest)."""
    args = cond.args if isinstance(cond, sp.And) else (cond,)
    mine = [a for a in args if a.free_symbols == {var}]
    rest = [a for a in args if a.free_symbols != {var}]
    return sp.And(*mine), sp.And(*rest)
