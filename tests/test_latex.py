"""LaTeX export: every result round-trips through SymPy's LaTeX parser; the sheet is complete."""
import pytest
import sympy as sp

import ftheory
from ftheory.piecewise_text import branch_rows, param_domains
from ftheory.sheet import formula_sheet
from ftheory.symbolic import parse_latex

pytest.importorskip("antlr4")


def _same(a, b):
    """Equal expressions: identical, or equal branch by branch; integrals are matched by their
    limits and integrands (simplifying a difference of integrals is hopelessly slow)."""
    if a == b:
        return True
    if isinstance(a, sp.Piecewise) or isinstance(b, sp.Piecewise):
        return (isinstance(a, sp.Piecewise) and isinstance(b, sp.Piecewise) and len(a.args) == len(b.args)
                and all(_same(ea, eb) and (ca == cb or sp.simplify(sp.Equivalent(ca, cb)) is sp.true)
                        for (ea, ca), (eb, cb) in zip(a.args, b.args)))
    if a.is_infinite or b.is_infinite:
        return a == b
    ia, ib = list(a.atoms(sp.Integral)), list(b.atoms(sp.Integral))
    if ia or ib:
        if len(ia) != len(ib):
            return False
        marks = {}
        for k, x in enumerate(ia):
            match = [y for y in ib if y.limits == x.limits and sp.simplify(x.function - y.function) == 0]
            if not match:
                return False
            ib.remove(match[0])
            marks[x] = marks[match[0]] = sp.Symbol(f"_I{k}")
        a, b = a.xreplace(marks), b.xreplace(marks)
    return sp.simplify(a - b) == 0


def _stated(r):
    """What the LaTeX of ``r`` must state: a Piecewise as its rows (:func:`ftheory.piecewise_text.branch_rows`:
    each case with the condition under which it is taken, or the cases in order), anything else as is."""
    if not isinstance(r.expr, sp.Piecewise):
        return r.expr
    _, rows = branch_rows(r.expr, param_domains(r.domain))
    return sp.Piecewise(*[(v, c) for c, v in rows])


@pytest.mark.parametrize("name", [r.name for r in ftheory.results()])
def test_latex_round_trip(name):
    r = ftheory.get(name)
    parsed = parse_latex(r.latex())
    assert _same(parsed, _stated(r)), f"{name}: {parsed} != {r.expr}"


def test_cases_state_where_each_applies():
    """The cases of scratch_risk are stated as ``ftheory show`` states them: ``sigma = 0`` alone would read
    as "zero risk without noise", false below gamma = 1."""
    tex = ftheory.get("scratch_risk").latex()
    assert tex.startswith(r"\begin{cases} ") and tex.endswith(r" \end{cases}")
    assert r"0 & \text{if } \gamma = 1 \wedge \sigma = 0" in tex
    assert r"\infty & \text{if } \gamma = 1 \wedge \sigma > 0" in tex and r"\text{for}" not in tex
    ordered = ftheory.get("lt_boundary_lower").latex()   # |cos theta| in the conditions: written in order
    assert r"\text{else if } \sigma < 1" in ordered and ordered.endswith(r"0 & \text{otherwise} \end{cases}")


def test_round_trip_detects_a_difference():
    r = ftheory.get("scratch_risk")
    wrong = r.latex().replace(r"\sigma^{2}}{\gamma - 1}", r"\sigma^{3}}{\gamma - 1}")
    assert wrong != r.latex()
    assert not _same(parse_latex(wrong), r.expr)


def test_formula_sheet_is_a_complete_document_with_every_result():
    from ftheory.latex import formula_environment

    tex = formula_sheet()
    assert tex.startswith(r"\documentclass") and tex.rstrip().endswith(r"\end{document}")
    for r in ftheory.results():
        assert r"\texttt{" + r.name.replace("_", r"\_") + "}" in tex
        assert r.latex() in tex or formula_environment(r.expr, domains=param_domains(r.domain)) in tex  # wide ones broken up
        assert f"[{r.status}]" in tex
    displays = tex.count(r"\begin{equation*}") + tex.count(r"\begin{align*}")
    assert displays == tex.count(r"\end{equation*}") + tex.count(r"\end{align*}") == len(ftheory.results())

