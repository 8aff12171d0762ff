"""Arc-cosine kernels of ReLU and step neurons under Gaussian inputs (docs/background.md §10.2).

For two neurons ``w, v`` and ``x ~ N(0, I_d)`` the pair ``(w.x, v.x)`` is bivariate normal, so
every second moment depends on the norms and on the cosine ``u = w.v / (|w||v|)`` only:

* degree 1 (ReLU), unit norms, paper eq. (167)::

      kappa(u) = E[relu(w.x) relu(v.x)] = (sqrt(1 - u^2) + u (pi - arccos u)) / (2 pi)

  and for general norms ``E[relu(w.x) relu(v.x)] = |w| |v| kappa(u)`` (relu is 1-homogeneous);
* degree 0 (step ``1{t > 0}``), any norms::

      kappa0(u) = E[step(w.x) step(v.x)] = (pi - arccos u) / (2 pi).

The symbolic derivations (polar coordinates and Hermite/Mehler) are registered as results of the
topic ``relu`` (:mod:`ftheory.theory.relu`, derivation script ``derivations/relu.py``); this module
is the fast NumPy side used by the simulations and projections.

Numerics
--------
With ``s = pi - arccos(u) = arccos(-u)`` (the angle between ``w`` and ``-v``),
``kappa(u) = (sin s - s cos s) / (2 pi)``. Near ``u = -1`` (``s -> 0``) both terms are ``O(s)``
while the kernel is ``O(s^3)``; there the Taylor series ``s^3/3 - s^5/30 + s^7/840 - s^9/45360``
is used (``s < 0.1``, truncation error below ``1e-20``), so the kernel keeps its relative accuracy.
Inputs in ``[-1 - 1e-6, 1 + 1e-6]`` are clipped to ``[-1, 1]`` (cosines computed from rounded dot
products overshoot by a few ulps); anything further out, or non-finite, raises ``ValueError``.
No NumPy warnings are emitted anywhere, including ``u = +-1``.
"""
from __future__ import annotations

import numpy as np

__all__ = ["arccos_kernel", "arccos_kernel0", "gram", "sample_kernel", "COSINE_TOLERANCE"]

#: How far outside ``[-1, 1]`` a cosine may lie (rounding) before it is rejected rather than clipped.
COSINE_TOLERANCE = 1e-6

_SERIES_BELOW = 0.1  # use the Taylor series of sin s - s cos s for s below this


def _as_cosine(u, name: str = "u") -> np.ndarray:
    """Validate cosines: finite, within ``COSINE_TOLERANCE`` of ``[-1, 1]``; return clipped floats."""
    try:
        arr = np.asarray(u, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={u!r} is not numeric; expected cosines in [-1, 1]") from None
    if not np.all(np.isfinite(arr)):
        bad = arr[~np.isfinite(arr)].ravel()[0] if arr.ndim else arr.item()
        raise ValueError(f"{name} contains a non-finite value ({bad!r}); expected cosines in [-1, 1]")
    too_far = np.abs(arr) > 1.0 + COSINE_TOLERANCE
    if np.any(too_far):
        bad = arr[too_far].ravel()[0] if arr.ndim else arr.item()
        raise ValueError(f"{name}={bad!r} is out of its domain [-1, 1] (cosine between two neuron weights)")
    return np.clip(arr, -1.0, 1.0)


def _sin_minus_s_cos(s: np.ndarray) -> np.ndarray:
    """``sin s - s cos s`` for ``s`` in ``[0, pi]``, accurate to relative precision near 0."""
    out = np.sin(s) - s * np.cos(s)
    small = s < _SERIES_BELOW
    if np.any(small):
        t = s[small]
        t2 = t * t
        out[small] = t * t2 * (1.0 / 3.0 - t2 * (1.0 / 30.0 - t2 * (1.0 / 840.0 - t2 / 45360.0)))
    return out


def arccos_kernel(u):
    """Degree-1 arc-cosine kernel of unit neurons, ``E_x[relu(w.x) relu(v.x)]`` with ``u = w.v``.

    Parameters
    ----------
    u : float or array_like
        Cosine(s) between the two neuron weights, in ``[-1, 1]`` (values within ``1e-6`` outside
        are clipped, see module notes).

    Returns
    -------
    float or numpy.ndarray
        ``(sqrt(1 - u^2) + u (pi - arccos u)) / (2 pi)``, same shape as ``u``; ``kappa(1) = 1/2``,
        ``kappa(0) = 1/(2 pi)``, ``kappa(-1) = 0``.

    Raises
    ------
    ValueError
        If ``u`` is non-numeric, non-finite or outside ``[-1, 1]`` by more than ``1e-6``.

    Notes
    -----
    docs/background.md §10.2 (paper eq. (167)); Cho & Saul (2009) degree-1 arc-cosine kernel halved.
    For neurons of norms ``a, b`` multiply by ``a b`` (see :func:`gram`).

    Examples
    --------
    >>> float(arccos_kernel(1.0)), round(float(arccos_kernel(0.0)) * 2 * np.pi, 12)
    (0.5, 1.0)
    """
    c = _as_cosine(u)
    s = np.arccos(-np.atleast_1d(c))  # = pi - arccos(u), in [0, pi]
    val = _sin_minus_s_cos(s) / (2.0 * np.pi)
    return val.reshape(c.shape) if c.ndim else float(val[0])


def arccos_kernel0(u):
    """Degree-0 arc-cosine kernel, ``E_x[step(w.x) step(v.x)] = (pi - arccos u) / (2 pi)``.

    ``step(t) = 1{t > 0}``; the result depends on the cosine ``u`` only (not on the norms).

    Parameters
    ----------
    u : float or array_like
        Cosine(s) in ``[-1, 1]`` (clipped within ``1e-6``, see module notes).

    Returns
    -------
    float or numpy.ndarray
        ``kappa0(1) = 1/2``, ``kappa0(0) = 1/4``, ``kappa0(-1) = 0``.

    Examples
    --------
    >>> float(arccos_kernel0(0.0))
    0.25
    """
    c = _as_cosine(u)
    val = np.arccos(-c) / (2.0 * np.pi)
    return val if c.ndim else float(val)


def _as_weights(W, name: str, min_rows: int = 0, requirement: str = "input dimension >= 1") -> np.ndarray:
    """Validate a finite 2-D weight matrix (neurons x input dimension) with ``>= min_rows`` rows.

    ``requirement`` is the phrase of the shape error ``"{name} must have {requirement}, got shape .."``.
    """
    try:
        arr = np.asarray(W, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} is not a numeric array") from None
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (neurons x input dimension), got shape {arr.shape}")
    if arr.shape[1] < 1 or arr.shape[0] < min_rows:
        raise ValueError(f"{name} must have {requirement}, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains non-finite entries")
    return arr


def gram(W, V=None) -> np.ndarray:
    """Gram matrix ``G[i, j] = E_x[relu(W_i . x) relu(V_j . x)]``, ``x ~ N(0, I_d)``.

    Parameters
    ----------
    W : array_like, shape (p, d)
        Neuron weights as rows, any norms.
    V : array_like, shape (q, d), optional
        Second set of neurons; ``None`` means ``V = W`` (the result is then exactly symmetric with
        diagonal ``|W_i|^2 / 2``).

    Returns
    -------
    numpy.ndarray, shape (p, q)
        ``|W_i| |V_j| kappa(cos(W_i, V_j))``; rows or columns of zero-norm neurons are 0
        (``relu(0 . x) = 0``).

    Raises
    ------
    ValueError
        If an input is not a finite 2-D array or the input dimensions differ.

    Notes
    -----
    docs/background.md §10.2-10.3. Cost ``O(p q d)``.

    Examples
    --------
    >>> G = gram(np.eye(2) * [1.0, 2.0])
    >>> np.allclose(G, [[0.5, 2 / (2 * np.pi)], [2 / (2 * np.pi), 2.0]])
    True
    """
    A = _as_weights(W, "W")
    symmetric = V is None
    B = A if symmetric else _as_weights(V, "V")
    if B.shape[1] != A.shape[1]:
        raise ValueError(f"V has input dimension {B.shape[1]} but W has {A.shape[1]}")
    na = np.linalg.norm(A, axis=1)
    nb = na if symmetric else np.linalg.norm(B, axis=1)
    ia = np.divide(1.0, na, out=np.zeros_like(na), where=na > 0)
    ib = np.divide(1.0, nb, out=np.zeros_like(nb), where=nb > 0)
    cos = (A * ia[:, None]) @ (B * ib[:, None]).T
    cos = np.clip(cos, -1.0, 1.0)
    if symmetric:
        cos = 0.5 * (cos + cos.T)
        np.fill_diagonal(cos, 1.0)
    s = np.arccos(-cos)
    out = _sin_minus_s_cos(s.ravel()).reshape(s.shape) / (2.0 * np.pi)
    return out * np.outer(na, nb)


def sample_kernel(w, v, *, degree: int = 1, samples: int = 100_000, seed=None, chunk: int = 50_000):
    """Monte Carlo twin of the arc-cosine kernels: average of ``s(w.x) s(v.x)`` over ``x ~ N(0, I_d)``.

    Parameters
    ----------
    w, v : array_like, shape (d,)
        The two neurons (any norms).
    degree : {1, 0}
        ``1``: ``s = relu`` (compare with ``gram`` / ``relu_arccos_kernel``); ``0``: ``s = step``
        (compare with :func:`arccos_kernel0` / ``relu_step_kernel``).
    samples : int >= 2
        Number of independent Gaussian inputs.
    seed : int, numpy.random.Generator, SeedSequence or None
    chunk : int >= 1
        Inputs drawn per batch (memory ``chunk * d`` floats).

    Returns
    -------
    ftheory.simulate.estimate.MCEstimate
        One sample per input; ``.mean``, ``.sem`` and ``.zscore(expected)``.
    """
    from ftheory.simulate._random import as_generator
    from ftheory.simulate.estimate import MCEstimate

    a = np.asarray(w, dtype=float)
    b = np.asarray(v, dtype=float)
    if a.ndim != 1 or a.size < 1 or not np.all(np.isfinite(a)):
        raise ValueError(f"w must be a finite 1-D array, got shape {a.shape}")
    if b.shape != a.shape or not np.all(np.isfinite(b)):
        raise ValueError(f"v must be a finite 1-D array of the shape of w {a.shape}, got {b.shape}")
    if degree not in (0, 1) or isinstance(degree, bool):
        raise ValueError(f"degree={degree!r} is invalid: expected 0 (step) or 1 (relu)")
    for name, value, low in (("samples", samples, 2), ("chunk", chunk, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{name}={value!r} is invalid: expected an integer >= {low}")
    rng = as_generator(seed)
    out = np.empty(int(samples))
    done = 0
    while done < samples:
        m = min(int(chunk), int(samples) - done)
        X = rng.standard_normal((m, a.size))
        p, q = X @ a, X @ b
        if degree == 1:
            out[done:done + m] = np.maximum(p, 0.0) * np.maximum(q, 0.0)
        else:
            out[done:done + m] = (p > 0) & (q > 0)
        done += m
    return MCEstimate(out, info={"degree": int(degree), "samples": int(samples)})
