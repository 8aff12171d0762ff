"""Split of a ReLU network's L2 norm by Hermite degree (docs/background.md §10.2, route 2).

For ``f(x) = sum_j c_j relu(w_j . x)`` with ``x ~ N(0, I_d)``, write ``r_j = |w_j|`` and
``u_ij = cos(w_i, w_j)``. Mehler's formula ``E[relu(w.x) relu(v.x)] = |w||v| sum_k xi_k^2 u^k``
splits ``||f||^2`` into the norms of the orthogonal projections of ``f`` onto the polynomials of
degree exactly ``k`` (Hermite chaos ``k``)::

    ||P_k f||^2 = xi_k^2 sum_ij c_i c_j r_i r_j u_ij^k ,

with ``xi_0^2 = 1/(2 pi)``, ``xi_1^2 = 1/4``, ``xi_k^2 = 0`` for odd ``k >= 3`` and, for even
``k >= 2``, ``xi_k^2 = ((k-3)!!)^2 / (2 pi k!)`` (``1/(4 pi)``, ``1/(48 pi)``, ``1/(160 pi)``, ...).

Why it matters for the scratch power law: a learner that acts like a rotation-invariant kernel
method in dimension ``d`` learns the degree-``k`` part of a target only once ``n`` is of the order of
the dimension of the degree-``k`` polynomials (``1``, ``d``, ``d(d+1)/2``, ...); between those
sizes its risk approaches the norm of the parts not yet learned and a fitted exponent ``nu`` depends
on the range of ``n`` (docs/performance.md, ReLU section, measures this for the scratch runs).
"""
from __future__ import annotations

import math

import numpy as np

from ftheory._checks import check_int
from ftheory.relu.kernel import _as_weights, gram

__all__ = ["relu_hermite_sq", "degree_norms"]


def relu_hermite_sq(k: int) -> float:
    """``xi_k^2 = E[relu(g) He_k(g)]^2 / k!``, ``g ~ N(0, 1)``: the weight of degree ``k`` in Mehler's formula.

    >>> [round(relu_hermite_sq(k) * math.pi, 12) for k in range(5)]
    [0.5, 0.785398163397, 0.25, 0.0, 0.020833333333]
    """
    k = check_int("k", k, 0)
    if k == 0:
        return 1.0 / (2.0 * math.pi)
    if k == 1:
        return 0.25
    if k % 2:
        return 0.0
    out = 1.0 / (4.0 * math.pi)
    for j in range(2, k, 2):          # xi_{j+2}^2 / xi_j^2 = (j - 1)^2 / ((j + 1)(j + 2))
        out *= (j - 1) ** 2 / ((j + 1) * (j + 2))
    return out


def degree_norms(weights, coef, kmax: int = 2) -> np.ndarray:
    """Norms ``||P_k f||^2`` of ``f(x) = sum_j coef_j relu(weights_j . x)`` for ``k = 0..kmax``, then the rest.

    Parameters
    ----------
    weights : array_like, shape (p, d)
        Neurons as rows (any norms).
    coef : array_like, shape (p,)
        Output coefficients (including any ``1/m`` normalisation).
    kmax : int >= 0
        Highest degree listed separately.

    Returns
    -------
    ndarray, shape (kmax + 2,)
        ``||P_0 f||^2, ..., ||P_kmax f||^2`` and ``||f||^2 - sum`` of those (the degrees above
        ``kmax``; exact ``||f||^2`` from :func:`~ftheory.relu.kernel.gram`; a negative rest of
        rounding size, ``|rest| <= 1e-12 (sum_j |c_j| |w_j|)^2``, is returned as 0).

    Raises
    ------
    ValueError
        Non-finite or mis-shaped ``weights``/``coef``, or ``kmax`` not an integer >= 0.

    Examples
    --------
    >>> degree_norms([[1.0, 0.0]], [1.0], kmax=1).round(6).tolist()   # relu(x_1): 1/(2 pi), 1/4, rest
    [0.159155, 0.25, 0.090845]
    """
    W = _as_weights(weights, "weights", 1, "at least one neuron and input dimension >= 1")
    try:
        c = np.asarray(coef, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("coef is not a numeric array") from None
    if c.shape != (W.shape[0],):
        raise ValueError(f"coef has shape {c.shape}; expected ({W.shape[0]},) (one per neuron of weights)")
    if not np.all(np.isfinite(c)):
        raise ValueError("coef contains non-finite entries")
    kmax = check_int("kmax", kmax, 0)
    r = np.linalg.norm(W, axis=1)
    inv = np.divide(1.0, r, out=np.zeros_like(r), where=r > 0)
    U = np.clip((W * inv[:, None]) @ (W * inv[:, None]).T, -1.0, 1.0)
    e = c * r
    parts = np.empty(kmax + 2)
    P = np.ones_like(U)
    for k in range(kmax + 1):
        parts[k] = max(relu_hermite_sq(k) * float(e @ P @ e), 0.0)
        P = P * U
    rest = float(c @ gram(W) @ c) - float(parts[:-1].sum())
    if rest < 0:
        if -rest > 1e-12 * float(np.abs(e).sum()) ** 2:
            raise ValueError(f"degree split failed: rest {rest:.3g} < 0 beyond rounding")  # pragma: no cover
        rest = 0.0
    parts[-1] = rest
    return parts
