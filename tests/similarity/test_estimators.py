"""Tests of ftheory.similarity.estimators against closed forms on Gaussian data (THEORY.md §9).

Monte Carlo checks repeat an estimator over independent samples, estimate the standard error of
the mean from the repeats and require |z| < 4.5 against the exact expectation. Where the estimator
is biased at finite n, the configuration is chosen so that the bias (measured once with many more
repeats, numbers quoted at each test) is far below the standard error of the test.
"""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate
from scipy.special import gamma as gamma_fn
from scipy.stats import norm

from ftheory.simulate.estimate import MCEstimate
from ftheory.similarity.estimators import (
    kl_divergence_knn,
    median_heuristic_bandwidth,
    mmd2,
    sliced_wasserstein1,
    wasserstein1_exact,
)

Z_MAX = 4.5


def _zscore(values, expected):
    est = MCEstimate(samples=np.asarray(values))
    return est.zscore(expected), est


# ------------------------------------------------------------------------------------------------
# closed forms
# ------------------------------------------------------------------------------------------------
def w1_gauss_1d(m1, s1, m2, s2):
    """W1(N(m1, s1^2), N(m2, s2^2)) = E|a + b Z| with a = m2 - m1, b = s2 - s1.

    The monotone (quantile) coupling is optimal in 1-D: W1 = int_0^1 |F^-1 - G^-1| dt and
    F^-1(Phi(z)) = m1 + s1 z, so W1 = E|(m2 - m1) + (s2 - s1) Z| = |b| sqrt(2/pi) e^{-a^2/2b^2}
    + a (1 - 2 Phi(-a/|b|)).
    """
    a, b = m2 - m1, abs(s2 - s1)
    if b == 0:
        return abs(a)
    return b * math.sqrt(2 / math.pi) * math.exp(-a * a / (2 * b * b)) + a * (1 - 2 * norm.cdf(-a / b))


def w1_gauss_1d_quadrature(m1, s1, m2, s2):
    """The same W1 as the integral of |F^-1(t) - G^-1(t)| over t in (0, 1), by quadrature."""
    f = lambda t: abs(norm.ppf(t, m1, s1) - norm.ppf(t, m2, s2))  # noqa: E731
    pts = []
    if s1 != s2:  # the quantile functions cross where m1 + s1 z = m2 + s2 z
        pts = [norm.cdf((m2 - m1) / (s1 - s2))]
    val, _ = integrate.quad(f, 0, 1, points=pts or None, limit=200, epsabs=1e-11)
    return val


def sliced_shift(norm_delta, p):
    """SW1 of a pure shift delta in R^p: |delta| E|u_1| = |delta| Gamma(p/2) / (sqrt(pi) Gamma((p+1)/2))."""
    return norm_delta * gamma_fn(p / 2) / (math.sqrt(math.pi) * gamma_fn((p + 1) / 2))


def gaussian_kernel_mean(a, v, h, p):
    """E exp(-||a + sqrt(v) Z||^2 / (2 h^2)), Z ~ N(0, I_p), a in R^p given by ||a||^2.

    Per coordinate, completing the square in int exp(-z^2/2 - (a + sqrt(v) z)^2/(2h^2)) dz/sqrt(2 pi)
    gives sqrt(h^2/(h^2+v)) exp(-a^2/(2(h^2+v))); coordinates are independent.
    """
    return (h * h / (h * h + v)) ** (p / 2) * math.exp(-a / (2 * (h * h + v)))


def mmd2_gauss(m1, s1, m2, s2, h):
    """MMD^2 with kernel exp(-||.||^2/(2h^2)) between N(m1, s1^2 I_p) and N(m2, s2^2 I_p).

    x - x' ~ N(0, 2 s1^2 I), y - y' ~ N(0, 2 s2^2 I), x - y ~ N(m1 - m2, (s1^2 + s2^2) I), so
    MMD^2 = K(0, 2 s1^2) + K(0, 2 s2^2) - 2 K(m1 - m2, s1^2 + s2^2) with K = gaussian_kernel_mean.
    Returns (MMD^2, Kxx, Kyy, Kxy).
    """
    m1, m2 = np.asarray(m1, float), np.asarray(m2, float)
    p = m1.size
    kxx = gaussian_kernel_mean(0.0, 2 * s1 ** 2, h, p)
    kyy = gaussian_kernel_mean(0.0, 2 * s2 ** 2, h, p)
    kxy = gaussian_kernel_mean(float(np.sum((m1 - m2) ** 2)), s1 ** 2 + s2 ** 2, h, p)
    return kxx + kyy - 2 * kxy, kxx, kyy, kxy


def kl_gauss(m1, S1, m2, S2):
    """KL(N(m1, S1) || N(m2, S2)) = (tr(S2^-1 S1) + dm' S2^-1 dm - p + log det S2 / det S1) / 2."""
    m1, m2, S1, S2 = map(np.atleast_1d, (m1, m2, S1, S2))
    S1, S2 = np.atleast_2d(S1), np.atleast_2d(S2)
    S2i = np.linalg.inv(S2)
    dm = m2 - m1
    return 0.5 * (np.trace(S2i @ S1) + dm @ S2i @ dm - m1.size
                  + np.log(np.linalg.det(S2) / np.linalg.det(S1)))


# ------------------------------------------------------------------------------------------------
# checks of the closed forms themselves (independent routes)
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("m1,s1,m2,s2", [(0, 1, 1, 1), (0, 1, 0.5, 2), (0, 1, 0, 1.5), (1, 0.5, -1, 2)])
def test_w1_gauss_closed_form_matches_quadrature(m1, s1, m2, s2):
    assert w1_gauss_1d(m1, s1, m2, s2) == pytest.approx(w1_gauss_1d_quadrature(m1, s1, m2, s2),
                                                        rel=1e-7, abs=1e-9)


@pytest.mark.parametrize("a,v,h", [(0.0, 2.0, 1.0), (1.3, 0.7, 0.8), (4.0, 3.0, 2.5)])
def test_gaussian_kernel_mean_matches_quadrature(a, v, h):
    f = lambda z: math.exp(-(a + math.sqrt(v) * z) ** 2 / (2 * h * h)) * norm.pdf(z)  # noqa: E731
    val, _ = integrate.quad(f, -np.inf, np.inf, epsabs=1e-13)
    assert gaussian_kernel_mean(a * a, v, h, 1) == pytest.approx(val, rel=1e-9)


# ------------------------------------------------------------------------------------------------
# Wasserstein-1: Monte Carlo against closed forms
# ------------------------------------------------------------------------------------------------
# Bias of the empirical W1 between two independent samples of size n (measured with 2000 repeats):
# (0,1) vs (1,1): |bias| < 2e-3 for n = 200..5000; (0,1) vs (0.5,2): +1.0e-2 at n = 200, +1.1e-3
# at n = 1000; (0,1) vs (0,1.5): +1.8e-2 at n = 200, +3.9e-3 at n = 1000 (bias ~ 1/n: the quantile
# functions cross). Single-estimate standard deviations: 0.10 (n = 200), 0.035-0.047 (n = 1000).
@pytest.mark.parametrize("m1,s1,m2,s2", [(0, 1, 1, 1), (0, 1, 0.5, 2), (0, 1, 0, 1.5)])
def test_w1_exact_1d_gaussians_sorted(m1, s1, m2, s2):
    rng = np.random.default_rng(10)
    vals = [wasserstein1_exact(rng.normal(m1, s1, (1000, 1)), rng.normal(m2, s2, (1200, 1)))
            for _ in range(25)]
    z, est = _zscore(vals, w1_gauss_1d(m1, s1, m2, s2))
    assert abs(z) < Z_MAX, est


@pytest.mark.parametrize("m1,s1,m2,s2", [(0, 1, 1, 1), (0, 1, 0.5, 2)])
def test_w1_exact_1d_gaussians_assignment(m1, s1, m2, s2):
    # assignment solver on 1-D data (n = 300: bias < 1e-2, s.e. of the test about 0.02)
    rng = np.random.default_rng(11)
    vals = [wasserstein1_exact(rng.normal(m1, s1, (300, 1)), rng.normal(m2, s2, (300, 1)),
                               method="assignment") for _ in range(16)]
    z, est = _zscore(vals, w1_gauss_1d(m1, s1, m2, s2))
    assert abs(z) < Z_MAX, est


@pytest.mark.parametrize("m1,s1,m2,s2", [(0, 1, 1, 1), (0, 1, 0.5, 2)])
def test_sliced_w1_1d_gaussians(m1, s1, m2, s2):
    # in 1-D every direction is +-1, so each slice is the exact 1-D distance
    rng = np.random.default_rng(12)
    vals = [sliced_wasserstein1(rng.normal(m1, s1, (1000, 1)), rng.normal(m2, s2, (800, 1)),
                                n_projections=5, seed=rng).mean for _ in range(25)]
    z, est = _zscore(vals, w1_gauss_1d(m1, s1, m2, s2))
    assert abs(z) < Z_MAX, est


@pytest.mark.parametrize("p", [2, 3, 7])
def test_sliced_w1_pure_shift_same_sample(p):
    # Y = X + delta exactly: each slice equals |u . delta|, so only the direction sampling varies and
    # the estimator's own standard error is the right yardstick (tests uniformity of directions).
    rng = np.random.default_rng(13)
    X = rng.standard_normal((60, p))
    delta = rng.standard_normal(p)
    est = sliced_wasserstein1(X, X + delta, n_projections=4000, seed=1)
    assert est.instances == 4000 and est.info["dim"] == p
    assert abs(est.zscore(sliced_shift(np.linalg.norm(delta), p))) < Z_MAX, est


@pytest.mark.parametrize("p", [2, 3])
def test_sliced_w1_pure_shift_independent_samples(p):
    # independent samples: measured bias at n = 2000 is |bias| < 3e-3 (s.d. of one estimate 0.04-0.05)
    rng = np.random.default_rng(14)
    delta = np.zeros(p)
    delta[0] = 2.0
    vals = [sliced_wasserstein1(rng.standard_normal((2000, p)), rng.standard_normal((1500, p)) + delta,
                                n_projections=100, seed=rng).mean for _ in range(12)]
    z, est = _zscore(vals, sliced_shift(2.0, p))
    assert abs(z) < Z_MAX, est


# ------------------------------------------------------------------------------------------------
# MMD: the U-statistic is exactly unbiased, the V-statistic has a known expectation
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("m1,s1,m2,s2,h", [
    ([0, 0, 0], 1.0, [0.5, 0, 0], 1.0, 1.5),
    ([0, 0], 1.0, [0, 0], 1.6, 1.0),
    ([0, 0, 0, 0, 0], 0.8, [0.3, -0.3, 0, 0, 0.2], 1.2, 3.0),
])
def test_mmd2_gaussians(m1, s1, m2, s2, h):
    rng = np.random.default_rng(15)
    n, m, p = 150, 120, len(m1)
    exact, kxx, kyy, kxy = mmd2_gauss(m1, s1, m2, s2, h)
    # V-statistic: the diagonal k(x, x) = 1 enters with weight 1/n
    exact_biased = kxx + (1 - kxx) / n + kyy + (1 - kyy) / m - 2 * kxy
    u_vals, v_vals = [], []
    for _ in range(40):
        X = m1 + s1 * rng.standard_normal((n, p))
        Y = m2 + s2 * rng.standard_normal((m, p))
        u_vals.append(mmd2(X, Y, bandwidth=h))
        v_vals.append(mmd2(X, Y, bandwidth=h, unbiased=False))
    z, est = _zscore(u_vals, exact)
    assert abs(z) < Z_MAX, (est, exact)
    z, est = _zscore(v_vals, exact_biased)
    assert abs(z) < Z_MAX, (est, exact_biased)
    assert exact > 0


def test_mmd2_median_heuristic_value():
    # median distance between two independent N(0, I_p) points: sqrt(2) * median of chi_p
    rng = np.random.default_rng(16)
    p = 4
    X, Y = rng.standard_normal((600, p)), rng.standard_normal((600, p))
    h = median_heuristic_bandwidth(X, Y)
    from scipy.stats import chi
    assert h == pytest.approx(math.sqrt(2) * chi.median(p), rel=0.03)
    assert mmd2(X, Y) == mmd2(X, Y, bandwidth=h)


def test_mmd2_chunking_matches_full_gram():
    rng = np.random.default_rng(17)
    X, Y = rng.standard_normal((37, 3)), rng.standard_normal((23, 3)) + 0.4
    h = 1.3
    Z = np.vstack([X, Y])
    K = np.exp(-((Z[:, None, :] - Z[None, :, :]) ** 2).sum(-1) / (2 * h * h))
    w = np.concatenate([np.full(37, 1 / 37), np.full(23, -1 / 23)])
    for chunk in (1, 50, 10 ** 6):
        assert mmd2(X, Y, bandwidth=h, unbiased=False, chunk_size=chunk) == pytest.approx(w @ K @ w, rel=1e-10)
    Kxx, Kyy, Kxy = K[:37, :37], K[37:, 37:], K[:37, 37:]
    u = ((Kxx.sum() - 37) / (37 * 36) + (Kyy.sum() - 23) / (23 * 22) - 2 * Kxy.mean())
    assert mmd2(X, Y, bandwidth=h, chunk_size=7) == pytest.approx(u, rel=1e-10)


# ------------------------------------------------------------------------------------------------
# KL: k-NN estimator
# ------------------------------------------------------------------------------------------------
def test_kl_knn_exactly_unbiased_for_equal_laws():
    # P = Q and m = n - 1: rho_k(i) and nu_k(i) are both k-th neighbour distances from x_i among
    # n - 1 independent draws of P, so E log(nu/rho) = 0 and log(m/(n-1)) = 0: the mean is exactly 0.
    rng = np.random.default_rng(18)
    for k, p in [(1, 3), (4, 2)]:
        vals = [kl_divergence_knn(rng.standard_normal((300, p)), rng.standard_normal((299, p)), k=k)
                for _ in range(40)]
        z, est = _zscore(vals, 0.0)
        assert abs(z) < Z_MAX, (k, p, est)


# Measured bias with k = 1 (200 repeats unless stated): 1-D, n = m = 1000: -0.005 +- 0.006 and
# -0.003 +- 0.005; 1-D, n = 1000, m = 400: -0.010 +- 0.007; 2-D, n = m = 4000: -0.011 +- 0.003 and
# +0.001 +- 0.002; 2-D, n = 4000, m = 1500: +0.002 +- 0.005 (60 repeats). S.d. of one estimate
# 0.07-0.10 (1-D) and 0.035-0.045 (2-D), so the s.e. of these tests is >= 0.011. Unequal sizes
# exercise the log(m / (n - 1)) term.
@pytest.mark.parametrize("m1,S1,m2,S2,n,m", [
    ([0.0], [[1.0]], [1.0], [[1.0]], 1000, 1000),
    ([0.0], [[1.0]], [0.5], [[4.0]], 1000, 1000),
    ([0.0], [[1.0]], [1.0], [[1.0]], 1000, 400),
    ([0.0, 0.0], np.eye(2), [1.0, 0.0], np.eye(2), 4000, 4000),
    ([0.0, 0.0], np.diag([1.0, 0.5]), [0.5, 0.0], [[1.5, 0.3], [0.3, 1.0]], 4000, 4000),
    ([0.0, 0.0], np.eye(2), [0.5, 0.0], 1.69 * np.eye(2), 4000, 1500),
])
def test_kl_knn_gaussians(m1, S1, m2, S2, n, m):
    rng = np.random.default_rng(19)
    reps = 25 if n <= 1000 else 12
    vals = [kl_divergence_knn(rng.multivariate_normal(m1, S1, n), rng.multivariate_normal(m2, S2, m))
            for _ in range(reps)]
    exact = kl_gauss(np.array(m1), np.array(S1), np.array(m2), np.array(S2))
    z, est = _zscore(vals, exact)
    assert abs(z) < Z_MAX, (est, exact)


def test_kl_knn_duplicates():
    rng = np.random.default_rng(20)
    X = rng.standard_normal((400, 2))
    Y = rng.standard_normal((400, 2)) + [1.0, 0.0]
    base = kl_divergence_knn(X, Y, k=2)
    # a few repeated rows (in X, and a row of X copied into Y) keep the estimate finite and close
    Xd = np.vstack([X, X[:4]])
    Yd = np.vstack([Y, X[5:7]])
    for A, B in [(Xd, Y), (X, Yd), (Xd, Yd)]:
        v = kl_divergence_knn(A, B, k=2)
        assert math.isfinite(v) and abs(v - base) < 0.1
    with pytest.raises(ValueError, match="duplicate"):
        kl_divergence_knn(np.zeros((5, 2)), Y, k=1)
    with pytest.raises(ValueError, match="copies"):
        kl_divergence_knn(X[:3], np.repeat(X[:1], 4, axis=0), k=1)


# ------------------------------------------------------------------------------------------------
# properties (Hypothesis)
# ------------------------------------------------------------------------------------------------
def _sample(draw, n, p, integer):
    if integer:  # small integer coordinates: many ties and coincident points
        vals = draw(st.lists(st.integers(-3, 3), min_size=n * p, max_size=n * p))
        return np.array(vals, float).reshape(n, p)
    seed = draw(st.integers(0, 2 ** 32 - 1))
    return np.random.default_rng(seed).standard_normal((n, p)) * draw(st.floats(0.1, 10.0))


@st.composite
def samples(draw, count=2, max_n=7, max_p=3, equal=False):
    p = draw(st.integers(1, max_p))
    integer = draw(st.booleans())
    sizes = [draw(st.integers(1, max_n))] * count if equal else [draw(st.integers(1, max_n)) for _ in range(count)]
    return [_sample(draw, n, p, integer) for n in sizes]


METRICS = st.sampled_from(["euclidean", "l1"])


@settings(max_examples=60)
@given(samples(), METRICS)
def test_w1_symmetric_and_methods_agree(XY, metric):
    X, Y = XY
    w = wasserstein1_exact(X, Y, metric=metric)
    assert w >= 0
    assert wasserstein1_exact(Y, X, metric=metric) == pytest.approx(w, rel=1e-9, abs=1e-9)
    assert wasserstein1_exact(X, Y, metric=metric, method="lp") == pytest.approx(w, rel=1e-7, abs=1e-9)
    assert wasserstein1_exact(X, Y, metric=metric, method="assignment") == pytest.approx(w, rel=1e-9, abs=1e-12)
    if X.shape[1] == 1:
        assert wasserstein1_exact(X, Y, method="sorted") == pytest.approx(w, rel=1e-9, abs=1e-12)


@settings(max_examples=40)
@given(samples(count=1, max_n=9), METRICS, st.integers(0, 10 ** 6))
def test_w1_zero_for_identical_and_permuted(X, metric, seed):
    (X,) = X
    assert wasserstein1_exact(X, X, metric=metric) == 0.0
    perm = np.random.default_rng(seed).permutation(X.shape[0])
    assert wasserstein1_exact(X, X[perm], metric=metric) == pytest.approx(0.0, abs=1e-12)


@settings(max_examples=60)
@given(samples(count=3, max_n=6), METRICS)
def test_w1_triangle_inequality(XYZ, metric):
    X, Y, Z = XYZ
    w = lambda A, B: wasserstein1_exact(A, B, metric=metric)  # noqa: E731
    assert w(X, Z) <= w(X, Y) + w(Y, Z) + 1e-9


@settings(max_examples=40)
@given(samples(max_n=8), st.lists(st.floats(-5, 5), min_size=3, max_size=3))
def test_w1_translation(XY, shift):
    X, Y = XY
    c = np.array(shift[: X.shape[1]])
    # common translation leaves W1 unchanged; a pure shift of one sample costs exactly ||c||
    # (the identity coupling attains the lower bound |E[(y - x) . e]| of the 1-Lipschitz map x . e)
    assert wasserstein1_exact(X + c, Y + c) == pytest.approx(wasserstein1_exact(X, Y), rel=1e-9, abs=1e-9)
    assert wasserstein1_exact(X, X + c) == pytest.approx(np.linalg.norm(c), rel=1e-9, abs=1e-9)
    assert wasserstein1_exact(X, X + c, metric="l1") == pytest.approx(np.abs(c).sum(), rel=1e-9, abs=1e-9)
    if X.shape[1] == 1:  # 1-D: W1(X, Y + c) -> |mean(Y) + c - mean(X)| once the supports separate
        far = X.max() - Y.min() + abs(c[0]) + 1.0
        assert wasserstein1_exact(X, Y + far) == pytest.approx(Y.mean() + far - X.mean(), rel=1e-9)


@settings(max_examples=40)
@given(samples(max_n=8), st.integers(0, 10 ** 6))
def test_sliced_bounded_by_exact_and_exact_in_1d(XY, seed):
    X, Y = XY
    est = sliced_wasserstein1(X, Y, n_projections=30, seed=seed)
    w = wasserstein1_exact(X, Y)
    assert np.all(est.samples <= w + 1e-9)  # projections are 1-Lipschitz
    if X.shape[1] == 1:
        np.testing.assert_allclose(est.samples, w, rtol=1e-9, atol=1e-12)


@settings(max_examples=40)
@given(samples(max_n=8), st.floats(0.05, 20.0))
def test_mmd2_properties(XY, h):
    X, Y = XY
    biased = mmd2(X, Y, bandwidth=h, unbiased=False)
    assert biased >= -1e-12  # squared RKHS norm (up to rounding)
    assert mmd2(Y, X, bandwidth=h, unbiased=False) == pytest.approx(biased, rel=1e-9, abs=1e-12)
    assert mmd2(X, X, bandwidth=h, unbiased=False) == pytest.approx(0.0, abs=1e-12)
    if min(X.shape[0], Y.shape[0]) >= 2:
        u = mmd2(X, Y, bandwidth=h)
        assert mmd2(Y, X, bandwidth=h) == pytest.approx(u, rel=1e-9, abs=1e-12)


@settings(max_examples=30)
@given(st.integers(0, 10 ** 6), st.integers(1, 3), st.integers(1, 4), st.floats(0.1, 10.0))
def test_kl_knn_affine_invariance(seed, p, k, scale):
    # distances all scale by |a| under x -> a R x + b, so the log-ratios are unchanged
    rng = np.random.default_rng(seed)
    X, Y = rng.standard_normal((30, p)), rng.standard_normal((25, p)) * 1.5
    R, _ = np.linalg.qr(rng.standard_normal((p, p)))
    b = rng.standard_normal(p)
    v = kl_divergence_knn(X, Y, k=k)
    assert kl_divergence_knn(scale * X @ R + b, scale * Y @ R + b, k=k) == pytest.approx(v, rel=1e-8, abs=1e-8)


# ------------------------------------------------------------------------------------------------
# input validation
# ------------------------------------------------------------------------------------------------
GOOD = np.zeros((4, 2))


@pytest.mark.parametrize("func", [wasserstein1_exact, sliced_wasserstein1, mmd2, kl_divergence_knn])
@pytest.mark.parametrize("X,Y,match", [
    (np.zeros(4), GOOD, "X must be a 2-D array.*reshape"),
    (GOOD, np.zeros((2, 2, 2)), "Y must be a 2-D array"),
    (np.zeros((0, 2)), GOOD, "X has 0 rows"),
    (GOOD, np.zeros((4, 3)), "same dimension"),
    (np.array([[0.0, np.nan]] * 4), GOOD, "X contains 4 non-finite"),
    (GOOD, np.array([[np.inf, 0.0]] * 4), "Y contains 4 non-finite"),
    ([["a", "b"]], GOOD, "X must be a 2-D numeric array"),
    ("abc", GOOD, "X must be a 2-D numeric array"),
])
def test_bad_samples(func, X, Y, match):
    with pytest.raises(ValueError, match=match):
        func(X, Y)


def test_bad_parameters():
    X = np.arange(6.0).reshape(3, 2)
    for metric in ("sqeuclidean", "cosine", 2):
        with pytest.raises(ValueError, match="metric="):
            wasserstein1_exact(X, X, metric=metric)
    with pytest.raises(ValueError, match="not a metric"):
        wasserstein1_exact(X, X, metric="sqeuclidean")
    with pytest.raises(ValueError, match="method="):
        wasserstein1_exact(X, X, method="sinkhorn")
    with pytest.raises(ValueError, match="method='sorted' needs one-dimensional"):
        wasserstein1_exact(X, X, method="sorted")
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="n_projections="):
            sliced_wasserstein1(X, X, n_projections=bad)
        with pytest.raises(ValueError, match="k="):
            kl_divergence_knn(X, X, k=bad)
    with pytest.raises(ValueError, match="seed="):
        sliced_wasserstein1(X, X, seed=-1)
    for bad in (0.0, -1.0, math.inf, math.nan, "1", True):
        with pytest.raises(ValueError, match="bandwidth="):
            mmd2(X, X, bandwidth=bad)
    with pytest.raises(ValueError, match="unbiased="):
        mmd2(X, X, bandwidth=1.0, unbiased="yes")
    with pytest.raises(ValueError, match="X has 1 rows: at least 2"):
        mmd2(X[:1], X, bandwidth=1.0)  # the U-statistic needs two points per sample
    assert mmd2(X[:1], X, bandwidth=1.0, unbiased=False) > 0
    with pytest.raises(ValueError, match="X has 3 rows: at least 4"):
        kl_divergence_knn(X, X, k=3)
    with pytest.raises(ValueError, match="chunk_size="):
        mmd2(X, X, bandwidth=1.0, chunk_size=0)


def test_size_limits():
    rng = np.random.default_rng(21)
    X, Y = rng.standard_normal((30, 2)), rng.standard_normal((31, 2))
    with pytest.raises(ValueError, match="sliced_wasserstein1"):
        wasserstein1_exact(X, Y, max_pairs=100)
    with pytest.raises(ValueError, match="lcm"):
        wasserstein1_exact(X, Y, method="assignment", max_pairs=900)
    with pytest.raises(ValueError, match="linear program"):
        wasserstein1_exact(X, Y, method="lp", max_pairs=900)
    with pytest.raises(ValueError, match="max_pairs="):
        wasserstein1_exact(X, Y, max_pairs=0)
    # unequal sizes with a small lcm go to the (exact) replicated assignment, others to the LP
    a = wasserstein1_exact(X, Y)  # lcm = 930 -> assignment on 930 x 930
    assert a == pytest.approx(wasserstein1_exact(X, Y, method="lp"), rel=1e-7)
    # a 1-D problem of any size is solved by sorting
    big = rng.standard_normal((20000, 1))
    assert wasserstein1_exact(big, big + 0.25) == pytest.approx(0.25, rel=1e-12)
