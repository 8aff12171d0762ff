"""Baseline for benchmarks/advisor_pool_speed.py: the anisotropic predictor's penalty solves as before rev16
(main ed164b3), patched in for timing in the same process. Three things differ from the current code, none in
its arithmetic: the Newton loop gathered and scattered every unfinished index at every step; the bias weights
and the variance factor came from two ``scratch_risk`` calls (``kappa`` solved twice); each simulated pool of
:mod:`ftheory.advise.aniso_pool` solved its own penalties (one Newton loop per pool instead of one for all).
"""
from __future__ import annotations

import contextlib

import numpy as np

from ftheory.advise import aniso_predict, sigma_debias
from ftheory.aniso import log_newton as ln
from ftheory.aniso import scratch


def old_log_newton(residual, t, t_lo, t_hi, todo, max_iter=ln.MAX_ITER):
    """The loop of ``ftheory.aniso.log_newton`` at ed164b3."""
    with np.errstate(all="ignore"):
        for _ in range(max_iter):
            if todo.size == 0:
                break
            tt = t[todo]
            F, slope = residual(tt, todo)
            lo_t = np.where(F < 0, tt, t_lo[todo])
            hi_t = np.where(F > 0, tt, t_hi[todo])
            new = tt - F / slope
            outside = ~((new > lo_t) & (new < hi_t)) | ~np.isfinite(new)
            new = np.where(outside, 0.5 * (lo_t + hi_t), new)
            new = np.where(F == 0, tt, new)
            tol = ln.TOL * np.maximum(1.0, np.abs(tt))
            finished = (np.abs(new - tt) <= tol) | (hi_t - lo_t <= tol)
            t[todo], t_lo[todo], t_hi[todo] = new, lo_t, hi_t
            todo = todo[~finished]
    return t


def _old_fill(preds, ns, lams, signal=True):
    """One predictor at a time, ``kappa`` solved twice (``_weights`` at ed164b3), resolvent weights per pool."""
    key = (ns.tobytes(), lams.tobytes())
    for a in preds:
        if key not in a._wcache:
            d = a.d
            with np.errstate(all="ignore"):
                W = np.asarray(scratch.scratch_risk(a.ev, np.eye(d), ns[:, None, None], 0.0, lams[None, :, None]),
                               float)
                V = np.asarray(scratch.scratch_risk(a.ev, np.zeros(d), ns[:, None], 1.0, lams[None, :]), float)
            a._wcache[key] = (np.broadcast_to(W, (ns.size, lams.size, d)), np.broadcast_to(V, (ns.size, lams.size)))
        if signal and a.uses_resolvent():
            _old_resolvent([a], (ns.size, lams.size), ns[:, None], lams[None, :])


def _old_resolvent(preds, shape, n, lam):
    n = np.broadcast_to(np.asarray(n, float), shape)
    lam = np.broadcast_to(np.asarray(lam, float), shape)
    key = (shape, n.tobytes(), lam.tobytes())
    out = []
    for a in preds:
        cache = a.__dict__.setdefault("_kcache", {})
        if key not in cache:
            cache[key] = sigma_debias.resolvent_weights(a.ev, a.n_unlabeled, n, lam)
        out.append(cache[key])
    return out


@contextlib.contextmanager
def baseline():
    """Within the block, the anisotropic predictor solves as at ed164b3."""
    P = aniso_predict.AnisotropicPredictor
    saved = (scratch.log_newton, sigma_debias.log_newton, P.__dict__["fill_caches"], P.__dict__["_resolvent_cached"])
    scratch.log_newton = sigma_debias.log_newton = old_log_newton
    P.fill_caches, P._resolvent_cached = staticmethod(_old_fill), staticmethod(_old_resolvent)
    try:
        yield
    finally:
        scratch.log_newton, sigma_debias.log_newton = saved[0], saved[1]
        P.fill_caches, P._resolvent_cached = saved[2], saved[3]
