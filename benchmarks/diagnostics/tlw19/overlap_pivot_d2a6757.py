"""T_lt below n = d by test inversion with the overlap profiled out (Chuang and Lai's hybrid resampling), from the
worlds of :class:`~ftheory.advise.aniso_difference.DifferenceLaw` (docs/advisor.md, Bands).

The law's pivot ``z = (T_hat_lt - T_lt)/S_y`` depends on the overlap ``rho``: the probe's risk moves with ``rho``
about in proportion to ``rho``, so the world at a low ``rho_hat`` has a narrow law, and at n = 17-30 (where
``rho_hat`` is often a third of the truth) the band from the world at the data's overlap misses above. Here a
value ``T0`` is tested in the world *that has it*: the worlds at the data's noise fraction over a grid of
overlaps each carry their own ``T(rho)`` and law of ``z``; along the grid (linear between neighbours, solved exactly on each segment) ``T0 =
T(rho)`` is accepted where the data's ``(T_hat - T0)/S_y`` lies between that world's 2.5% and 97.5% points,
and values beyond the grid's range of ``T`` are tested in the world at that end. The band is the range of the
accepted values. A true value is accepted exactly when the data's pivot lies within its own world's law,
which holds 95% of the time wherever that world (the data's noise fraction and source, the overlap solved
from ``T0``) has the truth's law: the overlap enters through the world it selects, not through a union over
a confidence set of it.
"""
from __future__ import annotations

import numpy as np

__all__ = ["RHO_SPAN", "overlap_inverted"]

#: the overlap grid: the data's ``rho_hat / S_y`` plus these multiples of the fitted world's draws' standard
#: deviation of ``rho_b / S_y_b``
RHO_SPAN = np.arange(-6.0, 6.01, 1.0)


def overlap_inverted(law, value, Sy, tau, rho, r2, level=0.95, prepivot=False):
    """``(low, high, info)``: the T_lt band of data with estimate ``value`` by test inversion over the overlap
    (module docstring). ``law``: a :class:`~ftheory.advise.aniso_difference.DifferenceLaw`; ``Sy``, ``tau``,
    ``rho``, ``r2``: the data's label variance, signal estimate, overlap and source; ``prepivot``: each world's
    quantiles prepivoted over the noise fraction (``DifferenceLaw.quantiles``) instead of the plain ones at the
    data's fraction. ``info``: the worlds' overlaps over ``S_y``, their ``T`` and quantiles."""
    from ftheory.advise.aniso_difference import _fraction

    alpha = (1 - level) / 2
    f0 = float(_fraction(np.array([Sy - tau]), np.array([tau]), np.array([Sy]))[0])

    def sr(r):
        return max(Sy - 2 * r + r2, 1e-300)
    q_b = law.world(f0, Sy, rho, r2, sr(rho), overlap=True)[2]
    sd = float(np.std(q_b))
    rq = (rho / Sy + (sd if sd > 0 else 1e-6 * max(abs(rho / Sy), 1.0)) * RHO_SPAN) * Sy
    T, lo, hi = [], [], []
    for r in rq:
        stat, _, _, t = law.world(f0, Sy, r, r2, sr(r), overlap=True)
        if prepivot:
            qa, qb = (q[0] for q in law.quantiles(Sy, tau, r, r2, sr(r), level))
        else:
            qa, qb = np.quantile(stat[:, 0], [alpha, 1 - alpha])
        T.append(t[0])
        lo.append(qa)
        hi.append(qb)
    T, lo, hi = np.array(T), np.array(lo), np.array(hi)
    # the branch of worlds around the data's overlap on which T is monotone (T depends on the overlap's size,
    # so the worlds of the other sign reach the same T; the nuisance is the solution nearest the data's)
    j0 = int(np.argmin(np.abs(RHO_SPAN)))
    a, b = j0, j0
    while a > 0 and T[a - 1] < T[a]:
        a -= 1
    while b < T.size - 1 and T[b + 1] > T[b]:
        b += 1
    T, lo, hi = T[a:b + 1], lo[a:b + 1], hi[a:b + 1]
    # each world's acceptance interval for T0: [value - hi S_y, value - lo S_y]
    A, Bnd = value - hi * Sy, value - lo * Sy
    acc = []
    for j in range(T.size - 1):                         # on each segment T, A, B are linear in t in [0, 1]
        t_lo, t_hi = 0.0, 1.0
        for c0, c1 in ((T[j] - A[j], (T[j + 1] - A[j + 1]) - (T[j] - A[j])),
                       (Bnd[j] - T[j], (Bnd[j + 1] - T[j + 1]) - (Bnd[j] - T[j]))):
            if c1 > 0:                                  # c0 + c1 t >= 0
                t_lo = max(t_lo, -c0 / c1)
            elif c1 < 0:
                t_hi = min(t_hi, -c0 / c1)
            elif c0 < 0:
                t_lo, t_hi = 1.0, 0.0
        if t_lo <= t_hi:
            acc += [T[j] + t * (T[j + 1] - T[j]) for t in (t_lo, t_hi)]
    if A[0] < T[0]:                                     # below the branch's range: its lowest world
        acc += [A[0], min(Bnd[0], T[0])]
    if Bnd[-1] > T[-1]:                                 # above it: its highest world
        acc += [max(A[-1], T[-1]), Bnd[-1]]
    info = {"rho": rq[a:b + 1] / Sy, "T": T, "lo": lo, "hi": hi, "accepted": bool(acc)}
    if not acc:                                         # no world accepts its own T: the fitted world's band
        return float(A[j0 - a]), float(Bnd[j0 - a]), info
    return float(min(acc)), float(max(acc)), info
