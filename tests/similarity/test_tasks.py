"""Task sampling, certified Dudley bounds and the corrected counterexample of Theorem A.2 (THEORY.md §9)."""
import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

import ftheory
from ftheory.similarity.tasks import (distant_task, dudley_lower_bound, dudley_upper_bound, sample_task,
                                      task_teachers, y_test_function_mean)

COEF = st.lists(st.floats(-3, 3), min_size=1, max_size=6).map(np.array)


def _h(y, k, a):
    return a * (1 - 2 * np.minimum(np.abs(y) / k, 1.0))


def _mean_h_by_quadrature(scale, k, a):
    """E h(Y), Y ~ N(0, scale^2), by adaptive quadrature in standard units (independent of the closed form)."""
    if scale == 0:
        return float(_h(0.0, k, a))
    edge = k / scale                      # h is even and constant (-a) beyond |y| = K
    f = lambda t: 2 * _h(scale * t, k, a) * stats.norm.pdf(t)  # noqa: E731
    inner, _ = integrate.quad(f, 0, min(edge, 40.0), limit=200, epsabs=1e-13)
    return inner + (-a) * 2 * stats.norm.sf(edge)


def test_sample_task_law():
    beta = np.array([0.6, -0.8, 0.0])
    xy = sample_task(beta, 0.5, 100_000, seed=0)
    assert xy.shape == (100_000, 4)
    cov = np.cov(xy.T)
    expected = np.eye(4)
    expected[:3, 3] = expected[3, :3] = beta
    expected[3, 3] = 1 + 0.25
    np.testing.assert_allclose(cov, expected, atol=0.02)
    np.testing.assert_array_equal(sample_task(beta, 0.5, 10, seed=4), sample_task(beta, 0.5, 10, seed=4))


def test_task_teachers_angle_and_norms():
    bs, bt = task_teachers(1.0, 5, 2.0, 0.5)
    assert np.linalg.norm(bs) == pytest.approx(2.0) and np.linalg.norm(bt) == pytest.approx(0.5)
    assert bs @ bt / 1.0 == pytest.approx(math.cos(1.0))
    with pytest.raises(ValueError, match="d=1"):
        task_teachers(1.0, 1)


@pytest.mark.parametrize("scale,k", [(0.3, 2.0), (5.0, 2.0), (1.0, 40.0), (0.0, 3.0)])
def test_y_test_function_mean_closed_form(scale, k):
    a = k / (k + 2)
    assert float(y_test_function_mean(scale, k)) == pytest.approx(_mean_h_by_quadrature(scale, k, a), abs=1e-10)


@settings(max_examples=50)
@given(coef=COEF, delta=st.floats(1e-3, 1e4), sigma=st.floats(0.01, 3))
def test_kl_counterexample_meets_delta(coef, delta, sigma):
    ce = distant_task(coef, delta, distance="kl", sigma=sigma)
    kl = float(np.sum((coef - ce.coef) ** 2)) / (2 * sigma ** 2)   # KL = |f - g|^2/(2 sigma^2), orthonormal basis
    assert kl >= delta * (1 - 1e-12)
    assert ce.certified == pytest.approx(kl)
    if np.linalg.norm(coef) > 0:   # the paper's construction g = -alpha f, with the corrected alpha
        alpha = -(ce.coef @ coef) / (coef @ coef)
        assert alpha == pytest.approx(sigma * math.sqrt(2 * delta) / np.linalg.norm(coef))


def test_kl_counterexample_agrees_with_the_registered_divergence():
    f = np.array([1.0, 0.0])
    ce = distant_task(f, 3.0, distance="kl", sigma=0.5)
    g = ce.coef
    theta = math.acos(np.clip(f @ g / np.linalg.norm(g), -1, 1))
    kl = ftheory.get("kl_divergence_task")(theta=theta, sigma=0.5, norm_s=1.0, norm_t=np.linalg.norm(g))
    assert kl == pytest.approx(ce.certified, rel=1e-12)


@settings(max_examples=40)
@given(coef=COEF, delta=st.floats(1e-3, 1.999), sigma=st.floats(0, 2))
@example(coef=np.array([0.0]), delta=1.0, sigma=1e-11)     # f = 0 with a nearly singular law of y
def test_dudley_counterexample_meets_delta(coef, delta, sigma):
    ce = distant_task(coef, delta, distance="dudley", sigma=sigma)
    k, a = ce.test_function["K"], ce.test_function["a"]
    # the test function is admissible: sup |h| + Lip(h) = a + 2a/K <= 1
    assert a + 2 * a / k <= 1 + 1e-12
    s_f = math.hypot(np.linalg.norm(coef), sigma)
    s_g = math.hypot(np.linalg.norm(ce.coef), sigma)
    gap = _mean_h_by_quadrature(s_f, k, a) - _mean_h_by_quadrature(s_g, k, a)
    assert gap >= delta - 1e-8
    assert ce.certified >= delta


def test_dudley_counterexample_by_sampling():
    """The certified gap E_f h - E_g h checked on samples of the two joint laws (5 standard errors)."""
    f = np.array([0.6, 0.8])
    ce = distant_task(f, 1.5, distance="dudley", sigma=0.2)
    k, a = ce.test_function["K"], ce.test_function["a"]
    hf = _h(sample_task(f, 0.2, 100_000, seed=1)[:, -1], k, a)
    hg = _h(sample_task(ce.coef, 0.2, 100_000, seed=2)[:, -1], k, a)
    se = math.hypot(hf.std(), hg.std()) / math.sqrt(hf.size)
    assert abs((hf.mean() - hg.mean()) - ce.certified) < 5 * se


@pytest.mark.parametrize("kwargs,match", [
    (dict(delta=2.0, distance="dudley"), "never exceeds 2"),
    (dict(delta=0.0), "delta=0.0"),
    (dict(delta=1.0, distance="tv"), "distance='tv'"),
    (dict(delta=1.0, sigma=0.0), "sigma=0.0"),
    (dict(delta=100.0, unit_norm=True, sigma=0.2), "2/sigma"),
    (dict(delta=1.7, distance="dudley", unit_norm=True, sigma=0.2), "at most"),
    (dict(delta=1.0, distance="dudley", unit_norm=True, sigma=0.2), "cannot be certified"),
])
def test_unreachable_requests_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        distant_task(np.array([0.6, 0.8]), **kwargs)


def test_bad_coefficients_raise():
    with pytest.raises(ValueError, match="coef"):
        distant_task(np.array([[1.0]]), 1.0)
    with pytest.raises(ValueError, match="coef"):
        distant_task(np.array([np.nan]), 1.0)


@pytest.mark.parametrize("delta", [0.5, 20.0, 49.0])
def test_unit_norm_kl_rotates_by_the_needed_angle(delta):
    f = np.array([0.6, 0.8, 0.0])
    ce = distant_task(f, delta, distance="kl", sigma=0.2, unit_norm=True)
    assert np.linalg.norm(ce.coef) == pytest.approx(1.0)
    assert ce.certified == pytest.approx(delta, rel=1e-9)


def test_unit_norm_dudley():
    f = np.array([1.0, 0.0])
    ce = distant_task(f, 0.2, distance="dudley", sigma=0.2, unit_norm=True)
    assert np.linalg.norm(ce.coef) == pytest.approx(1.0)
    assert ce.certified >= 0.2


@settings(max_examples=30)
@given(theta=st.floats(0, math.pi), sigma=st.floats(0, 1), sigma_s=st.floats(0, 1),
       norm_s=st.floats(0.2, 2), norm_t=st.floats(0.2, 2))
def test_dudley_bounds_are_ordered(theta, sigma, sigma_s, norm_s, norm_t):
    args = dict(theta=theta, sigma=sigma, sigma_s=sigma_s, norm_s=norm_s, norm_t=norm_t)
    low = dudley_lower_bound(**args)
    assert 0 <= low.value <= dudley_upper_bound(**args) + 1e-12


def test_dudley_lower_bound_test_function_by_sampling():
    """The optimised cosine test function, evaluated on samples of both laws, reaches the bound."""
    b = dudley_lower_bound(math.pi / 2, 0.2)
    assert b.family == "cosine" and b.value > 0.2
    bs, bt = task_teachers(math.pi / 2, 2)
    beta = bs if b.parameters["beta"] == "source" else bt
    om = b.parameters["omega"]
    amp = 1 / (1 + om * math.sqrt(1 + beta @ beta))

    def h(xy):
        return amp * np.cos(om * (xy[:, -1] - xy[:, :-1] @ beta))

    hs, ht = h(sample_task(bs, 0.2, 100_000, seed=3)), h(sample_task(bt, 0.2, 100_000, seed=4))
    se = math.hypot(hs.std(), ht.std()) / math.sqrt(hs.size)
    assert abs(abs(hs.mean() - ht.mean()) - b.value) < 5 * se
