"""Tests of ftheory.simulate.linear that need no theory module (closed forms come from NumPy)."""
import math

import numpy as np
import pytest

from ftheory.simulate.estimate import MCEstimate
from ftheory.simulate.linear import (
    TunedRidgeEstimate,
    linear_transfer_readout,
    min_norm,
    rank_k_readout,
    ridge,
    simulate_linear_transfer_finite_source,
    simulate_linear_transfer_risk,
    simulate_min_norm_risk,
    simulate_rank_k_risk,
    simulate_ridge_risk,
    simulate_scratch_and_transfer,
    simulate_tuned_ridge_risk,
)

SHAPES = [(5, 9), (9, 5), (7, 7)]  # n < d, n > d, n = d


def _batch(n, d, instances=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((instances, n, d)), rng.standard_normal((instances, n))


# ------------------------------------------------------------------------------------------
# closed-form estimators
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n,d", SHAPES)
def test_min_norm_matches_pinv(n, d):
    X, y = _batch(n, d)
    beta = min_norm(X, y)
    assert beta.shape == (4, d)
    for i in range(4):
        np.testing.assert_allclose(beta[i], np.linalg.pinv(X[i]) @ y[i], rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(min_norm(X[0], y[0]), beta[0], rtol=0, atol=0)  # unbatched form


def test_min_norm_rank_deficient_drops_null_directions():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((8, 3))
    X = np.concatenate([A, A], axis=1)  # rank 3, d = 6
    y = rng.standard_normal(8)
    np.testing.assert_allclose(min_norm(X, y), np.linalg.pinv(X) @ y, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("n,d", SHAPES)
def test_ridge_small_lam_and_zero_lam_equal_min_norm(n, d):
    X, y = _batch(n, d, seed=2)
    ref = min_norm(X, y)
    np.testing.assert_array_equal(ridge(X, y, 0.0), ref)
    np.testing.assert_allclose(ridge(X, y, 1e-13), ref, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("n,d", SHAPES)
@pytest.mark.parametrize("lam", [0.01, 0.5, 3.0])
def test_ridge_matches_explicit_solve(n, d, lam):
    X, y = _batch(n, d, seed=3)
    beta = ridge(X, y, lam)
    for i in range(X.shape[0]):
        expl = np.linalg.solve(X[i].T @ X[i] + n * lam * np.eye(d), X[i].T @ y[i])
        np.testing.assert_allclose(beta[i], expl, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("n,d", SHAPES)
def test_linear_transfer_readout_is_lstsq_on_rank_one_feature(n, d):
    X, y = _batch(n, d, seed=4)
    feature = 2.5 * np.random.default_rng(5).standard_normal((4, d))
    beta = linear_transfer_readout(X, y, feature)
    for i in range(4):
        F = (X[i] @ feature[i])[:, None]
        c = np.linalg.lstsq(F, y[i], rcond=None)[0]
        np.testing.assert_allclose(beta[i], feature[i] * c[0], rtol=1e-10, atol=1e-12)
    # at lam = 0 the result does not depend on the scale (depth, norm_s)
    np.testing.assert_allclose(linear_transfer_readout(X, y, feature, scale=0.3), beta, rtol=1e-12)


@pytest.mark.parametrize("lam", [0.1, 0.7])
def test_linear_transfer_readout_ridge_matches_explicit(lam):
    n, d = 12, 8
    X, y = _batch(n, d, seed=6)
    feature = np.random.default_rng(7).standard_normal((4, d)) * 1.7
    beta = linear_transfer_readout(X, y, feature, lam)
    scale = np.array([0.5, 1.0, 2.0, 3.0])
    beta_scaled = linear_transfer_readout(X, y, feature, lam, scale=scale)
    for i in range(4):
        F = (X[i] @ feature[i])[:, None]
        c = np.linalg.solve(F.T @ F + n * lam * np.eye(1), F.T @ y[i])
        np.testing.assert_allclose(beta[i], feature[i] * c[0], rtol=1e-10)
        # explicit scale s: feature column of norm s, i.e. lam_eff = lam / s^2
        G = (X[i] @ (scale[i] * feature[i] / np.linalg.norm(feature[i])))[:, None]
        c = np.linalg.solve(G.T @ G + n * lam * np.eye(1), G.T @ y[i])
        np.testing.assert_allclose(beta_scaled[i], scale[i] * feature[i] / np.linalg.norm(feature[i]) * c[0],
                                   rtol=1e-10)


def test_linear_transfer_readout_rejects_zero_feature():
    X, y = _batch(5, 4)
    with pytest.raises(ValueError, match="feature"):
        linear_transfer_readout(X, y, np.zeros((4, 4)))


@pytest.mark.parametrize("n,d,k", [(10, 8, 3), (3, 8, 5), (6, 6, 6)])
def test_rank_k_readout_matches_lstsq(n, d, k):
    X, y = _batch(n, d, seed=8)
    U = np.linalg.qr(np.random.default_rng(9).standard_normal((4, d, k)))[0]
    beta = rank_k_readout(X, y, U)
    for i in range(4):
        c = np.linalg.lstsq(X[i] @ U[i], y[i], rcond=None)[0]
        np.testing.assert_allclose(beta[i], U[i] @ c, rtol=1e-9, atol=1e-10)


# ------------------------------------------------------------------------------------------
# simulators: seeds, chunking, common random numbers
# ------------------------------------------------------------------------------------------
SIMULATORS = [
    (simulate_min_norm_risk, (12, 20, 0.2), {}),
    (simulate_ridge_risk, (12, 20, 0.2, 0.1), {}),
    (simulate_linear_transfer_risk, (12, 20, 0.7, 0.2), {"lam": 0.1, "depth": 3, "norm_s": 2.0}),
    (simulate_linear_transfer_finite_source, (12, 20, 0.7, 0.2, 0.5, 0.2), {"lam": 0.1}),
    (simulate_rank_k_risk, (12, 20, 3, 0.3, 0.2), {}),
]


@pytest.mark.parametrize("func,args,kwargs", SIMULATORS, ids=lambda v: getattr(v, "__name__", ""))
def test_simulators_deterministic_and_chunk_invariant(func, args, kwargs):
    ref = func(*args, **kwargs, instances=13, seed=11)
    assert isinstance(ref, MCEstimate) and ref.instances == 13
    assert np.all(np.isfinite(ref.samples)) and np.all(ref.samples >= 0)
    again = func(*args, **kwargs, instances=13, seed=11)
    np.testing.assert_array_equal(again.samples, ref.samples)
    for chunk in (1, 4, 13):
        other = func(*args, **kwargs, instances=13, seed=11, chunk_size=chunk)
        np.testing.assert_allclose(other.samples, ref.samples, rtol=1e-12, atol=0)
    prefix = func(*args, **kwargs, instances=5, seed=11)
    np.testing.assert_allclose(prefix.samples, ref.samples[:5], rtol=1e-12, atol=0)
    assert not np.array_equal(func(*args, **kwargs, instances=13, seed=12).samples, ref.samples)


def test_seed_sequence_and_generator_accepted():
    a = simulate_min_norm_risk(5, 8, 0.1, instances=4, seed=np.random.SeedSequence(3))
    b = simulate_min_norm_risk(5, 8, 0.1, instances=4, seed=np.random.SeedSequence(3))
    np.testing.assert_array_equal(a.samples, b.samples)
    assert simulate_min_norm_risk(5, 8, 0.1, instances=4, seed=np.random.default_rng(3)).instances == 4


def test_ridge_family_shares_data():
    kw = dict(instances=10, seed=3)
    mn = simulate_min_norm_risk(15, 15, 0.3, **kw)
    np.testing.assert_array_equal(simulate_ridge_risk(15, 15, 0.3, 0.0, **kw).samples, mn.samples)
    lams = [0.0, 0.05, 0.4]
    tuned = simulate_tuned_ridge_risk(15, 15, 0.3, lams, **kw)
    assert isinstance(tuned, TunedRidgeEstimate) and len(tuned.estimates) == 3
    np.testing.assert_allclose(tuned.estimates[0].samples, mn.samples, rtol=1e-8)
    np.testing.assert_allclose(tuned.estimates[2].samples,
                               simulate_ridge_risk(15, 15, 0.3, 0.4, **kw).samples, rtol=1e-10)
    assert tuned.best_mean == min(e.mean for e in tuned.estimates)
    assert tuned.best_lam == lams[tuned.best_index]
    # at n = d with noise some ridge penalty beats min-norm on the same data
    assert tuned.best_index != 0


def test_scratch_and_transfer_common_random_numbers():
    kw = dict(lam=0.2, norm_s=1.5, depth=3, instances=12, seed=4)
    res = simulate_scratch_and_transfer(10, 16, 0.9, 0.2, **kw)
    assert set(res) == {"scratch", "linear_transfer", "transferability"}
    np.testing.assert_allclose(res["linear_transfer"].samples,
                               simulate_linear_transfer_risk(10, 16, 0.9, 0.2, **kw).samples, rtol=1e-12)
    np.testing.assert_allclose(res["transferability"].samples,
                               res["scratch"].samples - res["linear_transfer"].samples, rtol=1e-12)


def test_linear_transfer_exact_cases():
    # theta = 0, sigma = 0: the feature is beta_t itself and least squares recovers it exactly
    est = simulate_linear_transfer_risk(5, 10, 0.0, 0.0, norm_t=2.0, instances=6, seed=0)
    np.testing.assert_allclose(est.samples, 0.0, atol=1e-20)
    # lam = 0: independent of depth and norm_s
    a = simulate_linear_transfer_risk(8, 10, 1.0, 0.3, instances=6, seed=1)
    b = simulate_linear_transfer_risk(8, 10, 1.0, 0.3, norm_s=3.0, depth=4, instances=6, seed=1)
    np.testing.assert_allclose(a.samples, b.samples, rtol=1e-12)
    # lam > 0: only lam_eff = lam / norm_s^(2(L-1)/L) matters (the feature direction ignores norm_s)
    c = simulate_linear_transfer_risk(8, 10, 1.0, 0.3, lam=0.2, norm_s=4.0, depth=2, instances=6, seed=1)
    e = simulate_linear_transfer_risk(8, 10, 1.0, 0.3, lam=0.8, norm_s=8.0, depth=3, instances=6, seed=1)
    f = simulate_linear_transfer_risk(8, 10, 1.0, 0.3, lam=0.05, instances=6, seed=1)
    assert c.info["lam_eff"] == pytest.approx(0.05) and e.info["lam_eff"] == pytest.approx(0.05)
    np.testing.assert_allclose(c.samples, e.samples, rtol=1e-10)
    np.testing.assert_allclose(c.samples, f.samples, rtol=1e-10)
    assert not np.allclose(c.samples, a.samples)


def test_rank_k_exact_cases():
    # residual 0, no noise, n >= k: the target lies in the feature space and is recovered exactly
    est = simulate_rank_k_risk(6, 10, 4, 0.0, 0.0, instances=5, seed=0)
    np.testing.assert_allclose(est.samples, 0.0, atol=1e-20)
    # the part of beta_t outside span U is never learned: risk >= residual
    est = simulate_rank_k_risk(20, 10, 3, 0.4, 0.1, instances=5, seed=0)
    assert np.all(est.samples >= 0.4 - 1e-12)


def test_finite_source_info():
    est = simulate_linear_transfer_finite_source(10, 20, 0.5, 0.2, 0.5, 0.1, instances=8, seed=2)
    assert est.info["n_s"] == 10
    for key in ("source_norm_sq", "source_overlap", "source_norm_sq_sem", "source_overlap_sem"):
        assert isinstance(est.info[key], float) and math.isfinite(est.info[key])
    assert est.info["source_norm_sq_samples"].shape == (8,)
    np.testing.assert_allclose(est.info["source_norm_sq"], est.info["source_norm_sq_samples"].mean())
    np.testing.assert_allclose(est.info["source_overlap"], est.info["source_overlap_samples"].mean())
    assert "source_norm_sq" in est.as_dict()


@pytest.mark.parametrize("n", [19, 20, 21])
def test_interpolation_threshold_finite_no_warnings(n):
    # n = d (and |n - d| = 1) with noise: heavy tailed but finite samples, no floating-point warnings
    # (pytest turns warnings into errors; errstate turns FP warnings into exceptions too)
    with np.errstate(all="raise"):
        res = simulate_scratch_and_transfer(n, 20, 0.5, 0.5, instances=20, seed=0)
        tuned = simulate_tuned_ridge_risk(n, 20, 0.5, [0.0, 0.1], instances=20, seed=0)
        mn = simulate_min_norm_risk(n, 20, 0.5, instances=20, seed=0)
    for est in (*res.values(), *tuned.estimates, mn):
        assert np.all(np.isfinite(est.samples))


# ------------------------------------------------------------------------------------------
# validation
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call,name", [
    (lambda: simulate_min_norm_risk(0, 10, 0.1, instances=2), "n"),
    (lambda: simulate_min_norm_risk(5, 0, 0.1, instances=2), "d"),
    (lambda: simulate_min_norm_risk(5, 10, -1, instances=2), "sigma"),
    (lambda: simulate_min_norm_risk(5, 10, 0.1, instances=0), "instances"),
    (lambda: simulate_min_norm_risk(5, 10, 0.1, instances=2.5), "instances"),
    (lambda: simulate_min_norm_risk(5, 10, 0.1, instances=2, seed=-3), "seed"),
    (lambda: simulate_min_norm_risk(5, 10, 0.1, norm_t=0, instances=2), "norm_t"),
    (lambda: simulate_min_norm_risk(5, 10, 0.1, instances=2, chunk_size=0), "chunk_size"),
    (lambda: simulate_ridge_risk(5, 10, 0.1, -0.5, instances=2), "lam"),
    (lambda: simulate_tuned_ridge_risk(5, 10, 0.1, [0.1, -1], instances=2), "lam"),
    (lambda: simulate_linear_transfer_risk(5, 10, 4, 0.1, instances=2), "theta"),
    (lambda: simulate_linear_transfer_risk(5, 1, 0.5, 0.1, instances=2), "d"),
    (lambda: simulate_linear_transfer_risk(5, 10, 0.5, 0.1, depth=1, instances=2), "depth"),
    (lambda: simulate_linear_transfer_risk(5, 10, 0.5, 0.1, norm_s=-1, instances=2), "norm_s"),
    (lambda: simulate_scratch_and_transfer(5, 10, 4, 0.1, instances=2), "theta"),
    (lambda: simulate_linear_transfer_finite_source(5, 10, 0.5, 0.1, 0.0, 0.1, instances=2), "gamma_s"),
    (lambda: simulate_linear_transfer_finite_source(5, 10, 0.5, 0.1, 0.01, 0.1, instances=2), "gamma_s"),
    (lambda: simulate_linear_transfer_finite_source(5, 10, 0.5, 0.1, 0.5, -0.1, instances=2), "sigma_s"),
    (lambda: simulate_rank_k_risk(5, 10, 2, 1.5, 0.1, instances=2), "residual"),
    (lambda: simulate_rank_k_risk(5, 10, 0, 0.5, 0.1, instances=2), "k"),
    (lambda: simulate_rank_k_risk(5, 10, 11, 0.5, 0.1, instances=2), "k"),
    (lambda: simulate_rank_k_risk(5, 10, 10, 0.5, 0.1, instances=2), "residual"),
    (lambda: ridge(np.ones((3, 2)), np.ones(3), -1.0), "lam"),
])
def test_bad_inputs_raise_naming_parameter(call, name):
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        call()


def test_shape_errors():
    with pytest.raises(ValueError, match="y has shape"):
        min_norm(np.ones((2, 3, 4)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="X has shape"):
        ridge(np.ones(3), np.ones(3), 0.1)


# ------------------------------------------------------------------------------------------
# one quick Monte Carlo sanity check (T1): noiseless min-norm bias
# ------------------------------------------------------------------------------------------
def test_noiseless_min_norm_bias_matches_random_subspace():
    n, d, norm_t = 15, 40, 1.5
    est = simulate_min_norm_risk(n, d, 0.0, norm_t=norm_t, instances=400, seed=2024)
    expected = (1 - n / d) * norm_t**2
    assert abs(est.zscore(expected)) < 5, (est, expected)
