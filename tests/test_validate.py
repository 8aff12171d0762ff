"""`ftheory validate`: iterates the twin registry; a wrong formula is caught (non-zero exit)."""
import dataclasses
import json

import pytest

import ftheory
from ftheory import twins, validate
from ftheory.cli import main


def test_validate_runs_every_fast_twin_once(capsys):
    assert main(["validate", "--json", "--result", "scratch_risk_finite"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["result"] for r in rows] == ["scratch_risk_finite"] and rows[0]["passed"]
    pairs = validate.checks()
    assert {t.result for t, _ in pairs} == {t.result for t in twins.twins() if not t.slow}
    assert len(validate.checks(points=2)) == 3 * len(pairs)


@pytest.mark.slow
def test_default_checks_pass(capsys):
    assert main(["validate", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == len([t for t in twins.twins() if not t.slow]) and all(r["passed"] for r in rows)


def test_a_wrong_expectation_fails(monkeypatch, capsys):
    """The scratch twin's simulation against the formula at twice the noise must be detected."""
    right = twins.twins("scratch_risk_finite")[0]
    wrong = dataclasses.replace(right, expect=lambda p: ftheory.get("scratch_risk_finite")(
        **{**p, "sigma": 2 * p["sigma"]}))
    monkeypatch.setattr(validate, "checks", lambda **kw: [(right, right.example), (wrong, wrong.example)])
    assert main(["validate"]) == 1
    out = capsys.readouterr().out
    assert "1 passed, 1 failed" in out and "NO" in out


def test_unconverged_runs_fail_the_check():
    twin = twins.twins("scratch_risk_finite")[0]
    c = twins.Comparison(twin, twin.example, 0, expected=1.0, mean=1.0, sem=0.1, tolerance=0.5, converged=9,
                         instances=10)
    assert c.z == 0 and not c.passed


def test_bad_arguments_exit_2(capsys):
    assert main(["validate", "--result", "scratch_risk_minimum"]) == 2
    assert "no fast simulation twin" in capsys.readouterr().err
    assert main(["validate", "--points", "-1"]) == 2
