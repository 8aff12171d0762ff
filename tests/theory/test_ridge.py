"""Ridge from scratch and the tuned-ridge baseline (THEORY.md §3.5): values, properties, numerics."""
import math
import warnings

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import ftheory

RIDGE = ftheory.get("scratch_ridge_risk")
LAM_STAR = ftheory.get("scratch_optimal_ridge")
R_STAR = ftheory.get("scratch_risk_optimal_ridge")
T_TUNED = ftheory.get("linear_transfer_transferability_tuned")
BOUNDARY = ftheory.get("lt_boundary_tuned")
SCRATCH = ftheory.get("scratch_risk")



def _nonneg(high):
    """0 or a magnitude in [1e-100, high]: float64 evaluation targets results that neither
    underflow nor overflow (e.g. lam* = sigma^2/(gamma ||beta_t||^2) overflows for gamma ~ 1e-313)."""
    return st.one_of(st.just(0.0), st.floats(1e-100, high))


gammas = _nonneg(20)
sigmas = _nonneg(3)
norms = st.floats(0.05, 5)
lams = _nonneg(50)
thetas = st.one_of(st.just(0.0), st.just(math.pi), st.floats(1e-100, math.pi))


def _strict():
    """Warnings as errors, including NumPy floating-point warnings (underflow is harmless)."""
    class _Ctx:
        def __enter__(self):
            self.w = warnings.catch_warnings()
            self.w.__enter__()
            warnings.simplefilter("error")
            self.e = np.errstate(divide="raise", invalid="raise", over="raise")
            self.e.__enter__()

        def __exit__(self, *exc):
            self.e.__exit__(*exc)
            return self.w.__exit__(*exc)
    return _Ctx()


def test_metadata():
    assert RIDGE.params == ("gamma", "sigma", "lam", "norm_t") and RIDGE.required == ("gamma", "sigma")
    assert LAM_STAR.params == R_STAR.params == ("gamma", "sigma", "norm_t")
    assert T_TUNED.params == ("gamma", "theta", "sigma", "norm_t")
    assert BOUNDARY.params == ("theta", "sigma", "norm_t")
    for r in (RIDGE, LAM_STAR, R_STAR, T_TUNED, BOUNDARY):
        assert r.status == "EXT" and r.topic == "ridge" and "§3.5" in r.reference


def test_worked_example_10():
    assert LAM_STAR(gamma=1, sigma=0.2) == pytest.approx(0.04, rel=1e-15)
    assert R_STAR(gamma=1, sigma=0.2) == pytest.approx(0.1810, abs=5e-5)
    # exact value: ell = 2 s/(s + sqrt(s^2 + 4 s)), s = 0.04
    s = 0.04
    assert R_STAR(gamma=1, sigma=0.2) == pytest.approx(2 * s / (s + math.sqrt(s * s + 4 * s)), rel=1e-15)
    assert RIDGE(gamma=1, sigma=0.2, lam=0.04) == pytest.approx(float(R_STAR(gamma=1, sigma=0.2)), rel=1e-14)


def test_ridgeless_branch_is_the_scratch_risk():
    g = np.concatenate([np.linspace(0, 3, 61), [1.0]])
    s = np.array([0.0, 0.2, 1.0])
    np.testing.assert_array_equal(RIDGE(gamma=g[:, None], sigma=s, lam=0.0), SCRATCH(gamma=g[:, None], sigma=s))
    # and the lam -> 0+ limit of the lam > 0 branches approaches it (away from gamma = 1)
    for gamma in (0.3, 0.8, 1.3, 4.0):
        for sigma in (0.0, 0.2, 1.0):
            assert float(RIDGE(gamma=gamma, sigma=sigma, lam=1e-10)) == pytest.approx(
                float(SCRATCH(gamma=gamma, sigma=sigma)), rel=1e-7, abs=1e-9)


def test_special_points():
    # gamma = 0 (phi = oo): nothing learned, risk ||beta_t||^2 for every lam > 0
    np.testing.assert_allclose(RIDGE(gamma=0, sigma=[0, 0.2, 3], lam=[[0.01], [1.0], [100.0]], norm_t=2.0), 4.0,
                               rtol=1e-15)
    assert R_STAR(gamma=0, sigma=0.2) == 1.0 and R_STAR(gamma=0, sigma=3.0, norm_t=2.0) == pytest.approx(4.0, 1e-15)
    assert LAM_STAR(gamma=0, sigma=0.2) == np.inf and LAM_STAR(gamma=0, sigma=0.0) == 0.0
    assert LAM_STAR(gamma=0.5, sigma=0.0) == 0.0
    # gamma = 1: finite for lam > 0 and for the tuned baseline; sigma = 0 exact limit
    assert np.isfinite(RIDGE(gamma=1, sigma=0.2, lam=1e-12))
    assert RIDGE(gamma=1, sigma=0.2, lam=0) == np.inf
    assert R_STAR(gamma=1, sigma=0.0) == 0.0
    assert R_STAR(gamma=0.25, sigma=0.0, norm_t=2.0) == 3.0
    # lam -> oo: ||beta_t||^2
    assert float(RIDGE(gamma=2.0, sigma=0.5, lam=1e8, norm_t=1.5)) == pytest.approx(2.25, rel=1e-7)


def test_symbolic_limits():
    # the branch conditions compare sigma^2/||beta_t||^2 with 1 - gamma: give the norm
    assert R_STAR.limit("sigma", 0, "+", gamma="1/2", norm_t="2") == 2
    assert R_STAR.limit("sigma", 0, "+", gamma="2", norm_t="1") == 0
    assert R_STAR.limit("sigma", 0, "+", gamma="1", norm_t="1") == 0
    assert RIDGE.limit("lam", "oo", gamma="2", sigma="1/5", norm_t="3") == 9
    assert LAM_STAR.limit("gamma", 0, "+") == sp.oo


def test_grids_evaluate_without_warnings_or_nan():
    g = np.concatenate([np.linspace(0, 3, 301), [1.0, 1 - 1e-16, 1 + 2.2e-16, 1e6]])
    s = np.array([0.0, 1e-300, 1e-160, 1e-8, 0.2, 1.0, 5.0])
    lam = np.array([0.0, 5e-324, 1e-300, 1e-20, 1e-3, 0.04, 1.0, 100.0])
    t = np.array([1e-3, 1.0, 3.0])
    th = np.concatenate([np.linspace(0, math.pi, 41), [math.pi / 2]])
    with _strict():
        a = RIDGE(gamma=g[:, None, None, None], sigma=s[None, :, None, None], lam=lam[None, None, :, None], norm_t=t)
        b = R_STAR(gamma=g[:, None, None], sigma=s[None, :, None], norm_t=t)
        c = LAM_STAR(gamma=g[:, None, None], sigma=s[None, :, None], norm_t=t)
        d = T_TUNED(gamma=g[:, None, None, None], theta=th[None, :, None, None], sigma=s[None, None, :, None],
                    norm_t=t)
        e = BOUNDARY(theta=th[:, None, None], sigma=s[None, :, None], norm_t=t)
    for out in (a, b, c, d, e):
        assert not np.isnan(out).any()
    assert np.all(np.isfinite(b)) and np.all(np.isfinite(d))
    assert np.all(np.isfinite(a[:, :, 1:]))                      # lam > 0: finite everywhere
    assert np.all(np.isinf(a[g == 1.0][:, 1:, 0]))               # lam = 0, gamma = 1, sigma > 0
    assert np.all(b >= 0) and np.all(e >= 0)


@settings(max_examples=300)
@given(gamma=gammas, sigma=sigmas, lam=lams, norm_t=norms)
def test_ridge_float64_agrees_with_mpmath_50_digits(gamma, sigma, lam, norm_t):
    """1e-12 relative away from the singular point (gamma, lam) = (1, 0)."""
    assume(abs(gamma - 1) > 1e-6 or lam > 1e-6)
    fast = float(RIDGE(gamma=gamma, sigma=sigma, lam=lam, norm_t=norm_t))
    exact = RIDGE.mp(gamma=gamma, sigma=sigma, lam=lam, norm_t=norm_t, dps=50)
    if exact == 0 or math.isinf(exact):
        assert fast == float(exact)
    else:
        assert abs(fast - float(exact)) <= 1e-12 * abs(float(exact))


@settings(max_examples=300)
@given(gamma=gammas, sigma=sigmas, norm_t=norms)
def test_optimal_float64_agrees_with_mpmath_50_digits(gamma, sigma, norm_t):
    for r in (R_STAR, LAM_STAR):
        fast = float(r(gamma=gamma, sigma=sigma, norm_t=norm_t))
        exact = r.mp(gamma=gamma, sigma=sigma, norm_t=norm_t, dps=50)
        if exact == 0 or math.isinf(exact):
            assert fast == float(exact)
        else:
            assert abs(fast - float(exact)) <= 1e-12 * abs(float(exact))


@settings(max_examples=200)
@given(gamma=gammas, theta=thetas, sigma=sigmas, norm_t=norms)
def test_transfer_tuned_float64_agrees_with_mpmath(gamma, theta, sigma, norm_t):
    fast = float(T_TUNED(gamma=gamma, theta=theta, sigma=sigma, norm_t=norm_t))
    exact = float(T_TUNED.mp(gamma=gamma, theta=theta, sigma=sigma, norm_t=norm_t, dps=50))
    scale = float(R_STAR(gamma=gamma, sigma=sigma, norm_t=norm_t)) + norm_t ** 2 * math.sin(theta) ** 2
    assert abs(fast - exact) <= 1e-12 * scale  # a difference: absolute accuracy on the scale of its terms
    fast_b = float(BOUNDARY(theta=theta, sigma=sigma, norm_t=norm_t))
    exact_b = BOUNDARY.mp(theta=theta, sigma=sigma, norm_t=norm_t, dps=50)
    if math.isinf(exact_b) or exact_b == 0:
        assert fast_b == float(exact_b) or abs(fast_b) < 1e-30
    else:
        assert abs(fast_b - float(exact_b)) <= 1e-12 * abs(float(exact_b))


@settings(max_examples=200)
@given(gamma=gammas, sigma=sigmas, norm_t=norms)
def test_optimal_risk_is_below_scratch_and_null_predictor(gamma, sigma, norm_t):
    rs = float(R_STAR(gamma=gamma, sigma=sigma, norm_t=norm_t))
    sc = float(SCRATCH(gamma=gamma, sigma=sigma, norm_t=norm_t))
    assert 0 <= rs <= min(sc, norm_t ** 2) * (1 + 1e-13)


@settings(max_examples=200)
@given(gamma=st.floats(1e-3, 20), sigma=st.floats(1e-3, 3), norm_t=norms, lam=st.floats(0, 50))
def test_optimal_penalty_minimises_the_ridge_risk(gamma, sigma, norm_t, lam):
    ls = float(LAM_STAR(gamma=gamma, sigma=sigma, norm_t=norm_t))
    best = float(RIDGE(gamma=gamma, sigma=sigma, lam=ls, norm_t=norm_t))
    assert best == pytest.approx(float(R_STAR(gamma=gamma, sigma=sigma, norm_t=norm_t)), rel=1e-12)
    assert float(RIDGE(gamma=gamma, sigma=sigma, lam=lam, norm_t=norm_t)) >= best * (1 - 1e-13)
    for k in (0.5, 0.9, 1.1, 2.0):
        assert float(RIDGE(gamma=gamma, sigma=sigma, lam=k * ls, norm_t=norm_t)) > best * (1 - 1e-13)


def test_optimal_penalty_is_the_grid_minimiser():
    lam = np.linspace(1e-4, 1, 20001)
    for gamma, sigma in [(0.5, 0.2), (1.0, 0.2), (1.5, 0.5), (3.0, 1.0)]:
        risk = RIDGE(gamma=gamma, sigma=sigma, lam=lam)
        assert lam[np.argmin(risk)] == pytest.approx(sigma ** 2 / gamma, abs=1e-4)


@settings(max_examples=200)
@given(g1=gammas, g2=gammas, sigma=sigmas, norm_t=norms)
def test_optimal_risk_decreases_in_gamma(g1, g2, sigma, norm_t):
    lo, hi = sorted((g1, g2))
    a = float(R_STAR(gamma=lo, sigma=sigma, norm_t=norm_t))
    b = float(R_STAR(gamma=hi, sigma=sigma, norm_t=norm_t))
    assert b <= a * (1 + 1e-13)


@settings(max_examples=100)
@given(gamma=gammas, norm_t=norms)
def test_noiseless_limit(gamma, norm_t):
    target = norm_t ** 2 * max(0.0, 1 - gamma)
    assert float(R_STAR(gamma=gamma, sigma=0.0, norm_t=norm_t)) == pytest.approx(target, rel=1e-15, abs=0)
    for sigma in (1e-4, 1e-6, 1e-8):
        # |R* - ||beta_t||^2 (1 - gamma)_+| <= ||beta_t|| sigma (equality at gamma = 1)
        assert abs(float(R_STAR(gamma=gamma, sigma=sigma, norm_t=norm_t)) - target) <= norm_t * sigma * (1 + 1e-9)


@settings(max_examples=100)
@given(gamma=gammas, sigma=sigmas, norm_t=norms)
def test_norm_scaling(gamma, sigma, norm_t):
    a = float(R_STAR(gamma=gamma, sigma=sigma, norm_t=norm_t))
    b = norm_t ** 2 * float(R_STAR(gamma=gamma, sigma=sigma / norm_t))
    assert a == pytest.approx(b, rel=1e-13, abs=1e-300)


@settings(max_examples=200)
@given(theta=st.floats(0.01, math.pi / 2), sigma=st.floats(0, 2), norm_t=norms)
def test_boundary_is_the_zero_of_the_tuned_transferability(theta, sigma, norm_t):
    gb = float(BOUNDARY(theta=theta, sigma=sigma, norm_t=norm_t))
    assume(1e-6 < gb < 1e6)
    scale = norm_t ** 2
    assert abs(float(T_TUNED(gamma=gb, theta=theta, sigma=sigma, norm_t=norm_t))) <= 1e-11 * scale
    assert float(T_TUNED(gamma=gb * 0.9, theta=theta, sigma=sigma, norm_t=norm_t)) > 0  # transfer helps below
    assert float(T_TUNED(gamma=gb * 1.1, theta=theta, sigma=sigma, norm_t=norm_t)) < 0


def test_boundary_special_values():
    assert BOUNDARY(theta=0.0, sigma=0.2) == np.inf             # R* > 0: transfer always helps
    assert BOUNDARY(theta=math.pi / 2, sigma=0.2) == pytest.approx(0.0, abs=1e-30)
    th = np.linspace(0, math.pi / 2, 9)
    np.testing.assert_allclose(BOUNDARY(theta=th, sigma=0.0), np.cos(th) ** 2, rtol=1e-15)  # §5.4
    # gamma_b = cos^2(theta) (1 + sigma^2/sin^2(theta))
    np.testing.assert_allclose(BOUNDARY(theta=math.pi / 4, sigma=0.2), 0.5 * (1 + 0.04 / 0.5), rtol=1e-15)


def test_tuned_transferability_is_tuned_risk_minus_transfer_risk():
    g = np.linspace(0, 3, 31)[:, None]
    th = np.linspace(0, math.pi, 7)
    np.testing.assert_allclose(T_TUNED(gamma=g, theta=th, sigma=0.2, norm_t=1.5),
                               R_STAR(gamma=g, sigma=0.2, norm_t=1.5) - 2.25 * np.sin(th) ** 2, rtol=0, atol=1e-15)
    names = {r.name for r in ftheory.results()}
    if "linear_transfer_transferability" in names:  # the plain-baseline transferability of §5.1
        plain = ftheory.get("linear_transfer_transferability")
        if set(plain.required) <= {"gamma", "theta", "sigma"}:
            g2 = np.array([0.3, 0.7, 1.5, 2.5])[:, None]
            np.testing.assert_allclose(T_TUNED(gamma=g2, theta=th, sigma=0.2) - plain(gamma=g2, theta=th, sigma=0.2),
                                       (R_STAR(gamma=g2, sigma=0.2) - SCRATCH(gamma=g2, sigma=0.2)) + 0 * th,
                                       rtol=0, atol=1e-12)


def test_latex_and_expression_shape():
    e = R_STAR.expr
    assert isinstance(e, sp.Piecewise)
    assert not RIDGE.expr.has(sp.zoo) and not R_STAR.expr.has(sp.nan)
    assert r"\sqrt" in RIDGE.latex()
