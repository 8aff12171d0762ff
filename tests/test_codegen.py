"""Generated evaluators: up to date with the derivations, branch-safe, SymPy-free at run time."""
import subprocess
import sys

import mpmath
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


def test_stable_forms_equal_the_registered_expressions():
    """Results routed to ftheory.stable (codegen.STABLE): float64 vs the SymPy expression in mpmath.

    derivations/stable_forms.py proves the identities; here 300 random points per result, log-uniform
    over 1e-4..1e4 (plus nearly coincident source and target for W2), at 1e-13 relative.
    """
    from ftheory.codegen import STABLE

    rng = np.random.default_rng(7)
    for name in STABLE:
        r = ftheory.get(name)
        assert f"{STABLE[name]}(" in codegen.numpy_source(name, r.expr, r.params)
        for _ in range(300):
            args = {}
            for p in r.params:
                if p == "theta":
                    args[p] = float(np.pi * rng.random() ** rng.choice([1, 8]))
                elif p == "u":
                    args[p] = float(-1 + 10 ** rng.uniform(-16, 0.3))
                elif PARAMS[p].integer:  # depth, n, k
                    args[p] = int(rng.integers(2, 60))
                elif PARAMS[p].high == 1.0:  # fractions and energies
                    args[p] = float(rng.uniform(0.001, 0.999))
                else:
                    args[p] = float(10 ** rng.uniform(-4, 4))
            if name == "wasserstein2_task" and rng.random() < 0.5:
                args["norm_t"], args["sigma_s"] = args["norm_s"] * (1 + 1e-6 * rng.standard_normal()), args["sigma"]
                args["norm_s"] = min(args["norm_s"], 10.0)
                args["norm_t"] = min(args["norm_t"], 10.0)
            try:
                got = float(r(**args))
            except ValueError as exc:  # W2 refuses where its cancellation exceeds 1e3 (large norms)
                assert ".mp" in str(exc)
                continue
            exact = r.mp(dps=30, **args)
            # a transferability is a difference R_sc - R_lt: rounding is relative to the size of its terms
            terms = 0 if "transferability" not in name else args.get("norm_t", 1.0) ** 2 * (1 + args["gamma"]) \
                + args["sigma"] ** 2 * args["gamma"] / abs(1 - args["gamma"])
            if name.startswith("aniso2"):  # the largest eigenvalue max(a, b) scales the terms
                terms *= max(args["eig_ratio"], 1.0) / (args["frac_a"] * args["eig_ratio"] + 1 - args["frac_a"])
            if abs(exact) > 1.7976931348623157e308:
                assert got == float(mpmath.sign(exact)) * np.inf, (name, args, got, exact)
                continue
            assert abs(got - exact) <= 1e-13 * (abs(exact) + terms) + 1e-300, (name, args, got, exact)
