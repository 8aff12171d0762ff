"""The band of one prediction from the isotropic exact-cut region, calibrated by the prediction's own exact test
(:func:`accepted`; docs/advisor.md, Bands): the region's points are searched from each end for the first that
the test accepts. Fine-tuning min-norm (linear in ``p``) and the tuned scratch risk are tested studentized
(:func:`studentized_margin`)."""
from __future__ import annotations

import numpy as np

__all__ = ["accepted", "profile_frontier", "studentized_margin"]


def profile_frontier(v, distance, sign):
    """Indices of the points that are the nearest (smallest ``distance``) among those at least as far out as
    themselves (``sign * f >= sign * v[i]``), from the end ``sign`` inwards: sorted by ``sign * v`` descending (ties
    by distance), a point is kept if its distance is below that of every point before it. Those are the restricted
    nearest points ``argmin {distance : sign * f >= sign * c}`` over every ``c``; a non-finite distance is never kept."""
    dist = np.where(np.isfinite(distance), distance, np.inf)
    order = np.lexsort((dist, -sign * v))
    dd = dist[order]
    before = np.minimum.accumulate(np.concatenate([[np.inf], dd[:-1]]))
    return order[dd < before]


def _first_accepted(margin, order, P, v, evaluate, stat, sign, batch):
    """``v`` at the first of ``order`` that the test accepts on side ``sign`` (batches of ``batch``, doubling), else None."""
    i, size = 0, batch
    while i < len(order):
        idx = order[i:i + size]
        ok = margin(P[idx], evaluate, stat, sign) > 0
        if ok.any():
            return v[idx[np.argmax(ok)]]
        i, size = i + size, 2 * size
    return None


def accepted(cut, evaluate, P, v, batch=8, cov=None, alpha=0.025, linear=True, profile=None):
    """Values ``v`` of a prediction ``f`` (row 0: the plug-in ``f(p_hat)``) at the region's points ``P`` reduced
    to the centre and the highest and lowest value among the points that ``f``'s own exact test accepts
    (``cut.stat_margin``, :class:`~ftheory.advise.bands.ScoreRegion`'s ray cut: the plug-in against the law of ``f`` at the draws of ``p_hat`` at the point,
    one-sided 2.5% on the side of each end), searched from each end in batches of ``batch``, doubling (the first
    usually holds it: only the region's tips are rejected). A side with no accepted point keeps the region's end.
    ``cov`` (rows of ``p`` -> ``(..., 4, 4)`` Gaussian covariance of ``p_hat`` there): the test of
    :func:`studentized_margin` at one-sided level ``alpha`` instead (``linear``: ``f`` linear in ``p``).
    ``profile = (Q, vq, dq)`` (candidate points, ``f`` and their distance to the estimate): the profile test
    instead; each value ``c`` is tested only at the candidate nearest the estimate among those with ``f`` at least
    ``c`` on that side (:func:`profile_frontier`), so the end is ``vq`` at the first frontier candidate accepted,
    searched from the end inwards; where none is, the search above."""
    margin = cut.stat_margin if cov is None else studentized_margin(cut, evaluate, P[0], cov, alpha, linear)
    v = np.where(np.isnan(v), np.inf, v)
    stat, keep = float(v[0]), [v[0]]
    for sign in (1.0, -1.0):
        order = np.argsort(-sign * v, kind="stable")
        end = None
        if profile is not None:
            Q, vq, dq = profile
            vq = np.where(np.isnan(vq), np.inf, vq)
            end = _first_accepted(margin, profile_frontier(vq, dq, sign), Q, vq, evaluate, stat, sign, batch)
        if end is None:
            end = _first_accepted(margin, order, P, v, evaluate, stat, sign, batch)
        keep.append(v[order[0]] if end is None else end)
    return np.array(keep)


def studentized_margin(cut, evaluate, p_hat, cov, alpha=0.025, linear=True):
    """Margin function (as ``cut.stat_margin``) of the studentized exact test of ``f`` at the candidates: ``t =
    (f(p_hat) - f(p))/s(p_hat)`` against the one-sided ``alpha`` point of ``(f(p*) - f(p))/s(p*)`` over
    ``cut.draws_at(p)``, ``s(q)^2 = g(q)' cov(q) g(q)`` the delta-method (Gaussian) variance of ``f(p_hat)`` at
    the task ``q``. ``linear``: ``g`` is ``f``'s constant gradient; else ``g(q)`` by central differences at every
    ``q`` (steps 1e-3 standard deviations of ``p_hat``; the bootstrap-t). Dividing by the estimate's own spread
    makes the law far less dependent on the nuisance (the part of ``p`` that ``f`` does not fix), whose largest
    spread over the region the plain test accepted at the region's tips (docs/advisor_validation.md, "Isotropic
    fine-tuning min-norm below n = d: a studentized own test"). Where ``f`` (linear) or ``s(p_hat)`` (nonlinear) is not
    finite: the plain test."""
    p_hat = np.asarray(p_hat, float)
    if linear:
        with np.errstate(all="ignore"):
            g = evaluate(p_hat + np.eye(4)) - evaluate(p_hat[None, :])[0]   # f linear: its gradient
        if not np.all(np.isfinite(g)):
            return cut.stat_margin                                       # f infinite (interpolation peak): plain test

        def spread(Q):
            return np.sqrt(np.maximum(np.einsum("...i,...ij,...j->...", g, cov(Q), g), 1e-300))
    else:
        h = 1e-3 * np.sqrt(np.maximum(np.diag(cov(p_hat[None, :])[0]), 1e-300))

        def spread(Q):
            Qf = Q.reshape(-1, 4)
            G = np.empty_like(Qf)
            with np.errstate(all="ignore"):
                for j in range(4):
                    e = np.zeros(4)
                    e[j] = h[j]
                    G[:, j] = (evaluate(Qf + e) - evaluate(Qf - e)) / (2 * h[j])
                s2 = np.einsum("ni,nij,nj->n", G, cov(Qf), G)
            return np.sqrt(np.maximum(s2, 1e-300)).reshape(Q.shape[:-1])

    s_hat = float(spread(p_hat[None, :])[0])
    if not linear and not np.isfinite(s_hat):
        return cut.stat_margin                                           # a spread that is not finite: plain test

    def margin(Q, evaluate, stat, sign):
        ok = Q[:, 3] > 0
        out = np.full(len(Q), -np.inf)                                   # r^2 <= 0: not a task, rejected
        if ok.any():
            D = cut.draws_at(Q[ok])
            m, k = D.shape[:2]
            fq = evaluate(Q[ok])
            with np.errstate(all="ignore"):
                t = sign * (evaluate(D.reshape(-1, 4)).reshape(m, k) - fq[:, None]) / spread(D)
                t = np.where(np.isnan(t), np.inf, t)
                kq = int(np.floor(alpha * k))
                out[ok] = sign * (stat - fq) / s_hat - np.partition(t, kq, axis=-1)[:, kq]
        return out
    return margin
