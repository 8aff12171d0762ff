"""The pretrained deep linear network: the balanced rank-one state of docs/background.md §2.4 (NumPy only).

After pretraining from a small initialisation (``t -> oo``, then ``alpha -> 0``) the weights of
``f(x) = x^T W_1 ... W_L`` are balanced (``D_l = W_l^T W_l - W_{l+1} W_{l+1}^T = 0``, §2.1) and
rank one, aligned with the source teacher (§2.3). Explicitly, with ``s = ||beta_s||^{1/L}``,
``u_1 = beta_s/||beta_s||`` and unit vectors ``u_2, ..., u_L`` (a rotational gauge),

    W_l = s u_l u_{l+1}^T  (l < L),      W_L = s u_L,

so that ``W_1 ... W_L = beta_s``, ``D_l = 0``, ``Phi = W_1 ... W_{L-1} = s^{L-1} u_1 u_L^T`` and the
feature norm is ``s^{L-1} = ||beta_s||^{(L-1)/L}``.

This module is SymPy-free and does not import :mod:`ftheory.theory` or :mod:`ftheory.simulate`,
so both the simulators and the theory layer can use it (DESIGN.md §2: theory and simulate do not
import each other). :mod:`ftheory.theory.pretraining` re-exports :func:`balanced_rank_one_weights`.
"""
from __future__ import annotations

import numbers

import numpy as np

from ftheory._checks import check_int

__all__ = ["balanced_rank_one_weights", "GAUGES"]

#: Accepted string values of ``gauge`` (``None`` means ``"canonical"``).
GAUGES = ("canonical", "random")


def _generator(seed):
    """``numpy.random.Generator`` from ``seed`` (same rules as :func:`ftheory.simulate._random.as_generator`)."""
    if seed is None or isinstance(seed, (np.random.Generator, np.random.SeedSequence)):
        return np.random.default_rng(seed)
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0:
        return np.random.default_rng(int(seed))
    raise ValueError(f"seed={seed!r} is invalid: expected an integer >= 0, a numpy.random.Generator, "
                     "a numpy.random.SeedSequence or None")


def _unit(v, name):
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    if not np.all(np.isfinite(norm)) or np.any(norm == 0):
        raise ValueError(f"{name} must be finite with a nonzero norm in every instance")
    return v / norm


def balanced_rank_one_weights(beta_s, depth=2, *, gauge=None, seed=None, width=None):
    """Weights ``[W_1, ..., W_L]`` of the balanced rank-one pretrained network (docs/background.md §2.4).

    ``W_l = s u_l u_{l+1}^T`` for ``l < L`` and ``W_L = s u_L`` (a column), with
    ``s = ||beta_s||^{1/L}``, ``u_1 = beta_s/||beta_s||`` and unit gauge vectors ``u_2 .. u_L``.
    Then ``W_1 ... W_L = beta_s``, every ``D_l = W_l^T W_l - W_{l+1} W_{l+1}^T`` vanishes, and the
    features ``Phi = W_1 ... W_{L-1} = s^{L-1} u_1 u_L^T`` are rank one with singular value
    ``||beta_s||^{(L-1)/L}`` and left singular vector ``beta_s/||beta_s||`` (§2.3).

    Parameters
    ----------
    beta_s : array_like, shape (d,) or (instances, d)
        End-to-end vector(s) to realise (the source teacher, or ``beta_hat_s`` for a finite source
        set, §2.5). Finite and nonzero in every instance.
    depth : int >= 2
        Number of weight matrices ``L``.
    gauge : None, "canonical", "random" or array_like, keyword-only
        The rotational gauge ``u_2 .. u_L``. ``None``/``"canonical"``: ``u_l = u_1`` for every ``l``
        (if ``width != d``: the first standard basis vector of ``R^width``). ``"random"``: i.i.d.
        uniform unit vectors drawn from ``seed``. An array of shape ``(depth - 1, width)`` or
        ``(instances, depth - 1, width)`` gives ``u_2 .. u_L`` explicitly (normalised here).
    seed : int >= 0, numpy.random.Generator, numpy.random.SeedSequence or None, keyword-only
        Randomness for ``gauge="random"`` (ignored otherwise, but still validated).
    width : int >= 1 or None, keyword-only
        Hidden width ``m`` (default ``d``, as in §1.2): ``W_1`` is ``d x m``, ``W_2 .. W_{L-1}``
        are ``m x m`` and ``W_L`` is ``m x 1``.

    Returns
    -------
    list of numpy.ndarray
        ``depth`` arrays: shapes ``(d, m)``, ``(m, m)`` ..., ``(m, 1)`` for a single ``beta_s``, with a
        leading ``instances`` axis for a batch.

    Raises
    ------
    ValueError
        Naming the offending parameter (``beta_s``, ``depth``, ``gauge``, ``seed`` or ``width``).

    Examples
    --------
    >>> import numpy as np
    >>> beta_s = np.array([3.0, 4.0])
    >>> W1, W2 = balanced_rank_one_weights(beta_s)          # depth 2, canonical gauge
    >>> np.allclose(W1 @ W2, beta_s[:, None])
    True
    >>> np.allclose(W1.T @ W1, W2 @ W2.T)                   # balanced: D_1 = 0
    True
    >>> W = balanced_rank_one_weights(beta_s, depth=3, gauge="random", seed=0)
    >>> Phi = W[0] @ W[1]
    >>> np.round(np.linalg.svd(Phi, compute_uv=False), 12)  # ||beta_s||^{(L-1)/L} = 5^{2/3}
    array([2.92401774, 0.        ])

    Reference: docs/background.md §2.4 (explicit state), §2.1 (balancedness), §2.3 (rank one).
    """
    depth = check_int("depth", depth, 2, note="number of weight matrices of the deep linear network")
    try:
        beta = np.asarray(beta_s, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"beta_s={beta_s!r} is invalid: expected a real array of shape (d,) "
                         "or (instances, d)") from None
    if beta.ndim not in (1, 2) or beta.shape[-1] < 1 or (beta.ndim == 2 and beta.shape[0] < 1):
        raise ValueError(f"beta_s has shape {beta.shape}; expected (d,) or (instances, d) with d >= 1")
    if not np.all(np.isfinite(beta)):
        raise ValueError("beta_s must be finite")
    single = beta.ndim == 1
    beta = beta[None] if single else beta
    instances, d = beta.shape
    if width is None:
        m = d
    elif isinstance(width, bool) or not isinstance(width, numbers.Integral) or width < 1:
        raise ValueError(f"width={width!r} is invalid: expected an integer >= 1 or None")
    else:
        m = int(width)
    rng = _generator(seed)
    norm = np.linalg.norm(beta, axis=1)
    if np.any(norm == 0):
        raise ValueError("beta_s must be nonzero in every instance (the rank-one state needs a direction)")
    u1 = beta / norm[:, None]
    s = norm ** (1.0 / depth)

    if gauge is None or (isinstance(gauge, str) and gauge == "canonical"):
        if m == d:
            u = np.broadcast_to(u1[:, None, :], (instances, depth - 1, m))
        else:
            u = np.zeros((instances, depth - 1, m))
            u[..., 0] = 1.0
    elif isinstance(gauge, str):
        if gauge != "random":
            raise ValueError(f"gauge={gauge!r} is invalid: expected None, one of {GAUGES} or an array "
                             f"of shape ({depth - 1}, {m}) or ({instances}, {depth - 1}, {m})")
        u = _unit(rng.standard_normal((instances, depth - 1, m)), "gauge")
    else:
        try:
            u = np.asarray(gauge, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"gauge={gauge!r} is invalid: expected None, one of {GAUGES} or an array") from None
        if u.shape == (depth - 1, m):
            u = np.broadcast_to(u, (instances, depth - 1, m))
        elif u.shape != (instances, depth - 1, m):
            raise ValueError(f"gauge has shape {u.shape}; expected ({depth - 1}, {m}) or "
                             f"({instances}, {depth - 1}, {m})")
        u = _unit(u, "gauge")

    us = [u1] + [u[:, k] for k in range(depth - 1)]
    scale = s[:, None, None]
    weights = [scale * us[k][:, :, None] * us[k + 1][:, None, :] for k in range(depth - 1)]
    weights.append(scale * us[-1][:, :, None])
    return [w[0] for w in weights] if single else weights
