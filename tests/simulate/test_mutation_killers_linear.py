"""Linear simulators against an independent re-computation of their documented draws (written against
mutmut survivors).

The module docstring of ftheory.simulate.linear documents the scheme: ``seed`` is split by
``SeedSequence(seed).spawn(instances)``; instance ``i`` draws, from ``default_rng(child_i)``, the
teachers (data.teachers / data.target_teacher), then source data, then target inputs and noise
(data.gaussian_data). Here each instance is redrawn that way and its estimator is computed with
NumPy directly (pinv, normal equations, the scalar read-out formula), never with ftheory's solvers.
"""
import math

import numpy as np
import pytest

from ftheory.simulate.data import gaussian_data, sphere_inputs, target_teacher, teachers
from ftheory.simulate.linear import (simulate_linear_transfer_finite_source, simulate_linear_transfer_risk,
                                     simulate_min_norm_risk, simulate_rank_k_risk, simulate_ridge_risk,
                                     simulate_scratch_and_transfer, simulate_tuned_ridge_risk)

RTOL = 1e-9  # pinv / normal equations vs SVD solvers on condition numbers below ~30 (n, d apart)


def _children(seed, instances):
    return [np.random.default_rng(c) for c in np.random.SeedSequence(seed).spawn(instances)]


def _target_draws(seed, instances, n, d, sigma, norm_t):
    out = []
    for rng in _children(seed, instances):
        beta_t = target_teacher(d, norm_t=norm_t, seed=rng)
        X, y = gaussian_data(beta_t, n, sigma=sigma, seed=rng)
        out.append((beta_t[0], X[0], y[0]))
    return out


def _pair_draws(seed, instances, n, d, theta, sigma, norm_s, norm_t, n_s=None, sigma_s=0.0):
    out = []
    for rng in _children(seed, instances):
        t = teachers(d, theta, norm_s=norm_s, norm_t=norm_t, seed=rng)
        Xs, ys = gaussian_data(t.beta_s, n_s, sigma=sigma_s, seed=rng) if n_s else ([None], [None])
        X, y = gaussian_data(t.beta_t, n, sigma=sigma, seed=rng)
        out.append((t.beta_s[0], t.beta_t[0], Xs[0], ys[0], X[0], y[0]))
    return out


def _ridge(X, y, lam):
    n, d = X.shape
    return np.linalg.solve(X.T @ X + n * lam * np.eye(d), X.T @ y)


def _readout(X, y, f, lam_eff):
    u = f / np.linalg.norm(f)
    z = X @ u
    return (z @ y) / (z @ z + len(y) * lam_eff) * u


@pytest.mark.parametrize("n,d", [(6, 14), (15, 5)])
def test_min_norm_and_ridge_risks_are_the_documented_draws(n, d):
    sigma, norm_t, lam = 0.3, 1.7, 0.05
    draws = _target_draws(4, 5, n, d, sigma, norm_t)
    mn = simulate_min_norm_risk(n, d, sigma, norm_t=norm_t, instances=5, seed=4, chunk_size=2)
    rd = simulate_ridge_risk(n, d, sigma, lam, norm_t=norm_t, instances=5, seed=4, chunk_size=3)
    tuned = simulate_tuned_ridge_risk(n, d, sigma, [lam, 0.0, 2.0], norm_t=norm_t, instances=5, seed=4,
                                      chunk_size=4)
    want_mn = [np.sum((np.linalg.pinv(X) @ y - b) ** 2) for b, X, y in draws]
    want_rd = [np.sum((_ridge(X, y, lam) - b) ** 2) for b, X, y in draws]
    want_big = [np.sum((_ridge(X, y, 2.0) - b) ** 2) for b, X, y in draws]
    np.testing.assert_allclose(mn.samples, want_mn, rtol=RTOL)
    np.testing.assert_allclose(rd.samples, want_rd, rtol=RTOL)
    np.testing.assert_allclose(tuned.estimates[0].samples, want_rd, rtol=RTOL)
    np.testing.assert_allclose(tuned.estimates[1].samples, want_mn, rtol=RTOL)
    np.testing.assert_allclose(tuned.estimates[2].samples, want_big, rtol=RTOL)
    assert mn.info == {"estimator": "min_norm", "n": n, "d": d, "sigma": sigma, "norm_t": norm_t, "seed": 4}
    assert rd.info == {"estimator": "ridge", "n": n, "d": d, "sigma": sigma, "lam": lam, "norm_t": norm_t,
                       "seed": 4}
    assert tuned.estimates[2].info == {"estimator": "ridge", "n": n, "d": d, "sigma": sigma, "norm_t": norm_t,
                                       "seed": 4, "lam": 2.0}
    assert list(tuned.lams) == [lam, 0.0, 2.0]
    assert tuned.best_index == int(np.argmin([np.mean(want_rd), np.mean(want_mn), np.mean(want_big)]))


@pytest.mark.parametrize("depth,lam", [(2, 0.0), (3, 0.2)])
def test_linear_transfer_and_scratch_and_transfer_are_the_documented_draws(depth, lam):
    n, d, theta, sigma, norm_s, norm_t = 7, 12, 0.8, 0.25, 1.6, 0.9
    draws = _pair_draws(9, 4, n, d, theta, sigma, norm_s, norm_t)
    lam_eff = lam / norm_s ** (2 * (depth - 1) / depth)
    want_lt = [np.sum((_readout(X, y, bs, lam_eff) - bt) ** 2) for bs, bt, _, _, X, y in draws]
    want_sc = [np.sum((np.linalg.pinv(X) @ y - bt) ** 2) for bs, bt, _, _, X, y in draws]
    kw = dict(lam=lam, norm_s=norm_s, norm_t=norm_t, depth=depth, instances=4, seed=9, chunk_size=3)
    lt = simulate_linear_transfer_risk(n, d, theta, sigma, **kw)
    both = simulate_scratch_and_transfer(n, d, theta, sigma, **kw)
    np.testing.assert_allclose(lt.samples, want_lt, rtol=RTOL)
    np.testing.assert_allclose(both["linear_transfer"].samples, want_lt, rtol=RTOL)
    np.testing.assert_allclose(both["scratch"].samples, want_sc, rtol=RTOL)
    np.testing.assert_allclose(both["transferability"].samples, np.subtract(want_sc, want_lt), rtol=RTOL, atol=1e-12)
    base = {"n": n, "d": d, "theta": theta, "sigma": sigma, "norm_s": norm_s, "norm_t": norm_t, "seed": 9}
    lt_info = {"lam": lam, "lam_eff": pytest.approx(lam_eff, rel=1e-14), "depth": depth}
    assert lt.info == {"estimator": "linear_transfer", **base, **lt_info}
    assert both["scratch"].info == {"estimator": "min_norm", **base}
    assert both["linear_transfer"].info == {"estimator": "linear_transfer", **base, **lt_info}
    assert both["transferability"].info == {"estimator": "scratch - linear_transfer", **base, **lt_info}


@pytest.mark.parametrize("depth,lam", [(2, 0.1), (4, 0.3)])
def test_finite_source_transfer_is_the_documented_draws(depth, lam):
    n, d, theta, sigma, gamma_s, sigma_s = 9, 10, 1.2, 0.2, 0.75, 0.4
    n_s = round(gamma_s * d)
    draws = _pair_draws(2, 5, n, d, theta, sigma, 1.0, 1.3, n_s=n_s, sigma_s=sigma_s)
    risks, norms, overlaps = [], [], []
    for bs, bt, Xs, ys, X, y in draws:
        bhat = np.linalg.pinv(Xs) @ ys
        lam_eff = lam / (bhat @ bhat) ** ((depth - 1) / depth)
        risks.append(np.sum((_readout(X, y, bhat, lam_eff) - bt) ** 2))
        norms.append(bhat @ bhat)
        overlaps.append(bt @ bhat)
    est = simulate_linear_transfer_finite_source(n, d, theta, sigma, gamma_s, sigma_s, lam=lam, norm_t=1.3,
                                                 depth=depth, instances=5, seed=2, chunk_size=2)
    np.testing.assert_allclose(est.samples, risks, rtol=RTOL)
    np.testing.assert_allclose(est.info["source_norm_sq_samples"], norms, rtol=RTOL)
    np.testing.assert_allclose(est.info["source_overlap_samples"], overlaps, rtol=RTOL, atol=1e-12)
    assert est.info["n_s"] == n_s and est.info["seed"] == 2 and est.info["depth"] == depth
    assert est.info["source_norm_sq"] == pytest.approx(np.mean(norms), rel=1e-12)
    assert est.info["source_norm_sq_sem"] == pytest.approx(np.std(norms, ddof=1) / math.sqrt(5), rel=1e-9)
    assert est.info["source_overlap"] == pytest.approx(np.mean(overlaps), rel=1e-9)
    assert est.info["source_overlap_sem"] == pytest.approx(np.std(overlaps, ddof=1) / math.sqrt(5), rel=1e-9)
    for k, v in {"gamma_s": gamma_s, "sigma_s": sigma_s, "lam": lam, "norm_s": 1.0, "norm_t": 1.3, "n": n,
                 "d": d, "theta": theta, "sigma": sigma}.items():
        assert est.info[k] == v, k


def test_finite_source_needs_one_source_sample():
    with pytest.raises(ValueError, match=r"^gamma_s=0.04 is invalid at d=\d+: n_s = round\(gamma_s d\) = 0, expected n_s >= 1"):
        simulate_linear_transfer_finite_source(5, 10, 0.3, 0.1, 0.04, 0.1, instances=2, seed=0)
    with pytest.raises(ValueError, match=r"^gamma_s=0.05 is invalid"):  # round(0.5) = 0 (half to even)
        simulate_linear_transfer_finite_source(5, 10, 0.3, 0.1, 0.05, 0.1, instances=2, seed=0)
    est = simulate_linear_transfer_finite_source(5, 10, 0.3, 0.1, 0.1, 0.1, instances=2, seed=0)
    assert est.info["n_s"] == 1


@pytest.mark.parametrize("residual", [0.0, 0.3])
def test_rank_k_draws_have_the_documented_geometry(residual):
    n, d, k, sigma = 16, 9, 3, 0.0
    est = simulate_rank_k_risk(n, d, k, residual, sigma, instances=4, seed=6, chunk_size=3)
    for rng, r in zip(_children(6, 4), est.samples):
        U = np.linalg.qr(rng.standard_normal((d, k)))[0]
        g_in, g_out = rng.standard_normal(k), rng.standard_normal(d)
        a = U @ g_in / np.linalg.norm(g_in)
        perp = g_out - U @ (U.T @ g_out)
        beta = math.sqrt(1 - residual) * a + math.sqrt(residual) * perp / np.linalg.norm(perp)
        assert beta @ beta == pytest.approx(1.0, rel=1e-12)
        assert np.sum((beta - U @ (U.T @ beta)) ** 2) == pytest.approx(residual, abs=1e-12)
        X, y = gaussian_data(beta, n, sigma=sigma, seed=rng)
        c = np.linalg.pinv(X[0] @ U) @ y[0]
        assert r == pytest.approx(np.sum((U @ c - beta) ** 2), rel=RTOL, abs=1e-13)
        if residual == 0.0:
            assert r < 1e-20  # noiseless, beta in span U: exact recovery
    assert est.info == {"estimator": "rank_k_readout", "n": n, "d": d, "k": k, "residual": residual,
                        "sigma": sigma, "seed": 6}


@pytest.mark.parametrize("kwargs,match", [
    (dict(k=10), r"^k=10 is invalid: expected an integer in \[1, d\] with d=9"),
    (dict(k=0), "^k="), (dict(residual=1.5), r"^residual=1.5 is invalid: .*\[0, 1\]"),
    (dict(residual=-0.1), "^residual=-0.1"), (dict(residual="a"), "^residual='a'"),
    (dict(residual=None), "^residual=None"), (dict(k=9, residual=0.1), "^residual=0.1 is invalid for k = d = 9"),
])
def test_rank_k_bad_input(kwargs, match):
    args = dict(n=10, d=9, k=2, residual=0.2, sigma=0.1)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        simulate_rank_k_risk(**args, instances=1, seed=0)


def test_rank_k_accepts_full_rank_with_zero_residual_and_unit_residual():
    assert simulate_rank_k_risk(12, 4, 4, 0.0, 0.0, instances=1, seed=0).samples[0] < 1e-20
    est = simulate_rank_k_risk(12, 4, 2, 1.0, 0.0, instances=2, seed=0)  # beta_t orthogonal to span U:
    assert np.all(est.samples >= 1.0 - 1e-12)  # risk = 1 + ||U c||^2


@pytest.mark.parametrize("seed,has", [(3, True), (np.int64(3), True), (True, False), (None, False)])
def test_seed_info_only_for_integer_seeds(seed, has):
    if seed is True:
        with pytest.raises(ValueError, match="seed"):
            simulate_min_norm_risk(3, 4, 0.0, instances=1, seed=seed)
        return
    info = simulate_min_norm_risk(3, 4, 0.0, instances=1, seed=seed).info
    assert ("seed" in info) is has
    if has:
        assert info["seed"] == 3 and type(info["seed"]) is int
    gen = simulate_min_norm_risk(3, 4, 0.0, instances=1, seed=np.random.default_rng(0)).info
    assert "seed" not in gen


# ---------------------------------------------------------------- data
def test_teachers_geometry_and_bad_input():
    t = teachers(6, 2.0, instances=50, norm_s=1.5, norm_t=0.5, seed=1)
    assert t.beta_s.shape == t.beta_t.shape == (50, 6)
    np.testing.assert_allclose(np.linalg.norm(t.beta_s, axis=1), 1.5, rtol=1e-14)
    np.testing.assert_allclose(np.linalg.norm(t.beta_t, axis=1), 0.5, rtol=1e-14)
    np.testing.assert_allclose((t.beta_s * t.beta_t).sum(1), 0.75 * math.cos(2.0), rtol=1e-12)
    for theta in (0.0, math.pi):
        t = teachers(3, theta, instances=2, seed=0)
        np.testing.assert_allclose(t.beta_t, math.cos(theta) * t.beta_s, atol=1e-15)
    for kwargs, name in [(dict(d=1), "d"), (dict(theta=-0.1), "theta"), (dict(theta=3.2), "theta"),
                         (dict(instances=0), "instances"), (dict(norm_s=0.0), "norm_s"), (dict(norm_t=-1.0), "norm_t")]:
        args = dict(d=3, theta=0.5)
        args.update(kwargs)
        with pytest.raises(ValueError, match=f"^{name}="):
            teachers(args.pop("d"), args.pop("theta"), **args)


def test_teacher_directions_are_uniform_on_the_sphere():
    # E[u u^T] = I/d for u uniform on the sphere (both teachers); E[u] = 0; the components of beta_t
    # along and across beta_s are cos and sin theta exactly, so beta_t/norm_t is uniform too.
    m, d = 4000, 3
    t = teachers(d, 1.0, instances=m, seed=7)
    for u in (t.beta_s, t.beta_t):
        second = np.einsum("bi,bj->bij", u, u)
        mean, se = second.mean(0), second.std(0, ddof=1) / math.sqrt(m)
        assert np.all(np.abs(mean - np.eye(d) / d) < 5 * se)
        assert np.all(np.abs(u.mean(0)) < 5 * u.std(0, ddof=1) / math.sqrt(m))


def test_target_teacher_sphere_inputs_and_data():
    b = target_teacher(1, instances=3, norm_t=2.0, seed=0)
    np.testing.assert_allclose(np.abs(b), 2.0, rtol=1e-15)
    with pytest.raises(ValueError, match="^norm_t="):
        target_teacher(3, norm_t=0.0)
    with pytest.raises(ValueError, match="^instances="):
        target_teacher(3, instances=0)
    x = sphere_inputs(5, 7, seed=0)
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), math.sqrt(7), rtol=1e-14)
    np.testing.assert_allclose(np.linalg.norm(sphere_inputs(4, 3, radius=0.5, seed=1), axis=1), 0.5, rtol=1e-14)
    with pytest.raises(ValueError, match="^radius="):
        sphere_inputs(3, 3, radius=0.0)
    with pytest.raises(ValueError, match="^size="):
        sphere_inputs(0, 3)
    X, y = gaussian_data([1.0, -2.0], 4, seed=3)  # one teacher given as a vector
    assert X.shape == (1, 4, 2) and y.shape == (1, 4)
    np.testing.assert_allclose(y[0], X[0] @ [1.0, -2.0], rtol=1e-15)
