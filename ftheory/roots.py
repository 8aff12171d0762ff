"""Vectorised root finding for implicit closed forms (SymPy-free runtime module).

The gradient-flow fine-tuning scale of docs/background.md §6.3–§6.4 is the unique positive root of a
polynomial with a symbolic degree. With ``w = c^(2/(L-1))`` and ``A = a/r^2``, ``B = b/r^2`` the
equation ``r^2 c^(2L/(L-1)) - a c^2 - b = 0`` becomes

    p(w) = w^L - A w^(L-1) - B = 0,        A >= 0,  B >= 0,  L >= 1,

whose positive root is unique: ``p(w)/w^(L-1) = w - A - B w^(1-L)`` is increasing on ``w > 0`` and
runs from ``-inf`` (or ``-A`` when ``B = 0``) to ``+inf``. This module evaluates that root

* :func:`positive_root` — in float64, vectorised over NumPy arrays (broadcasting);
* :func:`positive_root_mp` — in mpmath at the working precision (scalars).

It is the runtime side of the SymPy function ``PositiveRoot`` (``ftheory.theory.finetune``): the
generated evaluators call these functions, so evaluating a result never imports SymPy.

Method
------
Bracket: with ``s = max(A, B^(1/L))`` the root lies in ``[s, 2 s]``: ``p(A) = -B <= 0``,
``p(B^(1/L)) = -A B^((L-1)/L) <= 0`` and ``p(A + B^(1/L)) = B^(1/L) ((A + B^(1/L))^(L-1) - B^((L-1)/L))
>= 0``. Scaling ``w = s x`` gives

    f(x) = x - alpha - beta x^(1-L) = 0,   alpha = A/s <= 1,  beta = (B^(1/L)/s)^L <= 1,

with the root in ``[1, 2]`` and no overflow for any ``L``. ``f`` is increasing and concave, so
Newton's method started at ``x = 1`` (where ``f <= 0``) increases monotonically to the root and
converges quadratically; the iteration stops when it no longer increases (machine precision).
``A = B = 0`` gives ``w = 0`` (the limit).

Examples
--------
>>> float(positive_root(2, 0.5, 1.5))      # w^2 - 0.5 w - 1.5 = 0
1.5
>>> import mpmath
>>> with mpmath.workdps(30):
...     print(positive_root_mp(2, mpmath.mpf("0.5"), mpmath.mpf("1.5")))
1.5
"""
from __future__ import annotations

import numpy as np

__all__ = ["positive_root", "positive_root_mp", "scaled_root"]

_MAX_ITER = 200


def positive_root(L, A, B):
    """Unique positive root ``w`` of ``w^L - A w^(L-1) - B`` (float64, vectorised).

    Parameters
    ----------
    L : array_like, >= 1
        Degree (``depth`` in §6.4); need not be an integer.
    A, B : array_like, >= 0, finite
        Coefficients (broadcast against ``L``).

    Returns
    -------
    numpy.ndarray or numpy.float64
        The root (``0`` where ``A = B = 0``), of the broadcast shape; a NumPy scalar for scalar
        inputs. No floating-point warnings are raised for valid inputs.
    """
    L, A, B = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (L, A, B)))
    shape = L.shape
    L, A, B = (np.ravel(v) for v in (L, A, B))
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        b_root = np.where(B > 0, B, 1.0) ** (1.0 / L)
        b_root = np.where(B > 0, b_root, 0.0)
        s = np.maximum(A, b_root)
        zero = s == 0
        s_safe = np.where(zero, 1.0, s)
        alpha = A / s_safe
        beta = (b_root / s_safe) ** L          # in [0, 1]; underflow to 0 is harmless
        x = scaled_root(L, np.where(zero, 1.0, alpha), np.where(zero, 0.0, beta))
    out = np.where(zero, 0.0, s_safe * x).reshape(shape)
    return out[()] if out.ndim == 0 else out


def scaled_root(L, alpha, beta):
    """Root ``x`` of ``f(x) = x - alpha - beta x^(1-L)`` for ``0 <= alpha, beta`` with ``max(alpha, beta) = 1``.

    The scaled problem of :func:`positive_root` (``w = s x``), for callers that hold ``A`` and ``B`` in
    another form than float64 numbers (e.g. as logarithms, :mod:`ftheory.stable_finetune`). 1-D float
    arrays of one length; the root lies in ``[1, 2]`` (``x = alpha`` where ``beta = 0``). Monotone
    Newton from ``x = 1``, stopped when an iterate no longer increases.
    """
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        x = np.where(beta > 0, 1.0, alpha)
        active = beta > 0                      # beta = 0: the root is x = alpha
        for _ in range(_MAX_ITER):
            if not active.any():
                break
            xa, aa, ba, La = x[active], alpha[active], beta[active], L[active]
            p = xa ** (-La)                    # x in [1, 2]: p in (0, 1]
            f = xa - aa - ba * xa * p
            fp = 1.0 + (La - 1.0) * ba * p
            new = xa - f / fp
            grew = new > xa
            idx = np.flatnonzero(active)
            x[idx[grew]] = new[grew]
            active[idx[~grew]] = False
    return x


def positive_root_mp(L, A, B):
    """Unique positive root ``w`` of ``w^L - A w^(L-1) - B`` in mpmath at the working precision.

    Same monotone Newton iteration as :func:`positive_root`, on mpmath scalars; the last step is
    polished until it no longer moves the iterate, so the result is correct to the working
    precision (``mpmath.mp.dps``). Inputs may be mpf, int, float or numeric strings.
    """
    import mpmath

    L, A, B = mpmath.mpf(L), mpmath.mpf(A), mpmath.mpf(B)
    if A < 0 or B < 0 or L < 1:
        raise ValueError(f"positive_root_mp: expected L >= 1, A >= 0, B >= 0; got {L}, {A}, {B}")
    b_root = B ** (1 / L) if B > 0 else mpmath.mpf(0)
    s = max(A, b_root)
    if s == 0:
        return mpmath.mpf(0)
    alpha = A / s
    beta = (b_root / s) ** L
    if beta == 0:
        return A
    x = mpmath.mpf(1)
    for _ in range(_MAX_ITER + mpmath.mp.prec):
        p = x ** (-L)
        f = x - alpha - beta * x * p
        fp = 1 + (L - 1) * beta * p
        new = x - f / fp
        if new <= x:
            break
        x = new
    return s * x
