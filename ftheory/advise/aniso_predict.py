"""Anisotropic predictions: deterministic equivalents of :mod:`ftheory.aniso`, signal functionals
estimated without bias by U-statistics given Sigma (estimated from unlabeled inputs).

The min-norm/ridge risk is linear in ``(beta beta', sigma^2)``:
``R(n, lam) = sum_i w_i b_i^2 + V sigma^2`` with ``b = Q' beta`` (Sigma = Q diag(lambda) Q'); the
weights are read off ``ftheory.aniso.scratch_risk`` by linearity (unit teachers, then sigma = 1), for
every sample size and penalty of the grid in one vectorised call. Everything else is diagonal in the
eigenbasis, so the data enter once, through per-direction U-statistics: with ``X Q`` and a label
combination ``w``, ``u_i = ((Q'X'w)_i^2 - sum_j w_j^2 (XQ)_ji^2)/(n(n-1))`` is unbiased for
``(Q'c_w)_i^2`` (``c_w = E[x w] = Sigma beta_w``), and ``U(w, Q diag(k) Q') = k . u``. So
``sum_i w_i b_i^2`` is estimated by ``(w/lambda^2) . u_y`` (``u_{y-z}`` for fine-tuning, whose risk is
the scratch risk of ``beta_t - beta_s``) and ``sigma^2`` by ``S_y - U(y, Sigma^{-1})``.

Covariances: the exact Gaussian covariances of :mod:`ftheory.advise.moments`, specialised to
matrices diagonal in the eigenbasis (``K Sigma L`` is ``diag(k lambda l)``, ``tr(K Sigma L Sigma) =
sum k l lambda^2``, Gram matrices ``sum_i k_i g_i`` of per-direction 2x2 Gram estimates), with
plug-in parameters; an inverse-Wishart ``Sigma^{-1}`` adds ``2 tau^4/(N - d - 3)`` to the noise part.

Bands: a linear risk (min-norm, or ridge at a fixed penalty) gets ``value +- 1.96 sd``. The tuned
risk is ``min_lam R(n, lam)`` over a grid of penalties (a minimum of linear functions): its band is
``[min_lam (R_hat - 1.96 sd), min_lam (R_hat + 1.96 sd)]``, the range of the minimum over the
region where every linear combination stays within 1.96 of its estimate (lower end: at least 97.5%
one-sided, whatever the selected penalty). Cost: one eigendecomposition of Sigma and one pass over
the data (``O(n d + d^3)``), then ``O(d)`` per sample size and penalty.
"""
from __future__ import annotations

import math

import numpy as np

from ftheory.advise.bands import Z95

__all__ = ["AnisotropicPredictor"]


def _psd2(G):
    """Project stacked symmetric 2x2 matrices on the PSD cone."""
    w, V = np.linalg.eigh(0.5 * (G + np.swapaxes(G, -1, -2)))
    return (V * np.maximum(w, 0)[..., None, :]) @ np.swapaxes(V, -1, -2)


class AnisotropicPredictor:
    """Scratch and fine-tuning risks (min-norm and tuned ridge) with bands, for many sample sizes at once.

    ``prep``: :class:`~ftheory.advise.estimators.Prepared` with ``Sigma`` (and ``Sigma_inv``);
    ``n_lam``: penalties of the tuning grid (log-spaced, ``1e-4`` to ``1e2`` times the mean eigenvalue).
    """

    def __init__(self, prep, n_lam=41):
        from ftheory.aniso import scratch_risk  # noqa: F401  (fail early if unavailable)

        ev, Q = np.linalg.eigh(prep.Sigma)
        self.ev = np.maximum(ev, 1e-12 * ev.max())
        self.d = d = ev.size
        X = np.asarray(prep.X, float)
        self.n = n = X.shape[0]
        R = np.column_stack([prep.y, prep.z if prep.z is not None else np.zeros(n)])
        Xq = X @ Q
        Xq2 = Xq * Xq
        combos = {"y": (1, 0), "z": (0, 1), "y+z": (1, 1), "y-z": (1, -1)}
        self.u = {}
        for k, a in combos.items():
            w = R @ np.asarray(a, float)
            v = Xq.T @ w
            self.u[k] = (v * v - (w * w) @ Xq2) / (n * (n - 1))
        cross = (self.u["y+z"] - self.u["y-z"]) / 4
        self.g = np.stack([np.stack([self.u["y"], cross], -1), np.stack([cross, self.u["z"]], -1)], -2)  # (d,2,2)
        S = R.T @ R / n * math.sqrt(n / (n + 2))
        self.S = _psd2(S)
        self.S_raw = R.T @ R / n
        Sinv = prep.Sigma_inv if prep.Sigma_inv is not None else np.linalg.inv(prep.Sigma)
        self.kinv = np.einsum("ij,jk,ki->i", Q.T, Sinv, Q)      # diagonal of Sigma_inv in the eigenbasis
        self.n_unlabeled = int(prep.n_unlabeled)
        scale = float(self.ev.mean())
        self.lams = scale * np.logspace(-4, 2, n_lam)
        self._Q = Q

    # -- covariances of U(a, diag k) and S_y, vectorised over leading axes of k ------------------------
    def _gram(self, k, psd):
        G = np.einsum("...d,dij->...ij", k, self.g)
        return _psd2(G) if psd else 0.5 * (G + np.swapaxes(G, -1, -2))

    def _cov_uu(self, a, k, b, l):
        n = self.n
        a, b = np.asarray(a, float), np.asarray(b, float)
        sab = a @ self.S @ b
        GK, GL = self._gram(k, True), self._gram(l, True)
        GKSL = self._gram(k * self.ev * l, False)
        form = lambda G, u, v: np.einsum("i,...ij,j->...", u, G, v)  # noqa: E731
        aKb, aLb, bKb, aLa = form(GK, a, b), form(GL, a, b), form(GK, b, b), form(GL, a, a)
        aKSLb = form(GKSL, a, b)
        tr = np.sum(k * l * self.ev ** 2, -1)
        z1 = sab * aKSLb + aLb * aKb
        z2 = sab ** 2 * tr + 4 * sab * aKSLb + 2 * aKb * aLb + bKb * aLa
        return (4 * (n - 2) * z1 + 2 * z2) / (n * (n - 1))

    def _cov_su(self, b, a, k):
        a, b = np.asarray(a, float), np.asarray(b, float)
        G = self._gram(k, False)
        return 4 * (a @ self.S @ b) * np.einsum("i,...ij,j->...", b, G, a) / self.n

    def linear_risks(self, which, ns, lams):
        """Estimated risks ``R(n, lam)`` (``(len(ns), len(lams))``) and their standard errors for
        ``which`` in ``("scratch", "finetune")``; ``lam = 0`` is min-norm (gradient flow)."""
        from ftheory.aniso import scratch_risk

        ns = np.asarray(ns, int)
        lams = np.asarray(lams, float)
        d = self.d
        with np.errstate(all="ignore"):
            W = np.asarray(scratch_risk(self.ev, np.eye(d), ns[:, None, None], 0.0, lams[None, :, None]), float)
            V = np.asarray(scratch_risk(self.ev, np.zeros(d), ns[:, None], 1.0, lams[None, :]), float)
        W = np.broadcast_to(W, (ns.size, lams.size, d))
        V = np.broadcast_to(V, (ns.size, lams.size))
        k = W / self.ev ** 2
        a = (1.0, 0.0) if which == "scratch" else (1.0, -1.0)
        ua = self.u["y"] if which == "scratch" else self.u["y-z"]
        yv = (1.0, 0.0)
        kinv = np.broadcast_to(self.kinv, k.shape)
        sig2 = self.S_raw[0, 0] - self.kinv @ self.u["y"]
        fin = np.isfinite(V)
        Vf = np.where(fin, V, 0.0)
        value = k @ ua + Vf * sig2
        var_s = 2 * self.S[0, 0] ** 2 / self.n
        var = (self._cov_uu(a, k, a, k) + Vf ** 2 * self._cov_uu(yv, kinv, yv, kinv) + Vf ** 2 * var_s
               - 2 * Vf * self._cov_uu(a, k, yv, kinv) + 2 * Vf * self._cov_su(yv, a, k)
               - 2 * Vf ** 2 * self._cov_su(yv, yv, kinv))
        if self.n_unlabeled > d + 3:
            tau2 = max(float(self.kinv @ self.u["y"]), 0.0)
            var = var + Vf ** 2 * 2 * tau2 ** 2 / (self.n_unlabeled - d - 3)
        value = np.where(fin, value, math.inf)
        se = np.where(fin, np.sqrt(np.maximum(var, 0.0)), math.nan)
        return value, se

    def bands(self, proc, ns, z=Z95):
        """``(value, low, high)`` arrays over ``ns`` for a scratch/fine-tuning procedure (min-norm or tuned)."""
        which = "scratch" if proc.startswith("scratch") else "finetune"
        if proc.endswith("min_norm"):
            v, se = self.linear_risks(which, ns, [0.0])
            v, se = v[:, 0], se[:, 0]
            value = np.maximum(v, 0.0)
            lo = np.where(np.isfinite(v), np.maximum(v - z * se, 0.0), v)
            hi = np.where(np.isfinite(v), np.maximum(v + z * se, value), v)
            return value, np.minimum(lo, value), hi
        v, se = self.linear_risks(which, ns, self.lams)
        value = np.maximum(np.min(v, 1), 0.0)
        lo = np.maximum(np.min(v - z * se, 1), 0.0)
        hi = np.min(v + z * se, 1)
        return value, np.minimum(lo, value), np.maximum(hi, value)
