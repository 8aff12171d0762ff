"""Each registered result's SymPy derivation, rebuilt from scratch, against the committed evaluators.

The numeric path (``ftheory.get``) runs the committed ``ftheory/_generated/evaluators.py`` and never
touches SymPy, so a change in a theory builder is only seen by tests that rebuild the expression.
``test_generated_file_is_up_to_date`` does that for all results at once (seconds per run); this test does
it per result, fast enough to run once per mutant in mutation testing (docs/testing.md, "Mutation
testing"): it rebuilds ONE result and every result it depends on (an empty expression cache, so each
builder in the chain runs), prints the expression with the same mpmath printer as codegen and compares
the values, at 30 digits, with the committed ``NAME__mp`` at fixed points: seeded random points in each
parameter's domain plus points on the boundaries where Piecewise branches switch (gamma = 1, n = d,
theta = 0 or pi, sigma = 0, ...). The committed evaluators are in turn checked against simulation
(tests/test_twins.py) and independent formulas (the rest of tests/theory), so the chain
builder -> evaluator -> oracle is closed.
"""
import importlib
import math
import pkgutil

import mpmath
import numpy as np
import pytest
import sympy as sp
from sympy.core import cache as sympy_cache

import ftheory.theory
from ftheory import codegen, result
from ftheory._generated import evaluators
from ftheory.params import PARAMS
from ftheory.symbolic import builders

NAMES = sorted(builders())
THEORY_MODULES = [importlib.import_module(f"ftheory.theory.{m.name}") for m in pkgutil.iter_modules(ftheory.theory.__path__)]
RANDOM_POINTS = 8
DPS = 40
REL = mpmath.mpf("1e-15")  # same printer: only reassociation rounding (~1e-40 times cancellation) separates equal forms
F64_REL = 1e-10  # float64 accuracy demanded where the committed evaluator has it (eps ~1e-16 x condition up to 1e6)

# Values where a Piecewise condition or a removable singularity of the theory sits, and small scales
# where a cancellation-free form matters in float64 (lam, sigma -> 0, gamma -> 1).
SPECIAL = {
    "gamma": (1, "1/2", 0, 2, "1-1e-6", "1+1e-6", "1e-6"), "gamma_s": (1, "1/2", 2), "theta": (0, "pi", "pi/2", "pi/4", "1e-6"),
    "sigma": (0, 1, "1e-9"), "sigma_s": (0, 1), "lam": (0, 1, "1e-9", 1000), "mu": (0, "1/2"), "residual": (0, 1),
    "u": (-1, 1, 0), "norm_w": (0, 1), "norm_v": (0, 1), "norm_s": (1,), "norm_t": (1,),
    "frac_a": ("1/2",), "eig_ratio": (1,), "energy_t": (0, 1), "energy_s": (0, 1), "energy_perp": (0, 1),
    "depth": (2, 3), "k": (1, 2), "ell": (0, 1, 2), "n": (2, 1, 3), "d": (2, 1, 3),
}


def _random_value(p, rng):
    prm = PARAMS[p]
    if prm.integer:
        hi = 60 if p in ("n", "d") else int(prm.strategy_high or 10)
        return int(rng.integers(int(prm.low), hi + 1))
    hi = prm.high if math.isfinite(prm.high) else prm.strategy_high
    lo = prm.low if math.isfinite(prm.low) else -hi
    return mpmath.mpf(float(rng.uniform(lo, hi)))


def _special(p, value):
    """The special value as an int (integer parameters) or an mpf at the working precision."""
    if PARAMS[p].integer:
        return int(value)
    return mpmath.mpf(str(sp.N(sp.sympify(value, rational=True), DPS + 5)))  # "1-1e-6", "pi/4" exactly


def points(params, seed):
    """Seeded random points in the domain, each then moved onto every special value of each parameter,
    and onto the first two special values of every pair of parameters."""
    rng = np.random.default_rng(seed)
    with mpmath.workdps(DPS):
        base = [{p: _random_value(p, rng) for p in params} for _ in range(RANDOM_POINTS)]
        out = list(base)
        for i, p in enumerate(params):
            for j, v in enumerate(SPECIAL.get(p, ())):
                pt = dict(base[(i + j) % len(base)])
                pt[p] = _special(p, v)
                out.append(pt)
        for i, p in enumerate(params):  # two boundaries at once (sigma = 0 and theta = 0, ...)
            for j, q in enumerate(params[i + 1:]):
                for vp in SPECIAL.get(p, ())[:2]:
                    for vq in SPECIAL.get(q, ())[:2]:
                        pt = dict(base[(i + j) % len(base)])
                        pt[p], pt[q] = _special(p, vp), _special(q, vq)
                        out.append(pt)
        if "n" in params and "d" in params:
            for shift in (-2, -1, 0, 1, 2):
                pt = dict(base[shift % len(base)])
                pt["n"] = max(1, pt["d"] + shift)
                out.append(pt)
    return out


def _value(f, pt):
    try:
        return f(**pt)
    except (ValueError, ZeroDivisionError, OverflowError, TypeError):
        return "raises"


def _same(a, b):
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    if isinstance(a, mpmath.mpc) or isinstance(b, mpmath.mpc):
        return mpmath.almosteq(a, b, rel_eps=REL, abs_eps=mpmath.mpf("1e-25"))
    if mpmath.isnan(a) or mpmath.isnan(b):
        return bool(mpmath.isnan(a) and mpmath.isnan(b))
    if mpmath.isinf(a) or mpmath.isinf(b):
        return a == b
    return mpmath.almosteq(a, b, rel_eps=REL, abs_eps=mpmath.mpf("1e-25"))


@pytest.mark.parametrize("name", NAMES)
def test_rebuilt_derivation_matches_the_committed_evaluator(name, monkeypatch):
    spec, _builder = builders()[name]
    monkeypatch.setattr(result, "_EXPR_CACHE", {})  # rebuild this result and everything it depends on,
    for module in THEORY_MODULES:                     # including the theory's lru-cached derivation steps
        for obj in list(vars(module).values()):
            if callable(getattr(obj, "cache_clear", None)) and getattr(obj, "__module__", None) == module.__name__:
                obj.cache_clear()
    sympy_cache.clear_cache()  # and SymPy's own cache, which would return Beta/PositiveRoot built earlier
    expr = result.expr_of(name)
    ns = {}
    exec(codegen.HEADER + codegen.mp_source(name, expr, spec.params) + "\n\n"
         + codegen.numpy_source(name, expr, spec.params), ns)
    pts = points(spec.params, seed=sum(map(ord, name)))
    exact = []
    fresh, committed = ns[f"{name}__mp"], getattr(evaluators, f"{name}__mp")
    with mpmath.workdps(DPS):
        for pt in pts:
            want, got = _value(committed, pt), _value(fresh, pt)
            assert _same(got, want), (name, pt, got, want)
            exact.append(want)
    assert sum(e != "raises" for e in exact) >= RANDOM_POINTS // 2, f"{name}: too few points in the evaluator's domain"
    # The float64 path (custom functions print their own NumPy code), all points at once: wherever the
    # committed float64 evaluator is accurate (F64_REL against the 40-digit value), the rebuilt one must be
    # too; elsewhere (beyond its declared float64 limits) both must at least agree on NaN/inf/raising.
    args = {p: np.array([float(pt[p]) for pt in pts]) for p in spec.params}
    with np.errstate(all="ignore"):
        want = _value(getattr(evaluators, f"{name}__numpy"), args)
        got = _value(ns[f"{name}__numpy"], args)
    if isinstance(want, str) or isinstance(got, str):
        assert got == want, (name, got, want)
        return
    want, got = np.broadcast_to(want, len(pts)), np.broadcast_to(got, len(pts))
    for i, e in enumerate(exact):
        if isinstance(e, str) or isinstance(e, mpmath.mpc) or not mpmath.isfinite(e):
            assert np.isnan(got[i]) == np.isnan(want[i]) and (np.isnan(got[i]) or got[i] == want[i]), (name, pts[i])
        elif abs(want[i] - float(e)) <= F64_REL * abs(float(e)):
            assert abs(got[i] - float(e)) <= F64_REL * abs(float(e)), (name, pts[i], got[i], float(e))


def _rebuilt_mp(name, monkeypatch):
    """The mpmath evaluator of ``name`` printed from a from-scratch rebuild of its derivation."""
    monkeypatch.setattr(result, "_EXPR_CACHE", {})
    for module in THEORY_MODULES:
        for obj in list(vars(module).values()):
            if callable(getattr(obj, "cache_clear", None)) and getattr(obj, "__module__", None) == module.__name__:
                obj.cache_clear()
    sympy_cache.clear_cache()
    spec, _ = builders()[name]
    ns = {}
    exec(codegen.HEADER + codegen.mp_source(name, result.expr_of(name), spec.params), ns)
    return ns[f"{name}__mp"]


def test_break_even_angle_is_where_the_transferability_changes_sign(monkeypatch):
    """theta* of gradient-flow fine-tuning (rebuilt) against the sign of T_ft (committed): T > 0 just
    below theta*, T < 0 just above; theta* = 0 exactly where T <= 0 at every angle (large noise or
    source norm), a condition the random points of the test above rarely straddle."""
    theta_star = _rebuilt_mp("finetune_break_even_theta_gf", monkeypatch)
    T = evaluators.finetune_transferability_gf__mp
    flips = 0
    with mpmath.workdps(30):
        for g in ("0.3", "0.7"):
            for L in (2, 3, 5):
                for r in ("0.5", "1", "1.8"):
                    last = None
                    for s in ("0", "0.5", "1", "2", "3", "5", "8", "13"):
                        g_, r_, s_ = mpmath.mpf(g), mpmath.mpf(r), mpmath.mpf(s)
                        th = theta_star(g_, s_, L, r_, 1)
                        if th > 0:
                            assert T(g_, th * (1 - mpmath.mpf("1e-3")), s_, L, r_, 1) > 0, (g, L, r, s, th)
                            assert T(g_, min(+mpmath.pi, th * (1 + mpmath.mpf("1e-3"))), s_, L, r_, 1) < 0
                        else:
                            assert all(T(g_, t, s_, L, r_, 1) <= 0 for t in (mpmath.mpf("1e-3"), mpmath.mpf("0.5")))
                        flips += last is not None and (th > 0) != last
                        last = th > 0
    assert flips >= 3, "the sweep must cross the helps / never-helps boundary"
