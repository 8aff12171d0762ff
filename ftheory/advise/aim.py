"""Rays of the score region aimed at a prediction's extremes (:meth:`~ftheory.advise.bands.ScoreRegion.band`).

The band of a prediction ``f`` is its range over the score region of ``p``, represented by a cloud of rays
from the centre in fixed directions; between them the cloud misses the extreme (at gamma = 2 the linear
probe's band from 512 rays covered 92.4%, from 4096 rays 94.2%, on the same samples). The rays aimed here
are cut by the same test as the cloud's, so the band stays a range over the region. Measured: their ends
reach those of 32768 fixed rays to within 0.2% of the band's width; tests/advise/test_bands_aimed.py.
"""
from __future__ import annotations

import numpy as np

__all__ = ["aimed_rays"]

_GRAD_STEP = 1e-3  # central-difference step of a prediction's gradient, in standard deviations (units of L)
_STARTS = 1  # best rays so far from which each round's search starts (and the gradient direction)
_ROUNDS = 2  # rounds of aimed rays (surrogate search, then the exact cut of its directions)
_SEARCH = 12  # pattern-search steps on the surrogate per round
_ANGLE = 0.25  # their first angle (radians)
_POLISH = 4  # exact pattern-search steps from the best ray found (first angle _ANGLE / 2)
_KAPPA = 20.0  # concentration of the surrogate's kernel exp(kappa (u . u_i - 1)) (width ~ 0.22 rad)


def aimed_rays(cut, evaluate, cloud, rounds=_ROUNDS):
    """``(raw points, values)`` on rays aimed at the highest and lowest value of a prediction, each cut by the
    region's own test ``cut`` (:func:`~ftheory.advise.bands.score_region`: centre, metric ``L``, the cloud's
    directions and radii; called on unit directions it returns their radii) and sampled at the cloud's shells
    (``1/2, 1`` of the radius). ``evaluate``: the prediction at raw points (rows); ``cloud``: its values on
    the cloud's points (centre, half radii, ends).

    Each round searches the directions ``u`` for the extremes of ``f(centre + r(u) L u)`` with a surrogate
    radius ``r(u)`` (kernel average of the radii of the rays cut so far, :data:`_KAPPA`): a pattern search
    (:data:`_SEARCH` steps: the six neighbours at angle ``a`` in the tangent space, moving to the best if it
    improves, else halving ``a``, first :data:`_ANGLE`) from the best ray so far and from the gradient
    direction ``+-u``, ``u = L' grad f / |L' grad f|`` (in the ray's metric ``L L' = C``: the extreme of a
    linear ``f`` over an ellipsoid; ``grad f`` by central differences of :data:`_GRAD_STEP` standard
    deviations along the columns of ``L``); the four directions found are then cut exactly and join the
    surrogate. The kernel average cuts the region's tips short (at sigma^2 = 1 the ends fell 2.4% of the width
    below 32768 fixed rays), so :data:`_POLISH` steps of the same search on the exact cut follow, from the best
    ray found (first angle ``_ANGLE / 2``). The surrogate only aims: every point returned lies on a ray cut by
    the region's test. Cost: about 30 exact rays and 50 evaluations of the prediction."""
    c, Lm = cut.centre, cut.Lm
    D, R = cut.directions, cut.radii                                 # the cloud's rays

    def shells(U, r):                                                # ends, then half radii
        ends = c + r[:, None] * (U @ Lm.T)
        return np.concatenate([ends, 0.5 * (c + ends)])

    def values(C, r, sign):                                         # sign * f, best shell: (m, j)
        m = C.shape[0]
        s = sign[None, :, None] * evaluate(shells(C.reshape(-1, 4), r)).reshape(2, m, -1)
        return np.max(np.where(np.isnan(s), -np.inf, s), 0)

    def surrogate(D, R, sign):                                       # phi on the surrogate radius
        logR = np.log(np.maximum(R, 1e-300))

        def phi(C):
            W = np.exp(_KAPPA * (C.reshape(-1, 4) @ D.T - 1.0))
            return values(C, np.exp((W @ logR) / np.maximum(W.sum(1), 1e-300)), sign)
        return phi

    def exact(sign):                                                 # phi on the exact cut
        seen = []

        def phi(C):
            r = cut(C.reshape(-1, 4))[0]
            seen.append(shells(C.reshape(-1, 4), r))
            return values(C, r, sign)
        return phi, seen

    def best_rays(vv, k):                                            # top k rays (raise), (lower)
        w = np.where(np.isnan(vv), np.inf, vv).reshape(2, -1)
        hi, lo = np.max(np.where(np.isinf(w), -np.inf, w), 0), np.min(w, 0)
        return np.argsort(-hi)[:k], np.argsort(lo)[:k]

    v = np.asarray(cloud, float)
    E = _GRAD_STEP * Lm.T
    gv = evaluate(np.concatenate([c + E, c - E]))
    with np.errstate(invalid="ignore"):                             # inf - inf near the peak n = d: set to 0 below
        g = (gv[:4] - gv[4:]) / (2 * _GRAD_STEP)
    g = np.where(np.isfinite(g), g, 0.0)
    gn = np.linalg.norm(g)
    sign = np.repeat([1.0, -1.0], _STARTS + 1)                       # searches: raise, then lower
    vals_D = v[1:]                                                   # (halves, ends) of the rays D
    out_P, out_v = [], []
    for _ in range(rounds):
        i_hi, i_lo = best_rays(vals_D, _STARTS)
        u = g / gn if gn > 0 else D[i_hi[0]]
        starts = np.concatenate([D[i_hi], u[None], D[i_lo], -u[None] if gn > 0 else D[i_lo[:1]]])
        U = _search(surrogate(D, R, sign), starts, _SEARCH, _ANGLE)
        r, _ = cut(U)
        P = shells(U, r)
        vals = evaluate(P)
        out_P.append(P)
        out_v.append(vals)
        D, R = np.concatenate([D, U]), np.concatenate([R, r])
        vals_D = np.concatenate([vals_D.reshape(2, -1), vals.reshape(2, -1)], 1).ravel()
    if _POLISH:
        # the surrogate averages the radii and so cuts the region's tips short: a few exact steps
        i_hi, i_lo = best_rays(vals_D, 1)
        phi, seen = exact(np.array([1.0, -1.0]))
        _search(phi, np.concatenate([D[i_hi], D[i_lo]]), _POLISH, _ANGLE / 2)
        P = np.concatenate(seen)
        out_P.append(P)
        out_v.append(evaluate(P))
    return np.concatenate(out_P), np.concatenate(out_v)


def _search(phi, U, iters, angle):
    """Pattern search on the sphere of directions from the unit rows of ``U`` ``(m, 4)`` for the maximum of
    ``phi`` (``(m, j, 4)`` directions -> ``(m, j)`` values): the six neighbours at ``angle`` in the tangent
    space, moving to the best if it improves, else halving the angle. Returns the directions found."""
    m = len(U)
    best = phi(U[:, None, :])[:, 0]
    angle = np.full(m, float(angle))
    rows = np.arange(m)
    for _ in range(iters):
        Qr = np.linalg.qr(np.concatenate([U[:, :, None], np.broadcast_to(np.eye(4), (m, 4, 4))], 2))[0]
        T = np.swapaxes(Qr[:, :, 1:], 1, 2)                          # (m, 3, 4): tangent basis at U
        C = U[:, None, :] + angle[:, None, None] * np.concatenate([T, -T], 1)
        C = C / np.linalg.norm(C, axis=2, keepdims=True)             # (m, 6, 4)
        ph = phi(C)
        j = np.argmax(ph, 1)
        top = ph[rows, j]
        up = top > best
        U = np.where(up[:, None], C[rows, j], U)
        best = np.where(up, top, best)
        angle = np.where(up, angle, 0.5 * angle)
    return U
