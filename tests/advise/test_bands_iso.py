"""Isotropic prediction bands: the Cornish-Fisher cut of the score region's rays (ftheory.advise.bands)."""
import numpy as np
from scipy.stats import chi2

from ftheory.advise.bands import Z95, _lower_point, exact_cut, score_region
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
