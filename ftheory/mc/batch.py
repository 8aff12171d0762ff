"""Batched vector helpers shared by the simulators (a leading axis of independent instances)."""
from __future__ import annotations

import numpy as np


def inner(a, b) -> np.ndarray:
    """Per-instance inner product ``<a_i, b_i>`` over the last axis."""
    return np.einsum("...d,...d->...", a, b)


def sq_dist(a, b=None) -> np.ndarray:
    """Per-instance squared distance ``||a_i - b_i||^2`` (``||a_i||^2`` when ``b`` is None)."""
    diff = a if b is None else np.asarray(a) - np.asarray(b)
    return np.einsum("...d,...d->...", diff, diff)
