"""ftheory.simulate.aniso against independent NumPy recomputations of its documented draws, exact geometry of
its problem generators, and its bad-input messages (written against mutmut survivors).

Documented draw per instance (child i of SeedSequence(seed)): X = Z diag(sqrt(lambda)), Z i.i.d. N(0, 1)
of shape (n, d), then the noise sigma * N(0, I_n) (only when sigma > 0); risk = sum_i lambda_i (b - beta_t)_i^2.
"""
import math

import numpy as np
import pytest

from ftheory.simulate.aniso import (block_teacher, finetune_linear, random_spectrum, sigma_data,
                                    simulate_aniso_finetune_linear_risk, simulate_aniso_linear_transfer_risk,
                                    simulate_aniso_scratch_risk, simulate_aniso_transfer,
                                    simulate_aniso_tuned_ridge_risk, two_level_pair)

RTOL = 1e-9
EV = np.array([3.0, 2.0, 1.0, 0.5, 0.25, 0.0, 1.25])
BS = np.array([0.3, -0.2, 0.5, 0.1, 0.0, 0.4, -0.6])
BT = np.array([0.5, 0.1, -0.3, 0.2, 0.7, -0.1, 0.2])


def _draws(seed, instances, n, sigma):
    out = []
    for c in np.random.SeedSequence(seed).spawn(instances):
        rng = np.random.default_rng(c)
        X = rng.standard_normal((n, EV.size)) * np.sqrt(EV)
        y = X @ BT + (sigma * rng.standard_normal(n) if sigma > 0 else 0.0)
        out.append((X, y))
    return out


def _risk(b):
    return float(((b - BT) ** 2) @ EV)


def _ft(X, y):
    return BS + np.linalg.pinv(X) @ (y - X @ BS)


def _lt(X, y):
    z = X @ BS
    return (z @ y) / (z @ z) * BS


@pytest.mark.parametrize("n,sigma", [(4, 0.3), (11, 0.0)])
def test_scratch_ridge_transfer_and_finetune_are_the_documented_draws(n, sigma):
    draws = _draws(1, 4, n, sigma)
    kw = dict(instances=4, seed=1, chunk_size=3)
    sc = simulate_aniso_scratch_risk(EV, BT, n, sigma, **kw)
    rd = simulate_aniso_scratch_risk(EV, BT, n, sigma, lam=0.2, **kw)
    tuned = simulate_aniso_tuned_ridge_risk(EV, BT, n, sigma, [0.2, 0.0], **kw)
    lt = simulate_aniso_linear_transfer_risk(EV, BS, BT, n, sigma, **kw)
    ft = simulate_aniso_finetune_linear_risk(EV, BS, BT, n, sigma, **kw)
    both = simulate_aniso_transfer(EV, BS, BT, n, sigma, **kw)
    want_sc = [_risk(np.linalg.pinv(X) @ y) for X, y in draws]
    want_rd = [_risk(np.linalg.solve(X.T @ X + n * 0.2 * np.eye(7), X.T @ y)) for X, y in draws]
    want_lt = [_risk(_lt(X, y)) for X, y in draws]
    want_ft = [_risk(_ft(X, y)) for X, y in draws]
    for got, want in [(sc.samples, want_sc), (rd.samples, want_rd), (tuned.estimates[0].samples, want_rd),
                      (tuned.estimates[1].samples, want_sc), (lt.samples, want_lt), (ft.samples, want_ft),
                      (both["scratch"].samples, want_sc), (both["linear_transfer"].samples, want_lt),
                      (both["finetune"].samples, want_ft)]:
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=1e-20)  # noiseless n > d: risk ~ 1e-31
    np.testing.assert_allclose(both["T_lt"].samples, np.subtract(want_sc, want_lt), rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(both["T_ft"].samples, np.subtract(want_sc, want_ft), rtol=RTOL, atol=1e-12)
    base = {"n": n, "d": 7, "sigma": sigma, "seed": 1}
    assert sc.info == {"estimator": "min_norm", **base, "lam": 0.0}
    assert rd.info == {"estimator": "ridge", **base, "lam": 0.2}
    assert tuned.estimates[1].info == {"estimator": "ridge", **base, "lam": 0.0}
    assert lt.info == {"estimator": "linear_transfer", **base}
    assert ft.info == {"estimator": "finetune_linear", **base}
    assert both["T_ft"].info == base and both["T_lt"].info == base and both["finetune"].info == base
    assert list(tuned.lams) == [0.2, 0.0]


def test_sigma_data_and_finetune_linear():
    X, y = sigma_data(EV, BT, 5, sigma=0.4, seed=3)
    rng = np.random.default_rng(3)
    Xw = rng.standard_normal((5, 7)) * np.sqrt(EV)
    np.testing.assert_allclose(X, Xw, rtol=1e-15)
    np.testing.assert_allclose(y, Xw @ BT + 0.4 * rng.standard_normal(5), rtol=1e-13)
    X0, y0 = sigma_data(EV, BT, 5, seed=3)
    np.testing.assert_allclose(y0, X0 @ BT, rtol=1e-13)
    np.testing.assert_allclose(finetune_linear(X, y, BS), _ft(X, y), rtol=1e-9)
    Xb = np.stack([X, X0])
    np.testing.assert_allclose(finetune_linear(Xb, np.stack([y, y0]), np.stack([BS, BT]))[1], BT + 0.0 * BS,
                               atol=1e-12)  # started at the noiseless teacher: zero residual, stays there


@pytest.mark.parametrize("kwargs,match", [
    (dict(eigenvalues=[1.0, 1j]), "^eigenvalues is complex"),
    (dict(eigenvalues=["a", 1.0]), "^eigenvalues=.*one-dimensional array of non-negative numbers"),
    (dict(eigenvalues=[[1.0, 2.0]]), r"^eigenvalues has shape \(1, 2\)"),
    (dict(eigenvalues=[]), r"^eigenvalues has shape \(0,\)"),
    (dict(eigenvalues=[1.0, -1.0]), r"^eigenvalues\[1\]=-1.0 is out of its domain \[0, inf\)"),
    (dict(eigenvalues=[np.inf, 1.0]), r"^eigenvalues\[0\]=inf"),
    (dict(eigenvalues=[0.0, 0.0]), "^eigenvalues has trace 0"),
    (dict(beta_t=[1.0, 1j]), "^beta_t is complex"),
    (dict(beta_t=["a", "b"]), "^beta_t=.*expected 2 real numbers"),
    (dict(beta_t=[1.0, 2.0, 3.0]), r"^beta_t has shape \(3,\): expected \(2,\)"),
    (dict(beta_t=[1.0, np.nan]), r"^beta_t has shape \(2,\)"),
    (dict(n=0), "^n="), (dict(sigma=-1.0), r"^sigma=.*\[0, inf\)"), (dict(instances=0), "^instances="),
    (dict(chunk_size=0), "^chunk_size="), (dict(seed=-1), "seed"), (dict(lam=-0.1), r"^lam=.*\[0, inf\)"),
])
def test_scratch_bad_input(kwargs, match):
    args = dict(eigenvalues=[1.0, 2.0], beta_t=[0.5, 0.5], n=3, sigma=0.1, instances=2, seed=0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        simulate_aniso_scratch_risk(args.pop("eigenvalues"), args.pop("beta_t"), args.pop("n"), args.pop("sigma"),
                                    **args)


def test_transfer_bad_input():
    with pytest.raises(ValueError, match="^beta_s has ||beta_s||_Sigma = 0"):
        simulate_aniso_transfer([1.0, 0.0], [0.0, 3.0], [1.0, 1.0], 3, 0.1, instances=1, seed=0)
    with pytest.raises(ValueError, match=r"^beta_s has shape \(1,\)"):
        simulate_aniso_linear_transfer_risk([1.0, 1.0], [1.0], [1.0, 1.0], 3, 0.1, instances=1, seed=0)
    with pytest.raises(ValueError, match="^lams=.*non-empty one-dimensional grid of numbers >= 0"):
        simulate_aniso_tuned_ridge_risk([1.0, 1.0], [1.0, 0.0], 3, 0.1, [0.1, -0.1], instances=1, seed=0)
    with pytest.raises(ValueError, match="^lams="):
        simulate_aniso_tuned_ridge_risk([1.0, 1.0], [1.0, 0.0], 3, 0.1, [], instances=1, seed=0)
    with pytest.raises(ValueError, match="^lams="):
        simulate_aniso_tuned_ridge_risk([1.0, 1.0], [1.0, 0.0], 3, 0.1, [np.nan], instances=1, seed=0)
    with pytest.raises(ValueError, match="^lams="):
        simulate_aniso_tuned_ridge_risk([1.0, 1.0], [1.0, 0.0], 3, 0.1, [[0.1]], instances=1, seed=0)


# ---------------------------------------------------------------- generators
@pytest.mark.parametrize("d,frac_a,eig_ratio,theta,e_s,e_p", [(10, 0.3, 4.0, 0.9, 0.8, 0.2),
                                                                (9, 0.5, 0.25, 2.5, 0.0, 1.0)])
def test_two_level_pair_geometry_is_exact(d, frac_a, eig_ratio, theta, e_s, e_p):
    ev, bs, bt = two_level_pair(d, frac_a, eig_ratio, theta, e_s, e_p, norm_s=1.5, norm_t=0.7, seed=2)
    m = round(frac_a * d)
    assert ev.shape == bs.shape == bt.shape == (d,)
    assert ev.sum() == pytest.approx(d, rel=1e-14)
    np.testing.assert_allclose(ev[:m] / ev[m:].mean(), eig_ratio, rtol=1e-14)
    np.testing.assert_allclose(ev[m:], ev[-1], rtol=0)
    assert np.linalg.norm(bs) == pytest.approx(1.5, rel=1e-14)
    assert np.linalg.norm(bt) == pytest.approx(0.7, rel=1e-14)
    assert bs @ bt == pytest.approx(1.5 * 0.7 * math.cos(theta), abs=1e-14)
    assert bs[:m] @ bs[:m] == pytest.approx(1.5**2 * e_s, abs=1e-14)
    u_p = (bt / 0.7 - math.cos(theta) * bs / 1.5) / math.sin(theta)
    assert u_p[:m] @ u_p[:m] == pytest.approx(e_p, abs=1e-13)
    assert u_p[:m] @ bs[:m] == pytest.approx(0.0, abs=1e-13)  # orthogonal within each block
    assert u_p[m:] @ bs[m:] == pytest.approx(0.0, abs=1e-13)


@pytest.mark.parametrize("kwargs,match", [
    (dict(d=3), "^d="), (dict(frac_a=0.0), "^frac_a="), (dict(frac_a=1.0), "^frac_a="),
    (dict(frac_a=0.1), r"^frac_a=0.1 is invalid for d=10: round\(frac_a d\) = 1 must be in \[2, d - 2\]"),
    (dict(frac_a=0.9), r"^frac_a=0.9 is invalid for d=10: round\(frac_a d\) = 9"),
    (dict(eig_ratio=0.0), r"^eig_ratio=.*\(0, inf\)"), (dict(theta=-0.1), r"^theta=.*\[0, pi\]"),
    (dict(theta=3.2), "^theta="), (dict(energy_s=1.1), "^energy_s="), (dict(energy_perp=-0.1), "^energy_perp="),
    (dict(norm_s=0.0), r"^norm_s=.*\(0, inf\)"), (dict(norm_t=0.0), r"^norm_t=.*\(0, inf\)"),
])
def test_two_level_pair_bad_input(kwargs, match):
    args = dict(d=10, frac_a=0.3, eig_ratio=2.0, theta=0.5, energy_s=0.5, energy_perp=0.5)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        two_level_pair(**args, seed=0)


def test_two_level_pair_boundaries_accepted():
    ev, bs, bt = two_level_pair(4, 0.5, 1.0, 0.0, 1.0, 0.0, seed=0)  # m = 2 = d - 2; equal levels
    np.testing.assert_allclose(ev, 1.0, rtol=1e-15)
    np.testing.assert_allclose(bt, bs, atol=1e-15)
    ev, bs, bt = two_level_pair(4, 0.5, 1.0, math.pi, 0.0, 1.0, seed=0)
    np.testing.assert_allclose(bt, -bs, atol=1e-15)


def test_block_teacher_and_random_spectrum():
    b = block_teacher(9, 4, 0.3, norm=2.0, seed=1)
    assert b[:4] @ b[:4] == pytest.approx(4.0 * 0.3, rel=1e-13)
    assert b[4:] @ b[4:] == pytest.approx(4.0 * 0.7, rel=1e-13)
    assert np.all(block_teacher(5, 1, 1.0, seed=0)[1:] == 0)
    for kwargs, name in [(dict(d=1), "d"), (dict(m=0), "m"), (dict(m=9), "m"), (dict(energy_a=1.5), "energy_a"),
                         (dict(norm=-1.0), "norm")]:
        args = dict(d=9, m=4, energy_a=0.5)
        args.update(kwargs)
        with pytest.raises(ValueError, match=f"^{name}="):
            block_teacher(args.pop("d"), args.pop("m"), args.pop("energy_a"), **args)
    ev = random_spectrum(6, seed=4)
    assert ev.shape == (6,) and ev.sum() == pytest.approx(6.0, rel=1e-14)
    assert np.all(np.diff(ev) <= 0) and np.all(ev > 0)
    rng = np.random.default_rng(4)  # documented construction, recomputed
    W = rng.standard_normal((6, 12))
    want = np.sort(np.linalg.eigvalsh(W @ W.T / 12) * np.exp(rng.standard_normal(6)))[::-1]
    np.testing.assert_allclose(ev, want * 6 / want.sum(), rtol=1e-12)
    with pytest.raises(ValueError, match="^d="):
        random_spectrum(0)
