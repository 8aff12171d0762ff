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
from ftheory.simulate import deep_linear as dl
from ftheory.simulate.aniso import (finetune_linear, simulate_aniso_deep_finetune,
                                    simulate_aniso_linear_transfer_risk, simulate_aniso_tuned_ridge_risk,
                                    two_level_pair)
from ftheory.simulate.linear import min_norm, simulate_tuned_ridge_risk
from ftheory.simulate.linear_grid import simulate_min_norm_sigma_grid, simulate_ridge_grid, simulate_transfer_grid
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
def test_tuned_ridge_memory_guard_counts_n_times_d(monkeypatch):
    # 3 copies of one instance's n x d = 400 x 300 inputs need 8 * 3 * 1.2e5 = 2.88e6 bytes
    monkeypatch.setattr(ftheory._checks, "_physical_memory", lambda: 2_000_000)
    with pytest.raises(ValueError, match=r"^a Monte Carlo instance with 1\.2e\+05 data entries \(n x d\) needs "
                                         r"about 0\.00288 GB"):
        simulate_tuned_ridge_risk(400, 300, 0.1, [0.1], instances=1, seed=0)


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
    simulate_aniso_deep_finetune(EV3, BS3, BT3, 2, 0.1, instances=1, seed=0)
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
