"""Tests of ftheory.simulate.deep_linear (docs/background.md §1.3–§1.4, §2, §3.1, §3.5, §4.1, §6).

Closed forms used as references are computed here with NumPy (simulate never imports theory).
"""
import math

import numpy as np
import pytest

from ftheory.simulate.data import gaussian_data, teachers
from ftheory.simulate.deep_linear import (
    DeepLinearNet,
    default_alpha,
    finetune,
    init_network,
    linear_transfer,
    pretrain,
    pretrained_state,
    simulate_deep_linear,
    simulate_transfer,
    train,
    train_scratch,
)
from ftheory.simulate.estimate import MCEstimate


def _problem(n, d, *, instances=3, theta=math.pi / 4, sigma=0.3, norm_s=1.0, seed=0):
    t = teachers(d, theta, instances=instances, norm_s=norm_s, seed=seed)
    X, y = gaussian_data(t.beta_t, n, sigma=sigma, seed=seed + 1)
    return t, X, y


def _max_weight_diff(a, b):
    return max(float(np.abs(p - q).max()) for p, q in zip(a.net.weights, b.net.weights))


def _row_projector(X):
    return np.stack([np.linalg.pinv(x) @ x for x in X])


# ------------------------------------------------------------------------------------------
# reduced dynamics == full-dimensional dynamics (exactness of the reparametrisation)
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("depth", [2, 3])
@pytest.mark.parametrize("n", [10, 30])
@pytest.mark.parametrize("wd", [0.0, 0.02])
def test_reduced_equals_full_scratch(depth, n, wd):
    d = 20
    _, X, y = _problem(n, d)
    net = init_network(d, depth=depth, alpha=0.05, instances=3, seed=1)
    kw = dict(X=X, y=y, lr=0.03, max_steps=150, tol=0.0, grad_tol=0.0, wd=wd, early_stop=False)
    red, full = train(net, reduced=True, **kw), train(net, reduced=False, **kw)
    assert red.path.startswith("reduced") and full.path == "full"
    assert np.abs(red.beta - full.beta).max() < 1e-8
    assert _max_weight_diff(red, full) < 1e-8
    np.testing.assert_allclose(red.loss, full.loss, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(red.grad_norm, full.grad_norm, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("depth", [2, 3])
@pytest.mark.parametrize("n", [10, 30])
@pytest.mark.parametrize("wd", [0.0, 0.02])
def test_reduced_equals_full_finetune(depth, n, wd):
    d = 20
    t, X, y = _problem(n, d)
    pre = pretrain(t.beta_s, depth=depth, alpha=default_alpha(depth), seed=2)
    kw = dict(lr=0.02, max_steps=120, tol=0.0, grad_tol=0.0, wd=wd, early_stop=False)
    red, full = finetune(pre.net, X, y, reduced=True, **kw), finetune(pre.net, X, y, reduced=False, **kw)
    assert np.abs(red.beta - full.beta).max() < 1e-8
    assert _max_weight_diff(red, full) < 1e-8


def test_reduced_equals_full_with_early_stopping_and_width():
    d, n = 20, 10
    _, X, y = _problem(n, d)
    net = init_network(d, depth=2, width=15, alpha=1e-3, instances=3, seed=3)
    kw = dict(X=X, y=y, lr=0.05, max_steps=3000, tol=1e-7)
    red, full = train(net, reduced=True, **kw), train(net, reduced=False, **kw)
    np.testing.assert_array_equal(red.steps, full.steps)
    assert red.all_converged and full.all_converged
    assert _max_weight_diff(red, full) < 1e-8


def test_reduced_equals_full_pretraining():
    d = 20
    t, _, _ = _problem(5, d)
    X_s, y_s = gaussian_data(t.beta_s, 12, sigma=0.2, seed=7)
    for kw in (dict(beta_s=t.beta_s), dict(X_s=X_s, y_s=y_s)):
        args = dict(depth=2, alpha=1e-3, seed=4, lr=0.05, max_steps=200, tol=0.0)
        red, full = pretrain(**kw, reduced=True, **args), pretrain(**kw, reduced=False, **args)
        assert _max_weight_diff(red, full) < 1e-8


def test_reduced_equals_full_gradient_flow():
    d, n = 12, 6
    _, X, y = _problem(n, d, instances=2)
    net = init_network(d, depth=2, alpha=0.1, instances=2, seed=5)
    kw = dict(X=X, y=y, lr=0.05, max_steps=1000, tol=1e-9, method="flow")
    red, full = train(net, reduced=True, **kw), train(net, reduced=False, **kw)
    assert red.all_converged and full.all_converged
    assert np.abs(red.beta - full.beta).max() < 1e-7
    assert _max_weight_diff(red, full) < 1e-6


# ------------------------------------------------------------------------------------------
# balancedness (§2.1)
# ------------------------------------------------------------------------------------------
def _drift(a, b):
    return max(float(np.abs(p - q).max()) for p, q in zip(a.balancedness(), b.balancedness()))


@pytest.mark.parametrize("depth", [2, 3])
def test_balancedness_conserved_by_flow(depth):
    d, n = 10, 5
    _, X, y = _problem(n, d, instances=2)
    net = init_network(d, depth=depth, alpha=0.3, instances=2, seed=6)
    res = train(net, X=X, y=y, lr=0.05, max_steps=60, tol=0.0, method="flow")
    assert _drift(net, res.net) < 1e-8
    assert np.abs(res.beta - net.beta).max() > 0.1  # the weights did move


def test_balancedness_gd_drift_is_second_order_in_lr():
    d, n = 10, 5
    _, X, y = _problem(n, d, instances=2)
    net = init_network(d, depth=3, alpha=0.3, instances=2, seed=6)
    drifts = [_drift(net, train(net, X=X, y=y, lr=lr, max_steps=1, tol=0.0, early_stop=False).net)
              for lr in (0.02, 0.01)]
    assert 3.9 < drifts[0] / drifts[1] < 4.1     # one step: exactly O(lr^2)
    fixed_time = [_drift(net, train(net, X=X, y=y, lr=lr, max_steps=round(0.6 / lr), tol=0.0,
                                    early_stop=False).net) for lr in (0.02, 0.01)]
    assert 1.6 < fixed_time[0] / fixed_time[1] < 2.4  # fixed time T: O(lr T)


# ------------------------------------------------------------------------------------------
# pretraining: rank-one features aligned with beta_s (§2.3–§2.5)
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("depth,alpha", [(2, 1e-5), (3, 1e-3)])
def test_pretraining_gives_rank_one_features(depth, alpha):
    d, norm_s = 30, 2.0
    t = teachers(d, 0.3, instances=3, norm_s=norm_s, seed=8)
    pre = pretrain(t.beta_s, depth=depth, alpha=alpha, seed=9)
    assert pre.all_converged
    U, s, _ = np.linalg.svd(pre.net.phi)
    align = np.abs(np.einsum("bd,bd->b", U[:, :, 0], t.beta_s)) / norm_s
    np.testing.assert_allclose(align, 1.0, atol=1e-8)
    np.testing.assert_allclose(s[:, 0], norm_s ** ((depth - 1) / depth), rtol=1e-3)
    assert s[:, 1].max() < 50 * alpha
    np.testing.assert_allclose(pre.beta, t.beta_s, atol=1e-5)


def test_finite_source_pretraining_reaches_min_norm_estimate():
    d, n_s = 25, 12
    t = teachers(d, 0.3, instances=2, seed=10)
    X_s, y_s = gaussian_data(t.beta_s, n_s, sigma=0.3, seed=11)
    pre = pretrain(X_s=X_s, y_s=y_s, alpha=1e-6, seed=12, tol=1e-16, max_steps=50000)
    beta_hat = np.stack([np.linalg.pinv(x) @ v for x, v in zip(X_s, y_s)])
    assert pre.all_converged
    np.testing.assert_allclose(pre.beta, beta_hat, atol=1e-5)   # §2.5


# ------------------------------------------------------------------------------------------
# scratch: implicit bias towards the minimum-norm solution (§3.1), weight decay (§3.5)
# ------------------------------------------------------------------------------------------
def test_scratch_lands_on_min_norm_solution_error_scales_with_alpha():
    d, n = 20, 10
    _, X, y = _problem(n, d)
    pinv = np.stack([np.linalg.pinv(x) @ v for x, v in zip(X, y)])
    errors = []
    for alpha in (1e-2, 1e-4):
        res = train_scratch(X, y, alpha=alpha, seed=13, tol=1e-20, grad_tol=1e-13, max_steps=20000)
        assert res.all_converged
        errors.append(np.abs(res.beta - pinv).max())
        assert errors[-1] < 20 * alpha
    assert errors[1] < 0.05 * errors[0]


def test_scratch_with_weight_decay_is_self_consistent_ridge():
    d, n, wd = 20, 10, 0.05
    _, X, y = _problem(n, d, instances=2)
    res = train_scratch(X, y, alpha=1e-3, seed=14, wd=wd, tol=1e-12, grad_tol=1e-7, max_steps=50000)
    assert res.all_converged                         # through the gradient criterion
    assert np.all(res.loss > 1e-6)                   # the loss floor is not reached with wd > 0
    for b, x, v in zip(res.beta, X, y):
        lam_eff = wd / (2 * np.linalg.norm(b))       # §3.5, L = 2
        ridge = np.linalg.solve(x.T @ x + n * lam_eff * np.eye(d), x.T @ v)
        np.testing.assert_allclose(b, ridge, atol=1e-5)


def test_non_converged_runs_are_flagged():
    d, n = 20, 10
    _, X, y = _problem(n, d)
    res = train_scratch(X, y, alpha=1e-5, seed=15, max_steps=5)
    assert not res.converged.any() and np.all(res.steps == 5)
    est = simulate_deep_linear("sc", 10, 20, 0.5, 0.1, instances=3, seed=0, max_steps=5)
    assert isinstance(est, MCEstimate) and not est.converged.any()
    assert "converged 0/3" in repr(est)


# ------------------------------------------------------------------------------------------
# fine-tuning (§6)
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("reduced", [True, False])
def test_finetuning_freezes_null_space_of_first_layer(reduced):
    d, n = 20, 8
    t, X, y = _problem(n, d)
    pre = pretrain(t.beta_s, alpha=1e-4, seed=16)
    P = _row_projector(X)
    I = np.eye(d)
    ft = finetune(pre.net, X, y, reduced=reduced, tol=1e-14, max_steps=20000)
    moved = (I - P) @ (ft.net.weights[0] - pre.net.weights[0])
    assert np.abs(moved).max() < 1e-12
    assert ft.all_converged
    pinv = np.stack([np.linalg.pinv(x) @ v for x, v in zip(X, y)])
    np.testing.assert_allclose(np.einsum("bij,bj->bi", P, ft.beta), pinv, atol=1e-6)  # interpolation
    wd, lr, steps = 0.01, 0.02, 100
    ftw = finetune(pre.net, X, y, reduced=reduced, wd=wd, lr=lr, max_steps=steps, tol=0.0, early_stop=False)
    np.testing.assert_allclose((I - P) @ ftw.net.weights[0],
                               (1 - lr * wd) ** steps * ((I - P) @ pre.net.weights[0]), atol=1e-12)


def test_finetuning_equals_scratch_when_n_at_least_d():
    d, n = 15, 30
    t, X, y = _problem(n, d)
    pre = pretrain(t.beta_s, alpha=1e-4, seed=17)
    ft = finetune(pre.net, X, y, tol=1e-14, max_steps=50000)
    sc = train_scratch(X, y, alpha=1e-4, seed=18, tol=1e-14, max_steps=50000)
    ols = np.stack([np.linalg.lstsq(x, v, rcond=None)[0] for x, v in zip(X, y)])
    assert ft.all_converged and sc.all_converged
    np.testing.assert_allclose(ft.loss, ft.floor, atol=1e-13)
    np.testing.assert_allclose(ft.beta, sc.beta, atol=1e-5)
    np.testing.assert_allclose(ft.beta, ols, atol=1e-5)


@pytest.mark.parametrize("depth", [2, 3])
def test_finetuning_flow_matches_gradient_flow_scale(depth):
    """§6.3-§6.4: beta_ft = beta_sc + c (I-P) beta_pre with r^2 c^{2L/(L-1)} - a c^2 - b = 0."""
    from scipy.optimize import brentq

    d, n = 16, 8
    t, X, y = _problem(n, d, instances=2, sigma=1.0, norm_s=1.5)
    net = pretrained_state(t.beta_s, depth=depth, seed=19)
    ft = finetune(net, X, y, method="flow", tol=1e-14, max_steps=4000)
    assert ft.all_converged
    P = _row_projector(X)
    for i in range(2):
        b_sc = np.linalg.pinv(X[i]) @ y[i]
        null = t.beta_s[i] - P[i] @ t.beta_s[i]
        a, b, r, L = null @ null, b_sc @ b_sc, np.linalg.norm(t.beta_s[i]), depth
        c = brentq(lambda c: r ** 2 * c ** (2 * L / (L - 1)) - a * c ** 2 - b, 1e-6, 100.0)
        assert abs(c - 1.0) > 0.02                        # the paper's c = 1 is visibly off at sigma = 1
        np.testing.assert_allclose(ft.beta[i], b_sc + c * null, atol=1e-6)


# ------------------------------------------------------------------------------------------
# linear transfer (§4.1)
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("depth", [2, 3])
@pytest.mark.parametrize("lam", [0.0, 0.3])
@pytest.mark.parametrize("n", [10, 20])        # n = d included: stable without a ridge
def test_linear_transfer_is_one_parameter_regression(depth, lam, n):
    d, norm_s = 20, 1.7
    t, X, y = _problem(n, d, norm_s=norm_s)
    u = t.beta_s / norm_s
    z = np.einsum("bnd,bd->bn", X, u)
    lam_eff = lam / norm_s ** (2 * (depth - 1) / depth)
    b = np.einsum("bn,bn->b", z, y) / (np.einsum("bn,bn->b", z, z) + n * lam_eff)
    exact = linear_transfer(pretrained_state(t.beta_s, depth=depth, seed=20), X, y, lam=lam)
    np.testing.assert_allclose(exact.beta, b[:, None] * u, atol=1e-10)
    pre = pretrain(t.beta_s, depth=depth, alpha=default_alpha(depth) / 10, seed=21)
    trained = linear_transfer(pre.net, X, y, lam=lam)
    np.testing.assert_allclose(trained.beta, b[:, None] * u, atol=1e-3)
    assert np.array_equal(trained.weights[0], pre.net.weights[0])   # features frozen


# ------------------------------------------------------------------------------------------
# Monte Carlo drivers, seeds, validation
# ------------------------------------------------------------------------------------------
def test_simulate_transfer_shares_data_and_is_reproducible():
    kw = dict(instances=3, seed=123, max_steps=4000)
    res = simulate_transfer(8, 16, math.pi / 6, 0.2, **kw)
    again = simulate_transfer(8, 16, math.pi / 6, 0.2, **kw)
    for key in ("sc", "lt", "ft", "T_lt", "T_ft"):
        assert isinstance(res[key], MCEstimate)
        np.testing.assert_array_equal(res[key].samples, again[key].samples)
    np.testing.assert_allclose(res["T_lt"].samples, res["sc"].samples - res["lt"].samples)
    np.testing.assert_allclose(res["T_ft"].samples, res["sc"].samples - res["ft"].samples)
    for proc in ("sc", "lt", "ft"):
        single = simulate_deep_linear(proc, 8, 16, math.pi / 6, 0.2, **kw)
        np.testing.assert_array_equal(single.samples, res[proc].samples)
        np.testing.assert_array_equal(single.converged, res[proc].converged)
    assert res["sc"].all_converged and res["ft"].all_converged
    assert set(res["sc"].info) >= {"steps", "final_loss", "loss_floor", "n", "d", "theta", "sigma"}
    other = simulate_deep_linear("sc", 8, 16, math.pi / 6, 0.2, instances=3, seed=124, max_steps=4000)
    assert not np.array_equal(other.samples, res["sc"].samples)
    np.testing.assert_array_equal(init_network(5, instances=2, seed=3).weights[0],
                                  init_network(5, instances=2, seed=3).weights[0])


def test_simulate_finite_source_and_reduced_flag():
    kw = dict(instances=2, seed=5, gamma_s=0.5, sigma_s=0.2, max_steps=3000)
    red = simulate_transfer(6, 12, 0.4, 0.1, **kw)
    full = simulate_transfer(6, 12, 0.4, 0.1, reduced=False, **kw)
    for key in ("sc", "lt", "ft"):
        np.testing.assert_allclose(red[key].samples, full[key].samples, rtol=1e-6, atol=1e-9)
    assert red["ft"].info["n_s"] == 6


@pytest.mark.parametrize("kwargs,name", [
    (dict(sigma=-1.0), "sigma"),
    (dict(theta=4.0), "theta"),
    (dict(n=0), "n"),
    (dict(d=1), "d"),
    (dict(depth=1), "depth"),
    (dict(procedure="xx"), "procedure"),
    (dict(method="euler"), "method"),
    (dict(lr=-0.1), "lr"),
    (dict(alpha=0.0), "alpha"),
    (dict(wd=-1.0), "wd"),
    (dict(lam=-0.5), "lam"),
    (dict(gamma_s=0.0), "gamma_s"),
    (dict(sigma_s=-0.2), "sigma_s"),
    (dict(instances=0), "instances"),
    (dict(seed=-3), "seed"),
    (dict(max_steps=-1), "max_steps"),
    (dict(tol=-1e-3), "tol"),
    (dict(width=0), "width"),
])
def test_bad_input_raises_value_error_naming_parameter(kwargs, name):
    args = dict(procedure="sc", n=5, d=10, theta=0.5, sigma=0.1)
    args.update(kwargs)
    procedure, n, d, theta, sigma = (args.pop(k) for k in ("procedure", "n", "d", "theta", "sigma"))
    with pytest.raises(ValueError, match=rf"\b{name}="):
        simulate_deep_linear(procedure, n, d, theta, sigma, instances=args.pop("instances", 2), **args)


def test_bad_input_training_api():
    X = np.zeros((2, 4, 6))
    y = np.zeros((2, 4))
    net = init_network(6, instances=2, seed=0)
    with pytest.raises(ValueError, match="lr="):
        train(net, X=X, y=y, lr=0.0)
    with pytest.raises(ValueError, match="wd="):
        train(net, X=X, y=y, lr=0.5, wd=2.0)
    with pytest.raises(ValueError, match="depth="):
        init_network(6, depth=1)
    with pytest.raises(ValueError, match="lam="):
        linear_transfer(net, X, y, lam=-1.0)
    with pytest.raises(ValueError, match="exactly one"):
        train(net, X=X, y=y, beta_s=np.zeros((2, 6)))
    with pytest.raises(ValueError, match="input dimension"):
        train(net, X=np.zeros((2, 4, 5)), y=y)
    with pytest.raises(ValueError):
        DeepLinearNet((np.zeros((1, 3, 3)),))


def test_init_network_scale_is_alpha_g_over_sqrt_d_and_alpha_g():
    """[CODE] initialisation (docs/background.md §1.3): hidden entries N(0, alpha^2/d), read-out N(0, alpha^2).
    Sample variances of 200 x 50 x 50 and 200 x 50 entries; tolerance 6 standard errors of a variance
    estimate (sqrt(2/N) relative)."""
    d, B, alpha = 50, 200, 0.3
    net = init_network(d, depth=3, alpha=alpha, instances=B, seed=0)
    for W, var in ((net.weights[0], alpha ** 2 / d), (net.weights[1], alpha ** 2 / d), (net.weights[2], alpha ** 2)):
        N = W.size
        assert abs(np.mean(W ** 2) / var - 1) < 6 * math.sqrt(2 / N)
