"""Killers for the sample-7 survivors that first timed out under load (deep linear, linear, paired rows).

Expected values come from the documented definitions: exact messages and domains, the documented draw
order of the deep-linear Monte Carlo driver (teachers, target data, pretraining init, scratch init), the
Marchenko-Pastur rule of the width-1 kernel choice, and the byte count of the memory check.
"""
import math
import re

import numpy as np
import pytest

from ftheory.simulate.data import gaussian_data, teachers
from ftheory.simulate.deep_linear import simulate_deep_linear
from ftheory.simulate.deep_linear.network import DeepLinearNet, init_network, pretrained_state
from ftheory.simulate.deep_linear.training import finetune, linear_transfer, pretrain, train
from ftheory.simulate.linear import simulate_min_norm_risk
from ftheory.simulate.linear_estimators import linear_transfer_readout


def _data(n, d, instances=1, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((instances, n, d)), rng.standard_normal((instances, n))


def test_training_messages_name_the_parameter_the_type_and_the_domain():
    net = init_network(3, instances=1, seed=0)
    X, y = _data(2, 3)
    with pytest.raises(ValueError, match=r"^rcond=1\.0 is invalid: expected a real number in \[0, 1\)$"):
        linear_transfer(net, X, y, rcond=1.0)
    with pytest.raises(ValueError, match=r"^net=str is invalid: expected a DeepLinearNet$"):
        train("x", X=X, y=y)
    with pytest.raises(ValueError, match=r"^net=list is invalid: expected a DeepLinearNet$"):
        linear_transfer([], X, y)
    with pytest.raises(ValueError, match=r"^grad_tol=-1\.0 is invalid: expected a real number in \[0, inf\)$"):
        train(net, X=X, y=y, grad_tol=-1.0)
    with pytest.raises(ValueError, match=r"^feature must be finite with nonzero norm in every instance$"):
        linear_transfer_readout(np.ones((2, 3)), np.ones(2), np.zeros(3))


@pytest.mark.parametrize("procedure", ["lt", "sc", "ft"])
def test_driver_validates_lr_up_front_for_every_procedure(procedure):
    # linear transfer never uses lr, yet a bad lr is rejected (with the driver's own message) before any draw
    with pytest.raises(ValueError, match=r"^lr=0\.0 is invalid: expected a real number in \(0, inf\)$"):
        simulate_deep_linear(procedure, n=3, d=4, instances=1, seed=0, lr=0.0, max_steps=1, pretrain_steps=1)


def test_memory_check_counts_three_design_sized_arrays_per_chunk():
    n = d = 10**6
    # 3 arrays (design, working copy, SVD) of n*d float64 per instance, times the chunk of 2 instances
    need_gb = 3 * n * d * 2 * 8 / 1e9
    with pytest.raises(ValueError, match=re.escape(f"needs about {need_gb:.3g} GB (the design matrix, a working copy and "
                                                   "its SVD); this machine has")):
        simulate_min_norm_risk(n, d, 0.0, instances=3, seed=0, chunk_size=2)
    need_gb = 3 * n * d * 8 / 1e9        # default chunking: one instance at a time is the minimum
    with pytest.raises(ValueError, match=re.escape(f"needs about {need_gb:.3g} GB (")):
        simulate_min_norm_risk(n, d, 0.0, instances=3, seed=0)


def test_a_diverged_instance_stays_diverged_while_the_others_run_on():
    # per-instance steps: the first is far beyond 2 / lambda_max (its loss blows up within a few steps),
    # the second is small and keeps running to the budget (no early stop); the first must stay flagged
    d, n = 3, 6
    X, y = _data(n, d, instances=2, seed=3)
    for depth in (2, 3):
        net = init_network(d, depth=depth, instances=2, alpha=0.5, seed=1)
        lam_max = max(np.linalg.eigvalsh(X[i].T @ X[i] / n)[-1] for i in range(2))
        res = train(net, X=X, y=y, lr=[1e6 / lam_max, 1e-3 / lam_max], max_steps=60, early_stop=False)
        np.testing.assert_array_equal(res.diverged, [True, False])
        np.testing.assert_array_equal(res.converged, [False, False])
        assert res.steps[1] == 60 and res.steps[0] < 60
        assert not np.isfinite(res.loss[0]) or res.loss[0] > 1e20     # the documented blow-up level
    # the width-1 kernel (balanced rank-one start) uses the same rule
    beta0 = np.array([[0.3, -0.2, 0.1], [0.2, 0.1, 0.4]])
    net = pretrained_state(beta0, depth=2, seed=0)
    lam_max = max(np.linalg.eigvalsh(X[i].T @ X[i] / n)[-1] for i in range(2))
    res = train(net, X=X, y=y, lr=[1e6 / lam_max, 1e-3 / lam_max], max_steps=60, early_stop=False)
    assert res.path.startswith("reduced-width1")
    np.testing.assert_array_equal(res.diverged, [True, False])
    assert res.steps[1] == 60 and res.steps[0] < 60


@pytest.mark.parametrize("n,d", [(7, 8), (2, 40), (3, 400), (5, 400)])
def test_width1_kernel_choice_follows_the_marchenko_pastur_rule(n, d):
    # documented rule: the Gram kernel when cond(X X^T) ~ ((1 + r) / (1 - r))^2 <= 0.65 n, r = sqrt(n / d)
    r = math.sqrt(n / d)
    gram = ((1 + r) / (1 - r)) ** 2 <= 0.65 * n
    X, y = _data(n, d, seed=n)
    net = pretrained_state(np.ones((1, d)) / math.sqrt(d), depth=2, seed=0)
    res = train(net, X=X, y=y, max_steps=3)
    assert res.path == ("reduced-width1-gram" if gram else "reduced-width1")


def _documented_draws(n, d, depth, seed, instances, alpha):
    """Target data and pretraining initialisation per instance, in the driver's documented draw order."""
    Xs, ys, bs, bt, w_pre = [], [], [], [], []
    for child in np.random.SeedSequence(seed).spawn(instances):
        rng = np.random.default_rng(child)
        t = teachers(d, 0.5, seed=rng)
        X, y = gaussian_data(t.beta_t, n, sigma=0.1, seed=rng)
        net = init_network(d, depth=depth, alpha=alpha, seed=rng)
        Xs.append(X[0]), ys.append(y[0]), bs.append(t.beta_s[0]), bt.append(t.beta_t[0])
        w_pre.append(net.weights)
    pre = DeepLinearNet(tuple(np.concatenate([w[l] for w in w_pre]) for l in range(depth)))
    return np.stack(Xs), np.stack(ys), np.stack(bs), np.stack(bt), pre


@pytest.mark.parametrize("method", ["gd", "flow"])
def test_finetuning_receives_every_target_training_option(method):
    n, d, depth, seed, instances, alpha = 4, 3, 2, 5, 2, 0.1
    opts = dict(max_steps=60, tol=1e-2, wd=1e-3, lr=0.05)
    est = simulate_deep_linear("ft", n=n, d=d, theta=0.5, sigma=0.1, depth=depth, alpha=alpha, method=method,
                               instances=instances, seed=seed, pretrain_steps=60, pretrain_tol=1e-4,
                               pretrain_lr=0.2, **opts)
    X, y, beta_s, beta_t, net = _documented_draws(n, d, depth, seed, instances, alpha)
    pre = pretrain(beta_s, net=net, lr=0.2, max_steps=60, tol=1e-4, method=method)
    ft = finetune(pre.net, X, y, method=method, **opts)
    np.testing.assert_allclose(est.samples, np.sum((ft.beta - beta_t) ** 2, axis=1), rtol=1e-10)
    np.testing.assert_array_equal(est.info["steps"], ft.steps)
    assert est.info["steps"].dtype.kind == "i"
    np.testing.assert_array_equal(est.converged, pre.converged & ft.converged)
    np.testing.assert_allclose(est.info["final_loss"], ft.loss, rtol=1e-10)
    np.testing.assert_array_equal(est.info["lr"], 0.05)
    assert est.info["method"] == method and est.info["path"] == ft.path


# ---------------------------------------------------------------------------------------------- batch 2
def test_pretrain_passes_grad_tol_to_the_criterion():
    # tol = 0 and a huge grad_tol: the gradient test (with J <= J0 - tol, true at the start) stops at step 0
    beta_s = np.array([[1.0, 0.0, 0.0]])
    res = pretrain(beta_s, depth=2, alpha=0.1, seed=0, tol=0.0, grad_tol=1e9, max_steps=50)
    assert res.steps[0] == 0 and res.converged[0]


def test_train_default_budget_and_shape_checks():
    X, y = _data(3, 4, seed=1)
    net = pretrained_state(np.array([[0.5, 0.0, 0.0, 0.0]]), depth=2, seed=0)
    assert train(net, X=X, y=y).info["max_steps"] == 10000            # the documented default budget
    with pytest.raises(ValueError, match=r"^X and y must have shapes \(instances, n, d\) and \(instances, n\); "
                                         r"got \(1, 3, 4\), \(1, 2\)$"):
        train(net, X=X, y=y[:, :2])


def test_deep_driver_memory_estimate_counts_data_and_square_weights():
    n = d = 10**6
    need_gb = 8 * (4.0 * n * d + 4.0 * d * d) / 1e9
    with pytest.raises(ValueError, match=re.escape(f"the deep linear simulation (n={n}, d={d}) needs about "
                                                   f"{need_gb:.3g} GB (one instance's data")):
        simulate_deep_linear("sc", n=n, d=d, instances=1, seed=0)


def test_scratch_record_has_every_documented_key():
    est = simulate_deep_linear("sc", n=3, d=4, instances=2, seed=0, max_steps=3)
    for key in ("steps", "final_loss", "loss_floor", "lr", "diverged", "path"):
        assert key in est.info, key
    np.testing.assert_array_equal(est.info["diverged"], [False, False])


def test_rank_one_finetune_default_budget_and_shapes():
    from ftheory.simulate.deep_linear.rank_one import finetune_rank_one
    import inspect
    assert inspect.signature(finetune_rank_one).parameters["max_steps"].default == 10000
    X, y = _data(3, 4, seed=2)
    # tol = grad_tol = 0 never met: the default budget is spent
    res = finetune_rank_one(np.array([[[0.5, 0.0, 0.0, 0.0]]]), X, y, tol=0.0, grad_tol=0.0, lr=1e-6)
    assert int(np.max(res.steps)) == 10000
    with pytest.raises(ValueError, match=r"^beta_pre, X, y must have shapes \(G, B, d\), \(B, n, d\), \(B, n\)"):
        finetune_rank_one(np.zeros((1, 1, 2)), np.ones((1, 3, 2, 5)), np.ones((1, 3)))


def test_maps_gamma_needs_both_n_and_d():
    from ftheory.simulate.gamma import maps_gamma

    def f(n, d, sigma):
        return n

    def g(n, sigma):
        return n

    def h(n, d, gamma):
        return n
    assert maps_gamma(f) and not maps_gamma(g) and not maps_gamma(h)


def test_aniso_transfer_memory_check_counts_the_requested_chunk():
    from ftheory.simulate.aniso import simulate_aniso_transfer
    import inspect
    params = inspect.signature(simulate_aniso_transfer).parameters
    assert "chunk_size" in params
    d, n = 10**6, 10**6
    ev = np.ones(d)
    need_gb = 3 * n * d * 2 * 8 / 1e9
    beta = np.zeros(d)
    beta[0] = 1.0
    with pytest.raises(ValueError, match=re.escape(f"needs about {need_gb:.3g} GB (")):
        simulate_aniso_transfer(ev, beta, beta, n, 0.0, instances=3, seed=0, chunk_size=2)


def test_finetune_rows_flag_needs_every_stage_converged():
    from ftheory.simulate.paired_rows import row_key, simulate_finetune_rows
    # theta = 0, sigma = 0: the balanced pretrained network is the target teacher, so fine-tuning has
    # converged at step 0, while scratch from the small initialisation cannot within 2 steps
    out = simulate_finetune_rows(4, 3, 0.0, thetas=[0.0], instances=2, seed=0, max_steps=2)
    np.testing.assert_array_equal(out[row_key("T_ft", 0)].converged, [False, False])


def test_relu_spec_converts_pretrain_steps():
    from ftheory.simulate.relu.spec import ReluSpec
    spec = ReluSpec(pretrain_steps=np.int64(5))
    assert type(spec.pretrain_steps) is int and spec.pretrain_steps == 5


def test_relu_shape_checks_name_the_shapes():
    from ftheory.simulate.relu.network import ReluFunction, ReluNet, risk
    from ftheory.simulate.relu.procedures import refit_readout
    f = ReluFunction(np.ones((2, 3, 4)), np.ones((2, 3)))
    g = ReluFunction(np.ones((1, 3, 4)), np.ones((1, 3)))
    with pytest.raises(ValueError, match=r"^f has shape \(2, 3, 4\), g \(1, 3, 4\): batch sizes and input "
                                         r"dimensions must agree$"):
        risk(f, g)
    net = ReluNet(np.ones((2, 3, 4)), np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"^X \(1, 5, 4\) / y \(1, 5\): expected \(2, n, d\) and \(2, n\)$"):
        refit_readout(net, np.ones((1, 5, 4)), np.ones((1, 5)))


def test_relu_driver_keeps_the_initialisation_only_when_asked():
    from ftheory.simulate.relu import simulate_relu_transfer
    kw = dict(d=5, m=6, m_star=2, instances=2, seed=1, steps=2, pretrain_steps=2)
    res = simulate_relu_transfer([4], [0.0], **kw)
    assert res.init_weights is None and res.init_readout is None
    res = simulate_relu_transfer([4], [0.0], keep_init=True, **kw)
    assert res.init_weights.shape == (2, 6, 5) and res.init_readout.shape == (2, 6)


def test_relu_finetuning_with_the_plateau_rule_watches_the_target_risk():
    from ftheory.simulate.relu import simulate_relu_transfer
    res = simulate_relu_transfer([4], [0.0], d=5, m=6, m_star=2, instances=2, seed=1, steps=2,
                                 pretrain_steps=2, finetune=True, ft_steps=70, plateau=0.5, tol=0.0, grad_tol=0.0)
    # the plateau rule first looks at the risk at step 64 (ceil(64 * 2^0)), within the 70 steps
    assert res.ft.shape == res.lt.shape and np.all(np.isfinite(res.ft))


def test_sweep_accepts_numpy_integers_as_values():
    from ftheory.simulate.sweeps import sweep
    res = sweep(simulate_min_norm_risk, {"n": [np.int64(3)]}, fixed={"d": np.int64(4), "sigma": 0.0},
                instances=2, seed=0, progress=False)
    est = res.estimate(n=np.int64(3))
    assert est.info["d"] == 4 and type(est.info["n"]) is int


def test_sweep_reads_a_store_written_by_the_current_release(tmp_path):
    # the record file as the current release names and writes it (sha256 of the call, 24 hex digits);
    # a store must stay readable across versions, so its naming is pinned here (samples marked 1, 2)
    import json
    from ftheory.simulate.sweeps import sweep
    rec = {"point": {"n": 3}, "fixed": {"d": 4, "sigma": 0.0},
           "quantities": {"risk": {"samples": [1.0, 2.0], "converged": [True, True],
                                   "info": {"estimator": "min_norm", "n": 3, "d": 4, "sigma": 0.0, "norm_t": 1.0}}}}
    (tmp_path / "b8853c75362c0a678eda8892.json").write_text(json.dumps(rec))
    res = sweep(simulate_min_norm_risk, {"n": [3]}, fixed={"d": 4, "sigma": 0.0}, instances=2, seed=0,
                store=str(tmp_path), progress=False)
    assert (res.loaded, res.computed) == (1, 0)
    np.testing.assert_array_equal(res.estimate(n=3).samples, [1.0, 2.0])


def test_relu_gd_rejects_a_non_finite_step_only_in_its_own_instance():
    from ftheory.simulate.relu.gd import gradient_descent
    from ftheory.simulate.relu.network import ReluNet
    from ftheory.simulate.relu.objectives import EmpiricalLoss
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 5, 3))
    X[1] *= 1e120                # instance 1: its weight gradient overflows, every trial step is non-finite
    y = rng.standard_normal((2, 5))
    net = ReluNet(rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 4)))
    with np.errstate(over="ignore", invalid="ignore"):
        res = gradient_descent(EmpiricalLoss(X, y), net, 0.05, 10, 0.0, 0.0, True)
    assert res.steps[1] == 0
    assert res.steps[0] == 10        # instance 0 is untouched by instance 1: a small step is always accepted


# ---------------------------------------------------------------------------------------------- batch 3
def test_flow_flags_a_loss_above_the_blow_up_level_as_diverged():
    X, y = _data(4, 3, seed=0)
    net = init_network(3, depth=2, alpha=1e11, seed=0)      # beta ~ 1e22: loss ~ 1e44 > 1e20 at the start
    for reduced in (True, False):
        res = train(net, X=X, y=y, method="flow", lr=1e-40, max_steps=1, reduced=reduced)
        assert res.loss[0] > 1e20
        np.testing.assert_array_equal(res.diverged, [True])
        np.testing.assert_array_equal(res.converged, [False])


def test_train_rejects_non_finite_data_with_its_message():
    X, y = _data(3, 4, seed=1)
    X[0, 0, 0] = np.nan
    net = init_network(4, instances=1, seed=0)
    with pytest.raises(ValueError, match=r"^X and y must be finite$"):
        train(net, X=X, y=y)


def test_scratch_without_early_stop_spends_the_whole_budget():
    # early_stop=False: every instance runs max_steps steps (docs: "run max_steps, as [CODE] fine-tuning")
    est = simulate_deep_linear("sc", n=3, d=4, instances=2, seed=0, max_steps=40, tol=0.5, alpha=0.5,
                               early_stop=False)
    np.testing.assert_array_equal(est.info["steps"], [40, 40])
    est = simulate_deep_linear("sc", n=3, d=4, instances=2, seed=0, max_steps=40, tol=0.5, alpha=0.5)
    assert np.all(est.info["steps"] < 40) and np.all(est.converged)


def test_relu_memory_message_gives_the_machine_memory_in_gib():
    import os
    import types
    from ftheory.simulate.relu.driver import _check_memory
    have = float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    spec = types.SimpleNamespace(instances=1, d=8)
    n = int(2 * have / 80.0)
    need = 8.0 * n * 10
    with pytest.raises(ValueError, match=re.escape(f"need about {need / 2 ** 30:.3g} GiB (instances x n x d floats), "
                                                   f"this machine has {have / 2 ** 30:.3g} GiB") + "$"):
        _check_memory(spec, n)


def test_rank_deficient_data_fall_back_to_the_svd_silently():
    # a sample that is a combination of two others: X X^T is singular (its smallest eigenvalue comes out
    # at -1e-17 with this LAPACK, i.e. s = 0), the Gram route is refused and the SVD basis is used, with no floating-point
    # warning (warnings are errors here) and the end-to-end fit still exact on the data
    import warnings
    rng = np.random.default_rng(0)
    X = rng.standard_normal((1, 3, 5))
    X[0, 2] = 0.3 * X[0, 0] + 0.7 * X[0, 1]
    y = X[0] @ np.array([1.0, -0.5, 0.2, 0.0, 0.3])
    net = init_network(5, depth=2, alpha=0.1, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = train(net, X=X, y=y[None], tol=1e-10, max_steps=5000)
    assert res.converged[0]
    np.testing.assert_allclose(X[0] @ res.beta[0], y, atol=1e-4)


@pytest.mark.parametrize("depth,d,n,m", [(2, 3, 4, 3), (3, 4, 2, 5)])
def test_zero_network_runs_the_hidden_reduction_and_stays_at_zero(depth, d, n, m):
    # all weights zero: every hidden subspace H_j is {0}, not all of R^m, so the hidden layers are reduced
    # (documented rule of the bases: no reduction only where H_j is all of R^m); zero is a stationary point
    X, y = _data(n, d, seed=depth)
    shapes = [(1, d, m)] + [(1, m, m)] * (depth - 2) + [(1, m, 1)]
    res = train(DeepLinearNet(tuple(np.zeros(s) for s in shapes)), X=X, y=y, max_steps=3)
    assert res.path == "reduced-input+hidden"
    np.testing.assert_array_equal(res.beta, 0.0)
    np.testing.assert_allclose(res.loss, np.mean(y ** 2, axis=1), rtol=1e-12)


def test_relu_function_evaluates_in_float64_whatever_the_input_dtype():
    from ftheory.simulate.relu.network import ReluFunction
    rng = np.random.default_rng(1)
    W, c, X = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 3)), rng.standard_normal((2, 5, 4))
    f = ReluFunction(W, c)
    expected = np.einsum("bnp,bp->bn", np.maximum(np.einsum("bnd,bpd->bnp", X, W), 0.0), c)
    for Xin in (X.astype(np.longdouble), X.astype(np.float32).astype(np.longdouble)):
        out = f(Xin)
        assert out.dtype == np.float64
        np.testing.assert_allclose(out, np.einsum("bnp,bp->bn", np.maximum(
            np.einsum("bnd,bpd->bnp", np.asarray(Xin, float), W), 0.0), c), rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(f(X), expected, rtol=1e-13, atol=1e-13)
