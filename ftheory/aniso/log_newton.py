"""Safeguarded Newton iteration for many bracketed scalar roots at once, in a log variable ``t``.

Used for the effective penalty ``kappa`` (:mod:`ftheory.aniso.scratch`) and the pool-side penalty ``mu`` of
the resolvent weights (:mod:`ftheory.advise.sigma_debias`), both increasing functions of ``t = log kappa``
(``log mu``) with a known bracket.
"""
from __future__ import annotations

import numpy as np

__all__ = ["log_newton", "MAX_ITER", "TOL"]

#: iteration cap (Newton converges in a handful of steps; bisection alone would need ~60)
MAX_ITER = 200
#: an index stops when its step or its bracket is at most ``TOL max(1, |t|)``: a few ulp of ``t``
TOL = 2e-15


def log_newton(residual, t, t_lo, t_hi, todo, max_iter=MAX_ITER):
    """Solve ``F_j(t_j) = 0`` for the indices ``j`` in ``todo``, each ``F_j`` increasing with a sign change in
    ``[t_lo[j], t_hi[j]]``; ``residual(tt, idx)`` returns ``(F, dF/dt)`` at ``tt = t[idx]``. Each step moves the
    bracket end on the side of ``F``'s sign to the current point, then takes the Newton step, or the bracket's
    midpoint when that step is not finite or not strictly inside the bracket; an index stops at ``F = 0`` or
    when its step or bracket is at most ``TOL max(1, |t|)``. Floating-point warnings are silenced throughout
    (``residual`` included). Updates the float arrays ``t``, ``t_lo``, ``t_hi``
    in place (entries outside ``todo`` untouched) and returns ``t``."""
    # the unfinished indices' t and bracket are kept as compact arrays (written back when an index stops): the
    # same arithmetic per index as gathering and scattering every step, with fewer array operations per step
    tt, lo, hi = t[todo], t_lo[todo], t_hi[todo]
    with np.errstate(all="ignore"):  # once for the loop: entering it per step cost ~5% of an anisotropic advise
        for _ in range(max_iter):
            if todo.size == 0:
                break
            F, slope = residual(tt, todo)
            lo = np.where(F < 0, tt, lo)
            hi = np.where(F > 0, tt, hi)
            new = tt - F / slope
            outside = ~((new > lo) & (new < hi)) | ~np.isfinite(new)
            new = np.where(outside, 0.5 * (lo + hi), new)
            new = np.where(F == 0, tt, new)
            tol = TOL * np.maximum(1.0, np.abs(tt))
            finished = (np.abs(new - tt) <= tol) | (hi - lo <= tol)
            if finished.any():
                done = todo[finished]
                t[done], t_lo[done], t_hi[done] = new[finished], lo[finished], hi[finished]
                keep = ~finished
                todo, tt, lo, hi = todo[keep], new[keep], lo[keep], hi[keep]
            else:
                tt = new
        t[todo], t_lo[todo], t_hi[todo] = tt, lo, hi
    return t
