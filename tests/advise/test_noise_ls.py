"""The least-squares residual variance (ftheory.advise.noise_ls) and the advisor's switch to it."""
import math

import numpy as np
import pytest
from scipy.stats import chi2

from ftheory.advise import noise_ls
from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.noise_ls import ResidualVariance, residual_variance, use_residual
from ftheory.advise.synthetic import make_task


def test_residual_variance_is_the_least_squares_rss_with_the_rank_deficit():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((30, 6))
    y = rng.standard_normal(30)
    rv = residual_variance(X, y)
    rss = float(np.linalg.lstsq(X, y, rcond=None)[1][0])
    # both are sums of 30 squares of O(1) residuals: a few hundred eps of their size
    assert rv.df == 24 and rv.rss == pytest.approx(rss, rel=1e-12)
    Xd = np.column_stack([X, X[:, :2] @ [1.0, -2.0]])                   # a collinear 7th column: rank 6
    assert residual_variance(Xd, y).df == 24
    assert residual_variance(Xd, y).rss == pytest.approx(rss, rel=1e-10)
    assert residual_variance(X[:6], y[:6]) is None and residual_variance(X[:4], y[:4]) is None
    iv = rv.interval()
    lo, hi = rv.rss / chi2.ppf([0.975, 0.025], 24)
    assert iv.low == pytest.approx(lo, rel=1e-13) and iv.high == pytest.approx(hi, rel=1e-13)  # 1 - 0.025 vs 0.975
    assert iv.low < iv.value == rv.rss / 24 < iv.high
    with pytest.raises(ValueError, match="shape"):
        residual_variance(X, y[:-1])
    with pytest.raises(ValueError, match="finite"):
        residual_variance(np.where(X > 2, np.nan, X), y)


def test_chi2_interval_covers_exactly_given_a_fixed_design():
    """Given one anisotropic design with a non-zero mean (fixed X, fresh noise), the advisor's noise interval
    (centred, with unlabeled rows: df = n - 1 - d = MIN_DF) covers the truth in 95% of samples: 3.5 binomial
    standard errors over REPS; the probability integral transform of RSS/sigma^2 is uniform (mean 1/2)."""
    reps, d = 1500, 10
    n = d + 1 + noise_ls.MIN_DF
    task = make_task(d, 0.6, 0.7, eigenvalues=np.linspace(0.2, 4, d), seed=8)
    rng = np.random.default_rng(9)
    X = task.sample(n, rng, mean=1.5)[0]
    U = task.sample(5 * d, rng)[0]
    hit, pit = 0, []
    for _ in range(reps):
        y = (X - 1.5) @ task.beta_t + 3.0 + task.sigma * rng.standard_normal(n)
        pe = estimate_parameters(prepare(X, y, X @ task.beta_s, U))
        assert pe.residual.df == n - 1 - d and use_residual(pe.residual)
        hit += pe.interval("noise_variance").covers(task.sigma ** 2)
        pit.append(chi2.cdf(pe.residual.rss / task.sigma ** 2, pe.residual.df))
    se = math.sqrt(0.95 * 0.05 / reps)
    assert abs(hit / reps - 0.95) <= 3.5 * se, hit / reps
    assert abs(np.mean(pit) - 0.5) <= 3.5 * math.sqrt(1 / 12 / reps)


@pytest.mark.parametrize("aniso", [False, True])
def test_switch_at_min_df(aniso):
    """Below MIN_DF residual degrees of freedom the noise interval is the moment estimate's (unchanged);
    from MIN_DF on it is the residual variance's chi2 interval, and the flags read the reported estimate."""
    d = 12
    task = make_task(d, 0.7, 0.5, eigenvalues=np.linspace(0.5, 2, d) if aniso else None, seed=4)
    rng = np.random.default_rng(5)
    for df in (noise_ls.MIN_DF - 1, noise_ls.MIN_DF):
        X, y = task.sample(d + df + 1, rng)
        U = task.sample(10 * d, rng)[0] if aniso else None
        pe = estimate_parameters(prepare(X, y, X @ task.beta_s, U), draws=100)
        assert pe.residual.df == df
        got = pe.interval("noise_variance")
        if df < noise_ls.MIN_DF:
            assert got == pe.interval("noise_moment") and pe.noise_value == pe.p[1]
        else:
            assert got == pe.residual.interval() and pe.noise_value == pe.residual.value
    assert not use_residual(None) and use_residual(ResidualVariance(1.0, 3), min_df=3)


def test_signal_law_has_the_exact_mean_and_variance():
    """The simulated law of tau2_hat = S_y - RSS/k (signal_ls) has mean tau^2 and the variance derived in
    derivations/noise_ls.py, within 4 standard errors of DRAWS draws (the draws are fixed: seed 0)."""
    from ftheory.advise.signal_ls import DRAWS, _law

    n, d, t, s2 = 40, 12, 0.8, 0.5
    k = n - d
    T = _law(t, s2, n, d, k, DRAWS, 0)
    var = 2 * (t + s2) ** 2 / n + 2 * s2 ** 2 / k - 4 * s2 ** 2 / n
    assert abs(T.mean() - t) <= 4 * math.sqrt(var / DRAWS)
    assert abs(T.var() - var) <= 4 * np.std((T - T.mean()) ** 2) / math.sqrt(DRAWS)


@pytest.mark.slow
def test_signal_interval_covers_with_unlabeled_rows():
    """With unlabeled rows and k >= MIN_DF the signal interval is signal_ls's; over fresh samples of an
    anisotropic task it covers the true signal in 95% of REPS samples (3.5 binomial standard errors; the
    plug-in nuisance RSS/k makes it approximate); without unlabeled rows the spectral interval is kept."""
    from ftheory.advise.signal_ls import signal_ls_interval

    reps, d, n = 400, 8, 40
    task = make_task(d, 0.7, 0.6, eigenvalues=np.linspace(0.2, 3, d), seed=12)
    rng = np.random.default_rng(13)
    hit = 0
    for _ in range(reps):
        X, y = task.sample(n, rng)
        prep = prepare(X, y, X @ task.beta_s, task.sample(10 * d, rng)[0])
        pe = estimate_parameters(prep)
        iv = pe.interval("signal")
        hit += iv.covers(task.truth()["signal"])
    n_eff = n - 1
    assert iv == signal_ls_interval(float(prep.y @ prep.y) / n_eff, pe.residual.rss, n_eff, n_eff - d, seed=0)
    assert pe.signal_value == pytest.approx(float(prep.y @ prep.y) / n_eff - pe.residual.value, rel=1e-12)
    assert abs(hit / reps - 0.95) <= 3.5 * math.sqrt(0.95 * 0.05 / reps), hit / reps
    iso = estimate_parameters(prepare(X, y, X @ task.beta_s), draws=100)
    assert iso.interval("signal") == iso.interval("signal_moment") and iso.signal_value == iso.p[0]
