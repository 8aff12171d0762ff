"""The deep linear network ``f(x) = x^T W_1 ... W_L``, its small initialisation and the rank-one state.

See docs/deep_linear.md for the conventions (docs/background.md §1.2-§1.3, §2.4).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ftheory._checks import check_int, check_real
from ftheory.params import PARAMS
from ftheory.simulate._random import as_generator

__all__ = ["DeepLinearNet", "default_alpha", "init_network", "pretrained_state"]


def default_alpha(depth: int) -> float:
    """Default initialisation scale: ``1e-5`` for ``depth=2`` ([CODE], §1.3), ``1e-2`` for deeper nets.

    §2.2: the escape time from the small-initialisation plateau grows like ``alpha^{-(L-2)}`` for
    ``L >= 3``, so the authors' ``1e-5`` is impractical beyond depth 2. ``1e-2`` escapes in a few
    hundred steps at ``L = 3``; at ``L = 4`` scratch runs need ``~1e4`` or more steps (they are flagged
    as not converged otherwise). A larger ``alpha`` is faster but, because the [CODE] read-out is
    ``alpha g`` with ``||g|| ~ sqrt(m)``, the initialisation is then far from balanced and the
    pretrained features are no longer close to rank one (§2.3 holds only as ``alpha -> 0``).
    """
    depth = int(PARAMS["depth"].validate(depth))
    return 1e-5 if depth == 2 else 1e-2


@dataclass(frozen=True)
class DeepLinearNet:
    """A batch of deep linear networks (docs/background.md §1.2).

    Attributes
    ----------
    weights : tuple of numpy.ndarray
        ``W_1`` of shape ``(B, d, m)``, ``W_2 .. W_{L-1}`` of shape ``(B, m, m)``, read-out ``W_L`` of
        shape ``(B, m, 1)``; ``B`` is the number of instances.
    """

    weights: tuple

    def __post_init__(self):
        ws = tuple(np.asarray(w, dtype=float) for w in self.weights)
        if len(ws) < 2:
            raise ValueError(f"depth={len(ws)} is invalid: a deep linear network needs >= 2 weight matrices")
        if any(w.ndim != 3 for w in ws):
            raise ValueError("weights must be 3-d arrays (instances, rows, columns)")
        B = ws[0].shape[0]
        for a, b in zip(ws[:-1], ws[1:]):
            if a.shape[2] != b.shape[1] or b.shape[0] != B:
                raise ValueError(f"incompatible weight shapes {a.shape} and {b.shape}")
        if ws[-1].shape[2] != 1:
            raise ValueError(f"the read-out must have one output column, got shape {ws[-1].shape}")
        object.__setattr__(self, "weights", ws)

    @property
    def depth(self) -> int:
        """Number of weight matrices ``L`` (>= 2)."""
        return len(self.weights)

    @property
    def instances(self) -> int:
        """Number of networks ``B`` in the batch."""
        return self.weights[0].shape[0]

    @property
    def d(self) -> int:
        """Input dimension (rows of ``W_1``)."""
        return self.weights[0].shape[1]

    @property
    def width(self) -> int:
        """Hidden width ``m`` (columns of ``W_1``)."""
        return self.weights[0].shape[2]

    @property
    def readout(self) -> np.ndarray:
        """``W_L`` as a ``(B, m)`` array."""
        return self.weights[-1][..., 0]

    @property
    def beta(self) -> np.ndarray:
        """End-to-end vector ``W_1 ... W_L``, shape ``(B, d)`` (computed right to left)."""
        v = self.weights[-1]
        for W in reversed(self.weights[:-1]):
            v = W @ v
        return v[..., 0]

    @property
    def phi(self) -> np.ndarray:
        """Feature matrix ``Phi = W_1 ... W_{L-1}``, shape ``(B, d, m)`` (§1.2)."""
        P = self.weights[0]
        for W in self.weights[1:-1]:
            P = P @ W
        return P

    def balancedness(self) -> list:
        """``D_l = W_l^T W_l - W_{l+1} W_{l+1}^T`` for ``l = 1..L-1`` (§2.1), each ``(B, m, m)``."""
        ws = self.weights
        return [np.swapaxes(a, 1, 2) @ a - b @ np.swapaxes(b, 1, 2) for a, b in zip(ws[:-1], ws[1:])]

    def risk(self, beta_t) -> np.ndarray:
        """Excess risk ``||beta - beta_t||^2`` per instance (§0.2 item 5)."""
        diff = self.beta - np.asarray(beta_t, dtype=float)
        return np.einsum("bd,bd->b", diff, diff)


def _draw_weights(rng, shape_list, alpha, d):
    ws = []
    for i, shape in enumerate(shape_list):
        g = rng.standard_normal(shape)
        ws.append(alpha * g if i == len(shape_list) - 1 else alpha * g / math.sqrt(d))
    return ws


def _layer_shapes(d, m, depth, batch=()):
    return [batch + (d, m)] + [batch + (m, m)] * (depth - 2) + [batch + (m, 1)]


def init_network(d, *, depth=2, width=None, alpha=None, instances=1, seed=None) -> DeepLinearNet:
    """Random small initialisation [CODE] (docs/background.md §1.3).

    Hidden layers ``alpha G / sqrt(d)`` (``G`` standard Gaussian), read-out ``alpha g`` with
    ``g ~ N(0, I_m)`` (not divided by ``sqrt(d)``).

    Parameters
    ----------
    d : int >= 1
    depth : int >= 2
    width : int >= 1 or None
        Hidden width ``m`` (default ``d``).
    alpha : float > 0 or None
        Initialisation scale (default :func:`default_alpha`).
    instances : int >= 1
    seed : int, Generator, SeedSequence or None
    """
    d = check_int("d", d, 1)
    depth = int(PARAMS["depth"].validate(depth))
    m = d if width is None else check_int("width", width, 1)
    alpha = default_alpha(depth) if alpha is None else check_real("alpha", alpha, low_open=True)
    instances = check_int("instances", instances, 1)
    rng = as_generator(seed)
    return DeepLinearNet(tuple(_draw_weights(rng, _layer_shapes(d, m, depth, (instances,)), alpha, d)))


def pretrained_state(beta, *, depth=2, width=None, seed=None) -> DeepLinearNet:
    """The exactly balanced rank-one network of docs/background.md §2.4 with end-to-end vector ``beta``.

    ``W_l = s u_l u_{l+1}^T`` (``l < L``), ``W_L = s u_L`` with ``s = ||beta||^{1/L}``, ``u_1 = beta/||beta||``
    and random unit ``u_2 .. u_L`` in ``R^m`` (the rotational gauge). ``beta`` has shape ``(B, d)``.
    """
    beta = np.atleast_2d(np.asarray(beta, dtype=float))
    B, d = beta.shape
    depth = int(PARAMS["depth"].validate(depth))
    m = d if width is None else check_int("width", width, 1)
    rng = as_generator(seed)
    gauges = np.stack([rng.standard_normal((B, m)) for _ in range(depth - 1)], axis=1)
    return _balanced(beta, gauges)


def _balanced(beta, gauges):
    """The balanced rank-one network with end-to-end ``beta`` (B, d); ``gauges`` (B, L-1, m) Gaussian
    vectors normalised to the hidden directions ``u_2 .. u_L``."""
    r = np.linalg.norm(beta, axis=1)
    if np.any(r == 0):
        raise ValueError("beta must be non-zero for the rank-one pretrained state")
    depth = gauges.shape[1] + 1
    s = r ** (1.0 / depth)
    us = [beta / r[:, None]] + [g / np.linalg.norm(g, axis=1, keepdims=True) for g in np.moveaxis(gauges, 1, 0)]
    ws = [s[:, None, None] * us[i][:, :, None] * us[i + 1][:, None, :] for i in range(depth - 1)]
    ws.append(s[:, None, None] * us[-1][:, :, None])
    return DeepLinearNet(tuple(ws))
