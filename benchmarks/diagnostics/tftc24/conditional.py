"""The law of a simulated statistic given a simulated nuisance estimate, as a band's ends: the draws whose nuisance
estimate is nearest the data's, their trend in it removed (local linear), cut at the order statistics that a new
draw exchangeable with them falls beyond with probability at most ``alpha`` on each side: tftc24's T_ft band below n = d
given the estimated noise fraction (DifferenceLaw's fitted world, COND_SHARE = 0.25 of its draws). Measured and not
adopted (docs/advisor_notes/tftc24.md); the module as it stood in ftheory/advise at commit 6b34eec."""
from __future__ import annotations

import numpy as np

__all__ = ["conditional_ends", "order_ends"]


def order_ends(x, alpha):
    """``(lo, hi)`` ``(M,)`` each: the ``j``-th smallest and largest of the ``k`` values in each column of ``x``
    ``(k, M)``, ``j = floor(alpha (k + 1))``: a new value exchangeable with them lies below ``lo`` (above ``hi``)
    with probability ``j / (k + 1) <= alpha``; infinite ends where ``j = 0``."""
    s = np.sort(np.asarray(x, float), 0)
    k = s.shape[0]
    j = int(np.floor(alpha * (k + 1) + 1e-9))
    if j < 1:
        return np.full(s.shape[1], -np.inf), np.full(s.shape[1], np.inf)
    return s[j - 1], s[k - j]


def conditional_ends(t, fh, f0, alpha, k):
    """``(lo, hi)`` ``(M,)``: ends of the law of ``t`` ``(B, M)`` given the nuisance estimate ``fh`` ``(B,)`` at
    ``f0``: the ``k`` draws with ``fh`` nearest ``f0`` (every draw at ``f0`` itself where more are, as at a clip),
    each column moved along its least-squares line in ``fh`` over those draws to ``fh = f0``
    (``t - b (fh - f0)``; no move where they all share one ``fh``), cut at :func:`order_ends`."""
    t = np.asarray(t, float)
    dist = np.abs(np.asarray(fh, float) - f0)
    k = max(min(int(k), dist.size), int(np.sum(dist == 0)))
    idx = np.argsort(dist, kind="stable")[:k]
    x, dx = t[idx], fh[idx] - f0
    c = dx - dx.mean()
    ss = float(c @ c)
    if ss > 0:
        x = x - np.outer(dx, c @ (x - x.mean(0)) / ss)
    return order_ends(x, alpha)
