"""Shared input checks of the sample distance estimators (:mod:`ftheory.similarity.estimators`,
:mod:`ftheory.similarity.wasserstein`): samples as finite 2-D arrays, positive integers, ground metrics,
and the memory chunk of the chunked computations."""
from __future__ import annotations

import numbers

import numpy as np

#: Number of kernel (or distance) entries held in memory at once by the chunked computations.
DEFAULT_CHUNK = 2 ** 22

_METRICS = {"euclidean": "euclidean", "l2": "euclidean", "l1": "cityblock", "cityblock": "cityblock",
            "manhattan": "cityblock"}


# ------------------------------------------------------------------------------------------------
# input validation
# ------------------------------------------------------------------------------------------------
def _as_sample(name: str, A, min_rows: int = 1) -> np.ndarray:
    """Return ``A`` as a finite float64 array of shape ``(n, dim)`` or raise ``ValueError``."""
    if isinstance(A, (str, bytes)):
        raise ValueError(f"{name} must be a 2-D numeric array of shape (n_samples, dim); got a string")
    try:
        arr = np.asarray(A, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a 2-D numeric array of shape (n_samples, dim); "
                         f"could not convert it to float ({exc})") from None
    if arr.ndim != 2:
        hint = " (for 1-D data pass x.reshape(-1, 1))" if arr.ndim == 1 else ""
        raise ValueError(f"{name} must be a 2-D array of shape (n_samples, dim); got shape "
                         f"{arr.shape}{hint}")
    if arr.shape[1] < 1:
        raise ValueError(f"{name} has shape {arr.shape}: dimension must be >= 1")
    if arr.shape[0] < min_rows:
        raise ValueError(f"{name} has {arr.shape[0]} rows: at least {min_rows} sample(s) required")
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} contains {bad} non-finite value(s) (nan or inf); all entries must "
                         "be finite")
    return arr


def _as_pair(X, Y, min_rows_x: int = 1, min_rows_y: int = 1) -> tuple[np.ndarray, np.ndarray]:
    X = _as_sample("X", X, min_rows_x)
    Y = _as_sample("Y", Y, min_rows_y)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"X and Y must have the same dimension (number of columns); got X with "
                         f"{X.shape[1]} and Y with {Y.shape[1]}")
    return X, Y


def _positive_int(name: str, value, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name}={value!r} is invalid: expected an integer >= {low}")
    if value < low:
        raise ValueError(f"{name}={value!r} is out of its domain: integers >= {low}")
    return int(value)


def _metric(metric) -> str:
    key = metric.lower() if isinstance(metric, str) else metric
    if key not in _METRICS:
        extra = (" (squared Euclidean distance is not a metric, so it defines no Wasserstein-1 "
                 "distance; use 'euclidean')" if key == "sqeuclidean" else "")
        raise ValueError(f"metric={metric!r} is invalid: expected 'euclidean' (alias 'l2') or "
                         f"'l1' (aliases 'cityblock', 'manhattan'){extra}")
    return _METRICS[key]
