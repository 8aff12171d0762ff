"""Parametric bootstrap of the advisor's statistics from the fitted Gaussian model (common random numbers).

The estimate ``p_hat = (tau^2, sigma^2, rho, r^2)_hat = (U_y, S_y - U_y, S_yz, S_z)`` of
:mod:`ftheory.advise.estimators` has, under the Gaussian model, a distribution that depends on the
task only through ``p``. In whitened coordinates with the pretrained teacher along ``e_1``:
``z = r g_1``, ``y = a_1 g_1 + a_2 g_2 + sigma eps`` with ``a_1 = rho / r``,
``a_2 = sqrt(tau^2 - a_1^2)``. With ``H = [g_1, g_2, eps]`` (n x 3) and ``c = (a_1, a_2, sigma)``

    S_y = c' A c,  U_y = c' B c,  S_yz = r (A c)_1,  S_z = r^2 A_11,
    A = H'H / n,  B = H' (X K X' - diag(X K X')) H / (n (n - 1)),

so one set of draws of the 3 x 3 matrices ``(A, B)`` gives the exact distribution of ``p_hat`` at
EVERY ``p`` (test inversion at each hypothesised value costs O(draws)). ``X`` (n x d, its first two
columns ``g_1, g_2``) is drawn in full, or through ``X X' ~ Wishart_n(d - 2) + ...`` by Bartlett's
decomposition when ``n < d - 2`` (cost ``n^2 / 2`` normals instead of ``n d``). ``K = I`` on the
isotropic path; with ``Sigma`` estimated from ``N`` centred unlabeled rows
``K = (N - d - 1) W^{-1}``, ``W ~ Wishart_d(N, I)`` (the whitened ``N Sigma_hat``): exact too.

Cost: about ``draws * n * min(n, d)`` normals (plus ``d^2 (n + d)`` flops per draw with unlabeled
data; 0.1-0.5 s for the 400 default draws at the sizes of docs/advisor.md); above ``budget`` the
draws are taken from the normal law of ``p_hat`` with its exact covariance at ``p``
(:func:`ftheory.advise.estimators.param_cov`), accurate at those sizes; so are they at ``d <= 2``, which the exact
simulation does not take, with ``r_hat^2`` from its exact law at the normal draws' ranks (always > 0).
"""
from __future__ import annotations

import numpy as np

__all__ = ["Worlds"]

BUDGET = 6e7  # normals (or flops / 10) per data set before falling back to the normal law


class Worlds:
    """``draws`` simulated data sets of size ``n`` in dimension ``d`` (``n_unlabeled`` rows behind Sigma)."""

    def __init__(self, n, d, n_unlabeled=0, draws=400, seed=0, budget=BUDGET, chunk=50):
        self.n, self.d, self.N = int(n), int(d), int(n_unlabeled)
        self.draws = int(draws)
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        n, d, N = self.n, self.d, self.N
        cost = self.draws * (n * min(n, d) + (d * d * (n + d) / 10 + n * d if N else 0))
        self.exact = d >= 3 and n >= 3 and cost <= budget
        if not self.exact:
            self.Z = rng.standard_normal((self.draws, 4))
            return
        A, B = [], []
        left = self.draws
        while left > 0:
            b = min(chunk, left)
            a_, b_ = self._simulate(b, rng)
            A.append(a_)
            B.append(b_)
            left -= b
        self.A = np.concatenate(A)
        self.B = np.concatenate(B)

    def _simulate(self, b, rng):
        n, d, N = self.n, self.d, self.N
        H = rng.standard_normal((b, n, 3))
        Ht = np.swapaxes(H, 1, 2)
        A = Ht @ H / n
        if N:  # whitened inputs, K = (N - d - 1) W^{-1} with W = L L' (Bartlett)
            X = np.concatenate([H[:, :, :2], rng.standard_normal((b, n, d - 2))], axis=2)
            L = _bartlett(b, d, N, rng)
            Y = np.linalg.solve(L, np.swapaxes(X, 1, 2))          # L^{-1} X'  (b, d, n)
            YH = Y @ H                                             # (b, d, 3)
            quad = np.swapaxes(YH, 1, 2) @ YH
            rown = np.einsum("bki,bki->bi", Y, Y)                  # x_i' W^{-1} x_i
            diag = Ht @ (H * rown[:, :, None])
            Bm = (N - d - 1) * (quad - diag)
        else:
            G = H[:, :, :2]
            GH = np.swapaxes(G, 1, 2) @ H                          # (b, 2, 3)
            quad = np.swapaxes(GH, 1, 2) @ GH
            rown = np.einsum("bik,bik->bi", G, G)
            m = d - 2
            if m >= n:  # W W' = L L', L n x n Bartlett factor with m degrees of freedom
                L = _bartlett(b, n, m, rng)
                LH = np.swapaxes(L, 1, 2) @ H                      # L' H
                quad = quad + np.swapaxes(LH, 1, 2) @ LH
                rown = rown + np.einsum("bik,bik->bi", L, L)
            else:
                W = rng.standard_normal((b, n, m))
                WH = np.swapaxes(W, 1, 2) @ H
                quad = quad + np.swapaxes(WH, 1, 2) @ WH
                rown = rown + np.einsum("bik,bik->bi", W, W)
            Bm = quad - Ht @ (H * rown[:, :, None])
        return A, Bm / (n * (n - 1))

    def draws_at(self, p, cov=None) -> np.ndarray:
        """``(draws, 4)`` simulated estimates ``p_hat*`` when the truth is ``p = (tau^2, sigma^2, rho, r^2)``
        (``cov``: covariance function of ``p`` for the normal fallback)."""
        tau2, sig2, rho, r2 = (float(v) for v in p)
        r2 = max(r2, 1e-300)
        if not self.exact:
            C = cov(p)
            w, V = np.linalg.eigh(0.5 * (C + C.T))
            D = np.asarray(p, float) + (self.Z * np.sqrt(np.maximum(w, 0))) @ V.T
            D[:, 3] = self._source_signal(r2, (D[:, 3] - r2) / np.sqrt(max(C[3, 3], 1e-300)))
            return D
        r = np.sqrt(r2)
        a1 = rho / r
        c = np.array([a1, np.sqrt(max(tau2 - a1 * a1, 0.0)), np.sqrt(max(sig2, 0.0))])
        Ac = self.A @ c
        sy = Ac @ c
        u = (self.B @ c) @ c
        return np.column_stack([u, sy - u, r * Ac[:, 0], r2 * self.A[:, 0, 0]])

    def _source_signal(self, r2, score):
        """``r^2_hat`` from its exact law ``r^2 chi^2_n / n`` at the normal scores ``score`` of the normal law's
        draws (same ranks, so the dependence on the other statistics is kept): the normal law's ``r^2_hat`` was
        ``<= 0`` in 6% of the draws at n = 6 (the normal law is used at any n when d <= 2), and the cosine
        tests' ``rho_hat / r_hat`` blew up there."""
        from scipy.special import chdtri, ndtr

        return r2 * chdtri(self.n, ndtr(-score)) / self.n   # the upper tail: exact where ndtr(score) rounds to 1


def _bartlett(b, m, dof, rng):
    """Lower-triangular ``L`` (b, m, m) with ``L L' ~ Wishart_m(dof, I)`` (Bartlett decomposition)."""
    L = np.tril(rng.standard_normal((b, m, m)), -1)
    idx = np.arange(m)
    L[:, idx, idx] = np.sqrt(rng.chisquare(dof - idx, size=(b, m)))
    return L
