"""Kernel diagnostics of a trained ReLU network against a feature span, exactly from Gram matrices
(the claim of docs/background.md §10.1 that pretraining makes the network's kernel match the source
teacher's kernel on its span; §10.3)."""
from __future__ import annotations

import math

import numpy as np

from ftheory._checks import psd_pinv
from ftheory.relu.kernel import gram

__all__ = ["kernel_outside_fraction", "kernel_alignment"]


def kernel_outside_fraction(W, weights, W_basis, rcond=1e-10) -> float:
    """Fraction of a network kernel's trace outside ``span{relu(b . x) : b in W_basis}``.

    For ``K(x, x') = sum_i weights_i relu(w_i.x) relu(w_i.x')`` (``weights >= 0``) this is
    ``sum_i weights_i ||P^perp relu(w_i .)||^2 / sum_i weights_i ||relu(w_i .)||^2`` in
    ``L^2(N(0, I_d))``, exactly from Gram matrices. 0 means every feature of the network lies in
    the span (the §10.1 claim for the source teacher's span), 1 that all lie outside it.
    """
    W = np.asarray(W, dtype=float)
    w = np.asarray(weights, dtype=float)
    if W.ndim != 2 or w.shape != W.shape[:1] or np.any(w < 0):
        raise ValueError("W must be (p, d) and weights a non-negative (p,) array")
    diag = 0.5 * np.sum(W * W, axis=1)
    Kbw = gram(W_basis, W)
    inside = np.sum(Kbw * (psd_pinv(gram(W_basis), rcond)[0] @ Kbw), axis=0)
    outside = np.maximum(diag - inside, 0.0)
    total = float(w @ diag)
    return float(w @ outside) / total if total > 0 else 0.0


def kernel_alignment(W1, w1, W2, w2) -> float:
    """Hilbert-Schmidt alignment ``<K1, K2> / (||K1|| ||K2||)`` of two network kernels, exactly.

    ``K_r(x, x') = sum_i w_r[i] relu(W_r[i].x) relu(W_r[i].x')``; the operator inner product in
    ``L^2(N(0, I_d))`` is ``sum_{ij} w1_i w2_j E[relu(W1_i.x) relu(W2_j.x)]^2``. 1 means proportional
    kernels.
    """
    w1 = np.asarray(w1, dtype=float)
    w2 = np.asarray(w2, dtype=float)
    c12 = w1 @ gram(W1, W2) ** 2 @ w2
    c11 = w1 @ gram(W1) ** 2 @ w1
    c22 = w2 @ gram(W2) ** 2 @ w2
    return float(c12 / math.sqrt(c11 * c22))


