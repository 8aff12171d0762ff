"""Linear transfer on ReLU features at finite n [EXT]: the predictions against the exact simulation."""
import math

import numpy as np
import pytest

from ftheory.relu.projection import teacher_projection
from ftheory.relu.transfer import leverage_moments, predict_linear_transfer_risk, simulate_relu_readout_risk

Z_MAX = 4.5


@pytest.fixture(scope="module")
def setting():
    """d = 20, unit teacher of m* = 20 neurons, 14 kept (mu = 0.3)."""
    rng = np.random.default_rng(0)
    W = rng.standard_normal((20, 20))
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    c = rng.standard_normal(20)
    keep = np.sort(rng.permutation(20)[:14])
    return W, c, W[keep], keep


@pytest.fixture(scope="module")
def moments(setting):
    W, c, B, _ = setting
    return leverage_moments(W, c, B, samples=300_000, seed=1)


def test_gaussian_method_is_the_section_10_4_heuristic(setting):
    W, c, B, keep = setting
    proj = teacher_projection(W, c, keep)
    for n, sigma in ((16, 0.0), (50, 0.3), (1000, 1.0)):
        p = predict_linear_transfer_risk(W, c, B, n, sigma, method="gaussian")
        manual = proj.outside_sq + (sigma ** 2 + proj.outside_sq) * 14 / (n - 14 - 1)
        assert p.risk == pytest.approx(manual, rel=1e-12)
        assert p.k == 14 and p.kappa == 15 and p.outside_sq == pytest.approx(proj.outside_sq)


def test_leverage_moments_have_their_exact_means(setting, moments):
    W, c, B, keep = setting
    assert abs(moments["h"].zscore(14.0)) < Z_MAX  # E[phi^T K^-1 phi] = tr(I_k)
    assert abs(moments["r2"].zscore(teacher_projection(W, c, keep).outside_sq)) < Z_MAX
    # ReLU features are not Gaussian: leverage is more dispersed than k^2 + 2k
    assert moments["h2"].mean - (14 ** 2 + 2 * 14) > 10 * moments["h2"].sem


@pytest.mark.parametrize("n,sigma", [(100, 0.0), (100, 0.3), (300, 0.0), (300, 0.3)])
def test_leverage_prediction_matches_simulation_at_moderate_n(setting, n, sigma):
    W, c, B, _ = setting
    pred = predict_linear_transfer_risk(W, c, B, n, sigma, samples=300_000, seed=1)
    sim = simulate_relu_readout_risk(W, c, B, n, sigma, instances=2000, seed=10 * n + int(10 * sigma))
    # uncertainty of the prediction's Monte Carlo constants, propagated to first order
    pred_se = math.hypot(pred.stderr["hr2"], (sigma ** 2 * pred.k + pred.leverage_residual) / (n - pred.kappa)
                         * pred.stderr["h2"] / pred.k) / (n - pred.kappa)
    z = (sim.mean - pred.risk) / math.hypot(sim.sem, pred_se)
    assert abs(z) < Z_MAX, (z, sim.mean, pred.risk)


def test_gaussian_heuristic_underestimates_near_the_threshold(setting):
    """Documented finding: at n ~ 2k the Gaussian heuristic is clearly too low; at n = 100 the leverage
    form is closer to the simulation than the Gaussian one."""
    W, c, B, _ = setting
    sim = simulate_relu_readout_risk(W, c, B, 30, 0.3, instances=3000, seed=3)
    gauss = predict_linear_transfer_risk(W, c, B, 30, 0.3, method="gaussian")
    assert sim.mean - gauss.risk > 5 * sim.sem
    sim100 = simulate_relu_readout_risk(W, c, B, 100, 0.3, instances=3000, seed=4)
    lev = predict_linear_transfer_risk(W, c, B, 100, 0.3, samples=300_000, seed=1)
    g100 = predict_linear_transfer_risk(W, c, B, 100, 0.3, method="gaussian")
    assert abs(sim100.mean - lev.risk) < abs(sim100.mean - g100.risk)


def test_zero_target_is_pure_noise(setting):
    W, c, B, _ = setting
    p = predict_linear_transfer_risk(W, 0 * c, B, 40, 0.5, method="gaussian")
    assert p.outside_sq == 0 and p.risk == pytest.approx(0.25 * 14 / 25, rel=1e-12)


@pytest.mark.parametrize("kwargs,match", [
    (dict(n=15), "n=15"), (dict(n=40, sigma=-1.0), "sigma"), (dict(n=40, method="exact"), "method"),
    (dict(n=2.5), "n="),
])
def test_predict_validates(setting, kwargs, match):
    W, c, B, _ = setting
    with pytest.raises(ValueError, match=match):
        predict_linear_transfer_risk(W, c, B, **kwargs)


def test_simulate_validates(setting):
    W, c, B, _ = setting
    with pytest.raises(ValueError, match="instances"):
        simulate_relu_readout_risk(W, c, B, 30, instances=1)
    with pytest.raises(ValueError, match="W_basis"):
        simulate_relu_readout_risk(W, c, B[:, :3], 30)
