"""Finite source data (THEORY.md §7): moments, eq. (22)-(23), linear transfer with theta_eff."""
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
from ftheory.theory.finite_source import n_s, source_norm_sq_finite, source_overlap_finite

NORM = ftheory.get("finite_source_norm_sq")
OVERLAP = ftheory.get("finite_source_overlap")
T_FT = ftheory.get("finetune_transferability_finite_source")
STAR = ftheory.get("finetune_break_even_theta_finite_source")
T_LT = ftheory.get("linear_transfer_transferability_finite_source")
SCRATCH = ftheory.get("scratch_risk")
T_PAPER = ftheory.get("finetune_transferability")

gs_strategy = st.floats(1e-3, 10.0)
ss_strategy = st.floats(0.0, 2.0)
thetas = st.floats(0.0, math.pi)


def no_warnings(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(divide="raise", invalid="raise", over="raise"):
            return fn(*args, **kwargs)


def moments(gamma_s, sigma_s, theta):
    """THEORY.md §7.1 typed in directly (the reference the registered results must match)."""
    if gamma_s < 1:
        return gamma_s + sigma_s ** 2 * gamma_s / (1 - gamma_s), gamma_s * math.cos(theta)
    return 1 + sigma_s ** 2 / (gamma_s - 1), math.cos(theta)


# -- worked example and statuses ----------------------------------------------------------------------
def test_worked_example_8():
    star = STAR(gamma_s=0.5, sigma_s=0.2)
    assert math.cos(star) == pytest.approx(0.54, rel=1e-15)
    assert math.degrees(star) == pytest.approx(57.32, abs=0.005)
    assert float(mpmath.cos(STAR.mp(gamma_s="0.5", sigma_s="0.2", dps=40))) == pytest.approx(0.54, rel=1e-15)
    assert T_FT(gamma=0.3, theta=star, gamma_s=0.5, sigma_s=0.2) == pytest.approx(0, abs=1e-15)


def test_metadata():
    assert NORM.status == OVERLAP.status == T_FT.status == STAR.status == "PAPER"
    assert T_LT.status == "EXT" and "§7.3" in T_LT.reference
    assert T_FT.params == ("gamma", "theta", "gamma_s", "sigma_s")
    assert T_LT.params == ("gamma", "theta", "sigma", "gamma_s", "sigma_s")


# -- moments -------------------------------------------------------------------------------------------
@given(gamma_s=gs_strategy, sigma_s=ss_strategy, theta=thetas)
def test_moments_match_theory(gamma_s, sigma_s, theta):
    assume(abs(gamma_s - 1) > 1e-9)
    norm_sq, overlap = moments(gamma_s, sigma_s, theta)
    assert float(NORM(gamma_s=gamma_s, sigma_s=sigma_s)) == pytest.approx(norm_sq, rel=1e-12)
    assert float(OVERLAP(theta=theta, gamma_s=gamma_s)) == pytest.approx(overlap, rel=1e-12, abs=1e-15)


def test_moments_at_the_interpolation_threshold():
    out = no_warnings(NORM, gamma_s=1.0, sigma_s=np.array([0.0, 1e-300, 0.2]))
    assert out[0] == 1.0 and np.all(np.isinf(out[1:]))
    assert OVERLAP(theta=0.0, gamma_s=1.0) == 1.0


@pytest.mark.parametrize("nn,dd", [(5, 20), (30, 20), (19, 20), (20, 20), (21, 20)])
def test_finite_size_moments_tend_to_the_proportional_limit(nn, dd):
    """The exact finite-size moments (§7.2 [EXT]) at (n_s, d) and at (k n_s, k d) for large k."""
    d = PARAMS["d"].symbol
    ss = PARAMS["sigma_s"].symbol
    norm = source_norm_sq_finite()
    exact = norm.subs({n_s: nn, d: dd, ss: sp.Rational(1, 5)})
    if abs(nn - dd) <= 1:
        assert exact == sp.oo
        assert norm.subs({n_s: nn, d: dd, ss: 0}) == sp.Rational(min(nn, dd), dd)
        return
    k = 10 ** 6
    big = float(norm.subs({n_s: k * nn, d: k * dd, ss: sp.Rational(1, 5)}))
    assert big == pytest.approx(float(NORM(gamma_s=nn / dd, sigma_s=0.2)), rel=1e-5)
    ov = source_overlap_finite().subs({n_s: nn, d: dd, PARAMS["theta"].symbol: 0})
    assert ov == sp.Rational(min(nn, dd), dd)


# -- fine-tuning, eq. (22)-(23) -------------------------------------------------------------------------
@given(gamma=st.floats(0, 3), theta=thetas, gamma_s=gs_strategy, sigma_s=ss_strategy)
def test_eq_22_is_one_minus_gamma_times_the_moment_bracket(gamma, theta, gamma_s, sigma_s):
    assume(abs(gamma_s - 1) > 1e-9)
    norm_sq, overlap = moments(gamma_s, sigma_s, theta)
    expected = max(0.0, 1 - gamma) * (2 * overlap - norm_sq)
    scale = max(0.0, 1 - gamma) * (2 + norm_sq)
    assert abs(float(T_FT(gamma=gamma, theta=theta, gamma_s=gamma_s, sigma_s=sigma_s)) - expected) <= 1e-12 * scale


@given(gamma=st.floats(0, 0.99), gamma_s=gs_strategy, sigma_s=ss_strategy)
def test_eq_23_break_even_makes_T_vanish_and_change_sign(gamma, gamma_s, sigma_s):
    assume(abs(gamma_s - 1) > 1e-6)
    star = float(STAR(gamma_s=gamma_s, sigma_s=sigma_s))
    cos_star = 0.5 * (1 + sigma_s ** 2 / abs(1 - gamma_s))
    kw = dict(gamma=gamma, gamma_s=gamma_s, sigma_s=sigma_s)
    if cos_star > 1:                       # never helps
        assert star == 0.0 and T_FT(theta=0.0, **kw) < 0
        return
    assert math.cos(star) == pytest.approx(cos_star, rel=1e-12)
    assume(0.01 < star < math.pi - 0.01)
    norm_sq, _ = moments(gamma_s, sigma_s, 0.0)
    assert abs(T_FT(theta=star, **kw)) <= 1e-12 * (1 - gamma) * (2 + norm_sq)
    assert T_FT(theta=star - 0.01, **kw) > 0 > T_FT(theta=star + 0.01, **kw)


def test_break_even_edges():
    assert STAR(gamma_s=1.0, sigma_s=0.0) == pytest.approx(math.pi / 3)
    assert STAR(gamma_s=1.0, sigma_s=0.2) == 0.0
    assert STAR(gamma_s=0.9, sigma_s=0.5) == 0.0                  # sigma_s^2 > |1 - gamma_s|
    assert STAR(gamma_s=1e12, sigma_s=0.2) == pytest.approx(math.pi / 3, rel=1e-9)   # infinite source
    np.testing.assert_allclose(STAR(gamma_s=np.array([0.1, 0.5, 2.0, 7.0]), sigma_s=0.0), math.pi / 3, rtol=1e-15)


def test_infinite_source_limit_of_fine_tuning():
    g = np.linspace(0, 2, 21)
    np.testing.assert_allclose(T_FT(gamma=g, theta=0.7, gamma_s=1e12, sigma_s=0.3), T_PAPER(gamma=g, theta=0.7),
                               rtol=1e-10, atol=1e-14)
    # no source noise and gamma_s > 1: the source teacher is learned exactly
    np.testing.assert_allclose(T_FT(gamma=g, theta=0.7, gamma_s=1.5, sigma_s=0.0), T_PAPER(gamma=g, theta=0.7),
                               rtol=1e-14, atol=1e-15)


# -- linear transfer, §7.3 ------------------------------------------------------------------------------
@given(gamma=st.floats(0, 3), theta=thetas, sigma=st.floats(0, 2), gamma_s=gs_strategy, sigma_s=ss_strategy)
def test_linear_transfer_is_scratch_minus_effective_sin2(gamma, theta, sigma, gamma_s, sigma_s):
    assume(abs(gamma - 1) > 1e-6 and abs(gamma_s - 1) > 1e-9)
    norm_sq, overlap = moments(gamma_s, sigma_s, theta)
    sin2_eff = 1 - overlap ** 2 / norm_sq
    r_sc = float(SCRATCH(gamma=gamma, sigma=sigma))
    value = float(T_LT(gamma=gamma, theta=theta, sigma=sigma, gamma_s=gamma_s, sigma_s=sigma_s))
    assert value == pytest.approx(r_sc - sin2_eff, rel=1e-12, abs=1e-12 * (r_sc + 1))
    assert 0 <= r_sc - value <= 1 + 1e-15                       # sin^2(theta_eff) in [0, 1]
    assert r_sc - value >= math.sin(theta) ** 2 - 1e-12          # a noisy source never beats the true one


def test_linear_transfer_infinite_source_limit():
    g = np.array([0.0, 0.3, 0.8, 1.5, 4.0])
    th = np.array([0.0, 0.4, math.pi / 2])[:, None]
    expected = SCRATCH(gamma=g, sigma=0.2) - np.sin(th) ** 2
    np.testing.assert_allclose(T_LT(gamma=g, theta=th, sigma=0.2, gamma_s=1e12, sigma_s=0.2), expected, rtol=1e-10,
                               atol=1e-12)
    np.testing.assert_allclose(T_LT(gamma=g, theta=th, sigma=0.2, gamma_s=2.0, sigma_s=0.0), expected, rtol=1e-14,
                               atol=1e-15)


# -- grids with singular points ------------------------------------------------------------------------
def test_grids_with_singular_points_no_warnings_no_nan():
    g = np.concatenate([np.linspace(0, 2, 21), [1.0, 1 - 1e-16, 1e30]])[:, None, None, None]
    th = np.array([0.0, math.pi / 3, math.pi / 2, math.pi])[None, :, None, None]
    gs = np.array([1e-300, 0.5, 1.0, 1 - 1e-16, 1.5, 1e30])[None, None, :, None]
    ss = np.array([0.0, 0.2, 1.0])[None, None, None, :]
    ft = no_warnings(T_FT, gamma=g, theta=th, gamma_s=gs, sigma_s=ss)
    lt = no_warnings(T_LT, gamma=g, theta=th, sigma=0.2, gamma_s=gs, sigma_s=ss)
    lt0 = no_warnings(T_LT, gamma=g, theta=th, sigma=0.0, gamma_s=gs, sigma_s=ss)
    star = no_warnings(STAR, gamma_s=gs[0, 0], sigma_s=ss[0, 0])
    norm = no_warnings(NORM, gamma_s=gs[0, 0], sigma_s=ss[0, 0])
    ov = no_warnings(OVERLAP, theta=th[0, :, :, 0], gamma_s=gs[0, 0, :, 0])
    for out in (ft, lt, lt0, star, norm, ov):
        assert not np.isnan(out).any()
    assert np.all(ft[g[:, 0, 0, 0] >= 1] == 0)
    at_peak = (gs[0, 0, :, 0] == 1.0)
    assert np.all(np.isneginf(ft[g[:, 0, 0, 0] < 1][:, :, at_peak, 1:]))      # infinite-norm pretrained vector
    assert np.all(np.isinf(lt[g[:, 0, 0, 0] == 1.0]))                          # scratch interpolation peak
    assert np.all(np.isfinite(lt0))
    assert np.all((star >= 0) & (star <= math.pi / 3 + 1e-15))


# -- float64 against 50-digit mpmath -----------------------------------------------------------------------
@settings(max_examples=150)
@given(gamma=st.floats(0, 5), theta=thetas, sigma=st.floats(0, 2), gamma_s=gs_strategy, sigma_s=ss_strategy)
def test_float64_agrees_with_mpmath_50_digits(gamma, theta, sigma, gamma_s, sigma_s):
    assume(abs(gamma - 1) > 1e-6 and abs(gamma_s - 1) > 1e-6)
    cases = [
        (NORM, dict(gamma_s=gamma_s, sigma_s=sigma_s), None),
        (OVERLAP, dict(theta=theta, gamma_s=gamma_s), 1.0),
        (T_FT, dict(gamma=gamma, theta=theta, gamma_s=gamma_s, sigma_s=sigma_s),
         max(0.0, 1 - gamma) * (2 + moments(gamma_s, sigma_s, 0)[0])),
        (STAR, dict(gamma_s=gamma_s, sigma_s=sigma_s), 1.0),
        (T_LT, dict(gamma=gamma, theta=theta, sigma=sigma, gamma_s=gamma_s, sigma_s=sigma_s),
         1 + float(SCRATCH(gamma=gamma, sigma=sigma))),
    ]
    for result, params, size in cases:
        fast = float(result(**params))
        exact = result.mp(dps=50, **params)
        tol = 1e-12 * (abs(float(exact)) if size is None else size)
        assert abs(fast - float(exact)) <= tol, (result.name, params, fast, exact)


# -- limits --------------------------------------------------------------------------------------------------
th_s, gs_s, ss_s = (PARAMS[p].symbol for p in ("theta", "gamma_s", "sigma_s"))


def test_limits():
    assert NORM.limit("gamma_s", "oo") == 1
    assert NORM.limit("gamma_s", 1, "-") == sp.oo and NORM.limit("gamma_s", 1, "+") == sp.oo
    assert NORM.limit("gamma_s", 1, sigma_s=0) == 1
    assert NORM.limit("gamma_s", 0, "+") == 0
    assert sp.simplify(T_FT.limit("gamma", 0, "+", gamma_s=2, sigma_s=1) - (2 * sp.cos(th_s) - 2)) == 0
    assert T_FT.limit("gamma", 1, "-", gamma_s=2, sigma_s=1) == 0
    assert T_FT.limit("gamma", "oo") == 0
    assert sp.simplify(T_FT.limit("gamma_s", "oo", gamma="1/2") - (2 * sp.cos(th_s) - 1) / 2) == 0
    assert T_FT.limit("theta", 0, "+", gamma="1/2", gamma_s="1/2", sigma_s=0) == sp.Rational(1, 4)
    assert T_FT.limit("gamma_s", 1, "-", gamma="1/2") == -sp.oo
    assert STAR.limit("gamma_s", "oo", sigma_s="1/5") == sp.pi / 3
    assert STAR.limit("sigma_s", 0, "+", gamma_s="1/2") == sp.pi / 3
    assert T_LT.limit("gamma", 1, "-", gamma_s="1/2") == sp.oo
    assert sp.simplify(T_LT.limit("gamma", 0, "+", gamma_s=2, sigma_s=1) - sp.cos(th_s) ** 2 / 2) == 0
    half = sp.Rational(1, 2)
    assert T_LT.limit("theta", "pi/2", gamma="1/2", sigma="1/5", gamma_s="1/2") == half + sp.Rational(1, 25) - 1
    noiseless = T_LT.limit("sigma_s", 0, "+", gamma="1/2", sigma=0, gamma_s=3)
    assert sp.simplify(noiseless - (sp.cos(th_s) ** 2 - half)) == 0
