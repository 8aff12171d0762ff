"""Closed-form batched linear-regression estimators: min-norm, ridge and the read-outs refit on frozen
features (docs/background.md §3.1, §3.5, §4.1, §4.5); re-exported by :mod:`ftheory.simulate.linear`."""
from __future__ import annotations

import numpy as np

from ftheory.simulate._linear_core import (_as_batch, _check_lam, _check_rcond, _matvec, _solve_from_svd,
                                           _svd)

__all__ = ["min_norm", "ridge", "linear_transfer_readout", "rank_k_readout"]


def min_norm(X, y, *, rcond=None):
    """Minimum-norm least-squares solution ``X^+ y`` (scratch training, docs/background.md §3.1).

    Computed per instance by :func:`numpy.linalg.lstsq` (LAPACK ``gelsd``, an SVD-based solver):
    ``V diag(1/s) U^T y`` over the singular values ``s > rcond * s_max`` (numerically null
    directions get coefficient 0). No normal equations are formed; stable at ``n = d``.
    ``gelsd`` is about twice as fast as an explicit SVD because it never forms ``U``.

    Parameters
    ----------
    X : array_like, shape (instances, n, d) or (n, d)
        Inputs, one design matrix per instance.
    y : array_like, shape (instances, n) or (n,)
        Labels.
    rcond : float >= 0 or None, keyword-only
        Relative cut-off for small singular values; default ``max(n, d) * eps``.

    Returns
    -------
    numpy.ndarray, shape (instances, d) (or (d,) for unbatched input)

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.standard_normal((3, 5, 8)), rng.standard_normal((3, 5))
    >>> b = min_norm(X, y)
    >>> np.allclose(b[1], np.linalg.pinv(X[1]) @ y[1])
    True
    """
    X, y, single = _as_batch(X, y)
    _, n, d = X.shape
    rcond = _check_rcond(rcond, n, d)
    beta = np.empty(X.shape[::2])
    for i in range(X.shape[0]):
        # LAPACK gelsd: SVD-based least squares, applies U^T to y without forming U.
        beta[i] = np.linalg.lstsq(X[i], y[i], rcond=rcond)[0]
    return beta[0] if single else beta


def ridge(X, y, lam, *, rcond=None):
    """Ridge solution of ``(1/n)||y - X c||^2 + lam ||c||^2`` (docs/background.md §0.2 item 7, §3.5).

    Returns ``(X^T X + n lam I)^{-1} X^T y`` computed as ``V diag(s/(s^2 + n lam)) U^T y`` from
    the thin SVD of each instance. Singular values below ``rcond * s_max`` are treated as exactly
    zero (their filter factor is set to 0) for every ``lam``, so the map is continuous as
    ``lam -> 0+``; ``lam = 0`` is delegated to :func:`min_norm` and returns its result exactly.
    For ``lam > 0`` the dropped terms are at most ``rcond * s_max |u^T y| / (n lam)``.

    Parameters
    ----------
    X : array_like, shape (instances, n, d) or (n, d)
    y : array_like, shape (instances, n) or (n,)
    lam : float >= 0
        Ridge penalty (validated as ``PARAMS["lam"]``).
    rcond : float >= 0 or None, keyword-only
        Relative singular-value cut-off; default ``max(n, d) * eps``.

    Returns
    -------
    numpy.ndarray, shape (instances, d) (or (d,) for unbatched input)

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> X, y = rng.standard_normal((6, 4)), rng.standard_normal(6)
    >>> c = ridge(X, y, 0.3)
    >>> np.allclose(c, np.linalg.solve(X.T @ X + 6 * 0.3 * np.eye(4), X.T @ y))
    True
    """
    X, y, single = _as_batch(X, y)
    lam = _check_lam(lam)
    _, n, d = X.shape
    rcond = _check_rcond(rcond, n, d)
    if lam == 0.0:
        beta = min_norm(X, y, rcond=rcond)
    else:
        U, s, Vt = _svd(X)
        beta = _solve_from_svd(U, s, Vt, y, n, lam, rcond)
    return beta[0] if single else beta


def linear_transfer_readout(X, y, feature, lam=0.0, *, scale=None):
    """Read-out refit on one frozen feature direction (linear transfer, docs/background.md §4.1).

    With ``u = feature / ||feature||`` and ``z = X u`` the refit read-out gives
    ``beta_lt = b u``, ``b = z^T y / (||z||^2 + n lam_eff)``, ``lam_eff = lam / scale^2``.
    For the deep linear net in the balanced rank-one state (§2.4) ``feature`` is the column
    direction of ``Phi`` and ``scale`` its feature norm ``||beta_s||^{(L-1)/L}``. With the default
    ``scale = ||feature||`` the result equals ridge with penalty ``lam`` on the one-column feature
    matrix ``F = X feature``, mapped back as ``beta = feature * c``. At ``lam = 0`` it is the
    least-squares fit and does not depend on ``scale``. If ``z = 0`` and ``lam = 0`` the
    minimum-norm read-out ``b = 0`` is returned. The scalar formula is used, never the ``d x d``
    rank-one system (§4.1 *Numerics*).

    Parameters
    ----------
    X : array_like, shape (instances, n, d) or (n, d)
    y : array_like, shape (instances, n) or (n,)
    feature : array_like, shape (instances, d) or (d,)
        Frozen feature vector (need not have unit norm; must be nonzero).
    lam : float >= 0
        Ridge penalty on the read-out (``PARAMS["lam"]``).
    scale : float > 0 or array_like of shape (instances,), keyword-only
        Feature norm ``s^{L-1}``; default ``||feature||``.

    Returns
    -------
    numpy.ndarray, shape (instances, d) (or (d,) for unbatched input)

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> X, y, f = rng.standard_normal((30, 10)), rng.standard_normal(30), rng.standard_normal(10)
    >>> F = X @ f
    >>> np.allclose(linear_transfer_readout(X, y, f), f * (F @ y) / (F @ F))
    True
    """
    X, y, single = _as_batch(X, y)
    lam = _check_lam(lam)
    b_count, n, d = X.shape
    feature = np.asarray(feature, dtype=float)
    if feature.shape not in ((d,), (b_count, d)):
        raise ValueError(f"feature has shape {feature.shape}; expected ({b_count}, {d}) or ({d},)")
    feature = np.broadcast_to(feature, (b_count, d))
    norm = np.linalg.norm(feature, axis=-1)
    if not np.all(np.isfinite(norm)) or np.any(norm == 0):
        raise ValueError("feature must be finite with nonzero norm in every instance")
    if scale is None:
        scale = norm
    else:
        scale = np.asarray(scale, dtype=float)
        if scale.shape not in ((), (b_count,)) or not np.all(np.isfinite(scale)) or np.any(scale <= 0):
            raise ValueError(f"scale={scale!r} is invalid: expected a positive number or an array of "
                             f"shape ({b_count},) of positive numbers")
        scale = np.broadcast_to(scale, (b_count,))
    u = feature / norm[:, None]
    z = _matvec(X, u)
    zz = np.einsum("bn,bn->b", z, z)
    zy = np.einsum("bn,bn->b", z, y)
    den = zz + n * (lam / scale**2)
    b = np.divide(zy, den, out=np.zeros_like(zy), where=den > 0)
    beta = b[:, None] * u
    return beta[0] if single else beta


def rank_k_readout(X, y, U, lam=0.0, *, rcond=None):
    """Read-out refit on a frozen k-dimensional feature space (docs/background.md §4.5).

    Least squares (``lam = 0``, minimum-norm via SVD) or ridge (``lam > 0``, convention §0.2
    item 7) on the features ``Z = X U``; returns ``beta = U c``. For orthonormal ``U`` the
    penalty ``lam ||c||^2`` equals ``lam ||beta||^2``.

    Parameters
    ----------
    X : array_like, shape (instances, n, d) or (n, d)
    y : array_like, shape (instances, n) or (n,)
    U : array_like, shape (instances, d, k) or (d, k)
        Orthonormal basis of the feature space (columns).
    lam : float >= 0
    rcond : float >= 0 or None, keyword-only
        Relative singular-value cut-off for ``Z``; default ``max(n, k) * eps``.

    Returns
    -------
    numpy.ndarray, shape (instances, d) (or (d,) for unbatched input)

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> X, y = rng.standard_normal((20, 6)), rng.standard_normal(20)
    >>> U = np.linalg.qr(rng.standard_normal((6, 2)))[0]
    >>> c = np.linalg.lstsq(X @ U, y, rcond=None)[0]
    >>> np.allclose(rank_k_readout(X, y, U), U @ c)
    True
    """
    X, y, single = _as_batch(X, y)
    b_count, n, d = X.shape
    U = np.asarray(U, dtype=float)
    if U.ndim == 2:
        U = U[None]
    if U.ndim != 3 or U.shape[1] != d or U.shape[0] not in (1, b_count):
        raise ValueError(f"U has shape {U.shape}; expected ({b_count}, {d}, k) or ({d}, k)")
    U = np.broadcast_to(U, (b_count,) + U.shape[1:])
    c = ridge(np.matmul(X, U), y, lam, rcond=rcond)
    beta = np.matmul(U, c[..., None])[..., 0]
    return beta[0] if single else beta
