"""Registered ReLU results (topic "relu", THEORY.md §10.2): arc-cosine kernels, Hermite coefficients,
Funk-Hecke / Mercer eigenvalues on the sphere and for Gaussian inputs.

Independent checks: Monte Carlo over Gaussian inputs (z-scores from the standard error), adaptive
quadrature (scipy) of the Funk-Hecke integrals, the Mercer expansion summed back to the kernel with a
rigorous tail bound, and exact values.
"""
import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, special

import ftheory
from ftheory.params import PARAMS
from ftheory.relu.kernel import arccos_kernel, arccos_kernel0, sample_kernel
from ftheory.relu.mercer import funk_hecke_quadrature, legendre_sphere, sample_gaussian_eigenvalue

Z_MAX = 4.5

kernel = ftheory.get("relu_arccos_kernel")
kernel0 = ftheory.get("relu_step_kernel")
hermite = ftheory.get("relu_hermite_coefficient_sq")
fh = ftheory.get("relu_funk_hecke")
fh_step = ftheory.get("step_funk_hecke")
mu = ftheory.get("relu_sphere_eigenvalue")
mu_step = ftheory.get("step_sphere_eigenvalue")
mu_unif = ftheory.get("relu_uniform_kernel_eigenvalue")
mu_gauss = ftheory.get("relu_gaussian_eigenvalue")
mult = ftheory.get("sphere_harmonic_multiplicity")


def test_topic_and_metadata():
    names = {r.name for r in ftheory.results("relu")}
    assert {"relu_arccos_kernel", "relu_step_kernel", "relu_hermite_coefficient_sq", "relu_funk_hecke",
            "step_funk_hecke", "relu_sphere_eigenvalue", "step_sphere_eigenvalue", "relu_uniform_kernel_eigenvalue",
            "relu_gaussian_eigenvalue", "sphere_harmonic_multiplicity"} <= names
    assert kernel.status == "PAPER" and kernel.defaults == {"norm_w": 1.0, "norm_v": 1.0}
    for r in ftheory.results("relu"):
        assert r.reference.startswith("docs/background.md §10.2")


# -- kernels ------------------------------------------------------------------------------------

def test_kernel_singular_points_exact_and_warning_free():
    u = np.array([-1.0, 0.0, 1.0])
    np.testing.assert_allclose(kernel(u=u), [0.0, 1 / (2 * np.pi), 0.5], rtol=1e-15, atol=1e-17)
    np.testing.assert_allclose(kernel0(u=u), [0.0, 0.25, 0.5], rtol=1e-15, atol=1e-17)
    assert kernel.mp(dps=30, u=-1) == 0 and kernel.mp(dps=30, u=1) == 0.5
    assert kernel(u=0.3, norm_w=0.0) == 0.0
    assert kernel.limit("u", 1, "-", norm_w=1, norm_v=1) == sp.Rational(1, 2)
    with pytest.raises(ValueError, match="u="):
        kernel(u=1.01)


@given(st.floats(-1, 1), st.floats(0, 3), st.floats(0, 3))
def test_registered_kernel_equals_numeric_module(u, a, b):
    assert float(kernel(u=u, norm_w=a, norm_v=b)) == pytest.approx(a * b * arccos_kernel(u), rel=1e-12, abs=1e-15)
    assert float(kernel0(u=u)) == pytest.approx(arccos_kernel0(u), rel=1e-13, abs=1e-16)


@pytest.mark.parametrize("d,cos,nw,nv", [(4, 0.3, 1.0, 1.0), (20, -0.4, 2.0, 0.7), (80, 0.8, 0.6, 1.5)])
def test_registered_kernels_against_monte_carlo(d, cos, nw, nv):
    rng = np.random.default_rng(d)
    e1, e2 = np.linalg.qr(rng.standard_normal((d, 2)))[0].T
    w, v = nw * e1, nv * (cos * e1 + math.sqrt(1 - cos ** 2) * e2)
    z1 = sample_kernel(w, v, samples=200_000, seed=d + 1).zscore(float(kernel(u=cos, norm_w=nw, norm_v=nv)))
    z0 = sample_kernel(w, v, degree=0, samples=200_000, seed=d + 2).zscore(float(kernel0(u=cos)))
    assert abs(z1) < Z_MAX and abs(z0) < Z_MAX


# -- Hermite coefficients (Mehler) ------------------------------------------------------------------

def _hermite_quadrature(ell):
    """E[relu(g) He_l(g)]^2 / l! by quadrature (independent of the closed form)."""
    f = lambda g: g * special.eval_hermitenorm(ell, g) * math.exp(-g * g / 2) / math.sqrt(2 * math.pi)
    # full_output: QUADPACK reports (instead of warning about) round-off when the exact value is 0
    val = integrate.quad(f, 0, np.inf, epsabs=1e-15, epsrel=1e-12, limit=200, full_output=1)[0]
    return val ** 2 / math.factorial(ell)


@pytest.mark.parametrize("ell", range(0, 21))
def test_hermite_coefficients_against_quadrature(ell):
    exact = float(hermite(ell=ell))
    assert _hermite_quadrature(ell) == pytest.approx(exact, rel=1e-8, abs=1e-14)


def test_hermite_series_is_the_kernel():
    ells = np.arange(0, 4001)
    coeffs = hermite(ell=ells)
    assert coeffs.sum() == pytest.approx(0.5, abs=2e-5)  # tail ~ l^{-3/2}
    for u in (-0.9, -0.3, 0.2, 0.7):
        assert np.sum(coeffs * u ** ells) == pytest.approx(arccos_kernel(u), abs=1e-12)
    np.testing.assert_allclose(coeffs[:7], [1 / (2 * np.pi), 0.25, 1 / (4 * np.pi), 0, 1 / (48 * np.pi), 0,
                                            1 / (160 * np.pi)], rtol=1e-14, atol=0)


# -- Funk-Hecke coefficients and Mercer eigenvalues ----------------------------------------------

@pytest.mark.parametrize("d,top", [(2, 20), (3, 20), (5, 20), (10, 20), (30, 20), (100, 20), (300, 20), (1000, 16)])
def test_funk_hecke_against_quadrature(d, top):
    """relu's and step's coefficients vs adaptive quadrature, degrees 0..20 (measured relative agreement
    <= 1e-13; at d = 1000 the quadrature's absolute floor ~1e-22 limits the check to l <= 16)."""
    ells = np.arange(top + 1)
    q_relu = np.array([funk_hecke_quadrature("relu", d, int(j)) for j in ells])
    q_step = np.array([funk_hecke_quadrature("step", d, int(j)) for j in ells])
    for q, exact in ((q_relu, fh(d=d, ell=ells)), (q_step, fh_step(d=d, ell=ells))):
        zero = exact == 0
        np.testing.assert_allclose(q[~zero], exact[~zero], rtol=1e-10, atol=0)
        assert np.all(np.abs(q[zero]) < 1e-15)
    assert np.all(fh(d=d, ell=ells[3::2]) == 0) and np.all(fh_step(d=d, ell=ells[2::2]) == 0)


@pytest.mark.parametrize("d", [2, 3, 4, 5, 10])
def test_sphere_eigenvalues_are_the_funk_hecke_integrals_of_the_kernels(d):
    """mu_l = d lambda_l^2 (arc-cosine kernel) and lambda_l(step)^2 (degree-0 kernel), by quadrature of
    the kernels themselves - the relation between the neuron-pair kernel and the uniform-neuron kernel."""
    ells = np.arange(21)
    q = np.array([funk_hecke_quadrature("arccos", d, int(j)) for j in ells])
    q0 = np.array([funk_hecke_quadrature("arccos0", d, int(j)) for j in ells])
    for got, exact in ((q, mu(d=d, ell=ells)), (q0, mu_step(d=d, ell=ells))):
        zero = exact == 0
        np.testing.assert_allclose(got[~zero], exact[~zero], rtol=1e-8, atol=0)
        assert np.all(np.abs(got[zero]) < 1e-13)
    np.testing.assert_allclose(mu(d=d, ell=ells), d * fh(d=d, ell=ells) ** 2, rtol=1e-14)
    np.testing.assert_allclose(mu_unif(d=d, ell=ells), fh(d=d, ell=ells) ** 2, rtol=1e-14)
    np.testing.assert_allclose(mu_gauss(d=d, ell=ells), d * mu(d=d, ell=ells), rtol=1e-14)


@pytest.mark.parametrize("d", [30, 100])
def test_sphere_eigenvalues_high_dimension_absolute(d):
    """At large d the kernel's Funk-Hecke integral cancels to many digits: compare absolutely."""
    ells = np.arange(13)
    q = np.array([funk_hecke_quadrature("arccos", d, int(j)) for j in ells])
    np.testing.assert_allclose(q, mu(d=d, ell=ells), rtol=0, atol=1e-13)


def test_exact_values():
    expr = mu.expr
    d, ell = PARAMS["d"].symbol, PARAMS["ell"].symbol
    assert [expr.subs({d: 3, ell: j}) for j in range(7)] == [sp.Rational(3, 16), sp.Rational(1, 12),
                                                            sp.Rational(3, 256), 0, sp.Rational(1, 3072), 0,
                                                            sp.Rational(3, 65536)]
    assert fh.expr.subs({d: 2, ell: 2}) == 1 / (3 * sp.pi)
    assert fh.expr.subs({d: 4, ell: 0}) == 2 / (3 * sp.pi)


@pytest.mark.parametrize("d", [2, 3, 4, 5, 10, 100])
def test_multiplicities(d):
    ells = np.arange(0, 30)
    counts = [math.comb(j + d - 1, d - 1) - (math.comb(j + d - 3, d - 1) if j >= 2 else 0) for j in ells]
    np.testing.assert_allclose(mult(d=d, ell=ells), np.array(counts, dtype=float), rtol=1e-12)


def test_multiplicity_d1_and_large_arguments_without_warnings():
    np.testing.assert_array_equal(mult(d=1, ell=[0, 1, 2, 5]), [1, 1, 0, 0])
    assert np.isfinite(mult(d=1000, ell=50)) and np.isfinite(mu(d=5000, ell=200))


@pytest.mark.parametrize("d,top", [(2, 3000), (3, 2000), (5, 600), (10, 200)])
def test_mercer_expansion_sums_back_to_the_kernel(d, top):
    """kappa(t) = sum_l mu_l N(d, l) P_l(t); since |P_l| <= 1 and mu_l >= 0 the truncation error is at
    most the tail mass 1/2 - sum_{l <= top} mu_l N(d, l), which must itself be small."""
    ells = np.arange(top + 1)
    weights = mu(d=d, ell=ells) * mult(d=d, ell=ells)
    tail = 0.5 - weights.sum()
    assert 0 <= tail < 1e-6
    t = np.linspace(-1, 1, 41)
    partial = sum(w * legendre_sphere(int(j), d, t) for j, w in zip(ells, weights) if w > 0)
    assert np.max(np.abs(partial - arccos_kernel(t))) <= tail + 1e-12
    # degree-0 kernel: slower (kink of arcsin at +-1), same rigorous bound
    w0 = mu_step(d=d, ell=ells) * mult(d=d, ell=ells)
    tail0 = 0.5 - w0.sum()
    partial0 = sum(w * legendre_sphere(int(j), d, t) for j, w in zip(ells, w0) if w > 0)
    assert 0 <= tail0 < 2e-3 and np.max(np.abs(partial0 - arccos_kernel0(t))) <= tail0 + 1e-12


@pytest.mark.parametrize("d,ell", [(4, 0), (4, 1), (4, 2), (4, 3), (4, 4), (10, 2), (30, 1)])
def test_gaussian_eigenvalues_against_monte_carlo(d, ell):
    mc = sample_gaussian_eigenvalue(d, ell, samples=200_000, seed=100 * d + ell)
    exact = float(mu_gauss(d=d, ell=ell))
    if exact == 0:
        assert abs(mc.mean) < Z_MAX * mc.sem
    else:
        assert abs(mc.zscore(exact)) < Z_MAX


def test_gaussian_trace_is_expected_kernel_diagonal():
    """E_x K(x, x) = E|x|^2 / 2 = d/2 = sum_l N(d, l) d mu_l."""
    for d in (3, 7):
        ells = np.arange(3000)
        assert np.sum(mult(d=d, ell=ells) * mu_gauss(d=d, ell=ells)) == pytest.approx(d / 2, rel=1e-6)


@given(st.integers(2, 400), st.integers(0, 200))
def test_eigenvalues_nonnegative_and_bounded(d, ell):
    m, n = float(mu(d=d, ell=ell)), float(mult(d=d, ell=ell))
    assert m >= 0 and float(mu_step(d=d, ell=ell)) >= 0
    assert m * n <= 0.5 + 1e-12
    if ell % 2 == 1 and ell >= 3:
        assert m == 0.0
    if ell % 2 == 0 and ell >= 2:
        assert float(mu_step(d=d, ell=ell)) == 0.0
