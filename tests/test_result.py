"""The Result interface on the scratch results: evaluation, precision, limits, series, errors."""
import math
import warnings

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import ftheory
from ftheory.params import PARAMS


@pytest.fixture
def r():
    return ftheory.get("scratch_risk")


def test_metadata(r):
    assert r.name == "scratch_risk"
    assert r.params == ("gamma", "sigma", "norm_t")
    assert r.required == ("gamma", "sigma")
    assert r.defaults == {"norm_t": 1.0}
    assert r.status == "PAPER" and "§3.2" in r.reference
    assert r.domain == {"gamma": "[0, inf)", "sigma": "[0, inf)", "norm_t": "(0, inf)"}
    assert "scratch_risk(gamma, sigma, norm_t=1)" in repr(r)


def test_worked_example_1(r):
    assert r(gamma=0.5, sigma=0.2) == pytest.approx(0.54, rel=1e-15)
    assert float(r.mp(gamma="0.5", sigma="0.2")) == 0.54


def test_broadcasting_shapes(r):
    g = np.linspace(0, 2, 11)
    s = np.array([0.0, 0.2, 1.0])
    out = r(gamma=g[:, None], sigma=s[None, :])
    assert out.shape == (11, 3)
    np.testing.assert_allclose(out[3, 1], r(gamma=g[3], sigma=0.2))
    assert np.ndim(r(gamma=0.3, sigma=0.1)) == 0


def test_grid_with_singular_points_evaluates_without_warnings(r):
    g = np.concatenate([np.linspace(0, 2, 2001), [1.0, 1 - 1e-16, 1 + 2.2e-16, 1e30]])
    s = np.array([0.0, 1e-300, 0.2, 1.0, 5.0])
    t = np.array([1e-3, 1.0, 3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(divide="raise", invalid="raise", over="raise"):
            out = r(gamma=g[:, None, None], sigma=s[None, :, None], norm_t=t[None, None, :])
    assert not np.isnan(out).any()
    at_one = out[g == 1.0]
    assert np.all(at_one[:, 0, :] == 0.0)           # sigma = 0: the exact limit, no peak
    assert np.all(np.isinf(at_one[:, 1:, :]))        # sigma > 0: +inf
    assert np.all(out[0] == np.array([1e-3, 1.0, 3.0]) ** 2)  # gamma = 0: ||beta_t||^2


def test_finite_size_singular_points():
    f = ftheory.get("scratch_risk_finite")
    n = np.arange(1, 41)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(divide="raise", invalid="raise", over="raise"):
            noisy = f(n=n, d=20, sigma=0.2)
            clean = f(n=n, d=20, sigma=0.0)
    assert np.all(np.isinf(noisy[np.abs(n - 20) <= 1]))
    assert np.all(np.isfinite(noisy[np.abs(n - 20) > 1]))
    np.testing.assert_allclose(clean, np.maximum(0, 1 - n / 20), rtol=1e-15, atol=0)


@settings(max_examples=300)
@given(gamma=st.floats(0, 50), sigma=st.floats(0, 5), norm_t=st.floats(0.01, 10))
def test_float64_agrees_with_mpmath_50_digits(gamma, sigma, norm_t):
    """float64 vs 50-digit mpmath on the same (binary) inputs: 1e-12 relative away from gamma = 1."""
    r = ftheory.get("scratch_risk")
    if abs(gamma - 1) < 1e-6:
        return
    fast = float(r(gamma=gamma, sigma=sigma, norm_t=norm_t))
    exact = r.mp(gamma=gamma, sigma=sigma, norm_t=norm_t, dps=50)
    if exact == 0:
        assert fast == 0
    else:
        assert abs(fast - float(exact)) <= 1e-12 * abs(float(exact))


@pytest.mark.parametrize("eps", [1e-3, 1e-6, 1e-9, 1e-12, 1e-15, 2.2e-16])
@pytest.mark.parametrize("side", [-1, 1])
@pytest.mark.parametrize("sigma", [0.0, 1e-8, 0.2])
def test_float64_near_interpolation_peak(eps, side, sigma):
    """Near gamma = 1 the generated form has no cancellation: float64 stays within a few ulps."""
    r = ftheory.get("scratch_risk")
    gamma = 1.0 + side * eps
    fast = float(r(gamma=gamma, sigma=sigma))
    exact = float(r.mp(gamma=gamma, sigma=sigma, dps=50))
    assert fast == pytest.approx(exact, rel=4e-16, abs=0)


def test_mp_keeps_digits_a_float_cannot(r):
    value = r.mp(gamma="0.99999999999999999999", sigma="0.2", dps=50)
    with mpmath.workdps(50):
        one_minus = mpmath.mpf("1e-20")
        expected = one_minus + mpmath.mpf("0.99999999999999999999") * mpmath.mpf("0.04") / one_minus
    assert abs(value - expected) < mpmath.mpf("1e-30") * expected
    assert math.isinf(float(r(gamma=0.99999999999999999999, sigma=0.2)))  # the float is exactly 1


def test_mp_errors(r):
    with pytest.raises(ValueError, match="dps"):
        r.mp(gamma=0.5, sigma=0.2, dps=0)
    with pytest.raises(ValueError, match="gamma='abc' is not a number"):
        r.mp(gamma="abc", sigma=0.2)
    with pytest.raises(ValueError, match="sigma=-1"):
        r.mp(gamma="0.5", sigma=-1)


def test_limits(r):
    gamma, sigma, norm_t = (PARAMS[p].symbol for p in ("gamma", "sigma", "norm_t"))
    assert r.limit("gamma", 1, "-") == sp.oo
    assert r.limit("gamma", 1, "+") == sp.oo
    assert r.limit("gamma", 1, sigma=0) == 0
    assert r.limit("gamma", 0, "+") == norm_t ** 2
    assert r.limit("gamma", "oo") == 0
    assert r.limit("sigma", 0, "+", gamma="1/2") == norm_t ** 2 / 2
    with pytest.raises(ValueError, match="dir="):
        r.limit("gamma", 1, "up")
    with pytest.raises(ValueError, match="unknown parameter 'n'"):
        r.limit("n", 1)


def test_series(r):
    gamma, sigma, norm_t = (PARAMS[p].symbol for p in ("gamma", "sigma", "norm_t"))
    s0 = r.series("gamma", 0, 3)
    assert sp.simplify(s0.removeO() - (norm_t ** 2 + gamma * (sigma ** 2 - norm_t ** 2) + gamma ** 2 * sigma ** 2)) == 0
    s_inf = r.series("gamma", "oo", 3)
    assert sp.simplify(s_inf.removeO() - (sigma ** 2 / gamma + sigma ** 2 / gamma ** 2)) == 0
    left = r.series("gamma", 1, 1, "-").removeO()
    assert sp.simplify(left - (sigma ** 2 / (1 - gamma) - sigma ** 2)) == 0
    right = r.series("gamma", 1, 1, "+").removeO()
    assert sp.simplify(right - sigma ** 2 / (gamma - 1)) == 0
    with pytest.raises(ValueError, match="order"):
        r.series("gamma", 0, 0)


def test_series_two_sided_like_limit(r):
    """dir="+-" (the default, as for limit) expands on both sides and raises where they differ; at an end
    of the domain (gamma = 0) or at oo only the inside counts."""
    gamma = PARAMS["gamma"].symbol
    with pytest.raises(ValueError, match=r"^scratch_risk: the series in gamma at 1 differs on the two sides: .* from "
                                         r"the left, .* from the right; pass dir='-' or dir='\+'$"):
        r.series("gamma", 1, 2)
    assert r.series("gamma", "1/2", 3) == r.series("gamma", "1/2", 3, "+") == r.series("gamma", "1/2", 3, "+-")
    left, right = r.series("gamma", "1/2", 3, "-"), r.series("gamma", "1/2", 3, "+")
    assert left.getO() == right.getO() and sp.expand(left.removeO() - right.removeO()) == 0
    assert r.series("gamma", 0, 3) == r.series("gamma", 0, 3, "+")
    assert r.series("gamma", "oo", 3) == r.series("gamma", "oo", 3, "-")
    assert r.series("gamma", 1, 2, "+", sigma=0) == 0 and r.series("gamma", 1, 2, "-", sigma=0).removeO() != 0
    with pytest.raises(ValueError, match="differs on the two sides"):
        r.series("gamma", 1, 2, sigma=0)
    with pytest.raises(ValueError, match=r"dir='up' is invalid: expected '\+', '-' or '\+-'"):
        r.series("gamma", 1, 2, "up")
    assert gamma in r.series("gamma", "1/2", 2).free_symbols


def test_two_sided_values_must_agree(r):
    """The rule shared by limit and series: equal values (infinities compared as such) pass, others raise
    naming both, cut to 120 characters."""
    pt = sp.Integer(1)
    assert r._one_sided_or_equal("it", "gamma", pt, "+-", lambda side: sp.oo) is not None
    long = sp.Symbol("x" * 300)
    with pytest.raises(ValueError, match=r"^scratch_risk: it differs on the two sides: 1 from the left, x{117}\.\.\. "
                                         r"from the right; pass dir='-' or dir='\+'$"):
        r._one_sided_or_equal("it", "gamma", pt, "+-", lambda side: sp.Integer(1) if side == "-" else long)
    calls = []
    r._one_sided_or_equal("it", "gamma", sp.Integer(0), "+-", lambda side: calls.append(side) or sp.Integer(0))
    assert calls == ["+"]                                  # gamma = 0 is the end of the domain: inside only


def test_expr_symbols_and_latex(r):
    assert r.expr.free_symbols == {PARAMS[p].symbol for p in r.params}
    assert r.latex().startswith(r"\begin{cases}")
    assert r"\|\beta_{t}\|" in r.latex()
    assert "γ" in r.pretty()


@pytest.mark.parametrize("kwargs,match", [
    ({"gamma": 0.5}, "missing parameter 'sigma'"),
    ({"gamma": 0.5, "sigma": 0.2, "theta": 1.0}, "unknown parameter 'theta'; parameters are gamma, sigma"),
    ({"gama": 0.5, "sigma": 0.2}, r"unknown parameter 'gama' \(did you mean 'gamma'\?\); parameters are"),
    ({"gamma": -0.5, "sigma": 0.2}, "gamma=-0.5 is out of its domain"),
    ({"gamma": float("nan"), "sigma": 0.2}, r"gamma=nan is not a number \(NaN\)"),
    ({"gamma": "x", "sigma": 0.2}, "gamma='x' is not a number"),
    ({"gamma": None, "sigma": 0.2}, "gamma=None is not a number"),  # NumPy reads None as NaN: say what it is
    ({"gamma": [0.5, None], "sigma": 0.2}, "gamma=None is not a number"),
    ({"gamma": 0.5, "sigma": 0.2, "norm_t": 0}, "norm_t=0 is out of its domain"),
])
def test_bad_input(r, kwargs, match):
    with pytest.raises(ValueError, match=match):
        r(**kwargs)


def test_unknown_result_lists_close_matches():
    with pytest.raises(ValueError, match="did you mean scratch_risk"):
        ftheory.get("scratch_rsk")
    with pytest.raises(ValueError, match="did you mean wasserstein.*wasserstein.*wasserstein"):
        ftheory.get("wasserstein")
    with pytest.raises(ValueError) as err:
        ftheory.get("zzzz")
    # the way to the full list, not the list itself (61 names on one line)
    msg = str(err.value)
    assert "no registered name is close" in msg and "ftheory list" in msg and "scratch_risk" not in msg


def test_results_listing():
    names = [r.name for r in ftheory.results()]
    assert {"scratch_risk", "scratch_risk_finite", "scratch_optimal_gamma", "scratch_risk_minimum"} <= set(names)
    assert all(r.topic == "scratch" for r in ftheory.results("scratch"))


# -- issue 12 §2/§3: Python inputs and .mp -------------------------------------------------------------

def test_complex_and_bool_inputs_are_rejected():
    import warnings

    import numpy as np

    import ftheory

    r = ftheory.get("scratch_risk")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ComplexWarning on the way
        for bad in (np.complex128(0.5 + 1j), 0.5 + 0j, np.array([0.5, 1 + 1j])):
            with pytest.raises(ValueError, match="complex"):
                r(gamma=bad, sigma=0.2)
    for bad in (True, np.bool_(False), np.array([True, False])):
        with pytest.raises(ValueError, match="boolean"):
            r(gamma=bad, sigma=0.2)
    with pytest.raises(ValueError, match="boolean"):
        r.mp(gamma=True, sigma=0.2)
    with pytest.raises(ValueError, match="complex"):
        r.mp(gamma=0.5 + 1j, sigma=0.2)


def test_mp_checks_domains_at_working_precision_and_bounds_dps():
    import ftheory
    from ftheory.result import MAX_DPS

    with pytest.raises(ValueError, match="u='1.000000000000000000000000001'"):
        ftheory.get("relu_arccos_kernel").mp(dps=30, u="1.000000000000000000000000001")
    with pytest.raises(ValueError, match="sigma='-1e-400'"):
        ftheory.get("lt_theta_min").mp(dps=30, sigma="-1e-400")
    with pytest.raises(ValueError, match=f"\\[1, {MAX_DPS}\\]"):
        ftheory.get("scratch_risk").mp(dps=10 ** 7, gamma=0.5, sigma=0.2)
    # theta = pi exactly (the float bound pi is below the true pi) and expressions at full precision
    assert ftheory.get("lt_boundary_noiseless").mp(dps=30, theta="pi") is not None
    assert str(ftheory.get("scratch_risk").mp(dps=30, gamma="1/4", sigma="0")) == "0.75"


def test_mp_shows_the_requested_digits_and_stays_a_number():
    import mpmath

    import ftheory

    v = ftheory.get("scratch_risk").mp(dps=50, gamma="0.99999999999999999", sigma="1")
    assert len(repr(v).split("'")[1].split("e")[0].replace(".", "")) == 50
    assert isinstance(v, mpmath.mpf) and float(v) == pytest.approx(1e17) and float(v + 1) == pytest.approx(1e17)


def test_mp_does_not_stop_at_an_exact_zero_from_cancellation():
    import ftheory

    w2 = ftheory.get("wasserstein2_task")
    assert float(w2.mp(dps=30, theta=1e-20, sigma=0.2, sigma_s=0.2)) == pytest.approx(8.058229640253801e-21, rel=1e-14)
    assert w2.mp(dps=30, theta=0, sigma="0.2", sigma_s="0.2") == 0


def test_mp_retries_a_division_by_a_cancelled_quantity_at_higher_precision():
    """The two-level T_ft at eig_ratio = 5.55e-126: its closed form divides by a quantity that cancels to 0 at 30
    and 60 digits (ZeroDivisionError); .mp goes on to 120 digits instead of failing."""
    import ftheory

    r = ftheory.get("aniso2_ft_transferability")
    args = dict(gamma=0.5, theta=0.8257, frac_a=0.5, eig_ratio=5.55e-126, energy_s=0.0, energy_perp=0.97,
                norm_s=1.05e-119, norm_t=0.0015)
    assert float(r.mp(dps=20, **args)) == pytest.approx(float(r.mp(dps=100, **args)), rel=1e-18)
    assert float(r.mp(dps=20, **args)) == pytest.approx(float(r(**args)), rel=1e-13)


def test_result_domains_beyond_the_parameter_domain():
    import ftheory

    for name in ("relu_funk_hecke", "step_funk_hecke", "relu_sphere_eigenvalue"):
        with pytest.raises(ValueError, match="d >= 2"):
            ftheory.get(name)(d=1, ell=4)
        with pytest.raises(ValueError, match="d >= 2"):
            ftheory.get(name).mp(d=1, ell=4)
    # integers beyond 2**53: float64 refuses, .mp is exact
    r = ftheory.get("scratch_risk_finite")
    with pytest.raises(ValueError, match="2\\*\\*53"):
        r(n=2 ** 62, d=2 ** 62 + 5, sigma=0.1)
    exact = (2 ** 62) * 0.01 / (5 - 1)  # n sigma^2/(d - n - 1) + (1 - n/d): the noise term dominates
    assert float(r.mp(dps=30, n=2 ** 62, d=2 ** 62 + 5, sigma="0.1")) == pytest.approx(exact, rel=1e-12)


def test_simulators_say_how_much_memory_they_would_need():
    from ftheory.simulate.linear import simulate_min_norm_risk

    with pytest.raises(ValueError, match="GB"):
        simulate_min_norm_risk(10 ** 12, 100, 0.1, instances=2, seed=0)


def test_unknown_parameter_hint_only_for_misspellings():
    """A near miss gets 'did you mean'; a canonical parameter the result does not take does not
    ('sigma' on a noiseless result is not a misspelling of 'gamma')."""
    import doctest

    import ftheory._hints

    assert doctest.testmod(ftheory._hints).failed == 0
    with pytest.raises(ValueError, match=r"unknown parameter 'sigma'; parameters are gamma, theta"):
        ftheory.get("finetune_transferability")(gamma=0.5, theta=1.0, sigma=0.2)
