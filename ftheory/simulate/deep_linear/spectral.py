"""Coordinates of the engine: the spectral basis of the data and the map back to full weights.

Gradient descent on ``(1/n)||y - X beta||^2`` only moves the first layer inside the row space of
``X``. With ``Q`` the right singular vectors of ``X`` (one eigendecomposition of ``X X^T``), the loss is
the diagonal quadratic ``(1/n)||s * Q^T beta - z||^2 + floor`` and
``W_1(t) = decay(t) (I - Q Q^T) W_1(0) + Q P_1(t)``; for depth 2 the read-out and the rows of ``P_1``
also stay in ``span(P_1(0)^T, w(0))`` (docs/deep_linear.md).
"""
from __future__ import annotations

import math

import numpy as np

from ftheory.simulate.deep_linear.network import DeepLinearNet

_EIGH_MAX_COND2 = 1e4    # use the Gram eigendecomposition for Q only if cond(X)^2 <= this


class _DiagLoss:
    """``scale * ||s * beta - z||^2 + floor`` (population loss: s = 1, z = beta_s, scale = 1)."""

    def __init__(self, s, z, scale, floor):
        self.s, self.z = s, z
        self.scale = np.broadcast_to(np.asarray(scale, float), (z.shape[0],)).copy()
        self.floor = np.broadcast_to(np.asarray(floor, float), (z.shape[0],)).copy()

    def __call__(self, beta):
        e = self.s * beta - self.z
        return self.scale * np.einsum("bk,bk->b", e, e), (2.0 * self.scale)[:, None] * self.s * e

    def take(self, i):
        return _DiagLoss(self.s[i:i + 1], self.z[i:i + 1], self.scale[i:i + 1], self.floor[i:i + 1])


class _DenseLoss:
    """``(1/n) ||X beta - y||^2`` in full coordinates (the reference path)."""

    def __init__(self, X, y, floor=None):
        self.X, self.y = X, y
        n, d = X.shape[1:]
        if floor is None:
            floor = np.zeros(X.shape[0])
            if n > d:
                for i in range(X.shape[0]):
                    b = np.linalg.lstsq(X[i], y[i], rcond=None)[0]
                    r = X[i] @ b - y[i]
                    floor[i] = r @ r / n
        self.floor = floor

    def __call__(self, beta):
        n = self.X.shape[1]
        r = (self.X @ beta[..., None])[..., 0] - self.y
        loss = np.einsum("bn,bn->b", r, r) / n
        G = (2.0 / n) * (r[:, None, :] @ self.X)[:, 0]
        return loss - self.floor, G

    def take(self, i):
        return _DenseLoss(self.X[i:i + 1], self.y[i:i + 1], self.floor[i:i + 1])


def _row_space(X, y):
    """Orthonormal basis ``Q`` of the row space of each ``X`` with ``X Q = U diag(s)``.

    Returns ``Q (B, d, k)``, ``s (B, k)``, ``z (B, k)`` and ``floor (B,)`` such that
    ``(1/n)||X beta - y||^2 = (1/n)||s * Q^T beta - z||^2 + floor`` for every beta, exactly.
    Uses the eigendecomposition of the smaller Gram matrix when ``X`` is well conditioned (cheap),
    else a thin SVD (robust).
    """
    B, n, d = X.shape
    k = min(n, d)
    Xt = np.swapaxes(X, 1, 2)
    yy = np.einsum("bn,bn->b", y, y)
    if n < d:
        lam, U = np.linalg.eigh(X @ Xt)                   # ascending eigenvalues
    else:
        lam, U = np.linalg.eigh(Xt @ X)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.sqrt(np.maximum(lam, 0.0))
        if n < d:
            Q = Xt @ U
            Q /= s[:, None, :]
            z = (y[:, None, :] @ U)[:, 0]
        else:
            Q = U
            z = ((y[:, None, :] @ X) @ U)[:, 0] / s
    floor = np.zeros(B)
    if n > d:
        floor = np.maximum(0.0, (yy - np.einsum("bk,bk->b", z, z)) / n)
    # the Gram route loses ~eps * cond(X)^2 of orthonormality: fall back to an SVD when X is ill conditioned
    bad = ~((lam[:, -1] > 0) & (lam[:, 0] * _EIGH_MAX_COND2 >= lam[:, -1]))
    for i in np.flatnonzero(bad):
        Ui, Si, Vt = np.linalg.svd(X[i], full_matrices=False)
        Q[i], s[i], z[i] = Vt.T, Si, Ui.T @ y[i]
        floor[i] = max(0.0, (yy[i] - z[i] @ z[i]) / n) if n > d else 0.0
    return Q, s, z, floor


def _frame(net, X, y, beta_s, reduced):
    """Return (layers, w, loss, c0f, reconstruct, path); reconstruct(...) -> (beta, build_net)."""
    ws = net.weights
    depth = net.depth
    B, d, m = ws[0].shape
    w0 = ws[-1][..., 0]
    mats = list(ws[:-1])
    if beta_s is not None:
        loss = _DiagLoss(np.ones((B, d)), beta_s, 1.0, 0.0)
        path = "lazy-full" if reduced else "full"

        def reconstruct(layers, w, decay):
            net_ = DeepLinearNet(tuple(layers) + (w[..., None],))
            return net_.beta, lambda: net_
        return mats, w0, loss, 0.0, reconstruct, path
    if not reduced:
        def reconstruct(layers, w, decay):
            net_ = DeepLinearNet(tuple(layers) + (w[..., None],))
            return net_.beta, lambda: net_
        return mats, w0, _DenseLoss(X, y), 0.0, reconstruct, "full"

    n = X.shape[1]
    Q, s, z, floor = _row_space(X, y)
    k = Q.shape[2]
    loss = _DiagLoss(s, z, 1.0 / n, floor)
    W10 = ws[0]
    P10 = np.swapaxes(Q, 1, 2) @ W10              # (B, k, m) = Q^T W_1(0)
    # squared norm of the frozen null-space part (I - QQ^T) W_1(0), by Pythagoras
    c0f = np.maximum(np.einsum("bij,bij->b", W10, W10) - np.einsum("bij,bij->b", P10, P10), 0.0)
    if depth == 2 and k + 1 < m:
        # [P_1(0)^T, w(0)] = V R (Householder QR): P = P_1(0) V = R[:, :k]^T, c = V^T w(0) = R[:, k]
        V, R = np.linalg.qr(np.concatenate([np.swapaxes(P10, 1, 2), w0[:, :, None]], axis=2))
        P = np.ascontiguousarray(np.swapaxes(R[:, :, :k], 1, 2))
        c = np.ascontiguousarray(R[:, :, k])

        def reconstruct(layers, w, decay):
            wv = (V @ w[..., None])[..., 0]                       # read-out in R^m
            # beta = W_1 wv with W_1 = decay W_1(0) + Q (P V^T - decay P_1(0)) and V^T wv = c
            inner = (layers[0] @ w[..., None])[..., 0] - decay[:, None] * (P10 @ wv[..., None])[..., 0]
            beta = decay[:, None] * (W10 @ wv[..., None])[..., 0] + (Q @ inner[..., None])[..., 0]

            def build():
                D = layers[0] @ np.swapaxes(V, 1, 2)
                D -= decay[:, None, None] * P10
                W1 = Q @ D
                W1 += decay[:, None, None] * W10
                return DeepLinearNet((W1, wv[..., None]))
            return beta, build
        return [P], c, loss, c0f, reconstruct, "reduced-input+hidden"

    def reconstruct(layers, w, decay):
        b2 = w[..., None]
        for W in reversed(layers[1:]):
            b2 = W @ b2
        inner = (layers[0] @ b2)[..., 0] - decay[:, None] * (P10 @ b2)[..., 0]
        beta = decay[:, None] * (W10 @ b2)[..., 0] + (Q @ inner[..., None])[..., 0]

        def build():
            W1 = Q @ (layers[0] - decay[:, None, None] * P10)
            W1 += decay[:, None, None] * W10
            return DeepLinearNet((W1,) + tuple(layers[1:]) + (w[..., None],))
        return beta, build
    return [P10] + mats[1:], w0, loss, c0f, reconstruct, "reduced-input"


def _lambda_max(X):
    """Largest eigenvalue of X^T X / n per instance (Gram eigenvalues of the smaller side)."""
    n, d = X.shape[1:]
    G = X @ np.swapaxes(X, 1, 2) if n <= d else np.swapaxes(X, 1, 2) @ X
    return np.linalg.eigvalsh(G)[:, -1] / n


def _auto_lr(net, X, y, beta_s):
    """Step size ``0.5 / (L * lam_max * max(1, r)^{2 - 2/L})`` (stable for the end-to-end dynamics).

    ``lam_max`` is the top eigenvalue of the loss Hessian / 2 (``X^T X / n``, or 1 for the population
    loss) and ``r`` bounds the end-to-end norm along the run (initial ``||beta||``, target scale).
    """
    L = net.depth
    r = np.linalg.norm(net.beta, axis=1)
    if beta_s is not None:
        lam = np.ones(net.instances)
        r = np.maximum(r, np.linalg.norm(beta_s, axis=1))
    else:
        lam = _lambda_max(X)
        r = np.maximum(r, np.linalg.norm(y, axis=1) / math.sqrt(X.shape[1]))
    return 0.5 / (L * lam * np.maximum(1.0, r) ** (2.0 - 2.0 / L))
