"""Monte Carlo twin of the scratch risk: min-norm regression against the exact finite-size mean.

Tolerances come from the standard error of the simulated mean (5 standard errors). Draws keep
|n - d| >= 6: the risk has a finite variance only for |n - d| >= 4 (second inverse-Wishart
moment), and the standard error is only a reliable scale a little beyond that.
"""
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import ftheory
from ftheory.simulate.linear import simulate_min_norm_risk

Z_MAX = 5.0


@settings(max_examples=30)
@given(n=st.integers(2, 80), d=st.integers(2, 80), sigma=st.one_of(st.just(0.0), st.floats(1e-3, 1.5)),
       norm_t=st.floats(0.2, 2.0),
       seed=st.integers(0, 2 ** 32 - 1))
def test_min_norm_matches_exact_finite_size_expectation(n, d, sigma, norm_t, seed):
    assume(abs(n - d) >= 6)
    expected = float(ftheory.get("scratch_risk_finite")(n=n, d=d, sigma=sigma, norm_t=norm_t))
    est = simulate_min_norm_risk(n, d, sigma, norm_t=norm_t, instances=400, seed=seed)
    if sigma == 0 and n > d:  # the least-squares solution is exact: zero up to rounding
        # rounding floor of a backward-stable least-squares solve: |b - beta_t| <= c eps kappa(X) |beta_t|, with
        # kappa(X) ~ (sqrt n + sqrt d)/(sqrt n - sqrt d) (Marchenko-Pastur edges) and c = 10 d for the solver's
        # constant and the tail of kappa over 400 instances
        kappa = (math.sqrt(n) + math.sqrt(d)) / (math.sqrt(n) - math.sqrt(d))
        assert expected == 0 and est.mean < (10 * d * np.finfo(float).eps * kappa) ** 2 * norm_t ** 2
        return
    assert abs(est.zscore(expected)) < Z_MAX, (est, expected)


def test_min_norm_is_finite_and_heavy_at_the_interpolation_threshold():
    """At n = d the expectation is infinite: the simulated risks are finite but the mean keeps growing."""
    assert np.isinf(ftheory.get("scratch_risk_finite")(n=30, d=30, sigma=0.2))
    est = simulate_min_norm_risk(30, 30, 0.2, instances=400, seed=3)
    assert np.all(np.isfinite(est.samples))
    assert est.samples.max() > 20 * np.median(est.samples)


@pytest.mark.slow
def test_converges_to_the_asymptotic_double_descent_as_d_grows():
    """gamma = 0.5 and 1.5, sigma = 0.2: the MC mean agrees with the exact finite mean at every d, and
    the finite-size correction decays like 1/d towards eq. (8)."""
    asym = ftheory.get("scratch_risk")
    finite = ftheory.get("scratch_risk_finite")
    for gamma in (0.5, 1.5):
        target = float(asym(gamma=gamma, sigma=0.2))
        gaps = []
        for d in (50, 200, 800):
            n = int(gamma * d)
            exact = float(finite(n=n, d=d, sigma=0.2))
            est = simulate_min_norm_risk(n, d, 0.2, instances=max(20, 12000 // d), seed=d)
            assert abs(est.zscore(exact)) < Z_MAX
            gaps.append(abs(exact - target))
        assert gaps[0] > gaps[1] > gaps[2]
        assert d * gaps[2] == pytest.approx(50 * gaps[0], rel=0.1)  # O(1/d)
        assert abs(est.mean - target) < Z_MAX * est.sem + gaps[2]
