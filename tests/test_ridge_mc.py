"""Monte Carlo twin of the ridge baseline (THEORY.md §3.5): simulated ridge risks against theory.

References
----------
* **Exact finite-size mean** (any lam). Conditional on X, averaging over the teacher direction
  (uniform on the sphere, as the simulators draw it) and the noise gives exactly

      E[R | X] = ||beta_t||^2 lam^2/d tr(S + lam)^-2 + sigma^2/n tr S (S + lam)^-2,   S = X^T X / n,

  a function of the Wishart eigenvalues only. Its mean over X is computed here by an independent
  cheap route: eigenvalues of the Dumitriu-Edelman bidiagonal model (chi-distributed entries,
  O(d) to draw, O(d^2) for ``eigvalsh_tridiagonal``), averaged over many draws with its own
  standard error. At ``lam = lam* = sigma^2 d/(n ||beta_t||^2)`` the conditional risk collapses to
  ``(sigma^2/n) tr(S + lam*)^-1`` (§3.5 route: posterior covariance), checked draw by draw.
* **Asymptotic formula** (``scratch_ridge_risk``, ``scratch_risk_optimal_ridge``). For d >= 300
  the finite-size correction is O(1/d); measured here (test ``..._converges_...``) its coefficient
  ``d (E R_d - R_asym)`` is ~0.05, 0.18, 0.09 at (gamma, sigma, lam) = (0.5, 0.2, 0.1),
  (1, 0.2, 0.04), (1.5, 0.5, 0.2), the same at d = 100 and d = 400; the direct MC-vs-asymptotic
  tests therefore allow ``FINITE_SIZE_COEFF / d`` with ``FINITE_SIZE_COEFF = 1`` (5x the largest
  measured coefficient) on top of 5 standard errors.

Tolerances: 5 standard errors of the difference (MC and reference errors combined).
"""
import math

import numpy as np
import pytest
from scipy.linalg import eigvalsh_tridiagonal

import ftheory
from ftheory.simulate.linear import simulate_ridge_risk, simulate_tuned_ridge_risk

Z_MAX = 5.0
FINITE_SIZE_COEFF = 1.0
RIDGE = ftheory.get("scratch_ridge_risk")
R_STAR = ftheory.get("scratch_risk_optimal_ridge")


def _wishart_spectrum(n, d, rng):
    """The min(n, d) nonzero eigenvalues of X^T X for an n x d standard Gaussian X (bidiagonal model)."""
    m, N = min(n, d), max(n, d)
    a = np.sqrt(rng.chisquare(N - np.arange(m)))            # chi_N, chi_{N-1}, ..., chi_{N-m+1}
    b = np.sqrt(rng.chisquare(np.arange(m - 1, 0, -1)))     # chi_{m-1}, ..., chi_1
    diag = a ** 2
    diag[1:] += b ** 2
    return np.clip(eigvalsh_tridiagonal(diag, a[:-1] * b), 0.0, None)


def _conditional_risks(n, d, sigma, lam, norm_t=1.0, draws=400, seed=0):
    """E[R | X] (over teacher direction and noise) for ``draws`` independent spectra."""
    rng = np.random.default_rng(seed)
    out = np.empty(draws)
    for k in range(draws):
        ev = _wishart_spectrum(n, d, rng) / n
        zeros = d - ev.size                                   # null directions: shrunk fully, bias only
        bias = norm_t ** 2 * lam ** 2 / d * (np.sum((ev + lam) ** -2.0) + zeros / lam ** 2)
        var = sigma ** 2 / n * np.sum(ev / (ev + lam) ** 2)
        out[k] = bias + var
    return out


def _finite_size_mean(*args, **kwargs):
    v = _conditional_risks(*args, **kwargs)
    return float(v.mean()), float(v.std(ddof=1) / math.sqrt(v.size))


def _z(est, mean, se):
    return (est.mean - mean) / math.hypot(est.sem, se)


def test_bidiagonal_spectrum_has_the_wishart_moments():
    rng = np.random.default_rng(0)
    for n, d in [(40, 25), (25, 40)]:
        ev = np.array([_wishart_spectrum(n, d, rng) for _ in range(2000)])
        assert abs(ev.sum(1).mean() / (n * d) - 1) < 5 * ev.sum(1).std() / (n * d) / math.sqrt(2000)
        # E tr W^2 = p N (N + p + 1) for W ~ Wishart_p(N, I)
        p, N = min(n, d), max(n, d)
        sq = (ev ** 2).sum(1)
        assert abs(sq.mean() - p * N * (N + p + 1)) < 5 * sq.std() / math.sqrt(2000)


def test_bayes_identity_at_the_optimal_penalty():
    """At lam* the conditional ridge risk equals (sigma^2/n) tr(S + lam*)^-1 exactly (draw by draw)."""
    rng = np.random.default_rng(1)
    for n, d, sigma, norm_t in [(30, 50, 0.3, 1.0), (70, 40, 0.8, 1.7)]:
        lam_star = sigma ** 2 * d / (n * norm_t ** 2)
        ev = _wishart_spectrum(n, d, rng) / n
        zeros = d - ev.size
        bias = norm_t ** 2 * lam_star ** 2 / d * (np.sum((ev + lam_star) ** -2.0) + zeros / lam_star ** 2)
        var = sigma ** 2 / n * np.sum(ev / (ev + lam_star) ** 2)
        posterior = sigma ** 2 / n * (np.sum(1 / (ev + lam_star)) + zeros / lam_star)
        assert bias + var == pytest.approx(posterior, rel=1e-13)


@pytest.mark.parametrize("n,d,sigma,lam,norm_t", [
    (30, 60, 0.2, 0.1, 1.0),
    (60, 60, 0.2, 0.04, 1.0),     # gamma = 1: finite thanks to the penalty
    (90, 60, 0.5, 0.3, 1.5),
    (40, 80, 1.0, 2.0, 0.7),
    (100, 50, 0.0, 0.05, 1.0),    # noiseless: pure shrinkage bias
])
def test_ridge_mc_matches_exact_finite_size_mean(n, d, sigma, lam, norm_t):
    mean, se = _finite_size_mean(n, d, sigma, lam, norm_t, draws=600, seed=n + d)
    est = simulate_ridge_risk(n, d, sigma, lam, norm_t=norm_t, instances=400, seed=11)
    assert abs(_z(est, mean, se)) < Z_MAX, (est, mean, se)


def test_tuned_ridge_mc_matches_exact_optimal_risk_and_is_a_lower_bound():
    """Finite size: the lam* estimate matches (sigma^2/n) E tr(S + lam*)^-1, and no penalty beats it."""
    n, d, sigma = 50, 50, 0.2
    lam_star = sigma ** 2 * d / n
    grid = np.array([0.0, 0.01, lam_star, 0.1, 0.3, 1.0])
    res = simulate_tuned_ridge_risk(n, d, sigma, grid, instances=400, seed=5)
    mean, se = _finite_size_mean(n, d, sigma, lam_star, draws=1000, seed=9)
    star = res.estimates[2]
    assert abs(_z(star, mean, se)) < Z_MAX
    for lam, est in zip(grid[1:], res.estimates[1:]):  # lam = 0 at n = d has infinite mean
        assert est.mean > mean - Z_MAX * math.hypot(est.sem, se), (lam, est, mean)
    # common random numbers: the paired difference to lam* has a much smaller error, and is >= 0
    for j in (1, 3, 4, 5):
        diff = res.estimates[j].samples - star.samples
        assert diff.mean() > -Z_MAX * diff.std(ddof=1) / math.sqrt(diff.size)


def test_finite_size_mean_converges_to_the_asymptotic_formula():
    """The finite-size correction is O(1/d): c_d = d (E R_d - R_asym) is the same at d = 100 and 400
    (measured ~0.05, 0.18, 0.09 for the three cases) and well below FINITE_SIZE_COEFF."""
    cases = [(0.5, 0.2, 0.1), (1.0, 0.2, 0.04), (1.5, 0.5, 0.2)]
    for gamma, sigma, lam in cases:
        asym = float(RIDGE(gamma=gamma, sigma=sigma, lam=lam))
        coeff, coeff_se = [], []
        for d in (100, 400):  # gamma d is an integer: no rounding of n
            mean, se = _finite_size_mean(int(gamma * d), d, sigma, lam, draws=300, seed=d)
            coeff.append(d * (mean - asym))
            coeff_se.append(d * se)
            assert abs(coeff[-1]) - Z_MAX * coeff_se[-1] < 0.5 * FINITE_SIZE_COEFF, (gamma, d, mean, asym, se)
        # O(1/d): the coefficients agree up to O(1/d) (0.1 at d = 100) and their errors
        assert abs(coeff[1] - coeff[0]) < 0.1 + Z_MAX * math.hypot(*coeff_se), (gamma, coeff, coeff_se)


@pytest.mark.slow
@pytest.mark.parametrize("gamma,sigma,lam", [(0.5, 0.2, 0.1), (1.0, 0.2, 0.04), (1.5, 0.5, 0.2)])
def test_ridge_mc_against_asymptotic_formula_at_d_300(gamma, sigma, lam):
    d = 300
    n = int(gamma * d)
    est = simulate_ridge_risk(n, d, sigma, lam, instances=100, seed=21)
    asym = float(RIDGE(gamma=gamma, sigma=sigma, lam=lam))
    assert abs(est.mean - asym) < Z_MAX * est.sem + FINITE_SIZE_COEFF / d, (est, asym)


@pytest.mark.slow
def test_tuned_ridge_mc_against_worked_example_10():
    """gamma = 1, sigma = 0.2, d = 300: tuned-ridge baseline ~ R* = 0.1810 (THEORY.md §12 ex. 10)."""
    d = 300
    lam_star = float(ftheory.get("scratch_optimal_ridge")(gamma=1.0, sigma=0.2))
    res = simulate_tuned_ridge_risk(d, d, 0.2, [0.0, 0.01, lam_star, 0.1, 0.5], instances=100, seed=3)
    target = float(R_STAR(gamma=1.0, sigma=0.2))
    assert res.best_lam == pytest.approx(lam_star)
    assert abs(res.best.mean - target) < Z_MAX * res.best.sem + FINITE_SIZE_COEFF / d
    assert res.means[0] > 3 * target  # the unregularised baseline sits on the interpolation peak
