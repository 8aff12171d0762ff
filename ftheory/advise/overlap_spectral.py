"""Exact test of the cosine between the target and the pretrained teacher (isotropic inputs).

Whitened coordinates with the pretrained teacher along ``e_1`` (docs/advisor.md, Intervals):
``z = r g_1``, ``y = a g_1 + X_2 b + sigma eps`` with ``a = c tau`` (``c`` the cosine) and
``|b|^2 = kappa = tau^2 (1 - c^2)``, the columns ``X_2`` orthogonal to the source. Split the labels
along ``u = z / |z|`` and its orthogonal complement (a Householder reflection ``H`` with ``H u = e_1``):

* ``y_u = u'y = a chi_n + sqrt(kappa + sigma^2) xi`` with ``chi_n = |g_1|``, ``xi ~ N(0, 1)``;
* ``H y`` without its first row: ``X~ b + sigma eps~`` with ``X~`` ((n-1) x (d-1), i.i.d. Gaussian,
  its Gram matrix observed: ``H X`` without its first row) -- the exact spectral law of
  :class:`~ftheory.advise.spectral.SpectralWorlds` with signal ``kappa``.

The three parts are independent and ``r`` drops out (it only scales ``z``). So the law of the data
given ``(c, tau^2, sigma^2)`` is known exactly and simulated with common random numbers.

Statistic at a candidate ``c``: a likelihood-ratio-type distance. At the world ``w = (tau^2,
sigma^2)`` fitted under ``c``, ``S = (a_hat, sigma_hat^2, kappa_hat)``: ``a_hat = y_u / E chi_n`` and
the generalised-least-squares pair of the spectral coordinates with the weights of ``w``;
``G`` the inverse of their covariance at ``w`` (block diagonal). ``Q_c(S) = min_{t >= 0, s >= 0}
|S - (c t, s, (1 - c^2) t^2)|_G^2`` (the means under ``c``; a depressed cubic in ``t`` per branch of
``s``, solved in closed form for all draws at once), ``Q_min(S)`` the same over the whole parameter
space (``kappa, s >= 0``, ``a`` free), ``LR_c = Q_c - Q_min >= 0``. ``c`` is kept if the observed
``LR_c`` is at most the 95% quantile of its simulated law at ``(c, w)``. The cosine of the
parameter-space projection of ``S`` has ``LR = 0``, so the set is never empty.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.special import gammaln

from ftheory.advise.spectral import SpectralWorlds

__all__ = ["SpectralCosine"]

_TOL = 1e-9  # LR values are O(1); rounding of Q_c - Q_min is ~1e-13 (kept values within it of the quantile)


class SpectralCosine:
    """Exact law of the data given ``(cos, tau^2, sigma^2)`` for isotropic ``X`` (n x d), labels ``y``
    and source predictions ``z`` (not all zero), and the test of a candidate cosine."""

    def __init__(self, X, y, z, draws=None, seed=0):
        X, y, z = (np.asarray(a, float) for a in (X, y, z))
        n, d = X.shape
        if n < 3 or d < 2:
            raise ValueError(f"n, d = {n}, {d}: the spectral cosine test needs n >= 3 and d >= 2")
        nz = float(np.linalg.norm(z))
        if not nz > 0:
            raise ValueError("z is zero: the cosine needs source predictions")
        u = z / nz
        # Householder reflection H = I - 2 v v'/|v|^2 with H u = -sign(u_0) e_1 (stable choice of sign)
        v = u.copy()
        v[0] += math.copysign(1.0, u[0])
        vv = float(v @ v)
        Hy = y - v * (2 * (v @ y) / vv)
        HX = X - np.outer(v, 2 * (v @ X) / vv)
        self.n, self.d = n, d
        self.yu = float(u @ y)
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        self.sw = SpectralWorlds(HX[1:], Hy[1:], draws=draws, seed=rng, dim=d - 1)
        self.draws = self.sw.draws
        self.chi = np.sqrt(rng.chisquare(n, self.draws))
        self.xi = rng.standard_normal(self.draws)
        self.m_chi = math.exp(0.5 * math.log(2.0) + gammaln((n + 1) / 2) - gammaln(n / 2))  # E chi_n
        self.v_chi = max(n - self.m_chi ** 2, 0.0)
        self.a_hat = self.yu / self.m_chi
        est = self.sw.estimate()  # (kappa, sigma^2) by iterated GLS: the pilot world
        tot = max(float(np.mean(self.sw.z2)), 1e-300)
        self._pilot = (max(float(est[0]), 1e-3 * tot), max(float(est[1]), 1e-3 * tot))
        self._worlds, self._accepted = {}, {}

    # -- the world's metric and statistics ---------------------------------------------------------
    def _metric(self, c, tau2, sig2):
        """Weights ``Wt`` (n-1 x 2: sigma^2, kappa), information ``G`` (2 x 2) of that pair and ``alpha``
        (inverse variance of ``a_hat``) at the world ``(c, tau^2, sigma^2)``."""
        lam = self.sw.lam
        kap = tau2 * (1 - c * c)
        var = (lam * kap + sig2) ** 2
        top = float(np.max(var))
        scale = top if top > 0 else 1.0
        var = var / scale + 1e-12 if top > 0 else np.ones_like(var)
        C = np.vstack([np.ones_like(lam), lam])
        M = (C / var) @ C.T / scale                      # z_i^2 has variance ~2 (lam kappa + sigma^2)^2
        Wt = np.linalg.solve(M, C / var / scale).T
        a2 = c * c * tau2
        va = (kap + sig2 + a2 * self.v_chi) / self.m_chi ** 2
        alpha = 1.0 / max(va, 1e-300 * (1 + tau2 + sig2))
        return Wt, M / 2, alpha

    def _sims(self, c, tau2, sig2, Wt):
        """Simulated ``(a_hat, sigma_hat^2, kappa_hat)`` at the world, ``(draws, 3)``."""
        kap = tau2 * (1 - c * c)
        th = self.sw.simulate(kap, sig2, Wt)
        a = (c * math.sqrt(max(tau2, 0.0)) * self.chi + math.sqrt(max(kap + sig2, 0.0)) * self.xi) / self.m_chi
        return np.column_stack([a, th])

    # -- the profiled distances ----------------------------------------------------------------------
    @staticmethod
    def q_min(S, G):
        """``min_{kappa, s >= 0} |(sigma_hat^2, kappa_hat) - (s, kappa)|_G^2`` for rows ``S = (a, sigma^2, kappa)``."""
        s, k = S[:, 1], S[:, 2]
        g_ss, g_sk, g_kk = G[0, 0], G[0, 1], G[1, 1]

        def q(rs, rk):
            return g_ss * rs * rs + 2 * g_sk * rs * rk + g_kk * rk * rk

        inside = (s >= 0) & (k >= 0)
        s_face = np.maximum(s + (g_sk / g_ss) * k, 0.0)        # kappa = 0
        k_face = np.maximum(k + (g_sk / g_kk) * s, 0.0)        # s = 0
        out = np.minimum(q(s - s_face, k), q(s, k - k_face))
        out = np.minimum(out, q(s, k))
        return np.where(inside, 0.0, out)

    @staticmethod
    def q_c(S, c, G, alpha):
        """``min_{t >= 0, s >= 0} alpha (a - c t)^2 + |(sigma_hat^2 - s, kappa_hat - (1 - c^2) t^2)|_G^2``
        for rows ``S``, and the minimising ``(t, s)``."""
        a, s, k = S[:, 0], S[:, 1], S[:, 2]
        b = 1.0 - c * c
        g_ss, g_sk, g_kk = G[0, 0], G[0, 1], G[1, 1]
        A = g_kk - g_sk * g_sk / g_ss                             # kappa residual's weight with s free

        def h(t):  # t: (rows, k) -> objective and optimal s, minimised over s >= 0
            rk = k[:, None] - b * t * t
            s_opt = s[:, None] + (g_sk / g_ss) * rk
            free = A * rk * rk
            clip = g_ss * (s * s)[:, None] + 2 * g_sk * s[:, None] * rk + g_kk * rk * rk
            fit = alpha * (a[:, None] - c * t) ** 2
            return fit + np.where(s_opt >= 0, free, clip), np.maximum(s_opt, 0.0)

        cands = [np.zeros_like(a)]
        if c != 0:
            cands.append(np.maximum(a / c, 0.0))
        # stationary points on each branch (kappa residual's part p r^2 + 2 q r):
        # 2 p b^2 t^3 + (alpha c^2 - 2 b (p k + q)) t - alpha c a = 0
        for p, q in ((A, 0.0 * s), (g_kk, g_sk * s)):
            cands.extend(_depressed_cubic_roots(2 * p * b * b, alpha * c * c - 2 * b * (p * k + q), -alpha * c * a))
        T = np.column_stack([np.broadcast_to(t, a.shape) for t in cands])
        T = np.where(np.isfinite(T) & (T > 0), T, 0.0)
        vals, s_all = h(T)
        j = np.argmin(vals, axis=1)
        rows = np.arange(len(a))
        return vals[rows, j], T[rows, j], s_all[rows, j]

    def lr(self, S, c, G, alpha):
        """``Q_c - Q_min`` (>= 0 up to rounding) for rows ``S``."""
        return self.q_c(S, c, G, alpha)[0] - self.q_min(S, G)

    # -- the test --------------------------------------------------------------------------------
    def world(self, c, iters=3):
        """``(tau^2, sigma^2)`` fitted under the cosine ``c`` (the metric iterated from the pilot world)."""
        key = (float(c), iters)
        if key not in self._worlds:
            self._worlds[key] = self._fit_world(c, iters)
        return self._worlds[key]

    def _fit_world(self, c, iters):
        kap0, sig0 = self._pilot
        tau2 = max(kap0 + self.a_hat ** 2, 1e-300)
        sig2 = sig0
        for _ in range(iters):
            Wt, G, alpha = self._metric(c, tau2, sig2)
            S = self._observed(Wt)
            _, t, s = self.q_c(S, c, G, alpha)
            tau2, sig2 = float(t[0]) ** 2, float(s[0])
        return tau2, sig2

    def _observed(self, Wt):
        return np.concatenate([[self.a_hat], self.sw.z2 @ Wt])[None, :]

    def accept(self, c, level=0.95):
        """``<= 0`` iff the candidate cosine ``c`` is kept at ``level``."""
        key = (float(c), level)
        if key not in self._accepted:
            self._accepted[key] = self._accept(c, level)
        return self._accepted[key]

    def _accept(self, c, level):
        obs, sims = self.law(c, *self.world(c))
        return obs - float(np.quantile(sims, level)) - _TOL

    def law(self, c, tau2, sig2):
        """The observed distance ``LR_c`` and its ``draws`` simulated values at the world ``(c, tau^2, sigma^2)``."""
        Wt, G, alpha = self._metric(c, tau2, sig2)
        obs = float(self.lr(self._observed(Wt), c, G, alpha)[0])
        return obs, self.lr(self._sims(c, tau2, sig2, Wt), c, G, alpha)

    def projection_cosine(self, c):
        """Cosine of the parameter-space projection of the observed statistics in the metric of the world
        fitted under ``c`` (a fixed point ``c = projection_cosine(c)`` has ``LR = 0``: always kept)."""
        tau2, sig2 = self.world(c)
        Wt, G, _ = self._metric(c, tau2, sig2)
        S = self._observed(Wt)
        s, k = S[0, 1], S[0, 2]
        g_ss, g_sk, g_kk = G[0, 0], G[0, 1], G[1, 1]
        cands = [(s, k), (max(s + g_sk / g_ss * k, 0.0), 0.0), (0.0, max(k + g_sk / g_kk * s, 0.0)), (0.0, 0.0)]
        best = min((x for x in cands if x[0] >= 0 and x[1] >= 0),
                   key=lambda x: g_ss * (s - x[0]) ** 2 + 2 * g_sk * (s - x[0]) * (k - x[1]) + g_kk * (k - x[1]) ** 2)
        a2 = self.a_hat ** 2
        return math.copysign(math.sqrt(a2 / (a2 + best[1])), self.a_hat) if a2 + best[1] > 0 else 0.0

    def fixed_point(self, iters=20):
        """A cosine ``c`` with ``c = projection_cosine(c)`` (bisection on ``[-1, 1]``: the map is continuous
        where the fitted world is)."""
        lo, hi = -1.0, 1.0
        for _ in range(iters):
            m = 0.5 * (lo + hi)
            if self.projection_cosine(m) > m:
                lo = m
            else:
                hi = m
        return 0.5 * (lo + hi)


def _depressed_cubic_roots(a3, a1, a0):
    """Real roots of ``a3 t^3 + a1 t + a0 = 0`` (arrays; NaN where a root does not exist). The linear root
    ``-a0 / a1`` is included (the limit ``a3 -> 0``)."""
    a3, a1, a0 = np.broadcast_arrays(*(np.asarray(x, float) for x in (a3, a1, a0)))
    with np.errstate(all="ignore"):
        lin = -a0 / a1
        P, Q = a1 / a3, a0 / a3
        disc = (Q / 2) ** 2 + (P / 3) ** 3
        sq = np.sqrt(np.maximum(disc, 0.0))
        one = np.cbrt(-Q / 2 + sq) + np.cbrt(-Q / 2 - sq)          # the real root when disc >= 0
        rP = np.sqrt(np.maximum(-P / 3, 0.0))
        arg = np.clip(np.where(rP > 0, -Q / (2 * rP ** 3), 0.0), -1.0, 1.0)
        phi = np.arccos(arg) / 3
        three = [2 * rP * np.cos(phi - 2 * math.pi * k / 3) for k in range(3)]
        roots = [np.where(disc >= 0, one, three[0]), np.where(disc < 0, three[1], np.nan),
                 np.where(disc < 0, three[2], np.nan), lin]
    return roots
