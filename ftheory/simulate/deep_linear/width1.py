"""Width-1 dynamics: gradient descent from a balanced rank-one state in the spectral basis, O(k) per step.

From ``W_1 = x v_1^T``, ``W_l = sigma_l v_{l-1} v_l^T`` (``1 < l < L``), ``W_L = sigma_L v_{L-1}`` every
gradient stays in these directions (docs/deep_linear.md), so the state is the row-space part
``x = Q^T W_1 v_1`` (``k`` numbers, loss diagonal in this basis) and ``L - 1`` scalars. One step costs
``O(k)``: ``beta_Q = S x`` with ``S = prod sigma_l``, ``grad_x = S G``,
``grad sigma_l = (x . G) prod_{j != l} sigma_j``. Same iterates, criterion and diagnostics as
:func:`ftheory.simulate.deep_linear.engine._run_gd` (the reference it is tested against).
"""
from __future__ import annotations

import numpy as np

from ftheory.simulate.deep_linear.engine import _stop_rule

__all__ = []


def _prefix_suffix(sig):
    """Products ``pre[:, l] = prod_{j<l} sig_j`` and ``suf[:, l] = prod_{j>l} sig_j`` (B, q)."""
    B, q = sig.shape
    pre = np.ones((B, q))
    suf = np.ones((B, q))
    for l in range(1, q):
        pre[:, l] = pre[:, l - 1] * sig[:, l - 1]
    for l in range(q - 2, -1, -1):
        suf[:, l] = suf[:, l + 1] * sig[:, l + 1]
    return pre, suf


def run_width1(layers, w, loss, *, lr, wd, max_steps, tol, grad_tol, early_stop, c0f):
    """GD on the width-1 state; ``layers = [P_1 (B, k, 1), W_l (B, 1, 1) ...]``, ``w (B, 1)``."""
    x = np.array(layers[0][:, :, 0], dtype=float)
    sig = np.concatenate([np.asarray(W, float)[:, :, 0] for W in layers[1:]] + [np.asarray(w, float)], axis=1)
    B = x.shape[0]
    s, z, scale, floor = loss.s, loss.z, loss.scale, loss.floor
    c0f = np.broadcast_to(np.asarray(c0f, float), (B,))
    decay = np.ones(B)
    steps = np.zeros(B, dtype=np.int64)
    active = np.ones(B, dtype=bool)
    diverged = np.zeros(B, dtype=bool)
    done = np.zeros(B, dtype=bool)
    conv = np.zeros(B, dtype=bool)
    J0 = None
    two_scale_s = (2.0 * scale)[:, None] * s
    q = sig.shape[1]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for t in range(max_steps + 1):
            if q == 1:                                       # depth 2: one scalar, no products
                S = sig[:, 0]
            else:
                pre, suf = _prefix_suffix(sig)
                S = pre[:, -1] * sig[:, -1]                  # b_2 = prod of all sigma
            bq = x * S[:, None]
            e = s * bq - z
            excess = scale * np.einsum("bk,bk->b", e, e)
            G = two_scale_s * e
            xg = np.einsum("bk,bk->b", x, G)                 # u_1 = W_1^T G in hidden-1 coordinates
            GG = np.einsum("bk,bk->b", G, G)
            # gradient of each scalar layer: u_{l-1} b_{l+1} = (x . G) prod_{j<l} sigma_j prod_{j>l} sigma_j
            gs = xg[:, None] if q == 1 else (xg[:, None] * pre) * suf
            gsq = GG * S * S + np.einsum("bq,bq->b", gs, gs)
            if wd:
                xx = np.einsum("bk,bk->b", x, x)
                sq = np.einsum("bq,bq->b", sig, sig)
                fro = xx + decay * decay * c0f + sq
                gsq += (2 * wd * np.einsum("bk,bk->b", G, bq) + wd * wd * (xx + decay * decay * c0f)
                        + 2 * wd * np.einsum("bq,bq->b", gs, sig) + wd * wd * sq)
            else:
                fro = 0.0
            gsq = np.maximum(gsq, 0.0)
            J = excess + floor + 0.5 * wd * fro
            if J0 is None:
                J0 = J.copy()
            conv, gnorm = _stop_rule(excess, gsq, J, J0, tol, grad_tol, early_stop, active, diverged, done)
            if t == max_steps or not active.any():
                break
            eta = np.where(active, lr, 0.0)
            if wd:
                rho = 1.0 - eta * wd
                x = rho[:, None] * x - (eta * S)[:, None] * G
                sig = rho[:, None] * sig - eta[:, None] * gs
                decay = decay * rho
            else:
                x -= (eta * S)[:, None] * G
                sig -= eta[:, None] * gs
            steps += active
    out_layers = [x[:, :, None]] + [sig[:, l, None, None] for l in range(sig.shape[1] - 1)]
    return dict(layers=out_layers, w=sig[:, -1:].copy(), decay=decay, steps=steps, time=steps * lr,
                excess=excess, floor=floor.copy(), grad_norm=gnorm, converged=(conv | done) & ~diverged,
                diverged=diverged)


def run_width1_gram(x0, sig0, X, y, K, *, lr, wd, max_steps, tol, grad_tol, early_stop):
    """Width-1 GD for ``n < d`` without any eigendecomposition: ``x = decay x0 + X^T a`` (``a`` in R^n).

    With ``K = X X^T`` and ``p = X x`` the loss residual is ``e = S p - y``, ``G = (2/n) X^T e``,
    ``x . G = (2/n) p . e``, ``|G|^2 = (2/n)^2 e . K e`` and ``p <- rho p - eta S (2/n) K e``: one
    ``n x n`` matrix-vector product per step. Returns ``x`` (B, d), the scalars and diagnostics as
    :func:`run_width1`.
    """
    B, n, d = X.shape
    p0 = (X @ x0[..., None])[..., 0]
    x00 = np.einsum("bd,bd->b", x0, x0)
    p = p0.copy()
    a = np.zeros((B, n))
    Ka = np.zeros((B, n))
    sig = np.array(sig0, dtype=float)
    floor = np.zeros(B)
    decay = np.ones(B)
    steps = np.zeros(B, dtype=np.int64)
    active = np.ones(B, dtype=bool)
    diverged = np.zeros(B, dtype=bool)
    done = np.zeros(B, dtype=bool)
    conv = np.zeros(B, dtype=bool)
    J0 = None
    c = 2.0 / n
    q = sig.shape[1]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for t in range(max_steps + 1):
            if q == 1:                                       # depth 2: one scalar, no products
                S = sig[:, 0]
            else:
                pre, suf = _prefix_suffix(sig)
                S = pre[:, -1] * sig[:, -1]
            e = S[:, None] * p - y
            excess = np.einsum("bn,bn->b", e, e) / n
            Ke = (K @ e[..., None])[..., 0]                  # G = c X^T e, K G-products via K e
            xg = c * np.einsum("bn,bn->b", p, e)
            GG = (c * c) * np.einsum("bn,bn->b", e, Ke)
            if q == 1:
                gs = xg[:, None]
                gsq = GG * S * S + xg * xg
            else:
                gs = (xg[:, None] * pre) * suf
                gsq = GG * S * S + np.einsum("bq,bq->b", gs, gs)
            if wd:
                sq = np.einsum("bq,bq->b", sig, sig)
                xx = decay * decay * x00 + 2 * decay * np.einsum("bn,bn->b", a, p0) + np.einsum("bn,bn->b", a, Ka)
                gsq += 2 * wd * S * xg + wd * wd * xx + 2 * wd * np.einsum("bq,bq->b", gs, sig) + wd * wd * sq
                J = excess + 0.5 * wd * (xx + sq)
            else:
                J = excess
            gsq = np.maximum(gsq, 0.0)                       # e . K e may round below 0 for singular K
            if J0 is None:
                J0 = J.copy()
            conv, gnorm = _stop_rule(excess, gsq, J, J0, tol, grad_tol, early_stop, active, diverged, done)
            if t == max_steps or not active.any():
                break
            eta = np.where(active, lr, 0.0)
            es = (eta * S * c)[:, None]
            if wd:
                rho = 1.0 - eta * wd
                a = rho[:, None] * a - es * e
                p = rho[:, None] * p - es * Ke
                Ka = rho[:, None] * Ka - es * Ke
                sig = rho[:, None] * sig - eta[:, None] * gs
                decay = decay * rho
            else:                                            # rho = 1: in place, fewer passes
                a -= es * e
                p -= es * Ke
                sig -= eta[:, None] * gs
            steps += active
    x = decay[:, None] * x0 + (a[:, None, :] @ X)[:, 0]
    return dict(x=x, sig=sig, decay=decay, steps=steps, time=steps * lr, excess=excess, floor=floor,
                grad_norm=gnorm, converged=(conv | done) & ~diverged, diverged=diverged)
