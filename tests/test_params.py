import math

import numpy as np
import pytest
from hypothesis import given

from ftheory.params import PARAMS, get_param, parse_number, validate_params

CANONICAL = ["gamma", "theta", "sigma", "lam", "n", "d", "gamma_s", "sigma_s", "depth", "norm_s", "norm_t", "mu",
             "k", "residual", "u", "norm_w", "norm_v", "ell",
             "frac_a", "eig_ratio", "energy_t", "energy_s", "energy_perp"]


def test_every_canonical_parameter_is_declared_once():
    assert list(PARAMS) == CANONICAL


@pytest.mark.parametrize("name", CANONICAL)
def test_symbol_assumptions_match_domain(name):
    p = PARAMS[name]
    sym = p.symbol
    assert sym.is_real
    if p.low > 0 or p.low_open:
        assert sym.is_positive
    elif p.low == 0:
        assert sym.is_nonnegative
    if p.integer:
        assert sym.is_integer
    assert p.symbol is PARAMS[name].symbol  # cached: one symbol per parameter


@pytest.mark.parametrize("name", CANONICAL)
def test_strategy_draws_inside_domain(name):
    p = PARAMS[name]

    @given(p.strategy())
    def inner(value):
        assert p.contains(value)
        p.validate(value)

    inner()


@pytest.mark.parametrize("name,value", [
    ("gamma", -0.1), ("gamma", math.nan), ("gamma", math.inf), ("theta", 3.2), ("sigma", -1e-9),
    ("n", 0), ("n", 2.5), ("d", -3), ("depth", 1), ("norm_t", 0.0), ("gamma_s", 0.0), ("mu", 1.0),
    ("sigma", "abc"), ("sigma", None), ("gamma", [0.5, -1.0]), ("sigma", object()),
])
def test_bad_values_raise_valueerror_naming_parameter_value_and_domain(name, value):
    with pytest.raises(ValueError) as info:
        PARAMS[name].validate(value)
    message = str(info.value)
    assert message.startswith(f"{name}=")
    assert PARAMS[name].domain in message


def test_validate_returns_arrays_and_ints():
    assert PARAMS["n"].validate(5) == 5 and isinstance(PARAMS["n"].validate(5), int)
    np.testing.assert_array_equal(PARAMS["gamma"].validate([0, 1, 2]), [0.0, 1.0, 2.0])
    assert PARAMS["n"].validate(np.array([3, 4])).dtype == np.int64


@pytest.mark.parametrize("text,value", [
    ("0.2", 0.2), ("1e-3", 1e-3), ("pi/4", math.pi / 4), ("3*pi/8", 3 * math.pi / 8), ("-2", -2.0),
    ("sqrt(2)/2", math.sqrt(2) / 2), ("2^3", 8.0), ("acos(0.8)", math.acos(0.8)),
])
def test_parse_number(text, value):
    assert parse_number(text) == pytest.approx(value, rel=1e-15)


@pytest.mark.parametrize("text", ["__import__('os')", "pi/0", "x", "1+", "open('f')", "[1]", "True"])
def test_parse_number_rejects(text):
    with pytest.raises(ValueError):
        parse_number(text)


def test_cli_parse_validates():
    assert PARAMS["theta"].parse("pi/2") == pytest.approx(math.pi / 2)
    with pytest.raises(ValueError, match="theta='pi\\*2'"):
        PARAMS["theta"].parse("pi*2")
    with pytest.raises(ValueError, match="theta='foo' is not a number"):
        PARAMS["theta"].parse("foo")


def test_get_param_unknown_lists_canonical_names():
    with pytest.raises(ValueError, match="canonical parameters: gamma, theta"):
        get_param("gama")
    assert validate_params({"gamma": 0.5, "n": 3}) == {"gamma": 0.5, "n": 3}


def test_negative_numbers_that_underflow_are_out_of_a_nonnegative_domain():
    from ftheory.params import PARAMS

    with pytest.raises(ValueError, match="sigma='-1e-400'"):
        PARAMS["sigma"].parse("-1e-400")
    assert PARAMS["sigma"].parse("-0") == 0


def test_exact_size_of_expressions_is_bounded():
    from ftheory.params import MAX_EXACT_DIGITS, exact_digits

    assert exact_digits("3*pi/8") < 20 and exact_digits("0.2") < 10
    assert exact_digits("(1/3)**1e300") > MAX_EXACT_DIGITS
    with pytest.raises(ValueError, match="too long"):
        exact_digits("1+" * 200 + "1")


def test_parse_accepts_the_pi_sign_and_points_degrees_to_radians():
    from ftheory.params import PARAMS

    assert PARAMS["theta"].parse("π/4") == PARAMS["theta"].parse("pi/4") == math.pi / 4
    for text in ("45deg", "45 degrees", "45°"):
        with pytest.raises(ValueError, match=r"theta=.*angles are in radians \(45 degrees is pi/4\)"):
            PARAMS["theta"].parse(text)


def test_a_number_written_against_a_name_says_multiplication_needs_a_star():
    # rev19: "2π" (and "2pi", "3 sqrt(2)") were "cannot parse" with no reason, although "π/4" is accepted
    from ftheory.params import PARAMS, parse_number

    for text in ("2π", "2pi", "3 sqrt(2)", "0.5pi"):
        with pytest.raises(ValueError, match=r"multiplication is written with \*"):
            parse_number(text)
    with pytest.raises(ValueError, match=r"theta='π2'.*cannot parse"):
        PARAMS["theta"].parse("π2")
    assert parse_number("2*π") == 2 * math.pi and parse_number("1e3") == 1000.0


def test_an_expression_is_turned_into_python_source_once(monkeypatch):
    # _evaluate read the source segments of its numbers from one _source(text) and parsed another (_tree)
    import ftheory.params as params

    calls = []
    source = params._source
    monkeypatch.setattr(params, "_source", lambda text: calls.append(text) or source(text))
    assert parse_number("2^3*π") == 8 * math.pi and calls == ["2^3*π"]
