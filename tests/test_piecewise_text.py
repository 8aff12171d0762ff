"""``ftheory show`` writes each Piecewise branch with the condition under which it is taken: exactly one
holds at every point of the domain, and it is the branch SymPy's Piecewise (first true condition) takes."""
import itertools

import numpy as np
import pytest
import sympy as sp

from ftheory import cli
from ftheory.display import formula_text
from ftheory.params import PARAMS
from ftheory.piecewise_text import branch_conditions, branch_lines, domain_set
from ftheory.registry import get

CASES = ["scratch_risk", "scratch_ridge_risk", "scratch_risk_finite", "kl_divergence_task",
         "sphere_harmonic_multiplicity", "finetune_transferability_finite_source", "linear_transfer_risk_rank_k",
         "scratch_optimal_ridge"]


def _points(r, count=150, seed=0):
    """Points of the domain that sit on the branches' boundaries (0, 1, 2, ... and a few in between)."""
    expr = r.expr
    syms = sorted(expr.free_symbols, key=lambda s: s.name)
    by_symbol = {PARAMS[p].symbol: domain_set(dom) for p, dom in r.domain.items() if p in PARAMS}
    choices = []
    for s in syms:
        dom = by_symbol.get(s)
        vals = [0, 1, 2, 3, 4, 5, 6, sp.Rational(1, 2), sp.Rational(3, 2), sp.pi / 3, sp.pi]
        choices.append([v for v in vals if dom is None or dom.contains(v) is sp.true])
    combos = list(itertools.product(*choices))
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(combos), size=min(count, len(combos)), replace=False)
    return syms, [combos[i] for i in pick]


@pytest.mark.parametrize("name", CASES)
def test_effective_conditions_pick_the_branch_piecewise_takes(name):
    r = get(name)
    domains = {PARAMS[p].symbol: domain_set(d) for p, d in r.domain.items() if p in PARAMS}
    eff = branch_conditions(r.expr, {k: v for k, v in domains.items() if v is not None})
    assert eff is not None, f"{name}: expected the simplified form"
    syms, points = _points(r)
    conds = [c for _, c in r.expr.args]
    checked = 0
    for pt in points:
        sub = dict(zip(syms, pt))
        taken = next((k for k, c in enumerate(conds) if bool(c.subs(sub)) is True), None)
        holds = [k for k, c in enumerate(eff) if bool(c.subs(sub)) is True]
        assert holds == [taken], (name, sub, holds, taken, eff)
        checked += 1
    assert checked >= 20


def test_show_scratch_risk_states_where_the_zero_branch_applies(capsys):
    # it printed "σ = 0: 0", which reads as "the risk is 0 without noise" (false below gamma = 1)
    assert cli.main(["show", "scratch_risk"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "γ = 1 ∧ σ = 0: 0" in out and "γ = 1 ∧ σ > 0: ∞" in out and "σ = 0: 0" not in out
    assert "γ < 1: -γ*σ^2/(γ - 1) + ‖βₜ‖^2*(1 - γ)" in out and "γ > 1: σ^2/(γ - 1)" in out


def test_not_cheaply_simplified_branches_are_written_in_order_with_else():
    r = get("lt_boundary_lower")  # |cos theta| in the conditions: not polynomial
    assert branch_conditions(r.expr) is None
    lines = formula_text(r).splitlines()
    assert lines[0].startswith("if σ < 1 ∧ ") and lines[1].startswith("else if σ < 1: ") and lines[-1] == "otherwise: 0"


def test_unreachable_branch_is_left_out():
    x = sp.Symbol("x")
    pw = sp.Piecewise((1, x >= 0), (2, sp.Eq(x, -1)), (3, True))
    lines = branch_lines(pw, str, {x: sp.Interval(0, sp.oo)})
    assert lines == ["everywhere in the domain: 1"]
    lines = branch_lines(pw, str, {x: sp.Interval(-2, sp.oo)})
    assert lines[:2] == ["x >= 0: 1", "Eq(x, -1): 2"] and len(lines) == 3 and "x < 0" in lines[2]


def test_domain_strings():
    assert domain_set("[0, inf)") == sp.Interval(0, sp.oo)
    assert domain_set("(0, 1)") == sp.Interval.open(0, 1)
    assert domain_set("[0, pi]") == sp.Interval(0, sp.pi)
    assert domain_set("integers >= 2") == sp.Range(2, sp.oo)
    assert domain_set("+inf for n <= 2 unless sigma = 0") is None
