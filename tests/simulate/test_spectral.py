"""The spectral engine of ftheory.simulate.deep_linear: same iterates as plain full-dimensional GD.

Tolerances: every comparison is between two float64 computations of the same GD iterates; the
differences are rounding, ~1e-15 in practice. The bound 1e-10 allows a condition factor of ~1e5
(the step count times the growth of rounding errors over the run), far below any modelling effect.
"""
import math

import numpy as np
import pytest

from ftheory.simulate.data import gaussian_data, teachers
from ftheory.simulate.deep_linear import (DeepLinearNet, init_network, pretrained_state, simulate_transfer,
                                          train)

TOL = 1e-10


def _problem(n, d, instances=3, seed=0, sigma=0.3):
    t = teachers(d, 0.7, instances=instances, seed=seed)
    X, y = gaussian_data(t.beta_t, n, sigma=sigma, seed=seed + 1)
    return t, X, y


def _same(a, b):
    assert np.array_equal(a.steps, b.steps) and np.array_equal(a.converged, b.converged)
    assert np.abs(a.beta - b.beta).max() < TOL
    assert max(float(np.abs(p - q).max()) for p, q in zip(a.net.weights, b.net.weights)) < TOL
    np.testing.assert_allclose(a.loss, b.loss, rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(a.grad_norm, b.grad_norm, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("depth", [2, 3, 4])
@pytest.mark.parametrize("wd", [0.0, 0.05])
@pytest.mark.parametrize("n,kernel", [(12, "gram"), (12, "spectral"), (40, "spectral")])
def test_width1_equals_full_gd(depth, wd, n, kernel, monkeypatch):
    """From the balanced rank-one state, the width-1 engine reproduces full-width GD (fixed budget):
    the Gram kernel (n < d, no eigensolver) and the spectral one (O(k) per step), each forced here
    through the conditioning threshold that chooses between them."""
    import ftheory.simulate.deep_linear.spectral as spectral

    monkeypatch.setattr(spectral, "_GRAM_COND", 1e12 if kernel == "gram" else 0.0)
    t, X, y = _problem(n, 30)
    net = pretrained_state(t.beta_s, depth=depth, seed=2)
    kw = dict(X=X, y=y, lr=0.02, max_steps=300, tol=0.0, grad_tol=0.0, wd=wd, early_stop=False)
    red, full = train(net, reduced=True, **kw), train(net, reduced=False, **kw)
    assert red.path == ("reduced-width1-gram" if kernel == "gram" else "reduced-width1") and full.path == "full"
    _same(red, full)


@pytest.mark.parametrize("wd", [0.0, 0.02])
@pytest.mark.parametrize("d", [40, 400])         # spectral and Gram kernels chosen by the conditioning rule
def test_width1_to_convergence_same_steps_and_weights(wd, d):
    """Automatic step, early stopping: same step counts, flags and final weights."""
    t, X, y = _problem(15, d)
    net = pretrained_state(2.0 * t.beta_s, seed=3)
    red, full = train(net, X=X, y=y, wd=wd), train(net, X=X, y=y, wd=wd, reduced=False)
    assert red.all_converged or wd > 0         # with weight decay only the gradient rule can stop a run
    _same(red, full)


@pytest.mark.parametrize("depth", [2, 3])
def test_rank_two_state_reduces_hidden_subspaces(depth):
    """A rank-two state: the hidden subspaces have dimension <= 4, iterates still equal full GD."""
    d, m = 24, 24
    rng = np.random.default_rng(5)
    A = rng.standard_normal((1, d, 2)) * 0.5
    C = rng.standard_normal((1, 2, m)) * 0.5
    ws = [A @ C]
    for _ in range(depth - 2):
        E = rng.standard_normal((1, m, 2))
        ws.append(E @ rng.standard_normal((1, 2, m)) * 0.3)
    ws.append(rng.standard_normal((1, m, 1)) * 0.5)
    net = DeepLinearNet(tuple(ws))
    _, X, y = _problem(10, d, instances=1)
    kw = dict(X=X, y=y, lr=0.002, max_steps=200, tol=0.0, grad_tol=0.0, early_stop=False)
    red, full = train(net, reduced=True, **kw), train(net, reduced=False, **kw)
    assert red.path == "reduced-input+hidden" and not red.diverged.any()
    _same(red, full)


def _width1_by_hand(x0, sig, X, y, lr, steps):
    """The width-1 reduced dynamics written out: W_1 = x v^T, scalars sigma_l; plain GD, depth L."""
    n = X.shape[0]
    x, sig = x0.copy(), list(sig)
    for _ in range(steps):
        S = math.prod(sig)
        G = (2.0 / n) * X.T @ (X @ (S * x) - y)
        xg = x @ G
        grads = [xg * math.prod(sig[:j] + sig[j + 1:]) for j in range(len(sig))]
        x = x - lr * S * G
        sig = [s - lr * g for s, g in zip(sig, grads)]
    return x, sig


@pytest.mark.parametrize("depth", [2, 3])
def test_full_width_gd_from_balanced_state_is_the_width1_dynamics(depth):
    """Issue 13 item 3: full-width GD (reduced=False, d x m layers) from the exactly balanced rank-one
    state equals the width-1 dynamics written independently here, to 1e-8."""
    t, X, y = _problem(20, 30, instances=2)
    net = pretrained_state(t.beta_s, depth=depth, seed=4)
    full = train(net, X=X, y=y, lr=0.02, max_steps=400, tol=0.0, grad_tol=0.0, early_stop=False, reduced=False)
    for i in range(2):
        ws = [w[i] for w in net.weights]
        v = ws[-1][:, 0] / np.linalg.norm(ws[-1][:, 0])          # hidden directions v_{L-1}, ..., v_1
        vs = [v]
        for W in reversed(ws[1:-1]):
            u = W @ vs[0]
            vs.insert(0, u / np.linalg.norm(u))
        x0 = ws[0] @ vs[0]
        sig = [vs[l - 1] @ ws[l] @ vs[l] for l in range(1, depth - 1)] + [vs[-1] @ ws[-1][:, 0]]
        x, sg = _width1_by_hand(x0, sig, X[i], y[i], 0.02, 400)
        np.testing.assert_allclose(full.beta[i], x * math.prod(sg), rtol=0, atol=1e-8)
        np.testing.assert_allclose(full.net.weights[0][i], np.outer(x, vs[0]), rtol=0, atol=1e-8)


def _minimal_gd(W, w, loss_grad, lr, steps):
    """Two-layer linear net, plain GD for a fixed number of steps: 6 lines, nothing shared with ftheory."""
    for _ in range(steps):
        G = loss_grad(W @ w)
        W, w = W - lr * np.outer(G, w), w - lr * (W.T @ G)
    return W, w


def test_simulate_finetune_equals_an_independent_minimal_gd():
    """Issue 13 item 3: `simulate finetune` (simulate_transfer) equals a minimal GD written here, on
    the same data: population pretraining from the same initial weights, fine-tuning and scratch,
    fixed step sizes and budgets (tol = 0, no early stopping), risks compared per instance."""
    n, d, theta, sigma, B, seed = 12, 24, math.pi / 4, 0.2, 3, 11
    lr, plr, steps, psteps = 0.02, 0.2, 600, 300
    res = simulate_transfer(n, d, theta, sigma, instances=B, seed=seed, lr=lr, max_steps=steps, tol=0.0,
                            early_stop=False, pretrain_lr=plr, pretrain_steps=psteps, pretrain_tol=0.0)
    from ftheory.simulate._random import spawn_seeds

    for i, child in enumerate(spawn_seeds(seed, B)):
        rng = np.random.default_rng(child)      # draw order of the Monte Carlo drivers (docs/deep_linear.md)
        tt = teachers(d, theta, instances=1, seed=rng)
        X, y = gaussian_data(tt.beta_t, n, sigma=sigma, seed=rng)
        nets = [init_network(d, instances=1, seed=rng) for _ in range(2)]
        (Wp, wp), (Ws, wsc) = [(net.weights[0][0], net.weights[1][0, :, 0]) for net in nets]
        bs, bt, X, y = tt.beta_s[0], tt.beta_t[0], X[0], y[0]
        Wp, wp = _minimal_gd(Wp, wp, lambda b: 2 * (b - bs), plr, psteps)
        target = lambda b: (2.0 / n) * X.T @ (X @ b - y)  # noqa: E731
        Wf, wf = _minimal_gd(Wp, wp, target, lr, steps)
        Wsc, wsc = _minimal_gd(Ws, wsc, target, lr, steps)
        r_ft = np.sum((Wf @ wf - bt) ** 2)
        r_sc = np.sum((Wsc @ wsc - bt) ** 2)
        assert abs(res["ft"].samples[i] - r_ft) < 1e-8
        assert abs(res["sc"].samples[i] - r_sc) < 1e-8
        assert abs(res["T_ft"].samples[i] - (r_sc - r_ft)) < 1e-8


def test_gradient_flow_in_the_spectral_basis_and_the_gd_gap():
    """method="flow" integrates the flow on the width-1 state (adaptive DOP853, stopping on the loss or
    the gradient); it agrees with the flow of the full-width state to the solver tolerance, and GD
    approaches it linearly in the step: halving the step halves |beta_GD - beta_flow| (ratio 2 +- 20%)."""
    t, X, y = _problem(12, 30, instances=2)
    net = pretrained_state(t.beta_s, seed=6)
    kw = dict(X=X, y=y, tol=1e-12, max_steps=10 ** 6)
    flow = train(net, method="flow", **kw)
    assert flow.path == "reduced-width1" and flow.all_converged
    flow_full = train(net, method="flow", reduced=False, **kw)
    assert np.abs(flow.beta - flow_full.beta).max() < 1e-7
    gaps = []
    for lr in (0.02, 0.01):
        gd = train(net, lr=lr, **kw)
        assert gd.all_converged
        gaps.append(np.linalg.norm(gd.beta - flow.beta, axis=1))
    ratio = gaps[0] / gaps[1]
    assert np.all(gaps[1] > 1e-6) and np.all(np.abs(ratio - 2.0) < 0.4), ratio


def test_flow_stops_on_the_gradient_rule():
    """With weight decay the loss never reaches its floor: the flow stops by the gradient rule."""
    t, X, y = _problem(12, 30, instances=1)
    net = pretrained_state(t.beta_s, seed=7)
    res = train(net, X=X, y=y, method="flow", wd=0.05, tol=1e-8, max_steps=10 ** 6)
    assert res.all_converged and res.loss[0] - res.floor[0] > 1e-8 and res.grad_norm[0] <= 1e-8 * 1.01


@pytest.mark.parametrize("gamma_s", [None, 0.5, 2.0])
def test_balanced_pretrained_state_is_the_small_alpha_small_step_limit_of_gd_pretraining(gamma_s):
    """pretrained="balanced" (width-1 fine-tuning, no pretraining run) is the limit of GD pretraining
    from the small initialisation (alpha = 1e-5). Population source: risks agree within 1e-5 (O(alpha)).
    Finite source (minimum-norm fit, both sides of n_s = d): linear transfer agrees within 1e-5; the
    fine-tuned risks differ by the O(step) imbalance that discrete GD pretraining leaves in the
    network, so halving the pretraining step halves the difference (ratio 2 +- 15%) wherever it exceeds the
    O(alpha) floor."""
    kw = dict(n=10, d=20, theta=0.6, sigma=0.2, instances=4, seed=3, gamma_s=gamma_s,
              sigma_s=0.0 if gamma_s is None else 0.1)
    bal = simulate_transfer(**kw, pretrained="balanced")
    assert bal["ft"].info["path"].startswith("reduced-width1") and bal["ft"].info["pretrained"] == "balanced"
    if gamma_s is None:
        gd = simulate_transfer(**kw)
        for key in ("sc", "lt", "ft", "T_ft"):
            np.testing.assert_allclose(bal[key].samples, gd[key].samples, rtol=0, atol=1e-5)
        return
    diffs = []
    for plr in (0.02, 0.01):
        gd = simulate_transfer(**kw, pretrain_lr=plr, pretrain_steps=100000)
        assert gd["lt"].all_converged
        np.testing.assert_array_equal(bal["sc"].samples, gd["sc"].samples)     # same draws, same scratch run
        np.testing.assert_allclose(bal["lt"].samples, gd["lt"].samples, rtol=0, atol=1e-5)
        diffs.append(np.abs(bal["ft"].samples - gd["ft"].samples))
    big = diffs[1] > 5e-6          # above the O(alpha) = 1e-5-scale floor, the O(step) part dominates
    assert big.any() and np.all(diffs[0] < 1e-3)
    assert np.all(np.abs(diffs[0][big] / diffs[1][big] - 2.0) < 0.3), diffs
