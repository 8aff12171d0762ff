"""Twins of the ReLU kernel results (docs/background.md §10): Monte Carlo kernels and quadrature."""
from __future__ import annotations

import math

import numpy as np

from ftheory.twins._core import F, I, Reason, Twin, declare

MERCER = "ftheory.relu.mercer."
QUAD_RTOL = 1e-8   # adaptive quadrature at epsrel = 1e-11 (measured agreement <= 1e-10, tests/theory/test_relu.py)


def _pair(p, degree):
    """Neurons of norms norm_w, norm_v at cosine u in R^3 (the kernel depends on nothing else)."""
    u = p["u"]
    w = p.get("norm_w", 1.0) * np.array([1.0, 0.0, 0.0])
    v = p.get("norm_v", 1.0) * np.array([u, math.sqrt(max(0.0, 1 - u * u)), 0.0])
    return dict(w=w, v=v, degree=degree, samples=100_000)


def _quad(f, square=False):
    return lambda p: dict(f=f, d=p["d"], ell=p["ell"])


sphere = {"d": I(2, 30), "ell": I(0, 12)}

declare(
    Twin("relu_arccos_kernel", "ftheory.relu.kernel.sample_kernel", "relu(w.x) relu(v.x), x ~ N(0, I_3)",
         {"u": F(-1.0, 1.0), "norm_w": F(0.3, 2.0), "norm_v": F(0.3, 2.0)},
         args=lambda p: _pair(p, 1), example={"u": 0.3, "norm_w": 1.0, "norm_v": 1.5}),
    Twin("relu_step_kernel", "ftheory.relu.kernel.sample_kernel", "step(w.x) step(v.x), x ~ N(0, I_3)",
         {"u": F(-1.0, 1.0)}, args=lambda p: _pair(p, 0), example={"u": 0.3}),
    Twin("relu_gaussian_eigenvalue", MERCER + "sample_gaussian_eigenvalue",
         "|x|^2 kappa(x_hat.e) P_l(x_hat.e), x ~ N(0, I_d)", {"d": I(2, 12), "ell": I(0, 5)},
         args=lambda p: dict(d=p["d"], ell=p["ell"], samples=100_000), example={"d": 4, "ell": 2}),
    Twin("relu_funk_hecke", MERCER + "funk_hecke_quadrature", "Funk-Hecke integral of relu (quadrature)",
         sphere, args=_quad("relu"), random=False, rtol=QUAD_RTOL, example={"d": 5, "ell": 2}),
    Twin("step_funk_hecke", MERCER + "funk_hecke_quadrature", "Funk-Hecke integral of step (quadrature)",
         sphere, args=_quad("step"), random=False, rtol=QUAD_RTOL, example={"d": 5, "ell": 3}),
    Twin("relu_sphere_eigenvalue", MERCER + "funk_hecke_quadrature",
         "Funk-Hecke integral of the arc-cosine kernel kappa (quadrature)", {"d": I(2, 10), "ell": I(0, 12)},
         args=_quad("arccos"), random=False, rtol=QUAD_RTOL, example={"d": 3, "ell": 2}),
    Twin("step_sphere_eigenvalue", MERCER + "funk_hecke_quadrature",
         "Funk-Hecke integral of the degree-0 kernel kappa_0 (quadrature)", {"d": I(2, 10), "ell": I(0, 12)},
         args=_quad("arccos0"), random=False, rtol=QUAD_RTOL, example={"d": 3, "ell": 1}),
    Twin("relu_uniform_kernel_eigenvalue", MERCER + "funk_hecke_quadrature",
         "square of the Funk-Hecke integral of relu (quadrature): the eigenvalue of E_w relu relu",
         sphere, args=_quad("relu"), pick=lambda q: q * q, random=False, rtol=3 * QUAD_RTOL,
         example={"d": 5, "ell": 2}),
    Twin("relu_hermite_coefficient_sq", "ftheory.simulate.quadrature.hermite_coefficient",
         "square of E[relu(z) He_l(z)]/sqrt(l!), z ~ N(0, 1) (quadrature)", {"ell": I(0, 12)},
         args=lambda p: dict(f="relu", ell=p["ell"]), pick=lambda q: q * q, random=False, rtol=1e-10,
         example={"ell": 2}),
    Reason("sphere_harmonic_multiplicity", "a combinatorial count (dimension of the degree-l harmonics, "
                                           "docs/background.md §10.2), no random quantity; it equals the count "
                                           "of degree-l monomials less that of degree l - 2"),
)
