"""What a new user of the CLI typed (docs/advisor_notes/left21.md, item 5): the minus sign U+2212 and π in
every value, an angle in degrees by mistake, ranges start:stop:step in eval, lists of unequal lengths."""
import json
import re

import pytest

import ftheory
from ftheory.cli import main
from ftheory.params import PARAMS, parse_number


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_unicode_minus_is_a_minus():
    assert parse_number("\u22120.5") == -0.5 and parse_number("1e\u22121") == 0.1
    assert PARAMS["sigma"].parse("1e\u22121") == 0.1
    assert float(PARAMS["sigma"].to_mp("2e\u22121")) == pytest.approx(0.2, rel=1e-15)
    with pytest.raises(ValueError, match=r"^gamma='\u22120\.5' \(= -0\.5\) is out of its domain \[0, inf\)"):
        PARAMS["gamma"].parse("\u22120.5")


def test_limit_and_series_points_read_like_values(capsys):
    """The point (and substituted values) of limit and series are read as values are: π and U+2212 too (π/8 used
    to reach SymPy as a symbol named π)."""
    r = ftheory.get("scratch_risk")
    assert r.limit("gamma", "\u03c0/8") == r.limit("gamma", "pi/8")
    assert r.limit("gamma", "1\u22120") == r.limit("gamma", "1")
    code, out, _ = run(capsys, "series", "scratch_risk", "gamma", "1/2", "sigma=\u03c0")
    assert code == 0 and "pi**2" in out


@pytest.mark.parametrize("value, hint", [("45", "45 degrees is pi/4"), ("90", "90 degrees is pi/2"),
                                         ("180", "180 degrees is pi"), ("120", "120 degrees is 2*pi/3"),
                                         ("22.5", "22.5 degrees is pi/8"), ("37.3", "37.3 degrees is 37.3*pi/180")])
def test_an_angle_in_degrees_is_named_as_such(capsys, value, hint):
    code, _, err = run(capsys, "eval", "linear_transfer_transferability", "gamma=0.5", f"theta={value}", "sigma=0.2")
    assert code == 2 and err == (f"ftheory: error: theta='{value}' (= {float(value):g}) is out of its domain [0, pi] "
                                 f"(source-target teacher angle in radians; {hint})\n")
    with pytest.raises(ValueError, match=rf"^theta={float(value)!r} is out of its domain \[0, pi\] \(.*; {re.escape(hint)}\)$"):
        ftheory.get("linear_transfer_risk")(theta=float(value))
    with pytest.raises(ValueError, match=rf"; {re.escape(hint)}\)$"):
        ftheory.get("linear_transfer_risk").mp(theta=value)


@pytest.mark.parametrize("value", ["3.2", "6", "-30", "400"])
def test_no_degrees_hint_where_radians_or_nothing_is_likelier(capsys, value):
    code, _, err = run(capsys, "eval", "linear_transfer_transferability", "gamma=0.5", f"theta={value}", "sigma=0.2")
    assert code == 2 and err.endswith("(source-target teacher angle in radians)\n")


def test_eval_takes_ranges_like_sweep(capsys):
    code, out, _ = run(capsys, "eval", "scratch_risk", "gamma=0:2:0.5", "sigma=0.2", "--json")
    data = json.loads(out)
    assert code == 0 and data["params"]["gamma"] == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert data["value"] == [float(ftheory.get("scratch_risk")(gamma=g, sigma=0.2)) if g != 1 else "inf"
                             for g in (0.0, 0.5, 1.0, 1.5, 2.0)]
    code, out, _ = run(capsys, "eval", "linear_transfer_risk", "theta=0:pi/2:pi/4")
    assert code == 0 and len(out.split()) == 3
    for argv, needle in ((["gamma=0:2:0"], "gamma='0:2:0': expected finite start <= stop and step > 0"),
                         (["gamma=0:1e9:1"], "has 1e+09 values: expected at most 10000"),
                         (["gamma=0:2:0.5", "--dps", "20"], "--dps evaluates scalars only")):
        code, _, err = run(capsys, "eval", "scratch_risk", "sigma=0.2", *argv)
        assert code == 2 and needle in err and err.count("\n") == 1


def test_lists_of_unequal_lengths_name_both(capsys):
    code, _, err = run(capsys, "eval", "scratch_risk", "gamma=0.5,1.5", "sigma=0.2,0.3,0.4")
    assert code == 2 and err == ("ftheory: error: lists pair element by element, but gamma 2 and sigma 3 values are "
                                 "given: give equal lengths (Result.grid in Python evaluates every combination)\n")
    code, out, _ = run(capsys, "eval", "scratch_risk", "gamma=0.5,1.5", "sigma=0.2,0.3")
    assert code == 0 and out.split() == ["0.54", "0.18"]                 # paired: (0.5, 0.2) and (1.5, 0.3)


@pytest.mark.parametrize("argv, message", [
    (["theta=1"], "theta=1.0: theta and gamma are the axes of the phase diagram; give the others"),
    (["gamma=0.5"], "gamma=0.5: theta and gamma are the axes of the phase diagram; give the others"),
    (["sigma=0.1,0.2"], "sigma=[0.1, 0.2]: give one value (the diagram fixes every parameter but theta and gamma)"),
    (["sigma=0.1", "--sigma", "0.2"], "sigma is given twice (--sigma and sigma=); give it once"),
])
def test_phase_diagram_refuses_its_axes_and_lists(capsys, tmp_path, argv, message):
    """theta=1 used to end in a TypeError traceback (the keyword given twice to the result)."""
    code, out, err = run(capsys, "phase-diagram", "linear_transfer_transferability", *argv, "--size", "4",
                         "--out", str(tmp_path / "p.png"))
    assert code == 2 and out == "" and err == f"ftheory: error: {message}\n"
    assert not (tmp_path / "p.png").exists()


@pytest.mark.parametrize("argv, message", [
    (["limit", "scratch_risk", "gamma", "-1"], "scratch_risk: gamma=-1 is out of its domain [0, inf) (target samples"),
    (["series", "linear_transfer_risk", "theta", "4"], "linear_transfer_risk: theta=4 is out of its domain [0, pi]"),
    (["limit", "linear_transfer_risk", "theta", "oo"], "linear_transfer_risk: theta=oo is out of its domain [0, pi]"),
])
def test_limit_and_series_points_outside_the_domain_are_refused(capsys, argv, message):
    """limit scratch_risk gamma -1 used to print 2*r_t**2 - sigma**2/2, the formula continued outside its domain."""
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and err.startswith(f"ftheory: error: {message}") and err.count("\n") == 1


def test_the_ends_of_the_domain_are_points_of_limits():
    r = ftheory.get("linear_transfer_risk")
    assert r.limit("theta", "pi", lam=0) == 0 and r.limit("theta", 0, lam=0) == 0
    assert ftheory.get("scratch_risk").limit("gamma", 0) == PARAMS["norm_t"].symbol ** 2


@pytest.mark.parametrize("typed, meant", [("θ", "theta"), ("λ", "lam"), ("‖βₜ‖", "norm_t"), ("L", "depth")])
def test_a_symbol_as_show_prints_it_names_the_parameter(capsys, typed, meant):
    """`ftheory show` prints θ, λ, ‖βₜ‖; typing them as names gets the parameter's name in the error."""
    code, _, err = run(capsys, "eval", "linear_transfer_risk", f"{typed}=0.5")
    assert code == 2 and f"unknown parameter {typed!r} (did you mean {meant!r}?); parameters are theta," in err
    with pytest.raises(ValueError, match=f"did you mean {meant!r}"):
        ftheory.get("linear_transfer_risk")(**{typed: 0.5})


def test_a_possible_decimal_comma_is_noted_on_stderr(capsys):
    # gamma=1,5 is the list 1, 5 (documented), but a user writing a decimal comma got two numbers silently
    assert main(["eval", "scratch_risk", "gamma=1,5", "sigma=0.2"]) == 0
    out, err = capsys.readouterr()
    assert len(out.split()) == 2
    assert err.strip() == ("ftheory: note: gamma=1,5 is read as the list 1, 5 (one result each); a decimal number is "
                           "written with a point: gamma=1.5")
    for words in (["gamma=0.5,0.7", "sigma=0.2"], ["gamma=1,5,7", "sigma=0.2"]):
        assert main(["eval", "scratch_risk", *words]) == 0
        assert capsys.readouterr().err == ""


def test_the_decimal_comma_note_is_returned_by_the_parser_and_printed_by_the_command(capsys):
    # code22: _assignments hands the note back; a command whose words are refused prints its one error line only
    from ftheory.cli_common import _assignments

    notes = []
    assert _assignments(["gamma=1,5", "sigma=0.2"], notes=notes) == {"gamma": [1.0, 5.0], "sigma": 0.2}
    assert notes == ["ftheory: note: gamma=1,5 is read as the list 1, 5 (one result each); a decimal number is "
                     "written with a point: gamma=1.5"] and capsys.readouterr().err == ""
    for words in (["gamma=1,5", "sigma=-1"], ["gamma=1,5", "bogus=3"]):
        assert main(["eval", "scratch_risk", *words]) == 2
        err = capsys.readouterr().err
        assert err.startswith("ftheory: error: ") and err.count("\n") == 1
    assert main(["limit", "scratch_risk", "gamma", "oo", "sigma=1,5"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "ftheory: note: sigma=1,5 is read as the list 1, 5 (one result each); a decimal number is written with a "
        "point: sigma=1.5", "ftheory: error: sigma: give one value for a limit or series"]


@pytest.mark.parametrize("words", [
    ["limit", "scratch_risk", "gamma", "-oo"], ["limit", "scratch_risk", "gamma", "-inf"],
    ["limit", "scratch_risk", "gamma", "\u2212oo"], ["limit", "--dir", "+", "scratch_risk", "gamma", "-oo", "sigma=0"],
    ["limit", "scratch_risk", "gamma", "--dir", "-", "-oo"], ["series", "scratch_risk", "gamma", "-oo", "--order", "2"],
    ["limit", "scratch_risk", "gamma", "--", "-oo"]])
def test_a_point_at_minus_infinity_reaches_limit_and_series(capsys, words):
    # code22: argparse took -oo for an option and said the point was missing; no domain reaches -oo, so the end is
    # the one-line domain error naming the parameter, value and domain
    assert main(words) == 2
    assert capsys.readouterr().err == ("ftheory: error: scratch_risk: gamma=-oo is out of its domain [0, inf) "
                                       "(target samples per input dimension n/d)\n")


def test_a_negative_expression_as_point_and_other_words_keep_their_meaning(capsys):
    assert main(["limit", "linear_transfer_risk", "theta", "-pi/4", "lam=0"]) == 2
    assert capsys.readouterr().err.startswith("ftheory: error: linear_transfer_risk: theta=-pi/4 is out of its domain")
    assert main(["limit", "scratch_risk", "gamma", "oo", "-x"]) == 2     # a stray option after the point stays one
    assert "unrecognized arguments: -x" in capsys.readouterr().err
    assert main(["series", "scratch_risk", "gamma", "oo", "--order", "-3"]) == 2   # an option's value is not the point
    assert "order=-3 is invalid" in capsys.readouterr().err
    assert main(["limit", "scratch_risk", "gamma", "1", "--dir", "-", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["point"] == "1"
