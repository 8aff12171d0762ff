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


@pytest.mark.parametrize("argv,side", [
    (["gamma", "1", "sigma=0.2", "--dir", "+"], "(expanded on the side gamma > 1, --dir +; --dir - expands on the other side)"),
    (["gamma", "1", "sigma=0.2", "--dir", "-"], "(expanded on the side gamma < 1, --dir -; --dir + expands on the other side)"),
    (["gamma", "0.5", "sigma=0.2"], None),            # an ordinary point: the sides agree
    (["gamma", "0", "sigma=0.2"], None),              # the end of the domain: one side only
    (["gamma", "oo", "sigma=0.2"], None),
])
def test_series_at_a_pole_says_on_which_side_it_expanded(capsys, argv, side):
    """At gamma = 1 (a pole of scratch_risk, docs/background.md §3.2) the two sides differ: the text says which."""
    code, out, _ = run(capsys, "series", "scratch_risk", *argv)
    lines = out.strip().splitlines()
    assert code == 0 and (lines[-1] == side if side else len(lines) == 1)
    code, out, _ = run(capsys, "series", "scratch_risk", *argv, "--json")
    assert "expanded" not in out and json.loads(out)["dir"] in ("+", "-", "+-")


def test_series_two_sided_by_default_like_limit(capsys):
    """Without --dir, series expands on both sides, as limit takes both: where they differ (the pole of
    scratch_risk at gamma = 1) it is one line naming both and the option, status 2."""
    code, out, err = run(capsys, "series", "scratch_risk", "gamma", "1", "sigma=0.2")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err == ("ftheory: error: scratch_risk: the series in gamma at 1 differs on the two sides: "
                   "1/(25*(1 - gamma)) - 1/25 + r_t**2*(1 - gamma) + O((gamma - 1)**3, (gamma, 1)) from the left, "
                   "1/(25*(gamma - 1)) from the right; pass --dir - or --dir +\n")
    assert run(capsys, "series", "scratch_risk", "gamma", "1", "sigma=0.2", "--dir", "+-")[0] == 2
    code, out, _ = run(capsys, "series", "scratch_risk", "gamma", "0.5", "sigma=0.2", "--json")
    assert code == 0 and json.loads(out)["dir"] == "+-" and "(gamma - 1/2)" in json.loads(out)["series"]
    for sub, says in (("series", "or on both sides (+-; default: an error if the two expansions differ"),
                      ("limit", "or both (+-; default: an error if the two limits differ)")):
        with pytest.raises(SystemExit):
            main([sub, "--help"])
        out = " ".join(capsys.readouterr().out.split())
        assert "--dir {+,-,+-}" in out and says in out


@pytest.mark.parametrize("argv,fragment", [
    (["eval", "scratch_risk", "gamma=-1", "sigma=0.2"], "gamma='-1' (= -1) is out of its domain [0, inf)"),
    (["eval", "scratch_rsk", "gamma=1"], "did you mean scratch_risk"),
    (["eval", "scratch_risk", "gamma=0.5"], "missing parameter 'sigma'"),
    (["eval", "scratch_risk", "gamma=0.5", "sigma=0.2", "theta=1"], "unknown parameter 'theta'"),
    (["eval", "scratch_risk", "gamma=abc", "sigma=0.2"], "gamma='abc' is not a number"),
    (["eval", "scratch_risk", "gamma0.5"], "expected NAME=VALUE"),
    (["eval", "scratch_risk", "gama=0.5"],
     "scratch_risk: unknown parameter 'gama' (did you mean 'gamma'?); parameters are gamma, sigma, norm_t"),
    (["limit", "scratch_risk", "gamma", "1", "sigm=0"], "unknown parameter 'sigm' (did you mean 'sigma'?)"),
    (["eval", "finetune_transferability", "gamma=0.5", "theta=1", "sigma=0.2"],
     "finetune_transferability: unknown parameter 'sigma'; parameters are gamma, theta, norm_s, norm_t"),
    (["limit", "scratch_risk", "gamma", "1", "--dir", "x"], "invalid choice"),
    (["frobnicate"], "invalid choice"),
    (["eval", "scratch_risk", "gamma=0.5", "sigma=0.2", "--bogus"],
     "unrecognized arguments: --bogus (see 'ftheory eval --help')"),
    (["simulate", "finetune", "--d", "60", "--n", "30", "--thta", "pi/4"],
     "unrecognized arguments: --thta pi/4; did you mean --theta? (see 'ftheory simulate --help')"),
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


def test_python_dash_m_ftheory_runs_the_command():
    """``python -m ftheory`` is the console script: --help exits 0, bad input exits 2 with one line."""
    exe = [sys.executable, "-m", "ftheory"]
    h = subprocess.run(exe + ["--help"], capture_output=True, text=True)
    assert h.returncode == 0 and h.stdout.startswith("usage: ftheory") and h.stderr == ""
    bad = subprocess.run(exe + ["eval", "scratch_risk", "gamma=-1", "sigma=0.2"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith("ftheory: error: ") and bad.stdout == ""


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


# -- issue 12 §2/§4: bad input is one line and status 2; --digits; the validate table ----------------

@pytest.mark.parametrize("argv, needle", [
    (["eval", "scratch_risk", "gamma=0.5", "gamma=0.7", "sigma=0.2"], "given twice"),
    (["eval", "scratch_risk", "gamma=0.5", "sigma=0.2", "--dps", "1000000"], "dps=1000000"),
    (["eval", "scratch_risk", "gamma=0.5", "sigma=0.2", "--digits", "40"], "--digits 40"),
    (["series", "scratch_risk", "gamma", "oo", "--order", "100000"], "order=100000"),
    (["limit", "scratch_risk", "gamma", "1", "sigma=(1/3)**1e300"], "too large an exact number"),
    (["eval", "relu_arccos_kernel", "u=1.000000000000000000000000001", "--dps", "30"], "u='1.000000000000000000000000001'"),
    (["eval", "lt_theta_min", "sigma=-1e-400", "--dps", "30"], "sigma='-1e-400'"),
    (["eval", "linear_transfer_risk_finite", "n=10", "theta=1", "sigma=0.1", "lam=1e300"], "use --dps N"),
    (["eval", "relu_funk_hecke", "d=1", "ell=4"], "d >= 2"),
    (["eval", "scratch_risk_finite", "n=4611686018427387904", "d=4611686018427387909", "sigma=0.1"], "2**53"),
    (["phase-diagram", "linear_transfer_transferability", "--size", "0"], "--size 0"),
    (["reproduce", "--only", ""], "--only ''"),
    (["reproduce", "--only", "ft-phase,"], "empty figure id"),
])
def test_bad_input_is_one_line_with_status_2(capsys, argv, needle):
    code, out, err = run(capsys, *argv)
    assert code == 2 and needle in err and err.count("\n") == 1 and "Traceback" not in err, err


def test_series_and_limit_are_time_boxed(capsys):
    code, _, err = run(capsys, "series", "wasserstein2_task", "theta", "0", "--order", "30", "--timeout", "1")
    assert code == 2 and "did not finish within --timeout 1 s" in err


def test_eval_digits_and_exact_dps(capsys):
    code, out, _ = run(capsys, "eval", "linear_transfer_transferability", "gamma=0.5", "theta=pi/4", "sigma=0.2")
    assert code == 0 and out.strip() == "0.04000000000000012"  # float64 rounding, shown in full by default
    code, out, _ = run(capsys, "eval", "linear_transfer_transferability", "gamma=0.5", "theta=pi/4", "sigma=0.2",
                       "--digits", "6")
    assert code == 0 and out.strip() == "0.04"
    # pi-expressions are evaluated in mpmath at the working precision, not through a float
    code, out, _ = run(capsys, "eval", "linear_transfer_transferability", "gamma=0.5", "theta=pi/4", "sigma=0.2",
                       "--dps", "40")
    assert code == 0 and out.strip() == "0.04"


def test_validate_table_stays_aligned_with_long_parameter_lists():
    from types import SimpleNamespace

    from ftheory.validate import format_table

    def outcome(result, params):
        twin = SimpleNamespace(result=result, simulator="ftheory.simulate.linear.sim", oracle="")
        return SimpleNamespace(twin=twin, point=params, expected=0.123456, mean=0.12, sem=0.004, tolerance=0.02,
                               z=-0.86, converged=50, instances=50, passed=True)

    table = format_table([outcome("scratch_risk", {"gamma": 0.5, "sigma": 0.2}),
                          outcome("linear_transfer_transferability",
                                  {"gamma": 0.5, "theta": 0.7853981633974483, "sigma": 0.2, "lam": 0.1,
                                   "norm_t": 1.0, "norm_s": 1.0, "depth": 2})])
    rows = [line for line in table.splitlines()[2:] if not line.startswith("    ")][:-1]
    header = table.splitlines()[0]
    for column in ("theory", "simulation", "sem", "conv"):
        ends = {line.index(column) + len(column) for line in [header]}
        assert len(ends) == 1
    # every data row has its numeric columns ending at the header's column ends
    for key in ("theory", "simulation"):
        end = header.index(key) + len(key)
        for line in rows:
            assert line[end - 1] != " " and (end == len(line) or line[end] == " "), (key, line)
