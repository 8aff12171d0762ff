"""Training objectives of the ReLU simulations with their per-neuron-scaled gradients.

Each objective is called on a batch of students ``(W, a)`` of shapes ``(B, m, d)``, ``(B, m)`` and
returns ``(loss, m dL/da, m dL/dw)`` (the factor ``m`` makes ``lr`` the step of the mean-field
dynamics, independent of the width); ``take(idx)`` restricts it to a sub-batch and ``scale`` is the
per-instance size of the objective used by the tolerances.

* :class:`EmpiricalLoss`: ``(1/n) ||f(X) - y||^2`` on a sample.
* :class:`PopulationLoss`: the exact population loss ``E_x (f(x) - g(x))^2`` for a target network
  ``g``, written with the arc-cosine kernel (docs/background.md §10.2) as the quadratic form
  ``beta^T K beta`` of the concatenated unit neurons ``[w_hat; v_hat]`` with coefficients
  ``[|w| a/m; -|v| b]``, and its exact gradient from
  ``d/dw E[relu(w.x) relu(v.x)] = kappa0(u) v + |v| sin(phi) / (2 pi) w/|w|`` (``u = cos phi``).
  With ``s = arccos(-u) = pi - phi``: ``kappa0 = s / 2pi`` and ``kappa = (sin s + u s) / 2pi``, one
  ``arccos`` per pair serving the loss and both gradients. Cost ``O(m (m + p) d)`` per step and instance.
"""
from __future__ import annotations

import math

import numpy as np

from ftheory.simulate.relu.network import ReluFunction, norm_sq

__all__ = ["EmpiricalLoss", "PopulationLoss"]

_TWO_PI = 2.0 * math.pi


class EmpiricalLoss:
    """``(1/n) ||f(X) - y||^2`` with gradients times ``m``; ``X`` (B, n, d), ``y`` (B, n)."""

    def __init__(self, X, y):
        self.X, self.y = X, y
        self.scale = np.maximum(np.mean(y * y, axis=1), 1e-300)

    def take(self, idx):
        """The objective of the sub-batch ``idx``."""
        return EmpiricalLoss(self.X[idx], self.y[idx])

    def rounding(self, m) -> float:
        """Rounding error of the loss relative to :attr:`scale` (float64 sums)."""
        return 1e-15

    def __call__(self, W, a):
        """``(loss, m dL/da, m dL/dw)`` at ``(W, a)``."""
        X, y = self.X, self.y
        n, m = X.shape[1], W.shape[1]
        act = np.matmul(X, np.swapaxes(W, 1, 2))                      # (B, n, m) pre-activations
        on = act > 0
        np.maximum(act, 0.0, out=act)
        r = np.matmul(act, a[:, :, None])[:, :, 0] / m - y             # (B, n)
        loss = np.mean(r * r, axis=1)
        ga = (2.0 / n) * np.matmul(r[:, None, :], act)[:, 0, :]        # m * dL/da
        np.multiply(on, r[:, :, None], out=act)                        # gate (B, n, m), reusing act
        gw = (2.0 / n) * a[:, :, None] * np.matmul(np.swapaxes(act, 1, 2), X)   # m * dL/dw
        return loss, ga, gw


class PopulationLoss:
    """``E_x (f - g)^2`` for a target network ``g`` (exact, arc-cosine kernel), gradients times ``m``.

    ``dtype="float32"`` evaluates the pair kernels and the two ``O(m (m + p) d)`` products in single
    precision (inputs and outputs stay float64); the loss is then accurate to about
    ``eps32 sqrt(m + p) ||g||^2`` (:attr:`eps`), which the step acceptance of
    :func:`ftheory.simulate.relu.gd.gradient_descent` takes into account.
    """

    def __init__(self, target: ReluFunction, dtype="float64"):
        self.dtype = np.dtype(dtype)
        self.V, self.b = target.weights, target.coef
        self.nv = np.linalg.norm(self.V, axis=2)
        self.vhat = (self.V / np.where(self.nv > 0, self.nv, 1.0)[:, :, None]).astype(self.dtype)
        self.const = norm_sq(target)
        self.scale = np.maximum(self.const, 1e-300)
        self.eps = float(np.finfo(self.dtype).eps)

    def take(self, idx):
        """The objective of the sub-batch ``idx``."""
        new = object.__new__(PopulationLoss)
        new.dtype, new.eps = self.dtype, self.eps
        new.V, new.b, new.nv, new.vhat = self.V[idx], self.b[idx], self.nv[idx], self.vhat[idx]
        new.const, new.scale = self.const[idx], self.scale[idx]
        return new

    def rounding(self, m) -> float:
        """Rounding error of the loss relative to :attr:`scale`: ``1e-15`` in float64, else
        ``4 eps sqrt(m + p)`` (a sum of ``m + p`` kernel terms of size ``~ scale`` rounded in ``dtype``)."""
        if self.dtype == np.float64:
            return 1e-15
        return 4.0 * self.eps * math.sqrt(m + self.V.shape[1])

    def __call__(self, W, a):
        """``(loss, m dL/da, m dL/dw)`` at ``(W, a)``."""
        dt = self.dtype
        m = W.shape[1]
        nw = np.linalg.norm(W, axis=2)
        what = W / np.where(nw > 0, nw, 1.0)[:, :, None]
        what_c = what.astype(dt, copy=False)
        U = np.concatenate([what_c, self.vhat], axis=1)               # (B, m+p, d) unit rows
        nb = np.concatenate([nw * a / m, -self.nv * self.b], axis=1).astype(dt)   # |v_J| beta_J
        u = np.matmul(what_c, np.swapaxes(U, 1, 2))                   # (B, m, m+p) cosines
        np.clip(u, -1.0, 1.0, out=u)
        s = np.negative(u)
        np.arccos(s, out=s)                                           # s = arccos(-u)
        sin = u * u
        np.subtract(1.0, sin, out=sin)
        np.maximum(sin, 0.0, out=sin)
        np.sqrt(sin, out=sin)
        k1 = u * s
        k1 += sin                                                     # 2 pi kappa(u)
        kb = np.matmul(k1, nb[:, :, None])[:, :, 0].astype(float) / _TWO_PI       # sum_J K_iJ beta_J
        cross = np.matmul(k1[:, :, m:], nb[:, m:, None])[:, :, 0].astype(float) / _TWO_PI
        # beta^T K beta = student-student + 2 student-teacher + teacher-teacher (const)
        loss = np.sum((nw * a / m) * (kb + cross), axis=1) + self.const
        ga = 2.0 * nw * kb                                            # m * dL/da_i
        # m * dL/dw_i = 2 a_i sum_J beta_J [kappa0 v_J + |v_J| sin / (2 pi) w_hat_i]
        s *= nb[:, None, :]                                           # 2 pi kappa0(u_iJ) |v_J| beta_J
        lin = np.matmul(s, U).astype(float)                           # (B, m, d)
        radial = np.matmul(sin, nb[:, :, None])[:, :, 0].astype(float)
        gw = (2.0 / _TWO_PI) * a[:, :, None] * (lin + radial[:, :, None] * what)
        return np.maximum(loss, 0.0), ga, gw
