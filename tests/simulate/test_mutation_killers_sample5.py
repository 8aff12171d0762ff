"""Written against non-equivalent survivors of the fifth simulate mutmut sample (seed 20261206,
docs/testing.md "Fifth check"), AFTER its tally was recorded: in-sample, not part of that score.
Expected values are computed in the test (exact messages, NumPy's own Gram product, a redraw with the
same seed, the wrapped function's own signature)."""
import inspect

import numpy as np
import pytest

from ftheory.simulate.aniso import block_teacher
from ftheory.simulate.data import teachers
from ftheory.simulate.deep_linear.spectral import _gram, _gram_pays
from ftheory.simulate.linear import simulate_min_norm_risk
from ftheory.simulate.relu.network import draw_teacher, init_student
from ftheory.simulate.relu.procedures import pretrain as relu_pretrain


def test_teachers_messages_name_the_parameter_and_its_exact_domain():
    with pytest.raises(ValueError, match=r"^norm_t=0 is invalid: expected a real number in \(0, inf\)$"):
        teachers(4, 0.3, norm_t=0)
    with pytest.raises(ValueError, match=r"^theta=4.0 is invalid: expected a real number in \[0, pi\]$"):
        teachers(4, 4.0)


def test_relu_messages_name_instances_and_plateau():
    with pytest.raises(ValueError, match=r"^instances=0 is invalid"):
        draw_teacher(4, 2, instances=0)
    teacher, st = draw_teacher(3, 2, instances=1, seed=0), init_student(3, 4, instances=1, seed=1)
    with pytest.raises(ValueError, match=r"^plateau=-1.0 is invalid"):
        relu_pretrain(st, teacher.source(0.5), plateau=-1.0, steps=2)


def test_takes_gamma_publishes_the_wrapped_signature_plus_gamma():
    params = list(inspect.signature(simulate_min_norm_risk).parameters)
    inner = list(inspect.signature(inspect.unwrap(simulate_min_norm_risk)).parameters)
    assert params == inner + ["gamma"] and "n" in params


def test_gram_is_the_smaller_product_and_n_equal_d_is_not_a_gram_case():
    X = np.random.default_rng(0).standard_normal((2, 5, 3))      # n > d: X^T X, shape (2, 3, 3)
    assert np.array_equal(_gram(X), np.swapaxes(X, 1, 2) @ X)
    Y = np.swapaxes(X, 1, 2)                                      # n < d: X X^T
    assert np.array_equal(_gram(Y), Y @ X)
    assert _gram_pays(np.zeros((1, 4, 4))) is False               # n = d: cond infinite, no division by 0


def test_block_teacher_is_reproducible_from_its_seed():
    a, b = block_teacher(6, 2, 0.5, seed=3), block_teacher(6, 2, 0.5, seed=3)
    assert np.array_equal(a, b)
    assert np.linalg.norm(a[:2]) ** 2 == pytest.approx(0.5, rel=1e-12)


def test_deep_linear_stop_rule_updates_done_in_place_and_met_includes_its_boundary():
    from ftheory.simulate.deep_linear.engine import _met, _stop_rule
    # J = J0 - tol exactly (1.0 - 0.5 = 0.5 in binary) with a zero gradient: met although excess > tol
    assert _met(np.array([1.0]), np.array([0.0]), np.array([0.5]), np.array([1.0]), 0.5, 1e-8).tolist() == [True]
    active, diverged, done = np.array([True, True]), np.array([False, False]), np.array([False, False])
    conv, _ = _stop_rule(np.array([0.0, 1.0]), np.array([0.0, 1.0]), np.array([0.0, 1.0]), np.array([1.0, 1.0]),
                         1e-6, 1e-8, True, active, diverged, done)
    assert conv.tolist() == [True, False]
    assert done.tolist() == [True, False] and active.tolist() == [False, True] and not diverged.any()


def test_relu_function_and_population_loss_edge_cases():
    from ftheory.simulate.relu.network import ReluFunction
    from ftheory.simulate.relu.objectives import PopulationLoss
    f = ReluFunction(np.array([[[1.0, 0.0], [0.0, 0.0]]], dtype=np.float32), np.array([[1.0, 1.0]]))
    assert f.weights.dtype == np.float64                       # documented float64 batch
    loss = PopulationLoss(f)                                   # a zero teacher neuron: direction set to 0
    assert np.array_equal(loss.vhat, np.array([[[1.0, 0.0], [0.0, 0.0]]]))
    p32 = PopulationLoss(f, dtype="float32")                   # rounding allowance 4 eps32 sqrt(m + p)
    assert p32.rounding(3) == 4.0 * float(np.finfo(np.float32).eps) * np.sqrt(3 + 2)


def test_run_tasks_returns_every_result_in_task_order():
    import operator

    from ftheory.simulate.sweeps import run_tasks
    assert run_tasks(operator.add, [(1, 2), (3, 4), (5, 6)]) == [3, 7, 11]


def test_deep_transfer_population_pretraining_gets_pretrain_lr_and_records_convergence():
    from ftheory.simulate.deep_linear.montecarlo import simulate_transfer
    kw = dict(n=4, d=6, theta=0.3, depth=2, width=3, instances=2, seed=0, max_steps=20, pretrain_steps=20)
    a, b = simulate_transfer(**kw, pretrain_lr=0.01), simulate_transfer(**kw, pretrain_lr=0.02)
    assert "pretrain_converged" in a["lt"].info and "pretrain_converged" in a["ft"].info
    # 20 steps at two step sizes from the same draws: the source fits differ, so does linear transfer
    assert not np.array_equal(np.asarray(a["lt"].info["pretrain_loss"]), np.asarray(b["lt"].info["pretrain_loss"]))
    assert not np.array_equal(a["lt"].samples, b["lt"].samples)


def test_simulate_relu_is_seeded_and_ft_convergence_needs_pretraining_and_fine_tuning():
    from ftheory.simulate.relu.driver import simulate_relu, simulate_relu_transfer
    kw = dict(d=3, m=4, m_star=2, instances=2, steps=5, pretrain_steps=5, finetune=True)
    a, b = simulate_relu(6, 0.5, seed=1, **kw), simulate_relu(6, 0.5, seed=1, **kw)
    assert all(np.array_equal(a[k].samples, b[k].samples) for k in ("scratch", "lt", "ft"))
    res = simulate_relu_transfer([6], [0.5], seed=1, **kw)
    res.pretrain_converged = np.array([[True], [False]])
    res.ft_converged = np.array([[[False]], [[True]]])
    assert res.estimate("ft", mu=0.5, n=6).converged.tolist() == [False, False]
    assert res.estimate("lt", mu=0.5, n=6).converged.tolist() == [True, False]


def test_relu_memory_check_counts_eight_bytes_per_float():
    import os
    import types

    from ftheory.simulate.relu.driver import _check_memory
    have = float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    spec = types.SimpleNamespace(instances=1, d=8)
    n_ok = int(0.95 * have / (8.0 * 10))             # 8 (d + 2) n bytes = 0.95 of the memory: accepted
    _check_memory(spec, n_ok)
    with pytest.raises(ValueError, match=rf"^n={int(1.05 * have / 80.0)} is too large"):
        _check_memory(spec, int(1.05 * have / 80.0))


def test_relu_pretrain_early_stop_reaches_source_pretraining():
    from ftheory.simulate.relu.driver import simulate_relu_transfer
    kw = dict(d=3, m=4, m_star=2, instances=2, steps=5, pretrain_steps=20, pretrain_tol=0.5)
    a = simulate_relu_transfer([6], [0.5], seed=1, pretrain_early_stop=True, **kw)
    b = simulate_relu_transfer([6], [0.5], seed=1, pretrain_early_stop=False, **kw)
    # the same draws; stopping at the loose tol leaves the first instance's source fit visibly worse
    assert a.pretrain_risk[0, 0] > 2 * b.pretrain_risk[0, 0]


def test_width1_engine_matches_full_gd_from_an_unbalanced_rank_one_state(monkeypatch):
    """Rank one along v1, v2 but with layer scales 1, 0.5, 2 (not balanced): the spectral width-1 kernel
    must still reproduce full-width GD, including the convergence flags without early stopping."""
    import ftheory.simulate.deep_linear.spectral as spectral
    from ftheory.simulate.deep_linear import DeepLinearNet, train

    monkeypatch.setattr(spectral, "_GRAM_COND", 0.0)            # the spectral kernel (run_width1)
    rng = np.random.default_rng(5)
    B, n, d, m = 2, 40, 30, 3
    X = rng.standard_normal((B, n, d))
    y = X @ (rng.standard_normal((B, d)) / np.sqrt(d))[..., None]
    y = y[..., 0]
    u = rng.standard_normal((B, d, 1)) / np.sqrt(d)
    v1, v2 = (q / np.linalg.norm(q, axis=1, keepdims=True) for q in rng.standard_normal((2, B, m, 1)))
    net = DeepLinearNet((1.0 * u @ np.swapaxes(v1, 1, 2), 0.5 * v1 @ np.swapaxes(v2, 1, 2), 2.0 * v2))
    kw = dict(X=X, y=y, lr=0.02, max_steps=300, tol=0.5, grad_tol=0.0, early_stop=False)
    red, full = train(net, reduced=True, **kw), train(net, reduced=False, **kw)
    assert red.path == "reduced-width1" and full.path == "full"
    assert full.converged.all() and np.array_equal(red.converged, full.converged)
    assert np.abs(red.beta - full.beta).max() < 1e-10 * np.abs(full.beta).max()


def test_relu_gd_instances_that_die_are_diverged_not_converged():
    from ftheory.simulate.relu.procedures import train as relu_train
    st = init_student(3, 4, instances=2, seed=1)
    X, y = np.random.default_rng(2).standard_normal((2, 6, 3)), np.ones((2, 6))
    # lr = 1e30: every step overshoots, lr is halved until below lr0 2^-40 (41 halvings): dead
    r = relu_train(st, X, y, lr=1e30, steps=200, tol=0.0, grad_tol=0.0)
    assert r.halvings.tolist() == [41, 41]
    assert r.diverged.tolist() == [True, True] and r.converged.tolist() == [False, False]


def test_gamma_decorated_simulators_defaults_records_and_checks():
    """Survivors of the separate sample of the @takes_gamma entry points (seed 20261207), in-sample."""
    from ftheory.simulate.aniso import simulate_aniso_deep_finetune
    from ftheory.simulate.linear_source import simulate_linear_transfer_finite_source
    with pytest.raises(ValueError, match=r"^chunk_size=0 is invalid"):
        simulate_linear_transfer_finite_source(4, 6, 0.3, 0.0, 2.0, 0.0, instances=2, chunk_size=0)
    ev = np.ones(4)
    b_s, b_t = np.array([1.0, 0.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0, 0.0])
    out = simulate_aniso_deep_finetune(ev, b_s, b_t, 6, 0.1, instances=2, seed=0, max_steps=5)   # n >= d
    info = out["deep"].info
    assert info["depth"] == 2 and info["sigma"] == 0.1 and info["n"] == 6 and info["d"] == 4
    assert out["scale"].samples.shape == (2,) and np.isnan(out["scale"].samples).all()
