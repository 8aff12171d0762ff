"""The one conversion of figure numbers to strict JSON (used by every figure's ``compute``)."""
from __future__ import annotations

import math

import numpy as np


def jsonable(x):
    """``x`` with NumPy scalars/arrays as Python numbers/lists, NaN as ``None``, +-inf as ``"inf"``/``"-inf"``.

    Dicts, lists and tuples are converted recursively; :func:`as_array` reads such lists back.
    """
    if isinstance(x, dict):
        return {k: jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return jsonable(x.tolist())
    if isinstance(x, (np.floating, float)):
        v = float(x)
        return v if math.isfinite(v) else (None if math.isnan(v) else ("inf" if v > 0 else "-inf"))
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.bool_):
        return bool(x)
    return x


def as_array(nested) -> np.ndarray:
    """A float array from :func:`jsonable` output (``None`` -> NaN, ``"inf"`` -> inf)."""
    return np.array([[np.nan if v is None else float(v) for v in row] for row in nested], float)
