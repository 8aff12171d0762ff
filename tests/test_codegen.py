"""Generated evaluators: up to date with the derivations, branch-safe, SymPy-free at run time."""
import subprocess
import sys

import numpy as np
import pytest
import sympy as sp

import ftheory
from ftheory import codegen
from ftheory.params import PARAMS


def test_generated_file_is_up_to_date():
    """Fails when a derivation changed and `python -m ftheory.codegen` was not rerun."""
    assert codegen.TARGET.read_text() == codegen.generate_source(), \
        "ftheory/_generated/evaluators.py is stale: run `python -m ftheory.generate`"


def test_numeric_path_does_not_import_sympy():
    code = ("import sys, ftheory; r = ftheory.get('scratch_risk'); r(gamma=0.5, sigma=0.2); "
            "r.mp(gamma='0.5', sigma='0.2'); print('sympy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_piecewise_branch_only_evaluated_where_it_applies():
    """A branch that would divide by zero outside its own region never sees those points."""
    x = sp.Symbol("gamma", nonnegative=True)
    expr = sp.Piecewise((1 / (x - 1), x > 1), (1 / (1 - x), x < 1), (sp.oo, True))
    ns = {}
    exec(codegen.HEADER + codegen.numpy_source("probe", expr, ("gamma",)), ns)
    with np.errstate(all="raise"):
        out = ns["probe__numpy"](np.array([0.0, 0.5, 1.0, 2.0]))
    np.testing.assert_array_equal(out, [1.0, 2.0, np.inf, 1.0])


@pytest.mark.parametrize("name", [r.name for r in ftheory.results()])
def test_numpy_and_mpmath_evaluators_agree_with_sympy(name):
    """Each generated evaluator matches SymPy's own evaluation (30 digits) at random interior points.

    Elementary functions (cos, log, ...) and the theory's own functions (PositiveRoot, Beta) are
    evaluated by SymPy's ``evalf``; only results with an unevaluated ``Integral`` use the mpmath path as
    the reference (SymPy's quadrature takes minutes), and their mpmath path is checked against SciPy's.
    """
    r = ftheory.get(name)
    rng = np.random.default_rng(0)
    has_integral = r.expr.has(sp.Integral)
    custom = any(type(f).__module__.startswith("ftheory") for f in r.expr.atoms(sp.Function))
    for _ in range(4 if has_integral or custom else 8):  # 30-digit evalf costs up to seconds per point
        values = {}
        for p in r.params:
            prm = PARAMS[p]
            if prm.integer:
                values[p] = int(rng.integers(max(int(prm.low), 1), 60))
            else:
                hi = prm.high if np.isfinite(prm.high) else 3.0
                values[p] = float(rng.uniform(max(prm.low, 0) + 1e-3, hi - 1e-3))
        precise = float(r.mp(dps=30, **values))
        if has_integral:
            exact = precise
        else:
            exact = sp.N(r.expr.subs({PARAMS[p].symbol: sp.Rational(v) if isinstance(v, float) else v
                                      for p, v in values.items()}), 30)
            exact = float(exact) if exact.is_finite else float("inf")
            assert precise == pytest.approx(exact, rel=1e-12)
        assert float(r(**values)) == pytest.approx(exact, rel=1e-9 if has_integral else 1e-12)


def test_docs_theory_md_is_up_to_date():
    from ftheory import docgen

    assert docgen.TARGET.read_text() == docgen.generate(), "docs/theory.md is stale: run `python -m ftheory.docgen`"


@pytest.mark.parametrize("name", [r.name for r in ftheory.results()])
def test_documented_example_call_runs(name, capsys):
    from ftheory import docgen
    from ftheory.cli import main

    argv = docgen.example_call(ftheory.get(name)).split()[1:]
    assert main(argv) == 0, capsys.readouterr().err
