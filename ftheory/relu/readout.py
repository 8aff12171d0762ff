"""Kernel-regression estimate of the linear-transfer risk on frozen ReLU features [EXT, toolkit's own].

docs/background.md §10.4 leaves the estimation term ``C(n)`` open and §13 item 1 asks for it. Linear transfer
refits the read-out of frozen features ``phi_i(x) = relu(w_i . x)`` by minimum-norm least squares on
``n`` samples. Its risk depends on the features only through their population second moments, all
available exactly from the arc-cosine kernel (:func:`ftheory.relu.kernel.gram`):

* ``Sigma = E[phi phi^T] = gram(W)`` with eigenvalues ``lambda_i`` (those above ``rcond * lambda_max``
  are kept: ``r`` of them),
* the target splits as ``f_t = theta . phi + f_perp`` with ``||theta . phi||^2 = sum_i s_i``,
  ``s_i = lambda_i theta_i^2`` in the eigenbasis, and ``rho = ||f_perp||^2 = ||P^perp f_t||^2``
  (§10.3), which acts as label noise of variance ``rho`` for the regression.

The estimate is the deterministic equivalent of ridgeless regression (Hastie, Montanari, Rosset,
Tibshirani 2022; Bach 2024), exact for Gaussian features in the proportional limit and used here as
an approximation for ReLU features (non-Gaussian, with a large constant mode):

* ``n < r``: the effective regularisation ``kappa > 0`` solves ``sum_i lambda_i / (lambda_i + kappa) = n``;
  with ``df2 = sum_i lambda_i^2 / (lambda_i + kappa)^2``,

      R = rho + [kappa^2 sum_i s_i / (lambda_i + kappa)^2 + (sigma^2 + rho) df2 / n] / (1 - df2 / n);

* ``n > r``: ``kappa = 0``, ``R = rho + (sigma^2 + rho) r / (n - r)``; ``n = r`` gives ``inf``.

For isotropic features (``Sigma = I_k``) this reduces to the rank-``k`` result of §4.5
(``linear_transfer_risk_rank_k``) up to ``k/(n-k-1) -> k/(n-k)`` and ``n/(k-n-1) -> n/(k-n)``, i.e. to
its proportional limit. Unlike the rank-``k`` heuristic it uses the actual spectrum of the learned
features, which matters below the interpolation threshold ``n < r``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from ftheory.relu.kernel import gram

__all__ = ["ReadoutSpectrum", "readout_spectrum", "readout_risk_estimate"]


@dataclass(frozen=True)
class ReadoutSpectrum:
    """Second-moment data of frozen features and a target (module docstring).

    Attributes
    ----------
    eigenvalues : ndarray (r,)
        Kept eigenvalues ``lambda_i`` of ``Sigma = gram(W)``, descending.
    signal : ndarray (r,)
        ``s_i = lambda_i theta_i^2``: the target's power along each eigenfunction.
    outside_sq : float
        ``rho = ||P^perp f_t||^2``.
    norm_sq : float
        ``||f_t||^2``.
    """

    eigenvalues: np.ndarray
    signal: np.ndarray
    outside_sq: float
    norm_sq: float

    @property
    def rank(self) -> int:
        """Number ``r`` of kept eigenvalues (the rank of the feature second moment after the cut-off)."""
        return int(self.eigenvalues.size)


def readout_spectrum(W, W_t, c_t, rcond=1e-12) -> ReadoutSpectrum:
    """Spectrum of the frozen features ``relu(W x)`` and the target ``(1/m*) sum_j c_j relu(W_t[j] . x)``.

    Parameters
    ----------
    W : array_like (m, d)
        Frozen first layer (any norms).
    W_t : array_like (m*, d)
    c_t : array_like (m*,)
    rcond : float in [0, 1)
        Relative eigenvalue cut-off of ``Sigma``.
    """
    W = np.asarray(W, dtype=float)
    W_t = np.asarray(W_t, dtype=float)
    c = np.asarray(c_t, dtype=float)
    if W.ndim != 2 or W_t.ndim != 2 or W.shape[1] != W_t.shape[1] or c.shape != W_t.shape[:1]:
        raise ValueError(f"W {W.shape}, W_t {W_t.shape}, c_t {c.shape}: expected (m, d), (m*, d), (m*,)")
    if not (0.0 <= float(rcond) < 1.0):
        raise ValueError(f"rcond={rcond!r} is out of its domain [0, 1)")
    ms = c.size
    lam, U = np.linalg.eigh(gram(W))
    lam, U = lam[::-1], U[:, ::-1]
    keep = lam > rcond * max(lam[0], 0.0)
    lam, U = lam[keep], U[:, keep]
    b = U.T @ (gram(W, W_t) @ c) / ms             # E[psi_i f_t] for the eigenfunctions psi_i = U_i . phi
    signal = b * b / lam                          # lambda_i theta_i^2 with theta_i = b_i / lambda_i
    norm = float(c @ gram(W_t) @ c) / ms ** 2
    outside = max(norm - float(signal.sum()), 0.0)
    return ReadoutSpectrum(lam, signal, outside, norm)


def readout_risk_estimate(spectrum: ReadoutSpectrum, n, sigma=0.0):
    """Deterministic-equivalent risk of the minimum-norm read-out refit on ``n`` samples (module docstring).

    Parameters
    ----------
    spectrum : ReadoutSpectrum
    n : int or array_like of int >= 1
    sigma : float >= 0
        Label-noise standard deviation (same units as the functions).

    Returns
    -------
    float or ndarray
        ``E_x (f_hat - f_t)^2`` estimate; ``inf`` at ``n = r`` when ``sigma^2 + rho > 0``.
    """
    if not isinstance(spectrum, ReadoutSpectrum):
        raise ValueError("spectrum must be a ReadoutSpectrum (see readout_spectrum)")
    n_arr = np.asarray(n)
    if n_arr.dtype.kind not in "iu" and not (n_arr.dtype.kind == "f" and np.all(n_arr == np.round(n_arr))):
        raise ValueError(f"n={n!r} is invalid: expected integers >= 1")
    if np.any(n_arr < 1):
        raise ValueError(f"n={n!r} is invalid: expected integers >= 1")
    s = float(sigma)
    if not (math.isfinite(s) and s >= 0):
        raise ValueError(f"sigma={sigma!r} is invalid: expected a real number in [0, inf)")
    lam, sig = spectrum.eigenvalues, spectrum.signal
    rho, r = spectrum.outside_sq, spectrum.rank
    noise = s * s + rho

    def one(nv):
        nv = int(nv)
        if nv > r:
            return rho + noise * r / (nv - r)
        if nv == r:
            return math.inf if noise > 0 else rho
        # sum lam/(lam + kappa) decreases from r (kappa -> 0) to 0: solve in log kappa
        f = lambda t: float(np.sum(lam / (lam + math.exp(t)))) - nv  # noqa: E731
        hi = math.log(lam[0]) + math.log(r / nv) + 1.0
        lo = math.log(lam[-1]) - 40.0
        kappa = math.exp(optimize.brentq(f, lo, hi, xtol=1e-14, rtol=1e-14, maxiter=500))
        w = lam / (lam + kappa)
        df2 = float(np.sum(w * w))
        denom = 1.0 - df2 / nv
        bias = kappa ** 2 * float(np.sum(sig / (lam + kappa) ** 2))
        return rho + (bias + noise * df2 / nv) / denom

    out = np.array([one(v) for v in n_arr.ravel()], dtype=float).reshape(n_arr.shape)
    return float(out) if out.ndim == 0 else out
