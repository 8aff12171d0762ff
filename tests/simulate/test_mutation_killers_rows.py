"""Row simulators (simulate/paired_rows.py) and the shared rank-one fine-tuning (deep_linear/rank_one.py)
against an independent recomputation of their documented draws and definitions (written for mutation
testing, docs/testing.md).

Draws per instance (one child of ``SeedSequence(seed)`` each, in this order): ``g`` (2, d) for the target
teacher ``beta_t`` and the orthogonal unit ``v``; ``X`` (n, d); the target noise (n) only if sigma > 0; the
scratch initialisation (``init_network``; not drawn by the linear-transfer rows); the source inputs (n_s, d) and noise (n_s) with a finite
source; the pretraining initialisation with ``pretrained="gd"``. The expected values use NumPy's
``pinv``, the scalar read-out formula and ``brentq`` for the gradient-flow scale; the GD runs use the
one-network trainers (``train_scratch``, ``pretrain``, ``finetune`` from ``pretrained_state``), which
``finetune_rank_one`` reproduces to rounding (tests/simulate/test_rank_one.py).
"""
import math

import numpy as np
import pytest
from scipy import optimize

from ftheory.simulate.deep_linear import DeepLinearNet, finetune, init_network, pretrain, pretrained_state, \
    train_scratch
from ftheory.simulate.deep_linear.rank_one import finetune_rank_one
from ftheory.simulate.paired_rows import (ROW_QUANTITIES, _SCRATCH_MEMO, row_key, simulate_finetune_rows,
                                          simulate_lt_finite_source_rows)

# GD iterates of the shared kernel vs the one-network trainer: |beta| ~ 1, rounding only (test_rank_one.py)
ATOL_GD = 1e-9


def _children(seed, instances):
    return [np.random.default_rng(c) for c in np.random.SeedSequence(seed).spawn(instances)]


def _draw(rng, n, d, sigma, n_s, depth, gd, init=True):
    g = rng.standard_normal((2, d))
    u = g[0] / np.linalg.norm(g[0])
    v = g[1] - (g[1] @ u) * u
    out = {"bt": u, "v": v / np.linalg.norm(v), "X": rng.standard_normal((n, d))}
    out["y"] = out["X"] @ u + (sigma * rng.standard_normal(n) if sigma > 0 else 0.0)
    if init:
        out["w_sc"] = init_network(d, depth=depth, seed=rng).weights
    if n_s is not None:
        out["X_s"], out["xi_s"] = rng.standard_normal((n_s, d)), rng.standard_normal(n_s)
    if gd:
        out["w_pre"] = init_network(d, depth=depth, seed=rng).weights
    return out


def _gf_c(b_pre, null_pre, b_sc, depth):
    r2 = b_pre @ b_pre
    A, B = null_pre @ null_pre / r2, b_sc @ b_sc / r2
    w = optimize.brentq(lambda w: w ** depth - A * w ** (depth - 1) - B, 1e-300, 1 + A + B, xtol=1e-15, rtol=1e-15)
    return w ** ((depth - 1) / 2)


def _readout(X, y, f):
    z = X @ (f / np.linalg.norm(f))
    return (z @ y) / (z @ z) * f / np.linalg.norm(f)


@pytest.mark.parametrize("n, sigma, gamma_s, depth, pretrained, factor", [
    (5, 0.3, None, 2, "balanced", 1.0), (5, 0.0, 0.6, 3, "balanced", 0.5), (12, 0.3, None, 2, "balanced", 1.0),
    (5, 0.3, 0.6, 2, "gd", 0.5), (5, 0.3, None, 2, "gd", 1.0)])
def test_finetune_rows_are_the_documented_computation(n, sigma, gamma_s, depth, pretrained, factor):
    d, thetas, sigma_s, I, steps = 10, [0.3, 1.9], 0.2, 2, 3000
    res = simulate_finetune_rows(n, d, sigma, thetas=thetas, gamma_s=gamma_s, sigma_s=sigma_s, depth=depth,
                                 instances=I, seed=6, max_steps=steps, ft_lr_factor=factor, pretrained=pretrained)
    n_s = None if gamma_s is None else round(gamma_s * d)
    rows = [_draw(rng, n, d, sigma, n_s, depth, pretrained == "gd") for rng in _children(6, I)]
    X, y, bt = (np.stack([r[k] for r in rows]) for k in ("X", "y", "bt"))
    sc = train_scratch(X, y, net=DeepLinearNet(tuple(np.concatenate([r["w_sc"][l] for r in rows])
                                                     for l in range(depth))), max_steps=steps)
    r_sc = np.sum((sc.beta - bt) ** 2, axis=1)
    quantities = ROW_QUANTITIES if n < d else ROW_QUANTITIES[:2]
    assert set(res) == {row_key(q, j) for q in quantities for j in range(2)}
    for j, th in enumerate(thetas):
        beta_s = math.cos(th) * bt + math.sin(th) * np.stack([r["v"] for r in rows])
        if n_s is not None:
            y_s = np.stack([r["X_s"] @ b + sigma_s * r["xi_s"] for r, b in zip(rows, beta_s)])
        if pretrained == "balanced":
            b_pre = beta_s if n_s is None else np.stack([np.linalg.pinv(r["X_s"]) @ ys for r, ys in zip(rows, y_s)])
            net, conv_pre = pretrained_state(b_pre, depth=depth, seed=0), np.ones(I, bool)
        else:
            w_pre = DeepLinearNet(tuple(np.concatenate([r["w_pre"][l] for r in rows]) for l in range(depth)))
            pre = pretrain(beta_s, net=w_pre) if n_s is None else pretrain(
                X_s=np.stack([r["X_s"] for r in rows]), y_s=y_s, net=w_pre)
            net, b_pre, conv_pre = pre.net, pre.beta, pre.converged
        ft = finetune(net, X, y, lr=factor * finetune(net, X, y, max_steps=0).lr, max_steps=steps)
        conv = conv_pre & sc.converged & ft.converged
        est = res[row_key("T_ft", j)]
        np.testing.assert_allclose(est.samples, r_sc - np.sum((ft.beta - bt) ** 2, axis=1), rtol=0, atol=ATOL_GD)
        np.testing.assert_array_equal(est.converged, conv)
        assert est.info == {"n": n, "d": d, "theta": th, "sigma": sigma, "pretrained": pretrained,
                            "max_steps_ft": int(ft.steps.max()), "max_steps_sc": int(sc.steps.max()),
                            "path_ft": "reduced-width1-shared" if pretrained == "balanced" else ft.path}
        lt = res[row_key("T_lt", j)]
        expected_lt = r_sc - np.array([np.sum((_readout(X[i], y[i], b_pre[i]) - bt[i]) ** 2) for i in range(I)])
        np.testing.assert_allclose(lt.samples, expected_lt, rtol=1e-9, atol=1e-12)
        np.testing.assert_array_equal(lt.converged, conv_pre & sc.converged)
        if n >= d:
            continue
        for i in range(I):
            pinv = np.linalg.pinv(X[i])
            null = lambda w: w - pinv @ (X[i] @ w)  # noqa: E731
            null_pre, null_ft, null_t = null(b_pre[i]), null(ft.beta[i]), null(bt[i])
            c = _gf_c(b_pre[i], null_pre, pinv @ y[i], depth)
            r_paper, r_ft, r_gf = (np.sum((w - null_t) ** 2) for w in (null_pre, null_ft, c * null_pre))
            for q, val, tol in (("gap_paper", r_paper - r_ft, ATOL_GD), ("gap_cmodel", r_paper - r_gf, 1e-9),
                                ("gd_minus_gf", r_gf - r_ft, ATOL_GD),
                                ("c_gd", null_ft @ null_pre / (null_pre @ null_pre), ATOL_GD), ("c_model", c, 1e-9)):
                assert res[row_key(q, j)].samples[i] == pytest.approx(val, rel=1e-9, abs=tol), q
                np.testing.assert_array_equal(res[row_key(q, j)].converged, conv)
                assert res[row_key(q, j)].info is est.info or res[row_key(q, j)].info == est.info


@pytest.mark.parametrize("n, sigma", [(6, 0.0), (6, 0.4), (15, 0.4)])
def test_lt_finite_source_rows_are_the_documented_computation(n, sigma):
    d, gamma_s, sigma_s, thetas = 10, 0.7, 0.3, [0.0, 1.2, math.pi]
    res = simulate_lt_finite_source_rows(n, d, sigma, gamma_s, sigma_s, thetas=thetas, instances=3, seed=9)
    n_s = 7
    assert set(res) == {row_key(q, j) for q in ("sc", "lt", "T_lt", "cos2_eff") for j in range(3)}
    for i, rng in enumerate(_children(9, 3)):
        r = _draw(rng, n, d, sigma, n_s, 2, False, init=False)
        r_sc = np.sum((np.linalg.pinv(r["X"]) @ r["y"] - r["bt"]) ** 2)
        for j, th in enumerate(thetas):
            beta_s = math.cos(th) * r["bt"] + math.sin(th) * r["v"]
            b_hat = np.linalg.pinv(r["X_s"]) @ (r["X_s"] @ beta_s + sigma_s * r["xi_s"])
            r_lt = np.sum((_readout(r["X"], r["y"], b_hat) - r["bt"]) ** 2)
            cos2 = (b_hat @ r["bt"]) ** 2 / (b_hat @ b_hat)
            for q, val in (("sc", r_sc), ("lt", r_lt), ("T_lt", r_sc - r_lt), ("cos2_eff", cos2)):
                assert res[row_key(q, j)].samples[i] == pytest.approx(val, rel=1e-9, abs=1e-12), (q, j)
                assert res[row_key(q, j)].info == {"n": n, "d": d, "sigma": sigma, "gamma_s": gamma_s,
                                                   "sigma_s": sigma_s, "n_s": n_s, "theta": th}


def test_row_keys_and_row_messages():
    assert row_key("T_ft", 2) == "T_ft:2"
    bad = [(dict(thetas=[]), r"^thetas=\[\] is invalid: expected a non-empty list of angles in \[0, pi\]$"),
           (dict(thetas=0.5), r"^thetas=0\.5 is invalid: expected a non-empty list of angles in \[0, pi\]$"),
           (dict(thetas=[1.0], pretrained="bal"), r"^pretrained='bal' is invalid: expected 'balanced' or 'gd'$"),
           (dict(thetas=[1.0], gamma_s=0.04), r"^gamma_s=0\.04 is invalid at d=10: n_s = round\(gamma_s d\) = 0, expected n_s >= 1 \(domain at this d: round\(gamma_s d\) >= 1; gamma_s >= 0\.1 suffices\)$"),
           (dict(thetas=[1.0], ft_lr_factor=0.0), r"^ft_lr_factor=0\.0 is invalid"),
           (dict(thetas=[1.0], instances=0), r"^instances=0 is invalid")]
    for kw, match in bad:
        with pytest.raises(ValueError, match=match):
            simulate_finetune_rows(4, 10, 0.1, seed=0, **{"instances": 1, **kw})
    with pytest.raises(ValueError, match=r"^gamma_s=0\.04 is invalid at d=10: n_s = round\(gamma_s d\) = 0, expected n_s >= 1 \(domain at this d: round\(gamma_s d\) >= 1; gamma_s >= 0\.1 suffices\)$"):
        simulate_lt_finite_source_rows(4, 10, 0.1, 0.04, 0.1, thetas=[1.0], instances=1, seed=0)
    with pytest.raises(ValueError, match=r"^thetas=None is invalid"):
        simulate_lt_finite_source_rows(4, 10, 0.1, 0.5, 0.1, thetas=None, instances=1, seed=0)


def test_a_memoised_scratch_run_is_reused_only_when_it_is_the_same_computation():
    """A run stopped by a smaller budget (not converged) must not stand in for a longer one; a
    converged one must (and a rerun with the same budget gives the same samples)."""
    kw = dict(thetas=[0.5], instances=2, seed=3)
    _SCRATCH_MEMO.clear()
    fresh = simulate_finetune_rows(5, 10, 0.2, max_steps=3000, **kw)
    _SCRATCH_MEMO.clear()
    short = simulate_finetune_rows(5, 10, 0.2, max_steps=5, **kw)
    assert not short[row_key("T_ft", 0)].converged.any()
    after_short = simulate_finetune_rows(5, 10, 0.2, max_steps=3000, **kw)
    longer = simulate_finetune_rows(5, 10, 0.2, max_steps=3500, **kw)    # converged before 3000: memo hits
    assert fresh[row_key("T_ft", 0)].converged.all()
    # a budget below the converged run's step count: the stored run stopped later than this one may
    k = fresh[row_key("T_lt", 0)].info["max_steps_sc"] - 1
    cut = simulate_finetune_rows(5, 10, 0.2, max_steps=k, **kw)
    _SCRATCH_MEMO.clear()
    cut_fresh = simulate_finetune_rows(5, 10, 0.2, max_steps=k, **kw)
    np.testing.assert_array_equal(cut[row_key("T_lt", 0)].samples, cut_fresh[row_key("T_lt", 0)].samples)
    np.testing.assert_array_equal(cut[row_key("T_lt", 0)].converged, cut_fresh[row_key("T_lt", 0)].converged)
    assert not cut_fresh[row_key("T_lt", 0)].converged.all()
    for res in (after_short, longer):
        np.testing.assert_array_equal(res[row_key("T_lt", 0)].samples, fresh[row_key("T_lt", 0)].samples)
        np.testing.assert_array_equal(res[row_key("T_lt", 0)].converged, fresh[row_key("T_lt", 0)].converged)
        assert res[row_key("T_lt", 0)].info["max_steps_sc"] == fresh[row_key("T_lt", 0)].info["max_steps_sc"]
    _SCRATCH_MEMO.clear()


def _case(n, d, G=2, B=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((B, n, d))
    y = X @ rng.standard_normal(d) / np.sqrt(d) + 0.2 * rng.standard_normal((B, n))
    return rng.standard_normal((G, B, d)) / np.sqrt(d), X, y


@pytest.mark.parametrize("n, d, depth, wd, kw", [
    (6, 12, 2, 0.2, dict(lr=0.05)), (6, 12, 3, 0.0, dict(lr=np.array([0.04, 0.06]), early_stop=False)),
    (6, 12, 2, 0.1, dict(tol=1e-3, grad_tol=1e-1)), (15, 8, 2, 0.0, dict(lr_factor=0.3, tol=0.0, grad_tol=0.0))])
def test_rank_one_finetune_every_field_matches_finetune(n, d, depth, wd, kw):
    beta_pre, X, y = _case(n, d)
    got = finetune_rank_one(beta_pre, X, y, depth=depth, wd=wd, max_steps=150, **kw)
    assert got.path == "reduced-width1-shared"
    opts = {k: v for k, v in kw.items() if k in ("early_stop", "tol", "grad_tol")}
    for g in range(2):
        net = pretrained_state(beta_pre[g], depth=depth, seed=g)
        lr = kw.get("lr")
        lr = kw.get("lr_factor", 1.0) * finetune(net, X, y, max_steps=0).lr if lr is None else lr * np.ones(2)
        ref = finetune(net, X, y, lr=lr, wd=wd, max_steps=150, **opts)
        np.testing.assert_allclose(got.lr[g], lr, rtol=1e-12)
        np.testing.assert_array_equal(got.steps[g], ref.steps)
        np.testing.assert_array_equal(got.converged[g], ref.converged)
        np.testing.assert_array_equal(got.diverged[g], ref.diverged)
        np.testing.assert_allclose(got.beta[g], ref.beta, rtol=0, atol=1e-10)
        np.testing.assert_allclose(got.loss[g], ref.loss, rtol=1e-9, atol=1e-13)
        np.testing.assert_allclose(got.floor[g], ref.floor, rtol=1e-9, atol=1e-13)
        np.testing.assert_allclose(got.grad_norm[g], ref.grad_norm, rtol=1e-8, atol=1e-12)


def test_rank_one_finetune_messages():
    beta_pre, X, y = _case(5, 9)
    with pytest.raises(ValueError, match=r"^beta_pre, X, y must have shapes \(G, B, d\), \(B, n, d\), \(B, n\); "
                                         r"got \(2, 2, 9\), \(2, 5, 9\), \(2, 4\)$"):
        finetune_rank_one(beta_pre, X, y[:, :4])
    with pytest.raises(ValueError, match="shapes"):
        finetune_rank_one(beta_pre, X[0], y)
    bad = beta_pre.copy()
    bad[1, 0, 2] = np.nan
    with pytest.raises(ValueError, match=r"^beta_pre, X and y must be finite$"):
        finetune_rank_one(bad, X, y)
    with pytest.raises(ValueError, match=r"^beta_pre must be non-zero"):
        finetune_rank_one(np.stack([beta_pre[0], 0 * beta_pre[1]]), X, y)
    for lr in (0.0, [0.1, 0.2, 0.3], [[0.1, 0.1]], np.inf):
        with pytest.raises(ValueError, match=r"^lr=.* is invalid: expected None, a positive number or one per data "
                                             r"set \(2\)$"):
            finetune_rank_one(beta_pre, X, y, lr=lr)
    with pytest.raises(ValueError, match=r"^wd=4\.0 is invalid with lr=0\.25: expected lr \* wd < 1$"):
        finetune_rank_one(beta_pre, X, y, lr=0.25, wd=4.0)
    assert finetune_rank_one(beta_pre, X, y, lr=0.25, wd=3.9, max_steps=1).steps.shape == (2, 2)
    for name, kw in (("depth", dict(depth=1)), ("max_steps", dict(max_steps=-1)), ("tol", dict(tol=-1.0)),
                     ("grad_tol", dict(grad_tol=-1.0)), ("wd", dict(wd=-0.1)), ("lr_factor", dict(lr_factor=-1.0))):
        with pytest.raises(ValueError, match=f"^{name}="):
            finetune_rank_one(beta_pre, X, y, **kw)
