"""The grid simulators (one draw and one solve per instance for a whole grid) give, at every grid point,
the samples of the one-point simulators with the same seed: the same protocol, to rounding.

Tolerance: rounding of a least-squares solve, relative ``1e-9`` (the condition number of a Gaussian
``X`` at these sizes, at most ~1e3 at n = d, times float64 epsilon, with a wide margin) plus an
absolute ``1e-12`` of the risk scale for risks that are exactly 0 (``n >= d`` without noise,
``theta = 0``), where both sides are rounding residues of size ~1e-30.
"""
import math

import numpy as np
import pytest

import ftheory
from ftheory.simulate.deep_linear import simulate_deep_linear
from ftheory.simulate.deep_linear.lam_grid import simulate_deep_linear_transfer_lams
from ftheory.simulate.linear import simulate_linear_transfer_risk, simulate_min_norm_risk, simulate_scratch_and_transfer
from ftheory.simulate.linear_grid import (grid_key, simulate_min_norm_sigma_grid, simulate_transfer_grid,
                                          transfer_grid_estimates)
from ftheory.simulate.sweeps import sweep

RTOL, ATOL = 1e-9, 1e-12
THETAS = [0.0, 0.3, math.pi / 2, 2.5]
LAMS = [0.0, 0.1]


@pytest.mark.parametrize("n", [10, 30, 31, 60])
@pytest.mark.parametrize("sigma", [0.0, 0.2])
def test_transfer_grid_equals_the_one_point_simulator_at_every_point(n, sigma):
    kw = dict(norm_s=1.5, norm_t=0.8, depth=3, instances=6, seed=5)
    g = simulate_transfer_grid(n, 30, THETAS, sigma, lams=LAMS, chunk_size=4, **kw)
    for j, theta in enumerate(THETAS):
        for k, lam in enumerate(LAMS):
            one = simulate_scratch_and_transfer(n, 30, theta, sigma, lam=lam, **kw)
            np.testing.assert_allclose(g["scratch"][:, j], one["scratch"].samples, rtol=RTOL, atol=ATOL * 0.64)
            np.testing.assert_allclose(g["linear_transfer"][:, j, k], one["linear_transfer"].samples, rtol=RTOL,
                                       atol=ATOL * 0.64)
            np.testing.assert_allclose(g["transferability"][:, j, k], one["transferability"].samples, rtol=RTOL,
                                       atol=ATOL * 0.64)


def test_transfer_grid_without_scratch_is_the_linear_transfer_simulator():
    g = simulate_transfer_grid(40, 25, [0.2, 1.1], 0.3, lams=[0.0, 0.05], scratch=False, instances=5, seed=2)
    assert set(g) == {"thetas", "lams", "linear_transfer", "info"}
    one = simulate_linear_transfer_risk(40, 25, 1.1, 0.3, lam=0.05, instances=5, seed=2)
    np.testing.assert_allclose(g["linear_transfer"][:, 1, 1], one.samples, rtol=RTOL)


@pytest.mark.parametrize("n", [12, 40, 41, 90])
def test_sigma_grid_equals_the_min_norm_simulator(n):
    res = simulate_min_norm_sigma_grid(n, 40, [0.0, 0.2, 1.0], norm_t=1.3, instances=5, seed=9, chunk_size=2)
    for sigma, est in res.items():
        one = simulate_min_norm_risk(n, 40, sigma, norm_t=1.3, instances=5, seed=9)
        np.testing.assert_allclose(est.samples, one.samples, rtol=RTOL, atol=ATOL * 1.69)


def test_deep_linear_lam_grid_equals_the_deep_linear_simulator():
    lams = [0.0, 0.1, 0.5]
    res = simulate_deep_linear_transfer_lams(40, 60, 0.4, 0.2, lams, instances=5, seed=3, chunk_size=2)
    for lam in lams:
        one = simulate_deep_linear("lt", 40, 60, 0.4, 0.2, lam=lam, instances=5, seed=3)
        np.testing.assert_allclose(res[lam].samples, one.samples, rtol=RTOL)
        assert np.array_equal(res[lam].converged, one.converged)


def test_grid_samples_do_not_depend_on_the_chunks():
    a = simulate_transfer_grid(30, 20, [0.4, 1.0], 0.2, instances=7, seed=1, chunk_size=3)
    b = simulate_transfer_grid(30, 20, [0.4, 1.0], 0.2, instances=7, seed=1)
    np.testing.assert_array_equal(a["transferability"], b["transferability"])


def test_transfer_grid_means_agree_with_the_exact_finite_size_expectation():
    """Each cell of a sweep row is a Monte Carlo estimate of the exact finite-n transferability (§5.5)."""
    n, d, sigma = 60, 40, 0.2
    thetas = [0.3, math.pi / 4, 1.2]
    res = sweep(transfer_grid_estimates, {"n": [n]}, fixed={"d": d, "thetas": thetas, "sigma": sigma},
                instances=400, seed=11, progress=False)
    fin = ftheory.get("linear_transfer_transferability_finite")
    for j, theta in enumerate(thetas):
        est = res.estimate(grid_key("transferability", j, 0), n=n)
        assert abs(est.zscore(float(fin(n=n, d=d, theta=theta, sigma=sigma)))) < 5


@pytest.mark.parametrize("bad, match", [
    (dict(thetas=[]), "thetas"), (dict(thetas=[4.0]), "theta"), (dict(lams=[-1.0]), "lam"),
    (dict(n=0), "n"), (dict(d=1), "d"), (dict(sigma=-0.1), "sigma")])
def test_bad_input_names_the_parameter(bad, match):
    kw = dict(n=10, d=5, thetas=[0.5], sigma=0.1, lams=[0.0])
    kw.update(bad)
    with pytest.raises(ValueError, match=match):
        simulate_transfer_grid(kw.pop("n"), kw.pop("d"), kw.pop("thetas"), kw.pop("sigma"), instances=2, seed=0, **kw)


def test_bad_grids_of_the_other_simulators():
    with pytest.raises(ValueError, match="sigmas"):
        simulate_min_norm_sigma_grid(10, 5, [], instances=2, seed=0)
    with pytest.raises(ValueError, match="sigma"):
        simulate_min_norm_sigma_grid(10, 5, [-1.0], instances=2, seed=0)
    with pytest.raises(ValueError, match="lams"):
        simulate_deep_linear_transfer_lams(10, 5, 0.3, 0.1, [], instances=2, seed=0)


@pytest.mark.parametrize("n, d", [(12, 8), (6, 8)])
def test_scratch_parts_fall_back_to_lstsq_on_a_rank_deficient_design(n, d):
    from ftheory.simulate.linear import min_norm
    from ftheory.simulate.linear_grid import _scratch_parts

    rng = np.random.default_rng(4)
    X = rng.standard_normal((2, n, d))
    X[1, :, 1] = X[1, :, 0]                       # instance 1: two equal columns (rank d - 1 or n - 1)
    T, eps = rng.standard_normal((2, d, 1)), rng.standard_normal((2, n))
    G, a = _scratch_parts(X, eps, T, max(n, d) * np.finfo(float).eps)
    for i in range(2):
        for sigma in (0.0, 0.5):
            beta = min_norm(X[i], X[i] @ T[i, :, 0] + sigma * eps[i])
            exact = np.sum((beta - T[i, :, 0]) ** 2)
            assert G[i, 0, 0] + sigma ** 2 * a[i] == pytest.approx(exact, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("n", [10, 39, 40, 41, 90])
@pytest.mark.parametrize("sigma", [0.0, 0.2])
def test_ridge_grid_equals_the_tuned_ridge_simulator(n, sigma):
    from ftheory.simulate.linear import simulate_tuned_ridge_risk
    from ftheory.simulate.linear_grid import simulate_ridge_grid

    lams = [0.0, 5e-5, 1e-3, 0.05, 1.0]
    new = simulate_ridge_grid(n, 40, sigma, lams, norm_t=1.2, instances=6, seed=2, chunk_size=4)
    ref = simulate_tuned_ridge_risk(n, 40, sigma, lams, norm_t=1.2, instances=6, seed=2)
    np.testing.assert_array_equal(new.lams, ref.lams)
    for a, b in zip(new.estimates, ref.estimates):
        # exact zeros (lam = 0, n >= d, sigma = 0): the SVD path leaves rounding residues up to ~1e-24
        np.testing.assert_allclose(a.samples, b.samples, rtol=RTOL, atol=ATOL * 1.44)
