"""The law of a simulated statistic given a simulated nuisance estimate, as a band's ends: the draws whose nuisance
estimate is nearest the data's, their trend in it removed (local linear), cut where a new draw exchangeable with
them falls beyond with probability about ``alpha`` on each side (the T_ft band below n = d given the estimated noise
fraction, :class:`~ftheory.advise.aniso_difference.DifferenceLaw`)."""
from __future__ import annotations

import numpy as np

__all__ = ["conditional_ends", "conditional_window", "order_ends"]


def order_ends(x, alpha, interpolate=True):
    """``(lo, hi)`` ``(M,)`` each: the order statistics of the ``k`` values in each column of ``x`` ``(k, M)`` at
    position ``p = alpha (k + 1)`` from each end, interpolated linearly between the ``j``-th and ``(j + 1)``-th,
    ``j = floor(p)`` (Weibull's plotting position). A new value exchangeable with them lies below ``lo`` (above
    ``hi``) with probability between ``j / (k + 1)`` and ``(j + 1) / (k + 1)``, exactly ``alpha`` for a uniform law
    (``E U_(j) = j / (k + 1)``); infinite ends where ``j = 0``. ``interpolate=False``: the ``j``-th alone
    (probability exactly ``j / (k + 1) <= alpha``)."""
    s = np.sort(np.asarray(x, float), 0)
    k = s.shape[0]
    p = alpha * (k + 1)
    j = int(np.floor(p + 1e-9))
    if j < 1:
        return np.full(s.shape[1], -np.inf), np.full(s.shape[1], np.inf)
    w = max(p - j, 0.0) if interpolate else 0.0
    lo = s[j - 1] + w * (s[min(j, k - 1)] - s[j - 1])
    hi = s[k - j] - w * (s[k - j] - s[max(k - j - 1, 0)])
    return lo, hi


def conditional_window(t, fh, f0, k):
    """``(k', M)``: the draws of ``t`` ``(B, M)`` whose nuisance estimate ``fh`` ``(B,)`` is nearest ``f0``, ``k``
    of them (every draw at ``f0`` itself where more are, as at a clip), each column moved along its least-squares
    line in ``fh`` over them to ``fh = f0`` (``t - b (fh - f0)``; no move where they all share one ``fh``)."""
    t = np.asarray(t, float)
    dist = np.abs(np.asarray(fh, float) - f0)
    k = max(min(int(k), dist.size), int(np.sum(dist == 0)))
    idx = np.argsort(dist, kind="stable")[:k]
    x, dx = t[idx], fh[idx] - f0
    c = dx - dx.mean()
    ss = float(c @ c)
    if ss > 0:
        x = x - np.outer(dx, c @ (x - x.mean(0)) / ss)
    return x


def conditional_ends(t, fh, f0, alpha, k):
    """``(lo, hi)`` ``(M,)``: ends of the law of ``t`` ``(B, M)`` given the nuisance estimate ``fh`` ``(B,)`` at
    ``f0``: :func:`order_ends` of :func:`conditional_window`."""
    return order_ends(conditional_window(t, fh, f0, k), alpha)
