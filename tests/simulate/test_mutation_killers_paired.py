"""Closed-form paired simulators against an independent NumPy recomputation of their documented draws
(written against mutmut survivors). Draw order per instance (one child of SeedSequence(seed) each):
teachers, source data (if any), target data."""
import math

import numpy as np
import pytest
from scipy import optimize

from ftheory.simulate.data import gaussian_data, teachers
from ftheory.simulate.linear import simulate_linear_transfer_risk, simulate_ridge_risk
from ftheory.simulate.paired import (gradient_flow_scale, null_space_part, simulate_finetune_models,
                                     simulate_lt_finite_source_paired, simulate_tuned_vs_transfer)

RTOL = 1e-9


def _children(seed, instances):
    return [np.random.default_rng(c) for c in np.random.SeedSequence(seed).spawn(instances)]


def _gf_c(b_pre, null_pre, b_sc, depth):
    """c = w^{(L-1)/2}, w the positive root of w^L - A w^{L-1} - B (brentq, independent of ftheory.roots)."""
    r2 = b_pre @ b_pre
    A, B = null_pre @ null_pre / r2, b_sc @ b_sc / r2
    f = lambda w: w**depth - A * w ** (depth - 1) - B  # noqa: E731
    w = optimize.brentq(f, 1e-300, 1 + A + B, xtol=1e-15, rtol=1e-15)
    return w ** ((depth - 1) / 2)


@pytest.mark.parametrize("gamma_s,depth,norm_s", [(None, 2, 1.0), (None, 3, 1.8), (0.5, 2, 1.0)])
def test_finetune_models_are_the_documented_vectors(gamma_s, depth, norm_s):
    n, d, theta, sigma, sigma_s = 5, 12, 0.7, 0.3, 0.2
    res = simulate_finetune_models(n, d, theta, sigma, gamma_s=gamma_s, sigma_s=sigma_s, depth=depth,
                                   norm_s=norm_s, instances=3, seed=8)
    for i, rng in enumerate(_children(8, 3)):
        t = teachers(d, theta, norm_s=norm_s, seed=rng)
        if gamma_s is not None:
            Xs, ys = gaussian_data(t.beta_s, round(gamma_s * d), sigma=sigma_s, seed=rng)
            b_pre = np.linalg.pinv(Xs[0]) @ ys[0]
        else:
            b_pre = t.beta_s[0]
        X, y = gaussian_data(t.beta_t, n, sigma=sigma, seed=rng)
        X, y, bt = X[0], y[0], t.beta_t[0]
        pinv = np.linalg.pinv(X)
        b_sc = pinv @ y
        null = b_pre - pinv @ (X @ b_pre)
        c = _gf_c(b_pre, null, b_sc, depth)
        r_sc = np.sum((b_sc - bt) ** 2)
        assert res["T_paper"].samples[i] == pytest.approx(r_sc - np.sum((b_sc + null - bt) ** 2), rel=RTOL, abs=1e-12)
        assert res["T_gf"].samples[i] == pytest.approx(r_sc - np.sum((b_sc + c * null - bt) ** 2), rel=RTOL, abs=1e-12)
        assert res["c"].samples[i] == pytest.approx(c, rel=1e-10)
    assert res["c"].info == {"n": n, "d": d, "theta": theta, "sigma": sigma, "gamma_s": gamma_s, "sigma_s": sigma_s}


def test_finetune_models_need_n_below_d():
    with pytest.raises(ValueError, match=r"^n=6 is invalid with d=6: the null-space models need n < d"):
        simulate_finetune_models(6, 6, 0.3, 0.1, instances=2, seed=0)


def test_gradient_flow_scale_solves_its_quartic_and_null_space_part_is_orthogonal():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 4, 9))
    v = rng.standard_normal((2, 9))
    null = null_space_part(X, v)
    np.testing.assert_allclose(np.einsum("bnd,bd->bn", X, null), 0, atol=1e-12)
    np.testing.assert_allclose(null, v - np.stack([np.linalg.pinv(X[i]) @ (X[i] @ v[i]) for i in range(2)]),
                               rtol=1e-10, atol=1e-12)
    b_sc = rng.standard_normal((2, 9))
    for depth in (2, 3, 5):
        c = gradient_flow_scale(v, null, b_sc, depth)
        for i in range(2):
            assert c[i] == pytest.approx(_gf_c(v[i], null[i], b_sc[i], depth), rel=1e-10)
    c2 = gradient_flow_scale(v, null, b_sc)  # default depth 2: r^2 c^4 - a c^2 - b = 0
    r2, a, b = (np.sum(x * x, 1) for x in (v, null, b_sc))
    assert np.all(np.abs(r2 * c2**4 - a * c2**2 - b) <= 1e-12 * (r2 * c2**4 + a * c2**2 + b))


@pytest.mark.parametrize("theta,sigma_s", [(0.4, 0.0), (1.1, 0.5)])
def test_lt_finite_source_paired_is_the_documented_draws(theta, sigma_s):
    n, d, sigma, gamma_s = 8, 10, 0.2, 1.5
    res = simulate_lt_finite_source_paired(n, d, theta, sigma, gamma_s, sigma_s, instances=3, seed=5)
    n_s = round(gamma_s * d)
    for i, rng in enumerate(_children(5, 3)):
        t = teachers(d, theta, seed=rng)
        Xs, ys = gaussian_data(t.beta_s, n_s, sigma=sigma_s, seed=rng)
        X, y = gaussian_data(t.beta_t, n, sigma=sigma, seed=rng)
        X, y, bt = X[0], y[0], t.beta_t[0]
        bhat = np.linalg.pinv(Xs[0]) @ ys[0]
        z = X @ bhat
        r_lt = np.sum(((z @ y) / (z @ z) * bhat - bt) ** 2)
        r_sc = np.sum((np.linalg.pinv(X) @ y - bt) ** 2)
        assert res["sc"].samples[i] == pytest.approx(r_sc, rel=RTOL)
        assert res["lt"].samples[i] == pytest.approx(r_lt, rel=RTOL)
        assert res["T_lt"].samples[i] == pytest.approx(r_sc - r_lt, rel=RTOL, abs=1e-12)
        assert res["cos2_eff"].samples[i] == pytest.approx((bt @ bhat) ** 2 / (bhat @ bhat), rel=RTOL)
    assert res["lt"].info == {"n": n, "d": d, "theta": theta, "sigma": sigma, "gamma_s": gamma_s,
                              "sigma_s": sigma_s, "n_s": n_s}


def test_tuned_vs_transfer_is_the_difference_of_two_independent_children():
    n, d, theta, sigma, lam = 6, 9, 0.5, 0.3, 0.1
    est = simulate_tuned_vs_transfer(n, d, theta, sigma, lam, norm_t=1.4, instances=4, seed=3)
    s1, s2 = np.random.SeedSequence(3).spawn(2)
    ridge = simulate_ridge_risk(n, d, sigma, lam, norm_t=1.4, instances=4, seed=s1)
    lt = simulate_linear_transfer_risk(n, d, theta, sigma, norm_t=1.4, instances=4, seed=s2)
    np.testing.assert_array_equal(est.samples, ridge.samples - lt.samples)
    assert est.info == {"n": n, "d": d, "lam": lam}
    assert np.all(lt.samples > 0) and not np.allclose(ridge.samples, lt.samples)
