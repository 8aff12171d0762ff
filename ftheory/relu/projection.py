"""Projection of a ReLU target onto the span of a set of ReLU features, exactly from Gram matrices.

docs/background.md §10.3. The target is the teacher network
``f_t(x) = (1/m*) sum_j c_j relu(w*_j . x)`` with ``m* = len(c_t)``, the feature space is
``H = span{relu(b_i . x)}`` for the rows ``b_i`` of a basis matrix, and everything lives in
``L^2(N(0, I_d))``. With the kernel Gram matrices of :func:`ftheory.relu.kernel.gram`

    ||f_t||^2 = c^T K_tt c / m*^2,    v = K_bt c / m*,    ||P_H f_t||^2 = v^T K_bb^+ v,

and ``||P_H^perp f_t||^2 = ||f_t||^2 - ||P_H f_t||^2``. No sampling is involved.

Numerics
--------
``K_bb^+`` is the pseudo-inverse of the symmetric PSD matrix ``K_bb`` from its eigendecomposition,
keeping eigenvalues above ``rcond * max eigenvalue``. This *is* an orthogonal projection (onto the
span of the retained eigenfunctions), so ``inside_sq <= norm_sq`` holds up to rounding. Rounding can
make ``norm_sq - inside_sq`` slightly negative; values down to ``-OUTSIDE_TOLERANCE * norm_sq``
(plus a tiny absolute floor) are reported as 0, anything more negative raises ``RuntimeError``
(it would mean the Gram matrices are numerically unreliable; raise ``rcond``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ftheory._checks import check_real, psd_eigh
from ftheory.relu.kernel import _as_weights, gram

__all__ = ["Projection", "project_onto_span", "teacher_projection", "DEFAULT_RCOND", "OUTSIDE_TOLERANCE"]

#: Relative eigenvalue cut-off of the pseudo-inverse of the basis Gram matrix.
DEFAULT_RCOND = 1e-10
#: Relative rounding tolerance below which a negative ``outside_sq`` is reported as 0.
OUTSIDE_TOLERANCE = 1e-8
_ABS_FLOOR = 1e-300


@dataclass(frozen=True)
class Projection:
    """Decomposition ``||f_t||^2 = ||P f_t||^2 + ||P^perp f_t||^2`` in ``L^2(N(0, I_d))``.

    Attributes
    ----------
    norm_sq : float
        ``||f_t||^2 = E_x[f_t(x)^2]``.
    inside_sq : float
        ``||P f_t||^2``: the part explained by the feature space.
    outside_sq : float
        ``||P^perp f_t||^2 >= 0``: the part outside (the linear-transfer floor of docs/background.md §10.4).
    fraction : float
        ``outside_sq / norm_sq`` in ``[0, 1]`` (the analogue of ``sin^2 theta``); 0 when ``norm_sq = 0``.
    """

    norm_sq: float
    inside_sq: float
    outside_sq: float
    fraction: float


def _as_matrix(W, name: str, allow_empty: bool = False) -> np.ndarray:
    return _as_weights(W, name, min_rows=0 if allow_empty else 1,
                       requirement="at least one neuron and input dimension >= 1")


def _as_coefficients(c, m: int) -> np.ndarray:
    try:
        arr = np.asarray(c, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("c_t is not a numeric array") from None
    if arr.ndim != 1 or arr.shape[0] != m:
        raise ValueError(f"c_t must be a 1-D array of length {m} (one read-out weight per row of W_t), "
                         f"got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("c_t contains non-finite entries")
    return arr


def _project(K_tt, K_bt, K_bb, c, rcond) -> Projection:
    m = c.shape[0]
    norm_sq = float(c @ K_tt @ c) / m ** 2
    norm_sq = max(norm_sq, 0.0)
    if K_bb.shape[0] == 0:
        inside_sq = 0.0
    else:
        v = K_bt @ c / m
        evals, evecs = psd_eigh(K_bb, rcond)
        coords = evecs.T @ v
        inside_sq = float(np.sum(coords ** 2 / evals))
    outside_sq = norm_sq - inside_sq
    if outside_sq < 0:
        if outside_sq < -(OUTSIDE_TOLERANCE * norm_sq + _ABS_FLOOR):
            raise RuntimeError(f"projection is numerically unreliable: ||f||^2 = {norm_sq:.6g} but "
                               f"||P f||^2 = {inside_sq:.6g}; increase rcond (now {rcond:g})")
        outside_sq = 0.0
        inside_sq = norm_sq
    fraction = outside_sq / norm_sq if norm_sq > 0 else 0.0
    return Projection(norm_sq=norm_sq, inside_sq=inside_sq, outside_sq=outside_sq,
                      fraction=min(max(fraction, 0.0), 1.0))


def _check_rcond(rcond) -> float:
    return check_real("rcond", rcond, 0.0, 1.0, high_open=True, description="relative eigenvalue cut-off", allow_bool=True)


def project_onto_span(W_t, c_t, W_basis, rcond: float = DEFAULT_RCOND) -> Projection:
    """Project the teacher ``f_t`` onto ``span{relu(b_i . x)}`` (rows ``b_i`` of ``W_basis``).

    Parameters
    ----------
    W_t : array_like, shape (m*, d)
        Target teacher neurons (any norms).
    c_t : array_like, shape (m*,)
        Target read-out weights; ``f_t(x) = (1/m*) sum_j c_j relu(W_t[j] . x)``.
    W_basis : array_like, shape (p, d)
        Neurons spanning the feature space (e.g. the kept teacher neurons, or a pretrained student's
        first layer); ``p = 0`` gives the empty space (``fraction = 1``). Output weights of the
        source network do not matter, only the span.
    rcond : float, default 1e-10
        Relative eigenvalue cut-off of the pseudo-inverse of the basis Gram matrix.

    Returns
    -------
    Projection

    Raises
    ------
    ValueError
        Bad shapes, non-finite entries, mismatched input dimensions, ``rcond`` outside ``[0, 1)``.

    Notes
    -----
    docs/background.md §10.3 (explicit form [EXT]); exact in ``L^2(N(0, I_d))``, no sampling.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> W = rng.standard_normal((5, 3)); c = rng.standard_normal(5)
    >>> project_onto_span(W, c, W).fraction < 1e-10
    True
    """
    Wt = _as_matrix(W_t, "W_t")
    c = _as_coefficients(c_t, Wt.shape[0])
    Wb = _as_matrix(W_basis, "W_basis", allow_empty=True)
    if Wb.shape[1] != Wt.shape[1]:
        raise ValueError(f"W_basis has input dimension {Wb.shape[1]} but W_t has {Wt.shape[1]}")
    r = _check_rcond(rcond)
    K_tt = gram(Wt)
    if Wb.shape[0] == 0:
        return _project(K_tt, np.zeros((0, Wt.shape[0])), np.zeros((0, 0)), c, r)
    return _project(K_tt, gram(Wb, Wt), gram(Wb), c, r)


def _as_keep(keep, m: int) -> np.ndarray:
    arr = np.asarray(keep)
    if arr.dtype == bool:
        if arr.shape != (m,):
            raise ValueError(f"keep as a boolean mask must have shape ({m},), got {arr.shape}")
        return np.flatnonzero(arr)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"keep must be a 1-D index array or boolean mask, got shape {arr.shape}")
    if arr.size == 0:
        return arr.astype(np.int64)
    if not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"keep must hold integer indices or booleans, got dtype {arr.dtype}")
    if arr.min() < -m or arr.max() >= m:
        raise ValueError(f"keep has an index out of range for {m} teacher neurons")
    return np.unique(np.where(arr < 0, arr + m, arr))


def teacher_projection(W_t, c_t, keep, rcond: float = DEFAULT_RCOND) -> Projection:
    """Project the teacher onto the span of its own kept neurons (the source teacher, docs/background.md §10.1).

    Parameters
    ----------
    W_t : array_like, shape (m*, d)
        Target teacher neurons.
    c_t : array_like, shape (m*,)
        Target read-out weights.
    keep : array_like
        Kept set ``S``: integer indices into the rows of ``W_t`` (duplicates ignored, negative
        indices allowed) or a boolean mask of length ``m*``. The paper removes a fraction ``mu``.
    rcond : float, default 1e-10
        As in :func:`project_onto_span`.

    Returns
    -------
    Projection
        Computed from the single teacher Gram matrix ``K`` (``K_SS`` and ``(K c)_S``).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> W = rng.standard_normal((6, 4)); c = rng.standard_normal(6)
    >>> teacher_projection(W, c, np.arange(6)).outside_sq
    0.0
    """
    Wt = _as_matrix(W_t, "W_t")
    c = _as_coefficients(c_t, Wt.shape[0])
    idx = _as_keep(keep, Wt.shape[0])
    r = _check_rcond(rcond)
    K = gram(Wt)
    return _project(K, K[idx, :], K[np.ix_(idx, idx)], c, r)
