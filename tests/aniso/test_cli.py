"""`ftheory aniso`: prints the risks of the numeric API; bad input is one line and status 2."""
import numpy as np
import pytest

from ftheory import aniso as A
from ftheory.cli import main


def test_power_law_table_matches_the_api(capsys):
    assert main(["aniso", "--alpha", "1", "--d", "200", "--n", "40,300", "--sigma", "0.3"]) == 0
    out = capsys.readouterr().out.splitlines()
    row = out[3].split()
    ev, bt = A.power_law_spectrum(200, 1.0), A.power_law_teacher(200, 1.0)
    assert float(row[3]) == pytest.approx(float(A.scratch_risk(ev, bt, 40, 0.3)), rel=1e-3)
    assert out[4].split()[0] == "300"


def test_file_spectrum_and_two_level(tmp_path, capsys):
    f = tmp_path / "ev.txt"
    np.savetxt(f, np.linspace(1, 3, 50))
    assert main(["aniso", "--eigenvalues", str(f), "--n", "20"]) == 0
    assert main(["aniso", "--two-level", "0.1", "20", "--d", "100", "--n", "30", "--theta", "pi/3",
                 "--perp-at", "1"]) == 0
    assert "two-level: 10 eigenvalues" in capsys.readouterr().out


@pytest.mark.parametrize("args, text", [
    (["--alpha", "-1"], "alpha=-1.0"),
    (["--alpha", "1", "--n", "0"], "n=0 is invalid"),
    (["--alpha", "1", "--n", "x"], "n='x'"),
    (["--eigenvalues", "/nonexistent/ev.txt"], "could not be read"),
    (["--alpha", "1", "--sigma", "-1"], "sigma"),
    (["--alpha", "1", "--perp-at", "9999"], "perp-at"),
])
def test_bad_input_is_one_line_and_status_2(args, text, capsys):
    assert main(["aniso", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and text in err[0]


def test_no_nan_where_fine_tuning_and_scratch_coincide(capsys):
    """n = d and d + 1: both risks are infinite, T_ft = 0 (the same least-squares fit), no NaN, no warning."""
    assert main(["aniso", "--alpha", "1", "--d", "100", "--n", "100,101,102"]) == 0
    out, err = capsys.readouterr()
    rows = [line.split() for line in out.splitlines()[3:]]
    assert [r[-1] for r in rows] == ["0", "0", "0"] and "nan" not in out and err == ""


def test_covariance_file_and_a_matrix_given_as_eigenvalues(tmp_path, capsys):
    """--covariance diagonalises a d x d matrix (teachers in its coordinates); a matrix given to --eigenvalues
    used to be flattened into d^2 'eigenvalues' silently: now an error naming the parameter."""
    rng = np.random.default_rng(0)
    U, _ = np.linalg.qr(rng.standard_normal((40, 40)))
    ev = A.power_law_spectrum(40, 1.0)
    cov, bt = tmp_path / "cov.txt", tmp_path / "bt.txt"
    np.savetxt(cov, (U * ev) @ U.T)
    np.savetxt(bt, U @ A.power_law_teacher(40, 1.0))
    assert main(["aniso", "--covariance", str(cov), "--target", str(bt), "--n", "20"]) == 0
    got = capsys.readouterr().out.splitlines()
    assert main(["aniso", "--alpha", "1", "--d", "40", "--n", "20"]) == 0
    want = capsys.readouterr().out.splitlines()
    assert got[3].split()[:6] == want[3].split()[:6]           # n, gamma, kappa, scratch and ridge risks
    assert main(["aniso", "--eigenvalues", str(cov), "--n", "20"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "eigenvalues=" in err[0] and "40 x 40" in err[0] and "--covariance" in err[0]
    np.savetxt(cov, np.diag(np.r_[np.ones(39), -1.0]))
    assert main(["aniso", "--covariance", str(cov), "--n", "20"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not positive semi-definite" in err[0]


def test_zero_target_names_the_target(tmp_path, capsys):
    f = tmp_path / "bt.txt"
    np.savetxt(f, np.zeros(30))
    assert main(["aniso", "--alpha", "1", "--d", "30", "--target", str(f)]) == 2
    out, err = capsys.readouterr()
    assert err.strip().splitlines() == [err.strip()] and "target" in err and "zero" in err and "beta_s" not in err


def test_sample_sizes_take_ranges_and_d_must_match_a_file(tmp_path, capsys):
    """--n 50:150:50 (the range syntax of ftheory eval/sweep) was 'invalid: expected comma-separated integers';
    --d given with a spectrum file of another length was ignored silently."""
    assert main(["aniso", "--alpha", "1", "--d", "100", "--n", "20,50:150:50"]) == 0
    rows = capsys.readouterr().out.splitlines()[3:]
    assert [r.split()[0] for r in rows] == ["20", "50", "100", "150"]
    assert main(["aniso", "--alpha", "1", "--n", "150:50:50"]) == 2
    assert "n='150:50:50'" in capsys.readouterr().err
    f = tmp_path / "ev.txt"
    np.savetxt(f, np.linspace(1, 3, 50))
    assert main(["aniso", "--eigenvalues", str(f), "--d", "200", "--n", "20"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "d=200" in err[0] and "50 eigenvalues" in err[0]
    assert main(["aniso", "--eigenvalues", str(f), "--d", "50", "--n", "20"]) == 0


def test_a_file_spectrum_is_normalised_and_the_help_says_how_to_keep_its_scale(tmp_path, capsys):
    """A new user found no option to keep a file spectrum's scale (trial22): the help of --eigenvalues and
    --covariance now says the spectrum is normalised to trace d, and the description gives the recipe, checked
    here: with the teacher files times sqrt(trace/d), the risks are the API's at the spectrum as given, and kappa
    and lam* are those of the normalised spectrum (times trace/d for the given one)."""
    import argparse

    from ftheory.cli import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices["aniso"]
    helps = {a.dest: a.help for a in sub._actions}
    assert "normalised to trace d" in helps["eigenvalues"] and "normalised to trace d" in helps["covariance"]
    assert "multiply the --target and --source files by sqrt(trace/d)" in " ".join(sub.description.split())
    d, c, sigma, ns = 40, 6.25, 0.3, [15, 60]
    rng = np.random.default_rng(3)
    ev = c * A.power_law_spectrum(d, 1.0)                  # trace c d: the spectrum as given
    bt = A.power_law_teacher(d, 1.0)
    bs = bt + 0.3 * rng.standard_normal(d) / np.sqrt(d)
    files = {k: tmp_path / f"{k}.txt" for k in ("ev", "bt", "bs")}
    for k, v in (("ev", ev), ("bt", np.sqrt(c) * bt), ("bs", np.sqrt(c) * bs)):
        np.savetxt(files[k], v)
    assert main(["aniso", "--eigenvalues", str(files["ev"]), "--target", str(files["bt"]), "--source",
                 str(files["bs"]), "--n", ",".join(map(str, ns)), "--sigma", str(sigma)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert f"trace {c * d:g}, normalised to trace d (x {1 / c:g})" in out[0]
    rows = [[float(x) for x in line.split()] for line in out[3:]]
    n = np.array(ns)
    tuned = A.tuned_ridge(ev, bt, n, sigma)
    want = {2: A.effective_regularisation(ev, n), 3: A.scratch_risk(ev, bt, n, sigma), 4: tuned.risk,
            5: tuned.lam, 6: A.linear_transfer_risk(ev, bs, bt, n, sigma),
            7: A.finetune_linear_risk(ev, bs, bt, n, sigma)}
    for col, values in want.items():
        got = [r[col] * (c if col in (2, 5) else 1.0) for r in rows]     # kappa, lam* times trace/d
        assert got == pytest.approx(np.asarray(values, float), rel=1e-3, abs=1e-12), col
