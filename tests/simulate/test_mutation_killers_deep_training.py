"""deep_linear.training, the drivers' dimension check, ReLU records and two messages (written against
survivors of the second, out-of-sample mutmut run; not part of that run's score)."""
import numpy as np
import pytest

from ftheory.simulate.deep_linear import DeepLinearNet, linear_transfer, simulate_deep_linear, train, \
    train_scratch


def test_d_two_is_the_smallest_transfer_dimension():
    est = simulate_deep_linear("lt", n=3, d=2, instances=1, seed=0, pretrained="balanced")
    assert est.samples.shape == (1,)


def test_train_scratch_passes_grad_tol_through():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((1, 4, 6)), rng.standard_normal((1, 4))
    kw = dict(depth=2, max_steps=300, tol=0.0, seed=1)
    a = train_scratch(X, y, grad_tol=1e-1, **kw)
    b = train(train_scratch(X, y, max_steps=0, seed=1).net, X=X, y=y, max_steps=300, tol=0.0, grad_tol=1e-1)
    np.testing.assert_array_equal(a.steps, b.steps)
    assert np.all(a.steps < train_scratch(X, y, **kw).steps)  # the looser gradient criterion stops earlier


def test_linear_transfer_rank_keeps_that_many_directions():
    rng = np.random.default_rng(2)
    d, m, n = 5, 4, 9
    W1, W2 = rng.standard_normal((1, d, m)), rng.standard_normal((1, m, 1))
    X, y = rng.standard_normal((1, n, d)), rng.standard_normal((1, n))
    net = DeepLinearNet((W1, W2))
    F = X[0] @ W1[0]
    U, s, Vt = np.linalg.svd(F, full_matrices=False)
    for rank in (1, 2, 4):
        c = Vt[:rank].T @ ((U[:, :rank].T @ y[0]) / s[:rank])
        got = linear_transfer(net, X, y, rank=rank, rcond=0.0)
        np.testing.assert_allclose(got.beta[0], W1[0] @ c, rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError, match="^rank="):
        linear_transfer(net, X, y, rank=0)


def test_relu_gd_info_records_its_settings():
    from ftheory.simulate.relu import init_student, train

    net = init_student(3, 4, instances=1, seed=0)
    X = np.random.default_rng(1).standard_normal((1, 5, 3))
    res = train(net, X, np.ones((1, 5)), lr=0.5, steps=3, tol=1e-4, grad_tol=1e-5)
    assert res.info == {"lr": 0.5, "max_steps": 3, "tol": 1e-4, "grad_tol": 1e-5, "plateau": 0.0}


def test_relu_transfer_records_a_seed_sequence_by_its_repr():
    from ftheory.simulate.relu import simulate_relu_transfer

    res = simulate_relu_transfer([4], [0.0], d=3, m=4, m_star=2, instances=1, seed=np.random.SeedSequence(3),
                                 steps=1, pretrain_steps=1)
    assert res.params["seed"].startswith("SeedSequence(") and "entropy=3" in res.params["seed"]


def test_empty_grid_and_memory_messages():
    from ftheory.simulate.linear import simulate_min_norm_risk
    from ftheory.simulate.sweeps import sweep

    with pytest.raises(ValueError, match=r"^grid\['n'\] is empty"):
        sweep(simulate_min_norm_risk, {"n": []}, fixed={"d": 3, "sigma": 0.0}, instances=1, progress=False)
    with pytest.raises(ValueError, match=r"a Monte Carlo instance with 1e\+12 data entries \(n x d\)"):
        simulate_min_norm_risk(10**6, 10**6, 0.0, instances=1, seed=0)
