"""Synthetic transfer tasks with known truth, and the realised risks of the fitted procedures.

Used by the coverage study (``benchmarks/advisor_coverage.py``), the tests and docs/advisor.md.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Task", "make_task", "fit_procedures"]


@dataclass
class Task:
    """A Gaussian task: ``x ~ N(0, Sigma)`` with ``Sigma = Q diag(eigenvalues) Q'``, teachers in R^d."""

    Sigma_half: np.ndarray
    Sigma: np.ndarray
    beta_t: np.ndarray
    beta_s: np.ndarray
    sigma: float

    @property
    def d(self):
        """Input dimension."""
        return self.beta_t.size

    def truth(self) -> dict:
        """True signal, noise variance, overlap (cosine and inner product), source signal, distance."""
        S = self.Sigma
        tau2 = float(self.beta_t @ S @ self.beta_t)
        r2 = float(self.beta_s @ S @ self.beta_s)
        rho = float(self.beta_t @ S @ self.beta_s)
        return {"signal": tau2, "noise_variance": self.sigma ** 2, "overlap": rho / np.sqrt(tau2 * r2),
                "overlap_inner": rho, "source_signal": r2,
                "distance": float((self.beta_t - self.beta_s) @ S @ (self.beta_t - self.beta_s))}

    def sample(self, n, rng, mean=0.0):
        """``(X, y)``: ``n`` rows of ``N(mean, Sigma)`` inputs and their labels."""
        X = rng.standard_normal((n, self.d)) @ self.Sigma_half + mean
        y = (X - mean) @ self.beta_t + self.sigma * rng.standard_normal(n)
        return X, y

    def risk(self, b) -> float:
        """Excess risk ``||b - beta_t||_Sigma^2``."""
        e = np.asarray(b) - self.beta_t
        return float(e @ self.Sigma @ e)


def make_task(d, theta, sigma, norm_t=1.0, norm_s=1.0, eigenvalues=None, seed=None) -> Task:
    """Teachers at Sigma-angle ``theta`` with Sigma-norms ``norm_t``, ``norm_s``; random eigenbasis
    when ``eigenvalues`` (normalised to trace d) are given, identity otherwise."""
    rng = np.random.default_rng(seed)
    if eigenvalues is None:
        lam = np.ones(d)
        Q = np.eye(d)
    else:
        lam = np.asarray(eigenvalues, float)
        lam = lam * d / lam.sum()
        Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    half = (Q * np.sqrt(lam)) @ Q.T
    Sigma = (Q * lam) @ Q.T
    # directions drawn isotropically in whitened coordinates, then mapped back: Sigma-orthonormal pair
    u = rng.standard_normal(d)
    u /= np.linalg.norm(u)
    v = rng.standard_normal(d)
    v -= (v @ u) * u
    v /= np.linalg.norm(v)
    inv_half = (Q / np.sqrt(lam)) @ Q.T
    bs_w = norm_s * u
    bt_w = norm_t * (np.cos(theta) * u + np.sin(theta) * v)
    return Task(half, Sigma, inv_half @ bt_w, inv_half @ bs_w, float(sigma))


def fit_procedures(X, y, z_fn, beta_s, lam_scratch, lam_ft, center=True) -> dict:
    """Coefficient vectors of the five procedures fitted on ``(X, y)`` (intercept if ``center``).

    ``z_fn(X)`` is the pretrained prediction; ``lam_*`` are ridge penalties (convention
    (1/n)||y - Xb||^2 + lam ||b||^2, ``n`` the effective sample size).
    """
    if center:
        X = X - X.mean(0)
        y = y - y.mean()
    n, d = X.shape
    neff = n - 1 if center else n
    pinv = np.linalg.pinv(X)
    out = {"scratch_min_norm": pinv @ y}
    ridge = lambda t, lam: np.linalg.solve(X.T @ X + neff * lam * np.eye(d), X.T @ t)  # noqa: E731
    out["scratch_ridge"] = ridge(y, lam_scratch)
    z = X @ beta_s
    out["linear_transfer"] = (z @ y / (z @ z)) * beta_s
    res = y - z
    out["finetune_min_norm"] = beta_s + pinv @ res
    out["finetune_ridge"] = beta_s + ridge(res, lam_ft)
    return out


def gcv_lambda(X, t, grid=None) -> float:
    """Ridge penalty minimising generalised cross-validation (Golub, Heath & Wahba 1979) for ``(X, t)``
    (columns centred by the caller; convention (1/n)||t - Xb||^2 + lam ||b||^2)."""
    n = X.shape[0]
    U, s, _ = np.linalg.svd(X, full_matrices=False)
    ut = U.T @ t
    rest = float(t @ t - ut @ ut)
    if grid is None:
        grid = np.logspace(-6, 3, 91) * np.mean(s ** 2) / n
    best, lam_best = np.inf, float(grid[0])
    for lam in grid:
        f = s ** 2 / (s ** 2 + n * lam)
        rss = float(np.sum(((1 - f) * ut) ** 2)) + rest
        g = rss / n / (1 - f.sum() / n) ** 2
        if g < best:
            best, lam_best = g, float(lam)
    return lam_best


def cv_lambda(X, t, folds=5, grid=None, seed=0) -> float:
    """Ridge penalty minimising ``folds``-fold cross-validated squared error on ``(X, t)`` (columns
    centred by the caller; convention (1/n)||t - Xb||^2 + lam ||b||^2 on each training fold)."""
    n = X.shape[0]
    if grid is None:
        grid = np.logspace(-4, 3, 36) * float(np.mean(X * X)) * X.shape[1] / n
    idx = np.random.default_rng(seed).permutation(n) % folds
    err = np.zeros(len(grid))
    for k in range(folds):
        tr, te = idx != k, idx == k
        A, b = X[tr], t[tr]
        U, s, Vt = np.linalg.svd(A, full_matrices=False)
        ub = U.T @ b
        m = A.shape[0]
        for j, lam in enumerate(grid):
            coef = Vt.T @ (s / (s ** 2 + m * lam) * ub)
            err[j] += float(np.sum((X[te] @ coef - t[te]) ** 2))
    return float(grid[int(np.argmin(err))])
