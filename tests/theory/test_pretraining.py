"""The balanced rank-one pretrained state (THEORY.md §2.4) and the pretraining results."""
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import ftheory
from ftheory.pretrained import balanced_rank_one_weights
from ftheory.simulate.linear import linear_transfer_readout

FEATURE_NORM = ftheory.get("pretrained_feature_norm")
LAM_EFF = ftheory.get("lt_effective_ridge")


def _chain(mats):
    out = mats[0]
    for m in mats[1:]:
        out = out @ m
    return out


def _check_state(beta, W, depth):
    """Product, balancedness, rank-one features with the predicted singular value and vector."""
    norm = float(np.linalg.norm(beta))
    s2 = norm ** (2 / depth)
    d = beta.shape[0]
    assert len(W) == depth and W[-1].shape[1] == 1 and W[0].shape[0] == d
    np.testing.assert_allclose(_chain(W)[:, 0], beta, rtol=0, atol=1e-12 * norm)
    for l in range(depth - 1):
        D = W[l].T @ W[l] - W[l + 1] @ W[l + 1].T
        assert np.abs(D).max() <= 1e-12 * s2
    phi = _chain(W[:-1])
    U, sv, _ = np.linalg.svd(phi)
    expected = float(FEATURE_NORM(norm_s=norm, depth=depth))
    assert expected == pytest.approx(norm ** ((depth - 1) / depth), rel=1e-14)
    assert sv[0] == pytest.approx(expected, rel=1e-12)
    assert np.all(sv[1:] <= 1e-12 * expected)
    assert abs(abs(U[:, 0] @ beta) / norm - 1) <= 1e-12


@settings(max_examples=60)
@given(beta=arrays(np.float64, st.integers(1, 6), elements=st.floats(-10, 10)),
       depth=st.integers(2, 5), gauge=st.sampled_from([None, "canonical", "random"]),
       seed=st.integers(0, 2 ** 32 - 1))
def test_state_properties(beta, depth, gauge, seed):
    if np.linalg.norm(beta) < 1e-3:
        beta = beta + 1.0
    W = balanced_rank_one_weights(beta, depth, gauge=gauge, seed=seed)
    _check_state(beta, W, depth)


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_batch_matches_single_instances_and_shapes(depth):
    rng = np.random.default_rng(0)
    betas = rng.standard_normal((4, 7)) * rng.uniform(0.2, 3, (4, 1))
    W = balanced_rank_one_weights(betas, depth, gauge="random", seed=1)
    assert [w.shape for w in W] == [(4, 7, 7)] * (depth - 1) + [(4, 7, 1)]
    for i in range(4):
        _check_state(betas[i], [w[i] for w in W], depth)
    canon = balanced_rank_one_weights(betas, depth)
    for i in range(4):
        np.testing.assert_allclose(canon[0][i], balanced_rank_one_weights(betas[i], depth)[0], rtol=0, atol=0)


def test_canonical_gauge_is_aligned_with_the_teacher():
    beta = np.array([3.0, 4.0])
    W1, W2, W3 = balanced_rank_one_weights(beta, 3)
    u = beta / 5
    s = 5 ** (1 / 3)
    np.testing.assert_allclose(W1, s * np.outer(u, u), rtol=1e-15)
    np.testing.assert_allclose(W3[:, 0], s * u, rtol=1e-15)


def test_explicit_gauge_and_width():
    beta = np.array([1.0, -2.0, 2.0])
    gauge = np.array([[0.0, 0.0, 0.0, 2.0], [1.0, 1.0, 0.0, 0.0]])  # u_2, u_3 in R^4 (normalised here)
    W = balanced_rank_one_weights(beta, 3, gauge=gauge, width=4)
    assert [w.shape for w in W] == [(3, 4), (4, 4), (4, 1)]
    np.testing.assert_allclose(_chain(W)[:, 0], beta, atol=1e-14)
    np.testing.assert_allclose(W[2][:, 0], 3 ** (1 / 3) * np.array([1, 1, 0, 0]) / math.sqrt(2), rtol=1e-15)
    for l in range(2):
        assert np.abs(W[l].T @ W[l] - W[l + 1] @ W[l + 1].T).max() < 1e-14
    Wc = balanced_rank_one_weights(beta, 2, width=5)  # canonical gauge with width != d: e_1
    np.testing.assert_allclose(Wc[1][:, 0], 3 ** 0.5 * np.eye(5)[0])


def test_seed_reproducibility():
    beta = np.ones(5)
    a = balanced_rank_one_weights(beta, 3, gauge="random", seed=7)
    b = balanced_rank_one_weights(beta, 3, gauge="random", seed=np.random.default_rng(7))
    c = balanced_rank_one_weights(beta, 3, gauge="random", seed=8)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not np.allclose(a[1], c[1])


@pytest.mark.parametrize("kwargs,name", [
    (dict(beta_s=np.zeros(3)), "beta_s"),
    (dict(beta_s=[1.0, np.nan]), "beta_s"),
    (dict(beta_s=np.ones((2, 2, 2))), "beta_s"),
    (dict(beta_s="abc"), "beta_s"),
    (dict(beta_s=np.ones(3), depth=1), "depth"),
    (dict(beta_s=np.ones(3), depth=2.5), "depth"),
    (dict(beta_s=np.ones(3), depth=True), "depth"),
    (dict(beta_s=np.ones(3), gauge="spherical"), "gauge"),
    (dict(beta_s=np.ones(3), gauge=np.ones((2, 3))), "gauge"),
    (dict(beta_s=np.ones(3), gauge=np.zeros((1, 3))), "gauge"),
    (dict(beta_s=np.ones(3), gauge="random", seed=-1), "seed"),
    (dict(beta_s=np.ones(3), seed="x"), "seed"),
    (dict(beta_s=np.ones(3), width=0), "width"),
])
def test_bad_input_raises_value_error_naming_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        balanced_rank_one_weights(**kwargs)


def test_reexported_from_theory_and_sympy_free():
    from ftheory.theory import pretraining

    assert pretraining.balanced_rank_one_weights is balanced_rank_one_weights
    code = "import sys, ftheory.pretrained; assert 'sympy' not in sys.modules and 'ftheory.theory' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_registered_results():
    assert FEATURE_NORM.params == ("norm_s", "depth") and FEATURE_NORM.required == ()
    assert LAM_EFF.params == ("lam", "norm_s", "depth")
    for r in (FEATURE_NORM, LAM_EFF):
        assert r.status == "EXT" and r.topic == "pretraining"
    assert FEATURE_NORM() == 1.0 and FEATURE_NORM(norm_s=1.0, depth=np.arange(2, 8)).tolist() == [1.0] * 6
    assert FEATURE_NORM(norm_s=8.0, depth=3) == pytest.approx(4.0, rel=1e-15)
    assert LAM_EFF(lam=0.3) == 0.3 and LAM_EFF(lam=0.3, norm_s=4.0, depth=2) == pytest.approx(0.075, rel=1e-15)
    assert float(FEATURE_NORM.mp(norm_s="2", depth=4, dps=30)) == pytest.approx(2 ** 0.75, rel=1e-15)


@pytest.mark.parametrize("depth", [2, 3])
@pytest.mark.parametrize("lam", [0.0, 0.1])
def test_ridge_readout_on_the_state_uses_the_effective_penalty(depth, lam):
    """Full ridge on F = X Phi (pseudo-inverse at lam = 0) = the scalar read-out with lam_eff (§4.1)."""
    rng = np.random.default_rng(3)
    n, d, norm_s = 12, 6, 2.5
    beta_s = rng.standard_normal(d)
    beta_s *= norm_s / np.linalg.norm(beta_s)
    X, y = rng.standard_normal((n, d)), rng.standard_normal(n)
    W = balanced_rank_one_weights(beta_s, depth, gauge="random", seed=4)
    phi = _chain(W[:-1])
    F = X @ phi
    if lam == 0:
        w_hat = np.linalg.pinv(F) @ y
    else:
        w_hat = np.linalg.solve(F.T @ F + n * lam * np.eye(d), F.T @ y)
    beta_full = phi @ w_hat
    u = beta_s / norm_s
    z = X @ u
    lam_eff = float(LAM_EFF(lam=lam, norm_s=norm_s, depth=depth))
    beta_scalar = (z @ y) / (z @ z + n * lam_eff) * u
    np.testing.assert_allclose(beta_full, beta_scalar, rtol=1e-9, atol=1e-12)
    scale = float(FEATURE_NORM(norm_s=norm_s, depth=depth))
    np.testing.assert_allclose(linear_transfer_readout(X, y, beta_s, lam, scale=scale), beta_scalar, rtol=1e-12)


def test_gradient_descent_pretraining_reaches_the_state():
    """Deep-linear GD from a small initialisation lands on the predicted features (§2.3-§2.4)."""
    deep = pytest.importorskip("ftheory.simulate.deep_linear")
    rng = np.random.default_rng(5)
    d, norm_s, depth = 20, 2.0, 2
    beta_s = rng.standard_normal((2, d))
    beta_s *= norm_s / np.linalg.norm(beta_s, axis=1, keepdims=True)
    pre = deep.pretrain(beta_s, depth=depth, alpha=1e-5, seed=6)
    assert pre.all_converged
    U, sv, _ = np.linalg.svd(pre.net.phi)
    state = balanced_rank_one_weights(beta_s, depth)
    U0, sv0, _ = np.linalg.svd(_chain(state[:-1]))
    np.testing.assert_allclose(sv[:, 0], float(FEATURE_NORM(norm_s=norm_s, depth=depth)), rtol=1e-3)
    np.testing.assert_allclose(sv[:, 0], sv0[:, 0], rtol=1e-3)
    np.testing.assert_allclose(np.abs(np.einsum("bd,bd->b", U[:, :, 0], U0[:, :, 0])), 1.0, atol=1e-8)
    for l in range(depth - 1):
        W, V = pre.net.weights[l], pre.net.weights[l + 1]
        D = np.swapaxes(W, 1, 2) @ W - V @ np.swapaxes(V, 1, 2)
        assert np.abs(D).max() < 1e-6  # D_l(0) = alpha^2 Dbar_l, conserved up to GD's O(lr) drift
