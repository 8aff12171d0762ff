"""Linear transfer (THEORY.md §4) and its phase diagram (§5): values, properties, numerics, limits."""
import math
import warnings

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import ftheory
from ftheory.params import PARAMS
from ftheory.twins import checked_by

RISK = ftheory.get("linear_transfer_risk")
RISK_FIN = ftheory.get("linear_transfer_risk_finite")
T = ftheory.get("linear_transfer_transferability")
T_FIN = ftheory.get("linear_transfer_transferability_finite")
LOWER = ftheory.get("lt_boundary_lower")
UPPER = ftheory.get("lt_boundary_upper")
OVER = ftheory.get("lt_boundary_over")
THETA_MIN = ftheory.get("lt_theta_min")
NOISELESS = ftheory.get("lt_boundary_noiseless")
SCRATCH = ftheory.get("scratch_risk")
SCRATCH_FIN = ftheory.get("scratch_risk_finite")
ALL = (RISK, RISK_FIN, T, T_FIN, LOWER, UPPER, OVER, THETA_MIN, NOISELESS)
SYM = {p: PARAMS[p].symbol for p in PARAMS}


def _nonneg(high):
    """0 or a magnitude in [1e-100, high] (results that neither underflow nor overflow in float64)."""
    return st.one_of(st.just(0.0), st.floats(1e-100, high))


thetas = st.one_of(st.just(0.0), st.just(math.pi / 2), st.just(math.pi), st.floats(1e-100, math.pi))
diagram_thetas = st.one_of(st.just(0.0), st.just(math.pi / 2), st.floats(1e-100, math.pi / 2))
sigmas = _nonneg(3)
small_sigmas = st.floats(1e-6, 0.9)
gammas = _nonneg(20)
lams = _nonneg(20)
norms = st.floats(0.05, 5)
depths = st.integers(2, 6)


class _Strict:
    """Warnings as errors, including NumPy floating-point warnings (underflow is harmless)."""

    def __enter__(self):
        self.w = warnings.catch_warnings()
        self.w.__enter__()
        warnings.simplefilter("error")
        self.e = np.errstate(divide="raise", invalid="raise", over="raise")
        self.e.__enter__()

    def __exit__(self, *exc):
        self.e.__exit__(*exc)
        return self.w.__exit__(*exc)


def _T_mp(gamma, theta, sigma, **kw):
    return T.mp(dps=50, gamma=gamma, theta=theta, sigma=sigma, **kw)


# -- metadata and worked examples -----------------------------------------------------------------

def test_metadata():
    assert RISK.params == ("theta", "lam", "norm_t", "norm_s", "depth") and RISK.required == ("theta",)
    assert RISK_FIN.params == ("n", "theta", "sigma", "lam", "norm_t", "norm_s", "depth")
    assert T.params == ("gamma", "theta", "sigma", "lam", "norm_t", "norm_s", "depth")
    assert T.required == ("gamma", "theta", "sigma")
    assert T_FIN.params == ("n", "d", "theta", "sigma", "norm_t")
    for r in (LOWER, UPPER, OVER):
        assert r.params == ("theta", "sigma")
    assert THETA_MIN.params == ("sigma",) and NOISELESS.params == ("theta",)
    assert {r.topic for r in ALL} == {"linear_transfer"}
    assert LOWER.status == UPPER.status == "PAPER*"
    assert RISK_FIN.status == T_FIN.status == "EXT"
    assert RISK.status == T.status == OVER.status == THETA_MIN.status == NOISELESS.status == "PAPER"
    assert "simulate_linear_transfer_risk" in checked_by(RISK.name)
    assert "simulate_scratch_and_transfer" in checked_by(T_FIN.name)
    assert "[EXT]" in RISK.summary  # the norm/depth generalisation is flagged


def test_worked_examples():
    assert T(gamma=0.5, theta=math.pi / 4, sigma=0.2) == pytest.approx(0.04, abs=1e-15)      # 3
    assert THETA_MIN(sigma=0.2) == pytest.approx(math.acos(0.8), rel=1e-15)                   # 4
    assert round(float(THETA_MIN(sigma=0.2)), 4) == 0.6435
    assert round(float(LOWER(theta=math.pi / 4, sigma=0.2)), 4) == 0.5486                     # 5
    assert round(float(UPPER(theta=math.pi / 4, sigma=0.2)), 4) == 0.9114
    assert OVER(theta=math.pi / 4, sigma=0.2) == pytest.approx(1.08, rel=1e-15)
    assert RISK_FIN(n=10, theta=math.pi / 4, sigma=0.2) == pytest.approx(0.5675, rel=1e-15)    # 9
    assert float(RISK_FIN.mp(n=10, theta=mpmath.pi / 4, sigma="0.2")) == pytest.approx(0.5675, rel=1e-30)


def test_asymptotic_risk_values():
    assert RISK(theta=math.pi / 4) == pytest.approx(0.5, rel=1e-15)
    # eq. (13): 1 - (1 + 2 lam)/(1 + lam)^2 cos^2 theta
    lam, th = 0.3, 0.7
    assert RISK(theta=th, lam=lam) == pytest.approx(1 - (1 + 2 * lam) / (1 + lam) ** 2 * math.cos(th) ** 2,
                                                    rel=1e-14)
    # lam_eff = lam / ||beta_s||^(2(L-1)/L); norm_t^2 scaling
    assert RISK(theta=th, lam=lam, norm_s=2.0, depth=3, norm_t=1.5) == pytest.approx(
        1.5 ** 2 * float(RISK(theta=th, lam=lam / 2.0 ** (4 / 3))), rel=1e-14)
    assert RISK(theta=th, lam=0, norm_s=3.0, depth=5) == RISK(theta=th)  # no norm_s/depth at lam = 0


# -- risk properties ------------------------------------------------------------------------------

@given(theta=thetas, lam1=lams, lam2=lams, norm_t=norms, norm_s=norms, depth=depths)
def test_ridge_never_lowers_the_asymptotic_risk(theta, lam1, lam2, norm_t, norm_s, depth):
    lo, hi = sorted((lam1, lam2))
    kw = dict(theta=theta, norm_t=norm_t, norm_s=norm_s, depth=depth)
    r_lo, r_hi = float(RISK(lam=lo, **kw)), float(RISK(lam=hi, **kw))
    assert r_hi >= r_lo * (1 - 1e-14)
    assert norm_t ** 2 * math.sin(theta) ** 2 * (1 - 1e-14) <= r_lo <= norm_t ** 2 * (1 + 1e-14)


@given(n=st.integers(3, 400), theta=thetas, sigma=sigmas, norm_t=norms)
def test_finite_ridgeless_risk_decreases_to_the_asymptotic_one(n, theta, sigma, norm_t):
    kw = dict(theta=theta, sigma=sigma, norm_t=norm_t)
    a, b = float(RISK_FIN(n=n, **kw)), float(RISK_FIN(n=n + 1, **kw))
    limit = float(RISK(theta=theta, norm_t=norm_t))
    assert b <= a * (1 + 1e-14) and limit <= b * (1 + 1e-14)
    assert a - limit == pytest.approx((sigma ** 2 + norm_t ** 2 * math.sin(theta) ** 2) / (n - 2), rel=1e-12,
                                      abs=1e-300)


def test_finite_risk_small_n():
    """n <= 2 at lam = 0: E[1/chi^2_n] = +oo, so the risk is +oo unless there is nothing to estimate."""
    with _Strict():
        out = RISK_FIN(n=np.array([1, 2]), theta=0.3, sigma=0.2)
        assert np.all(np.isinf(out))
        assert np.all(RISK_FIN(n=np.array([1, 2]), theta=0.0, sigma=0.0) == 0.0)
        assert np.all(np.isinf(RISK_FIN(n=np.array([1, 2]), theta=0.3, sigma=0.0)))
        assert np.all(np.isfinite(RISK_FIN(n=np.array([1, 2]), theta=0.3, sigma=0.2, lam=0.1)))
    assert RISK_FIN.mp(n=2, theta=0.3, sigma="0.2") == mpmath.inf


def test_finite_ridge_quadrature():
    """lam > 0: the two quadrature forms agree across their switch (n lam_eff = 2), the lam -> 0+ limit
    approaches §4.2 for n > 2, and the mean tends to the asymptotic ridge risk as n grows."""
    with _Strict():
        below = float(RISK_FIN(n=20, theta=0.6, sigma=0.3, lam=0.1 * (1 - 1e-12)))
        above = float(RISK_FIN(n=20, theta=0.6, sigma=0.3, lam=0.1 * (1 + 1e-12)))
        assert below == pytest.approx(above, rel=1e-9)
        tiny = float(RISK_FIN(n=10, theta=0.6, sigma=0.3, lam=1e-10))
        assert tiny == pytest.approx(float(RISK_FIN(n=10, theta=0.6, sigma=0.3)), rel=1e-8)
        far = float(RISK_FIN(n=100000, theta=0.6, sigma=0.3, lam=0.4, norm_s=1.5, depth=3))
        assert far == pytest.approx(float(RISK(theta=0.6, lam=0.4, norm_s=1.5, depth=3)), rel=1e-4)
        # the lam = 0 closed form ignores norm_s and depth, the ridge one does not
        assert RISK_FIN(n=8, theta=0.6, sigma=0.3, lam=0.2, norm_s=2.0) != RISK_FIN(n=8, theta=0.6, sigma=0.3,
                                                                                    lam=0.2)
        # a small ridge helps at small n (variance damping), unlike asymptotically
        assert RISK_FIN(n=5, theta=0.785, sigma=0.2, lam=0.05) < RISK_FIN(n=5, theta=0.785, sigma=0.2)


@pytest.mark.parametrize("n, lam", [(1, 0.05), (3, 0.5), (10, 0.1), (60, 0.3), (400, 2.0)])
def test_finite_ridge_quadrature_float_vs_mpmath(n, lam):
    """scipy.quad (float64) against mpmath.quad at 30 digits: 1e-8 relative (quad's default tolerance)."""
    kw = dict(n=n, theta=0.7, sigma=0.2, lam=lam, norm_s=1.3, depth=3)
    fast = float(RISK_FIN(**kw))
    exact = float(RISK_FIN.mp(dps=20, **kw))
    assert fast == pytest.approx(exact, rel=1e-8)


# -- boundaries -----------------------------------------------------------------------------------

@given(theta=thetas, sigma=sigmas)
def test_boundary_order(theta, sigma):
    lo, up, ov = (float(r(theta=theta, sigma=sigma)) for r in (LOWER, UPPER, OVER))
    assert 0 <= lo <= up <= 1 <= ov
    t_min = float(THETA_MIN(sigma=sigma))
    assert 0 <= t_min <= math.pi / 2 * (1 + 2e-16)  # 2 arcsin(sqrt(1/2)) rounds one ulp above pi/2
    if sigma >= 1 or not (t_min < theta < math.pi - t_min):
        if abs(abs(math.cos(theta)) - (1 - sigma)) > 1e-9:  # away from the double root
            expected = max(1 - sigma, 0.0)
            assert lo == up == pytest.approx(expected, abs=1e-15)   # empty lobe at gamma*


@given(theta=diagram_thetas, sigma=small_sigmas)
def test_boundaries_make_T_vanish_and_T_changes_sign_across_each(theta, sigma):
    t_min = float(THETA_MIN(sigma=sigma))
    lo, up, ov = (float(r(theta=theta, sigma=sigma)) for r in (LOWER, UPPER, OVER))
    assume(math.sin(theta) > 1e-6)

    def residual_bound(g):
        """|T| at a boundary computed in float64: round-off of the terms plus |dT/dgamma| x ulp(gamma)
        (near gamma = 1 a tiny error in gamma is amplified by the interpolation peak)."""
        slope = 1 + sigma ** 2 / (1 - g) ** 2
        return 1e-11 * (1 + sigma ** 2 / abs(1 - g)) + 4 * slope * np.spacing(g)

    # under-parameterised (gamma > 1) boundary, always present for sin(theta) > 0
    assert abs(float(T(gamma=ov, theta=theta, sigma=sigma))) <= residual_bound(ov)
    assert _T_mp((1 + ov) / 2, theta, sigma) > 0 > _T_mp(2 * ov, theta, sigma)
    if theta <= t_min:
        return
    assume(up - lo > 1e-6)
    for edge in (lo, up):
        assert abs(float(T(gamma=edge, theta=theta, sigma=sigma))) <= residual_bound(edge)
    assert _T_mp(lo / 2, theta, sigma) > 0 or lo == 0
    assert _T_mp((lo + up) / 2, theta, sigma) < 0
    assert _T_mp((up + 1) / 2, theta, sigma) > 0


@given(theta=thetas, sigma=sigmas)
def test_boundaries_are_symmetric_about_pi_over_2(theta, sigma):
    """T depends on theta only through sin^2 theta: boundaries at theta and pi - theta coincide
    (away from 0 and pi, where the float pi - theta is a different angle than the exact one)."""
    assume(1e-6 < theta < math.pi - 1e-6)
    for r in (LOWER, UPPER, OVER):
        a, b = float(r(theta=theta, sigma=sigma)), float(r(theta=math.pi - theta, sigma=sigma))
        if math.isinf(a) or math.isinf(b):
            continue
        assert a == pytest.approx(b, rel=1e-9, abs=1e-12)


def test_lobe_exists_exactly_above_theta_min():
    sigma = 0.2
    t_min = float(THETA_MIN(sigma=sigma))
    theta = np.linspace(0, math.pi, 2001)
    lo, up = LOWER(theta=theta, sigma=sigma), UPPER(theta=theta, sigma=sigma)
    inside = (theta > t_min + 1e-9) & (theta < math.pi - t_min - 1e-9)
    assert np.all(up[inside] > lo[inside])
    assert np.all(up[~inside] == lo[~inside])
    assert np.all(lo[~inside] == pytest.approx(0.8, abs=1e-12))
    # the two branches meet continuously at the double root gamma = 1 - sigma
    assert float(LOWER(theta=t_min, sigma=sigma)) == pytest.approx(0.8, abs=1e-6)
    assert float(UPPER(theta=t_min, sigma=sigma)) == pytest.approx(0.8, abs=1e-6)
    # no lobe at all for sigma >= 1
    assert THETA_MIN(sigma=1.0) == THETA_MIN(sigma=2.5) == pytest.approx(math.pi / 2, rel=1e-15)
    assert np.all(LOWER(theta=theta, sigma=1.5) == 0) and np.all(UPPER(theta=theta, sigma=1.5) == 0)


def test_special_values_of_the_boundaries():
    for sigma in (0.0, 0.2, 0.7):
        assert LOWER(theta=math.pi / 2, sigma=sigma) == pytest.approx(0, abs=1e-30)
        assert UPPER(theta=math.pi / 2, sigma=sigma) == pytest.approx(1 - sigma ** 2, rel=1e-15)
        assert OVER(theta=math.pi / 2, sigma=sigma) == pytest.approx(1 + sigma ** 2, rel=1e-15)
    assert math.isinf(OVER(theta=0.0, sigma=0.2)) and math.isinf(OVER(theta=0.0, sigma=0.0))
    theta = np.linspace(1e-3, math.pi / 2, 50)
    np.testing.assert_allclose(LOWER(theta=theta, sigma=0.0), NOISELESS(theta=theta), rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(UPPER(theta=theta, sigma=0.0), 1.0, rtol=1e-15)
    np.testing.assert_allclose(OVER(theta=theta, sigma=0.0), 1.0, rtol=0)
    np.testing.assert_allclose(LOWER(theta=theta, sigma=1e-9), np.cos(theta) ** 2, rtol=1e-6)


@pytest.mark.parametrize("theta", [math.pi / 8, math.pi / 4, 3 * math.pi / 8, 1.5])
def test_regions_sign_pattern(theta):
    """§5.3: at fixed theta > theta_min the sign of T changes three times (+, -, +, -) as gamma grows;
    below theta_min once (+, -). (At theta = pi/2 exactly gamma_- = 0: R1 is empty, pattern -, +, -.)"""
    sigma = 0.2
    gamma = np.concatenate([np.linspace(1e-4, 3, 30001)])
    gamma = gamma[gamma != 1.0]
    signs = np.sign(T(gamma=gamma, theta=theta, sigma=sigma))
    changes = np.flatnonzero(np.diff(signs) != 0)
    pattern = [int(signs[0])] + [int(signs[i + 1]) for i in changes]
    if theta > float(THETA_MIN(sigma=sigma)):
        assert pattern == [1, -1, 1, -1]
        found = gamma[changes]
        expected = [float(r(theta=theta, sigma=sigma)) for r in (LOWER, UPPER, OVER)]
        np.testing.assert_allclose(found, expected, atol=2e-4)
    else:
        assert pattern == [1, -1]
        np.testing.assert_allclose(gamma[changes], [float(OVER(theta=theta, sigma=sigma))], atol=2e-4)


def test_noiseless_diagram():
    theta = np.linspace(0, math.pi / 2, 91)
    gamma = np.linspace(0, 2, 201)
    values = T(gamma=gamma[:, None], theta=theta[None, :], sigma=0.0)
    expected = np.where(gamma[:, None] < 1, np.cos(theta) ** 2 - gamma[:, None], -np.sin(theta) ** 2)
    np.testing.assert_allclose(values, expected, atol=1e-15)
    assert np.all(np.isfinite(values))


# -- grids: no warnings, no NaN -------------------------------------------------------------------

@pytest.mark.parametrize("sigma", [0.0, 0.2])
@pytest.mark.parametrize("lam", [0.0, 0.1])
def test_grid_with_singular_points_evaluates_without_warnings(sigma, lam):
    theta = np.concatenate([np.linspace(0, math.pi / 2, 201), [0.0, math.pi / 2, 1e-300, 5e-324]])
    gamma = np.concatenate([np.linspace(0, 2, 401), [0.0, 1.0, 1 - 1e-16, 1 + 2.2e-16, 1e30]])
    with _Strict():
        values = T(gamma=gamma[:, None], theta=theta[None, :], sigma=sigma, lam=lam)
        bounds = [r(theta=theta, sigma=sigma) for r in (LOWER, UPPER, OVER)] + [NOISELESS(theta=theta)]
        risk = RISK(theta=theta, lam=lam)
        tmin = THETA_MIN(sigma=np.array([0.0, 1e-300, 0.2, 1.0, 3.0]))
    for arr in (values, risk, tmin, *bounds):
        assert not np.isnan(arr).any()
    at_one = values[gamma == 1.0]
    if sigma > 0:
        assert np.all(np.isposinf(at_one))
    else:  # the exact limit -R_lt (no spike)
        np.testing.assert_allclose(at_one, -np.broadcast_to(risk, at_one.shape), rtol=1e-15)
    np.testing.assert_allclose(values[0], 1 - risk, rtol=1e-13, atol=1e-15)  # gamma = 0: R_sc = 1


@pytest.mark.parametrize("sigma", [0.0, 0.2])
def test_finite_grids_evaluate_without_warnings(sigma):
    n = np.arange(1, 61)
    theta = np.array([0.0, math.pi / 4, math.pi / 2, math.pi])
    with _Strict():
        risk = RISK_FIN(n=n[:, None], theta=theta[None, :], sigma=sigma)
        tf = T_FIN(n=n[:, None], d=30, theta=theta[None, :], sigma=sigma)
    assert not np.isnan(risk).any() and not np.isnan(tf).any()
    sc = SCRATCH_FIN(n=n, d=30, sigma=sigma)[:, None]
    regular = np.isfinite(sc) & np.isfinite(risk)
    np.testing.assert_allclose(tf[regular], (sc - risk)[regular], rtol=1e-13, atol=1e-15)
    assert np.all(tf[np.isinf(sc) & (np.ones_like(risk) > 0)] == np.inf)  # scratch peak: +inf
    assert np.all(tf[np.isfinite(sc) & np.isinf(risk)] == -np.inf)       # n <= 2: -inf
    if sigma > 0:
        assert np.all(np.isposinf(tf[np.abs(n - 30) <= 1]))


# -- float64 against 50-digit mpmath --------------------------------------------------------------

def _check_close(fast, exact, scale=None, rel=1e-12):
    exact = float(exact)
    if math.isinf(exact):
        assert fast == exact
        return
    scale = abs(exact) if scale is None else scale
    assert abs(fast - exact) <= rel * scale + 1e-300, (fast, exact)


@settings(max_examples=150)
@given(theta=thetas, lam=lams, norm_t=norms, norm_s=norms, depth=depths)
def test_risk_float64_vs_mpmath(theta, lam, norm_t, norm_s, depth):
    kw = dict(theta=theta, lam=lam, norm_t=norm_t, norm_s=norm_s, depth=depth)
    _check_close(float(RISK(**kw)), RISK.mp(dps=50, **kw))


@settings(max_examples=150)
@given(gamma=gammas, theta=thetas, sigma=sigmas, lam=lams)
def test_transferability_float64_vs_mpmath(gamma, theta, sigma, lam):
    """Relative to the size of the two risks (T itself is a difference and vanishes on the boundaries)."""
    assume(abs(gamma - 1) > 1e-6)
    kw = dict(gamma=gamma, theta=theta, sigma=sigma, lam=lam)
    scale = float(SCRATCH(gamma=gamma, sigma=sigma)) + float(RISK(theta=theta, lam=lam))
    _check_close(float(T(**kw)), T.mp(dps=50, **kw), scale=scale)


@settings(max_examples=150)
@given(n=st.integers(1, 400), d=st.integers(1, 400), theta=thetas, sigma=sigmas)
def test_finite_float64_vs_mpmath(n, d, theta, sigma):
    _check_close(float(RISK_FIN(n=n, theta=theta, sigma=sigma)), RISK_FIN.mp(dps=50, n=n, theta=theta, sigma=sigma))
    scale = abs(float(SCRATCH_FIN(n=n, d=d, sigma=sigma))) + abs(float(RISK_FIN(n=n, theta=theta, sigma=sigma)))
    _check_close(float(T_FIN(n=n, d=d, theta=theta, sigma=sigma)),
                 T_FIN.mp(dps=50, n=n, d=d, theta=theta, sigma=sigma), scale=scale)


@settings(max_examples=200)
@given(theta=thetas, sigma=sigmas)
def test_boundaries_float64_vs_mpmath(theta, sigma):
    """1e-12 relative away from the double root at theta_min (where the root is ill-conditioned)."""
    near_double_root = sigma < 1 and abs((1 - abs(math.cos(theta))) - sigma) < 1e-3 * max(sigma, 1e-300)
    for r in (LOWER, UPPER):
        if not near_double_root:
            _check_close(float(r(theta=theta, sigma=sigma)), r.mp(dps=50, theta=theta, sigma=sigma))
    if theta > 1e-150:
        _check_close(float(OVER(theta=theta, sigma=sigma)), OVER.mp(dps=50, theta=theta, sigma=sigma))
    _check_close(float(NOISELESS(theta=theta)), NOISELESS.mp(dps=50, theta=theta))
    _check_close(float(THETA_MIN(sigma=sigma)), THETA_MIN.mp(dps=50, sigma=sigma))


# -- limits with SymPy ----------------------------------------------------------------------------

def test_limits_of_the_transferability():
    theta, sigma, norm_t = SYM["theta"], SYM["sigma"], SYM["norm_t"]
    R = RISK.expr
    assert sp.simplify(T.limit("gamma", 0, "+", lam=0) - norm_t ** 2 * sp.cos(theta) ** 2) == 0
    assert T.limit("gamma", 1, "-") == sp.oo and T.limit("gamma", 1, "+") == sp.oo
    assert sp.simplify(T.limit("gamma", 1, "+", sigma=0) + R) == 0
    assert sp.simplify(T.limit("gamma", "oo") + R) == 0
    assert sp.simplify(T.limit("theta", 0, "+", gamma="1/2", lam=0, norm_t=1) - (sp.Rational(1, 2)
                                                                               + sigma ** 2)) == 0
    assert sp.simplify(T.limit("theta", "pi/2", "-", gamma="1/2", lam=0, norm_t=1) - (sigma ** 2 - sp.Rational(1, 2))) == 0
    assert sp.simplify(T.limit("sigma", 0, "+", gamma="1/2", lam=0, norm_t=1) - (sp.cos(theta) ** 2 - sp.Rational(1, 2))) == 0
    assert sp.simplify(T.limit("lam", 0, "+", gamma=2) - (sigma ** 2 - norm_t ** 2 * sp.sin(theta) ** 2)) == 0


def test_limits_of_the_risk_and_boundaries():
    theta, sigma, norm_t = SYM["theta"], SYM["sigma"], SYM["norm_t"]
    assert sp.simplify(RISK.limit("lam", 0, "+") - norm_t ** 2 * sp.sin(theta) ** 2) == 0
    assert sp.simplify(RISK.limit("lam", "oo") - norm_t ** 2) == 0
    assert RISK.limit("theta", 0, "+", lam=0) == 0
    assert sp.simplify(RISK.limit("theta", "pi/2", "-") - norm_t ** 2) == 0
    # n -> oo of the lam = 0 branch (Result.limit cannot substitute lam = 0 into Eq(lam, 0): generic lam > 0)
    n = SYM["n"]
    assert sp.simplify(sp.limit(RISK_FIN.expr.args[0][0], n, sp.oo) - norm_t ** 2 * sp.sin(theta) ** 2) == 0
    assert OVER.limit("theta", 0, "+") == sp.oo
    assert sp.simplify(OVER.limit("theta", "pi/2", "-") - (1 + sigma ** 2)) == 0
    assert OVER.limit("sigma", 0, "+", theta="pi/4") == 1
    assert sp.simplify(LOWER.limit("sigma", 0, "+", theta="pi/3") - sp.Rational(1, 4)) == 0
    assert UPPER.limit("sigma", 0, "+", theta="pi/3") == 1
    assert LOWER.limit("theta", "pi/2", "-", sigma="1/5") == 0
    assert UPPER.limit("theta", "pi/2", "-", sigma="1/5") == sp.Rational(24, 25)
    assert THETA_MIN.limit("sigma", 0, "+") == 0
    assert sp.simplify(THETA_MIN.limit("sigma", 1, "-") - sp.pi / 2) == 0
    assert NOISELESS.limit("theta", 0, "+") == 1 and NOISELESS.limit("theta", "pi/2", "-") == 0


def test_sign_pattern_for_orthogonal_tasks():
    gamma = np.linspace(1e-4, 3, 30001)
    gamma = gamma[gamma != 1.0]
    signs = np.sign(T(gamma=gamma, theta=math.pi / 2, sigma=0.2))
    changes = np.flatnonzero(np.diff(signs) != 0)
    assert [int(signs[0])] + [int(signs[i + 1]) for i in changes] == [-1, 1, -1]
    np.testing.assert_allclose(gamma[changes], [0.96, 1.04], atol=2e-4)  # 1 -+ sigma^2
