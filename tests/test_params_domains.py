"""Parameter declarations pinned value by value (written against the survivors of a mutmut run on
ftheory/params.py; see docs/testing.md): domain text, boundary membership, validation messages and
return types, Hypothesis strategies staying inside the domain and reaching closed bounds, parsing."""
import math

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis.errors import NoSuchExample

from ftheory.params import PARAMS, Param, get_param, parse_number

DOMAINS = {"gamma": "[0, inf)", "theta": "[0, pi]", "sigma": "[0, inf)", "lam": "[0, inf)",
           "n": "integers >= 1", "d": "integers >= 1", "gamma_s": "(0, inf)", "sigma_s": "[0, inf)",
           "depth": "integers >= 2", "norm_s": "(0, inf)", "norm_t": "(0, inf)", "mu": "[0, 1)",
           "k": "integers >= 1", "residual": "[0, 1]", "u": "[-1, 1]", "norm_w": "[0, inf)",
           "norm_v": "[0, inf)", "ell": "integers >= 0", "frac_a": "(0, 1)", "eig_ratio": "(0, inf)",
           "energy_s": "[0, 1]", "energy_perp": "[0, 1]", "energy_t": "[0, 1]"}


def test_domain_text_of_every_parameter():
    assert {name: p.domain for name, p in PARAMS.items()} == DOMAINS
    assert Param("x", "", low=-math.inf, high=2.5).domain == "(-inf, 2.5]"
    assert Param("x", "", low=0.5, high=3, integer=True).domain == "integers in [0, 3]"
    assert Param("x", "", low=0, high=3, integer=True, low_open=True).domain == "integers in [1, 3]"


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_membership_at_and_beyond_the_bounds(name):
    p = PARAMS[name]
    inside_low = p.low if not p.low_open else p.low + (1 if p.integer else 1e-9)
    assert p.contains(inside_low) if math.isfinite(p.low) else True
    if math.isfinite(p.low):
        assert not p.contains(p.low - (1 if p.integer else 1e-9))
        assert bool(p.contains(p.low)) == (not p.low_open)
    if math.isfinite(p.high):
        assert bool(p.contains(p.high)) == (not p.high_open)
        assert not p.contains(p.high + 1e-9)
    assert not p.contains(math.nan) and not p.contains(math.inf) and not p.contains(-math.inf)
    if p.integer:
        assert not p.contains(p.low + 2.5) and p.contains(p.low + 2 + (1 if p.low_open else 0))
    ok = p.contains([inside_low, math.nan, inside_low])
    assert ok.tolist() == [True, False, True]                       # elementwise, NaN never inside
    assert p.contains(np.array([inside_low])).dtype == bool


def test_membership_converts_to_float():
    assert PARAMS["sigma"].contains("0.3")                               # numeric text converts
    assert PARAMS["sigma"].contains([0.5, None]).tolist() == [True, False]  # None -> NaN, never inside


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_validate_returns_numbers_of_the_right_type_and_names_the_culprit(name):
    p = PARAMS[name]
    good = (p.low + 1) if math.isfinite(p.low) else 0.0
    good = min(good, p.high) if not p.high_open else min(good, (p.low + p.high) / 2)
    out = p.validate(good)
    assert type(out) is (int if p.integer else float) and out == good
    arr = p.validate([good, good])
    assert isinstance(arr, np.ndarray) and arr.dtype == (np.int64 if p.integer else np.float64)
    bad = p.low - 1 if math.isfinite(p.low) else p.high + 1
    with pytest.raises(ValueError) as exc:
        p.validate([good, bad, good])
    msg = str(exc.value)
    assert msg.startswith(f"{name}={float(bad)!r} is out of its domain {p.domain}")  # the culprit, not the list
    assert p.description in msg
    with pytest.raises(ValueError, match=rf"^{name}='abc' is not a number \(cannot parse 'abc'\); expected a value in"):
        p.validate("abc")  # text is read as on the command line (Param.parse)
    with pytest.raises(ValueError, match=rf"^{name}=.* is not a number; expected a value in"):
        p.validate([[1.0], "x"])


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_strategies_stay_inside_the_domain(name):
    p = PARAMS[name]

    @settings(max_examples=60, derandomize=True, database=None)
    @given(p.strategy())
    def inside(v):
        assert p.contains(v) and np.isfinite(v)
        assert isinstance(v, int) if p.integer else isinstance(v, float)
        if p.high == math.inf:
            assert v <= (p.strategy_high if p.strategy_high is not None else max(p.low, 0) + 10)

    inside()


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_strategies_reach_closed_bounds_and_never_open_ones(name):
    p = PARAMS[name]
    st = p.strategy()
    for bound, is_open in ((p.low, p.low_open), (p.high, p.high_open)):
        if not math.isfinite(bound):
            continue
        target = bound + (1 if p.integer else 0) if (is_open and p.integer and bound == p.low) else bound
        if is_open and not p.integer:
            with pytest.raises(NoSuchExample):
                find(st, lambda v: v == bound, settings=settings(max_examples=300, derandomize=True, database=None))
        else:
            assert find(st, lambda v: v == target, settings=settings(max_examples=2000, derandomize=True,
                                                                      database=None)) == target


def test_narrowed_strategies():
    p = PARAMS["theta"]

    @settings(max_examples=40, derandomize=True, database=None)
    @given(p.strategy(low=0.5, high=1.0))
    def narrowed(v):
        assert 0.5 <= v <= 1.0

    narrowed()
    assert find(PARAMS["gamma_s"].strategy(low=1.0, high=2.0), lambda v: v == 1.0) == 1.0  # closed once narrowed
    assert find(PARAMS["depth"].strategy(high=3), lambda v: v >= 3) == 3
    assert find(PARAMS["n"].strategy(), lambda v: v == 400, settings=settings(max_examples=5000, database=None,
                                                                              derandomize=True)) == 400


def test_parse_number_values_and_errors():
    assert parse_number(0.25) == 0.25 and type(parse_number(3)) is float
    assert parse_number("3*pi/8") == 3 * math.pi / 8 and parse_number(" 2^3 ") == 8.0
    assert parse_number("-sqrt(4) + e") == -2 + math.e and parse_number("inf") == math.inf
    for text in (True, None, "import os", "1/0", "foo(1)", "sqrt(1, 2)", "2 +", "10**10**10"):
        with pytest.raises(ValueError, match=r"^cannot parse "):
            parse_number(text)
    assert get_param("sigma").parse("1/4") == 0.25
    with pytest.raises(ValueError, match=r"^sigma='-1' \(= -1\) is out of its domain \[0, inf\)"):
        get_param("sigma").parse("-1")
    with pytest.raises(ValueError, match=r"^sigma='x' is not a number \(cannot parse 'x'\); expected a value in"):
        get_param("sigma").parse("x")
    with pytest.raises(ValueError, match="unknown parameter 'zeta'; canonical parameters: gamma, theta"):
        get_param("zeta")


def test_strategies_of_undeclared_shapes():
    """Branches no canonical parameter uses yet: an open integer bound and an unbounded domain without
    ``strategy_high`` (draws in [max(low, 0), max(low, 0) + 10])."""
    open_int = Param("x", "", low=0, low_open=True, integer=True, high=5)
    assert find(open_int.strategy(), lambda v: True) == 1
    assert find(open_int.strategy(), lambda v: v == 5) == 5
    unbounded = Param("y", "", low=2.0)
    hi = find(unbounded.strategy(), lambda v: v >= 11.5, settings=settings(max_examples=2000, database=None,
                                                                             derandomize=True))
    assert 11.5 <= hi <= 12.0
    with pytest.raises(NoSuchExample):
        find(unbounded.strategy(), lambda v: v > 12.0 or v < 2.0, settings=settings(max_examples=300, database=None,
                                                                                   derandomize=True))
    negative = Param("z", "", low=-3.0)
    assert find(negative.strategy(), lambda v: v >= 9.5, settings=settings(max_examples=2000, database=None,
                                                                             derandomize=True)) <= 10.0
