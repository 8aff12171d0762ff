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
            for i in range(X.shape[0]):
                b, _, rank, _ = np.linalg.lstsq(X[i], y[i], rcond=None)
                if n > d or rank < n:              # else y is interpolated: the floor is exactly 0
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


class _Basis:
    """The orthonormal row-space basis ``Q`` (B, d, k) of ``X``, kept implicit when possible.

    From the eigendecomposition ``X X^T = U diag(s^2) U^T`` (``n < d``), ``Q = X^T U diag(1/s)`` is never
    formed: ``Q^T A = diag(1/s) U^T (X A)`` and ``Q p = X^T (U (p / s))`` cost ``O(n d r)`` for ``r``
    columns. Otherwise (``n >= d``, or a fallback to the SVD) ``Q`` is held explicitly.
    """

    def __init__(self, X=None, U=None, s=None, Q=None):
        self.X, self.U, self.s, self.Q = X, U, s, Q

    def t(self, A):
        """``Q^T A`` for A of shape (B, d, r)."""
        if self.Q is not None:
            return np.swapaxes(self.Q, 1, 2) @ A
        return (np.swapaxes(self.U, 1, 2) @ (self.X @ A)) / self.s[:, :, None]

    def mul(self, P):
        """``Q P`` for P of shape (B, k, r)."""
        if self.Q is not None:
            return self.Q @ P
        return np.swapaxes(self.X, 1, 2) @ (self.U @ (P / self.s[:, :, None]))


def _row_space(X, y):
    """The spectral basis of the data: ``(basis, s, z, floor)`` such that, for every beta,
    ``(1/n)||X beta - y||^2 = (1/n)||s * Q^T beta - z||^2 + floor`` exactly (``Q`` from ``basis``).

    Uses the eigendecomposition of the smaller Gram matrix when ``X`` is well conditioned (cheap),
    else a thin SVD (robust).
    """
    B, n, d = X.shape
    yy = np.einsum("bn,bn->b", y, y)
    lam, U = np.linalg.eigh(X @ np.swapaxes(X, 1, 2) if n < d else np.swapaxes(X, 1, 2) @ X)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.sqrt(np.maximum(lam, 0.0))
        if n < d:
            basis = _Basis(X=X, U=U, s=s)
            z = (y[:, None, :] @ U)[:, 0]
        else:
            basis = _Basis(Q=U)
            z = ((y[:, None, :] @ X) @ U)[:, 0] / s
    floor = np.zeros(B)
    if n > d:
        floor = np.maximum(0.0, (yy - np.einsum("bk,bk->b", z, z)) / n)
    # the Gram route loses ~eps * cond(X)^2 of orthonormality: fall back to an SVD when X is ill conditioned
    bad = ~((lam[:, -1] > 0) & (lam[:, 0] * _EIGH_MAX_COND2 >= lam[:, -1]))
    if bad.any():
        if basis.Q is None:
            with np.errstate(divide="ignore", invalid="ignore"):
                basis = _Basis(Q=basis.t(np.broadcast_to(np.eye(d), (B, d, d))).swapaxes(1, 2).copy())
        for i in np.flatnonzero(bad):
            Ui, Si, Vt = np.linalg.svd(X[i], full_matrices=False)
            basis.Q[i], s[i], z[i] = Vt.T, Si, Ui.T @ y[i]
            # components of y along null singular directions cannot be fitted: they belong to the floor
            null = Si <= max(n, d) * np.finfo(float).eps * Si[0]
            lost = z[i][null] @ z[i][null]
            z[i][null] = 0.0
            floor[i] = max(0.0, (yy[i] - z[i] @ z[i]) / n) if n > d else lost / n
    return basis, s, z, floor


def _pow2_normalised(M):
    """``M`` (B, r, c) with each instance scaled by a power of two to a largest entry in [0.5, 1) (exact:
    column spans and every rank test unchanged, bit for bit, at ordinary scales; all-zero instances kept).
    Without it, weights near 1e-165 square to zero and pass any rank test."""
    return np.ldexp(M, -_pow2_exponent(M)[:, None, None])


def _pow2_exponent(M):
    """Per instance, the ``e`` with ``max |M[i]|`` in ``[2^(e-1), 2^e)`` (1 for an all-zero instance)."""
    amax = np.max(np.abs(M), axis=(1, 2)) if M.size else np.zeros(M.shape[0])
    return np.frexp(np.where(amax > 0, amax, 1.0))[1]


_RANK_RTOL = 1e-13       # hidden-subspace rank cut-off, relative to the largest pivot
_SKETCH = 16             # wide hidden layers: ranks below this are found on a random sketch


def _span(M, rtol=_RANK_RTOL):
    """Orthonormal bases (B, m, h) of the column spans of M (B, m, p), h <= p the largest numerical rank.

    Candidate rank from the Gram eigenvalues, then a Householder QR of the dominant directions, kept
    only if the residual ``||M - V V^T M||_F <= rtol ||M||_F`` is verified directly (else the full QR
    of M, so containment always holds to rounding). Columns beyond an instance's own rank are zero,
    which is exact for the dynamics (zero coordinates stay zero).
    """
    B, m, p = M.shape
    M = _pow2_normalised(M)              # spans unchanged; no under/overflow in the Gram and residual norms
    outs = []
    for i in range(B):
        Mi = M[i]
        if p < m:
            Qi, R = np.linalg.qr(Mi)
            diag = np.abs(np.diag(R))
            if diag.size and diag.min() > 1e-8 * diag.max():    # clearly full column rank: keep all
                outs.append(Qi)
                continue
        lam, E = np.linalg.eigh(Mi.T @ Mi)
        r = int(np.sum(lam > 1e-14 * lam[-1])) if lam[-1] > 0 else 1
        Vi = None
        if r < p:
            Vi = np.linalg.qr(Mi @ E[:, p - r:])[0]
            res = Mi - Vi @ (Vi.T @ Mi)
            if np.sqrt(np.einsum("ij,ij->", res, res)) > rtol * math.sqrt(max(lam[-1], 0.0) * p):
                Vi = None
        outs.append(np.linalg.qr(Mi)[0] if Vi is None else Vi)
    h = max(V.shape[1] for V in outs)
    V = np.zeros((B, m, h))
    for i, Vi in enumerate(outs):
        V[i, :, :Vi.shape[1]] = Vi
    return V


def _width_one(ws, rtol=_RANK_RTOL):
    """Unit vectors ``v_1 .. v_{L-1}`` (each (B, m, 1)) and ``W_1 v_1`` if every hidden layer of every
    instance is rank one along them (the balanced rank-one state of docs/background.md §2.4), else None.

    Checked on a fixed Gaussian sketch: ``||(W_l - (W_l v_l) v_l^T) Omega||_F <= rtol ||W_l Omega||_F``
    with 8 columns (no cancellation, cost O(8 d m)); a residual that the sketch misses is below
    ``rtol`` up to a chi-square(8) factor, far beyond any practical probability.
    """
    w = _pow2_normalised(ws[-1])                     # directions only: exact scaling, no underflow in norms
    nrm = np.linalg.norm(w[..., 0], axis=1)
    if np.any(nrm == 0):
        return None
    m = w.shape[1]
    omega = np.random.default_rng(12345).standard_normal((m, 8))
    vs = [w / nrm[:, None, None]]
    for W in reversed(ws[:-1]):
        if W.shape[2] != m:
            return None
        WvO = W @ np.concatenate([vs[0], np.broadcast_to(omega, (W.shape[0], m, 8))], axis=2)  # one pass over W
        W1v = WvO[..., :1]
        WvO = _pow2_normalised(WvO)                  # exact rescaling: the norms below cannot underflow
        Wv, WO = WvO[..., :1], WvO[..., 1:]
        res = WO - Wv @ (np.swapaxes(vs[0], 1, 2) @ omega)
        if np.any(np.sqrt(np.einsum("bij,bij->b", res, res)) > rtol * np.sqrt(np.einsum("bij,bij->b", WO, WO))):
            return None
        if W is not ws[0]:
            nv = np.linalg.norm(Wv[..., 0], axis=1)
            if np.any(nv == 0):
                return None
            vs.insert(0, Wv / nv[:, None, None])
    return vs, W1v                        # W_1 v_1 (B, d, 1), reused by the caller


def _hidden_bases(P10, mats, w0):
    """Orthonormal bases ``V_j`` of the hidden subspaces ``H_j = span(rows of W_j, columns of W_{j+1})``
    (``W_1`` replaced by its row-space part ``P_1(0)``), which gradient descent never leaves
    (docs/deep_linear.md); None where ``H_j`` is all of ``R^m``."""
    layers = [P10] + list(mats[1:]) + [w0[..., None]]
    m = w0.shape[1]
    Vs = []
    for j in range(len(layers) - 1):
        A, C = layers[j], layers[j + 1]
        M = np.concatenate([np.swapaxes(A, 1, 2), C], axis=2)
        if M.shape[2] >= m:
            # wide: look for a low rank on a random sketch, verified directly; else no reduction. M is
            # rescaled first for the residual test below (_span rescales its own argument, the sketch)
            M = _pow2_normalised(M)
            V = _span(M @ np.random.default_rng(j).standard_normal((M.shape[2], _SKETCH)))
            if V.shape[2] >= _SKETCH:
                Vs.append(None)
                continue
            res = M - V @ (np.swapaxes(V, 1, 2) @ M)
            if np.any(np.sqrt(np.einsum("bij,bij->b", res, res))
                      > _RANK_RTOL * np.sqrt(np.einsum("bij,bij->b", M, M))):
                Vs.append(None)
                continue
        else:
            V = _span(M)
        Vs.append(None if V.shape[2] >= m else V)
    return Vs


def _frame(net, X, y, beta_s, reduced, rank_one_checked=False):
    """Return (layers, w, loss, c0f, reconstruct, path); reconstruct(...) -> (beta, build_net).

    Reduced (``X`` given): the loss in the spectral basis, ``W_1 = decay (I - QQ^T) W_1(0) + Q P_1``, and
    every hidden layer restricted to the subspaces it never leaves (width 1 for the rank-one state).
    """
    ws = net.weights
    depth = net.depth
    B, d, m = ws[0].shape
    w0 = ws[-1][..., 0]
    mats = list(ws[:-1])
    if beta_s is not None or not reduced:
        path = ("lazy-full" if reduced else "full") if beta_s is not None else "full"
        loss = _DiagLoss(np.ones((B, d)), beta_s, 1.0, 0.0) if beta_s is not None else _DenseLoss(X, y)

        def reconstruct(layers, w, decay):
            net_ = DeepLinearNet(tuple(layers) + (w[..., None],))
            return net_.beta, lambda: net_
        return mats, w0, loss, 0.0, reconstruct, path

    n = X.shape[1]
    basis, s, z, floor = _row_space(X, y)
    loss = _DiagLoss(s, z, 1.0 / n, floor)
    W10 = ws[0]
    found = None if rank_one_checked else _width_one(ws)
    if found is not None:                            # rank-one state: H_j = span(v_j), no k x m product
        Vs, W1v = found
        P1 = basis.t(W1v)                            # (B, k, 1) = Q^T W_1(0) v_1
        fro_row = np.einsum("bij,bij->b", P1, P1)
        path = "reduced-width1"
    else:
        P10 = basis.t(W10)                           # (B, k, m) = Q^T W_1(0)
        fro_row = np.einsum("bij,bij->b", P10, P10)
        Vs = _hidden_bases(P10, mats, w0)
        P1 = P10 if Vs[0] is None else P10 @ Vs[0]
        path = "reduced-input+hidden" if any(V is not None for V in Vs) else "reduced-input"
    # squared norm of the frozen null-space part (I - QQ^T) W_1(0), by Pythagoras
    c0f = np.maximum(np.einsum("bij,bij->b", W10, W10) - fro_row, 0.0)
    Vt = [None if V is None else np.swapaxes(V, 1, 2) for V in Vs]
    red = [P1]
    for j in range(1, depth - 1):
        W = mats[j]
        if Vt[j - 1] is not None:
            W = Vt[j - 1] @ W
        if Vs[j] is not None:
            W = W @ Vs[j]
        red.append(W)
    c = w0 if Vs[-1] is None else (Vt[-1] @ w0[..., None])[..., 0]

    def lift(j, M):                                  # hidden-j coordinates -> R^m (vectors (B, h) or matrices)
        if Vs[j] is None:
            return M
        return (Vs[j] @ M[..., None])[..., 0] if M.ndim == 2 else Vs[j] @ M

    def reconstruct(layers, w, decay):
        b2 = w
        for j in range(len(layers) - 1, 0, -1):     # b_2 = W_2 ... W_L in hidden-1 coordinates
            b2 = (layers[j] @ b2[..., None])[..., 0]
        b2m = lift(0, b2)                            # in R^m
        frozen = (W10 @ b2m[..., None])[..., 0]      # W_1(0) b_2
        inner = (layers[0] @ b2[..., None]) - decay[:, None, None] * basis.t(frozen[..., None])
        beta = decay[:, None] * frozen + basis.mul(inner)[..., 0]

        def build():
            P = layers[0] if Vs[0] is None else layers[0] @ Vt[0]
            W1 = decay[:, None, None] * W10 + basis.mul(P - decay[:, None, None] * basis.t(W10))
            full = [W1]
            for j in range(1, len(layers)):
                W = layers[j]
                if Vs[j - 1] is not None:
                    W = Vs[j - 1] @ W
                if Vs[j] is not None:
                    W = W @ Vt[j]
                full.append(W)
            return DeepLinearNet(tuple(full) + (lift(len(layers) - 1, w)[..., None],))
        return beta, build
    return red, c, loss, c0f, reconstruct, path


def _gram(X):
    """The smaller Gram matrix, ``X X^T`` (n <= d) or ``X^T X``."""
    n, d = X.shape[1:]
    return X @ np.swapaxes(X, 1, 2) if n <= d else np.swapaxes(X, 1, 2) @ X


def _top_eigenvalue(G):
    """Largest eigenvalue of each symmetric ``G[i]`` (LAPACK dsyevr asked for that one only)."""
    from scipy.linalg import eigh

    p = G.shape[1]
    return np.array([eigh(Gi, eigvals_only=True, subset_by_index=[p - 1, p - 1], driver="evr")[0] for Gi in G])


_GRAM_COND = 0.65        # width-1, n < d: Gram kernel while cond(X X^T) <= this * n, else spectral basis


def _gram_pays(X):
    """Whether the O(n^2)-per-step Gram kernel beats one eigendecomposition plus O(n) steps.

    GD needs about 7 cond(X X^T) steps to converge (measured) and an n x n eigendecomposition costs
    about 4.5 n Gram products (measured at n = 250), hence the rule ``cond <= 0.65 n``, with the
    condition number of Gaussian data, ``((1 + sqrt(n/d)) / (1 - sqrt(n/d)))^2`` (Marchenko-Pastur
    edges). Only the speed depends on this choice: both kernels give the same iterates.
    """
    n, d = X.shape[1:]
    r = math.sqrt(n / d)
    cond = ((1 + r) / (1 - r)) ** 2 if r < 1 else math.inf
    return cond <= _GRAM_COND * n


def _lambda_max(X, G=None):
    """Largest eigenvalue of X^T X / n per instance (from the smaller Gram matrix ``G``)."""
    return _top_eigenvalue(_gram(X) if G is None else G) / X.shape[1]


def _auto_lr(net, X, y, beta_s, loss=None, gram=None, beta=None):
    """Step size ``0.5 / (L * lam_max * max(1, r)^{2 - 2/L})`` (stable for the end-to-end dynamics).

    ``lam_max`` is the top eigenvalue of the loss Hessian / 2 (``X^T X / n``, or 1 for the population
    loss) and ``r`` bounds the end-to-end norm along the run (initial ``||beta||``, target scale).
    """
    L = net.depth
    r = np.linalg.norm(net.beta if beta is None else beta, axis=1)
    if beta_s is not None:
        lam = np.ones(net.instances)
        r = np.maximum(r, np.linalg.norm(beta_s, axis=1))
    else:
        if isinstance(loss, _DiagLoss):          # spectral frame: lam_max = s_max^2 / n, no second eigensolve
            lam = np.max(loss.s, axis=1) ** 2 * loss.scale
        else:
            lam = _lambda_max(X, gram)
        r = np.maximum(r, np.linalg.norm(y, axis=1) / math.sqrt(X.shape[1]))
    return _auto_lr_core(L, lam, r)


def _auto_lr_core(L, lam, r):
    """``0.5 / (L * lam * max(1, r)^{2 - 2/L})``: the automatic step from ``lam_max`` and the norm bound ``r``."""
    return 0.5 / (L * lam * np.maximum(1.0, r) ** (2.0 - 2.0 / L))
