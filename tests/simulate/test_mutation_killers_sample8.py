"""Behaviour the seventh (out-of-sample) mutation check of ``ftheory/simulate`` showed untested.

The survivors and their exposing inputs are in ``benchmarks/mutation/sample8/`` (S1-S3). Every expected value is
computed here from its definition, not copied from a run. Each killer was run in the mutant tree of that check
(main e8f9c8e): it passes on the original and fails with its mutant on (``MUTANT_UNDER_TEST``), except the one
marked "bug", which failed on the original too (fixed since). Mutant (``ftheory.simulate.`` left off) -> test:

stats.x_theory_gap_11 -> theory_gap_of_scalars; data.x_sphere_inputs_29 -> sphere_radius;
deep_linear.rank_one.x_finetune_rank_one_187 -> finetune_rank_one_lr; _linear_core.x__check_rcond_23 ->
min_norm_rcond; deep_linear.spectral.x__span_21 -> max_steps_zero (bug; the mutant is equivalent on the fixed
code); aniso.x_simulate_aniso_linear_transfer_risk_36, linear_grid.x_simulate_ridge_grid_104,
linear_grid.x_simulate_transfer_grid_270, linear.x_simulate_rank_k_risk_100 -> chunk_size_is_what_the_memory_guard
_counts; relu.objectives.PopulationLoss.__init___15 -> population_loss; deep_linear.training.x_train_13 ->
train_with_X_but_no_y; aniso.x_simulate_aniso_finetune_linear_risk_10, linear.x_simulate_linear_transfer_risk_17
-> a_bad_seed; deep_linear.spectral.x__width_one_65 -> zero_first_layer; deep_linear.spectral.x__span_5 ->
span_finds_the_rank; paired_rows.x_simulate_finetune_rows_167 -> finetune_rows_gap; deep_linear.engine.x__run_flow
_316 -> flow_met; relu.spans.x_simulate_teacher_outside_1 -> teacher_outside_default; stats.x_paired_gap_stats_80
-> paired_gap; deep_linear.spectral.x__row_space_135 -> training_loss_on_rank_deficient;
relu.procedures.x__check_target_6 -> relu_pretrain_refuses; relu.driver.x__pretrain_tasks_17 ->
relu_transfer_with_a_source_sample; deep_linear.montecarlo._BalancedPretraining.__init___6 -> balanced_pretraining;
stats.x_pooled_mean_sem_7 -> pooled_sem; sweeps.x__run_dask_14 -> own_dask_cluster;
relu.driver.x_simulate_relu_transfer_31 -> relu_transfer_names_mus.

Tests for the bugs the survivors led to: the rank tests underflowing at weights near 1e-165, the least-squares
floor of rank-deficient data, data passed beside ``beta_s``, NumPy booleans in a ridge grid, NumPy reprs in a
grid error.
"""
import doctest
import math
import os

import numpy as np
import pytest

import ftheory._checks as checks
from ftheory.simulate import stats
from ftheory.simulate.aniso import (simulate_aniso_finetune_linear_risk, simulate_aniso_linear_transfer_risk,
                                    simulate_aniso_tuned_ridge_risk)
from ftheory.simulate.data import sphere_inputs
from ftheory.simulate.deep_linear.montecarlo import simulate_deep_linear
from ftheory.simulate.deep_linear.network import DeepLinearNet, init_network
from ftheory.simulate.deep_linear.rank_one import finetune_rank_one
from ftheory.simulate.deep_linear.spectral import _span
from ftheory.simulate.deep_linear.training import pretrain, train
from ftheory.simulate.linear import simulate_linear_transfer_risk, simulate_rank_k_risk
from ftheory.simulate.linear_estimators import min_norm
from ftheory.simulate.linear_grid import simulate_ridge_grid, simulate_transfer_grid
from ftheory.simulate.paired_rows import simulate_finetune_rows
from ftheory.simulate.relu import PopulationLoss, ReluFunction, draw_teacher, init_student, simulate_relu_transfer
from ftheory.simulate.relu import pretrain as relu_pretrain
from ftheory.simulate.relu.network import risk
from ftheory.simulate.relu.spans import simulate_teacher_outside
from ftheory.simulate.stats import paired_gap_stats, pooled_mean_sem, theory_gap

TINY = dict(d=3, m=4, m_star=2, instances=1)


# --- records and return types ------------------------------------------------------------------------------

def test_theory_gap_of_scalars_is_a_python_float_and_its_doctest_passes():
    g = theory_gap(0.25, 0.5)
    assert type(g) is float and g == -0.25 and repr(g) == "-0.25"
    arr = theory_gap([0.25, 1.0], 0.5)
    assert isinstance(arr, np.ndarray) and arr.tolist() == [-0.25, 0.5]
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in finder.find(theory_gap, "theory_gap", globs={"np": np, "theory_gap": theory_gap}):
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_balanced_pretraining_reports_integer_step_counts_like_trained_pretraining():
    kw = dict(n=4, d=6, theta=0.3, instances=2, seed=0)
    balanced = simulate_deep_linear("lt", pretrained="balanced", **kw).info["pretrain_steps"]
    trained = simulate_deep_linear("lt", pretrained="gd", pretrain_steps=5, **kw).info["pretrain_steps"]
    assert balanced.dtype.kind == "i" and trained.dtype.kind == "i"
    assert balanced.tolist() == [0, 0]


def test_teacher_outside_default_is_twenty_instances():
    out = simulate_teacher_outside(4, 6, [0.0, 0.5], seed=0)
    assert out["absolute"].shape == (20, 2) and out["relative"].shape == (20, 2)


def test_paired_gap_slope_standard_error_for_a_small_weighted_sum_of_squares():
    # one point: gap 1, s.e. 1, prediction 0.5 -> sxx = w p^2 = 0.25, slope = w g p / sxx = 2, s.e. 1/sqrt(sxx) = 2
    out = paired_gap_stats([1.0], [1.0], [0.5])
    assert out["points"] == 1 and out["slope"] == 2.0 and out["slope_sem"] == 2.0
    # and a larger one: two points with s.e. 0.5 (w = 4), predictions 0.3 and 0.4
    out = paired_gap_stats([0.1, 0.2], [0.5, 0.5], [0.3, 0.4])
    sxx = 4 * (0.3 ** 2 + 0.4 ** 2)
    assert out["slope_sem"] == pytest.approx(1 / math.sqrt(sxx), rel=1e-15)


def test_pooled_sem_treats_none_as_missing_and_integers_without_overflow():
    assert pooled_mean_sem([1.0, 3.0, 2.0], [0.3, 0.4, None]) == pytest.approx((2.0, 0.25), rel=1e-15)
    # sqrt(3e9^2 + 4e9^2) / 2 = 2.5e9 (int64 squares would overflow)
    mean, sem = pooled_mean_sem([1.0, 3.0], [3_000_000_000, 4_000_000_000])
    assert mean == 2.0 and sem == pytest.approx(2.5e9, rel=1e-15)


# --- validation ----------------------------------------------------------------------------------------------

def test_sphere_radius_refuses_a_boolean():
    with pytest.raises(ValueError, match=r"^radius=True is invalid: expected a real number in \(0, inf\)$"):
        sphere_inputs(2, 3, radius=True, seed=0)
    X = sphere_inputs(2, 3, radius=2.0, seed=0)
    assert np.allclose(np.linalg.norm(X, axis=1), 2.0, rtol=4e-16)


def test_min_norm_rcond_refuses_a_boolean():
    X, y = np.eye(3)[None, :2], np.ones((1, 2))
    with pytest.raises(ValueError, match=r"^rcond=True is invalid: expected a real number >= 0$"):
        min_norm(X, y, rcond=True)


def test_finetune_rank_one_lr_with_a_none_entry_is_a_value_error():
    rng = np.random.default_rng(0)
    beta, X, y = rng.standard_normal((2, 4)), rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 3))
    with pytest.raises(ValueError, match=r"^lr=\[None, 0\.1\] is invalid: expected None, a positive number"):
        finetune_rank_one(beta, X, y, lr=[None, 0.1])


def _train_inputs():
    rng = np.random.default_rng(1)
    return (init_network(4, depth=2, instances=1, seed=0), rng.standard_normal((1, 3, 4)),
            rng.standard_normal((1, 3)), rng.standard_normal((1, 4)))


def test_train_with_X_but_no_y_is_refused():
    net, X, y, bs = _train_inputs()
    with pytest.raises(ValueError, match=r"^give exactly one of \(X, y\) and beta_s"):
        train(net, X=X)
    with pytest.raises(ValueError, match=r"^give exactly one of \(X, y\) and beta_s"):
        train(net, y=y)


def test_train_says_what_is_missing_and_refuses_data_beside_beta_s():
    net, X, y, bs = _train_inputs()
    with pytest.raises(ValueError, match=r"^give exactly one of \(X, y\) and beta_s: y missing$"):
        train(net, X=X)
    with pytest.raises(ValueError, match=r"^give exactly one of \(X, y\) and beta_s: X and y missing$"):
        train(net)
    # data beside beta_s used to be silently ignored (population loss)
    with pytest.raises(ValueError, match=r"^give exactly one of \(X, y\) and beta_s: got beta_s and X$"):
        train(net, X=X, beta_s=bs)
    with pytest.raises(ValueError, match=r"^give exactly one of \(X, y\) and beta_s: got beta_s and X and y$"):
        train(net, X=X, y=y, beta_s=bs)
    with pytest.raises(ValueError, match=r"^give exactly one of beta_s \(population source\) and \(X_s, y_s\) "
                                         r"\(finite source\): got beta_s and y_s$"):
        pretrain(bs, y_s=y, net=net)


def test_relu_pretrain_refuses_a_source_of_another_batch_size():
    net = init_student(3, 4, instances=2, seed=0)
    source = draw_teacher(3, 2, instances=1, seed=1).target
    with pytest.raises(ValueError, match=r"^source must be a ReluFunction with the batch size and input "
                                         r"dimension of net$"):
        relu_pretrain(net, source, steps=1)


def test_relu_transfer_names_mus_in_its_grid_error():
    with pytest.raises(ValueError, match=r"^mus=\[\] is invalid"):
        simulate_relu_transfer([3], [], seed=0, **TINY)


def test_aniso_tuned_ridge_refuses_numpy_booleans_in_a_list():
    ev, bt = np.ones(4), np.ones(4) / 2
    for lams in ([np.True_, 0.1], [0.1, np.False_], np.array([True, False]), [True, 0.1]):
        with pytest.raises(ValueError, match=r"^lams=.* is invalid: expected a non-empty one-dimensional grid"):
            simulate_aniso_tuned_ridge_risk(ev, bt, 3, 0.1, lams, instances=2, seed=0)


# Per-parameter checks (the seed's included) come before the checks that look at several values together:
# the degenerate source teacher, the memory guard. A bad seed is reported as such whatever the sizes.

def test_a_bad_seed_is_reported_before_the_memory_guard_and_the_teacher_check():
    with pytest.raises(ValueError, match=r"^seed=-1 is invalid"):
        simulate_linear_transfer_risk(10 ** 7, 10 ** 7, 0.5, 0.1, seed=-1)
    with pytest.raises(ValueError, match=r"^seed='x' is invalid"):
        simulate_linear_transfer_risk(10 ** 7, 10 ** 7, 0.5, 0.1, seed="x")
    ev = np.ones(6)
    with pytest.raises(ValueError, match=r"^seed=-1 is invalid"):
        simulate_aniso_finetune_linear_risk(ev, np.zeros(6), np.ones(6), 4, 0.1, seed=-1)
    with pytest.raises(ValueError, match=r"^seed=-1 is invalid"):
        simulate_aniso_finetune_linear_risk(ev, np.ones(6), np.ones(6), 10 ** 9, 0.1, seed=-1)


# --- chunk_size reaches the memory guard --------------------------------------------------------------------
# A user's chunk_size sets how many instances are held at once, so it is what the up-front memory check must
# count: a chunk that cannot fit is refused before any work, a small one runs.

def _sims(n):
    ev = np.linspace(0.5, 2.0, n)
    return {
        "aniso_linear_transfer": lambda **kw: simulate_aniso_linear_transfer_risk(
            ev, np.ones(n), np.arange(float(n)), n, 0.1, **kw),
        "ridge_grid": lambda **kw: simulate_ridge_grid(n, n, 0.1, [0.0, 0.3], **kw),
        "transfer_grid": lambda **kw: simulate_transfer_grid(n, n, [0.3], 0.1, **kw),
        "rank_k": lambda **kw: simulate_rank_k_risk(n, n, 2, 0.1, 0.1, **kw),
    }


@pytest.mark.parametrize("name", ["aniso_linear_transfer", "ridge_grid", "transfer_grid", "rank_k"])
def test_chunk_size_is_what_the_memory_guard_counts(name, monkeypatch):
    n, instances = 10, 40
    per_instance = 8 * 3 * n * n                  # bytes: design matrix, a working copy and its SVD
    monkeypatch.setattr(checks, "_physical_memory", lambda: 5 * per_instance)
    sim = _sims(n)[name]
    with pytest.raises(ValueError, match=r"needs about .* GB .*this machine has .* GB of memory"):
        sim(instances=instances, seed=3, chunk_size=instances)
    out = sim(instances=instances, seed=3, chunk_size=2)    # 2 instances at a time fit
    assert out is not None


# --- deep linear engine: paths, flags and rare inputs -------------------------------------------------------

def test_zero_first_layer_is_the_rank_one_state():
    """A zero first layer is ``W_1 = (W_1 v) v^T`` with ``W_1 v = 0``: the width-one engine applies (the
    ``path`` says which implementation ran), with the same numbers as the textbook full engine."""
    rng = np.random.default_rng(0)
    net = DeepLinearNet((np.zeros((1, 6, 3)), rng.standard_normal((1, 3, 1))))
    X, y = rng.standard_normal((1, 3, 6)), rng.standard_normal((1, 3))
    red = train(net, X=X, y=y, max_steps=50)
    full = train(net, X=X, y=y, max_steps=50, reduced=False)
    assert red.path == "reduced-width1"
    assert np.allclose(red.beta, full.beta, rtol=1e-12, atol=1e-14)


def test_span_finds_the_rank_of_a_square_matrix_whose_qr_pivots_hide_it():
    """``I - 8 triu(1, 1)`` (16 x 16) has unit QR pivots but numerical rank 15 (its smallest singular value
    is about 1e-16 of the largest): the basis must have 15 columns and still contain the columns."""
    T = np.eye(16) - 8 * np.triu(np.ones((16, 16)), 1)
    sv = np.linalg.svd(T, compute_uv=False)
    assert sv[-1] < 1e-14 * sv[0] < sv[-2]          # the premise, computed
    V = _span(T[None])
    assert V.shape == (1, 16, 15)
    assert np.allclose(V[0].T @ V[0], np.eye(15), atol=1e-14)
    res = T - V[0] @ (V[0].T @ T)
    assert np.linalg.norm(res) <= 1e-13 * np.linalg.norm(T)


def test_max_steps_zero_returns_the_layers_at_any_scale():
    """No step taken: the weights come back unchanged, also when they are so small (1e-165) that their
    squares underflow (the rank tests of the reduced engine used to see them as zero and drop directions)."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((1, 3, 4)), rng.standard_normal((1, 3))
    for scale in (1.0, 1e-165):
        ws = (scale * rng.standard_normal((1, 4, 6)), scale * rng.standard_normal((1, 6, 6)),
              scale * rng.standard_normal((1, 6, 1)))
        for depth_ws in (ws, (ws[0][:, :, :1].copy(), ws[2][:, :1].copy())):
            out = train(DeepLinearNet(depth_ws), X=X, y=y, max_steps=0)
            for a, b in zip(depth_ws, out.net.weights):
                assert np.array_equal(a, b), (scale, out.path)


def test_tiny_first_layer_trains_like_the_full_engine():
    """Depth 2, ``W_1`` full rank at 1e-165 beside a unit read-out: not the rank-one state. Gradient descent
    from it matches the textbook full engine step for step."""
    rng = np.random.default_rng(5)
    net = DeepLinearNet((1e-165 * rng.standard_normal((1, 5, 4)), rng.standard_normal((1, 4, 1))))
    X, y = rng.standard_normal((1, 3, 5)), rng.standard_normal((1, 3))
    red = train(net, X=X, y=y, max_steps=30, lr=0.05)
    full = train(net, X=X, y=y, max_steps=30, lr=0.05, reduced=False)
    assert red.path != "reduced-width1"
    assert np.allclose(red.beta, full.beta, rtol=1e-10, atol=1e-14)
    assert np.allclose(red.net.weights[0], full.net.weights[0], rtol=1e-10, atol=1e-14)


def _duplicated_rows(n, d, seed):
    rng = np.random.default_rng(seed)
    X = np.tile(rng.standard_normal(d), (n, 1))[None]          # rank one: only the mean of y can be fitted
    y = rng.standard_normal((1, n))
    return X, y, float(np.mean((y - y.mean()) ** 2))           # the least-squares floor, by hand


@pytest.mark.parametrize("n,d", [(2, 3), (3, 3), (4, 3)])
def test_training_loss_on_rank_deficient_data_reaches_the_least_squares_floor(n, d):
    X, y, floor = _duplicated_rows(n, d, seed=n)
    net = init_network(d, depth=2, instances=1, seed=1)
    for reduced in (True, False):
        res = train(net, X=X, y=y, max_steps=20000, tol=1e-12, reduced=reduced)
        assert res.converged[0]
        assert res.loss[0] == pytest.approx(floor, rel=1e-6)


@pytest.mark.parametrize("n,d", [(2, 3), (3, 3), (4, 3)])
def test_floor_record_of_rank_deficient_data(n, d):
    X, y, floor = _duplicated_rows(n, d, seed=n)
    net = init_network(d, depth=2, instances=1, seed=1)
    for reduced in (True, False):
        res = train(net, X=X, y=y, max_steps=0, reduced=reduced)
        assert res.floor[0] == pytest.approx(floor, rel=1e-12)


def test_flow_met_criterion_at_the_end_of_the_time_span_is_converged():
    """``status 0`` (time span used up, no loss event) with the gradient criterion met counts as converged."""
    rng = np.random.default_rng(2)
    net = init_network(4, depth=2, instances=1, seed=0)
    X, y = rng.standard_normal((1, 3, 4)), rng.standard_normal((1, 3))
    out = train(net, X=X, y=y, method="flow", max_steps=0, tol=0.0, grad_tol=1e6)
    assert out.converged.tolist() == [True]
    out = train(net, X=X, y=y, method="flow", max_steps=0, tol=0.0, grad_tol=0.0)
    assert out.converged.tolist() == [False]


def test_finetune_rows_gap_rows_only_below_interpolation():
    """The null-space gap rows are documented for ``n < d``; at ``n = d`` the null space is empty."""
    at = simulate_finetune_rows(3, 3, 0.1, thetas=[0.5], instances=2, seed=1, max_steps=50)
    assert sorted(at) == ["T_ft:0", "T_lt:0"]
    below = simulate_finetune_rows(2, 3, 0.1, thetas=[0.5], instances=2, seed=1, max_steps=50)
    assert {"gap_paper:0", "c_gd:0"} <= set(below)


# --- ReLU ------------------------------------------------------------------------------------------------------

def test_population_loss_is_the_exact_risk_for_any_teacher_scale():
    """The loss at (W, a) is ``E_x (f_student - f_t)^2`` with ``f_student = sum_j (a_j / m) relu(w_j . x)``,
    whatever the norms of the teacher's rows (ReLU is positively homogeneous: ``2v, b`` is ``v, 2b``)."""
    rng = np.random.default_rng(0)
    V, b = 2.0 * rng.standard_normal((1, 3, 4)), rng.standard_normal((1, 3))
    W, a = rng.standard_normal((1, 5, 4)), rng.standard_normal((1, 5))
    student = ReluFunction(W, a / 5)
    for teacher in (ReluFunction(V, b), ReluFunction(V / 2, 2 * b)):
        loss = PopulationLoss(teacher)(W, a)[0]
        assert np.allclose(loss, risk(student, teacher), rtol=1e-12)


@pytest.fixture(scope="module")
def source_equal_width():
    return simulate_relu_transfer([3], [0.5], seed=0, source=4, steps=2, pretrain_steps=2, **TINY)


def test_relu_transfer_with_a_source_sample_as_large_as_the_width(source_equal_width):
    res = source_equal_width
    assert res.scratch.shape == (1, 1) and res.lt.shape == (1, 1, 1) and np.all(np.isfinite(res.lt))


def test_relu_estimate_grid_errors_show_plain_numbers(source_equal_width):
    res = source_equal_width
    with pytest.raises(ValueError) as e:
        res.estimate("scratch", n=5)
    assert str(e.value) == "n=5 is not on the grid [3]"
    with pytest.raises(ValueError) as e:
        res.estimate("lt", n=3, mu=0.25)
    assert str(e.value) == "mu=0.25 is not on the grid [0.5]"


# --- sweeps -----------------------------------------------------------------------------------------------------

def test_own_dask_cluster_defaults_to_one_worker_per_cpu(monkeypatch):
    distributed = pytest.importorskip("distributed")
    from ftheory.simulate.linear import simulate_min_norm_risk
    from ftheory.simulate.sweeps import sweep

    seen = []

    class Refused(Exception):
        pass

    def stand(**kwargs):
        seen.append(kwargs)
        raise Refused

    monkeypatch.setattr(distributed, "LocalCluster", stand)
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    with pytest.raises(Refused):
        sweep(simulate_min_norm_risk, {"n": [3]}, fixed={"d": 5, "sigma": 0.1}, instances=2, seed=0,
              executor="dask", progress=False)
    assert [k["n_workers"] for k in seen] == [3]
