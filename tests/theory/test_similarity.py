"""Distances between the task laws (THEORY.md §9): closed forms against independent routes."""
import math
import warnings

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st

import ftheory
from ftheory.similarity.tasks import sample_task, task_teachers

ANGLES = st.floats(0.0, math.pi)
NOISE = st.floats(0.0, 1.5)
NORMS = st.floats(0.1, 2.0)


def _cov(beta, s):
    d = beta.size
    c = np.eye(d + 1)
    c[:d, d] = c[d, :d] = beta
    c[d, d] = beta @ beta + s * s
    return c


def _w2_direct(theta, sigma, sigma_s, norm_s, norm_t, d=4):
    """W2 between the Gaussian joint laws by the matrix formula in d + 1 dimensions."""
    beta_s, beta_t = task_teachers(theta, d, norm_s, norm_t)
    a, b = _cov(beta_s, sigma_s), _cov(beta_t, sigma)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        root = scipy.linalg.sqrtm(a)
        cross = scipy.linalg.sqrtm(root @ b @ root)
    return math.sqrt(max(np.trace(a) + np.trace(b) - 2 * np.trace(cross).real, 0.0))


def test_kl_unit_teachers_is_the_papers_formula():
    theta = np.linspace(0, math.pi, 9)
    kl = ftheory.get("kl_divergence_task")(theta=theta, sigma=0.2)
    np.testing.assert_allclose(kl, (1 - np.cos(theta)) / 0.04, rtol=1e-13, atol=1e-13)
    assert kl[-1] == pytest.approx(2 / 0.04)


@settings(max_examples=40)
@given(theta=ANGLES, sigma=st.floats(0.05, 1.5), sigma_s=st.floats(0.05, 1.5), norm_s=NORMS, norm_t=NORMS)
def test_kl_directions_and_equal_noise(theta, sigma, sigma_s, norm_s, norm_t):
    args = dict(theta=theta, norm_s=norm_s, norm_t=norm_t)
    fwd = ftheory.get("kl_source_target")(sigma=sigma, sigma_s=sigma_s, **args)
    # exchanging the two noise levels turns one direction into the other (gap is symmetric)
    rev = ftheory.get("kl_target_source")(sigma=sigma_s, sigma_s=sigma, **args)
    assert fwd == pytest.approx(float(rev), rel=1e-12, abs=1e-14)
    eq = ftheory.get("kl_source_target")(sigma=sigma, sigma_s=sigma, **args)
    assert eq == pytest.approx(float(ftheory.get("kl_divergence_task")(sigma=sigma, **args)), rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("theta,sigma,sigma_s,norm_s,norm_t",
                         [(math.pi / 3, 0.5, 0.8, 1.0, 1.0), (2.0, 1.0, 0.6, 1.5, 0.7)])
def test_kl_matches_monte_carlo_log_likelihood_ratio(theta, sigma, sigma_s, norm_s, norm_t):
    """KL(p_s || p_t) = E_{p_s}[log p_s - log p_t]: sample mean within 5 standard errors."""
    beta_s, beta_t = task_teachers(theta, 3, norm_s, norm_t)
    xy = sample_task(beta_s, sigma_s, 200_000, seed=3)
    x, y = xy[:, :-1], xy[:, -1]

    def logpdf(mean, s):
        return -0.5 * ((y - mean) / s) ** 2 - math.log(s)

    llr = logpdf(x @ beta_s, sigma_s) - logpdf(x @ beta_t, sigma)
    z = (llr.mean() - ftheory.get("kl_source_target")(theta=theta, sigma=sigma, sigma_s=sigma_s,
                                                        norm_s=norm_s, norm_t=norm_t)) / (llr.std() / math.sqrt(llr.size))
    assert abs(z) < 5


def test_kl_singular_noise():
    kl = ftheory.get("kl_divergence_task")
    assert kl(theta=0.0, sigma=0.0) == 0.0
    assert kl(theta=0.5, sigma=0.0) == math.inf
    assert ftheory.get("kl_source_target")(theta=0.0, sigma=0.3, sigma_s=0.0) == math.inf


@settings(max_examples=40)
@given(theta=ANGLES, sigma=NOISE, sigma_s=NOISE, norm_s=NORMS, norm_t=NORMS)
def test_wasserstein2_matches_matrix_formula(theta, sigma, sigma_s, norm_s, norm_t):
    w2 = float(ftheory.get("wasserstein2_task")(theta=theta, sigma=sigma, sigma_s=sigma_s, norm_s=norm_s,
                                                 norm_t=norm_t))
    assert w2 == pytest.approx(_w2_direct(theta, sigma, sigma_s, norm_s, norm_t), rel=1e-6, abs=2e-7)


@settings(max_examples=40)
@given(theta=ANGLES, sigma=NOISE, sigma_s=NOISE, norm_s=NORMS, norm_t=NORMS)
def test_distance_bounds_are_ordered(theta, sigma, sigma_s, norm_s, norm_t):
    args = dict(theta=theta, sigma=sigma, sigma_s=sigma_s, norm_s=norm_s, norm_t=norm_t)
    low = float(ftheory.get("wasserstein1_lower_bound")(**args))
    up = float(ftheory.get("wasserstein1_upper_bound")(**args))
    w2 = float(ftheory.get("wasserstein2_task")(**args))
    assert 0 <= low <= up * (1 + 1e-12) + 1e-15
    assert low <= w2 * (1 + 1e-9) + 1e-9          # W1 <= W2
    dud = float(ftheory.get("dudley_lower_bound_cosine")(sigma=sigma, sigma_s=sigma_s, norm_s=norm_s, norm_t=norm_t))
    assert 0 <= dud <= min(0.5, up + 1e-15)       # Dudley <= W1, and the cosine bound <= 1/2


def test_unit_family_values_of_theory_md():
    theta = np.linspace(0, math.pi, 7)
    up = ftheory.get("wasserstein1_upper_bound")(theta=theta, sigma=0.2, sigma_s=0.2)
    low = ftheory.get("wasserstein1_lower_bound")(theta=theta, sigma=0.2, sigma_s=0.2)
    np.testing.assert_allclose(up, 2 * math.sqrt(2 / math.pi) * np.sin(theta / 2), atol=1e-15)
    np.testing.assert_allclose(low, (np.sqrt(4 * np.sin(theta / 2) ** 2 + 0.04) - 0.2) / math.sqrt(math.pi),
                               atol=1e-15)
    # the paper's cosine test function is blind within the unit-norm family at equal noise
    assert ftheory.get("dudley_lower_bound_cosine")(sigma=0.2, sigma_s=0.2) == 0.0
    # W2 = sqrt(traces - 2 F) cancels near identical laws: float64 keeps ~sqrt(eps) absolute accuracy,
    # mpmath whatever precision is asked for
    w2 = ftheory.get("wasserstein2_task")
    assert w2(theta=0.0, sigma=0.2, sigma_s=0.2) == pytest.approx(0.0, abs=5e-7)
    assert abs(w2.mp(dps=50, theta=0, sigma="0.2", sigma_s="0.2")) < 1e-20


@pytest.mark.parametrize("theta,sigma,sigma_s,norm_s,norm_t", [(1.1, 0.3, 0.6, 1.0, 1.3), (2.5, 0.2, 0.2, 1.0, 1.0)])
def test_w1_bounds_from_their_couplings_and_test_functions_by_sampling(theta, sigma, sigma_s, norm_s, norm_t):
    """The upper bound is the cost of an explicit coupling, the lower bound an explicit test-function gap:
    both are checked by Monte Carlo (5 standard errors)."""
    rng = np.random.default_rng(5)
    beta_s, beta_t = task_teachers(theta, 3, norm_s, norm_t)
    m = 200_000
    x = rng.standard_normal((m, 3))
    eps = rng.standard_normal(m)
    ys, yt = x @ beta_s + sigma_s * eps, x @ beta_t + sigma * eps
    cost = np.abs(ys - yt)                      # same x: the distance between (x, y_s) and (x, y_t)
    args = dict(theta=theta, sigma=sigma, sigma_s=sigma_s, norm_s=norm_s, norm_t=norm_t)
    up = ftheory.get("wasserstein1_upper_bound")(**args)
    assert abs(cost.mean() - up) < 5 * cost.std() / math.sqrt(m)
    # test function h_s = |y - beta_s.x|/sqrt(1 + |beta_s|^2) on independent samples of each law
    eps2 = rng.standard_normal(m)
    h_on_s = np.abs(ys - x @ beta_s) / math.sqrt(1 + norm_s ** 2)
    h_on_t = np.abs(x @ beta_t + sigma * eps2 - x @ beta_s) / math.sqrt(1 + norm_s ** 2)
    gap = h_on_t - h_on_s
    via_s = math.sqrt(2 / math.pi) * (math.sqrt(norm_s ** 2 + norm_t ** 2 - 2 * norm_s * norm_t * math.cos(theta)
                                                + sigma ** 2) - sigma_s) / math.sqrt(1 + norm_s ** 2)
    assert abs(gap.mean() - via_s) < 5 * gap.std() / math.sqrt(m)
    assert ftheory.get("wasserstein1_lower_bound")(**args) >= via_s - 1e-15


def test_dudley_cosine_bound_by_sampling():
    beta_s, beta_t = task_teachers(0.7, 3, 0.5, 1.4)
    hs = 0.5 * np.cos(sample_task(beta_s, 0.3, 200_000, seed=1)[:, -1])
    ht = 0.5 * np.cos(sample_task(beta_t, 0.6, 200_000, seed=2)[:, -1])
    se = math.hypot(hs.std(), ht.std()) / math.sqrt(hs.size)
    bound = ftheory.get("dudley_lower_bound_cosine")(sigma=0.6, sigma_s=0.3, norm_s=0.5, norm_t=1.4)
    assert abs(abs(hs.mean() - ht.mean()) - bound) < 5 * se


def test_singular_points_evaluate_without_warnings():
    theta = np.array([0.0, math.pi / 2, math.pi])[:, None]
    sig = np.array([0.0, 0.2])[None, :]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in ("kl_source_target", "kl_target_source", "wasserstein2_task", "wasserstein1_upper_bound",
                     "wasserstein1_lower_bound"):
            v = ftheory.get(name)(theta=theta, sigma=sig, sigma_s=sig)
            assert not np.isnan(v).any(), name
        assert not np.isnan(ftheory.get("kl_divergence_task")(theta=theta, sigma=sig)).any()


def test_mpmath_agrees_with_float64():
    r = ftheory.get("wasserstein2_task")
    args = dict(theta=1.2, sigma=0.3, sigma_s=0.5, norm_s=1.3, norm_t=0.8)
    assert float(r.mp(dps=40, **args)) == pytest.approx(float(r(**args)), rel=1e-12)


def test_sign_of_transfer_is_not_a_function_of_the_distances():
    """THEORY.md §9.5: for one task pair the sign of T_lt changes three times as gamma varies, while no
    distance depends on gamma; and across theta, equal KL can come with opposite transfer."""
    for name in ("kl_divergence_task", "wasserstein2_task", "wasserstein1_lower_bound", "wasserstein1_upper_bound"):
        assert "gamma" not in ftheory.get(name).params
    gamma = np.concatenate([np.linspace(0.01, 0.999, 2000), np.linspace(1.001, 4, 2000)])
    t = ftheory.get("linear_transfer_transferability")(gamma=gamma, theta=math.pi / 4, sigma=0.2)
    assert np.count_nonzero(np.diff(np.sign(t)) != 0) == 3
    # equal KL: a rotated unit source teacher hurts, an aligned longer one helps
    kl = ftheory.get("kl_divergence_task")
    theta = math.pi / 2
    norm_s = 1 + math.sqrt(2 * 0.04 * float(kl(theta=theta, sigma=0.2)))   # |beta_s - beta_t| = norm_s - 1
    assert kl(theta=0.0, sigma=0.2, norm_s=norm_s) == pytest.approx(float(kl(theta=theta, sigma=0.2)))
    t_lt = ftheory.get("linear_transfer_transferability")
    assert t_lt(gamma=0.5, theta=theta, sigma=0.2) < 0 < t_lt(gamma=0.5, theta=0.0, sigma=0.2, norm_s=norm_s)


@pytest.mark.parametrize("theta", [math.pi / 3, math.pi])
def test_empirical_w1_brackets_the_population_bounds(theta):
    """Exact empirical W1 on samples against the closed-form bounds. By convexity E W1(P_n, Q_n) >= W1(P, Q)
    >= lower bound; by the triangle inequality and Jensen, E W1(P_n, Q_n) <= upper bound + E W1(P_n, P'_n)
    + E W1(Q_n, Q'_n) (two independent samples of the same law). Means over repetitions, 4 standard errors."""
    from ftheory.similarity import wasserstein1_exact

    bs, bt = task_teachers(theta, 2)
    reps, size = 12, 150
    cross, same_s, same_t = [], [], []
    for r in range(reps):
        ps, ps2, pt, pt2 = (sample_task(b, 0.3, size, seed=4 * r + j) for j, b in enumerate((bs, bs, bt, bt)))
        cross.append(wasserstein1_exact(ps, pt))
        same_s.append(wasserstein1_exact(ps, ps2))
        same_t.append(wasserstein1_exact(pt, pt2))
    cross, noise = np.array(cross), np.array(same_s) + np.array(same_t)
    args = dict(theta=theta, sigma=0.3, sigma_s=0.3)
    se = cross.std(ddof=1) / math.sqrt(reps)
    assert cross.mean() >= ftheory.get("wasserstein1_lower_bound")(**args) - 4 * se
    excess = cross - noise
    assert excess.mean() <= ftheory.get("wasserstein1_upper_bound")(**args) + 4 * excess.std(ddof=1) / math.sqrt(reps)
