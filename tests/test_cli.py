"""The command-line interface: every command, --json, --help, and one-line errors with status 2."""
import json
import subprocess
import sys

import pytest

from ftheory.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0 and "scratch_risk " in out and "[scratch]" in out
    code, out, _ = run(capsys, "list", "--json")
    names = [row["name"] for row in json.loads(out)]
    assert "scratch_risk_finite" in names


def test_show(capsys):
    code, out, _ = run(capsys, "show", "scratch_risk")
    assert code == 0 and "docs/background.md §3.2" in out and "gamma in [0, inf)" in out and "\nγ < 1: " in out
    code, out, _ = run(capsys, "show", "scratch_risk", "--json")
    data = json.loads(out)
    assert data["domain"]["sigma"] == "[0, inf)" and data["latex"].startswith(r"\begin{cases}")


def test_latex(capsys, tmp_path):
    code, out, _ = run(capsys, "latex", "scratch_risk")
    assert code == 0 and out.startswith(r"\begin{cases}")
    target = tmp_path / "sheet.tex"
    code, out, _ = run(capsys, "latex", "--all", "--out", str(target))
    assert code == 0 and target.read_text().startswith(r"\documentclass")
    code, _, err = run(capsys, "latex")
    assert code == 2 and "NAME or --all" in err


def test_eval(capsys):
    code, out, _ = run(capsys, "eval", "scratch_risk", "gamma=0.5", "sigma=0.2")
    assert code == 0 and float(out) == pytest.approx(0.54, rel=1e-15)
    code, out, _ = run(capsys, "eval", "scratch_risk", "gamma=0.5", "sigma=0.2", "--dps", "50", "--json")
    data = json.loads(out)
    assert data["value"] == "0.54" and data["dps"] == 50
    code, out, _ = run(capsys, "eval", "scratch_risk", "gamma=0,1,2", "sigma=0.2", "--json")
    assert json.loads(out)["value"] == [1.0, "inf", pytest.approx(0.04)]
    code, out, _ = run(capsys, "eval", "scratch_risk", "gamma=0.99999999999999999999", "sigma=0.2", "--dps", "30")
    assert out.startswith("3999999999999999999.96")


def test_limit_and_series(capsys):
    code, out, _ = run(capsys, "limit", "scratch_risk", "gamma", "1", "--dir", "-")
    assert code == 0 and out.strip() == "oo"
    code, out, _ = run(capsys, "limit", "scratch_risk", "gamma", "1", "--dir", "-", "sigma=0")
    assert out.strip() == "0"
    code, out, _ = run(capsys, "limit", "scratch_risk", "gamma", "0", "--json")
    assert json.loads(out)["limit"] == "r_t**2"
    code, out, _ = run(capsys, "series", "scratch_risk", "gamma", "oo", "--order", "3")
    assert code == 0 and "sigma**2/gamma" in out


@pytest.mark.parametrize("argv,fragment", [
    (["eval", "scratch_risk", "gamma=-1", "sigma=0.2"], "gamma='-1' (= -1) is out of its domain [0, inf)"),
    (["eval", "scratch_rsk", "gamma=1"], "did you mean scratch_risk"),
    (["eval", "scratch_risk", "gamma=0.5"], "missing parameter 'sigma'"),
    (["eval", "scratch_risk", "gamma=0.5", "sigma=0.2", "theta=1"], "unknown parameter 'theta'"),
    (["eval", "scratch_risk", "gamma=abc", "sigma=0.2"], "gamma='abc' is not a number"),
    (["eval", "scratch_risk", "gamma0.5"], "expected NAME=VALUE"),
    (["eval", "scratch_risk", "gama=0.5"], "unknown parameter 'gama'"),
    (["limit", "scratch_risk", "gamma", "1", "--dir", "x"], "invalid choice"),
    (["frobnicate"], "invalid choice"),
    (["eval", "scratch_risk", "gamma=0.5", "sigma=0.2", "--bogus"], "unrecognized arguments"),
])
def test_errors_are_one_line_with_status_2(capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert fragment in err
    assert err.count("\n") == 1 and err.startswith("ftheory: error: ")
    assert "Traceback" not in err


def test_console_script_exit_status_and_help():
    exe = [sys.executable, "-m", "ftheory.cli"]
    bad = subprocess.run(exe + ["eval", "scratch_risk", "gamma=-1", "sigma=0.2"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and bad.stdout == ""
    for sub in ["list", "show", "latex", "eval", "limit", "series", "reproduce"]:
        h = subprocess.run(exe + [sub, "--help"], capture_output=True, text=True)
        assert h.returncode == 0 and "usage: ftheory" in h.stdout


def test_simulate_command(capsys):
    code, out, _ = run(capsys, "simulate", "linear-transfer", "--d", "30", "--n", "15", "--theta", "pi/4",
                       "--sigma", "0.2", "--reps", "3", "--json")
    data = json.loads(out)
    assert code == 0 and set(data) >= {"risk", "scratch_risk", "transferability"}
    assert data["risk"]["instances"] == 3 and data["params"]["theta"] == pytest.approx(0.7853981633974483)
    code, _, err = run(capsys, "simulate", "scratch", "--d", "30", "--n", "15", "--sigma", "-1")
    assert code == 2 and "sigma='-1'" in err


def test_sweep_command(capsys, tmp_path):
    argv = ["sweep", "scratch", "--grid", "n=10:30:10", "--set", "d=20", "--set", "sigma=0.2",
            "--instances", "5", "--store", str(tmp_path), "--json"]
    code, out, _ = run(capsys, *argv)
    data = json.loads(out)
    assert code == 0 and data["grid"]["n"] == [10, 20, 30] and data["computed"] == 3
    assert json.loads(run(capsys, *argv)[1])["loaded"] == 3
    code, _, err = run(capsys, "sweep", "scratch", "--grid", "n=3:1:1", "--set", "d=20", "--set", "sigma=0")
    assert code == 2 and "start <= stop" in err


def test_phase_diagram_command(capsys, tmp_path):
    out = tmp_path / "lt.png"
    code, text, _ = run(capsys, "phase-diagram", "linear_transfer_transferability", "--sigma", "0.2",
                        "--size", "80", "--out", str(out))
    assert code == 0 and out.stat().st_size > 5000 and (tmp_path / "lt.pdf").exists()
    code, _, err = run(capsys, "phase-diagram", "scratch_risk", "--out", str(out))
    assert code == 2 and "no (gamma, theta) plane" in err
    code, _, err = run(capsys, "phase-diagram", "linear_transfer_transferability", "--sigma", "-2", "--out", str(out))
    assert code == 2 and "sigma='-2'" in err
