"""The advisor: exact moment covariances, the report, the CLI and bad input."""
import json

import numpy as np
import pytest

import ftheory
from ftheory.advise.estimators import _L, _STATS, helmert, param_cov
from ftheory.advise.moments import Moments
from ftheory.advise.synthetic import make_task
from ftheory.cli import main


def _data(n=40, d=30, seed=0, theta=0.7, sigma=0.5):
    t = make_task(d, theta, sigma, seed=seed)
    X, y = t.sample(n, np.random.default_rng(seed + 1))
    return t, X, y, X @ t.beta_s


def test_param_cov_closed_form_matches_engine():
    p = [0.8, 0.3, 0.4, 1.3]
    S = np.array([[1.1, 0.4], [0.4, 1.3]])
    G = np.array([[0.8, 0.4], [0.4, 1.3]])
    A = _L @ Moments.population_only(37, 50, S, G).cov_matrix(_STATS) @ _L.T
    assert np.allclose(param_cov(37, 50, p), A, rtol=1e-12, atol=1e-14)


def test_helmert_is_orthonormal_contrast():
    H = helmert(np.eye(6))
    assert np.allclose(H @ H.T, np.eye(5), atol=1e-14)
    assert np.allclose(H @ np.ones(6), 0, atol=1e-14)


@pytest.mark.slow
def test_moment_covariance_against_monte_carlo():
    """Exact Gaussian covariance of (S_y, U_y, S_z, S_{y+z}) vs 4000 draws (anisotropic Sigma)."""
    rng = np.random.default_rng(3)
    n, d = 25, 20
    t = make_task(d, 0.8, 0.6, eigenvalues=np.linspace(0.2, 3, d), seed=4)
    Kinv = np.linalg.inv(t.Sigma)
    stats = [("S", [1, 0]), ("U", [1, 0], Kinv, "inv"), ("S", [0, 1]), ("S", [1, 1])]
    reps = 4000
    vals = np.empty((reps, 4))
    for r in range(reps):
        X, y = t.sample(n, rng)
        m = Moments(X, y, X @ t.beta_s, t.Sigma)
        vals[r] = [m.value(s) for s in stats]
    tr = t.truth()
    p = np.array([tr["signal"], tr["noise_variance"], tr["overlap_inner"], tr["source_signal"]])
    est = vals @ _L.T
    C = param_cov(n, d, p)
    se_mean = np.sqrt(np.diag(C) / reps)
    assert np.all(np.abs(est.mean(0) - p) < 4 * se_mean)            # unbiased
    var_emp = est.var(0, ddof=1)
    # the sample variance of 4000 near-Gaussian draws has relative s.e. ~ sqrt(2/4000) (x ~1.5 for tails)
    assert np.all(np.abs(var_emp / np.diag(C) - 1) < 4 * 1.5 * np.sqrt(2 / reps))


def test_report_json_schema():
    _, X, y, z = _data()
    rep = ftheory.advise(X, y, source_pred=z)
    doc = json.loads(rep.to_json())
    assert set(doc) == {"n", "d", "estimates", "predictions", "recommendation", "crossover_n"}
    assert set(doc["estimates"]) == {"noise_variance", "signal", "overlap"}
    assert set(doc["predictions"]) == {"scratch", "linear_transfer", "finetune"}
    for block in ("estimates", "predictions"):
        for v in doc[block].values():
            assert set(v) == {"value", "ci"} and v["ci"][0] <= v["value"] <= v["ci"][1]
    assert doc["recommendation"] in ("scratch", "linear_transfer", "finetune")
    assert doc["n"] == 40 and doc["d"] == 30


def test_weights_and_predictions_agree():
    t, X, y, z = _data()
    a = ftheory.advise(X, y, source_pred=z, standardize=False).to_dict()
    b = ftheory.advise(X, y, source_weights=t.beta_s, standardize=False).to_dict()
    assert _close(a, b)


def test_plot_writes_png(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    _, X, y, z = _data()
    out = tmp_path / "r.png"
    ftheory.advise(X, y, source_pred=z).plot(path=str(out))
    assert out.stat().st_size > 10_000


@pytest.mark.parametrize("mutate, match", [
    (lambda X, y, z: (np.where(np.arange(X.size).reshape(X.shape) == 5, np.nan, X), y, z), "X contains nan"),
    (lambda X, y, z: (X, np.r_[y[:-1], np.inf], z), "y contains inf"),
    (lambda X, y, z: (X[:2], y[:2], z[:2]), "n=2"),
    (lambda X, y, z: (np.c_[X, np.ones(len(y))], y, z), "constant column"),
    (lambda X, y, z: (np.c_[X, X[:, 3]], y, z), "duplicated"),
    (lambda X, y, z: (X, y[:-1], z), "y has 39 entries but X has 40 rows"),
    (lambda X, y, z: (X, y, np.full_like(z, 2.0)), "pretrained predictor is constant"),
    (lambda X, y, z: (X, y, z[:-3]), "source_pred has 37 entries"),
])
def test_bad_input_names_the_problem(mutate, match):
    _, X, y, z = _data()
    X, y, z = mutate(X, y, z)
    with pytest.raises(ValueError, match=match):
        ftheory.advise(X, y, source_pred=z)


def test_bad_weights_and_unlabeled():
    _, X, y, _ = _data()
    with pytest.raises(ValueError, match="source_weights has 3 entries"):
        ftheory.advise(X, y, source_weights=np.ones(3))
    with pytest.raises(ValueError, match="unlabeled has 5 columns"):
        ftheory.advise(X, y, source_weights=np.ones(30), unlabeled=np.ones((100, 5)))
    with pytest.raises(ValueError, match="no pretrained model"):
        ftheory.advise(X, y)
    # the anisotropic path keeps the columns' scales: standardize=True was silently ignored there
    U = np.random.default_rng(3).standard_normal((200, X.shape[1]))
    with pytest.raises(ValueError, match="standardize=True is invalid with unlabeled inputs"):
        ftheory.advise(X, y, source_weights=np.ones(30), unlabeled=U, standardize=True)


def _close(a, b):
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_close(u, v) for u, v in zip(a, b))
    if isinstance(a, float):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a))  # CSV round trip of 17-digit floats
    return a == b


def _write(tmp_path, X, y, z):
    import pandas as pd
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
    df["label"], df["pre"] = y, z
    path = tmp_path / "t.csv"
    df.to_csv(path, index=False)
    return str(path)


def test_cli_json_and_formats(tmp_path, capsys):
    t, X, y, z = _data()
    path = _write(tmp_path, X, y, z)
    assert main(["advise", "--target", path, "--label", "label", "--source-pred", "pre", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    import pandas as pd
    pq = tmp_path / "t.parquet"
    pd.read_csv(path).to_parquet(pq)
    assert main(["advise", "--target", str(pq), "--label", "label", "--source-pred", "pre", "--json"]) == 0
    assert _close(json.loads(capsys.readouterr().out), doc)
    npz = tmp_path / "t.npz"
    np.savez(npz, x=X, label=y, pre=z)
    assert main(["advise", "--target", str(npz), "--label", "label", "--source-pred", "pre", "--json"]) == 0
    assert _close(json.loads(capsys.readouterr().out), doc)
    w = tmp_path / "w.csv"
    pd.DataFrame({"w": t.beta_s}).to_csv(w, index=False)
    nolab = tmp_path / "nl.csv"
    pd.read_csv(path).drop(columns=["pre"]).to_csv(nolab, index=False)
    assert main(["advise", "--target", str(nolab), "--label", "label", "--source-weights", str(w), "--json"]) == 0
    assert _close(json.loads(capsys.readouterr().out), doc)


@pytest.mark.parametrize("args, match", [
    (["--label", "nope", "--source-pred", "pre"], "label column 'nope' is missing"),
    (["--label", "label", "--source-pred", "nope"], "source-pred column 'nope' is missing"),
])
def test_cli_errors_one_line_exit_2(tmp_path, capsys, args, match):
    _, X, y, z = _data()
    path = _write(tmp_path, X, y, z)
    assert main(["advise", "--target", path] + args) == 2
    err = capsys.readouterr().err
    assert match in err and err.count("\n") == 1


def test_cli_nan_and_missing_file(tmp_path, capsys):
    _, X, y, z = _data()
    X[3, 2] = np.nan
    path = _write(tmp_path, X, y, z)
    assert main(["advise", "--target", path, "--label", "label", "--source-pred", "pre"]) == 2
    assert "column 'x2' of" in (err := capsys.readouterr().err) and "missing value (empty, blank or NA) at row 3" in err
    assert main(["advise", "--target", str(tmp_path / "none.csv"), "--label", "y", "--source-pred", "p"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_cov_us_is_the_block_of_param_cov():
    from ftheory.advise.estimators import _cov_us
    J = np.array([[1.0, 0, 0, 0], [1, 1, 0, 0]])
    for p, N in (([0.8, 0.3, 0.4, 1.3], 0), ([1.7, 0.05, -0.2, 0.6], 400)):
        assert np.allclose(_cov_us(37, 50, p[0], p[1], N), J @ param_cov(37, 50, p, N) @ J.T, rtol=1e-13, atol=0)


def test_values_truncated_into_their_intervals():
    """Negative unbiased estimates are reported truncated into the parameter space, inside the interval."""
    from ftheory.advise.estimators import estimate_parameters, interval, prepare
    iv = interval(-3.0, 1.0, lo=0.0)           # the whole normal interval lies below the domain
    assert (iv.value, iv.low, iv.high) == (0.0, 0.0, 0.0)
    rng = np.random.default_rng(5)
    t = make_task(50, 1.2, 1.0, seed=5)
    seen_negative = False
    for _ in range(40):
        X, y = t.sample(8, rng)
        pe = estimate_parameters(prepare(X, y, X @ t.beta_s), draws=100)
        seen_negative |= bool(pe.p[0] < 0 or pe.p[1] < 0)
        for k in ("signal", "noise_variance", "overlap", "distance", "source_signal"):
            iv = pe.interval(k)
            assert iv.low <= iv.value <= iv.high, (k, iv)
        assert pe.interval("signal").value >= 0 and pe.interval("noise_variance").value >= 0
    assert seen_negative


def test_bootstrap_law_matches_exact_moments():
    """The simulated estimates have the exact Gaussian mean and covariance (isotropic, Bartlett path,
    unlabeled data at N = 12 d and 400 d); 3000 draws: relative s.e. of a variance ~ sqrt(2/3000) (x ~1.5
    for tails)."""
    from ftheory.advise.bootstrap import Worlds
    p = np.array([1.0, 0.5, 0.4, 1.3])
    for n, d, N in ((30, 20, 0), (12, 40, 0), (25, 10, 120), (25, 10, 4000)):
        D = Worlds(n, d, N, draws=3000, seed=1, budget=1e12).draws_at(p)
        C = param_cov(n, d, p, N)
        assert np.all(np.abs(D.mean(0) - p) < 4 * np.sqrt(np.diag(C) / 3000))
        assert np.all(np.abs(np.diag(np.cov(D.T)) / np.diag(C) - 1) < 4 * 1.5 * np.sqrt(2 / 3000))
