"""Spectra and teachers for structured input covariance, and the validation of user input.

Coordinates are those of Sigma's eigenbasis: a spectrum is the vector of eigenvalues
``lambda_1 .. lambda_d`` and a teacher the vector of its coefficients in that basis. The toolkit's
convention (docs/background.md §0.3) normalises spectra to trace ``d``, so that ``Sigma = I`` is the
isotropic case; the constructors here return normalised spectra. The risk functions of
:mod:`ftheory.aniso` accept any positive scale (see their docstrings).
"""
from __future__ import annotations

import math
import numpy as np

from ftheory._checks import check_int, check_real

__all__ = ["check_spectrum", "check_teacher", "check_samples", "check_sigma", "check_lam", "eigenbasis",
           "normalise_spectrum", "power_law_spectrum", "two_level_spectrum", "power_law_teacher", "window_pair"]


def _reject_complex(value, name):
    if np.iscomplexobj(value):
        raise ValueError(f"{name} is complex: expected real numbers (the imaginary part is not dropped silently)")


def check_spectrum(eigenvalues, name: str = "eigenvalues") -> np.ndarray:
    """Return ``eigenvalues`` as a float64 vector; ``ValueError`` naming it unless it is a non-empty
    one-dimensional array of finite numbers ``>= 0`` with a positive sum."""
    _reject_complex(eigenvalues, name)
    try:
        lam = np.asarray(eigenvalues, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={eigenvalues!r} is invalid: expected a one-dimensional array of "
                         "non-negative numbers") from None
    if lam.ndim != 1 or lam.size == 0:
        raise ValueError(f"{name} has shape {lam.shape}: expected a non-empty one-dimensional array "
                         "(the eigenvalues of Sigma)")
    bad = ~np.isfinite(lam) | (lam < 0)
    if np.any(bad):
        i = int(np.argmax(bad))
        raise ValueError(f"{name}[{i}]={float(lam[i])!r} is out of its domain [0, inf) (eigenvalues of a "
                         "covariance matrix are finite and non-negative)")
    if not lam.sum() > 0:
        raise ValueError(f"{name} has trace 0: expected at least one positive eigenvalue")
    return lam


def check_teacher(beta, d: int, name: str) -> np.ndarray:
    """Return ``beta`` as a float64 array of shape ``(..., d)`` with finite entries, else ``ValueError``."""
    _reject_complex(beta, name)
    try:
        b = np.asarray(beta, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={beta!r} is invalid: expected an array of {d} real numbers") from None
    if b.ndim == 0 or b.shape[-1] != d:
        raise ValueError(f"{name} has shape {b.shape}: expected (..., {d}), one coefficient per "
                         f"eigenvalue (d = {d})")
    if not np.all(np.isfinite(b)):
        raise ValueError(f"{name} contains a non-finite entry: expected real numbers")
    return b


def check_samples(n, name: str = "n") -> np.ndarray:
    """Return ``n`` as an int64 array (any shape) of integers ``>= 1``, else ``ValueError`` naming it."""
    if isinstance(n, bool):
        raise ValueError(f"{name}={n!r} is invalid: expected an integer >= 1 (number of target samples)")
    _reject_complex(n, name)
    try:
        arr = np.asarray(n, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={n!r} is invalid: expected an integer >= 1 (number of target samples)") from None
    ok = np.isfinite(arr) & (arr >= 1)
    ok &= np.floor(np.where(ok, arr, 1.0)) == np.where(ok, arr, 1.0)
    if arr.size == 0 or not np.all(ok):
        shown = n if arr.ndim == 0 or arr.size == 0 else arr[~ok].ravel()[0].item()
        if isinstance(shown, float) and shown.is_integer():
            shown = int(shown)
        raise ValueError(f"{name}={shown!r} is invalid: expected an integer >= 1 (number of target samples)")
    return arr.astype(np.int64)


def _check_nonneg(value, name, what):
    _reject_complex(value, name)
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={value!r} is not a number; expected a value in [0, inf) ({what})") from None
    ok = np.isfinite(arr) & (arr >= 0)
    if not np.all(ok):
        shown = value if arr.ndim == 0 else arr[~ok].ravel()[0].item()
        raise ValueError(f"{name}={shown!r} is out of its domain [0, inf) ({what})")
    return arr


def check_sigma(sigma) -> np.ndarray:
    """Label-noise standard deviation(s) ``>= 0`` as a float array."""
    return _check_nonneg(sigma, "sigma", "target label-noise standard deviation")


def check_lam(lam) -> np.ndarray:
    """Ridge penalty(ies) ``>= 0`` as a float array."""
    return _check_nonneg(lam, "lam", "ridge penalty in (1/n)|y - X b|^2 + lam |b|^2")


def eigenbasis(covariance, *teachers):
    """``(eigenvalues, [teacher coefficients])`` of a covariance matrix: its eigenvalues in decreasing order and
    each teacher (a length-``d`` vector in the matrix's coordinates) written in its eigenbasis, ``U^T beta``.

    ``covariance`` must be a real, finite, symmetric ``d x d`` matrix (to ``1e-8`` relative) that is positive
    semi-definite: eigenvalues below ``d 1e-14 max|lambda|`` in size (rounding, e.g. of a rank-deficient
    sample covariance) become 0, a more negative one is a ``ValueError`` naming it. Eigenvalues are not rescaled.
    """
    _reject_complex(covariance, "covariance")
    try:
        c = np.asarray(covariance, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"covariance={covariance!r} is invalid: expected a d x d matrix of real numbers") from None
    if c.ndim != 2 or c.shape[0] != c.shape[1] or c.size == 0:
        raise ValueError(f"covariance has shape {c.shape}: expected a square d x d matrix")
    if not np.all(np.isfinite(c)):
        raise ValueError("covariance contains a non-finite entry: expected real numbers")
    asym = np.abs(c - c.T)
    scale = np.abs(c).max()
    if asym.max() > 1e-8 * scale:
        i, j = np.unravel_index(int(np.argmax(asym)), c.shape)
        raise ValueError(f"covariance is not symmetric: entry [{i}, {j}] = {c[i, j]!r} but [{j}, {i}] = {c[j, i]!r}")
    w, U = np.linalg.eigh((c + c.T) / 2)
    w, U = w[::-1], U[:, ::-1]
    tol = c.shape[0] * 1e-14 * max(np.abs(w).max(), 0.0)
    if w[-1] < -tol:
        raise ValueError(f"covariance is not positive semi-definite: its smallest eigenvalue is {w[-1]:.4g} "
                         f"(largest {w[0]:.4g}); a covariance matrix has eigenvalues >= 0")
    w = np.where(w < tol, 0.0, w)
    check_spectrum(w)
    return w, [U.T @ check_teacher(b, c.shape[0], f"beta_{k}") for k, b in enumerate(teachers)]


def normalise_spectrum(eigenvalues) -> np.ndarray:
    """``eigenvalues * d / sum(eigenvalues)``: the same shape of spectrum with trace ``d``."""
    lam = check_spectrum(eigenvalues)
    return lam * (lam.size / lam.sum())


def power_law_spectrum(d, alpha) -> np.ndarray:
    """``lambda_k proportional to k^(-alpha)``, ``k = 1..d``, normalised to trace ``d`` (``alpha = 0``: identity)."""
    d = check_int("d", d, 1)
    alpha = check_real("alpha", alpha, 0.0, domain="[0, inf)", allow_bool=True)
    lam = np.arange(1, d + 1, dtype=float) ** (-alpha)
    return lam * (d / lam.sum())


def two_level_spectrum(d, frac_a, eig_ratio) -> tuple[np.ndarray, int]:
    """A two-level spectrum: ``m = round(frac_a d)`` eigenvalues ``a``, the other ``d - m`` equal to ``b``,
    ``a / b = eig_ratio`` and trace ``d``. Returns ``(eigenvalues, m)``; the block ``a`` comes first."""
    d = check_int("d", d, 2)
    frac_a = check_real("frac_a", frac_a, 0.0, 1.0, low_open=True, high_open=True, allow_bool=True)
    eig_ratio = check_real("eig_ratio", eig_ratio, 0.0, low_open=True, domain="(0, inf)")
    m = int(round(frac_a * d))
    if not 1 <= m <= d - 1:
        raise ValueError(f"frac_a={frac_a!r} is invalid for d={d}: round(frac_a d) = {m} must be in [1, d - 1]")
    rho = m / d
    b = 1.0 / (rho * eig_ratio + 1.0 - rho)
    lam = np.full(d, b)
    lam[:m] = eig_ratio * b
    return lam, m


def power_law_teacher(d, exponent, *, norm=1.0) -> np.ndarray:
    """Teacher coefficients ``beta_k proportional to k^(-exponent/2)`` (so ``beta_k^2 ~ k^-exponent``)
    with Euclidean norm ``norm``."""
    d = check_int("d", d, 1)
    exponent = check_real("exponent", exponent, -math.inf, domain="(-inf, inf)", allow_bool=True)
    norm = check_real("norm", norm, 0.0, domain="[0, inf)", allow_bool=True)
    b = np.arange(1, d + 1, dtype=float) ** (-exponent / 2)
    return norm * b / np.linalg.norm(b)



def window_pair(eigenvalues, position, *, width=0.1, eps=0.6, target_exp=1.0):
    """A teacher pair whose difference ``beta_t - beta_s`` lives in one window of the spectrum.

    ``beta_t`` = :func:`power_law_teacher` (unit norm); ``beta_t - beta_s = delta`` has Euclidean norm
    ``eps`` and alternating signs on the ``w = max(1, round(width d))`` consecutive eigen-directions
    starting at index ``round(position (d - w))`` (``position`` in [0, 1]: 0 = largest eigenvalues, 1 =
    smallest). The Euclidean distance is the same for every position. Returns ``(beta_s, beta_t)``.
    """
    ev = check_spectrum(eigenvalues)
    d = ev.size
    position = check_real("position", position, 0.0, 1.0, allow_bool=True)
    width = check_real("width", width, 0.0, 1.0, low_open=True, allow_bool=True)
    eps = check_real("eps", eps, 0.0, allow_bool=True)
    bt = power_law_teacher(d, target_exp)
    w = max(1, int(round(width * d)))
    start = int(round(position * (d - w)))
    delta = np.zeros(d)
    delta[start:start + w] = (-1.0) ** np.arange(w)
    delta *= eps / np.linalg.norm(delta)
    return bt - delta, bt
