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
                + args.get("sigma", 0.0) ** 2 * args["gamma"] / abs(1 - args["gamma"])
            if name == "aniso2_ft_transferability":  # T_ft = X gamma k W/H: only X = 2 r_s r_t cos - r_s^2 cancels
                x = args["norm_s"] * (2 * args["norm_t"] * np.cos(args["theta"]) - args["norm_s"])
                size = args["norm_s"] * (2 * args["norm_t"] * abs(np.cos(args["theta"])) + args["norm_s"])
                terms = float(abs(exact)) * size / abs(x) if x else 0.0
            if name.startswith("aniso2"):  # the largest eigenvalue max(a, b) scales the terms
                terms *= max(args["eig_ratio"], 1.0) / (args["frac_a"] * args["eig_ratio"] + 1 - args["frac_a"])
            if abs(exact) > 1.7976931348623157e308:
                assert got == float(mpmath.sign(exact)) * np.inf, (name, args, got, exact)
                continue
            assert abs(got - exact) <= 1e-13 * (abs(exact) + terms) + 1e-300, (name, args, got, exact)


def _w2_by_matrix_roots(theta, sigma, sigma_s, norm_s, norm_t, dps):
    """W2 from its definition, tr S_s + tr S_t - 2 tr (S_s^1/2 S_t S_s^1/2)^1/2 (symmetric eigen-roots, mpmath)."""
    def root(a):
        e, q = mpmath.eigsy(a)
        return q * mpmath.diag([mpmath.sqrt(max(x, 0)) for x in e]) * q.T

    with mpmath.workdps(dps):
        th, s, ss, rs, rt = (mpmath.mpf(v) for v in (theta, sigma, sigma_s, norm_s, norm_t))
        b_s, b_t = (rs, 0), (rt * mpmath.cos(th), rt * mpmath.sin(th))
        cov_s, cov_t = (mpmath.matrix([[1, 0, b[0]], [0, 1, b[1]], [b[0], b[1], b[0] ** 2 + b[1] ** 2 + n ** 2]])
                        for b, n in ((b_s, ss), (b_t, s)))
        half = root(cov_s)
        mid = root(half * cov_t * half)
        return mpmath.sqrt(sum(cov_s[i, i] + cov_t[i, i] - 2 * mid[i, i] for i in range(3)))


def test_mp_stable_forms_equal_the_registered_expressions_and_the_definition():
    """Results whose .mp is routed to ftheory.stable_mp (codegen.MP_STABLE): against the SymPy expression at 60
    digits (ordinary points), and W2 against its matrix definition at 1600 digits where the closed form cancels."""
    rng = np.random.default_rng(11)
    r = ftheory.get("wasserstein2_task")
    assert set(codegen.MP_STABLE) == {"wasserstein2_task"}
    closed = sp.lambdify([PARAMS[p].symbol for p in r.params], r.expr, "mpmath")
    for _ in range(20):
        args = dict(theta=float(np.pi * rng.random()), **{p: float(10 ** rng.uniform(-1, 1)) for p in r.params[1:]})
        with mpmath.workdps(60):
            exact = closed(*(mpmath.mpf(args[p]) for p in r.params))
        assert abs(r.mp(dps=30, **args) - exact) <= mpmath.mpf(10) ** -28 * exact, args
    for args in (dict(theta=0.0, sigma=1.0, sigma_s=1.0, norm_s=3.829248410780254e-160, norm_t=1.6475957728570367e-264),
                 dict(theta=np.pi / 2, sigma=3.7e-129, sigma_s=0.0, norm_s=1e-128, norm_t=1e-128),
                 dict(theta=1e-250, sigma=0.3, sigma_s=0.3, norm_s=1.0, norm_t=1.0),
                 dict(theta=5e-324, sigma=1e300, sigma_s=1e300, norm_s=1e300, norm_t=1e300)):  # ~4000 bits cancel
        exact = _w2_by_matrix_roots(*args.values(), dps=1600)
        assert abs(r.mp(dps=30, **args) - exact) <= mpmath.mpf(10) ** -28 * exact, args
