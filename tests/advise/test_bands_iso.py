"""Isotropic prediction bands: the Cornish-Fisher cut of the score region's rays (ftheory.advise.bands)."""
import numpy as np
from scipy.stats import chi2

from ftheory.advise.bands import Z95, _lower_point, score_region
from ftheory.advise.bootstrap import Worlds


def test_lower_point_follows_the_skewed_law_of_the_label_variance():
    """The statistic ``tau^2_hat + sigma^2_hat = S_y`` is exactly ``s_yy chi^2_n / n``. Its lower 2.5% point
    from the exact mean and variance and the draws' skewness (Cornish-Fisher) against the chi^2 quantile, in
    standard deviations: the Gaussian point is 0.34 sd too low at n = 17; the skewness of 400 draws is
    noisy (about 0.23 sd for this heavy-tailed law, i.e. 0.11 sd in the point), so the mean absolute error
    over six seeds must be below half the Gaussian's (0.17 sd: about 2.5 standard errors above the
    expected 0.1). A missing or wrongly signed skewness term gives 0.34 / 0.65 sd."""
    p = np.array([1.0, 1.0, 0.8, 1.0])
    G = np.array([[1.0, 1.0, 0.0, 0.0]])
    for n, d in ((17, 60), (60, 100)):
        sd = 2 * np.sqrt(2 / n)
        exact = 2 * chi2.ppf(0.025, n) / n
        gauss = abs(2 - Z95 * sd - exact) / sd
        err = [abs(_lower_point(p[None, None], p[None, None], G, n, d, Worlds(n, d, 0, 400, seed=s))[0, 0] - exact) / sd
               for s in range(6)]
        assert np.mean(err) < 0.5 * gauss, (n, err, gauss)


def test_lower_point_mean_and_variance_are_exact():
    """With the draws' skewness removed (a symmetric copy of the draws: ``(A, B)`` and ``(A, B)`` reflected
    about their mean), the point is the Gaussian one, ``G.p - z sd_p(G.p_hat)``, to rounding."""
    from ftheory.advise.bands import param_cov_rows

    class Sym:
        exact = True

    W = Worlds(30, 50, 0, 200, seed=1)
    S = Sym()
    S.A = np.concatenate([W.A, 2 * W.A.mean(0) - W.A])
    S.B = np.concatenate([W.B, 2 * W.B.mean(0) - W.B])
    S.draws = 400
    rng = np.random.default_rng(2)
    P = np.column_stack([rng.uniform(0.5, 2, 5), rng.uniform(0.1, 1, 5), rng.uniform(-0.3, 0.3, 5),
                         rng.uniform(0.5, 2, 5)])[:, None, :]
    G = rng.standard_normal((5, 4))
    low = _lower_point(P, P, G, 30, 50, S)[:, 0]
    ref = np.einsum("ki,ki->k", G, P[:, 0]) - Z95 * np.sqrt(np.einsum("ki,kij,kj->k", G, param_cov_rows(30, 50, P[:, 0]), G))
    scale = np.abs(ref).max() + np.abs(G).max() * np.abs(P).max()
    assert np.allclose(low, ref, rtol=0, atol=1e-9 * scale)


def test_cornish_fisher_region_follows_the_skewed_label_variance():
    """Band of the total label variance ``S_y ~ s_yy chi^2_n / n`` at n = 17 (upper bound ``n S_y /
    chi^2_{n, 0.025}``, 4.49 here): the Gaussian score region reaches 5.84 (30% above), the order statistic of
    400 draws 4.98 (11%); the Cornish-Fisher cut with the skewness of 12 800 draws must come within 5% (its
    truncation error, 0.017 sd, and the skewness noise, ~0.02 sd, are 1.4% of the bound; the other rays of
    the cloud add a little) and closer than both."""
    p = np.array([1.0, 1.0, 0.8, 1.0])
    n, d = 17, 60
    up = 2 * n / chi2.ppf(0.025, n)

    def hi(**kw):
        return score_region(p, n, d, **kw).band(lambda P: P[..., 0] + P[..., 1], linear=True)[2]
    h_cf = hi(skew_worlds=Worlds(n, d, 0, 12800, seed=1))
    h_os, h_g = hi(worlds=Worlds(n, d, 0, 400, seed=0)), hi()
    assert abs(h_cf - up) < 0.05 * up
    assert abs(h_cf - up) < abs(h_os - up) < abs(h_g - up)


def test_skew_worlds_ignored_off_the_isotropic_exact_path():
    """With unlabeled data, or draws from the normal law (above the bootstrap's size budget), the
    Cornish-Fisher cut is not used: the region is the Gaussian one."""
    p = np.array([1.0, 0.5, 0.4, 1.0])
    W = Worlds(30, 40, 0, 400, seed=0)
    assert np.array_equal(score_region(p, 30, 40, n_unlabeled=200, skew_worlds=W).raw,
                          score_region(p, 30, 40, n_unlabeled=200).raw)
    Wn = Worlds(30, 40, 0, 400, seed=0, budget=0)
    assert np.array_equal(score_region(p, 30, 40, skew_worlds=Wn).raw, score_region(p, 30, 40).raw)


def test_lower_point_skewness_is_that_of_the_draws():
    """The skewness through the third-moment tensor of the 16 entries equals the sample skewness of the
    draws ``G . p_hat*`` of :meth:`Worlds.draws_at` at the same task (float64 rounding of sums over 400
    draws: 1e-9 relative to the Gaussian term)."""
    from ftheory.advise.bands import param_cov_rows
    W = Worlds(12, 30, 0, 400, seed=3)
    rng = np.random.default_rng(4)
    P = np.column_stack([rng.uniform(0.5, 2, 6), rng.uniform(0.1, 1, 6), rng.uniform(-0.3, 0.3, 6),
                         rng.uniform(0.5, 2, 6)])
    G = rng.standard_normal((6, 4))
    low = _lower_point(P[:, None, :], P[:, None, :], G, 12, 30, W)[:, 0]
    for k in range(6):
        t = W.draws_at(P[k]) @ G[k]
        t = t - t.mean()
        g1 = np.mean(t ** 3) / np.mean(t ** 2) ** 1.5
        sd = np.sqrt(G[k] @ param_cov_rows(12, 30, P[k]) @ G[k])
        ref = G[k] @ P[k] + (-Z95 + (Z95 ** 2 - 1) / 6 * g1) * sd
        assert abs(low[k] - ref) < 1e-9 * (abs(G[k] @ P[k]) + Z95 * sd)


def test_skew_draws_within_the_bootstrap_budget():
    """The Cornish-Fisher draws: the cap at small sizes, ``6e7 / (n min(n, d))`` above (4 026 at n = 149,
    d = 100), none (the Gaussian cut) where fewer than 2 000 fit, ``n < 3`` or ``d < 3``, or the cap is 0."""
    from ftheory.advise.bands import skew_draws
    assert skew_draws(17, 60) == 12800 and skew_draws(17, 60, cap=3200) == 3200
    assert skew_draws(149, 100) == 6e7 // (149 * 100) == 4026
    assert skew_draws(1000, 1000) == 0 and skew_draws(2, 10) == 0 and skew_draws(30, 2) == 0
    assert skew_draws(17, 60, cap=0) == 0


def test_skew_moments_are_those_of_the_draws_and_cached():
    """``skew_moments`` is ``_feature_moments`` of exact Worlds of that size and seed (bit for bit), built
    once per process and shape; ``score_region(skew_draws=D)`` is the region of ``skew_worlds`` with those
    draws (seed ``SKEW_SEED`` = 0), and the Gaussian region with unlabeled data."""
    import math

    from ftheory.advise.bands import _feature_moments, skew_moments
    a = skew_moments(12, 30, 400, 3)
    assert skew_moments(12, 30, 400, 3) is a
    S, M3 = _feature_moments(Worlds(12, 30, 0, 400, 3, budget=math.inf))
    assert np.array_equal(a[0], S) and np.array_equal(a[1], M3)
    p = np.array([1.0, 0.6, 0.5, 1.2])
    ref = score_region(p, 17, 40, skew_worlds=Worlds(17, 40, 0, 800, 0, budget=math.inf))
    assert np.array_equal(score_region(p, 17, 40, skew_draws=800).raw, ref.raw)
    assert not np.array_equal(ref.raw, score_region(p, 17, 40).raw)
    assert np.array_equal(score_region(p, 17, 40, n_unlabeled=200, skew_draws=800).raw,
                          score_region(p, 17, 40, n_unlabeled=200).raw)


def test_report_region_switches_the_cut():
    """``report._region``: ``cf_draws=0`` is the order-statistic cut of the report's 400 bootstrap draws
    (n <= 100), ``cf_draws=D`` the Cornish-Fisher region of ``skew_draws(n, d, D)`` draws; both cached on
    the estimates, and ``predict`` passes ``cf_draws`` through (its bands contain their values)."""
    from ftheory.advise.bands import skew_draws
    from ftheory.advise.estimators import estimate_parameters, prepare
    from ftheory.advise.report import _region, predict
    from ftheory.advise.synthetic import make_task

    task = make_task(40, 0.6, 0.7, seed=5)
    X, y = task.sample(24, np.random.default_rng(6))
    prep = prepare(X, y, X @ task.beta_s, None)
    pe = estimate_parameters(prep)
    n, d = pe.n, pe.d
    r0, r1 = _region(pe, 0), _region(pe, 1600)
    assert _region(pe, 0) is r0 and _region(pe, 1600) is r1
    assert np.array_equal(r0.raw, score_region(pe.p, n, d, worlds=pe.worlds).raw)
    assert np.array_equal(r1.raw, score_region(pe.p, n, d, skew_draws=skew_draws(n, d, 1600)).raw)
    preds, transf, *_ = predict(prep, pe, [n], n, cf_draws=1600)
    for iv in list(preds.values()) + list(transf.values()):
        assert iv.low <= iv.value <= iv.high
    lo, hi = r1.band(lambda P: P[..., 0], linear=True)[1:]
    assert (lo, hi) != r0.band(lambda P: P[..., 0], linear=True)[1:]


def test_skew_moments_give_the_exact_skewness_of_the_label_variance():
    """The skewness that the cached moments give to ``S_y = tau^2_hat + sigma^2_hat`` (``s_yy chi^2_n / n``,
    skewness exactly ``sqrt(8 / n)``) within 4 standard errors of the sample skewness (delta method from
    the draws' own influence values; below 0.05 here, so a skewness off by 0.2 fails)."""
    import math

    from ftheory.advise.bands import _task_features, skew_moments
    p = np.array([1.0, 1.0, 0.8, 1.0])
    G = np.array([1.0, 1.0, 0.0, 0.0])
    for n, d, draws in ((17, 60, 12800), (59, 100, 3200)):
        S, M3 = skew_moments(n, d, draws, 0)
        x = _task_features(p[None], G[None])[0]
        g1 = np.einsum("ijk,i,j,k->", M3, x, x, x) / (x @ S @ x) ** 1.5
        t = Worlds(n, d, 0, draws, 0, budget=math.inf).draws_at(p) @ G
        t = t - t.mean()
        s2, m3 = np.mean(t ** 2), np.mean(t ** 3)
        infl = (t ** 3 - 3 * s2 * t - m3) / s2 ** 1.5 - 1.5 * (m3 / s2 ** 2.5) * (t ** 2 - s2)
        se = infl.std() / np.sqrt(draws)
        assert abs(g1 - m3 / s2 ** 1.5) < 1e-9 * (1 + abs(g1))  # the tensor is the draws' skewness
        assert se < 0.05 and abs(g1 - np.sqrt(8 / n)) < 4 * se, (n, g1, np.sqrt(8 / n), se)
