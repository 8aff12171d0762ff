"""NaN is reported as "not a number", an infinity as "infinite" and a finite number beyond float64 (1e400)
as an overflow, naming the parameter and its domain, in a plain call, ``.grid``, ``.mp`` and the CLI."""
import math

import mpmath
import numpy as np
import pytest

import ftheory
from ftheory._checks import check_real, outside, overflow_hint
from ftheory.cli import main
from ftheory.params import PARAMS

R = ftheory.get("scratch_risk")
NAN = r"gamma=(nan|'nan') is not a number \(NaN\); expected a value in \[0, inf\) \(target samples"
INF = r"gamma=(-?inf|'-?inf') is infinite; expected a finite value in \[0, inf\) \(target samples"


@pytest.mark.parametrize("call", [lambda v: R(gamma=v, sigma=0.5), lambda v: R.grid(gamma=[0.5, v], sigma=0.5),
                                  lambda v: R.mp(gamma=v, sigma=0.5), lambda v: R(gamma=np.array([v]), sigma=0.5),
                                  lambda v: R.mp(gamma=str(v), sigma=0.5)])
@pytest.mark.parametrize("value, match", [(math.nan, NAN), (math.inf, INF), (-math.inf, INF),
                                          (np.float64("nan"), NAN)])
def test_nan_and_infinities_say_what_they_are(call, value, match):
    with pytest.raises(ValueError, match="^" + match):
        call(value)


def test_mpmath_nan_and_inf():
    with pytest.raises(ValueError, match=r"^gamma=mpf\('nan'\) is not a number \(NaN\); expected a value in \[0, inf\)"):
        R.mp(gamma=mpmath.nan, sigma=0.5)
    with pytest.raises(ValueError, match=r"^gamma=mpf\('\+inf'\) is infinite; expected a finite value in \[0, inf\)"):
        R.mp(gamma=mpmath.inf, sigma=0.5)
    # a huge but finite mpmath number is in the domain (float(1e400) would be inf)
    assert R.mp(gamma="1e400", sigma=0.5, dps=20) == pytest.approx(mpmath.mpf("2.5e-401"), rel=1e-15)


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_every_parameter(name):
    p = PARAMS[name]
    with pytest.raises(ValueError, match=rf"^{name}=nan is not a number \(NaN\); expected a value in "
                                         rf"{__import__('re').escape(p.domain)} \("):
        p.validate(math.nan)
    with pytest.raises(ValueError, match=rf"^{name}=inf is infinite; expected a finite value in "):
        p.validate(math.inf)
    with pytest.raises(ValueError, match=rf"^{name}='inf' is infinite"):
        p.parse("inf")


def test_out_of_domain_is_still_out_of_domain():
    with pytest.raises(ValueError, match=r"^gamma=-1\.0 is out of its domain \[0, inf\) \(target"):
        R(gamma=-1.0, sigma=0.5)
    with pytest.raises(ValueError, match=r"^gamma='-1' \(= -1\) is out of its domain"):
        PARAMS["gamma"].parse("-1")


def test_text_beyond_float64_is_an_overflow_not_an_infinity():
    """The overflow is named where it is read; evaluators of the closed forms add the way out (.mp), which
    simulators do not have."""
    with pytest.raises(ValueError, match=r"^gamma='1e400' overflows float64 \(largest about 1\.8e308\)$"):
        PARAMS["gamma"].parse("1e400")
    for call in (lambda: R(gamma="-1e400", sigma=0.5), lambda: R.grid(gamma=["1e400", "1"], sigma=0.5),
                 lambda: R.grid(gamma=[1, 2], sigma="1e400")):
        with pytest.raises(ValueError, match=r"^(gamma='-?1e400'|sigma='1e400') overflows float64 \(largest about "
                                             r"1\.8e308\); use \.mp\(\.\.\.\) \(arbitrary precision\)$"):
            call()


def test_overflow_hint_adds_once():
    with pytest.raises(ValueError, match=r"^x overflows float64; use B \(arbitrary precision\)$"):  # the innermost
        with overflow_hint("A"), overflow_hint("B"):
            raise ValueError("x overflows float64")
    with pytest.raises(ValueError, match=r"^other$"):
        with overflow_hint("A"):
            raise ValueError("other")


def test_outside_helper():
    assert str(outside("x=nan", math.nan, "[0, 1]")) == "x=nan is not a number (NaN); expected a value in [0, 1]"
    assert str(outside("x=inf", math.inf, "[0, 1]", "a fraction")) == \
        "x=inf is infinite; expected a finite value in [0, 1] (a fraction)"
    assert str(outside("x=2", 2.0, "[0, 1]")) == "x=2 is out of its domain [0, 1]"
    assert str(outside("x='1e999'", math.inf, "[0, 1]", text="1e999")).startswith("x='1e999' overflows float64")
    assert str(outside("x='inf'", math.inf, "[0, 1]", text="inf")).startswith("x='inf' is infinite")
    assert str(outside("x", mpmath.mpf("1e400"), "[0, 1]")) == "x is out of its domain [0, 1]"  # finite in mpmath


def test_check_real_with_description():
    with pytest.raises(ValueError, match=r"^y=nan is not a number \(NaN\); expected a value in \[0, inf\) \(why\)$"):
        check_real("y", math.nan, description="why")
    with pytest.raises(ValueError, match=r"^y=inf is infinite; expected a finite value in \[0, inf\) \(why\)$"):
        check_real("y", math.inf, description="why")


@pytest.mark.parametrize("argv, message", [
    (["gamma=nan"], "gamma='nan' is not a number"),
    (["gamma=inf"], "gamma='inf' is infinite; expected a finite value in [0, inf)"),
    (["gamma=-inf"], "gamma='-inf' is infinite"),
    (["gamma=0.5,inf"], "gamma='inf' is infinite"),
    (["gamma=nan", "--dps", "20"], "gamma='nan' is not a number (NaN)"),
    (["gamma=inf", "--dps", "20"], "gamma='inf' is infinite"),
    (["gamma=1e400"], "gamma='1e400' overflows float64 (largest about 1.8e308); use --dps N (arbitrary precision)"),
    (["gamma=1e31"], "the float64 range of the closed forms (they raise magnitudes to powers up to about 8, "
                     "which would overflow): float64 cannot evaluate there; use --dps N"),
])
def test_cli(capsys, argv, message):
    assert main(["eval", "scratch_risk", "sigma=0.5", *argv]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and message in err and ".mp(" not in err


def test_cli_simulate_names_the_overflow_without_a_way_out_it_does_not_have(capsys):
    assert main(["simulate", "scratch", "--d", "20", "--gamma", "1e400", "--instances", "2"]) == 2
    assert capsys.readouterr().err == "ftheory: error: gamma='1e400' overflows float64 (largest about 1.8e308)\n"


def test_cli_dps_reads_text_beyond_float64(capsys):
    assert main(["eval", "scratch_risk", "gamma=1e400", "sigma=0.5", "--dps", "20"]) == 0
    assert capsys.readouterr().out.strip() == "2.5e-401"
