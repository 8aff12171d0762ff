"""`ftheory validate`: the default checks pass; a wrong formula is caught (non-zero exit)."""
import json

import pytest

from ftheory import validate
from ftheory.cli import main


@pytest.mark.slow
def test_default_checks_pass(capsys):
    assert main(["validate", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) >= 8 and all(r["passed"] for r in rows)
    assert {r["result"] for r in rows} >= {"scratch_risk_finite", "linear_transfer_risk_finite",
                                           "finetune_transferability_finite"}


def test_a_wrong_expectation_fails(monkeypatch, capsys):
    """Simulating sigma = 0.4 against the formula at sigma = 0.2 must be detected."""
    wrong = validate.Check("scratch_risk_finite", {"n": 40, "d": 80, "sigma": 0.2},
                           validate._min_norm(40, 80, 0.4, 2000, 0), "deliberately mismatched", "test")
    right = validate.Check("scratch_risk_finite", {"n": 40, "d": 80, "sigma": 0.4},
                           validate._min_norm(40, 80, 0.4, 2000, 0), "matched", "test")
    monkeypatch.setattr(validate, "default_checks", lambda seed=0: [right, wrong])
    assert main(["validate"]) == 1
    out = capsys.readouterr().out
    assert "1 passed, 1 failed" in out and "NO" in out


def test_unconverged_runs_fail_the_check():
    o = validate.Outcome(validate.default_checks()[0], theory=1.0, mean=1.0, sem=0.1, converged=9, instances=10)
    assert o.z == 0 and not o.passed
