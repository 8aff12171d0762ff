"""Fine-tuning many balanced rank-one networks on the same data: one spectral basis, batched width-1 GD.

From the balanced rank-one state with end-to-end vector ``b`` (docs/background.md §2.4: ``W_1 = a u_1
u_2^T``, ``W_l = a u_l u_{l+1}^T``, ``W_L = a u_L``, ``a = ||b||^{1/L}``) gradient descent keeps every
hidden layer rank one (the width-1 dynamics of :mod:`.width1`); the row-space part of ``W_1 v_1`` is
``a Q^T u_1`` and every scalar layer starts at ``a``. The hidden directions ``u_2 .. u_L`` are a gauge
that the end-to-end vector never sees, so only ``beta`` is returned. The spectral basis ``Q`` of each
data set is computed once and shared by all the pretrained vectors fine-tuned on it, which is what
makes a row of source angles on one target task cheap.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ftheory._checks import check_int, check_real
from ftheory.params import PARAMS
from ftheory.simulate._threads import single_blas_thread
from ftheory.simulate.deep_linear.spectral import _DiagLoss, _auto_lr_core, _row_space
from ftheory.simulate.deep_linear.width1 import run_width1

__all__ = ["RankOneFineTune", "finetune_rank_one"]


@dataclass(frozen=True)
class RankOneFineTune:
    """Outcome of :func:`finetune_rank_one`; every array has leading shape ``(G, B)``.

    ``beta`` (G, B, d) final end-to-end vectors; ``steps``, ``loss``, ``floor``, ``grad_norm``,
    ``converged``, ``diverged``, ``lr`` as in :class:`ftheory.simulate.deep_linear.TrainResult`.
    """

    beta: np.ndarray
    steps: np.ndarray
    loss: np.ndarray
    floor: np.ndarray
    grad_norm: np.ndarray
    converged: np.ndarray
    diverged: np.ndarray
    lr: np.ndarray
    path: str = "reduced-width1-shared"


@single_blas_thread
def finetune_rank_one(beta_pre, X, y, *, depth=2, lr=None, lr_factor=1.0, max_steps=10000, tol=1e-6,
                      grad_tol=None, wd=0.0, early_stop=True) -> RankOneFineTune:
    """Fine-tune (GD, every layer) the balanced rank-one networks with end-to-end vectors ``beta_pre`` on ``(X, y)``.

    Same iterates, criterion and step rule as ``finetune(pretrained_state(beta_pre[g]), X, y)`` for each
    ``g`` (tested to rounding), at O(min(n, d)) per step after one eigendecomposition per data set.

    Parameters
    ----------
    beta_pre : array (G, B, d) or (B, d)
        Non-zero pretrained end-to-end vectors; ``G`` of them per data set.
    X, y : arrays (B, n, d), (B, n)
    depth : int >= 2
    lr : float, array (B,) or None
        Step size; None takes the automatic step of :func:`ftheory.simulate.deep_linear.train` for each
        pretrained vector, times ``lr_factor``.
    lr_factor : float > 0
    max_steps, tol, grad_tol, wd, early_stop
        As in :func:`ftheory.simulate.deep_linear.train`.
    """
    beta_pre = np.asarray(beta_pre, dtype=float)
    single = beta_pre.ndim == 2
    if single:
        beta_pre = beta_pre[None]
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    if (beta_pre.ndim != 3 or X.ndim != 3 or y.shape != X.shape[:2]
            or beta_pre.shape[1:] != (X.shape[0], X.shape[2])):
        raise ValueError(f"beta_pre, X, y must have shapes (G, B, d), (B, n, d), (B, n); got {beta_pre.shape}, "
                         f"{X.shape}, {y.shape}")
    if not (np.all(np.isfinite(beta_pre)) and np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError("beta_pre, X and y must be finite")
    depth = int(PARAMS["depth"].validate(depth))
    max_steps = check_int("max_steps", max_steps, 0)
    tol = check_real("tol", tol)
    grad_tol = tol if grad_tol is None else check_real("grad_tol", grad_tol)
    wd = check_real("wd", wd)
    lr_factor = check_real("lr_factor", lr_factor, 0.0, low_open=True, domain="(0, inf)")
    G, B, d = beta_pre.shape
    n = X.shape[1]
    r = np.linalg.norm(beta_pre, axis=2)                              # (G, B)
    if np.any(r == 0):
        raise ValueError("beta_pre must be non-zero: the rank-one pretrained state needs a direction")
    basis, s, z, floor = _row_space(X, y)
    k = s.shape[1]
    a = r ** (1.0 / depth)
    u1 = beta_pre / r[..., None]
    P = np.stack([basis.t(u1[g][..., None])[..., 0] for g in range(G)])     # (G, B, k) = Q^T u_1
    if lr is None:
        lam = np.max(s, axis=1) ** 2 / n                                 # top eigenvalue of X^T X / n
        ry = np.linalg.norm(y, axis=1) / np.sqrt(n)
        lr = lr_factor * _auto_lr_core(depth, lam[None, :], np.maximum(r, ry[None, :]))
    else:
        arr = np.asarray(lr, dtype=float)
        if arr.ndim > 1 or (arr.ndim == 1 and arr.shape[0] != B) or not np.all(np.isfinite(arr)) \
                or np.any(arr <= 0):
            raise ValueError(f"lr={lr!r} is invalid: expected None, a positive number or one per data set ({B})")
        lr = lr_factor * np.broadcast_to(arr, (G, B)).astype(float)
    if wd and np.any(lr * wd >= 1.0):
        raise ValueError(f"wd={wd!r} is invalid with lr={lr.max():g}: expected lr * wd < 1")
    tile = lambda A: np.broadcast_to(A, (G,) + A.shape).reshape((G * B,) + A.shape[1:])  # noqa: E731
    loss = _DiagLoss(tile(s), tile(z), 1.0 / n, tile(floor))
    af = a.reshape(G * B)
    layers = [(a[..., None] * P).reshape(G * B, k, 1)] + [af[:, None, None].copy() for _ in range(depth - 2)]
    # ||(I - QQ^T) W_1(0)||_F^2 = a^2 (1 - ||Q^T u_1||^2): the frozen part, for the weight-decay penalty
    c0f = np.maximum(a * a * (1.0 - np.einsum("gbk,gbk->gb", P, P)), 0.0).reshape(G * B)
    out = run_width1(layers, af[:, None].copy(), loss, lr=lr.reshape(G * B), wd=wd, max_steps=max_steps, tol=tol,
                     grad_tol=grad_tol, early_stop=bool(early_stop), c0f=c0f)
    S = out["w"][:, 0] * np.prod(np.stack([L[:, 0, 0] for L in out["layers"][1:]] + [np.ones(G * B)]), axis=0)
    x, decay = out["layers"][0][:, :, 0], out["decay"]
    # beta = W_1 b_2 = decay S a (I - QQ^T) u_1 + Q (S x)  =  decay S a u_1 + Q (S x - decay S a Q^T u_1)
    coef = ((S[:, None] * x) - (decay * S * af)[:, None] * P.reshape(G * B, k)).reshape(G, B, k)
    beta = (decay * S * af).reshape(G, B)[..., None] * u1
    beta = beta + np.stack([basis.mul(coef[g][..., None])[..., 0] for g in range(G)])
    shape = (G, B)
    fields = {"beta": beta, "steps": out["steps"].reshape(shape), "loss": (out["excess"] + out["floor"]).reshape(shape),
              "floor": out["floor"].reshape(shape), "grad_norm": out["grad_norm"].reshape(shape),
              "converged": out["converged"].reshape(shape), "diverged": out["diverged"].reshape(shape),
              "lr": lr.reshape(shape)}
    return RankOneFineTune(**{k_: v[0] if single else v for k_, v in fields.items()})
