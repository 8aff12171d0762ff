"""The spectral test's simulated law against a direct simulation with the same spectrum of X X'."""
import math

import numpy as np
import pytest
from scipy.stats import ortho_group

from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.spectral import SpectralWorlds


def _sample(rng, n, d, tau2, sig2):
    """A Gaussian design and labels with a random teacher of squared norm ``tau2`` and noise ``sig2``."""
    beta = rng.standard_normal(d)
    beta *= math.sqrt(tau2) / np.linalg.norm(beta)
    X = rng.standard_normal((n, d))
    return X, X @ beta + math.sqrt(sig2) * rng.standard_normal(n)


@pytest.mark.parametrize("n, d", [(12, 30), (45, 20)])
def test_simulated_law_of_weighted_statistic_matches_rotated_designs(n, d):
    """Given X X', X O (O Haar) has the same spectrum and ``y = X O beta + sigma eps`` has exactly the
    law that :class:`SpectralWorlds` simulates: compare mean and variance of the GLS pair."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((n, d))
    tau2, sig2 = 1.3, 0.4
    beta = rng.standard_normal(d)
    beta *= math.sqrt(tau2) / np.linalg.norm(beta)
    sw = SpectralWorlds(X, np.zeros(n), draws=4000, seed=4)
    W = np.column_stack([sw.weights(tau2, sig2, 0), sw.weights(tau2, sig2, 1)])
    sims = sw.simulate(tau2, sig2, W)
    reps = 3000
    direct = np.empty((reps, 2))
    for k in range(reps):
        O = ortho_group.rvs(d, random_state=rng)
        y = X @ (O @ beta) + math.sqrt(sig2) * rng.standard_normal(n)
        direct[k] = SpectralWorlds(X, y, draws=1, seed=0).z2 @ W
    # unbiased for (tau^2, sigma^2) given the spectrum (exact), in both simulations
    for a, m in ((sims, 4000), (direct, reps)):
        se = a.std(0, ddof=1) / math.sqrt(m)
        assert np.all(np.abs(a.mean(0) - [tau2, sig2]) < 4 * se)
    # same spread: variance ratio within 4 s.e. of log-variance (sqrt(2/(m-1)) each)
    lv = np.log(sims.var(0, ddof=1) / direct.var(0, ddof=1))
    assert np.all(np.abs(lv) < 4 * math.sqrt(2 / 3999 + 2 / 2999))


def test_spectral_intervals_contain_value_and_spectral_flag():
    rng = np.random.default_rng(5)
    n, d = 50, 30
    X = rng.standard_normal((n, d))
    y = X @ (rng.standard_normal(d) / math.sqrt(d)) + 0.3 * rng.standard_normal(n)
    prep = prepare(X, y, X[:, 0])
    pe, pu = estimate_parameters(prep), estimate_parameters(prep, spectral=False)
    assert pe.spectral_worlds is not None and pu.spectral_worlds is None
    for name in ("signal", "noise_variance"):
        iv = pe.interval(name)
        assert 0.0 <= iv.low <= iv.value <= iv.high < math.inf
        assert iv.value == pu.interval(name).value          # the same (U-statistic) reported value


@pytest.mark.slow
@pytest.mark.parametrize("n, d", [(20, 40), (45, 30)])
def test_profile_test_is_exactly_calibrated_at_the_true_task(n, d):
    """At the true task (world = truth, no plug-in) the signed root falls in the central 95% of its
    simulated law with probability 0.95 (the law given the spectrum is exact; fresh draws for each
    design, so the draws' Monte Carlo error averages out too): binomial tolerance of 3.5 standard
    errors over fresh designs, teachers and noise, and the probability integral transform has mean 1/2
    within 3.5 standard errors. With the nuisance fitted under the candidate (the test that the
    intervals invert) the acceptance is within the same tolerance of 0.95."""
    rng = np.random.default_rng(17)
    tau2, sig2, reps = 1.0, 0.5, 600
    kept = np.zeros((2, 2))
    pit = [[], []]
    for _ in range(reps):
        X, y = _sample(rng, n, d, tau2, sig2)
        sw = SpectralWorlds(X, y, draws=1000, seed=rng)
        for which, (t, nu) in enumerate(((tau2, sig2), (sig2, tau2))):
            obs, sims = sw.profile_law(t, nu, which)
            lo, hi = np.quantile(sims, [0.025, 0.975])
            kept[which, 0] += lo <= obs <= hi
            pit[which].append(np.mean(sims < obs) + 0.5 * np.mean(sims == obs))
            kept[which, 1] += sw.profile_accept(t, sw.nuisance_fit(t, which), which) <= 0
    se = math.sqrt(0.95 * 0.05 / reps)
    assert np.all(np.abs(kept / reps - 0.95) < 3.5 * se), kept / reps
    assert np.all(np.abs(np.mean(pit, axis=1) - 0.5) < 3.5 * math.sqrt(1 / 12 / reps)), np.mean(pit, axis=1)


@pytest.mark.parametrize("n, d", [(35, 24), (20, 40)])
def test_exact_covariance_of_squared_coordinates(n, d):
    """``Cov(z^2 | spectrum) = diag(2d/(d+2) a^2 + 4 a sigma^2 + 2 sigma^4) - 2/(d+2) a a'`` (``a = lambda
    tau^2``; the moments of sphere coordinates) against the variance of weighted sums of the simulated
    ``z^2``, within 4 standard errors (from the sample fourth moment)."""
    rng = np.random.default_rng(8)
    X = rng.standard_normal((n, d))
    sw = SpectralWorlds(X, np.zeros(n), draws=40000, seed=9)
    tau2, sig2, m = 1.0, 0.3, sw.m
    a = sw.lam[:m] * tau2
    V = np.diag(2 * d / (d + 2) * a * a + 4 * a * sig2 + 2 * sig2 ** 2) - 2 / (d + 2) * np.outer(a, a)
    Z = tau2 * sw.P + math.sqrt(tau2 * sig2) * sw.Q + sig2 * sw.R
    for w in (np.ones(m), sw.lam[:m], rng.standard_normal(m)):
        s = Z @ w
        c = s - s.mean()
        var = c @ c / (s.size - 1)
        se = math.sqrt(max(np.mean(c ** 4) - var ** 2, 0.0) / s.size)
        assert abs(var - w @ V @ w) < 4 * se, (var, w @ V @ w, se)


@pytest.mark.parametrize("n, d", [(35, 24), (20, 40)])
def test_exact_statistic_is_the_same_function_of_every_data_set(n, d):
    """``profile_law(exact=True)``: a simulated data set handed in as the observation gets the root it had
    among the simulations (each data set its own nuisance refit and weights)."""
    rng = np.random.default_rng(10)
    X = rng.standard_normal((n, d))
    y = X @ (rng.standard_normal(d) / math.sqrt(d)) + 0.5 * rng.standard_normal(n)
    sw = SpectralWorlds(X, y, draws=300, seed=11)
    m = sw.m
    for which, (t, nu) in enumerate(((0.8, 0.3), (0.3, 0.8))):
        tau2, sig2 = (t, nu) if which == 0 else (nu, t)
        _, sims = sw.profile_law(t, nu, which, exact=True)
        Z = tau2 * sw.P + math.sqrt(tau2 * sig2) * sw.Q + sig2 * sw.R
        for b in (0, 7, 123):
            sw.z2 = np.concatenate([Z[b], np.full(n - m, sig2 * sw.Rc[b] / max(n - m, 1))])
            obs, _ = sw.profile_law(t, nu, which, exact=True)
            assert abs(obs - sims[b]) <= 1e-9 * (1 + abs(obs)), (which, b, obs, sims[b])
        assert abs(sw.nuisance_fit(t, which) - sw._nuisance_rows(sw.z2[None, :m], np.array([sw.z2[m:].sum()]), t, which)[0]) == 0


@pytest.mark.slow
@pytest.mark.parametrize("n, d", [(35, 24), (20, 40)])
def test_exact_profile_test_with_fitted_nuisance_is_calibrated(n, d):
    """``exact=True`` with the nuisance fitted under the true value (what the intervals would invert) keeps
    the truth with probability 0.95 within 3.5 binomial standard errors (fresh designs and draws)."""
    rng = np.random.default_rng(19)
    tau2, sig2, reps = 1.0, 0.36, 500
    kept = np.zeros(2)
    for _ in range(reps):
        X, y = _sample(rng, n, d, tau2, sig2)
        sw = SpectralWorlds(X, y, draws=1000, seed=rng)
        for which, t in enumerate((tau2, sig2)):
            kept[which] += sw.profile_accept(t, sw.nuisance_fit(t, which), which, exact=True) <= 0
    assert np.all(np.abs(kept / reps - 0.95) < 3.5 * math.sqrt(0.95 * 0.05 / reps)), kept / reps


def _scaled_sample(rng, n, d, tau2, sig2):
    """:func:`_sample` with inputs of an arbitrary common scale, prepared as the advisor does (centred,
    divided by the root-mean-square entry); the signal ``tau2`` is in the inputs' own units."""
    while True:
        s = math.exp(rng.uniform(-2, 2))
        X, y = _sample(rng, n + 1, d, tau2, sig2)
        prep = prepare(s * X, y, X[:, 0])
        if prep.common_scale:   # a function of the design's direction: the scale's law is unchanged
            return prep


@pytest.mark.slow
def test_signal_test_is_calibrated_on_designs_scaled_by_their_own_size():
    """The isotropic path divides X by its root-mean-square entry, an estimate of the inputs' scale. At
    n = 80, d = 10 with little noise (the coverage study's setting 12) that estimate's error (sd
    sqrt(2/(n d)) = 5%) is a large share of the signal statistic's spread: the law that ignored it kept
    the true signal 87% of the time at the true world, 91.4% coverage of the interval. With the scale in the
    law (``ParameterEstimates.spectral_worlds``, ``scale``) the true world keeps it with probability 0.95
    within 3.5 binomial standard errors over fresh designs, teachers, noise and draws, and the probability
    integral transform has mean 1/2 within 3.5 standard errors."""
    rng = np.random.default_rng(23)
    n, d, tau2, sig2, reps = 80, 10, 1.0, 0.09, 600
    kept, pit = 0, []
    for _ in range(reps):
        prep = _scaled_sample(rng, n, d, tau2, sig2)
        sw = estimate_parameters(prep, seed=rng).spectral_worlds
        obs, sims = sw.profile_law(tau2, sig2, 0)
        lo, hi = np.quantile(sims, [0.025, 0.975])
        kept += lo <= obs <= hi
        pit.append(np.mean(sims < obs) + 0.5 * np.mean(sims == obs))
    assert abs(kept / reps - 0.95) < 3.5 * math.sqrt(0.95 * 0.05 / reps), kept / reps
    assert abs(np.mean(pit) - 0.5) < 3.5 * math.sqrt(1 / 12 / reps), np.mean(pit)


def test_scale_draws_keep_the_mean_and_add_the_scale_variance():
    """``scale = (df, total)`` multiplies the signal's part of each draw by ``w = chi2_df / total``: the
    signal statistic keeps its mean (``E w = 1`` at ``total = df``) and its variance grows by
    ``Var(w) tau^4 E[(P W)^2] = 2 tau^4 E[(P W)^2] / df`` (``P W`` the signal's part, mean 1; the cross terms
    vanish by the noise's symmetry), within 4.5 standard errors."""
    rng = np.random.default_rng(6)
    n, d, tau2, sig2 = 40, 8, 1.5, 0.05
    X = rng.standard_normal((n, d))
    X *= math.sqrt(X.size / np.sum(X * X))
    a, b = SpectralWorlds(X, np.zeros(n), draws=40000, seed=1), SpectralWorlds(X, np.zeros(n), draws=40000, seed=1,
                                                                               scale=(X.size, X.size))
    W = a.weights(tau2, sig2, 0)[:, None]
    ta, tb = a.simulate(tau2, sig2, W)[:, 0], b.simulate(tau2, sig2, W)[:, 0]
    assert np.all(a.w == 1.0) and abs(b.w.mean() - 1) < 4.5 * math.sqrt(2 / X.size / b.w.size)
    # tb = w x (the signal part of ta) + the rest: its mean is tau^2 (W is unbiased given the spectrum)
    assert abs(tb.mean() - tau2) < 4.5 * tb.std() / math.sqrt(tb.size)
    extra, want = tb.var() - ta.var(), 2 * tau2 ** 2 * np.mean((a.P @ W[:a.m, 0]) ** 2) / X.size
    se = math.sqrt(2 / tb.size) * (tb.var() + ta.var())     # a bound on the s.e. of the difference
    assert abs(extra - want) < 4.5 * se and se < 0.2 * want, (extra, want, se)
    with pytest.raises(ValueError, match="scale"):
        SpectralWorlds(X, np.zeros(n), draws=10, scale=(0, 1.0))
