"""Numerical twins of the Mercer decomposition of the ReLU kernels (docs/background.md §10.2 route 3).

Independent of the closed forms registered in :mod:`ftheory.theory.relu` (``relu_funk_hecke``,
``relu_sphere_eigenvalue``, ``relu_gaussian_eigenvalue`` ...), these compute the same numbers by

* :func:`funk_hecke_quadrature` - adaptive quadrature (``scipy.integrate.quad`` with the algebraic
  end-point weight ``(1 - t^2)^{(d-3)/2}`` handled by QAWS) of the Funk-Hecke integral
  ``c_d int_{-1}^{1} f(t) P_l^{(d)}(t) (1 - t^2)^{(d-3)/2} dt``;
* :func:`sample_gaussian_eigenvalue` - Monte Carlo over ``x ~ N(0, I_d)`` of the eigen-equation of
  ``K(x, x') = |x||x'| kappa(x_hat.x_hat')`` applied to the degree-``l`` zonal function
  ``phi(x) = |x| P_l^{(d)}(x_hat.e)``.

:func:`legendre_sphere` evaluates ``P_l^{(d)}`` (normalised Gegenbauer, ``P_l^{(d)}(1) = 1``).
"""
from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import integrate, special

from ftheory._checks import check_int
from ftheory.relu.kernel import arccos_kernel, arccos_kernel0
from ftheory.simulate._random import as_generator
from ftheory.simulate.estimate import MCEstimate

__all__ = ["legendre_sphere", "funk_hecke_quadrature", "sample_gaussian_eigenvalue"]

_NAMED = ("relu", "step", "arccos", "arccos0")


def legendre_sphere(ell: int, d: int, t):
    """Legendre polynomial of dimension ``d``: ``P_l^{(d)}(t) = C_l^{((d-2)/2)}(t) / C_l^{((d-2)/2)}(1)``.

    Chebyshev ``T_l`` for ``d = 2``; ``P_l^{(3)}`` is the ordinary Legendre polynomial.

    Parameters
    ----------
    ell : int >= 0
        Degree.
    d : int >= 2
        Dimension of the ambient space (sphere ``S^{d-1}``).
    t : float or array_like
        Points in ``[-1, 1]``.
    """
    ell = check_int("ell", ell, 0)
    d = check_int("d", d, 2)
    t = np.asarray(t, dtype=float)
    if d == 2:
        return special.eval_chebyt(ell, t)
    alpha = (d - 2) / 2.0
    return special.eval_gegenbauer(ell, alpha, t) / special.eval_gegenbauer(ell, alpha, 1.0)


def _density_constant(d: int) -> float:
    """``Gamma(d/2) / (sqrt(pi) Gamma((d-1)/2))``: density constant of ``t = w.x`` on ``S^{d-1}``
    (the float twin of the symbolic ``ftheory.theory.relu.funk_hecke_constant``)."""
    return math.exp(math.lgamma(d / 2) - math.lgamma((d - 1) / 2)) / math.sqrt(math.pi)


def funk_hecke_quadrature(f, d: int, ell: int, *, epsrel: float = 1e-11, limit: int = 400) -> float:
    """Funk-Hecke coefficient ``lambda_l(f)`` on ``S^{d-1}`` by adaptive quadrature.

    Parameters
    ----------
    f : {"relu", "step", "arccos", "arccos0"} or callable
        The zonal function ``f(t)``, ``t in [-1, 1]``: ``max(t, 0)``, ``1{t > 0}``, the unit arc-cosine
        kernel ``kappa(t)`` or ``kappa_0(t)``, or any scalar callable (integrated on ``[-1, 0]`` and
        ``[0, 1]`` separately, so a kink at 0 is harmless).
    d : int >= 2
        Ambient dimension.
    ell : int >= 0
        Degree.
    epsrel : float
        Relative tolerance passed to ``scipy.integrate.quad`` (absolute tolerance 0).
    limit : int
        Maximum number of subintervals.

    Returns
    -------
    float
        ``c_d int_{-1}^{1} f(t) P_l^{(d)}(t) (1 - t^2)^{(d-3)/2} dt`` (uniform probability measure).
        For ``f = "arccos"`` this is the Mercer eigenvalue ``mu_l`` of ``kappa(x.x')`` on the sphere.

    Notes
    -----
    The end-point singularity ``(1 -+ t)^{(d-3)/2}`` (``d = 2``) is integrated exactly by QUADPACK's
    QAWS rule; the other factor ``(1 +- t)^{(d-3)/2}`` stays in the integrand. For large ``d`` and
    ``l`` the coefficient is many orders of magnitude below the integrand (cancellation), and the
    relative accuracy degrades accordingly (see tests/relu/test_kernel_projection.py for measured
    agreement).
    """
    d = check_int("d", d, 2)
    ell = check_int("ell", ell, 0)
    if isinstance(f, str):
        if f not in _NAMED:
            raise ValueError(f"f={f!r} is invalid: expected one of {_NAMED} or a callable")
        func = {"relu": lambda t: t if t > 0 else 0.0, "step": lambda t: 1.0 if t > 0 else 0.0,
                "arccos": lambda t: arccos_kernel(t), "arccos0": lambda t: arccos_kernel0(t)}[f]
        halves = ("right",) if f in ("relu", "step") else ("left", "right")
    elif callable(f):
        func, halves = f, ("left", "right")
    else:
        raise ValueError(f"f={f!r} is invalid: expected one of {_NAMED} or a callable")
    beta = (d - 3) / 2.0
    alpha = (d - 2) / 2.0
    norm = 1.0 if d == 2 else special.eval_gegenbauer(ell, alpha, 1.0)

    def poly(t):
        return float(special.eval_chebyt(ell, t)) if d == 2 else float(special.eval_gegenbauer(ell, alpha, t)) / norm

    total = 0.0
    with warnings.catch_warnings():
        # QUADPACK flags round-off when the coefficient is far below the integrand (odd degrees whose
        # exact value is 0, high degrees); the returned value is still the best estimate.
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        total = _halves(func, poly, halves, beta, epsrel, limit)
    return _density_constant(d) * total


def _halves(func, poly, halves, beta, epsrel, limit):
    total = 0.0
    if "right" in halves:  # [0, 1], weight (1 - t)^beta exact, (1 + t)^beta in the integrand
        val, _ = integrate.quad(lambda t: func(t) * poly(t) * (1.0 + t) ** beta, 0.0, 1.0, weight="alg",
                                wvar=(0.0, beta), epsabs=0.0, epsrel=epsrel, limit=limit)
        total += val
    if "left" in halves:  # [-1, 0], weight (1 + t)^beta exact
        val, _ = integrate.quad(lambda t: func(t) * poly(t) * (1.0 - t) ** beta, -1.0, 0.0, weight="alg",
                                wvar=(beta, 0.0), epsabs=0.0, epsrel=epsrel, limit=limit)
        total += val
    return total


def sample_gaussian_eigenvalue(d: int, ell: int, *, samples: int = 200_000, seed=None,
                               chunk: int = 50_000) -> MCEstimate:
    """Monte Carlo estimate of the eigenvalue of the Gaussian-input ReLU kernel on degree ``l``.

    The kernel ``K(x, x') = E_{w ~ N(0, I_d)}[relu(w.x) relu(w.x')] = |x||x'| kappa(x_hat.x_hat')``
    acts on ``L^2(N(0, I_d))``. For the degree-``l`` function ``phi(x) = |x| P_l^{(d)}(x_hat.e)`` the
    eigen-equation ``E_x[K(x, x') phi(x)] = eig_l phi(x')`` at ``x' = e`` (unit; ``phi(e) = 1``) gives

        eig_l = E_x[K(x, e) phi(x)] = E_x[|x|^2 kappa(x_hat.e) P_l^{(d)}(x_hat.e)],

    estimated here from ``samples`` independent ``x ~ N(0, I_d)`` (kernel values from
    :func:`ftheory.relu.kernel.gram`). Compare with ``relu_gaussian_eigenvalue(d, ell)``.

    Parameters
    ----------
    d : int >= 2
    ell : int >= 0
    samples : int >= 2
    seed : int, numpy.random.Generator, SeedSequence or None
    chunk : int >= 1
        Samples drawn per batch (memory ``chunk * d`` floats).

    Returns
    -------
    MCEstimate
        One sample per draw of ``x``.
    """
    from ftheory.relu.kernel import gram

    d = check_int("d", d, 2)
    ell = check_int("ell", ell, 0)
    samples = check_int("samples", samples, 2)
    chunk = check_int("chunk", chunk, 1)
    rng = as_generator(seed)
    e = np.zeros((1, d))
    e[0, 0] = 1.0
    out = np.empty(samples)
    done = 0
    while done < samples:
        m = min(chunk, samples - done)
        X = rng.standard_normal((m, d))
        r = np.linalg.norm(X, axis=1)
        cos = np.clip(X[:, 0] / r, -1.0, 1.0)
        out[done:done + m] = gram(X, e)[:, 0] * r * legendre_sphere(ell, d, cos)
        done += m
    return MCEstimate(out, info={"d": d, "ell": ell, "samples": samples})
