"""More contracts found by mutmut survivors: the lazy low-rank layer store equals the dense one, distinct
sweep points get distinct seeds, documented defaults of draw_teacher and ReLU pretraining, the worker count
reaches the process pool, and the anisotropic deep fine-tuning structure."""
import numpy as np
import pytest

from ftheory.simulate import sweeps
from ftheory.simulate.aniso import simulate_aniso_deep_finetune
from ftheory.simulate.deep_linear import train_scratch, training
from ftheory.simulate.linear import simulate_min_norm_risk
from ftheory.simulate.relu import draw_teacher, init_student, pretrain
from ftheory.simulate.sweeps import point_seed, sweep


def test_lazy_layer_store_gives_the_dense_iterates(monkeypatch):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((2, 5, 70)), rng.standard_normal((2, 5))  # 70 x 70 hidden layer > _LAZY_MIN
    lazy = train_scratch(X, y, depth=3, width=70, max_steps=30, seed=1)
    monkeypatch.setattr(training, "_LAZY_MIN", 10**9)  # every layer dense
    dense = train_scratch(X, y, depth=3, width=70, max_steps=30, seed=1)
    np.testing.assert_allclose(lazy.beta, dense.beta, rtol=1e-10, atol=1e-14)
    for a, b in zip(lazy.net.weights, dense.net.weights):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)


def test_distinct_points_get_distinct_seeds():
    s = [point_seed(1, p).generate_state(4) for p in ({"n": 3}, {"n": 4}, {"n": 3, "sigma": 0.1})]
    assert not np.array_equal(s[0], s[1]) and not np.array_equal(s[0], s[2])
    np.testing.assert_array_equal(point_seed(1, {"a": 1, "b": 2}).generate_state(4),
                                  point_seed(1, {"b": 2, "a": 1}).generate_state(4))
    assert not np.array_equal(point_seed(2, {"n": 3}).generate_state(4), s[0])


def test_documented_defaults():
    assert draw_teacher(4, 3, seed=0).instances == 1
    teacher = draw_teacher(5, 4, instances=2, seed=0)
    net = init_student(5, 8, instances=2, seed=1)
    kw = dict(lr=1.0, steps=40, tol=0.5)  # loose tolerance: converged long before the budget
    default = pretrain(net, teacher.source(0.0), **kw)
    np.testing.assert_array_equal(default.steps, pretrain(net, teacher.source(0.0), early_stop=True, **kw).steps)
    assert np.all(default.steps < 40)
    np.testing.assert_array_equal(pretrain(net, teacher.source(0.0), early_stop=False, **kw).steps, 40)


def test_worker_count_reaches_the_process_pool(monkeypatch):
    import concurrent.futures

    seen = []

    class Pool(concurrent.futures.ThreadPoolExecutor):  # same interface, records max_workers
        def __init__(self, max_workers=None):
            seen.append(max_workers)
            super().__init__(max_workers=1)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Pool)
    sweep(simulate_min_norm_risk, {"n": [3, 4]}, fixed={"d": 5, "sigma": 0.0}, instances=2, seed=0,
          executor="processes", workers=3, progress=False)
    with sweeps.use_executor("processes", workers=2):
        sweep(simulate_min_norm_risk, {"n": [3, 4]}, fixed={"d": 5, "sigma": 0.0}, instances=2, seed=0,
              progress=False)
    assert seen == [3, 2]


def test_aniso_deep_finetune_structure():
    ev = np.array([2.0, 1.5, 1.0, 0.5, 0.5, 0.5])
    bs = np.array([0.6, -0.3, 0.2, 0.5, 0.1, -0.4])
    bt = np.array([0.5, 0.2, -0.1, 0.4, 0.3, 0.1])
    res = simulate_aniso_deep_finetune(ev, bs, bt, 3, 0.0, depth=2, instances=2, seed=0, max_steps=20000,
                                       tol=1e-12)
    assert np.all(res["deep"].converged)
    # fine-tuning from the balanced state leaves the row-space fit plus a multiple of (I - P) beta_s
    assert res["deep"].info["null_leak"] < 1e-3
    assert np.all(np.isfinite(res["scale"].samples)) and np.all(res["scale"].samples > 0)
    info = res["linear"].info
    assert (info["n"], info["d"], info["depth"], info["method"], info["seed"]) == (3, 6, 2, "gd", 0)
    over = simulate_aniso_deep_finetune(ev, bs, bt, 8, 0.0, depth=2, instances=1, seed=0, max_steps=2000)
    assert np.isnan(over["scale"].samples[0]) and over["deep"].info["null_leak"] == 0.0
    with pytest.raises(ValueError, match="^depth="):
        simulate_aniso_deep_finetune(ev, bs, bt, 3, 0.0, depth=1, instances=1, seed=0)


def test_relu_teacher_take_keeps_every_field():
    t = draw_teacher(4, 3, instances=3, seed=2)
    sub = t.take(np.array([2, 0]))
    np.testing.assert_array_equal(sub.weights, t.weights[[2, 0]])
    np.testing.assert_array_equal(sub.coef, t.coef[[2, 0]])
    np.testing.assert_array_equal(sub.order, t.order[[2, 0]])


def test_relu_scratch_records_the_seed_and_names_ns():
    from ftheory.simulate.relu import simulate_relu_scratch

    out = simulate_relu_scratch([4], d=3, m=4, m_star=2, instances=1, seed=5, steps=1)
    assert out["params"]["seed"] == 5 and type(out["params"]["seed"]) is int
    out = simulate_relu_scratch([4], d=3, m=4, m_star=2, instances=1, seed=np.random.SeedSequence(5), steps=1)
    assert isinstance(out["params"]["seed"], str) and out["params"]["seed"].startswith("SeedSequence(")
    with pytest.raises(ValueError, match=r"^ns=\[\] is invalid"):
        simulate_relu_scratch([], d=3, m=4, m_star=2, instances=1, seed=5, steps=1)


def test_sigma_data_bad_sigma_names_its_domain():
    with pytest.raises(ValueError, match=r"^sigma=-1.0 is invalid: expected a real number in \[0, inf\)"):
        from ftheory.simulate.aniso import sigma_data
        sigma_data([1.0, 2.0], [0.1, 0.2], 3, sigma=-1.0, seed=0)


def test_ridge_refuses_an_array_penalty():
    from ftheory.simulate.linear import ridge

    with pytest.raises(ValueError, match=r"^lam=.* is invalid: expected a scalar in \[0, inf\)"):
        ridge(np.ones((3, 2)), np.ones(3), [0.1, 0.2])


def test_relu_transfer_bad_seed_fails_before_touching_the_checkpoint(tmp_path):
    from ftheory.simulate.relu import simulate_relu_transfer

    ck = tmp_path / "ck"
    with pytest.raises(ValueError, match="seed"):
        simulate_relu_transfer([4], [0.0], d=3, m=4, m_star=2, instances=1, seed=-1, steps=1, pretrain_steps=1,
                               checkpoint=str(ck))
    assert not ck.exists()


def test_min_norm_rcond_is_the_relative_singular_value_cutoff():
    from ftheory.simulate.linear import min_norm

    rng = np.random.default_rng(3)
    U, _ = np.linalg.qr(rng.standard_normal((6, 6)))
    V, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    X = U[:, :4] @ np.diag([4.0, 2.0, 1.0, 0.1]) @ V.T  # s / s_max = 1, 0.5, 0.25, 0.025
    y = rng.standard_normal(6)
    for rcond in (0.01, 0.3, 0.6):
        np.testing.assert_allclose(min_norm(X, y, rcond=rcond), np.linalg.pinv(X, rcond=rcond) @ y, rtol=1e-10)
    with pytest.raises(ValueError, match=r"^rcond=-1.0 is invalid: expected a real number >= 0"):
        min_norm(X, y, rcond=-1.0)


def test_sweep_store_probe_is_written_in_the_store(tmp_path):
    with pytest.raises(ValueError, match=r"^store='/proc/self' is invalid: expected a writable folder"):
        sweep(simulate_min_norm_risk, {"n": [3]}, fixed={"d": 4, "sigma": 0.0}, instances=1, seed=0,
              store="/proc/self", progress=False)


def test_pretrained_feature_norms_are_the_balanced_singular_value():
    from ftheory.simulate.paired import pretrained_feature_norms

    for depth in (2, 3):
        est = pretrained_feature_norms(5, 1.7, depth, instances=2, seed=0)
        assert np.all(est.converged) and est.info == {"d": 5, "depth": depth}
        # balanced rank-one state (docs/background.md §2.4): sigma_max(Phi) = ||beta_s||^{(L-1)/L}
        np.testing.assert_allclose(est.samples, 1.7 ** ((depth - 1) / depth), rtol=1e-3)
