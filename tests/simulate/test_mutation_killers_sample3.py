"""Written against the non-equivalent survivors of the third simulate mutmut sample (docs/testing.md); not
part of that sample's out-of-sample score. Expected values are computed in the test: the documented
draws redrawn, NumPy pinv / brentq for the paired gaps, the penalised objective evaluated at the
returned weights, option pass-through compared with the lower-level call it must equal."""
import io
import math

import numpy as np
import pytest
from scipy import optimize

from ftheory.simulate.deep_linear import DeepLinearNet, finetune, init_network, linear_transfer, pretrain, \
    pretrained_state, train, train_scratch


def _net(rng, d, m, scale=0.5, B=1):
    return DeepLinearNet((scale * rng.standard_normal((B, d, m)), scale * rng.standard_normal((B, m, 1))))


def test_flow_with_the_loss_already_at_tol_does_not_integrate():
    rng = np.random.default_rng(1)
    net, beta_s = _net(rng, 4, 3), rng.standard_normal((1, 4))
    excess0 = float(np.sum((net.beta - beta_s) ** 2))
    res = train(net, beta_s=beta_s, lr=0.1, max_steps=50, tol=excess0, method="flow", reduced=False)
    np.testing.assert_array_equal(res.time, [0.0])
    np.testing.assert_array_equal(res.steps, [0])
    assert res.converged.all() and res.converged.dtype == bool and res.diverged.dtype == bool
    np.testing.assert_array_equal(res.beta, net.beta)


def test_flow_stops_when_the_penalised_objective_has_dropped_by_tol():
    """grad_tol huge: the gradient event fires when J = J0 - tol, J = loss + (wd/2) sum ||W_l||^2 evaluated
    here at the initial and the returned weights (the event root is located to ~1e-10 by solve_ivp)."""
    rng = np.random.default_rng(2)
    net, beta_s = _net(rng, 4, 3, scale=0.8), rng.standard_normal((1, 4))
    wd, tol = 0.5, 0.05

    def J(nt):
        return float(np.sum((nt.beta - beta_s) ** 2) + 0.5 * wd * sum(np.sum(W ** 2) for W in nt.weights))

    res = train(net, beta_s=beta_s, lr=0.1, max_steps=100, tol=tol, grad_tol=1e6, wd=wd, method="flow",
                reduced=False)
    assert 0 < res.time[0] < 10.0
    assert J(res.net) == pytest.approx(J(net) - tol, abs=1e-7)


def test_lazy_layers_with_weight_decay_give_the_textbook_iterates():
    """Layers above 4096 entries use the lazy rank-one store, whose ||W||_F^2 is updated by an identity
    when wd > 0; the iterates must equal explicit GD (|beta| ~ 1, 20 steps: 1e-10 absolute)."""
    rng = np.random.default_rng(3)
    n, d, m = 70, 80, 80
    X, y = rng.standard_normal((1, n, d)), rng.standard_normal((1, n))
    net = _net(rng, d, m, scale=0.05)
    a = train(net, X=X, y=y, lr=0.05, wd=0.3, max_steps=20, tol=0.0, grad_tol=0.0, reduced=True)
    b = train(net, X=X, y=y, lr=0.05, wd=0.3, max_steps=20, tol=0.0, grad_tol=0.0, reduced=False)
    assert a.path != "full"
    np.testing.assert_allclose(a.beta, b.beta, rtol=0, atol=1e-10)
    np.testing.assert_allclose(a.grad_norm, b.grad_norm, rtol=1e-8)


def test_hidden_span_of_a_full_rank_width_sixteen_network():
    """width = 16 (the sketch size): the hidden-subspace search takes the full QR branch of _span."""
    rng = np.random.default_rng(4)
    n, d, m = 10, 30, 16
    X, y = rng.standard_normal((1, n, d)), rng.standard_normal((1, n))
    net = DeepLinearNet((0.3 * rng.standard_normal((1, d, m)), 0.3 * rng.standard_normal((1, m, m)),
                         0.3 * rng.standard_normal((1, m, 1))))
    a = train(net, X=X, y=y, lr=0.002, max_steps=30, tol=0.0, grad_tol=0.0, reduced=True)
    b = train(net, X=X, y=y, lr=0.002, max_steps=30, tol=0.0, grad_tol=0.0, reduced=False)
    assert a.path == "reduced-input" and not a.diverged.any()
    np.testing.assert_allclose(a.beta, b.beta, rtol=0, atol=1e-11)       # |beta| ~ 1: rounding only


def test_train_scratch_and_pretrain_pass_their_options_through():
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((1, 4, 9)), rng.standard_normal((1, 4))
    sc = train_scratch(X, y, depth=3, lr=0.01, max_steps=3, seed=2)
    assert sc.net.depth == 3 and np.all(sc.lr == 0.01)
    assert sc.path.startswith("reduced")
    ref = train(init_network(9, depth=3, instances=1, seed=2), X=X, y=y, lr=0.01, max_steps=3)
    np.testing.assert_array_equal(sc.beta, ref.beta)
    full = train_scratch(X, y, depth=3, lr=0.01, max_steps=3, seed=2, reduced=False)
    assert full.path == "full"
    beta_s = rng.standard_normal((1, 9))
    net = init_network(9, instances=1, seed=3, alpha=0.3)
    pre = pretrain(beta_s, net=net, lr=0.1, wd=0.2, max_steps=15, tol=0.0)
    ref = train(net, beta_s=beta_s, lr=0.1, wd=0.2, max_steps=15, tol=0.0)
    assert pre.info["wd"] == 0.2
    np.testing.assert_array_equal(pre.beta, ref.beta)


def test_gram_path_records_its_settings():
    rng = np.random.default_rng(6)
    X, y = rng.standard_normal((1, 10, 100)), rng.standard_normal((1, 10))
    net = pretrained_state(rng.standard_normal((1, 100)) / 10, depth=2, seed=1)
    res = train(net, X=X, y=y, lr=0.5, wd=0.1, max_steps=3, tol=1e-3, grad_tol=1e-4, early_stop=False)
    assert res.path == "reduced-width1-gram"
    assert res.info == {"tol": 1e-3, "grad_tol": 1e-4, "wd": 0.1, "max_steps": 3, "early_stop": False}


def test_deep_linear_messages_and_widths():
    with pytest.raises(ValueError, match=r"^net=list is invalid: expected a DeepLinearNet$"):
        linear_transfer([np.ones((1, 2, 2))], np.ones((1, 3, 2)), np.ones((1, 3)))
    net = pretrained_state(np.array([[1.0, 2.0, 2.0]]), depth=3, width=1, seed=0)
    assert net.width == 1
    np.testing.assert_allclose(net.beta, [[1.0, 2.0, 2.0]], rtol=1e-14)


def test_transfer_flags_need_both_runs_converged():
    from ftheory.simulate.deep_linear import simulate_transfer

    res = simulate_transfer(4, 8, 0.5, 0.1, instances=3, seed=1, max_steps=2, pretrain_steps=20000)
    sc, lt, ft = res["sc"].converged, res["lt"].converged, res["ft"].converged
    assert not sc.any() and lt.all()           # two scratch steps from a small initialisation: not converged
    np.testing.assert_array_equal(res["T_lt"].converged, sc & lt)
    np.testing.assert_array_equal(res["T_ft"].converged, sc & ft)


def _gf_c(b_pre, null_pre, b_sc, depth):
    r2 = b_pre @ b_pre
    A, B = null_pre @ null_pre / r2, b_sc @ b_sc / r2
    w = optimize.brentq(lambda w: w ** depth - A * w ** (depth - 1) - B, 1e-300, 1 + A + B, xtol=1e-15, rtol=1e-15)
    return w ** ((depth - 1) / 2)


@pytest.mark.parametrize("factor", [1.0, 0.5])
def test_finetune_paired_gaps_are_the_documented_null_space_risks(factor):
    """Draws per instance: teachers, target data, pretraining init, scratch init (no source sample)."""
    from ftheory.simulate.data import gaussian_data, teachers
    from ftheory.simulate.paired import simulate_finetune_paired

    n, d, theta, sigma, steps = 4, 8, 0.6, 0.25, 3000
    res = simulate_finetune_paired(n, d, theta, sigma, instances=2, seed=3, max_steps=steps, ft_lr_factor=factor)
    for i, c in enumerate(np.random.SeedSequence(3).spawn(2)):
        rng = np.random.default_rng(c)
        t = teachers(d, theta, instances=1, seed=rng)
        X, y = gaussian_data(t.beta_t, n, sigma=sigma, seed=rng)
        w_pre, w_sc = init_network(d, seed=rng), init_network(d, seed=rng)
        pre = pretrain(t.beta_s, net=w_pre)
        sc = train_scratch(X, y, net=w_sc, max_steps=steps)
        ft = finetune(pre.net, X, y, max_steps=steps, lr=factor * finetune(pre.net, X, y, max_steps=0).lr)
        pinv = np.linalg.pinv(X[0])
        null = lambda w: w - pinv @ (X[0] @ w)  # noqa: E731
        b_pre, bt = pre.beta[0], t.beta_t[0]
        null_pre, null_ft, null_t = null(b_pre), null(ft.beta[0]), null(bt)
        cgf = _gf_c(b_pre, null_pre, pinv @ y[0], 2)
        r_paper, r_ft, r_gf = (np.sum((w - null_t) ** 2) for w in (null_pre, null_ft, cgf * null_pre))
        r_sc = np.sum((sc.beta[0] - bt) ** 2)
        # GD iterates of the simulator and of this recomputation: the same calls, rounding only
        assert res["T_ft"].samples[i] == pytest.approx(r_sc - np.sum((ft.beta[0] - bt) ** 2), rel=1e-9, abs=1e-12)
        assert res["gap_paper"].samples[i] == pytest.approx(r_paper - r_ft, rel=1e-9, abs=1e-12)
        assert res["gap_cmodel"].samples[i] == pytest.approx(r_paper - r_gf, rel=1e-9, abs=1e-12)
        assert res["gd_minus_gf"].samples[i] == pytest.approx(r_gf - r_ft, rel=1e-9, abs=1e-12)
        assert res["c_gd"].samples[i] == pytest.approx(null_ft @ null_pre / (null_pre @ null_pre), rel=1e-9)
        assert res["c_model"].samples[i] == pytest.approx(cgf, rel=1e-9)


def test_lt_finite_source_paired_info_on_every_quantity():
    from ftheory.simulate.paired import simulate_lt_finite_source_paired

    res = simulate_lt_finite_source_paired(5, 10, 0.4, 0.1, 0.5, 0.2, instances=2, seed=1)
    for est in res.values():
        assert est.info == {"n": 5, "d": 10, "theta": 0.4, "sigma": 0.1, "gamma_s": 0.5, "sigma_s": 0.2, "n_s": 5}


def test_aniso_deep_finetune_uses_the_given_step():
    from ftheory.simulate.aniso import simulate_aniso_deep_finetune

    ev = np.linspace(0.5, 1.5, 6)
    beta_s, beta_t = np.ones(6) / math.sqrt(6), np.eye(6)[0]
    a = simulate_aniso_deep_finetune(ev, beta_s, beta_t, 3, 0.1, instances=2, seed=0, lr=1e-3, max_steps=5)
    b = simulate_aniso_deep_finetune(ev, beta_s, beta_t, 3, 0.1, instances=2, seed=0, lr=2e-3, max_steps=5)
    assert not np.allclose(a["deep"].samples, b["deep"].samples, rtol=1e-6)


def test_relu_records_and_messages():
    from ftheory.simulate.relu import draw_teacher, init_student, pretrain as relu_pretrain, train as relu_train
    from ftheory.simulate.relu.gd import checkpoints
    from ftheory.simulate.relu.network import ReluNet

    assert checkpoints(63) == [] and checkpoints(100) == [64, 91] and checkpoints(128) == [64, 91, 128]
    net = ReluNet([[[1.0, 0.0]]], [[2]])
    assert isinstance(net.readout, np.ndarray) and net.readout.dtype == float
    with pytest.raises(ValueError, match=r"^d=0 is invalid"):
        init_student(0, 3)
    teacher, st = draw_teacher(3, 2, instances=1, seed=0), init_student(3, 4, instances=1, seed=1)
    res = relu_pretrain(st, teacher.source(0.5), steps=0)
    assert res.info["tol"] == 1e-8 and res.info["grad_tol"] == 1e-8
    assert res.halvings.dtype.kind == "i"
    # gradient criterion |g| <= grad_tol sqrt(mean y^2): with y = 10 (scale 100) it holds at the start for
    # grad_tol = 0.2 |g0|, so GD stops at step 0 (it would not with grad_tol / sqrt(scale))
    X = np.random.default_rng(2).standard_normal((1, 6, 3))
    y = 10.0 * np.ones((1, 6))
    r0 = relu_train(st, X, y, lr=0.1, steps=0, tol=0.0, grad_tol=0.0)
    assert r0.scale[0] == pytest.approx(100.0)
    r = relu_train(st, X, y, lr=0.1, steps=5, tol=0.0, grad_tol=0.2 * r0.grad_norm[0])
    np.testing.assert_array_equal(r.steps, [0])
    assert r.converged.all()


def test_data_and_aniso_messages():
    from ftheory.simulate.aniso import simulate_aniso_scratch_risk
    from ftheory.simulate.data import sphere_inputs

    with pytest.raises(ValueError, match=r"^d=0 is invalid"):
        sphere_inputs(3, 0)
    with pytest.raises(ValueError, match=r"^lam=-1\.0 is invalid: expected a real number in \[0, inf\)$"):
        simulate_aniso_scratch_risk(np.ones(3), np.ones(3) / math.sqrt(3), 2, 0.1, lam=-1.0, instances=2, seed=0)


def test_sweep_helpers():
    from ftheory.simulate.sweeps import _key, check_call, point_seed, sweep

    # a stored point is found again whatever the order of the grid and fixed dicts
    assert _key("f", {"n": 1, "d": 2}, {"a": 1, "b": 2}, 3, 0) == _key("f", {"d": 2, "n": 1}, {"b": 2, "a": 1}, 3, 0)
    # the point seed: root seed and four little-endian 32-bit words of sha256(sorted JSON of the point)
    import hashlib
    import json
    digest = hashlib.sha256(json.dumps({"n": 3, "theta": 0.5}, sort_keys=True).encode()).digest()
    words = [int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4)]
    assert point_seed(7, {"theta": 0.5, "n": 3}).entropy == [7, *words]

    def takes_kwargs(n, **kw):
        return None

    def no_instances(n, seed):
        return None

    check_call(takes_kwargs, ["n"])
    with pytest.raises(ValueError, match=r"^no_instances takes no 'instances': it cannot be swept$"):
        check_call(no_instances, ["n"])

    def sim(n, instances, seed):
        from ftheory.mc.estimate import MCEstimate
        return {"x": MCEstimate(np.full(instances, float(n)))}

    import contextlib
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        sweep(sim, {"n": [1, 2]}, instances=2, seed=0, progress=True)
    assert "sim" in err.getvalue()


# ---- second 400 of the sample ----------------------------------------------------------------------------

def test_pretrained_feature_norms_follow_the_seed_and_report_pretraining_flags():
    from ftheory.simulate.paired import pretrained_feature_norms

    a = pretrained_feature_norms(6, 1.5, 2, instances=2, seed=4)
    b = pretrained_feature_norms(6, 1.5, 2, instances=2, seed=4)
    np.testing.assert_array_equal(a.samples, b.samples)
    rng = np.random.default_rng(4)
    from ftheory.simulate.data import teachers
    t = teachers(6, 0.0, instances=2, norm_s=1.5, seed=rng)
    pre = pretrain(t.beta_s, depth=2, seed=rng)
    np.testing.assert_allclose(a.samples, np.linalg.svd(pre.net.phi, compute_uv=False)[:, 0], rtol=1e-12)
    np.testing.assert_array_equal(a.converged, pre.converged)
    # depth 4 from alpha = 1e-2 towards a small teacher: not converged within pretrain's 10^4 steps
    stuck = pretrained_feature_norms(6, 0.3, 4, instances=2, seed=4)
    assert not stuck.converged.any() and stuck.info == {"d": 6, "depth": 4}


def test_train_records_and_the_least_squares_floor():
    rng = np.random.default_rng(7)
    n, d = 12, 5
    X, y = rng.standard_normal((1, n, d)), rng.standard_normal((1, n))
    net = init_network(d, instances=1, seed=1, alpha=0.3)
    res = train(net, X=X, y=y, max_steps=4, tol=1e-3, grad_tol=1e-2)
    assert res.info == {"tol": 1e-3, "grad_tol": 1e-2, "wd": 0.0, "max_steps": 4, "early_stop": True}
    b = np.linalg.lstsq(X[0], y[0], rcond=None)[0]
    floor = np.sum((y[0] - X[0] @ b) ** 2) / n
    assert res.floor[0] == pytest.approx(floor, rel=1e-10)
    # cond(X) > 100: the row-space basis comes from an SVD instead of the Gram matrix (same floor; the
    # least-squares residual moves by ~eps * cond(X) ~ 1e-12 relatively)
    Xc = X.copy()
    Xc[0, :, 1] = Xc[0, :, 0] + 1e-3 * rng.standard_normal(n)
    b = np.linalg.lstsq(Xc[0], y[0], rcond=None)[0]
    res = train(net, X=Xc, y=y, max_steps=1)
    assert res.floor[0] == pytest.approx(np.sum((y[0] - Xc[0] @ b) ** 2) / n, rel=1e-9)
    one = train(init_network(7, instances=1, seed=2, alpha=0.3), X=X[:, :1, :7] if d >= 7 else
                rng.standard_normal((1, 1, 7)), y=y[:, :1], max_steps=5, tol=0.0, grad_tol=0.0)
    assert one.path.startswith("reduced") and np.isfinite(one.beta).all()


def test_train_scratch_defaults_and_method():
    rng = np.random.default_rng(8)
    X, y = rng.standard_normal((1, 3, 6)), rng.standard_normal((1, 3))
    res = train_scratch(X, y, seed=0, lr=1e-9, tol=0.0, grad_tol=0.0)
    np.testing.assert_array_equal(res.steps, [10000])
    flow = train_scratch(X, y, seed=0, method="flow", max_steps=3, lr=0.01)
    assert flow.method == "flow"


@pytest.mark.parametrize("early_stop", [True, False])
def test_gram_kernel_with_weight_decay_stops_and_flags_like_the_textbook_path(early_stop):
    rng = np.random.default_rng(9)
    X, y = rng.standard_normal((1, 10, 100)), rng.standard_normal((1, 10))
    net = pretrained_state(rng.standard_normal((1, 100)) / 10, depth=2, seed=1)
    kw = dict(wd=0.05, max_steps=400, tol=0.02, grad_tol=0.5, early_stop=early_stop)
    a = train(net, X=X, y=y, **kw)
    b = train(net, X=X, y=y, reduced=False, **kw)
    assert a.path == "reduced-width1-gram" and b.path == "full"
    np.testing.assert_array_equal(a.steps, b.steps)
    np.testing.assert_array_equal(a.converged, b.converged)
    assert a.converged.all()
    np.testing.assert_allclose(a.beta, b.beta, rtol=0, atol=1e-10)


def test_deep_procedure_wrappers_are_the_generic_simulator():
    from ftheory.simulate.deep_linear import simulate_deep_linear
    from ftheory.simulate.deep_linear.montecarlo import simulate_deep_scratch

    a = simulate_deep_scratch(n=3, d=5, theta=0.2, sigma=0.1, instances=2, seed=1, max_steps=5)
    b = simulate_deep_linear("sc", n=3, d=5, theta=0.2, sigma=0.1, instances=2, seed=1, max_steps=5)
    np.testing.assert_array_equal(a.samples, b.samples)


def test_relu_refit_rcond_and_zero_kernel():
    from ftheory.simulate.relu import init_student
    from ftheory.simulate.relu.diagnostics import kernel_outside_fraction
    from ftheory.simulate.relu.procedures import refit_readout

    net = init_student(3, 6, instances=1, seed=0)
    X = np.random.default_rng(1).standard_normal((1, 10, 3))
    y = np.random.default_rng(2).standard_normal((1, 10))
    F = np.maximum(X[0] @ net.weights[0].T, 0.0) / 6
    s = np.linalg.svd(F, compute_uv=False)
    cut = 0.5 * (s[1] + s[2]) / s[0]                    # keeps exactly the two largest singular values
    _, rank = refit_readout(net, X, y, rcond=cut)
    np.testing.assert_array_equal(rank, [2])
    assert kernel_outside_fraction(net.weights[0], np.zeros(6), net.weights[0]) == 0.0


def test_relu_point_keys_with_finetuning():
    from ftheory.simulate.relu.driver import simulate_relu

    res = simulate_relu(4, 0.0, seed=0, d=3, m=4, m_star=2, instances=1, steps=1, pretrain_steps=1, finetune=True,
                        ft_steps=1)
    assert sorted(res) == ["T_ft", "T_lt", "ft", "lt", "scratch"]


def test_more_messages():
    from ftheory.simulate.aniso import simulate_aniso_tuned_ridge_risk
    from ftheory.simulate.linear import simulate_min_norm_risk
    from ftheory.simulate.sweeps import sweep
    from ftheory.simulate.linear_grid import simulate_transfer_grid

    with pytest.raises(ValueError, match=r"^give exactly one of beta_s \(population source\) and \(X_s, y_s\)"):
        pretrain()
    with pytest.raises(ValueError, match="beta_t"):
        simulate_aniso_tuned_ridge_risk(np.ones(3), np.ones(4), 2, 0.1, [0.1], instances=2, seed=0)
    with pytest.raises(ValueError, match=r"^executor='x' is invalid: expected one of serial, processes, dask$"):
        sweep(simulate_min_norm_risk, {"n": [3]}, fixed={"d": 2, "sigma": 0.0}, instances=1, executor="x",
              progress=False)
    with pytest.raises(ValueError, match=r"\(n x d\) needs about .* \(the design matrix, a working copy and its SVD\);"):
        simulate_min_norm_risk(10**6, 10**6, 0.0, instances=1, seed=0)
    assert simulate_transfer_grid(3, 2, [0.4], 0.0, seed=0)["linear_transfer"].shape == (200, 1, 1)


def test_sweep_store_records_and_numpy_points(tmp_path):
    import json

    from ftheory.simulate.linear import simulate_min_norm_risk
    from ftheory.simulate.sweeps import point_seed, sweep

    sweep(simulate_min_norm_risk, {"n": [3]}, fixed={"d": 2, "sigma": 0.0}, instances=2, seed=1, store=str(tmp_path),
          progress=False)
    (path,) = tmp_path.glob("*.json")
    with open(path) as fh:
        rec = json.load(fh)
    assert rec["point"] == {"n": 3} and rec["fixed"] == {"d": 2, "sigma": 0.0}
    assert point_seed(1, {"n": np.int64(3)}).entropy == point_seed(1, {"n": np.int64(3)}).entropy


def test_relu_gd_flags_and_checks():
    from ftheory.simulate.relu import draw_teacher, init_student, pretrain as relu_pretrain, train as relu_train
    from ftheory.simulate.relu.driver import simulate_relu_scratch

    st = init_student(3, 4, instances=2, seed=1)
    X = np.random.default_rng(2).standard_normal((2, 6, 3))
    y = np.ones((2, 6))
    r0 = relu_train(st, X, y, lr=0.1, steps=0, tol=0.0, grad_tol=0.0)
    r = relu_train(st, X, y, lr=0.1, steps=5, tol=0.0, grad_tol=10 * r0.grad_norm.max())   # stops at step 0
    assert r.converged.all() and not r.diverged.any()
    with pytest.raises(ValueError, match=r"^m=0 is invalid"):
        init_student(3, 0)
    wrong_d = draw_teacher(4, 2, instances=2, seed=0).source(0.5)        # same batch, other input dimension
    with pytest.raises(ValueError, match=r"^source must be a ReluFunction with the batch size and input dimension"):
        relu_pretrain(st, wrong_d, steps=1)
    res = simulate_relu_scratch([1, 3], seed=0, d=3, m=4, m_star=2, instances=1, steps=1)
    np.testing.assert_array_equal(res["ns"], [1, 3])


def test_relu_progress_messages_count_from_one():
    from ftheory.simulate.relu import simulate_relu_transfer

    said = []
    simulate_relu_transfer([4, 5], [0.0], d=3, m=4, m_star=2, instances=1, seed=0, steps=1, pretrain_steps=1,
                           progress=said.append)
    assert any(s.startswith("n=4 (1 of 2): linear transfer") for s in said)
    assert any(s.startswith("n=5 (2 of 2): linear transfer") for s in said)


def test_defaults_and_remaining_messages(monkeypatch):
    import sys

    from ftheory.simulate.data import teachers
    from ftheory.simulate.linear_grid import _chunk
    from ftheory.simulate.relu import draw_teacher
    from ftheory.simulate.sweeps import _connect
    from ftheory.simulate.tasks import sample_kl_divergence

    with pytest.raises(ValueError, match=r"^norm_s=0\.0 is invalid: expected a real number in \(0, inf\)$"):
        teachers(3, 0.2, norm_s=0.0)
    assert isinstance(_chunk(1000, 1000), int) and isinstance(_chunk(3, 7), int)
    # documented defaults
    a = sample_kl_divergence(0.4, 0.5, 0.7, size=200, seed=3)
    b = sample_kl_divergence(0.4, 0.5, 0.7, norm_p=1.0, size=200, seed=3)
    np.testing.assert_array_equal(a.samples, b.samples)
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((1, 3, 5)), rng.standard_normal((1, 3))
    ft = finetune(init_network(5, instances=1, seed=0, alpha=0.3), X, y, max_steps=2, reduced=False)
    assert ft.path == "full"
    from ftheory.simulate.relu.result import ReluTransferResult  # noqa: F401
    from ftheory.simulate.relu import simulate_relu_transfer
    res = simulate_relu_transfer([4], [0.0], d=3, m=4, m_star=2, instances=1, seed=0, steps=1, pretrain_steps=1)
    with pytest.raises(ValueError, match=r"^fine-tuning was not simulated \(finetune=False\)$"):
        res.estimate("ft", mu=0.0, n=4)
    with pytest.raises(ValueError, match=r"^fine-tuning was not simulated \(finetune=False\)$"):
        res.estimate("T_ft", mu=0.0, n=4)
    monkeypatch.setitem(sys.modules, "distributed", None)       # the optional extra missing
    with pytest.raises(ValueError, match=r"^executor='dask' needs the optional extra: pip install 'ftheory\[dask\]'$"):
        _connect("tcp://127.0.0.1:1")
    assert draw_teacher(3, 2, seed=0).instances == 1


def test_gram_kernel_objective_decrease_rule_matches_the_textbook_path():
    """grad_tol huge: GD stops once J = loss + (wd/2) sum ||W_l||^2 has dropped by tol; the width-1 Gram
    kernel tracks J through scalars and must stop at the same step as explicit GD (91 here)."""
    rng = np.random.default_rng(9)
    X, y = rng.standard_normal((1, 10, 100)), rng.standard_normal((1, 10))
    net = pretrained_state(3 * rng.standard_normal((1, 100)) / 10, depth=3, seed=1)
    kw = dict(lr=2e-5, wd=0.5, max_steps=400, tol=1.0, grad_tol=1e6)
    a = train(net, X=X, y=y, **kw)
    b = train(net, X=X, y=y, reduced=False, **kw)
    assert a.path == "reduced-width1-gram" and 10 < b.steps[0] < 400
    np.testing.assert_array_equal(a.steps, b.steps)


def test_finetune_paired_default_instance_count():
    from ftheory.simulate.paired import simulate_finetune_paired

    assert simulate_finetune_paired(3, 6, 0.5, 0.1, seed=0, max_steps=20)["T_ft"].samples.shape == (8,)


# ---- written after the fourth (out-of-sample) check, against its survivors ----------------------------

def test_fourth_check_records_and_messages():
    from ftheory.simulate.deep_linear import init_network as init_net
    from ftheory.simulate.linear import simulate_min_norm_risk
    from ftheory.simulate.linear_estimators import linear_transfer_readout
    from ftheory.simulate.sweeps import check_call, sweep

    X, y = np.ones((1, 3, 2)), np.ones((1, 3))
    with pytest.raises(ValueError, match=r"^scale="):
        linear_transfer_readout(X, y, np.ones((1, 2)), 0.1, scale=0.0)
    for bad in (0, True):
        with pytest.raises(ValueError, match=r"^instances="):
            sweep(simulate_min_norm_risk, {"n": [3]}, fixed={"d": 2, "sigma": 0.0}, instances=bad, progress=False)
    def lenient(n, instances, seed):                   # a user simulator that does not check instances
        from ftheory.mc.estimate import MCEstimate
        return {"x": MCEstimate(np.zeros(max(instances, 1)))}

    with pytest.raises(ValueError, match=r"^instances=0 is invalid: expected an integer >= 1$"):
        sweep(lenient, {"n": [3]}, instances=0, progress=False)
    res = sweep(simulate_min_norm_risk, {"n": [3]}, fixed={"d": 2, "sigma": 0.0}, instances=2, seed=1,
                progress=False)
    direct = simulate_min_norm_risk(3, 2, 0.0, instances=2, seed=1)
    assert res.estimate("risk", n=3).info["estimator"] == direct.info["estimator"]
    assert init_net(4, width=1, instances=1, seed=0).width == 1

    def needs_more(n, m, instances, seed):
        return None

    with pytest.raises(ValueError, match=r"^needs_more has no parameter 'q'; its parameters are n, m$"):
        check_call(needs_more, ["n", "q"])
    rng = np.random.default_rng(0)
    net = init_net(4, instances=1, seed=1, alpha=0.3)
    assert train(net, beta_s=rng.standard_normal((1, 4)), max_steps=1).path == "lazy-full"


def test_fourth_check_relu_flags_and_plateau_message():
    from ftheory.simulate.relu import init_student, train as relu_train

    st = init_student(3, 4, instances=2, seed=1)
    X = np.random.default_rng(2).standard_normal((2, 6, 3))
    r = relu_train(st, X, np.ones((2, 6)), lr=0.1, steps=2)
    assert r.diverged.dtype == bool and r.converged.dtype == bool
    with pytest.raises(ValueError, match=r"^plateau > 0 needs the target network \(target=\.\.\.\) whose risk it watches$"):
        relu_train(st, X, np.ones((2, 6)), lr=0.1, steps=2, plateau=0.1)
