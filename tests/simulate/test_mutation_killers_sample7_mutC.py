"""Written against non-equivalent survivors of the seventh simulate mutmut sample (seed 20261208) in aniso,
linear*, _linear_core, paired* and data, AFTER that sample was drawn: in-sample, not part of its score.

Expected values come from the documented per-instance draws (child ``i`` of ``SeedSequence(seed)``)
recomputed with NumPy's own ``pinv``, from the exact messages and domains, from a second run with the same
seed (reproducibility), and from the documented defaults of the signatures.
"""
import math
from fractions import Fraction

import numpy as np
import pytest

import ftheory._checks
from ftheory.simulate import aniso as A
from ftheory.simulate import deep_linear as dl
from ftheory.simulate import linear as L
from ftheory.simulate.aniso import (finetune_linear, simulate_aniso_deep_finetune,
                                    simulate_aniso_linear_transfer_risk, simulate_aniso_tuned_ridge_risk,
                                    two_level_pair)
from ftheory.simulate.linear import min_norm, simulate_tuned_ridge_risk
from ftheory.simulate.linear_grid import (simulate_min_norm_sigma_grid, simulate_ridge_grid, simulate_transfer_grid,
                                         transfer_grid_estimates)
from ftheory.simulate.paired import simulate_finetune_paired


def _children(seed, instances):
    return [np.random.default_rng(c) for c in np.random.SeedSequence(seed).spawn(instances)]


# ---------------------------------------------------------------- exact rational / integer inputs
def test_estimators_and_linear_finetune_convert_exact_numbers_to_float64():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((4, 6))
    y = [Fraction(1, 3), Fraction(-2, 7), Fraction(5, 2), Fraction(0)]
    yf = np.array([float(v) for v in y])
    b = min_norm(X, y)                                   # labels as exact fractions: converted, not object
    assert b.dtype == np.float64
    np.testing.assert_allclose(b, np.linalg.pinv(X) @ yf, rtol=1e-12, atol=1e-14)
    beta_s = [Fraction(1, 2), Fraction(-1, 4), Fraction(3), Fraction(0), Fraction(1, 8), Fraction(-2)]
    bs = np.array([float(v) for v in beta_s])
    ft = finetune_linear(X, yf, beta_s)
    assert ft.dtype == np.float64
    np.testing.assert_allclose(ft, bs + np.linalg.pinv(X) @ (yf - X @ bs), rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------- grids: bad entries, defaults, shapes
def test_aniso_tuned_ridge_grid_is_float_and_rejects_none():
    ev, bt = [1.0, 2.0, 0.5], [0.3, -0.2, 0.1]
    res = simulate_aniso_tuned_ridge_risk(ev, bt, 2, 0.1, [0, 1], instances=1, seed=0)
    assert res.lams.dtype == np.float64 and res.lams.tolist() == [0.0, 1.0]
    with pytest.raises(ValueError, match=r"^lams=.* is invalid: expected a non-empty one-dimensional grid of "
                                         r"numbers >= 0$"):
        simulate_aniso_tuned_ridge_risk(ev, bt, 2, 0.1, [0.1, None], instances=1, seed=0)


@pytest.mark.parametrize("call,name", [
    (lambda: simulate_ridge_grid(3, 4, 0.1, [0.1, None], instances=1, seed=0), "lam"),
    (lambda: simulate_transfer_grid(3, 4, [None], 0.1, instances=1, seed=0), "theta"),
    (lambda: simulate_min_norm_sigma_grid(3, 4, [None], instances=1, seed=0), "sigma"),
])
def test_grid_entries_that_are_not_numbers_raise_value_error(call, name):
    with pytest.raises(ValueError, match=rf"^{name}=nan "):
        call()


@pytest.mark.parametrize("lams,shape", [([], r"\(0,\)"), ([[0.1, 0.2]], r"\(1, 2\)")])
def test_tuned_ridge_grid_shape_message(lams, shape):
    with pytest.raises(ValueError, match=rf"^lams has shape {shape}; expected a non-empty one-dimensional grid$"):
        simulate_tuned_ridge_risk(3, 4, 0.1, lams, instances=1, seed=0)


def test_ridge_grid_default_target_norm_is_one():
    n, d, instances, seed = 3, 5, 2, 4
    res = simulate_ridge_grid(n, d, 0.0, [0.0], instances=instances, seed=seed)
    assert res.estimates[0].info["norm_t"] == 1.0
    for rng, r in zip(_children(seed, instances), res.estimates[0].samples):
        g = rng.standard_normal(d)                      # beta_t uniform on the unit sphere, then X
        beta_t = g / np.linalg.norm(g)
        X = rng.standard_normal((n, d))
        b = np.linalg.pinv(X) @ (X @ beta_t)            # sigma = 0, lam = 0: min-norm fit
        assert r == pytest.approx(np.sum((b - beta_t) ** 2), rel=1e-9)


# ---------------------------------------------------------------- memory guard
def _guard_message(entries, gigabytes, limit_gb):
    return (rf"^a Monte Carlo instance with {entries} data entries \(n x d\) needs about {gigabytes} GB \(the design "
            rf"matrix, a working copy and its SVD\); this machine has {limit_gb} GB of memory: reduce the sizes$")


_EV300, _B300 = np.linspace(0.5, 1.5, 300), np.full(300, 0.05)
# every chunked simulator of the linear family at n x d = 9e4 input entries (aniso: n x len(eigenvalues));
# the finite-source one counts (n + n_s) d = (150 + 150) * 300
_GUARDED = {
    "min_norm": lambda: L.simulate_min_norm_risk(300, 300, 0.1, instances=1, seed=0),
    "ridge": lambda: L.simulate_ridge_risk(300, 300, 0.1, 0.1, instances=1, seed=0),
    "tuned_ridge": lambda: simulate_tuned_ridge_risk(300, 300, 0.1, [0.1], instances=1, seed=0),
    "linear_transfer": lambda: L.simulate_linear_transfer_risk(300, 300, 0.3, 0.1, instances=1, seed=0),
    "scratch_and_transfer": lambda: L.simulate_scratch_and_transfer(300, 300, 0.3, 0.1, instances=1, seed=0),
    "rank_k": lambda: L.simulate_rank_k_risk(300, 300, 2, 0.5, 0.1, instances=1, seed=0),
    "finite_source": lambda: L.simulate_linear_transfer_finite_source(150, 300, 0.3, 0.1, 0.5, 0.1, instances=1,
                                                                      seed=0),
    "transfer_grid": lambda: simulate_transfer_grid(300, 300, [0.3], 0.1, instances=1, seed=0),
    "sigma_grid": lambda: simulate_min_norm_sigma_grid(300, 300, [0.1], instances=1, seed=0),
    "ridge_grid": lambda: simulate_ridge_grid(300, 300, 0.1, [0.1], instances=1, seed=0),
    "aniso_scratch": lambda: A.simulate_aniso_scratch_risk(_EV300, _B300, 300, 0.1, instances=1, seed=0),
    "aniso_tuned": lambda: simulate_aniso_tuned_ridge_risk(_EV300, _B300, 300, 0.1, [0.1], instances=1, seed=0),
    "aniso_lt": lambda: simulate_aniso_linear_transfer_risk(_EV300, _B300, _B300, 300, 0.1, instances=1, seed=0),
    "aniso_ft": lambda: A.simulate_aniso_finetune_linear_risk(_EV300, _B300, _B300, 300, 0.1, instances=1, seed=0),
    "aniso_transfer": lambda: A.simulate_aniso_transfer(_EV300, _B300, _B300, 300, 0.1, instances=1, seed=0),
}


@pytest.mark.parametrize("name", sorted(_GUARDED))
def test_memory_guard_counts_the_input_entries_of_one_instance(name, monkeypatch):
    # 3 copies of 9e4 float64 entries = 2.16e6 bytes > 2e6 bytes of (patched) physical memory
    monkeypatch.setattr(ftheory._checks, "_physical_memory", lambda: 2_000_000)
    with pytest.raises(ValueError, match=_guard_message(r"9e\+04", r"0\.00216", r"0\.002")):
        _GUARDED[name]()


def test_memory_guard_scales_with_the_chunk(monkeypatch):
    monkeypatch.setattr(ftheory._checks, "_physical_memory", lambda: 1_000_000)
    # 3 * (100 * 300) * min(chunk_size, instances) floats: 1.44e6 bytes for chunks of 2, 7.2e5 for chunks of 1
    with pytest.raises(ValueError, match=_guard_message(r"3e\+04", r"0\.00144", r"0\.001")):
        L.simulate_min_norm_risk(100, 300, 0.0, instances=3, seed=0, chunk_size=2)
    with pytest.raises(ValueError, match=_guard_message(r"3e\+04", r"0\.00144", r"0\.001")):
        L.simulate_min_norm_risk(100, 300, 0.0, instances=2, seed=0, chunk_size=5)
    assert L.simulate_min_norm_risk(100, 300, 0.0, instances=3, seed=0, chunk_size=1).samples.shape == (3,)
    assert L.simulate_min_norm_risk(100, 300, 0.0, instances=3, seed=0).samples.shape == (3,)


# ---------------------------------------------------------------- aniso transfer: sign of beta_s
def test_aniso_linear_transfer_accepts_a_source_with_negative_entries():
    ev = np.array([1.0, 2.0, 0.5])
    bs, bt = np.array([-1.0, 0.0, 0.0]), np.array([0.4, -0.3, 0.2])
    n, sigma, instances, seed = 3, 0.2, 2, 1
    est = simulate_aniso_linear_transfer_risk(ev, bs, bt, n, sigma, instances=instances, seed=seed)
    for rng, r in zip(_children(seed, instances), est.samples):
        X = rng.standard_normal((n, 3)) * np.sqrt(ev)
        y = X @ bt + sigma * rng.standard_normal(n)
        f = X @ bs
        b = (f @ y) / (f @ f) * bs                     # least squares on the one feature x.beta_s
        assert r == pytest.approx(((b - bt) ** 2) @ ev, rel=1e-9)
    # ||beta_s||_Sigma^2 = 2 > 0 although the entries of beta_s sum to 0 against Sigma = I
    est = simulate_aniso_linear_transfer_risk([1.0, 1.0], [1.0, -1.0], [0.3, 0.2], 2, 0.0, instances=1, seed=0)
    assert est.samples.shape == (1,)


# ---------------------------------------------------------------- aniso deep fine-tuning
EV3 = np.array([2.0, 1.0, 0.5])
BS3 = np.array([0.6, -0.3, 0.2])
BT3 = np.array([0.5, 0.2, -0.1])


def test_aniso_deep_finetune_passes_its_budget_and_defaults_to_finetune(monkeypatch):
    seen = []
    real = dl.finetune

    def spy(net, X, y, **kw):
        seen.append(dict(kw))
        return real(net, X, y, **{**kw, "max_steps": 2})          # the recorded budget, not run

    monkeypatch.setattr(dl, "finetune", spy)
    out = simulate_aniso_deep_finetune(EV3, BS3, BT3, 2, 0.1, seed=0)
    assert out["deep"].samples.shape == (20,)                       # default instances
    assert (out["deep"].info["depth"], out["deep"].info["method"]) == (2, "gd")
    simulate_aniso_deep_finetune(EV3, BS3, BT3, 2, 0.1, instances=1, seed=0, lr=0.01, max_steps=7, tol=1e-3,
                                 method="flow")
    assert seen == [dict(lr=None, max_steps=200_000, tol=1e-10, method="gd"),
                    dict(lr=0.01, max_steps=7, tol=1e-3, method="flow")]


def test_aniso_deep_finetune_stops_at_max_steps_and_records_it():
    res = simulate_aniso_deep_finetune(EV3, BS3, BT3, 2, 0.1, instances=2, seed=0, max_steps=3, tol=0.0)
    info = res["deep"].info
    assert info["steps_max"] == 3 and type(info["steps_max"]) is int
    assert set(info) == {"n", "d", "sigma", "depth", "method", "null_leak", "steps_max", "seed"}
    assert not res["deep"].converged.any() and not res["scale"].converged.any()


def test_aniso_deep_finetune_is_reproducible_for_a_seed():
    a = simulate_aniso_deep_finetune(EV3, BS3, BT3, 2, 0.1, depth=3, instances=2, seed=5, max_steps=40)
    b = simulate_aniso_deep_finetune(EV3, BS3, BT3, 2, 0.1, depth=3, instances=2, seed=5, max_steps=40)
    for key in ("deep", "linear", "scale"):
        assert np.array_equal(a[key].samples, b[key].samples), key
    assert a["deep"].info == b["deep"].info


# ---------------------------------------------------------------- paired: convergence flags
def test_finetune_paired_flags_every_null_space_estimate_with_the_finetune_flags():
    out = simulate_finetune_paired(2, 4, 0.4, 0.0, instances=2, seed=0, max_steps=2)
    assert set(out) == {"T_ft", "T_lt", "gap_paper", "gap_cmodel", "gd_minus_gf", "c_gd", "c_model"}
    # two steps of GD from scratch cannot fit the data: every estimate that involves scratch is unconverged
    for key, est in out.items():
        assert est.converged.dtype == bool and est.converged.shape == (2,), key
        assert not est.converged.any(), key


# ---------------------------------------------------------------- messages
def test_two_level_pair_norm_t_message_is_exact():
    with pytest.raises(ValueError, match=r"^norm_t=0 is invalid: expected a real number in \(0, inf\)$"):
        two_level_pair(10, 0.3, 2.0, 0.5, 0.5, 0.5, norm_t=0, seed=0)
    with pytest.raises(ValueError, match=r"^norm_s=0 is invalid: expected a real number in \(0, inf\)$"):
        two_level_pair(10, 0.3, 2.0, 0.5, 0.5, 0.5, norm_s=0, seed=0)


# ---------------------------------------------------------------- documented defaults of the entry points
# (mutmut's trampoline keeps the original signature, so a default is pinned by what a call without it does)
def test_linear_entry_points_run_their_documented_defaults():
    base = {"norm_t": 1.0}
    tx = {"lam": 0.0, "lam_eff": 0.0, "norm_s": 1.0, "norm_t": 1.0, "depth": 2}
    runs = {
        "min_norm": (L.simulate_min_norm_risk(2, 3, 0.0, seed=0), base),
        "ridge": (L.simulate_ridge_risk(2, 3, 0.0, 0.1, seed=0), base),
        "tuned": (simulate_tuned_ridge_risk(2, 3, 0.0, [0.1], seed=0).estimates[0], base),
        "ridge_grid": (simulate_ridge_grid(2, 3, 0.0, [0.1], seed=0).estimates[0], base),
        "sigma_grid": (simulate_min_norm_sigma_grid(2, 3, [0.0], seed=0)[0.0], base),
        "lt": (L.simulate_linear_transfer_risk(2, 3, 0.3, 0.0, seed=0), tx),
        "rank_k": (L.simulate_rank_k_risk(4, 3, 1, 0.2, 0.0, seed=0), {}),
        "finite_source": (L.simulate_linear_transfer_finite_source(2, 3, 0.3, 0.0, 1.0, 0.0, seed=0),
                          {"lam": 0.0, "norm_s": 1.0, "norm_t": 1.0, "depth": 2}),
    }
    both = L.simulate_scratch_and_transfer(2, 3, 0.3, 0.0, seed=0)
    runs["sat_lt"] = (both["linear_transfer"], tx)
    runs["sat_sc"] = (both["scratch"], {"norm_s": 1.0, "norm_t": 1.0})
    for name, (est, info) in runs.items():
        assert est.samples.shape == (200,), name
        assert {k: est.info[k] for k in info} == info, name
    grid = simulate_transfer_grid(2, 3, [0.3], 0.0, seed=0)
    assert grid["lams"].tolist() == [0.0] and grid["scratch"].shape == (200, 1)
    assert grid["linear_transfer"].shape == (200, 1, 1)
    assert {k: grid["info"][k] for k in ("norm_s", "norm_t", "depth")} == {"norm_s": 1.0, "norm_t": 1.0, "depth": 2}
    est = transfer_grid_estimates(2, 3, [0.3], 0.0, seed=0)
    assert sorted(est) == ["linear_transfer:0:0", "scratch:0", "transferability:0:0"]
    assert est["linear_transfer:0:0"].info["lam"] == 0.0 and est["scratch:0"].samples.shape == (200,)


def test_aniso_entry_points_run_their_documented_defaults():
    ev, bs, bt = np.array([1.0, 2.0, 0.5]), np.array([0.3, 0.1, -0.2]), np.array([0.2, -0.4, 0.1])
    sc = A.simulate_aniso_scratch_risk(ev, bt, 2, 0.0, seed=0)
    assert sc.samples.shape == (200,) and sc.info["lam"] == 0.0 and sc.info["estimator"] == "min_norm"
    assert simulate_aniso_tuned_ridge_risk(ev, bt, 2, 0.0, [0.1], seed=0).estimates[0].samples.shape == (200,)
    assert simulate_aniso_linear_transfer_risk(ev, bs, bt, 2, 0.0, seed=0).samples.shape == (200,)
    assert A.simulate_aniso_finetune_linear_risk(ev, bs, bt, 2, 0.0, seed=0).samples.shape == (200,)
    assert all(e.samples.shape == (200,) for e in A.simulate_aniso_transfer(ev, bs, bt, 2, 0.0, seed=0).values())
    X, y = A.sigma_data(ev, bt, 4, seed=1)                   # sigma = 0: noiseless labels, nothing else drawn
    rng = np.random.default_rng(1)
    np.testing.assert_array_equal(X, rng.standard_normal((4, 3)) * np.sqrt(ev))
    np.testing.assert_array_equal(y, X @ bt)


def test_paired_entry_points_run_their_documented_defaults():
    from ftheory.simulate.data import gaussian_data, teachers
    from ftheory.simulate.paired import (simulate_finetune_models, simulate_lt_finite_source_paired,
                                         simulate_tuned_vs_transfer)
    from ftheory.simulate.paired_rows import simulate_lt_finite_source_rows

    n, d, theta = 2, 3, 0.3
    models = simulate_finetune_models(n, d, theta, 0.0, seed=0)
    assert models["c"].samples.shape == (200,)
    assert {k: models["c"].info[k] for k in ("gamma_s", "sigma_s")} == {"gamma_s": None, "sigma_s": 0.0}
    # population source of norm 1 and depth 2: c^2 is the positive root of c^4 - a c^2 - b with
    # a = ||(I - P) beta_s||^2, b = ||X^+ y||^2 (||beta_s|| = 1)
    for rng, c in zip(_children(0, 4), models["c"].samples):
        t = teachers(d, theta, norm_s=1.0, seed=rng)
        X, y = gaussian_data(t.beta_t, n, seed=rng)
        pinv = np.linalg.pinv(X[0])
        a = np.sum((t.beta_s[0] - pinv @ (X[0] @ t.beta_s[0])) ** 2)
        b = np.sum((pinv @ y[0]) ** 2)
        assert c ** 2 == pytest.approx((a + math.sqrt(a * a + 4 * b)) / 2, rel=1e-9)
    assert all(e.samples.shape == (30,) for e in simulate_lt_finite_source_paired(n, d, theta, 0.0, 1.0, 0.0,
                                                                                   seed=0).values())
    rows = simulate_lt_finite_source_rows(n, d, 0.0, 1.0, 0.0, thetas=[theta], seed=0)
    assert all(e.samples.shape == (30,) for e in rows.values())
    got = simulate_tuned_vs_transfer(n, d, theta, 0.1, 0.1, seed=0)
    s1, s2 = np.random.SeedSequence(0).spawn(2)       # independent children: ridge, then linear transfer
    ridge = L.simulate_ridge_risk(n, d, 0.1, 0.1, norm_t=1.0, instances=200, seed=s1)
    lt = L.simulate_linear_transfer_risk(n, d, theta, 0.1, norm_t=1.0, instances=200, seed=s2)
    np.testing.assert_allclose(got.samples, ridge.samples - lt.samples, rtol=1e-12, atol=1e-14)


def test_deep_paired_entry_points_pass_their_documented_defaults(monkeypatch):
    import ftheory.simulate.paired as P
    import ftheory.simulate.paired_rows as PR

    seen = {}

    def record(name, fn, cap):
        def spy(*args, **kw):
            seen.setdefault(name, []).append((args, dict(kw)))
            if cap is not None:
                args = args[:cap] + (2,)
            elif "max_steps" in kw:
                kw["max_steps"] = 2
            return fn(*args, **kw)
        return spy

    monkeypatch.setattr(P, "train_scratch", record("sc", P.train_scratch, None))
    monkeypatch.setattr(P, "finetune", record("ft", P.finetune, None))
    monkeypatch.setattr(P, "pretrain", record("pre", P.pretrain, None))
    out = P.simulate_finetune_paired(2, 4, 0.3, 0.0, seed=0)
    assert out["T_ft"].samples.shape == (8,)
    assert [kw["max_steps"] for _, kw in seen["sc"]] == [10000]
    assert [(kw["max_steps"], kw["lr"]) for _, kw in seen["ft"]] == [(10000, None)]
    ((pre_args, pre_kw),) = [(a, kw) for a, kw in seen["pre"]]
    assert "X_s" not in pre_kw and pre_kw["net"].depth == 2          # population source, depth 2
    np.testing.assert_allclose(np.linalg.norm(pre_args[0], axis=1), 1.0, rtol=1e-12)   # unit source teachers
    # a finite source set without sigma_s is noiseless: n_s = 8 >= d = 4 samples determine beta_s exactly
    P.simulate_finetune_paired(2, 4, 0.3, 0.0, gamma_s=2.0, instances=2, seed=0)
    X_s, y_s = seen["pre"][-1][1]["X_s"], seen["pre"][-1][1]["y_s"]
    assert X_s.shape == (2, 8, 4)
    fit = np.stack([np.linalg.lstsq(a, b, rcond=None)[0] for a, b in zip(X_s, y_s)])
    np.testing.assert_allclose(np.einsum("bnd,bd->bn", X_s, fit), y_s, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(fit, axis=1), 1.0, rtol=1e-10)

    monkeypatch.setattr(PR, "_scratch", record("rows_sc", PR._scratch, 3))
    monkeypatch.setattr(PR, "finetune_rank_one", record("rows_ft", PR.finetune_rank_one, None))
    rows = PR.simulate_finetune_rows(2, 4, 0.0, thetas=[0.3], seed=0)
    assert rows["T_ft:0"].samples.shape == (8,) and rows["T_ft:0"].info["pretrained"] == "balanced"
    assert [a[3] for a, _ in seen["rows_sc"]] == [10000]
    (ft_kw,) = [kw for _, kw in seen["rows_ft"]]
    assert (ft_kw["depth"], ft_kw["lr_factor"], ft_kw["max_steps"]) == (2, 1.0, 10000)
    # finite source without sigma_s: the source fit X_s^+ y_s from n_s = 8 >= d samples is the unit teacher
    PR.simulate_finetune_rows(2, 4, 0.0, thetas=[0.3], gamma_s=2.0, instances=2, seed=0)
    b_pres = seen["rows_ft"][-1][0][0]                                 # (angles, instances, d)
    assert b_pres.shape == (1, 2, 4)
    np.testing.assert_allclose(np.linalg.norm(b_pres, axis=2), 1.0, rtol=1e-10)


def test_gradient_flow_scale_default_depth_is_two():
    from ftheory.simulate.paired import gradient_flow_scale

    rng = np.random.default_rng(2)
    beta_pre, null_pre, beta_sc = rng.standard_normal((3, 2, 5))
    r2, a, b = (np.sum(v * v, axis=1) for v in (beta_pre, null_pre, beta_sc))
    c2 = (a + np.sqrt(a * a + 4 * r2 * b)) / (2 * r2)       # r^2 c^4 - a c^2 - b = 0
    np.testing.assert_allclose(gradient_flow_scale(beta_pre, null_pre, beta_sc) ** 2, c2, rtol=1e-12)


def test_pretrained_feature_norms_default_is_one_instance():
    from ftheory.simulate.paired import pretrained_feature_norms

    est = pretrained_feature_norms(3, 1.0, 2, seed=0)
    assert est.samples.shape == (1,) and est.info == {"d": 3, "depth": 2}


# ================================================================ batch 2 (survivors 70-116 of the sample prefix)
@pytest.mark.parametrize("name", ["min_norm", "tuned_ridge", "rank_k", "transfer_grid", "sigma_grid", "ridge_grid",
                                  "aniso_scratch", "aniso_transfer", "finite_source"])
@pytest.mark.parametrize("chunk_size", [0, 1.5])
def test_chunk_size_is_validated_by_every_chunked_simulator(name, chunk_size):
    kw = dict(instances=1, seed=0, chunk_size=chunk_size)
    ev, b = [1.0, 2.0, 0.5], [0.2, -0.1, 0.3]
    call = {
        "min_norm": lambda: L.simulate_min_norm_risk(2, 3, 0.1, **kw),
        "tuned_ridge": lambda: simulate_tuned_ridge_risk(2, 3, 0.1, [0.1], **kw),
        "rank_k": lambda: L.simulate_rank_k_risk(2, 3, 1, 0.5, 0.1, **kw),
        "transfer_grid": lambda: simulate_transfer_grid(2, 3, [0.3], 0.1, **kw),
        "sigma_grid": lambda: simulate_min_norm_sigma_grid(2, 3, [0.1], **kw),
        "ridge_grid": lambda: simulate_ridge_grid(2, 3, 0.1, [0.1], **kw),
        "aniso_scratch": lambda: A.simulate_aniso_scratch_risk(ev, b, 2, 0.1, **kw),
        "aniso_transfer": lambda: A.simulate_aniso_transfer(ev, b, b, 2, 0.1, **kw),
        "finite_source": lambda: L.simulate_linear_transfer_finite_source(2, 3, 0.3, 0.1, 1.0, 0.1, **kw),
    }[name]
    with pytest.raises(ValueError, match=rf"^chunk_size={chunk_size} is invalid: expected an integer"):
        call()


def test_sigma_data_messages_are_exact():
    with pytest.raises(ValueError, match=r"^n=0 is invalid: expected an integer >= 1$"):
        A.sigma_data([1.0, 2.0], [0.1, 0.2], 0)
    with pytest.raises(ValueError, match=r"^sigma=-1 is invalid: expected a real number in \[0, inf\)$"):
        A.sigma_data([1.0, 2.0], [0.1, 0.2], 3, sigma=-1)


def test_aniso_simulators_check_the_seed_with_the_scalars_before_vectors_and_grids():
    # seed is validated with n, sigma and instances, before the teachers, the grid and the memory guard
    ev = [1.0, 2.0]
    msg = r"^seed=-1 is invalid: expected an integer >= 0"
    with pytest.raises(ValueError, match=msg):
        simulate_aniso_tuned_ridge_risk(ev, [0.1, 0.2], 2, 0.1, [-1.0], instances=1, seed=-1)
    with pytest.raises(ValueError, match=msg):
        A.simulate_aniso_scratch_risk(ev, [0.1, 0.2, 0.3], 2, 0.1, instances=1, seed=-1)
    with pytest.raises(ValueError, match=msg):
        simulate_aniso_deep_finetune(ev, [0.1, 0.2], [0.1, 0.2], 2, 0.1, depth=1, instances=1, seed=-1)


def test_aniso_simulators_accept_a_single_sample():
    ev, bt = np.array([1.0, 2.0, 0.5]), np.array([0.2, -0.1, 0.3])
    est = A.simulate_aniso_scratch_risk(ev, bt, 1, 0.0, instances=2, seed=3)
    for rng, r in zip(_children(3, 2), est.samples):
        x = rng.standard_normal(3) * np.sqrt(ev)
        b = x * (x @ bt) / (x @ x)                       # min-norm fit of one noiseless sample
        assert r == pytest.approx(((b - bt) ** 2) @ ev, rel=1e-9)


def test_rank_k_full_space_message_is_exact():
    with pytest.raises(ValueError, match=r"^residual=0.1 is invalid for k = d = 3: the feature space is all of R\^d, "
                                         r"so the residual must be 0$"):
        L.simulate_rank_k_risk(5, 3, 3, 0.1, 0.0, instances=1, seed=0)


def test_aniso_transfer_records_its_info_on_every_estimate():
    ev, bs, bt = [1.0, 2.0, 0.5], [0.3, 0.1, -0.2], [0.2, -0.4, 0.1]
    out = A.simulate_aniso_transfer(ev, bs, bt, 2, 0.1, instances=2, seed=4)
    assert sorted(out) == ["T_ft", "T_lt", "finetune", "linear_transfer", "scratch"]
    for key, est in out.items():
        assert est.info == {"n": 2, "d": 3, "sigma": 0.1, "seed": 4}, key


def test_row_scratch_reports_a_diverged_run_as_not_converged(monkeypatch):
    from types import SimpleNamespace

    import ftheory.simulate.paired_rows as PR

    rng = np.random.default_rng(20261208)                 # fresh bytes: no memo entry can match
    X, y = rng.standard_normal((2, 2, 3)), rng.standard_normal((2, 2))
    net = dl.init_network(3, instances=2, seed=rng)

    def fake_train_scratch(X, y, *, net, max_steps):     # instance 0 converged, instance 1 diverged
        return SimpleNamespace(beta=np.ones((X.shape[0], 3)), steps=np.array([4, 7]),
                               converged=np.array([True, False]), diverged=np.array([False, True]))

    monkeypatch.setattr(PR, "train_scratch", fake_train_scratch)
    sc = PR._scratch(X, y, net, 50)
    assert sc.converged.tolist() == [True, False] and sc.steps.tolist() == [4, 7]


def test_two_level_pair_energy_bounds_and_factor_messages():
    args = dict(d=10, frac_a=0.3, eig_ratio=2.0, theta=0.5, energy_s=0.5, energy_perp=0.5)
    with pytest.raises(ValueError, match=r"^energy_perp=1.5 is invalid: expected a real number in \[0, 1\]$"):
        two_level_pair(**{**args, "energy_perp": 1.5}, seed=0)
    with pytest.raises(ValueError, match=r"^energy_s=1.5 is invalid: expected a real number in \[0, 1\]$"):
        two_level_pair(**{**args, "energy_s": 1.5}, seed=0)


def test_finetune_rows_step_factor_message_is_exact():
    from ftheory.simulate.paired_rows import simulate_finetune_rows

    with pytest.raises(ValueError, match=r"^ft_lr_factor=0 is invalid: expected a real number in \(0, inf\)$"):
        simulate_finetune_rows(2, 4, 0.0, thetas=[0.3], ft_lr_factor=0, instances=1, seed=0)


def test_ridge_of_one_problem_returns_one_vector():
    from ftheory.simulate.linear import ridge

    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((6, 4)), rng.standard_normal(6)
    b = ridge(X, y, 0.3)
    assert b.shape == (4,)
    np.testing.assert_allclose(b, np.linalg.solve(X.T @ X + 6 * 0.3 * np.eye(4), X.T @ y), rtol=1e-10)
    b0 = ridge(X, y, 0.0)
    assert b0.shape == (4,)
    np.testing.assert_allclose(b0, np.linalg.pinv(X) @ y, rtol=1e-10)


def test_grids_with_a_single_sample():
    # n = 1 < d: the scratch risk is ||(I - P) beta_t||^2 + sigma^2 ||X^+ eps||^2 with a 1 x 1 triangular factor
    d, sigmas, seed = 3, [0.0, 0.5], 6
    res = simulate_min_norm_sigma_grid(1, d, sigmas, instances=2, seed=seed)
    for i, rng in enumerate(_children(seed, 2)):
        g = rng.standard_normal(d)
        beta_t = g / np.linalg.norm(g)
        X, eps = rng.standard_normal((1, d)), rng.standard_normal(1)
        pinv = np.linalg.pinv(X)
        for s in sigmas:
            b = pinv @ (X @ beta_t + s * eps)
            assert res[s].samples[i] == pytest.approx(np.sum((b - beta_t) ** 2), rel=1e-9)


def test_takes_gamma_builds_the_published_signature_when_applied():
    import inspect

    from ftheory.simulate.gamma import takes_gamma

    def f(n, d, sigma=0.0, *, seed=None, **extra):
        return n, d, sigma, extra

    def h(n, d):
        return n, d

    g, k = takes_gamma(min_n=2)(f), takes_gamma(dimension=lambda a: 4)(h)
    params = inspect.signature(g).parameters
    assert list(params) == ["n", "d", "sigma", "seed", "gamma", "extra"]
    assert params["gamma"].kind is inspect.Parameter.KEYWORD_ONLY and params["gamma"].default is None
    assert list(inspect.signature(k).parameters) == ["n", "d", "gamma"]
    assert g(d=10, gamma=0.5) == (5, 10, 0.0, {}) and k(d=9, gamma=0.5) == (2, 9)   # k: d from dimension()
    assert (g.gamma_min_n, g.gamma_dimension, k.gamma_min_n) == (2, None, 1)
    with pytest.raises(ValueError, match=r"^f: give n or gamma \(n = round\(gamma d\)\), not both$"):
        g(3, d=10, gamma=0.5)
    with pytest.raises(ValueError, match=r"^gamma=0.1 is invalid at d=10: n = round\(gamma d\) = 1, expected n >= 2"):
        g(d=10, gamma=0.1)


def test_maps_gamma_and_resolve_gamma_contract():
    from ftheory.simulate.gamma import maps_gamma, n_from_gamma, resolve_gamma, takes_gamma

    def plain(n, d, sigma=0.0):
        return n

    def own(n, d, gamma=1.0):
        return n

    def no_d(n, sigma=0.0):
        return n

    spec = takes_gamma(min_n=3, dimension=lambda a: len(a["ev"]))(lambda ev, n: n)
    assert [maps_gamma(f) for f in (plain, own, no_d, spec)] == [True, False, False, True]
    assert maps_gamma(min) is False                                  # no readable signature: never mapped
    assert n_from_gamma(2.0, 1) == 2 and n_from_gamma(1.0, 1.0) == 1 # d = 1 is a dimension
    kw = {"d": 10, "sigma": 0.1}
    assert resolve_gamma(plain, kw) is kw                            # no gamma: untouched
    kw = {"gamma": 0.5, "d": 10}
    assert resolve_gamma(own, kw) is kw                              # its own gamma: untouched
    out = resolve_gamma(plain, kw)
    assert out == {"d": 10, "n": 5} and kw == {"gamma": 0.5, "d": 10}          # a new dict, input kept
    assert resolve_gamma(plain, {"gamma": 0.1, "d": 10}) == {"d": 10, "n": 1}    # undecorated: minimum n = 1
    assert resolve_gamma(spec, {"gamma": 0.5, "ev": [1.0] * 8}) == {"ev": [1.0] * 8, "n": 4}
    with pytest.raises(ValueError, match=r"^gamma=0.2 is invalid at d=8: n = round\(gamma d\) = 2, expected n >= 3"):
        resolve_gamma(spec, {"gamma": 0.2, "ev": [1.0] * 8})         # the decorated function's own minimum
    with pytest.raises(ValueError, match=r"^plain: gamma needs d \(n = round\(gamma d\)\); give d in the grid or as a "
                                         r"fixed value$"):
        resolve_gamma(plain, {"gamma": 0.5})
    with pytest.raises(ValueError, match=r"^gamma_s=0.01 is invalid at d=10: n_s = round\(gamma_s d\) = 0, expected "
                                         r"n_s >= 1 \(domain at this d: round\(gamma_s d\) >= 1; gamma_s >= 0.1 "
                                         r"suffices\)$"):
        n_from_gamma(0.01, 10, name="gamma_s", count="n_s")
    with pytest.raises(ValueError, match=r"^gamma_s='x' is invalid: expected a finite number >= 0 \(samples per input "
                                         r"dimension n_s/d\)$"):
        n_from_gamma("x", 10, name="gamma_s", count="n_s")


# ================================================================ batch 3 (survivors 117-123)
def test_finetune_models_info_on_every_estimate_and_source_size_message():
    from ftheory.simulate.paired import simulate_finetune_models

    out = simulate_finetune_models(2, 4, 0.3, 0.1, gamma_s=1.0, sigma_s=0.2, instances=2, seed=0)
    assert sorted(out) == ["T_gf", "T_paper", "c"]
    for key, est in out.items():
        assert est.info == {"n": 2, "d": 4, "theta": 0.3, "sigma": 0.1, "gamma_s": 1.0, "sigma_s": 0.2}, key
    msg = (r"^gamma_s=0.1 is invalid at d=4: n_s = round\(gamma_s d\) = 0, expected n_s >= 1 \(domain at this d: "
           r"round\(gamma_s d\) >= 1; gamma_s >= 0.25 suffices\)$")
    with pytest.raises(ValueError, match=msg):
        simulate_finetune_models(2, 4, 0.3, 0.1, gamma_s=0.1, instances=1, seed=0)
    with pytest.raises(ValueError, match=msg):
        simulate_finetune_paired(2, 4, 0.3, 0.1, gamma_s=0.1, instances=1, seed=0)


# ---------------------------------------------------------------- info records, field by field (siblings)
def _info_cases():
    ev, b = [1.0, 2.0, 0.5], [0.1, 0.2, 0.3]
    kw = dict(instances=2, seed=3)
    lt = {"n": 2, "d": 3, "theta": 0.3, "sigma": 0.1, "norm_s": 2.0, "norm_t": 1.0, "seed": 3}
    lt_extra = {"lam": 0.2, "lam_eff": 0.1, "depth": 2}            # lam_eff = lam / norm_s^(2 (L-1)/L)
    src = {"n": 2, "d": 3, "theta": 0.3, "sigma": 0.1, "gamma_s": 1.0, "sigma_s": 0.2, "n_s": 3}
    return [
        ("min_norm", lambda: {"": L.simulate_min_norm_risk(2, 3, 0.1, **kw)},
         {"": {"estimator": "min_norm", "n": 2, "d": 3, "sigma": 0.1, "norm_t": 1.0, "seed": 3}}),
        ("ridge", lambda: {"": L.simulate_ridge_risk(2, 3, 0.1, 0.2, **kw)},
         {"": {"estimator": "ridge", "n": 2, "d": 3, "sigma": 0.1, "lam": 0.2, "norm_t": 1.0, "seed": 3}}),
        ("lt", lambda: {"": L.simulate_linear_transfer_risk(2, 3, 0.3, 0.1, lam=0.2, norm_s=2.0, **kw)},
         {"": {"estimator": "linear_transfer", **lt, **lt_extra}}),
        ("sat", lambda: L.simulate_scratch_and_transfer(2, 3, 0.3, 0.1, lam=0.2, norm_s=2.0, **kw),
         {"scratch": {"estimator": "min_norm", **lt}, "linear_transfer": {"estimator": "linear_transfer", **lt, **lt_extra},
          "transferability": {"estimator": "scratch - linear_transfer", **lt, **lt_extra}}),
        ("lt_fs_paired", lambda: P_.simulate_lt_finite_source_paired(2, 3, 0.3, 0.1, 1.0, 0.2, **kw),
         {k: src for k in ("sc", "lt", "T_lt", "cos2_eff")}),
        ("lt_fs_rows", lambda: PR_.simulate_lt_finite_source_rows(2, 3, 0.1, 1.0, 0.2, thetas=[0.3], **kw),
         {f"{k}:0": src for k in ("sc", "lt", "T_lt", "cos2_eff")}),
        ("tuned_ridge", lambda: {"": simulate_tuned_ridge_risk(2, 3, 0.1, [0.2], **kw).estimates[0]},
         {"": {"estimator": "ridge", "n": 2, "d": 3, "sigma": 0.1, "norm_t": 1.0, "seed": 3, "lam": 0.2}}),
        ("rank_k", lambda: {"": L.simulate_rank_k_risk(4, 3, 1, 0.5, 0.1, **kw)},
         {"": {"estimator": "rank_k_readout", "n": 4, "d": 3, "k": 1, "residual": 0.5, "sigma": 0.1, "seed": 3}}),
        ("grid_estimates", lambda: transfer_grid_estimates(2, 3, [0.3], 0.1, lams=[0.2], **kw),
         {"scratch:0": {"n": 2, "d": 3, "sigma": 0.1, "norm_s": 1.0, "norm_t": 1.0, "depth": 2, "seed": 3,
                        "estimator": "min_norm", "theta": 0.3},
          "linear_transfer:0:0": {"n": 2, "d": 3, "sigma": 0.1, "norm_s": 1.0, "norm_t": 1.0, "depth": 2, "seed": 3,
                                  "theta": 0.3, "lam": 0.2, "estimator": "linear_transfer"},
          "transferability:0:0": {"n": 2, "d": 3, "sigma": 0.1, "norm_s": 1.0, "norm_t": 1.0, "depth": 2, "seed": 3,
                                  "theta": 0.3, "lam": 0.2, "estimator": "scratch - linear_transfer"}}),
        ("aniso_tuned", lambda: {"": simulate_aniso_tuned_ridge_risk(ev, b, 2, 0.1, [0.2], **kw).estimates[0]},
         {"": {"estimator": "ridge", "n": 2, "d": 3, "sigma": 0.1, "seed": 3, "lam": 0.2}}),
        ("ridge_grid", lambda: {"": simulate_ridge_grid(2, 3, 0.1, [0.2], **kw).estimates[0]},
         {"": {"estimator": "ridge", "n": 2, "d": 3, "sigma": 0.1, "norm_t": 1.0, "seed": 3, "lam": 0.2}}),
        ("tuned_vs_transfer", lambda: {"": P_.simulate_tuned_vs_transfer(2, 3, 0.3, 0.1, 0.2, **kw)},
         {"": {"n": 2, "d": 3, "lam": 0.2}}),
        ("sigma_grid", lambda: {"": simulate_min_norm_sigma_grid(2, 3, [0.1], **kw)[0.1]},
         {"": {"estimator": "min_norm", "n": 2, "d": 3, "sigma": 0.1, "norm_t": 1.0, "seed": 3}}),
        ("aniso_ridge", lambda: {"": A.simulate_aniso_scratch_risk(ev, b, 2, 0.1, lam=0.2, **kw)},
         {"": {"estimator": "ridge", "n": 2, "d": 3, "sigma": 0.1, "lam": 0.2, "seed": 3}}),
        ("aniso_lt", lambda: {"": simulate_aniso_linear_transfer_risk(ev, b, b, 2, 0.1, **kw)},
         {"": {"estimator": "linear_transfer", "n": 2, "d": 3, "sigma": 0.1, "seed": 3}}),
        ("aniso_ft", lambda: {"": A.simulate_aniso_finetune_linear_risk(ev, b, b, 2, 0.1, **kw)},
         {"": {"estimator": "finetune_linear", "n": 2, "d": 3, "sigma": 0.1, "seed": 3}}),
        ("finetune_paired", lambda: simulate_finetune_paired(2, 3, 0.3, 0.1, max_steps=3, **kw),
         {k: {"n": 2, "d": 3, "theta": 0.3, "sigma": 0.1, "max_steps_ft": 3, "max_steps_sc": 3}
          for k in ("T_ft", "T_lt", "gap_paper", "gap_cmodel", "gd_minus_gf", "c_gd", "c_model")}),
    ]


import ftheory.simulate.paired as P_  # noqa: E402
import ftheory.simulate.paired_rows as PR_  # noqa: E402


@pytest.mark.parametrize("name,run,expected", _info_cases(), ids=[c[0] for c in _info_cases()])
def test_info_records_field_by_field(name, run, expected):
    out = run()
    assert sorted(out) == sorted(expected)
    for key, info in expected.items():
        got = dict(out[key].info)
        assert got.keys() == info.keys(), key
        for k, v in info.items():
            assert got[k] == pytest.approx(v, rel=1e-12) if isinstance(v, float) else got[k] == v, (key, k)
            assert type(got[k]) is type(v), (key, k)


def test_finetune_rows_info_names_the_pretraining_and_budgets():
    out = PR_.simulate_finetune_rows(2, 3, 0.1, thetas=[0.3, 1.0], max_steps=3, instances=2, seed=3)
    assert sorted(out) == sorted(f"{q}:{j}" for q in ("T_ft", "T_lt", "gap_paper", "gap_cmodel", "gd_minus_gf",
                                                       "c_gd", "c_model") for j in (0, 1))
    for key, est in out.items():
        theta = 0.3 if key.endswith(":0") else 1.0
        info = est.info
        assert set(info) == {"n", "d", "theta", "sigma", "pretrained", "max_steps_ft", "max_steps_sc", "path_ft"}
        assert (info["n"], info["d"], info["theta"], info["sigma"], info["pretrained"]) == (2, 3, theta, 0.1, "balanced")
        assert (info["max_steps_ft"], info["max_steps_sc"]) == (3, 3) and isinstance(info["path_ft"], str)


def test_finetune_models_and_finite_source_pairs_recomputed_from_their_draws():
    from ftheory.simulate.data import gaussian_data, teachers
    from ftheory.simulate.paired import simulate_finetune_models, simulate_lt_finite_source_paired

    n, d, theta, sigma, seed = 2, 4, 0.7, 0.1, 8
    models = simulate_finetune_models(n, d, theta, sigma, instances=2, seed=seed)
    pairs = simulate_lt_finite_source_paired(n, d, theta, sigma, 1.0, 0.2, instances=2, seed=seed)
    for i, rng in enumerate(_children(seed, 2)):
        t = teachers(d, theta, seed=rng)
        X, y = gaussian_data(t.beta_t, n, sigma=sigma, seed=rng)
        bs, bt, pinv = t.beta_s[0], t.beta_t[0], np.linalg.pinv(X[0])
        sc = pinv @ y[0]
        null = bs - pinv @ (X[0] @ bs)
        a, b = null @ null, sc @ sc
        c = math.sqrt((a + math.sqrt(a * a + 4 * b)) / 2)        # ||beta_s|| = 1, depth 2
        r_sc = np.sum((sc - bt) ** 2)
        assert models["T_paper"].samples[i] == pytest.approx(r_sc - np.sum((sc + null - bt) ** 2), rel=1e-9, abs=1e-12)
        assert models["T_gf"].samples[i] == pytest.approx(r_sc - np.sum((sc + c * null - bt) ** 2), rel=1e-9, abs=1e-12)
    for i, rng in enumerate(_children(seed, 2)):
        t = teachers(d, theta, seed=rng)
        X_s, y_s = gaussian_data(t.beta_s, d, sigma=0.2, seed=rng)          # n_s = round(1.0 d)
        X, y = gaussian_data(t.beta_t, n, sigma=sigma, seed=rng)
        bt, bh = t.beta_t[0], np.linalg.pinv(X_s[0]) @ y_s[0]
        f = X[0] @ bh
        lt = (f @ y[0]) / (f @ f) * bh
        r_sc, r_lt = np.sum((np.linalg.pinv(X[0]) @ y[0] - bt) ** 2), np.sum((lt - bt) ** 2)
        assert pairs["sc"].samples[i] == pytest.approx(r_sc, rel=1e-9)
        assert pairs["lt"].samples[i] == pytest.approx(r_lt, rel=1e-9)
        assert pairs["T_lt"].samples[i] == pytest.approx(r_sc - r_lt, rel=1e-9, abs=1e-12)
        assert pairs["cos2_eff"].samples[i] == pytest.approx((bh @ bt) ** 2 / (bh @ bh), rel=1e-9)


def test_finetune_rows_flags_every_estimate_with_its_runs():
    out = PR_.simulate_finetune_rows(2, 4, 0.0, thetas=[0.4], instances=2, seed=0, max_steps=2)
    assert len(out) == 7
    # two GD steps from scratch cannot fit the data: every row involves scratch, so none is converged
    for key, est in out.items():
        assert est.converged.dtype == bool and est.converged.shape == (2,), key
        assert not est.converged.any(), key
