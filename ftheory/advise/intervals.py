"""Confidence intervals of the advisor: the :class:`Interval` record, normal intervals, the delta
method and the inversion of a test into the hull of its kept values.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Interval", "interval", "delta", "accept", "invert", "hull", "Z95"]

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Interval:
    """A point estimate, its standard error and a confidence interval ``[low, high]``."""

    value: float
    low: float
    high: float
    se: float

    def __post_init__(self):
        # an unbiased estimate may fall outside the parameter's domain (a negative variance); the
        # reported value is clipped into its interval (raw estimates: ParameterEstimates.p)
        if math.isfinite(self.value) and self.low <= self.high:
            object.__setattr__(self, "value", min(max(self.value, self.low), self.high))

    def as_dict(self) -> dict:
        """``{"value": v, "ci": [low, high]}`` (the JSON form)."""
        return {"value": _f(self.value), "ci": [_f(self.low), _f(self.high)]}

    def covers(self, truth: float) -> bool:
        """Whether ``low <= truth <= high``."""
        return self.low <= truth <= self.high


def _f(x):
    x = float(x)
    return x if math.isfinite(x) else (None if math.isnan(x) else (1e308 if x > 0 else -1e308))


def interval(value, var, lo=-math.inf, hi=math.inf, z=Z95) -> Interval:
    """Normal interval ``value +- z sqrt(var)`` clipped to ``[lo, hi]``; the value is truncated into
    ``[lo, hi]`` and the interval always contains it (``[lo, lo]`` if the whole normal interval is below ``lo``)."""
    value = float(value)
    if not math.isfinite(value):
        return Interval(value, value, value, math.nan)
    se = math.sqrt(max(float(var), 0.0))
    v = min(max(value, lo), hi)
    low, high = max(lo, value - z * se), min(hi, value + z * se)
    return Interval(v, min(low, v), max(high, v), se)


def delta(f, p, C, eps=1e-6):
    """Delta-method variance of ``f(p)`` for an estimate ``p`` with covariance ``C`` (central differences)."""
    p = np.asarray(p, float)
    sd = np.sqrt(np.maximum(np.diag(C), 0))
    g = np.zeros_like(p)
    for i in range(p.size):
        h = eps * (abs(p[i]) + sd[i] + 1e-300)
        e = np.zeros_like(p)
        e[i] = h
        fp, fm = f(p + e), f(p - e)
        if not (math.isfinite(fp) and math.isfinite(fm)):
            return math.inf
        g[i] = (fp - fm) / (2 * h)
    return float(g @ C @ g)



def accept(stat, sims, q=(0.025, 0.975)) -> float:
    """``<= 0`` iff ``stat`` lies between the ``q`` quantiles of ``sims`` (default: the central 95%)."""
    lo, hi = np.quantile(sims, q)
    return max(lo - stat, stat - hi)


def invert(test, lo, hi, grid=161, extra=(), steps=16, around=None):
    """Confidence set ``{t in [lo, hi]: test(t) <= 0}`` as ``(low, high)`` (its hull), refined by ``steps``
    bisections; ``extra`` points (e.g. the estimate) join the grid so that a set narrower than its
    spacing is found. ``around``: instead of the hull, the run of kept grid points through the kept point
    nearest to ``around`` (the estimate), so that no rejected grid point lies inside."""
    ts = np.unique(np.concatenate([np.linspace(lo, hi, grid),
                                   [min(max(float(x), lo), hi) for x in extra if math.isfinite(x)]]))
    ok = np.array([test(t) <= 0 for t in ts])
    if not ok.any():
        return None

    def edge(a, b):  # a kept grid point (ok), b its rejected neighbour: test(a) <= 0 < test(b)
        for _ in range(steps):
            m = 0.5 * (a + b)
            if test(m) <= 0:
                a = m
            else:
                b = m
        return 0.5 * (a + b)

    i, j = np.flatnonzero(ok)[[0, -1]]
    if around is not None:
        k = np.flatnonzero(ok)
        i = j = int(k[np.argmin(np.abs(ts[k] - float(around)))])
        while i > 0 and ok[i - 1]:
            i -= 1
        while j < len(ts) - 1 and ok[j + 1]:
            j += 1
    low = ts[i] if i == 0 else edge(ts[i], ts[i - 1])
    high = ts[j] if j == len(ts) - 1 else edge(ts[j], ts[j + 1])
    return float(low), float(high)


def hull(value, lohi, se) -> Interval:
    """Interval from an inverted test's ``(low, high)`` (None: nothing kept), widened to contain ``value``."""
    if lohi is None:
        return Interval(value, value, value, se)
    return Interval(value, min(lohi[0], value), max(lohi[1], value), se)
