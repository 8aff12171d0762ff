"""Anisotropic path: the score region behind the probe's band (ftheory.advise.report._region) is cut by the exact
law of the bootstrap draws, which carry the unlabeled rows behind Sigma_hat."""
import numpy as np
from scipy.stats import chi2, norm

from ftheory.advise.bands import score_region
from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.report import _region
from ftheory.advise.synthetic import make_task


def _estimates(n, d=20, seed=3):
    task = make_task(d, 0.7, 0.5, eigenvalues=1.0 / np.arange(1, d + 1), seed=seed)
    rng = np.random.default_rng(seed + 1)
    X, y = task.sample(n, rng)
    U = task.sample(20 * d, rng)[0]
    return estimate_parameters(prepare(X, y, X @ task.beta_s, U))


def test_unlabeled_region_is_the_exact_cut_of_the_draws():
    """With unlabeled rows and n <= 399 the region is the exact cut by the report's own 1 600 draws (bit for bit,
    cached on the estimates), not the Gaussian cut; the label variance ``S_y ~ s_yy chi^2_n / n`` (a plain
    moment, whatever Sigma) gets an upper end at the exact chi^2 bound within the Monte Carlo error of the draws'
    2.5% point (3 standard errors), while the Gaussian cut's lies far above it."""
    pe = _estimates(17)
    assert pe.n_unlabeled and pe.worlds.exact and pe.worlds.draws == 1600
    reg = _region(pe)
    assert _region(pe) is reg
    assert np.array_equal(reg.raw, score_region(pe.p, pe.n, pe.d, pe.n_unlabeled, worlds=pe.worlds).raw)
    gauss = score_region(pe.p, pe.n, pe.d, pe.n_unlabeled)
    assert not np.array_equal(reg.raw, gauss.raw)

    def total(P):
        return P[..., 0] + P[..., 1]
    n, S = pe.n, float(pe.p[0] + pe.p[1])
    up = S * n / chi2.ppf(0.025, n)
    # the 2.5% point q of chi^2_n / n from 1 600 draws: se sqrt(a (1 - a) / draws) / density; up = S / q
    q = chi2.ppf(0.025, n) / n
    se_q = np.sqrt(0.025 * 0.975 / 1600) / (n * chi2.pdf(q * n, n))
    tol = 3 * up * se_q / q
    hi = reg.band(total, linear=True)[2]
    ghi = gauss.band(total, linear=True)[2]
    assert abs(hi - up) < tol
    assert ghi - up > tol
    assert S / (1 - norm.ppf(0.975) * np.sqrt(2 / n)) > up        # why: the Gaussian bound on s_yy is too high


def test_unlabeled_region_keeps_the_gaussian_cut_beyond_the_draws_resolution():
    """Above n = 399 (1 600 draws) the Monte Carlo error of the order statistic exceeds the Gaussian law's error:
    the Gaussian cut with the unlabeled covariance is kept."""
    pe = _estimates(420, d=10)
    reg = _region(pe)
    assert np.array_equal(reg.raw, score_region(pe.p, pe.n, pe.d, pe.n_unlabeled).raw)
