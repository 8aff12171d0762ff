"""Monte Carlo twin of finite-source linear transfer (THEORY.md §7.1–§7.3).

``simulate_linear_transfer_finite_source`` draws the source set, computes ``beta_hat_s = X_s^+ y_s``
and fits the read-out on fresh target data. Three things are compared, at 5 standard errors:

1. the source moments ``E||beta_hat_s||^2`` and ``E<beta_t, beta_hat_s>`` with their *exact* finite-size
   values (THEORY.md §7.2 [EXT], from (T1)–(T3));
2. the risk with its exact conditional expectation given the source, §4.2 with the effective angle
   ``sin^2(theta_eff) = 1 - <beta_hat_s, beta_t>^2/||beta_hat_s||^2`` (paired per instance);
3. the mean risk with the finite-size prediction ``s2 + (sigma^2 + s2)/(n - 2)``, where ``s2`` is
   ``E sin^2(theta_eff)``. Its only non-exact ingredient is the mean of a ratio: ``s2 = 1 - v^2/q -
   (1/2) tr(H Sigma)`` with the exact finite moments ``v, q`` and the second-order (delta-method)
   term from the sampled covariance ``Sigma`` of ``(<beta_hat_s, beta_t>, ||beta_hat_s||^2)``; the
   neglected terms are O(d^-2). The registered asymptotic ``sin^2(theta_eff)`` of §7.3 differs from
   this finite ``s2`` by a deterministic O(1/d) amount: the test asserts it is below ``1/d`` (measured
   ``d |gap|`` about 0.3 at gamma_s = 0.5 and 0.01 at gamma_s = 1.5, sigma_s = 0.2) and, in the slow
   test, that ``d |gap|`` stays bounded as d doubles, i.e. that the asymptote is the limit.
"""
import math

import numpy as np
import pytest
import sympy as sp

import ftheory
from ftheory.params import PARAMS
from ftheory.simulate.estimate import MCEstimate
from ftheory.simulate.gamma import n_from_gamma
from ftheory.simulate.linear import simulate_linear_transfer_finite_source
from ftheory.theory.finite_source import n_s, source_norm_sq_finite, source_overlap_finite

Z_MAX = 5.0
T_LT = ftheory.get("linear_transfer_transferability_finite_source")
SCRATCH = ftheory.get("scratch_risk")
NORM = ftheory.get("finite_source_norm_sq")
OVERLAP = ftheory.get("finite_source_overlap")


def exact_finite_moments(ns, d, sigma_s, theta):
    """§7.2 [EXT] exact E||beta_hat_s||^2 and E<beta_t, beta_hat_s> (registered derivation, SymPy)."""
    sym = {n_s: ns, PARAMS["d"].symbol: d, PARAMS["sigma_s"].symbol: sp.nsimplify(sigma_s),
           PARAMS["theta"].symbol: sp.nsimplify(theta)}
    return float(source_norm_sq_finite().subs(sym)), float(source_overlap_finite().subs(sym))


def run(d, gamma, gamma_s, theta=math.pi / 4, sigma=0.2, sigma_s=0.2, instances=300, seed=0):
    n, ns = n_from_gamma(gamma, d), n_from_gamma(gamma_s, d, name="gamma_s", count="n_s")  # as the simulator
    est = simulate_linear_transfer_finite_source(n, d, theta, sigma, gamma_s, sigma_s, instances=instances, seed=seed)
    q_samples, v_samples = est.info["source_norm_sq_samples"], est.info["source_overlap_samples"]
    q, v = exact_finite_moments(ns, d, sigma_s, theta)
    cov = np.cov(np.vstack([v_samples, q_samples]))
    second_order = cov[0, 0] / q - 2 * v * cov[0, 1] / q ** 2 + v ** 2 * cov[1, 1] / q ** 3
    s2_finite = 1 - v ** 2 / q - second_order
    s2_asym = float(SCRATCH(gamma=gamma, sigma=sigma)
                    - T_LT(gamma=gamma, theta=theta, sigma=sigma, gamma_s=gamma_s, sigma_s=sigma_s))
    return dict(est=est, n=n, q=q, v=v, q_samples=q_samples, v_samples=v_samples, s2_finite=s2_finite,
                s2_asym=s2_asym, sigma=sigma)


def check_run(r, d):
    est, n, sigma = r["est"], r["n"], r["sigma"]
    # 1. exact finite-size source moments
    assert abs(MCEstimate(r["q_samples"]).zscore(r["q"])) < Z_MAX
    assert abs(MCEstimate(r["v_samples"]).zscore(r["v"])) < Z_MAX
    # 2. given the source, §4.2 with the effective angle (paired per instance)
    s2 = 1 - r["v_samples"] ** 2 / r["q_samples"]
    conditional = s2 + (sigma ** 2 + s2) / (n - 2)
    assert abs(MCEstimate(est.samples - conditional).zscore(0.0)) < Z_MAX
    # 3. mean risk against the finite-size prediction, and the asymptote of §7.3 within O(1/d)
    s2_f = r["s2_finite"]
    assert abs(est.zscore(s2_f + (sigma ** 2 + s2_f) / (n - 2))) < Z_MAX
    assert abs(r["s2_asym"] - s2_f) < 1.0 / d
    return d * abs(r["s2_asym"] - s2_f)


def test_finite_source_linear_transfer_d200_gamma_s_half():
    check_run(run(200, 0.5, 0.5, seed=11), 200)


def test_registered_moments_are_the_limits_of_the_exact_finite_moments():
    for gamma_s in (0.5, 1.5):
        gaps = []
        for d in (100, 1000, 10000):
            q, v = exact_finite_moments(int(gamma_s * d), d, 0.2, 0.3)
            gaps.append(abs(q - float(NORM(gamma_s=gamma_s, sigma_s=0.2))))
            assert v == pytest.approx(float(OVERLAP(theta=0.3, gamma_s=gamma_s)), rel=1e-12)
        assert gaps[0] > 9 * gaps[1] > 81 * gaps[2] > 0            # O(1/d)


@pytest.mark.slow
@pytest.mark.parametrize("gamma,gamma_s", [(0.5, 0.5), (1.5, 1.5)])
def test_finite_source_linear_transfer_converges_to_section_7_3(gamma, gamma_s):
    """d = 200 and 400: every check of :func:`check_run`, and d |gap| stays bounded (O(1/d))."""
    scaled = [check_run(run(d, gamma, gamma_s, instances=240 if d == 400 else 300, seed=d + 7), d)
              for d in (200, 400)]
    assert scaled[1] < 2 * scaled[0] + 0.05
