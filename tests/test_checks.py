"""The shared argument checks: booleans (Python or NumPy) are not reals unless a caller allows them."""
import numpy as np
import pytest

from ftheory._checks import check_int, check_real


@pytest.mark.parametrize("value", [True, False, np.True_, np.False_])
def test_check_real_refuses_booleans_by_default(value):
    with pytest.raises(ValueError, match=r"^radius=.* is invalid: expected a real number in \[0, inf\)"):
        check_real("radius", value)


@pytest.mark.parametrize("value, expected", [(np.True_, 1.0), (False, 0.0)])
def test_check_real_allow_bool(value, expected):
    assert check_real("lam", value, allow_bool=True) == expected


@pytest.mark.parametrize("value", [True, np.True_, 2.0, "3"])
def test_check_int_refuses_non_integers(value):
    with pytest.raises(ValueError, match="^n=.* is invalid: expected an integer >= 1"):
        check_int("n", value, 1)


def test_check_real_accepts_numpy_scalars():
    assert check_real("sigma", np.float32(0.5)) == 0.5
    assert check_real("n", np.int64(4)) == 4.0


@pytest.mark.parametrize("value, words", [(float("nan"), "is not a number (NaN)"), (float("inf"), "is infinite"),
                                          (-1.0, "is invalid")])
def test_check_real_names_nan_and_infinity(value, words):
    # left21: `ftheory aniso --alpha nan` said "is invalid", where parameters with a description say "not a number"
    with pytest.raises(ValueError) as e:
        check_real("alpha", value, 0.0)
    assert str(e.value).startswith(f"alpha={value!r} {words}") and str(e.value).endswith("a real number in [0, inf)")


def test_check_real_says_text_beyond_float64_overflows():
    # code22: one wording (nonfinite) for both styles; "1e400" was "is infinite" without a description
    for kw in ({}, {"description": "why"}):
        with pytest.raises(ValueError, match=r"^alpha='1e400' overflows float64 \(largest about 1\.8e308\)$"):
            check_real("alpha", "1e400", **kw)
    with pytest.raises(ValueError, match=r"^alpha='-inf' is infinite; expected a real number in \[0, inf\)$"):
        check_real("alpha", "-inf")


def test_nonfinite_is_none_for_finite_values():
    import mpmath

    from ftheory._checks import nonfinite

    assert nonfinite("x=1", 1.0, "e") is None and nonfinite("x=1", mpmath.mpf(1), "e") is None
    assert str(nonfinite("x", np.float32("nan"), "e")) == "x is not a number (NaN); expected e"
    assert str(nonfinite("x", mpmath.mpf("-inf"), "e", "f")) == "x is infinite; expected f"
