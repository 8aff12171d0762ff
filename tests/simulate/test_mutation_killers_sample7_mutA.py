"""Written against the non-equivalent survivors in ftheory/simulate/deep_linear of the seventh simulate mutmut
sample (seed 20261208), after that sample was run: in-sample, not part of its score.

Expected values are computed in the test: textbook gradient descent on the full weight matrices written out
here with NumPy, gradient flow integrated here with ``scipy.integrate.solve_ivp``, least-squares floors from
``numpy.linalg.lstsq``, exact message texts, and the documented per-instance draws (``SeedSequence(seed)
.spawn(instances)``; teachers, target data, pretraining initialisation, in that order).
"""
import math
import warnings

import numpy as np
import pytest

from ftheory.simulate.deep_linear.network import DeepLinearNet, init_network
from ftheory.simulate.deep_linear.training import pretrain, train


def _chain(mats, d):
    """Product of a list of 2-D matrices (identity of size d for an empty list)."""
    out = np.eye(d)
    for M in mats:
        out = out @ M
    return out


def _grads(ws, X, y):
    """Data-loss gradients of every layer (2-D weights) for (1/n)||y - X W_1 ... W_L||^2."""
    n, d = X.shape
    G = (2.0 / n) * X.T @ (X @ _chain(ws, d) - y[:, None])                  # (d, 1)
    return [_chain(ws[:l], d).T @ G @ _chain(ws[l + 1:], ws[l].shape[1]).T for l in range(len(ws))]


def _gd_reference(ws, X, y, lr, steps, wd=0.0):
    """Textbook GD on (1/n)||y - X W_1 ... W_L||^2 + (wd/2) sum ||W_l||_F^2 for one instance, all layers at once."""
    ws = [np.array(w, dtype=float) for w in ws]
    for _ in range(steps):
        ws = [w - lr * (g + wd * w) for w, g in zip(ws, _grads(ws, X, y))]
    return ws


def _unit(v):
    return v / np.linalg.norm(v)


def _rank_one_net(rng, d, m, sigmas):
    """An UNBALANCED rank-one chain W_1 = x v_1^T, W_l = s_l v_{l-1} v_l^T, W_L = s_L v_{L-1} (one instance)."""
    vs = [_unit(rng.standard_normal(m)) for _ in sigmas]
    x = 0.3 * rng.standard_normal(d)
    ws = [np.outer(x, vs[0])]
    for l in range(1, len(sigmas)):
        ws.append(sigmas[l - 1] * np.outer(vs[l - 1], vs[l]))
    ws.append(sigmas[-1] * vs[-1][:, None])
    return ws


def test_width1_gram_kernel_matches_textbook_gd_layer_by_layer_at_depth_four():
    # n = 4 < d = 100: the Gram kernel pays (cond ~ 2.25 <= 0.65 n); an unbalanced rank-one start makes
    # every scalar layer different, so the prefix/suffix products and the rebuilt layers are all tested
    rng = np.random.default_rng(7)
    d, n, m = 100, 4, 3
    ws = _rank_one_net(rng, d, m, [1.3, 0.7, 1.1])
    X = rng.standard_normal((n, d)) / math.sqrt(d)
    y = X @ _unit(rng.standard_normal(d))
    lr, steps = 0.3, 6
    res = train(DeepLinearNet(tuple(w[None] for w in ws)), X=X[None], y=y[None], lr=lr, max_steps=steps, tol=0.0)
    ref = _gd_reference(ws, X, y, lr, steps)
    assert res.method == "gd" and res.path == "reduced-width1-gram"
    assert res.steps.tolist() == [steps] and res.steps.dtype == np.int64
    beta_ref = _chain(ref, d)[:, 0]
    np.testing.assert_allclose(res.beta[0], beta_ref, rtol=1e-10, atol=1e-13)
    for got, want in zip(res.net.weights, ref):
        np.testing.assert_allclose(got[0], want, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(res.net.beta[0], beta_ref, rtol=1e-10, atol=1e-13)
    excess = np.sum((X @ beta_ref - y) ** 2) / n                  # floor 0 (n < d)
    np.testing.assert_allclose(res.loss[0], excess, rtol=1e-9)
    assert res.floor.tolist() == [0.0] and res.converged.tolist() == [False]
    assert res.info == {"tol": 0.0, "grad_tol": 0.0, "wd": 0.0, "max_steps": steps, "early_stop": True}


@pytest.mark.parametrize("wd", [0.0, 0.2])
@pytest.mark.parametrize("case", ["gram", "width1", "generic"])
def test_every_gd_kernel_matches_textbook_gd_with_and_without_weight_decay(case, wd):
    # gram: rank one, n = 4 << d (Gram kernel); width1: rank one, n = 6, d = 8 (cond too large for the Gram
    # kernel: the spectral width-1 kernel); generic: a random depth-3 net (row space + hidden subspaces)
    rng = np.random.default_rng(21)
    d, n = {"gram": (100, 4), "width1": (8, 6), "generic": (8, 5)}[case]
    if case == "generic":
        ws = [w[0] for w in init_network(d, depth=3, width=4, alpha=0.6, instances=1, seed=9).weights]
    else:
        ws = _rank_one_net(rng, d, 3, [1.2, 0.6])
        ws[0] *= 3.0
    X = rng.standard_normal((n, d)) / math.sqrt(d)
    y = X @ _unit(rng.standard_normal(d)) + 0.1 * rng.standard_normal(n)
    lr, steps = 0.2, 5
    res = train(DeepLinearNet(tuple(w[None] for w in ws)), X=X[None], y=y[None], lr=lr, max_steps=steps, tol=0.0,
                wd=wd)
    assert res.path == {"gram": "reduced-width1-gram", "width1": "reduced-width1"}.get(case, res.path)
    ref = _gd_reference(ws, X, y, lr, steps, wd)
    beta = _chain(ref, d)[:, 0]
    np.testing.assert_allclose(res.beta[0], beta, rtol=1e-9, atol=1e-13)
    for got, want in zip(res.net.weights, ref):
        np.testing.assert_allclose(got[0], want, rtol=1e-9, atol=1e-13)
    floor = np.sum((X @ np.linalg.lstsq(X, y, rcond=None)[0] - y) ** 2) / n if n > d else 0.0
    np.testing.assert_allclose(res.loss[0], np.sum((X @ beta - y) ** 2) / n, rtol=1e-9)
    np.testing.assert_allclose(res.floor[0], floor, atol=1e-14)
    gnorm = math.sqrt(sum(np.sum((g + wd * w) ** 2) for g, w in zip(_grads(ref, X, y), ref)))
    np.testing.assert_allclose(res.grad_norm[0], gnorm, rtol=1e-7)
    np.testing.assert_allclose(res.time, [lr * steps], rtol=1e-15)
    assert res.steps.tolist() == [steps] and res.converged.tolist() == [False] and res.diverged.tolist() == [False]
    assert res.info["wd"] == wd and res.lr.tolist() == [lr]


def _at_optimum(rng, net, n):
    """Data fitted exactly by ``net`` (n < d): y = X beta, so the excess is ~1e-30 <= any default tol."""
    X = rng.standard_normal((net.instances, n, net.d))
    beta = _chain([w[0] for w in net.weights], net.d)[:, 0][None]
    return X, np.einsum("bnd,bd->bn", X, beta)


def test_train_defaults_reach_the_record_on_the_generic_and_the_gram_path():
    rng = np.random.default_rng(3)
    defaults = {"tol": 1e-6, "grad_tol": 1e-6, "wd": 0.0, "max_steps": 10000, "early_stop": True}
    net = init_network(6, depth=3, width=3, alpha=0.5, instances=1, seed=1)      # generic (not rank one)
    X, y = _at_optimum(rng, net, 2)
    res = train(net, X=X, y=y)
    assert res.info == defaults and res.method == "gd" and res.path.startswith("reduced-input")
    assert res.steps.dtype == np.int64 and res.steps.tolist() == [0] and res.converged.tolist() == [True]
    ws = _rank_one_net(rng, 100, 2, [0.8, 1.2])                                  # rank one, n = 4 < d = 100
    net1 = DeepLinearNet(tuple(w[None] for w in ws))
    X, y = _at_optimum(rng, net1, 4)
    res = train(net1, X=X, y=y)
    assert res.info == defaults and res.method == "gd" and res.path == "reduced-width1-gram"
    assert res.steps.dtype == np.int64 and res.steps.tolist() == [0] and res.converged.tolist() == [True]


def test_train_messages_name_each_parameter_and_its_domain():
    net = init_network(4, depth=2, instances=1, seed=0)
    X, y = np.ones((1, 3, 4)), np.ones((1, 3))
    for kw, msg in ((dict(tol=-1), r"^tol=-1 is invalid: expected a real number in \[0, inf\)$"),
                    (dict(grad_tol=-1), r"^grad_tol=-1 is invalid: expected a real number in \[0, inf\)$"),
                    (dict(wd=-1), r"^wd=-1 is invalid: expected a real number in \[0, inf\)$"),
                    (dict(max_steps=-1), r"^max_steps=-1 is invalid: expected an integer >= 0$")):
        with pytest.raises(ValueError, match=msg):
            train(net, X=X, y=y, **kw)
    lr_msg = (r" is invalid: expected None \(automatic\), a positive real number or one positive value "
              r"per instance \(1\)$")
    for lr in ([None], -1, [1.0, 2.0]):                  # [None] -> nan under float conversion: still ValueError
        with pytest.raises(ValueError, match=r"^lr=" + __import__("re").escape(repr(lr)) + lr_msg):
            train(net, X=X, y=y, lr=lr)
    with pytest.raises(ValueError, match=r"^X and y must be finite$"):
        train(net, X=X * np.nan, y=y)


def test_boolean_inputs_are_read_as_zero_one_floats():
    # a 0/1 design given as a bool array must train exactly as its float copy (a bool matrix product is a
    # logical OR, not a sum: here it would give X X^T = I instead of diag(2, 3)); expected iterates from the
    # textbook GD above
    d = 6
    Xb = np.array([[1, 1, 0, 0, 0, 0], [0, 0, 1, 1, 1, 0]], dtype=bool)
    y = np.array([0.7, -1.1])
    net = init_network(d, depth=2, width=3, alpha=0.5, instances=1, seed=2)
    lr, steps = 0.05, 4
    res = train(net, X=Xb[None], y=y[None], lr=lr, max_steps=steps, tol=0.0)
    ref = _gd_reference([w[0] for w in net.weights], Xb.astype(float), y, lr, steps)
    np.testing.assert_allclose(res.beta[0], _chain(ref, d)[:, 0], rtol=1e-10, atol=1e-13)


def test_flow_stops_at_the_horizon_unconverged_with_integer_steps():
    net = init_network(5, depth=2, width=2, alpha=0.5, instances=2, seed=4)
    rng = np.random.default_rng(4)
    X, y = rng.standard_normal((2, 3, 5)), rng.standard_normal((2, 3))
    res = train(net, X=X, y=y, method="flow", lr=1e-3, max_steps=2)
    assert res.method == "flow" and res.time.tolist() == [2e-3, 2e-3]
    assert res.converged.tolist() == [False, False] and res.diverged.tolist() == [False, False]
    assert res.steps.dtype == np.int64 and np.all(res.steps >= 1)


def test_flow_gradient_event_measures_the_decrease_from_the_start_with_a_loss_floor():
    # n > d with noise: floor > 0. With grad_tol huge the gradient event fires as soon as the objective
    # has decreased by tol from its start, i.e. at loss = L0 - tol (the loss event, excess <= tol, is later)
    rng = np.random.default_rng(5)
    d, n, m = 3, 8, 2
    X = rng.standard_normal((n, d))
    y = X @ rng.standard_normal(d) + 2.0 * rng.standard_normal(n)
    net = init_network(d, depth=2, width=m, alpha=0.3, instances=1, seed=5)
    b = np.linalg.lstsq(X, y, rcond=None)[0]
    floor = np.sum((X @ b - y) ** 2) / n
    beta0 = _chain([w[0] for w in net.weights], d)[:, 0]
    L0 = np.sum((X @ beta0 - y) ** 2) / n
    tol = 0.2 * (L0 - floor)
    assert floor > 0.3 * (L0 - floor)                   # the floor is large enough to matter
    res = train(net, X=X[None], y=y[None], method="flow", lr=1.0, max_steps=100, tol=tol, grad_tol=1e3)
    np.testing.assert_allclose(res.floor, [floor], rtol=1e-10)
    np.testing.assert_allclose(res.loss, [L0 - tol], rtol=1e-7)
    np.testing.assert_allclose(np.sum((X @ res.beta[0] - y) ** 2) / n, L0 - tol, rtol=1e-7)
    assert res.converged.tolist() == [True] and res.time[0] < 100.0


def test_flow_rejects_an_oversized_first_step_silently_and_still_converges():
    # the user's solver options reach solve_ivp; a first step far too large overflows in the rejected trial
    # stages, which the flow must absorb without RuntimeWarnings (warnings are errors here)
    rng = np.random.default_rng(0)
    ws = [rng.standard_normal((1, 3, 3)), rng.standard_normal((1, 3, 3)), rng.standard_normal((1, 3, 1))]
    X, y = rng.standard_normal((1, 2, 3)), rng.standard_normal((1, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = train(DeepLinearNet(tuple(ws)), X=X, y=y, method="flow", max_steps=1000, lr=1e3, reduced=False,
                    flow_options={"first_step": 1e2})
    assert res.converged.tolist() == [True] and res.diverged.tolist() == [False]
    np.testing.assert_allclose(np.sum((X[0] @ res.beta[0] - y[0]) ** 2) / 2, res.loss[0], rtol=1e-8, atol=1e-14)


def test_pretrain_passes_flow_options_to_the_solver():
    beta_s = np.array([[1.0, -0.5, 0.25]])
    kw = dict(depth=2, width=2, alpha=0.5, seed=0, method="flow", lr=1.0, max_steps=3, tol=0.0)
    res = pretrain(beta_s, flow_options={"max_step": 0.1}, **kw)  # tol = grad_tol = 0: runs to t = 3
    assert res.time.tolist() == [3.0] and res.steps[0] >= 30
    with pytest.raises(ValueError, match="method"):
        pretrain(beta_s, flow_options={"method": "no-such-solver"}, **kw)


@pytest.mark.parametrize("wd", [0.0, 0.1])
def test_lazy_layer_store_equals_explicit_updates_across_folds(wd):
    from ftheory.simulate.deep_linear.engine import _Lazy
    rng = np.random.default_rng(8)
    A = rng.standard_normal((2, 3, 4))
    lazy, ref = _Lazy(A, block=2), A.copy()
    for _ in range(5):                                   # folds after updates 2 and 4, one pending at the end
        u, v = rng.standard_normal((2, 3)), rng.standard_normal((2, 4))
        eta = np.array([0.1, 0.3])
        rho = 1.0 - eta * wd
        lazy.update(rho, eta, u, v, wd, (ref @ v[..., None])[..., 0])
        ref = rho[:, None, None] * ref - eta[:, None, None] * u[:, :, None] * v[:, None, :]
        x, z = rng.standard_normal((2, 4)), rng.standard_normal((2, 3))
        np.testing.assert_allclose(lazy.mv(x), (ref @ x[..., None])[..., 0], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(lazy.rmv(z), (z[:, None, :] @ ref)[:, 0], rtol=1e-12, atol=1e-14)
        if wd:
            np.testing.assert_allclose(lazy.fro2(), np.sum(ref ** 2, axis=(1, 2)), rtol=1e-12)
    np.testing.assert_allclose(lazy.array(), ref, rtol=1e-12, atol=1e-14)
    x = rng.standard_normal((2, 4))                      # still exact after the final fold
    np.testing.assert_allclose(lazy.mv(x), (ref @ x[..., None])[..., 0], rtol=1e-12, atol=1e-14)


_BASE_KEYS = {"n", "d", "theta", "sigma", "depth", "width", "alpha", "wd", "method", "reduced", "lam", "norm_s",
              "norm_t", "pretrained", "seed", "procedure"}
_PRE_KEYS = {"pretrain_steps", "pretrain_loss", "pretrain_converged"}
_RUN_KEYS = {"steps", "final_loss", "loss_floor", "lr", "diverged", "path"}


def test_simulate_deep_linear_diverged_runs_give_infinite_samples_and_full_records():
    from ftheory.simulate.deep_linear.montecarlo import simulate_deep_linear
    kw = dict(n=3, d=4, theta=0.3, instances=2, max_steps=3, pretrain_steps=5, seed=0)
    with np.errstate(all="ignore"):                      # lr = 1e300 overflows on purpose
        ests = {p: simulate_deep_linear(p, lr=1e300, **kw) for p in ("sc", "ft")}
    for p, est in ests.items():
        assert set(est.info) == _BASE_KEYS | _RUN_KEYS | (_PRE_KEYS if p == "ft" else set())
        assert est.samples.tolist() == [math.inf, math.inf]
        assert est.info["diverged"].dtype == bool and est.info["diverged"].tolist() == [True, True]
        assert est.converged.tolist() == [False, False] and est.info["procedure"] == p
    ok = simulate_deep_linear("ft", **kw)
    assert ok.info["diverged"].dtype == bool and ok.info["diverged"].tolist() == [False, False]
    assert np.all(np.isfinite(ok.samples))
    lt = simulate_deep_linear("lt", **kw)
    assert set(lt.info) == _BASE_KEYS | _PRE_KEYS | {"rcond", "rank"} and lt.info["procedure"] == "lt"
    assert lt.info["pretrain_steps"].dtype == np.int64 and lt.info["pretrain_converged"].dtype == bool


def test_procedure_wrappers_pass_the_whole_task_through():
    # built at run time here (the module-level wrappers are built at import)
    from ftheory.simulate.deep_linear.montecarlo import _procedure_wrapper
    for proc, label in (("sc", "scratch"), ("lt", "linear_transfer"), ("ft", "finetune")):
        fn = _procedure_wrapper(proc, label)
        assert fn.__name__ == fn.__qualname__ == f"simulate_deep_{label}"
        est = fn(3, 4, 0.3, 0.1, instances=1, max_steps=2, pretrain_steps=2, seed=0)
        assert (est.info["n"], est.info["d"], est.info["theta"], est.info["sigma"]) == (3, 4, 0.3, 0.1)
        assert est.info["procedure"] == proc
        est = fn(d=4, gamma=0.5, instances=1, max_steps=2, pretrain_steps=2, seed=0)
        assert (est.info["n"], est.info["d"]) == (2, 4)


def test_lam_grid_default_pretraining_budget_is_the_flow_horizon():
    # method="flow": pretraining integrates to pretrain_lr * pretrain_steps (default 20000 -> t = 0.2 here;
    # tol = 1e-12 is not reached), so the width-1 feature direction, hence the risk, pins the default.
    # Reference: the same draws (teachers, target data, pretraining initialisation) and the gradient flow
    # of ||W_1 w - beta_s||^2 integrated here, then the least-squares read-out on F = X W_1.
    from scipy.integrate import solve_ivp

    from ftheory.simulate.data import gaussian_data, teachers
    from ftheory.simulate.deep_linear.lam_grid import simulate_deep_linear_transfer_lams
    n, d, theta, sigma, alpha, seed = 3, 2, 0.7, 0.3, 0.3, 0
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    t = teachers(d, theta, instances=1, seed=rng)
    X, y = gaussian_data(t.beta_t, n, sigma=sigma, seed=rng)
    W1, w = alpha * rng.standard_normal((d, 1)) / math.sqrt(d), alpha * rng.standard_normal((1, 1))
    bs = t.beta_s[0][:, None]

    def rhs(_, v):
        W, u = v[:d].reshape(d, 1), v[d:].reshape(1, 1)
        G = 2.0 * (W @ u - bs)
        return -np.concatenate([(G @ u.T).ravel(), (W.T @ G).ravel()])
    sol = solve_ivp(rhs, (0.0, 1e-5 * 20000), np.concatenate([W1.ravel(), w.ravel()]), method="DOP853",
                    rtol=1e-12, atol=1e-14)
    phi = sol.y[:d, -1]
    f = X[0] @ phi
    risk = np.sum((phi * (f @ y[0]) / (f @ f) - t.beta_t[0]) ** 2)
    got = simulate_deep_linear_transfer_lams(n, d, theta, sigma, [0.0], width=1, alpha=alpha, pretrain_lr=1e-5,
                                             method="flow", instances=1, seed=seed)
    np.testing.assert_allclose(got[0.0].samples, [risk], rtol=1e-9)   # a horizon 5e-5 % longer moves it 7e-6


def test_lam_grid_names_pretrain_lr_in_its_message():
    from ftheory.simulate.deep_linear.lam_grid import simulate_deep_linear_transfer_lams
    for v in (-1, 0):
        with pytest.raises(ValueError, match=rf"^pretrain_lr={v} is invalid: expected a real number in \(0, inf\)$"):
            simulate_deep_linear_transfer_lams(3, 4, 0.3, 0.0, [0.0], pretrain_lr=v, instances=1)


def test_convergence_criterion_includes_excess_equal_to_tol():
    from ftheory.simulate.deep_linear.engine import _met
    # excess == tol exactly, gradient too large and no decrease: met by the loss clause alone
    got = _met(np.array([0.5, 0.5]), np.array([1.0, 1.0]), np.array([1.0, 1.0]), np.array([1.0, 1.0]),
               np.array([0.5, 0.25]), 0.1)
    assert got.tolist() == [True, False]


_TASK_DEFAULTS = {"n": None, "d": None, "theta": 0.0, "sigma": 0.0, "gamma": None}
_OPTION_DEFAULTS = {"depth": 2, "lam": 0.0, "alpha": None, "lr": None, "max_steps": 10000, "tol": 1e-6, "wd": 0.0,
                    "gamma_s": None, "sigma_s": 0.0, "norm_s": 1.0, "norm_t": 1.0, "width": None, "instances": 20,
                    "seed": None, "method": "gd", "reduced": True, "pretrained": "gd", "pretrain_lr": None,
                    "pretrain_steps": 20000, "pretrain_tol": 1e-12, "early_stop": True, "rcond": 1e-3, "rank": None}


def _check_published_signature(sig, first=()):
    import inspect
    P = inspect.Parameter
    params = list(sig.parameters.values())
    assert [p.name for p in params] == list(first) + list(_TASK_DEFAULTS) + list(_OPTION_DEFAULTS)
    for p in params[:len(first)]:
        assert p.kind == P.POSITIONAL_OR_KEYWORD and p.default is P.empty
    for p in params[len(first):]:
        want = {**_TASK_DEFAULTS, **_OPTION_DEFAULTS}[p.name]
        assert p.default == want and type(p.default) is type(want), p.name
        positional = p.name in ("n", "d", "theta", "sigma")
        assert p.kind == (P.POSITIONAL_OR_KEYWORD if positional else P.KEYWORD_ONLY), p.name


def test_published_signatures_carry_every_default():
    import inspect

    from ftheory.simulate.deep_linear.montecarlo import _procedure_wrapper, simulate_deep_linear
    from ftheory.simulate.deep_linear.options import signature
    _check_published_signature(signature())                          # built here, at run time
    _check_published_signature(signature(("procedure",)), ("procedure",))
    _check_published_signature(inspect.signature(simulate_deep_linear), ("procedure",))
    _check_published_signature(inspect.signature(_procedure_wrapper("lt", "linear_transfer")))


def test_lam_grid_checks_seed_first_and_accepts_chunks_of_one():
    from ftheory.simulate.deep_linear.lam_grid import simulate_deep_linear_transfer_lams as lams
    with pytest.raises(ValueError, match=r"^seed="):            # the seed is checked with the task, before rcond
        lams(3, 4, 0.3, 0.0, [0.0], seed="bad", rcond=2.0, instances=1)
    with pytest.raises(ValueError, match=r"^chunk_size=0 is invalid: expected an integer >= 1$"):
        lams(3, 4, 0.3, 0.0, [0.0], chunk_size=0, instances=1)
    kw = dict(instances=2, seed=3, pretrain_steps=3)
    one, two = lams(3, 4, 0.3, 0.0, [0.0], chunk_size=1, **kw), lams(3, 4, 0.3, 0.0, [0.0], chunk_size=2, **kw)
    np.testing.assert_allclose(one[0.0].samples, two[0.0].samples, rtol=1e-12)  # chunking changes nothing


def test_a_diverging_run_is_flagged_without_a_floating_point_warning():
    """lr = 1e300 overflows; the result is nan, flagged diverged, and no RuntimeWarning escapes
    (the reconstruction of beta ran outside the engines' errstate; warnings are errors in this suite)."""
    import warnings

    from ftheory.simulate.deep_linear.training import train_scratch

    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((2, 3, 5)), rng.standard_normal((2, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = train_scratch(X, y, max_steps=5, lr=1e300)
    assert r.diverged.all() and not np.isfinite(r.beta).any()
