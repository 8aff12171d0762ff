"""Exact checks of ftheory.simulate.tasks and ftheory.simulate.quadrature (written against mutmut survivors).

Every expected value is computed here independently: Gaussian log-densities by scipy.stats, the
empirical W1 by scipy's assignment solver, Hermite coefficients from moments of the half-normal.
"""
import math

import numpy as np
import pytest
from scipy import optimize, stats
from scipy.spatial.distance import cdist

from ftheory.mc.seeds import spawn_seeds
from ftheory.similarity.tasks import sample_task
from ftheory.simulate.quadrature import hermite_coefficient
from ftheory.simulate.tasks import sample_kl_divergence, simulate_w1_estimate

SQRT_2PI = math.sqrt(2 * math.pi)


# ---------------------------------------------------------------- sample_kl_divergence
@pytest.mark.parametrize("theta,sigma_p,sigma_q,norm_p,norm_q,d",
                         [(0.7, 0.5, 0.8, 1.0, 1.0, 2), (2.0, 1.3, 0.4, 0.6, 1.7, 4)])
def test_kl_samples_are_the_log_likelihood_ratio_of_the_drawn_points(theta, sigma_p, sigma_q, norm_p, norm_q, d):
    est = sample_kl_divergence(theta, sigma_p, sigma_q, norm_p=norm_p, norm_q=norm_q, d=d, size=500, seed=3)
    beta_p = np.zeros(d)
    beta_p[0] = norm_p
    beta_q = np.zeros(d)
    beta_q[:2] = norm_q * math.cos(theta), norm_q * math.sin(theta)
    xy = sample_task(beta_p, sigma_p, 500, seed=3)  # same seed: the same points
    x, y = xy[:, :-1], xy[:, -1]
    expected = stats.norm.logpdf(y, x @ beta_p, sigma_p) - stats.norm.logpdf(y, x @ beta_q, sigma_q)
    assert est.samples.shape == (500,)
    np.testing.assert_allclose(est.samples, expected, rtol=1e-12, atol=1e-12)
    assert est.info == {"theta": theta, "sigma_p": sigma_p, "sigma_q": sigma_q, "d": d}


def test_kl_mean_matches_the_gaussian_kl_within_standard_errors():
    theta, sp, sq, npn, nq = 1.1, 0.6, 0.9, 1.0, 1.4
    est = sample_kl_divergence(theta, sp, sq, norm_p=npn, norm_q=nq, d=3, size=40000, seed=11)
    dist2 = npn**2 + nq**2 - 2 * npn * nq * math.cos(theta)
    kl = math.log(sq / sp) + (sp**2 + dist2) / (2 * sq**2) - 0.5
    assert abs(est.mean - kl) < 5 * est.sem


@pytest.mark.parametrize("name,kwargs", [("sigma_p", {"sigma_p": 0.0}), ("sigma_p", {"sigma_p": -1.0}),
                                         ("sigma_q", {"sigma_q": float("nan")}),
                                         ("sigma_q", {"sigma_q": float("inf")}), ("sigma_q", {"sigma_q": "1"})])
def test_kl_rejects_non_positive_noise_naming_it(name, kwargs):
    args = {"sigma_p": 0.5, "sigma_q": 0.5, **kwargs}
    with pytest.raises(ValueError, match=f"^{name}=.*expected a real number > 0"):
        sample_kl_divergence(0.3, args["sigma_p"], args["sigma_q"], size=10, seed=0)


def test_kl_accepts_integer_noise_levels():
    est = sample_kl_divergence(0.3, 1, 2, size=10, seed=0)
    assert np.all(np.isfinite(est.samples))


# ---------------------------------------------------------------- simulate_w1_estimate
def _w1(a, b, metric):
    cost = cdist(a, b, metric="cityblock" if metric == "l1" else "euclidean")
    rows, cols = optimize.linear_sum_assignment(cost)
    return cost[rows, cols].mean()


@pytest.mark.parametrize("metric", ["l1", "euclidean"])
def test_w1_instances_are_exact_assignments_of_independent_samples(metric):
    theta, sigma, d, size = 0.9, 0.3, 3, 12
    est = simulate_w1_estimate(theta, sigma, d, size, metric=metric, instances=3, seed=5)
    beta_s = np.array([1.0, 0.0, 0.0])
    beta_t = np.array([math.cos(theta), math.sin(theta), 0.0])
    expected = []
    for ss in spawn_seeds(5, 3):  # documented scheme: one child per instance, split in two samples
        a, b = ss.spawn(2)
        expected.append(_w1(sample_task(beta_s, sigma, size, seed=a), sample_task(beta_t, sigma, size, seed=b),
                            metric))
    assert est.samples.shape == (3,)
    np.testing.assert_allclose(est.samples, expected, rtol=1e-12)


def test_w1_default_metric_is_l1_and_default_instances_five():
    est = simulate_w1_estimate(0.5, 0.2, 2, 6, seed=1)
    assert est.samples.shape == (5,)
    np.testing.assert_allclose(est.samples, simulate_w1_estimate(0.5, 0.2, 2, 6, metric="l1", seed=1).samples)
    assert not np.allclose(est.samples, simulate_w1_estimate(0.5, 0.2, 2, 6, metric="euclidean", seed=1).samples)


# ---------------------------------------------------------------- hermite_coefficient
# Half-normal moments: E[z^k 1{z>0}] = 2^{k/2} Gamma((k+1)/2) / (2 sqrt(pi)).
def _half_moment(k):
    return 2 ** (k / 2) * math.gamma((k + 1) / 2) / (2 * math.sqrt(math.pi))


def _expected(f, ell):
    """E[f(z) He_l(z)] / sqrt(l!) from the monomial expansion of He_l and half-normal moments."""
    he = np.polynomial.hermite_e.herme2poly(np.eye(ell + 1)[ell])
    shift = 1 if f == "relu" else 0
    return sum(c * _half_moment(k + shift) for k, c in enumerate(he)) / math.sqrt(math.factorial(ell))


@pytest.mark.parametrize("f", ["relu", "step"])
@pytest.mark.parametrize("ell", [4, 9])
def test_hermite_coefficients_of_relu_and_step_are_exact(f, ell):
    expected = _expected(f, ell)
    # condition factor: sum |c_k| m_k of the expansion (cancellation) over sqrt(l!)
    he = np.polynomial.hermite_e.herme2poly(np.eye(ell + 1)[ell])
    scale = sum(abs(c) * _half_moment(k + 1) for k, c in enumerate(he)) / math.sqrt(math.factorial(ell))
    assert abs(hermite_coefficient(f, ell) - expected) <= 1e-13 * max(1.0, scale)


def test_hermite_low_order_values_in_closed_form():
    assert hermite_coefficient("relu", 0) == pytest.approx(1 / SQRT_2PI, rel=1e-14)
    assert hermite_coefficient("relu", 1) == pytest.approx(0.5, rel=1e-14)
    assert hermite_coefficient("relu", 2) == pytest.approx(1 / math.sqrt(4 * math.pi), rel=1e-14)
    assert abs(hermite_coefficient("relu", 3)) < 800 * 2.2e-16  # 2 x 400 O(1) terms summed
    assert hermite_coefficient("step", 0) == pytest.approx(0.5, rel=1e-14)
    assert hermite_coefficient("step", 1) == pytest.approx(1 / SQRT_2PI, rel=1e-14)
    assert hermite_coefficient("step", 3) == pytest.approx(-1 / math.sqrt(12 * math.pi), rel=1e-13)


@pytest.mark.parametrize("ell", [2, 15])
def test_hermite_of_a_callable_polynomial_is_orthonormal(ell):
    he = lambda z: np.polynomial.hermite_e.hermeval(z, np.eye(ell + 1)[ell])  # noqa: E731
    # E[He_l^2] = l!, so the coefficient of He_l itself is sqrt(l!); of He_l against He_{l+1} it is 0.
    assert hermite_coefficient(he, ell) == pytest.approx(math.sqrt(math.factorial(ell)), rel=1e-12)
    assert abs(hermite_coefficient(he, ell + 1)) < 1e-12 * math.sqrt(math.factorial(ell))


def test_hermite_of_an_odd_callable_uses_both_half_lines():
    # E[z^3 He_3] = 6 and E[z^3 z] = 3: a one-sided rule gives half, a sign slip gives 0
    assert hermite_coefficient(lambda z: z**3, 3) == pytest.approx(math.sqrt(6), rel=1e-12)
    assert hermite_coefficient(lambda z: z**3, 1) == pytest.approx(3.0, rel=1e-12)


@pytest.mark.parametrize("f,ell,name", [("tanh", 1, "f"), (3.0, 1, "f"), ("relu", -1, "ell"), ("relu", 1.5, "ell")])
def test_hermite_bad_input_names_the_parameter(f, ell, name):
    with pytest.raises(ValueError, match=f"^{name}="):
        hermite_coefficient(f, ell)
