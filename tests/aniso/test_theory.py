"""Registered two-level results: float64 against mpmath, against the numeric API at exact fractions,
and the isotropic special case against the registered isotropic results (numerically; the symbolic
equality is asserted by derivations/aniso.py)."""
import math

import mpmath
import numpy as np
import pytest

import ftheory
from ftheory import aniso as A
from ftheory.simulate.gamma import n_from_gamma

NAMES = ["aniso2_kappa", "aniso2_scratch_risk", "aniso2_sigma_cosine", "aniso2_linear_transfer_risk",
         "aniso2_linear_transfer_risk_finite", "aniso2_finetune_risk", "aniso2_lt_transferability",
         "aniso2_ft_transferability"]


def random_point(r, rng):
    out = {}
    for p in r.params:
        if p == "gamma":
            out[p] = float(rng.choice([rng.uniform(0.01, 0.99), rng.uniform(1.01, 3.0)]))
        elif p == "n":
            out[p] = int(rng.integers(3, 500))
        elif p == "theta":
            out[p] = float(rng.uniform(0, math.pi))
        elif p == "frac_a":
            out[p] = float(rng.uniform(0.02, 0.98))
        elif p == "eig_ratio":
            out[p] = float(np.exp(rng.uniform(-4, 4)))
        elif p.startswith("energy"):
            out[p] = float(rng.uniform(0, 1))
        elif p in ("norm_s", "norm_t"):
            out[p] = float(rng.uniform(0.2, 2.0))
        elif p == "sigma":
            out[p] = float(rng.uniform(0, 1.5))
    return out


@pytest.mark.parametrize("name", NAMES)
def test_float64_matches_mpmath(name):
    r = ftheory.get(name)
    rng = np.random.default_rng(abs(hash(name)) % 2 ** 32)
    for _ in range(25):
        pt = random_point(r, rng)
        fast = float(r(**pt))
        exact = r.mp(dps=30, **pt)
        # condition factor 1e3: sums of O(10) positive terms, a square root, eig_ratio up to e^4
        scale = max(abs(exact), mpmath.mpf(1e-300))
        if name == "aniso2_ft_transferability" or name == "aniso2_lt_transferability":
            scale = max(scale, abs(r.mp(dps=30, **{**pt, "theta": 0.0})))   # a difference: absolute error
        assert abs(fast - float(exact)) <= 1e3 * np.finfo(float).eps * float(scale), (pt, fast, exact)


def two_level_problem(d, rho, ratio, e_s, e_perp, theta, norm_s=1.0, norm_t=1.0):
    ev, m = A.two_level_spectrum(d, rho, ratio)
    us = np.zeros(d)
    us[0], us[m] = math.sqrt(e_s), math.sqrt(1 - e_s)
    up = np.zeros(d)
    up[1], up[m + 1] = math.sqrt(e_perp), math.sqrt(1 - e_perp)
    return ev, m / d, norm_s * us, norm_t * (math.cos(theta) * us + math.sin(theta) * up)


@pytest.mark.parametrize("gamma", [0.05, 0.3, 0.5, 0.8, 0.97, 1.6])
@pytest.mark.parametrize("ratio", [0.1, 1.0, 6.0])
def test_closed_forms_equal_the_numeric_api_at_exact_fractions(gamma, ratio):
    d = 1000
    ev, rho, bs, bt = two_level_problem(d, 0.3, ratio, 0.7, 0.2, 0.9, norm_s=1.3, norm_t=0.8)
    n = n_from_gamma(gamma, d)
    g = n / d
    common = dict(frac_a=rho, eig_ratio=ratio)
    e_t = float(bt[: int(rho * d)] @ bt[: int(rho * d)] / (bt @ bt))
    sc = ftheory.get("aniso2_scratch_risk")(gamma=g, sigma=0.4, energy_t=e_t, norm_t=float(np.linalg.norm(bt)), **common)
    de = A.scratch_risk_de(ev, bt, n, 0.4)
    assert float(sc) == pytest.approx(float(de), rel=1e-10)
    ft = ftheory.get("aniso2_finetune_risk")(gamma=g, theta=0.9, sigma=0.4, energy_s=0.7, energy_perp=0.2,
                                             norm_s=1.3, norm_t=0.8, **common)
    assert float(ft) == pytest.approx(float(A.scratch_risk_de(ev, bt - bs, n, 0.4)), rel=1e-10)
    lt = ftheory.get("aniso2_linear_transfer_risk_finite")(n=n, theta=0.9, sigma=0.4, energy_perp=0.2, norm_t=0.8,
                                                            **common)
    assert float(lt) == pytest.approx(float(A.linear_transfer_risk(ev, bs, bt, n, 0.4)), rel=1e-12)
    cos = ftheory.get("aniso2_sigma_cosine")(theta=0.9, energy_s=0.7, energy_perp=0.2, **common)
    assert float(cos) == pytest.approx(float(A.sigma_cosine(ev, bs, bt)), rel=1e-12)
    k = ftheory.get("aniso2_kappa")(gamma=g, **common)
    assert float(k) == pytest.approx(float(A.effective_regularisation(ev, n)), rel=1e-10, abs=0)


@pytest.mark.parametrize("gamma", [0.0, 0.2, 0.7, 1.0, 1.5])
def test_isotropic_values_equal_registered(gamma):
    common = dict(frac_a=0.37, eig_ratio=1.0)
    for sigma in (0.0, 0.3):
        got = ftheory.get("aniso2_scratch_risk")(gamma=gamma, sigma=sigma, energy_t=0.9, norm_t=1.2, **common)
        want = ftheory.get("scratch_risk")(gamma=gamma, sigma=sigma, norm_t=1.2)
        assert float(got) == pytest.approx(float(want), rel=1e-13)
    got = ftheory.get("aniso2_ft_transferability")(gamma=gamma, theta=0.8, energy_s=0.1, energy_perp=0.6,
                                                   norm_s=0.7, norm_t=1.1, **common)
    want = ftheory.get("finetune_transferability")(gamma=gamma, theta=0.8, norm_s=0.7, norm_t=1.1)
    assert float(got) == pytest.approx(float(want), rel=1e-13, abs=1e-15)


def test_edges_are_finite_or_infinite_never_nan():
    r = ftheory.get("aniso2_scratch_risk")
    g = np.array([0.0, 1e-300, 1e-12, 0.5, 1 - 1e-15, 1.0, 1.0, 1 + 1e-15, 10.0])
    s = np.array([0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.0, 0.3, 0.3])
    out = r(gamma=g, sigma=s, frac_a=0.2, eig_ratio=50.0, energy_t=0.5)
    assert not np.any(np.isnan(out))
    assert out[5] == math.inf and out[6] == 0.0
    assert out[1] == pytest.approx(out[0], rel=1e-12)
