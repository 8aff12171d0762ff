"""The band of one prediction from the isotropic exact-cut region, calibrated by the prediction's own exact test
(:func:`accepted`; docs/advisor.md, Bands): the region's points are searched from each end for the first that
the test accepts."""
from __future__ import annotations

import numpy as np

__all__ = ["accepted"]


def accepted(cut, evaluate, P, v, batch=8):
    """Values ``v`` of a prediction ``f`` (row 0: the plug-in ``f(p_hat)``) at the region's points ``P`` reduced
    to the centre and the highest and lowest value among the points that ``f``'s own exact test accepts
    (``cut.stat_margin``, :class:`~ftheory.advise.bands.ScoreRegion`'s ray cut: the plug-in against the law of ``f`` at the draws of ``p_hat`` at the point,
    one-sided 2.5% on the side of each end), searched from each end in batches of ``batch``, doubling (the first
    usually holds it: only the region's tips are rejected). A side with no accepted point keeps the region's end."""
    v = np.where(np.isnan(v), np.inf, v)
    stat, keep = float(v[0]), [v[0]]
    for sign in (1.0, -1.0):
        order = np.argsort(-sign * v, kind="stable")
        end = v[order[0]]
        i, size = 0, batch
        while i < len(order):
            idx = order[i:i + size]
            ok = cut.stat_margin(P[idx], evaluate, stat, sign) > 0
            if ok.any():
                end = v[idx[np.argmax(ok)]]
                break
            i, size = i + size, 2 * size
        keep.append(end)
    return np.array(keep)
