"""The isotropic score region of the four exact regression statistics (bands.score_region(residual=...)), which
``advise`` uses wherever the residual variance applies (measured in docs/advisor_validation.md, "Exact regression
statistics for the isotropic region" and "Current coverage")."""
import numpy as np
import pytest

from ftheory.advise.bands import _exact_scores, _regression_centre, _regression_stats, score_region
from ftheory.advise.noise_ls import residual_variance
from ftheory.advise.predict import min_norm_coefficients
from ftheory.advise.synthetic import make_task


def _stats(task, n, rng):
    """``(p_hat, s2, df)`` with the moment statistics the scores use (S_y, y'z/n, S_z) and the residual."""
    X, y = task.sample(n, rng)
    z = X @ task.beta_s
    rv = residual_variance(X, y)
    p_hat = np.array([0.0, y @ y / n, y @ z / n, z @ z / n])
    return p_hat, rv.value, rv.df


def test_the_four_scores_are_independent_standard_normals_at_the_truth():
    # exact laws (chi2_n, normal, chi2_df) and a three-cumulant gamma law for D: Monte Carlo at a small task
    task = make_task(8, 0.9, 0.7, seed=3)
    tr = task.truth()
    p0 = np.array([tr["signal"], tr["noise_variance"], tr["overlap_inner"], tr["source_signal"]])
    rng = np.random.default_rng(11)
    n, reps = 30, 4000
    Z = np.array([_exact_scores(p0, _regression_stats(p, n, s2, df), n, df) for p, s2, df in
                  (_stats(task, n, rng) for _ in range(reps))])
    se = 1 / np.sqrt(reps)
    assert np.all(np.abs(Z.mean(0)) < 4 * se)
    # Var of a sample variance of normals: 2/reps; 4.5 standard errors
    assert np.all(np.abs(Z.var(0) - 1) < 4.5 * np.sqrt(2 / reps))
    C = np.corrcoef(Z.T)
    assert np.all(np.abs(C[np.triu_indices(4, 1)]) < 4 * se)


def test_regression_region_centre_and_noise_band():
    task = make_task(20, 0.7, 0.5, seed=5)
    rng = np.random.default_rng(2)
    n = 120
    X, y = task.sample(n, rng)
    z = X @ task.beta_s
    rv = residual_variance(X, y)
    # the U-statistic part of p_hat does not enter: any split of S_y gives the same region
    p_hat = np.array([0.4, y @ y / n - 0.4, y @ z / n, z @ z / n])
    reg = score_region(p_hat, n, 20, residual=(rv.value, rv.df))
    p2 = p_hat + np.array([0.3, -0.3, 0, 0])
    assert np.allclose(score_region(p2, n, 20, residual=(rv.value, rv.df)).raw, reg.raw)
    centre = _regression_centre(_regression_stats(p_hat, n, rv.value, rv.df), n, rv.df)
    assert np.array_equal(reg.raw[0], centre) and centre[1] == rv.value
    # the noise variance's profile is its exact chi2 interval; the cloud of 512 rays reaches within ~2%
    iv = rv.interval()
    v, lo, hi = reg.band(lambda P: P[..., 1], linear=True)
    assert v == rv.value
    assert lo == pytest.approx(iv.low, rel=0.03) and hi == pytest.approx(iv.high, rel=0.03)
    assert iv.low <= lo and hi <= iv.high * (1 + 1e-9)
    # min-norm above n = d: V sigma^2, its value V s2
    a, b = min_norm_coefficients(n, 20)
    assert reg.band(lambda P: a * P[..., 0] + b * P[..., 1], linear=True)[0] == pytest.approx(b * rv.value, rel=1e-12)


def test_regression_option_off_by_default_and_for_the_exact_cut():
    task = make_task(20, 0.7, 0.5, seed=5)
    rng = np.random.default_rng(2)
    p_hat, s2, df = _stats(task, 120, rng)
    p_hat[0], p_hat[1] = 0.5, p_hat[1] - 0.5
    base = score_region(p_hat, 120, 20)
    assert np.array_equal(base.raw[0], p_hat)
    assert not np.array_equal(score_region(p_hat, 120, 20, residual=(s2, df)).raw, base.raw)
    # with unlabeled rows the option is ignored
    assert np.array_equal(score_region(p_hat, 120, 20, 500, residual=(s2, df)).raw,
                          score_region(p_hat, 120, 20, 500).raw)


@pytest.mark.parametrize("residual", [(0.0, 10), (-1.0, 10), (float("nan"), 10), (1.0, 0), (1.0, 2.5), (1.0, 119)])
def test_regression_option_rejects_bad_residual(residual):
    p_hat = np.array([0.5, 0.5, 0.2, 1.0])
    with pytest.raises(ValueError, match="residual"):
        score_region(p_hat, 120, 20, residual=residual)


def test_report_region_uses_the_regression_statistics_where_the_residual_applies():
    from ftheory.advise.estimators import estimate_parameters, prepare
    from ftheory.advise.noise_ls import use_residual
    from ftheory.advise.report import _region

    task = make_task(20, 0.7, 0.5, seed=5)
    rng = np.random.default_rng(2)
    X, y = task.sample(120, rng)
    pe = estimate_parameters(prepare(X, y, X @ task.beta_s))
    assert use_residual(pe.residual) and not pe.n_unlabeled
    reg = _region(pe)
    want = score_region(pe.p, pe.n, pe.d, residual=(pe.residual.value, pe.residual.df))
    assert np.array_equal(reg.raw, want.raw)
    assert not np.array_equal(reg.raw, score_region(pe.p, pe.n, pe.d).raw)
    # below the residual's switch (n - d small) the moment region stays
    X, y = task.sample(30, rng)
    pe = estimate_parameters(prepare(X, y, X @ task.beta_s))
    assert not use_residual(pe.residual)
    assert np.array_equal(_region(pe).raw[0], pe.p)


def test_report_region_with_one_feature_keeps_the_moment_region():
    # d = 1: z spans X, RSS_z - RSS has no degrees of freedom; the report must not pass the residual
    from ftheory.advise.estimators import estimate_parameters, prepare
    from ftheory.advise.report import _region

    rng = np.random.default_rng(4)
    X = rng.standard_normal((200, 1))
    y = 0.8 * X[:, 0] + 0.3 * rng.standard_normal(200)
    pe = estimate_parameters(prepare(X, y, 0.5 * X[:, 0]))
    assert np.array_equal(_region(pe).raw[0], pe.p)
