"""Teachers and Gaussian data (ftheory/simulate/data.py): domains, geometry and the noise scale."""
import math

import numpy as np
import pytest
from scipy import stats

from ftheory.simulate.data import gaussian_data, sphere_inputs, target_teacher, teachers


@pytest.mark.parametrize("sigma", [-0.1, -1e-300, math.nan, math.inf])
def test_gaussian_data_rejects_bad_sigma(sigma):
    with pytest.raises(ValueError, match="sigma"):
        gaussian_data(np.ones((1, 3)), 5, sigma=sigma, seed=0)


def test_gaussian_data_rejects_bad_n():
    for n in (0, -1, 2.5):
        with pytest.raises(ValueError, match="n"):
            gaussian_data(np.ones((1, 3)), n, seed=0)


def test_noise_has_standard_deviation_sigma_not_sigma_squared():
    """Residuals y - X beta are N(0, sigma^2): a chi-square test of the variance at sigma = 0.5
    (sigma^2 = 0.25 would be rejected at any reasonable level) with 20000 residuals, two-sided 1e-6."""
    sigma, n = 0.5, 20000
    beta = np.array([[1.0, -2.0, 0.5]])
    X, y = gaussian_data(beta, n, sigma=sigma, seed=11)
    resid = (y - np.einsum("bnd,bd->bn", X, beta)).ravel()
    stat = np.sum(resid ** 2) / sigma ** 2                              # ~ chi^2_n under the model
    lo, hi = stats.chi2.ppf([0.5e-6, 1 - 0.5e-6], n)
    assert lo < stat < hi
    assert abs(np.mean(resid)) < 5 * sigma / math.sqrt(n)


def test_noise_free_data_are_exact():
    X, y = gaussian_data(np.array([[1.0, 2.0]]), 4, sigma=0.0, seed=1)
    np.testing.assert_allclose(y, np.einsum("bnd,bd->bn", X, np.array([[1.0, 2.0]])), rtol=0, atol=0)


def test_inputs_are_standard_gaussian():
    X, _ = gaussian_data(np.zeros((1, 4)), 30000, seed=2)
    cov = np.cov(X[0].T)
    np.testing.assert_allclose(cov, np.eye(4), atol=5 * math.sqrt(2 / 30000))


def test_teachers_have_the_angle_and_norms():
    t = teachers(20, 1.1, instances=5, norm_s=2.0, norm_t=0.5, seed=3)
    np.testing.assert_allclose(np.linalg.norm(t.beta_s, axis=1), 2.0, rtol=1e-14)
    np.testing.assert_allclose(np.linalg.norm(t.beta_t, axis=1), 0.5, rtol=1e-14)
    np.testing.assert_allclose(np.sum(t.beta_s * t.beta_t, axis=1), 2.0 * 0.5 * math.cos(1.1), rtol=1e-13)
    for bad in ({"theta": -0.1}, {"theta": 4.0}):
        with pytest.raises(ValueError, match="theta"):
            teachers(5, bad["theta"])
    with pytest.raises(ValueError, match="norm_s"):
        teachers(5, 0.3, norm_s=0.0)


def test_target_teacher_and_sphere_inputs_norms():
    np.testing.assert_allclose(np.linalg.norm(target_teacher(7, instances=3, norm_t=1.5, seed=0), axis=1), 1.5)
    X = sphere_inputs(6, 9, seed=0)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 3.0, rtol=1e-14)
    with pytest.raises(ValueError, match="radius"):
        sphere_inputs(2, 3, radius=0.0)
