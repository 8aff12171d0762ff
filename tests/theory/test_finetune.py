"""Fine-tuning results (THEORY.md §6, §8): worked examples, properties, edges, float64 vs mpmath.

Results: finetune_transferability(_finite), finetune_break_even_theta (paper variant, c = 1) and
finetune_scale, finetune_transferability_gf, finetune_break_even_theta_gf (exact gradient flow).
"""
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
from ftheory.roots import positive_root, positive_root_mp
from ftheory.theory.finetune import PositiveRoot

T = ftheory.get("finetune_transferability")
T_FINITE = ftheory.get("finetune_transferability_finite")
THETA_STAR = ftheory.get("finetune_break_even_theta")
SCALE = ftheory.get("finetune_scale")
T_GF = ftheory.get("finetune_transferability_gf")
THETA_STAR_GF = ftheory.get("finetune_break_even_theta_gf")

gammas_under = st.floats(0.0, 0.999)
thetas = st.floats(0.0, math.pi)
sigmas = st.floats(0.0, 3.0)
depths = st.integers(2, 12)
norms = st.floats(0.2, 3.0)


def no_warnings(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(divide="raise", invalid="raise", over="raise"):   # underflow is benign
            return fn(*args, **kwargs)


def scale_equation(c, L, r, a, b):
    return r ** 2 * c ** (2 * L / (L - 1)) - a * c ** 2 - b


# -- worked examples ---------------------------------------------------------------------------
def test_worked_example_6():
    assert T(gamma=0.5, theta=math.pi / 4) == pytest.approx((math.sqrt(2) - 1) / 2, rel=1e-15)
    with mpmath.workdps(50):
        expected = (mpmath.sqrt(2) - 1) / 2
        assert abs(T.mp(gamma="0.5", theta=mpmath.pi / 4, dps=50) - expected) < mpmath.mpf(10) ** -48
    assert THETA_STAR() == pytest.approx(math.pi / 3, rel=1e-15)
    g = np.linspace(0, 0.99, 12)
    assert np.abs(T(gamma=g, theta=math.pi / 3)).max() < 1e-15


def test_worked_example_7():
    assert SCALE(gamma=0.5, sigma=1.0) == pytest.approx(math.sqrt(1.5), rel=1e-15)
    assert float(SCALE.mp(gamma="0.5", sigma="1", dps=40)) == pytest.approx(math.sqrt(1.5), rel=1e-15)
    assert math.degrees(THETA_STAR_GF(gamma=0.5, sigma=1.0)) == pytest.approx(52.24, abs=0.005)
    assert math.cos(THETA_STAR_GF(gamma=0.5, sigma=1.0)) == pytest.approx(math.sqrt(1.5) / 2, rel=1e-14)
    assert T_GF(gamma=0.5, theta=THETA_STAR_GF(gamma=0.5, sigma=1.0), sigma=1.0) == pytest.approx(0, abs=1e-15)


def test_metadata_and_defaults():
    assert T.status == "PAPER" and "§6.2" in T.reference
    assert T_FINITE.status == "EXT"
    assert SCALE.status == T_GF.status == THETA_STAR_GF.status == "EXT"
    assert T.required == ("gamma", "theta")
    assert SCALE.required == ("gamma", "sigma") and SCALE.defaults == {"depth": 2.0, "norm_s": 1.0, "norm_t": 1.0}
    assert T_GF.params == ("gamma", "theta", "sigma", "depth", "norm_s", "norm_t")


# -- the paper's variant -------------------------------------------------------------------------
@given(n=st.integers(1, 300), d=st.integers(1, 300), theta=thetas, norm_s=norms, norm_t=norms)
def test_finite_size_is_one_minus_n_over_d_times_the_bracket(n, d, theta, norm_s, norm_t):
    value = float(T_FINITE(n=n, d=d, theta=theta, norm_s=norm_s, norm_t=norm_t))
    bracket = 2 * norm_s * norm_t * math.cos(theta) - norm_s ** 2
    assert value == pytest.approx(max(0.0, 1 - n / d) * bracket, rel=1e-12, abs=1e-14)
    # the asymptotic formula at gamma = n/d is the same number (no finite-size correction)
    assert float(T(gamma=n / d, theta=theta, norm_s=norm_s, norm_t=norm_t)) == pytest.approx(value, rel=1e-12,
                                                                                              abs=1e-14)


@given(gamma=gammas_under, norm_s=norms, norm_t=norms)
def test_paper_break_even_makes_T_vanish_and_change_sign(gamma, norm_s, norm_t):
    star = float(THETA_STAR(norm_s=norm_s, norm_t=norm_t))
    if norm_s >= 2 * norm_t:   # never helps: theta* = 0 and T <= 0 everywhere
        assert star == 0.0
        assert T(gamma=gamma, theta=0.0, norm_s=norm_s, norm_t=norm_t) <= 1e-15
        return
    assert math.cos(star) == pytest.approx(norm_s / (2 * norm_t), rel=1e-12)
    assume(gamma < 0.99 and 0.01 < star < math.pi - 0.01)
    scale = (1 - gamma) * norm_s * norm_t
    assert abs(T(gamma=gamma, theta=star, norm_s=norm_s, norm_t=norm_t)) <= 1e-13 * scale
    assert T(gamma=gamma, theta=star - 0.01, norm_s=norm_s, norm_t=norm_t) > 0
    assert T(gamma=gamma, theta=star + 0.01, norm_s=norm_s, norm_t=norm_t) < 0


def test_paper_break_even_edge_norms():
    out = no_warnings(THETA_STAR, norm_s=np.array([0.5, 1.0, 2.0, 2.0000001, 10.0]), norm_t=1.0)
    assert out[0] == pytest.approx(math.acos(0.25)) and out[1] == pytest.approx(math.pi / 3)
    assert out[2] == 0.0 and out[3] == 0.0 and out[4] == 0.0


# -- the gradient-flow scale -----------------------------------------------------------------------
@given(gamma=gammas_under, sigma=sigmas, depth=st.integers(2, 60), norm_s=norms, norm_t=norms)
def test_scale_solves_its_equation(gamma, sigma, depth, norm_s, norm_t):
    c = float(SCALE(gamma=gamma, sigma=sigma, depth=depth, norm_s=norm_s, norm_t=norm_t))
    a = (1 - gamma) * norm_s ** 2
    b = gamma * norm_t ** 2 + gamma * sigma ** 2 / (1 - gamma)
    terms = [norm_s ** 2 * c ** (2 * depth / (depth - 1)), a * c ** 2, b]
    assert c > 0
    assert abs(scale_equation(c, depth, norm_s, a, b)) <= 1e-12 * max(terms)


@given(gamma=gammas_under, sigma=sigmas, depth=depths)
def test_scale_is_at_least_one_for_unit_norms(gamma, sigma, depth):
    c = float(SCALE(gamma=gamma, sigma=sigma, depth=depth))
    assert c >= 1 - 1e-15
    excess = gamma * sigma ** 2 / (1 - gamma)          # a + b - 1 (§6.3)
    if excess > 1e-6:
        assert c > 1
    if sigma == 0:
        assert c == pytest.approx(1.0, rel=1e-15)


@given(gamma=st.floats(0.05, 0.95), sigma=st.floats(0.05, 3.0))
def test_scale_depends_on_depth_when_noisy(gamma, sigma):
    cs = [float(SCALE(gamma=gamma, sigma=sigma, depth=L)) for L in (2, 3, 4, 6)]
    assert all(x < y for x, y in zip(cs, cs[1:]))            # strictly increasing in depth
    t = [float(T_GF(gamma=gamma, theta=0.5, sigma=sigma, depth=L)) for L in (2, 3)]
    assert t[0] != pytest.approx(t[1], rel=1e-9)


@given(gamma=gammas_under, theta=thetas, depth=depths, norm=norms)
def test_gradient_flow_equals_paper_at_zero_noise(gamma, theta, depth, norm):
    """sigma = 0 and equal norms: c = 1 exactly at every depth, so both variants agree."""
    gf = float(T_GF(gamma=gamma, theta=theta, sigma=0.0, depth=depth, norm_s=norm, norm_t=norm))
    paper = float(T(gamma=gamma, theta=theta, norm_s=norm, norm_t=norm))
    assert gf == pytest.approx(paper, rel=1e-13, abs=1e-15 * norm ** 2)


@given(gamma=gammas_under, sigma=sigmas, depth=depths, norm_s=norms, norm_t=norms)
def test_gf_break_even_makes_T_vanish_and_change_sign(gamma, sigma, depth, norm_s, norm_t):
    kw = dict(sigma=sigma, depth=depth, norm_s=norm_s, norm_t=norm_t)
    star = float(THETA_STAR_GF(gamma=gamma, **kw))
    c = float(SCALE(gamma=gamma, **kw))
    if c * norm_s >= 2 * norm_t:
        assert star == 0.0
        assert T_GF(gamma=gamma, theta=0.0, **kw) <= 1e-13 * (1 - gamma) * c ** 2 * norm_s ** 2
        return
    assert math.cos(star) == pytest.approx(c * norm_s / (2 * norm_t), rel=1e-12)
    assume(gamma < 0.99 and 0.01 < star < math.pi - 0.01)
    size = (1 - gamma) * c * norm_s * norm_t
    assert abs(T_GF(gamma=gamma, theta=star, **kw)) <= 1e-12 * size
    assert T_GF(gamma=gamma, theta=star - 0.01, **kw) > 0
    assert T_GF(gamma=gamma, theta=star + 0.01, **kw) < 0


@given(gamma=gammas_under, sigma=st.floats(1e-3, 3.0), depth=depths)
def test_gf_break_even_is_below_pi_over_3_when_noisy(gamma, sigma, depth):
    """c > 1 for sigma > 0: the paper's formula is too optimistic (§6.3)."""
    assume(gamma * sigma ** 2 / (1 - gamma) > 1e-8)
    assert THETA_STAR_GF(gamma=gamma, sigma=sigma, depth=depth) < math.pi / 3


def test_scale_above_one_sample_ratio():
    """gamma > 1: a = 0, r^2 c^(2L/(L-1)) = |beta_t|^2 + sigma^2/(gamma - 1); gamma = 1: +oo or the
    sigma = 0 limit; the transferability is 0 for every gamma >= 1."""
    g = np.array([1.0, 1.5, 3.0, 1e6])
    for L in (2, 3, 5):
        c = no_warnings(SCALE, gamma=g, sigma=0.5, depth=L, norm_s=1.3, norm_t=0.7)
        assert np.isinf(c[0])
        np.testing.assert_allclose(1.3 ** 2 * c[1:] ** (2 * L / (L - 1)), 0.49 + 0.25 / (g[1:] - 1), rtol=1e-13)
        c0 = no_warnings(SCALE, gamma=1.0, sigma=0.0, depth=L, norm_s=1.3, norm_t=0.7)
        assert c0 == pytest.approx((0.7 / 1.3) ** ((L - 1) / L), rel=1e-14)
        assert np.all(no_warnings(T_GF, gamma=g, theta=0.3, sigma=0.5, depth=L) == 0)


@pytest.mark.parametrize("L", [2, 3, 6])
@pytest.mark.parametrize("sigma", [1e-3, 0.2, 2.0])
def test_gamma_to_one_from_below(L, sigma):
    """c ~ (sigma^2/(1 - gamma))^((L-1)/(2L)) -> oo, while (1 - gamma) c^2 -> 0 (like
    (1 - gamma)^(1/L), slowly for deep networks) and T_gf -> 0."""
    eps = np.array([1e-4, 1e-8, 1e-12, 1e-15])
    c = no_warnings(SCALE, gamma=1 - eps, sigma=sigma, depth=L)
    lead = (sigma ** 2 / eps) ** ((L - 1) / (2 * L))
    np.testing.assert_allclose(c[1:] / lead[1:], 1.0, rtol=1e-2)
    t = no_warnings(T_GF, gamma=1 - eps, theta=0.3, sigma=sigma, depth=L)
    assert np.all(np.abs(t) <= 1.000001 * eps * (2 * c + c ** 2))
    assert np.all(np.diff(np.abs(t[1:])) < 0)
    assert abs(t[-1]) / (eps[-1] ** (1 / L) * sigma ** (2 * (L - 1) / L)) == pytest.approx(1.0, rel=0.05)


# -- singular points and grids -------------------------------------------------------------------------
GRID_GAMMA = np.concatenate([np.linspace(0, 2, 41), [1.0, 1 - 1e-16, 1 + 2.2e-16, 1e-300, 1e30]])
GRID_THETA = np.array([0.0, math.pi / 6, math.pi / 3, math.pi / 2, math.pi])
GRID_SIGMA = np.array([0.0, 1e-300, 0.2, 1.0, 1e3])


@pytest.mark.parametrize("depth", [2, 3, 7])
def test_grids_with_singular_points_no_warnings_no_nan(depth):
    g, t, s = GRID_GAMMA[:, None, None], GRID_THETA[None, :, None], GRID_SIGMA[None, None, :]
    outputs = {
        "T": no_warnings(T, gamma=g, theta=t),
        "T_finite": no_warnings(T_FINITE, n=np.arange(1, 60)[:, None], d=30, theta=GRID_THETA[None, :]),
        "scale": no_warnings(SCALE, gamma=g[:, :, 0], sigma=s[:, 0, :], depth=depth),
        "T_gf": no_warnings(T_GF, gamma=g, theta=t, sigma=s, depth=depth),
        "star_gf": no_warnings(THETA_STAR_GF, gamma=g[:, :, 0], sigma=s[:, 0, :], depth=depth),
        "star": no_warnings(THETA_STAR, norm_s=np.array([1e-3, 1.0, 2.0, 1e3]), norm_t=np.array([[1e-3], [1.0]])),
    }
    for name, out in outputs.items():
        assert not np.isnan(out).any(), name
    gf = outputs["T_gf"]
    assert np.all(gf[GRID_GAMMA >= 1] == 0)                    # exactly 0 at and above gamma = 1
    assert np.all(np.isfinite(gf))
    at_one = outputs["scale"][GRID_GAMMA == 1.0]
    assert np.all(at_one[:, 0] == 1.0) and np.all(np.isinf(at_one[:, 1:]))
    star_gf = outputs["star_gf"]
    assert np.all((star_gf >= 0) & (star_gf <= math.pi / 3 + 1e-15))
    assert np.all(star_gf[GRID_GAMMA >= 1] == 0)
    np.testing.assert_allclose(gf[..., 0], outputs["T"][..., 0], rtol=1e-13, atol=1e-15)   # sigma = 0: paper


# -- float64 against 50-digit mpmath ---------------------------------------------------------------------
def _mp_check(result, rel, size=None, **params):
    fast = float(result(**params))
    exact = result.mp(dps=50, **params)
    if mpmath.isinf(exact):
        assert math.isinf(fast) and (fast > 0) == (exact > 0)
        return
    tol = rel * (abs(float(exact)) if size is None else size)
    assert abs(fast - float(exact)) <= tol, (params, fast, exact)


@settings(max_examples=150)
@given(gamma=st.floats(0, 5), theta=thetas, sigma=sigmas, depth=depths, norm_s=norms, norm_t=norms)
def test_float64_agrees_with_mpmath_50_digits(gamma, theta, sigma, depth, norm_s, norm_t):
    """1e-12 relative; for the transferabilities relative to the size of their two terms (they
    vanish at the break-even angle, where a relative error on the difference means nothing)."""
    assume(abs(gamma - 1) > 1e-6)
    _mp_check(SCALE, 1e-12, gamma=gamma, sigma=sigma, depth=depth, norm_s=norm_s, norm_t=norm_t)
    c = float(SCALE(gamma=gamma, sigma=sigma, depth=depth, norm_s=norm_s, norm_t=norm_t))
    size_gf = max(0.0, 1 - gamma) * (2 * c * norm_s * norm_t + c ** 2 * norm_s ** 2)
    _mp_check(T_GF, 1e-12, size=size_gf, gamma=gamma, theta=theta, sigma=sigma, depth=depth, norm_s=norm_s,
              norm_t=norm_t)
    size = max(0.0, 1 - gamma) * (2 * norm_s * norm_t + norm_s ** 2)
    _mp_check(T, 1e-12, size=size, gamma=gamma, theta=theta, norm_s=norm_s, norm_t=norm_t)
    _mp_check(THETA_STAR_GF, 1e-12, size=1.0, gamma=gamma, sigma=sigma, depth=depth, norm_s=norm_s,
              norm_t=norm_t)
    _mp_check(THETA_STAR, 1e-12, size=1.0, norm_s=norm_s, norm_t=norm_t)


# -- limits ------------------------------------------------------------------------------------------------
r_s, r_t = PARAMS["norm_s"].symbol, PARAMS["norm_t"].symbol
g_sym, th, sg, L_sym = (PARAMS[p].symbol for p in ("gamma", "theta", "sigma", "depth"))


def test_limits_paper_variant():
    assert sp.simplify(T.limit("gamma", 0, "+") - (2 * r_s * r_t * sp.cos(th) - r_s ** 2)) == 0
    assert T.limit("gamma", 1) == 0
    assert T.limit("gamma", "oo") == 0
    assert sp.simplify(T.limit("theta", 0, "+", gamma="1/2") - r_s * (2 * r_t - r_s) / 2) == 0
    assert sp.simplify(T.limit("theta", "pi/2", gamma="1/2") + r_s ** 2 / 2) == 0
    assert T.limit("theta", "pi/3", gamma="1/4", norm_s=1, norm_t=1) == 0


def test_limits_gradient_flow():
    assert SCALE.limit("gamma", 0, "+") == 1                              # any depth
    assert SCALE.limit("gamma", "oo") == (r_t / r_s) ** ((L_sym - 1) / L_sym)
    assert SCALE.limit("gamma", 1, "-", sigma=0, norm_s=1, norm_t=1) == 1
    assert sp.simplify(T_GF.limit("gamma", 0, "+") - (2 * r_s * r_t * sp.cos(th) - r_s ** 2)) == 0
    assert T_GF.limit("gamma", 1, "-", depth=2) == 0
    assert T_GF.limit("gamma", "oo") == 0
    # sigma -> 0 at fixed gamma (generic depth): c -> 1 for equal norms, so T_gf -> the paper
    assert SCALE.limit("sigma", 0, "+", gamma="1/2", norm_s=1, norm_t=1) == 1
    assert sp.simplify(T_GF.limit("sigma", 0, "+", gamma="1/2", norm_s=1, norm_t=1)
                       - (2 * sp.cos(th) - 1) / 2) == 0
    # theta -> 0, pi/2 at depth 2 (closed form): gamma = 1/2, sigma = 1, c = sqrt(3/2)
    c = sp.sqrt(sp.Rational(3, 2))
    sub = dict(gamma="1/2", sigma=1, depth=2, norm_s=1, norm_t=1)
    assert sp.simplify(T_GF.limit("theta", 0, "+", **sub) - (2 * c - c ** 2) / 2) == 0
    assert sp.simplify(T_GF.limit("theta", "pi/2", **sub) + c ** 2 / 2) == 0
    assert THETA_STAR_GF.limit("gamma", 0, "+", sigma=1, depth=3, norm_s=1, norm_t=1) == sp.pi / 3


# -- PositiveRoot and ftheory.roots ---------------------------------------------------------------------
def test_positive_root_exact_rules():
    A, B, L = sp.symbols("A B L", positive=True)
    assert PositiveRoot(2, A, B) == (A + sp.sqrt(A ** 2 + 4 * B)) / 2
    assert PositiveRoot(L, A, 0) == A
    assert PositiveRoot(L, 0, B) == B ** (1 / L)
    assert PositiveRoot(L, 1 - A, A) == 1
    assert PositiveRoot(1, A, B) == A + B
    assert isinstance(PositiveRoot(L, A, B), PositiveRoot) and PositiveRoot(L, A, B).is_positive
    assert isinstance(PositiveRoot(3, sp.Rational(1, 3), 2), PositiveRoot)     # no closed form kept
    w = PositiveRoot(3, sp.Rational(1, 3), 2).evalf(60)
    assert abs(w ** 3 - w ** 2 / 3 - 2) < sp.Float("1e-55")
    assert PositiveRoot(3, sp.Float(0.5), 1).is_Float


def test_positive_root_derivatives_are_implicit():
    A, B, L = sp.symbols("A B L", positive=True)
    w = PositiveRoot(L, A, B)
    point = {L: sp.Rational(7, 2), A: sp.Rational(3, 10), B: sp.Rational(6, 5)}
    h = sp.Rational(1, 10 ** 20)
    for var in (L, A, B):
        up, down = (w.subs({**point, var: point[var] + step}).evalf(50) for step in (h, -h))
        numeric = (up - down) / (2 * h)
        assert abs(sp.diff(w, var).subs(point).evalf(50) - numeric) < sp.Float("1e-30")


@given(L=st.floats(1.0, 80.0), A=st.floats(0, 1e6), B=st.floats(0, 1e6))
def test_roots_float64_matches_mpmath(L, A, B):
    w = float(no_warnings(positive_root, L, A, B))
    with mpmath.workdps(40):
        exact = positive_root_mp(L, A, B)
        if exact == 0:
            assert w == 0.0
            return
        assert abs(w - float(exact)) <= 4e-15 * float(exact)
        assert abs(exact ** L - A * exact ** (L - 1) - B) <= mpmath.mpf(10) ** -35 * max(exact ** L, B, 1e-300)


def test_roots_broadcasting_and_edges():
    L = np.array([2.0, 3.0, 59.0])[:, None]
    A = np.array([0.0, 0.5, 1e-300, 1e300])[None, :]
    out = no_warnings(positive_root, L, A, 1.5)
    assert out.shape == (3, 4) and np.all(np.isfinite(out)) and np.all(out > 0)
    np.testing.assert_allclose(out[:, 0], 1.5 ** (1 / L[:, 0]), rtol=1e-15)
    assert out[0, 1] == pytest.approx(1.5)
    assert np.all(out[:, 3] == 1e300)
    assert no_warnings(positive_root, 2, 0.0, 0.0) == 0.0
    assert no_warnings(positive_root, 4, 2.0, 0.0) == 2.0
    assert np.ndim(positive_root(2, 0.5, 1.5)) == 0
    with pytest.raises(ValueError):
        positive_root_mp(2, -1, 1)
