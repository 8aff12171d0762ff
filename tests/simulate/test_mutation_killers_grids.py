"""Grid simulators (simulate/linear_grid.py, simulate/deep_linear/lam_grid.py) against an independent NumPy
recomputation of their documented per-instance draws, and their records and messages field by field
(written for mutation testing, docs/testing.md).

Draws per instance (one child of ``SeedSequence(seed)`` each): transfer grid: ``g`` (2, d) (teacher
directions), ``X`` (n, d), noise (n); sigma and ridge grids: ``g`` (d,), ``X``, noise.
Tolerance: relative 1e-9 for quantities from a least-squares solve (float64 eps x cond(X)^2, cond(X) < 10
for the shapes used, with a wide margin) and absolute 1e-12 x risk scale for exact zeros.
"""
import math

import numpy as np
import pytest

from ftheory.simulate.deep_linear import simulate_deep_linear
from ftheory.simulate.deep_linear.lam_grid import simulate_deep_linear_transfer_lams
from ftheory.simulate.linear_grid import (_chunk, grid_key, simulate_min_norm_sigma_grid, simulate_ridge_grid,
                                          simulate_transfer_grid, transfer_grid_estimates)

RTOL, ATOL = 1e-9, 1e-12


def _children(seed, instances):
    return [np.random.default_rng(c) for c in np.random.SeedSequence(seed).spawn(instances)]


def _transfer_draw(rng, n, d):
    g = rng.standard_normal((2, d))
    X = rng.standard_normal((n, d))
    return g, X, rng.standard_normal(n)


@pytest.mark.parametrize("n, sigma", [(7, 0.3), (25, 0.3), (7, 0.0)])
def test_transfer_grid_is_the_documented_computation(n, sigma):
    d, thetas, lams, norm_s, norm_t, depth = 12, [0.0, 0.4, 2.0], [0.0, 0.05, 0.7], 1.7, 0.8, 3
    g = simulate_transfer_grid(n, d, thetas, sigma, lams=lams, norm_s=norm_s, norm_t=norm_t, depth=depth,
                               instances=3, seed=21, chunk_size=2)
    np.testing.assert_array_equal(g["thetas"], thetas)
    np.testing.assert_array_equal(g["lams"], lams)
    assert g["info"] == {"n": n, "d": d, "sigma": sigma, "norm_s": norm_s, "norm_t": norm_t, "depth": depth,
                         "seed": 21}
    lam_eff = np.array(lams) / norm_s ** (2 * (depth - 1) / depth)
    for i, rng in enumerate(_children(21, 3)):
        gg, X, eps = _transfer_draw(rng, n, d)
        u_s = gg[0] / np.linalg.norm(gg[0])
        p = gg[1] - (gg[1] @ u_s) * u_s
        u_p = p / np.linalg.norm(p)
        for j, th in enumerate(thetas):
            beta_t = norm_t * (math.cos(th) * u_s + math.sin(th) * u_p)
            y = X @ beta_t + sigma * eps
            sc = np.sum((np.linalg.pinv(X) @ y - beta_t) ** 2)
            assert g["scratch"][i, j] == pytest.approx(sc, rel=RTOL, abs=ATOL)
            z = X @ u_s
            for k in range(len(lams)):
                b = (z @ y) / (z @ z + n * lam_eff[k])
                lt = np.sum((b * u_s - beta_t) ** 2)
                assert g["linear_transfer"][i, j, k] == pytest.approx(lt, rel=RTOL, abs=ATOL)
                assert g["transferability"][i, j, k] == pytest.approx(sc - lt, rel=RTOL, abs=ATOL)


def test_grid_keys_and_the_flat_estimates_of_a_transfer_grid():
    assert grid_key("scratch", 2) == "scratch:2"
    assert grid_key("transferability", np.int64(1), 0) == "transferability:1:0"
    n, d, sigma, thetas, lams = 9, 6, 0.2, [0.3, 1.0], [0.0, 0.4]
    est = transfer_grid_estimates(n, d, thetas, sigma, lams=lams, instances=4, seed=8)
    g = simulate_transfer_grid(n, d, thetas, sigma, lams=lams, instances=4, seed=8)
    assert sorted(est) == sorted([f"scratch:{j}" for j in range(2)]
                                 + [f"{q}:{j}:{k}" for q in ("linear_transfer", "transferability")
                                    for j in range(2) for k in range(2)])
    base = {"n": n, "d": d, "sigma": sigma, "norm_s": 1.0, "norm_t": 1.0, "depth": 2, "seed": 8}
    for j, th in enumerate(thetas):
        np.testing.assert_array_equal(est[f"scratch:{j}"].samples, g["scratch"][:, j])
        assert est[f"scratch:{j}"].info == {**base, "estimator": "min_norm", "theta": th}
        for k, lam in enumerate(lams):
            np.testing.assert_array_equal(est[f"linear_transfer:{j}:{k}"].samples, g["linear_transfer"][:, j, k])
            np.testing.assert_array_equal(est[f"transferability:{j}:{k}"].samples, g["transferability"][:, j, k])
            assert est[f"linear_transfer:{j}:{k}"].info == {**base, "theta": th, "lam": lam,
                                                            "estimator": "linear_transfer"}
            assert est[f"transferability:{j}:{k}"].info == {**base, "theta": th, "lam": lam,
                                                            "estimator": "scratch - linear_transfer"}
    lt_only = transfer_grid_estimates(n, d, thetas, sigma, lams=lams, scratch=False, instances=4, seed=8)
    assert sorted(lt_only) == sorted(f"linear_transfer:{j}:{k}" for j in range(2) for k in range(2))
    np.testing.assert_array_equal(lt_only["linear_transfer:1:1"].samples, g["linear_transfer"][:, 1, 1])


@pytest.mark.parametrize("n", [5, 20])
def test_sigma_and_ridge_grids_are_the_documented_computation(n):
    d, sigmas, lams, norm_t = 10, [0.0, 0.5], [0.0, 0.01, 1.0], 1.3
    sg = simulate_min_norm_sigma_grid(n, d, sigmas, norm_t=norm_t, instances=3, seed=4, chunk_size=2)
    rg = simulate_ridge_grid(n, d, 0.5, lams, norm_t=norm_t, instances=3, seed=4, chunk_size=2)
    assert list(sg) == sigmas and all(isinstance(k, float) for k in sg)
    for s in sigmas:
        assert sg[s].info == {"estimator": "min_norm", "n": n, "d": d, "sigma": s, "norm_t": norm_t, "seed": 4}
    np.testing.assert_array_equal(rg.lams, lams)
    for lam, est in zip(lams, rg.estimates):
        assert est.info == {"estimator": "ridge", "n": n, "d": d, "sigma": 0.5, "norm_t": norm_t, "seed": 4,
                            "lam": lam}
    for i, rng in enumerate(_children(4, 3)):
        gv = rng.standard_normal(d)
        X, eps = rng.standard_normal((n, d)), rng.standard_normal(n)
        beta_t = norm_t * gv / np.linalg.norm(gv)
        for s in sigmas:
            r = np.sum((np.linalg.pinv(X) @ (X @ beta_t + s * eps) - beta_t) ** 2)
            assert sg[s].samples[i] == pytest.approx(r, rel=RTOL, abs=ATOL)
        y = X @ beta_t + 0.5 * eps
        for lam, est in zip(lams, rg.estimates):
            b = np.linalg.pinv(X) @ y if lam == 0 else np.linalg.solve(X.T @ X / n + lam * np.eye(d), X.T @ y / n)
            assert est.samples[i] == pytest.approx(np.sum((b - beta_t) ** 2), rel=RTOL, abs=ATOL)


def test_grids_without_an_integer_seed_record_no_seed_and_chunks_cover_the_budget():
    g = simulate_transfer_grid(5, 4, [0.5], 0.1, instances=2, seed=np.random.SeedSequence(1))
    assert "seed" not in g["info"]
    assert "seed" not in simulate_min_norm_sigma_grid(5, 4, [0.1], instances=2, seed=None)[0.1].info
    assert _chunk(1000, 1000) == 4 and _chunk(10**4, 10**4) == 1 and _chunk(10, 10) == 40_000


@pytest.mark.parametrize("call, match", [
    (lambda: simulate_transfer_grid(5, 4, [], 0.1, instances=2, seed=0),
     r"^thetas=\[\] is invalid: expected a non-empty one-dimensional grid$"),
    (lambda: simulate_transfer_grid(5, 4, [[0.1, 0.2]], 0.1, instances=2, seed=0),
     r"^thetas=\[\[0\.1, 0\.2\]\] is invalid: expected a non-empty one-dimensional grid$"),
    (lambda: simulate_transfer_grid(5, 4, [0.1], 0.1, lams=[], instances=2, seed=0), r"^lams=\[\] is invalid"),
    (lambda: simulate_transfer_grid(5, 4, [3.5], 0.1, instances=2, seed=0), r"^theta=3\.5 is out of its domain"),
    (lambda: simulate_min_norm_sigma_grid(5, 4, [0.1], norm_t=0.0, instances=2, seed=0), r"^norm_t=0\.0 is out of its domain"),
    (lambda: simulate_ridge_grid(5, 4, 0.1, [], instances=2, seed=0), r"^lams=\[\] is invalid"),
    (lambda: simulate_ridge_grid(5, 4, 0.1, [0.1], norm_t=-1.0, instances=2, seed=0), r"^norm_t=-1\.0 is out of its domain"),
    (lambda: simulate_deep_linear_transfer_lams(5, 4, 0.3, 0.1, [[0.1]], instances=1, seed=0),
     r"^lams=\[\[0\.1\]\] is invalid: expected a non-empty one-dimensional grid$"),
    (lambda: simulate_deep_linear_transfer_lams(5, 4, 0.3, 0.1, [-0.1], instances=1, seed=0), r"^lam=-0\.1 is out of its domain"),
    (lambda: simulate_deep_linear_transfer_lams(5, 4, 0.3, 0.1, [0.1], rcond=1.0, instances=1, seed=0),
     r"^rcond=1\.0 is invalid.*\[0, 1\)"),
    (lambda: simulate_deep_linear_transfer_lams(5, 4, 0.3, 0.1, [0.1], rank=0, instances=1, seed=0), r"^rank=0 is invalid"),
    (lambda: simulate_deep_linear_transfer_lams(5, 4, 0.3, 0.1, [0.1], chunk_size=0, instances=1, seed=0),
     r"^chunk_size=0 is invalid"),
])
def test_grid_bad_input_messages(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("kw", [dict(), dict(rank=1, rcond=0.0, pretrain_steps=30, pretrain_tol=0.0, depth=3,
                                            width=5, norm_s=1.4, norm_t=0.7),
                                dict(pretrain_tol=0.05, method="flow", reduced=False, pretrain_lr=0.5)])
def test_deep_linear_lam_grid_records_and_options_match_the_one_point_simulator(kw):
    lams = [0.0, 0.2]
    res = simulate_deep_linear_transfer_lams(6, 8, 0.5, 0.1, lams, instances=3, seed=2, chunk_size=2, **kw)
    assert list(res) == lams
    for lam in lams:
        one = simulate_deep_linear("lt", 6, 8, 0.5, 0.1, lam=lam, instances=3, seed=2, **kw)
        np.testing.assert_allclose(res[lam].samples, one.samples, rtol=RTOL)
        np.testing.assert_array_equal(res[lam].converged, one.converged)
        info = res[lam].info
        assert info == {"procedure": "lt", "n": 6, "d": 8, "theta": 0.5, "sigma": 0.1, "depth": one.info["depth"],
                        "width": one.info["width"], "alpha": one.info["alpha"], "method": kw.get("method", "gd"),
                        "reduced": kw.get("reduced", True),
                        "rcond": kw.get("rcond", 1e-3), "pretrain_steps_max": int(one.info["pretrain_steps"].max()),
                        "lam": lam}
        assert info["depth"] == kw.get("depth", 2) and info["width"] == kw.get("width", 8)
    if "pretrain_steps" in kw:   # 30 pretraining steps from a small initialisation: not converged, the budget is the one used
        assert not res[0.0].converged.any() and res[0.0].info["pretrain_steps_max"] == 30
