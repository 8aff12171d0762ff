"""Unbiased moment statistics of a Gaussian linear model and their exact covariances.

Data: rows ``(x_i, r_i)``, i.i.d., jointly Gaussian with mean zero, ``x_i ~ N(0, Sigma)`` and
two labels ``r_i = (y_i, z_i)`` (target label and pretrained prediction; ``z`` may be absent).
``c_y = E[x y] = Sigma beta_t`` and ``c_z = E[x z] = Sigma beta_s``.

For a label combination ``w = r a`` (``a`` in R^2) and a symmetric matrix ``K`` two statistics:

* ``S(a) = (1/n) sum_i w_i^2``, unbiased for ``s_a = E w^2``;
* ``U(a, K) = (1/(n(n-1))) sum_{i != j} w_i w_j x_i' K x_j``, unbiased for ``c_w' K c_w``
  (``c_w = E[x w]``): a second-order U-statistic; with ``K = Sigma^{-1}`` it estimates
  ``||beta||_Sigma^2`` (Dicker 2014; Kong & Valiant 2018 use ``K = Sigma^k``).

Every estimate and prediction of :mod:`ftheory.advise` is a smooth function of a few of these.
Their covariances follow from Isserlis' theorem and the Hoeffding decomposition (derived and
checked in ``derivations/advise.py``):

* ``Cov(S(a), S(b)) = 2 s_ab^2 / n``
* ``Cov(S(b), U(a, K)) = 4 s_ab (c_b' K c_a) / n``
* ``Cov(U(a, K), U(b, L)) = (4 (n-2) z1 + 2 z2) / (n (n-1))`` with
  ``z1 = s_ab c_a' K Sigma L c_b + (c_a' L c_b)(c_b' K c_a)`` and
  ``z2 = s_ab^2 tr(K Sigma L Sigma) + 2 s_ab (c_b' K Sigma L c_a + c_a' K Sigma L c_b)
  + 2 (c_a' K c_b)(c_a' L c_b) + (c_a' K c_a)(c_b' L c_b) + (c_b' K c_b)(c_a' L c_a)
  - (c_a' K c_a)(c_b' L c_b)``.

The population quantities in these formulas are replaced by their unbiased estimates (plug-in).
"""
from __future__ import annotations

import numpy as np

__all__ = ["Moments"]


class Moments:
    """Moment statistics of ``(X, y[, z])`` with input covariance ``Sigma`` (``None``: identity).

    ``Sigma_inv`` is the matrix used for ``||beta||_Sigma^2`` (an unbiased estimate of
    ``Sigma^{-1}`` when ``Sigma`` is estimated; default ``inv(Sigma)``).
    """

    def __init__(self, X, y, z=None, Sigma=None, Sigma_inv=None, population=None):
        self.X = np.asarray(X, float)
        self.n, self.d = self.X.shape
        cols = [np.asarray(y, float)] + ([np.asarray(z, float)] if z is not None else [np.zeros(self.n)])
        self.R = np.column_stack(cols)
        self.has_z = z is not None
        self.Sigma = None if Sigma is None else np.asarray(Sigma, float)
        if Sigma is None:
            self.Sigma_inv = None
        else:
            self.Sigma_inv = np.linalg.inv(self.Sigma) if Sigma_inv is None else np.asarray(Sigma_inv, float)
        self._gram_cache: dict = {}
        self._XtR = self.X.T @ self.R  # d x 2
        # population=(S, C): exact label covariance (2x2) and [c_y, c_z] (d x 2) replace the plug-ins
        self.population = population

    # -- matrices: None stands for the identity ---------------------------------------------------
    @classmethod
    def population_only(cls, n, d, S, G):
        """Covariance engine without data for whitened statistics (every K = Sigma^{-1}):
        ``S`` the 2x2 label covariance, ``G = [[tau^2, rho], [rho, r^2]]``."""
        self = cls.__new__(cls)
        self.n, self.d = int(n), int(d)
        self.Sigma = None
        self.has_z = True
        w, V = np.linalg.eigh(0.5 * (np.asarray(G, float) + np.asarray(G, float).T))
        C = V * np.sqrt(np.maximum(w, 0))  # C' C = G (rows are 2 whitened coordinates)
        self.population = (np.asarray(S, float), C.T)
        self._gram_cache = {}
        return self

    def _apply(self, K, V):
        return V if K is None else K @ V

    def _sig(self, V):
        return self._apply(self.Sigma, V)

    def kinv(self):
        """The matrix K with U(a, K) unbiased for ||beta_w||_Sigma^2."""
        return self.Sigma_inv

    # -- statistics ---------------------------------------------------------------------------------
    def S(self, a) -> float:
        """``S(a) = mean((R a)^2)``, unbiased for ``E (r a)^2``."""
        w = self.R @ np.asarray(a, float)
        return float(w @ w / self.n)

    def S_matrix(self) -> np.ndarray:
        """2 x 2 sample second-moment matrix of (y, z): unbiased for the label covariance."""
        return self.R.T @ self.R / self.n

    def U(self, a, K=None) -> float:
        """``U(a, K)``: unbiased for ``c_w' K c_w`` with ``w = R a`` (module docstring)."""
        a = np.asarray(a, float)
        w = self.R @ a
        v = self._XtR @ a  # X' w
        XK = self.X if K is None else self.X @ K
        quad = float(v @ (v if K is None else K @ v))
        diag = float(np.sum(w * w * np.einsum("ij,ij->i", XK, self.X)))
        n = self.n
        return (quad - diag) / (n * (n - 1))

    def gram(self, K=None, key=None) -> np.ndarray:
        """Unbiased 2 x 2 estimate of ``[c_k' K c_l]`` (k, l in {y, z}) by polarisation of U."""
        if key is not None and key in self._gram_cache:
            return self._gram_cache[key]
        uy = self.U([1, 0], K)
        if self.has_z:
            uz = self.U([0, 1], K)
            cross = (self.U([1, 1], K) - self.U([1, -1], K)) / 4
        else:
            uz = cross = 0.0
        G = np.array([[uy, cross], [cross, uz]])
        if key is not None:
            self._gram_cache[key] = G
        return G

    # -- covariances (Gaussian, plug-in) -------------------------------------------------------------
    def _plug(self):
        if self.population is not None:
            return np.asarray(self.population[0], float)
        if "_S" not in self._gram_cache:
            # E[S_hat^2] = (1 + 2/n) s^4 for one label: shrink so that squares are unbiased
            S = self.S_matrix() * np.sqrt(self.n / (self.n + 2))
            w, V = np.linalg.eigh(S)
            self._gram_cache["_S"] = (V * np.maximum(w, 0)) @ V.T
        return self._gram_cache["_S"]

    def _pgram(self, K, key):
        if self.population is not None:
            C = np.asarray(self.population[1], float)
            M = C if K is None else K @ C
            return 0.5 * (C.T @ M + M.T @ C)
        return self.gram(K, key)

    def _g(self, K, key, psd=True):
        G = self._pgram(K, key)
        if psd:  # a PSD matrix K gives a PSD Gram matrix: project the estimate
            w, V = np.linalg.eigh(G)
            G = (V * np.maximum(w, 0)) @ V.T
        return G

    def _trace(self, K, L):
        if K is None and L is None and self.Sigma is None:
            return float(self.d)
        A = np.eye(self.d) if K is None else K
        B = np.eye(self.d) if L is None else L
        if self.Sigma is not None:
            A = A @ self.Sigma
            B = B @ self.Sigma
        return float(np.sum(A * B.T))

    def cov(self, s1, s2) -> float:
        """Covariance of two statistics ``("S", a)`` or ``("U", a, K, key)`` (key names K for caching)."""
        if s1[0] == "U" and s2[0] == "S":
            s1, s2 = s2, s1
        n = self.n
        S = self._plug()
        if s1[0] == "S" and s2[0] == "S":
            a, b = np.asarray(s1[1], float), np.asarray(s2[1], float)
            return 2 * float(a @ S @ b) ** 2 / n
        if s1[0] == "S":
            b = np.asarray(s1[1], float)
            _, a, K, key = s2
            a = np.asarray(a, float)
            G = self._g(K, key, psd=False)
            return 4 * float(a @ S @ b) * float(b @ G @ a) / n
        _, a, K, kk = s1
        _, b, L, kl = s2
        a, b = np.asarray(a, float), np.asarray(b, float)
        sab = float(a @ S @ b)
        GK = self._g(K, kk)
        GL = self._g(L, kl)
        KSL = None if (K is None and L is None and self.Sigma is None) else \
            ((np.eye(self.d) if K is None else K) @ (np.eye(self.d) if self.Sigma is None else self.Sigma)
             @ (np.eye(self.d) if L is None else L))
        keyKSL = None if kk is None or kl is None else ("KSL", kk, kl)
        GKSL = self._pgram(KSL, keyKSL)
        GKSL = 0.5 * (GKSL + GKSL.T)
        aKb, aLb = float(a @ GK @ b), float(a @ GL @ b)
        bKb, aLa = float(b @ GK @ b), float(a @ GL @ a)
        aKSLb = float(a @ GKSL @ b)
        z1 = sab * aKSLb + aLb * aKb
        z2 = (sab ** 2 * self._trace(K, L) + 4 * sab * aKSLb + 2 * aKb * aLb + bKb * aLa)
        return (4 * (n - 2) * z1 + 2 * z2) / (n * (n - 1))  # K, L functions of Sigma (commuting): exact

    def cov_matrix(self, stats) -> np.ndarray:
        """Covariance matrix of a list of statistics (:meth:`cov`)."""
        m = len(stats)
        C = np.empty((m, m))
        for i in range(m):
            for j in range(i, m):
                C[i, j] = C[j, i] = self.cov(stats[i], stats[j])
        return C

    def value(self, stat) -> float:
        """Value of a statistic ``("S", a)`` or ``("U", a, K, key)``."""
        return self.S(stat[1]) if stat[0] == "S" else self.U(stat[1], stat[2])
