"""Where linear transfer stops helping, read off simulated transferability curves (docs/background.md §10.5).

The paper's boundary ``n*(mu) = (A / ||P^perp f_t||^2)^{1/nu}`` (:func:`ftheory.relu.powerlaw.boundary_n`)
is a prediction; :func:`empirical_crossing` finds the simulated crossing of one instance, and
:func:`crossing_ratio_summary` compares the two instance by instance (the crossing's absolute ``n``
depends strongly on the teacher drawn, the ratio much less).
"""
from __future__ import annotations

import numpy as np

__all__ = ["empirical_crossing", "crossing_ratio_summary"]


def empirical_crossing(ns, T) -> np.ndarray:
    """Sample size at which ``T(n)`` last changes sign from positive to non-positive, per row.

    Parameters
    ----------
    ns : array_like, shape (N,)
        Increasing positive sample sizes.
    T : array_like, shape (..., N)
        Transferability ``R_sc - R_tx`` at ``ns`` (any units).

    Returns
    -------
    ndarray, shape (...)
        The zero of the log-linear interpolation of ``T`` against ``log n`` between the last grid point
        with ``T > 0`` and the next one; ``inf`` when ``T > 0`` at the largest ``n`` (crossing above
        the grid), ``0`` when ``T <= 0`` everywhere (below the grid).

    Examples
    --------
    >>> round(float(empirical_crossing([10, 100], [1.0, -1.0])), 9)  # sqrt(10 * 100)
    31.622776602
    """
    n = np.asarray(ns, dtype=float)
    T = np.asarray(T, dtype=float)
    if n.ndim != 1 or n.size < 2 or np.any(n <= 0) or np.any(np.diff(n) <= 0) or not np.all(np.isfinite(n)):
        raise ValueError(f"ns={ns!r} is invalid: expected at least 2 increasing positive sample sizes")
    if T.shape[-1:] != n.shape or not np.all(np.isfinite(T)):
        raise ValueError(f"T has shape {T.shape}: expected finite values of shape (..., {n.size})")
    x = np.log(n)
    flat = T.reshape(-1, n.size)
    out = np.empty(flat.shape[0])
    for r, row in enumerate(flat):
        pos = np.flatnonzero(row > 0)
        if pos.size == 0:
            out[r] = 0.0
        elif pos[-1] == n.size - 1:
            out[r] = np.inf
        else:
            k = pos[-1]
            t = row[k] / (row[k] - row[k + 1])
            out[r] = np.exp(x[k] + t * (x[k + 1] - x[k]))
    return out.reshape(T.shape[:-1]) if T.ndim > 1 else out[0]


def crossing_ratio_summary(crossing, predicted) -> dict:
    """Per-instance ratio ``crossing / predicted`` summarised: median, range and how many fall outside the grid.

    Parameters
    ----------
    crossing : array_like, shape (I,)
        :func:`empirical_crossing` per instance (``0``: below the grid, ``inf``: above).
    predicted : array_like, shape (I,)
        Predicted boundary per instance (``inf``: transfer never hurts).

    Returns
    -------
    dict
        ``median``, ``low``, ``high`` of the finite ratios (None if there are none), ``count`` of
        finite ratios, ``below`` and ``above`` (instances whose crossing lies outside the grid).
    """
    c = np.asarray(crossing, dtype=float)
    p = np.asarray(predicted, dtype=float)
    if c.shape != p.shape or c.ndim != 1:
        raise ValueError(f"crossing {c.shape} and predicted {p.shape} must be 1-D arrays of one length")
    ok = np.isfinite(c) & (c > 0) & np.isfinite(p) & (p > 0)
    r = c[ok] / p[ok]
    return {"median": float(np.median(r)) if r.size else None, "low": float(r.min()) if r.size else None,
            "high": float(r.max()) if r.size else None, "count": int(r.size),
            "below": int(np.sum(c == 0)), "above": int(np.sum(np.isinf(c)))}
