"""Monte Carlo twins of linear transfer (THEORY.md §4.2, §4.4, §4.5, §5.5) against the exact finite-size means.

Tolerance: 5 standard errors of the simulated mean. Draws keep the sampled quantity's variance finite:
at lam = 0 the read-out risk has a finite variance only for n > 4 (E[1/chi^2_n^2] < oo), so n >= 8; the
scratch risk needs |n - d| >= 4, so |n - d| >= 6 (as in tests/test_scratch_mc.py); for lam > 0 the risk is
bounded in terms of the noise and every n is allowed.
"""
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import ftheory
from ftheory.simulate.linear import (simulate_linear_transfer_risk, simulate_rank_k_risk,
                                     simulate_scratch_and_transfer)

Z_MAX = 5.0
RISK_FIN = ftheory.get("linear_transfer_risk_finite")
RISK = ftheory.get("linear_transfer_risk")
T_FIN = ftheory.get("linear_transfer_transferability_finite")

thetas = st.floats(0.0, math.pi)
sigmas = st.one_of(st.just(0.0), st.floats(1e-3, 1.5))
seeds = st.integers(0, 2 ** 32 - 1)


@settings(max_examples=25)
@given(n=st.integers(8, 120), d=st.integers(2, 30), theta=thetas, sigma=sigmas, norm_t=st.floats(0.3, 2.0),
       seed=seeds)
def test_least_squares_readout_matches_exact_mean(n, d, theta, sigma, norm_t, seed):
    """lam = 0: E R_lt = ||beta_t||^2 sin^2 + (sigma^2 + ||beta_t||^2 sin^2)/(n - 2), independent of d (§4.2)."""
    expected = float(RISK_FIN(n=n, theta=theta, sigma=sigma, norm_t=norm_t))
    est = simulate_linear_transfer_risk(n, d, theta, sigma, norm_t=norm_t, instances=400, seed=seed)
    if sigma == 0 and min(theta, math.pi - theta) < 1e-6:  # (almost) nothing to estimate: rounding level
        assert est.mean < 1e-10 * norm_t ** 2 and expected < 1e-10 * norm_t ** 2
        return
    assert abs(est.zscore(expected)) < Z_MAX, (est, expected)


@settings(max_examples=20)
@given(n=st.integers(1, 60), d=st.integers(2, 20), theta=thetas, sigma=sigmas, lam=st.floats(0.02, 3.0),
       norm_s=st.floats(0.5, 2.0), depth=st.integers(2, 4), seed=seeds)
def test_ridge_readout_matches_the_quadrature(n, d, theta, sigma, lam, norm_s, depth, seed):
    """lam > 0: the one-dimensional chi-square integral of §4.4 (quadrature), with lam_eff for any norm/depth."""
    assume(sigma > 0 or 0.05 < theta < math.pi - 0.05)  # keep the sampled risk non-degenerate
    expected = float(RISK_FIN(n=n, theta=theta, sigma=sigma, lam=lam, norm_s=norm_s, depth=depth))
    est = simulate_linear_transfer_risk(n, d, theta, sigma, lam=lam, norm_s=norm_s, depth=depth,
                                        instances=400, seed=seed)
    assert abs(est.zscore(expected)) < Z_MAX, (est, expected)


@settings(max_examples=20)
@given(n=st.integers(8, 80), d=st.integers(2, 80), theta=thetas, sigma=sigmas, seed=seeds)
def test_finite_transferability_matches_common_random_numbers(n, d, theta, sigma, seed):
    """§5.5: E[R_sc - R_lt] from the same data for both procedures (scratch = min-norm, lam = 0)."""
    assume(abs(n - d) >= 6)
    expected = float(T_FIN(n=n, d=d, theta=theta, sigma=sigma))
    res = simulate_scratch_and_transfer(n, d, theta, sigma, instances=400, seed=seed)
    est = res["transferability"]
    if est.std == 0 or (sigma == 0 and n > d and (theta == 0 or theta == math.pi)):
        assert abs(est.mean - expected) < 1e-12
        return
    assert abs(est.zscore(expected)) < Z_MAX, (est, expected)


def test_transfer_wins_and_loses_where_the_finite_theory_says():
    """theta = pi/4, sigma = 0.2, d = 60: T > 0 at n = 15 (gamma = 0.25), < 0 in the lobe (n = 42,
    gamma = 0.7) and far above the interpolation peak (n = 180), by more than 5 standard errors."""
    for n, sign in ((15, 1), (42, -1), (180, -1)):
        expected = float(T_FIN(n=n, d=60, theta=math.pi / 4, sigma=0.2))
        est = simulate_scratch_and_transfer(n, 60, math.pi / 4, 0.2, instances=600, seed=n)["transferability"]
        assert np.sign(expected) == sign
        assert abs(est.zscore(expected)) < Z_MAX
        assert sign * est.mean > Z_MAX * est.sem


@settings(max_examples=15)
@given(k=st.integers(1, 6), extra=st.integers(6, 40), d=st.integers(8, 30), residual=st.floats(0, 1),
       sigma=sigmas, seed=seeds)
def test_rank_k_readout_matches_the_derivation(k, extra, d, residual, sigma, seed):
    """§4.5 (derived in derivations/linear_transfer.py, not registered yet): rho + (sigma^2 + rho) k/(n - k - 1)."""
    assume(k < d)
    n = k + extra
    expected = residual + (sigma ** 2 + residual) * k / (n - k - 1)
    est = simulate_rank_k_risk(n, d, k, residual, sigma, instances=400, seed=seed)
    if expected == 0:
        assert est.mean < 1e-20
        return
    assert abs(est.zscore(expected)) < Z_MAX, (est, expected)


@pytest.mark.slow
def test_ridge_readout_converges_to_the_asymptotic_risk():
    """lam = 0.1, theta = pi/8, sigma = 0.2 (the S-ridge set-up): the MC mean agrees with the exact finite
    mean at every n and approaches eq. (13) as n grows (the finite-size excess shrinks like 1/n)."""
    target = float(RISK(theta=math.pi / 8, lam=0.1))
    gaps = []
    for n in (25, 100, 400):
        exact = float(RISK_FIN(n=n, theta=math.pi / 8, sigma=0.2, lam=0.1))
        est = simulate_linear_transfer_risk(n, 4, math.pi / 8, 0.2, lam=0.1, instances=4000, seed=n)
        assert abs(est.zscore(exact)) < Z_MAX
        gaps.append(exact - target)
    assert gaps[0] > gaps[1] > gaps[2] > 0
    assert gaps[2] * 400 == pytest.approx(gaps[1] * 100, rel=0.1)


@pytest.mark.parametrize("n,k,residual,sigma", [(40, 10, 0.3, 0.2), (8, 20, 0.5, 0.1), (60, 5, 0.0, 0.5)])
def test_rank_k_risk_matches_registered_result(n, k, residual, sigma):
    """§4.5 (and its n < k continuation, min-norm in k dimensions) against least squares on X U."""
    from ftheory.simulate.linear import simulate_rank_k_risk

    expected = float(ftheory.get("linear_transfer_risk_rank_k")(n=n, k=k, residual=residual, sigma=sigma))
    est = simulate_rank_k_risk(n, 80, k, residual, sigma, instances=3000, seed=n + k)
    assert abs(est.zscore(expected)) < 5, (est, expected)
