"""The band of one prediction from the isotropic exact-cut region, calibrated by the prediction's own exact test
(:func:`accepted`; docs/advisor.md, Bands): the region's points are searched from each end for the first that
the test accepts. Fine-tuning min-norm (linear in ``p``) and the tuned scratch risk are tested studentized
(:func:`studentized_margin`)."""
from __future__ import annotations

import numpy as np

__all__ = ["accepted", "studentized_margin"]


def accepted(cut, evaluate, P, v, batch=8, cov=None, alpha=0.025, linear=True):
    """Values ``v`` of a prediction ``f`` (row 0: the plug-in ``f(p_hat)``) at the region's points ``P`` reduced
    to the centre and the highest and lowest value among the points that ``f``'s own exact test accepts
    (``cut.stat_margin``, :class:`~ftheory.advise.bands.ScoreRegion`'s ray cut: the plug-in against the law of ``f`` at the draws of ``p_hat`` at the point,
    one-sided 2.5% on the side of each end), searched from each end in batches of ``batch``, doubling (the first
    usually holds it: only the region's tips are rejected). A side with no accepted point keeps the region's end.
    ``cov`` (rows of ``p`` -> ``(..., 4, 4)`` Gaussian covariance of ``p_hat`` there): the test of
    :func:`studentized_margin` at one-sided level ``alpha`` instead (``linear``: ``f`` linear in ``p``)."""
    margin = cut.stat_margin if cov is None else studentized_margin(cut, evaluate, P[0], cov, alpha, linear)
    v = np.where(np.isnan(v), np.inf, v)
    stat, keep = float(v[0]), [v[0]]
    for sign in (1.0, -1.0):
        order = np.argsort(-sign * v, kind="stable")
        end = v[order[0]]
        i, size = 0, batch
        while i < len(order):
            idx = order[i:i + size]
            ok = margin(P[idx], evaluate, stat, sign) > 0
            if ok.any():
                end = v[idx[np.argmax(ok)]]
                break
            i, size = i + size, 2 * size
        keep.append(end)
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
