"""ftheory.relu.readout_mean: instance means of the read-out risk estimate and the predicted transferability.

Independent check: frozen features that ARE the teacher's neurons span the target (rho = 0) with full rank
r = m*, so above the threshold (n > r) the estimate is ``sigma^2 r / (n - r)`` exactly (ftheory.relu.readout's
n > r branch); divided by the exact ``||f_t||^2`` of :func:`ftheory.simulate.relu.norm_sq`. Tolerance: the
projection residual rho is a rounding residue of an eigen-decomposition of a Gram matrix of condition <~ 1e3
(relative 1e-9 with margin).
"""
import numpy as np
import pytest

from ftheory.relu.readout_mean import mean_readout_relative_risk, predicted_transferability
from ftheory.simulate.relu import draw_teacher, norm_sq

D, M_STAR, I = 6, 3, 4
SIGMA = 0.5


def _teacher():
    return draw_teacher(D, M_STAR, instances=I, seed=11)


def test_features_equal_to_the_teacher_give_pure_variance_above_the_threshold():
    t = _teacher()
    ns = np.array([5, 8, 20, 100])
    got = mean_readout_relative_risk(t.weights, t.weights, t.coef, ns, sigma=SIGMA)
    want = np.mean([SIGMA ** 2 * M_STAR / (ns - M_STAR) / f for f in norm_sq(t.target)], axis=0)
    np.testing.assert_allclose(got, want, rtol=1e-9)
    assert got.shape == ns.shape


def test_predicted_transferability_is_the_power_law_minus_the_estimate():
    t = _teacher()
    ns = np.array([10, 40])
    weights = np.stack([t.weights, t.weights], axis=1)                 # two "mu" columns, the same networks
    T = predicted_transferability(lambda n: 2.0 / np.asarray(n, float), weights, t.weights, t.coef, ns, sigma=SIGMA)
    est = mean_readout_relative_risk(t.weights, t.weights, t.coef, ns, sigma=SIGMA)
    assert T.shape == (2, 2)
    np.testing.assert_allclose(T, [2.0 / ns - est] * 2, rtol=1e-12)
    with pytest.raises(ValueError, match="instances, mus, m, d"):
        predicted_transferability(lambda n: n, t.weights, t.weights, t.coef, ns)
    with pytest.raises(ValueError, match="empty"):
        mean_readout_relative_risk(t.weights[:0], t.weights[:0], t.coef[:0], ns)
