"""The signal from the least-squares split of the labels (more samples than features, any input covariance).

With ``n`` rows (after centring), rank ``d`` and ``k = n - d``: ``A = ||P_X y||^2`` and ``RSS`` are independent,
``RSS = sigma^2 chi2_k``, ``A = (sqrt(tau^2 c) + sigma g)^2 + sigma^2 q`` with ``c ~ chi2_n`` (``||X beta||^2 /
tau^2``), ``g ~ N(0, 1)``, ``q ~ chi2_{d-1}``, all independent: the law depends on ``(tau^2, sigma^2)`` alone
whatever Sigma, and Sigma is not needed. The estimate ``tau2_hat = A/n - d RSS/(n k) = S_y - RSS/k`` is
unbiased with variance ``2 (tau^2 + sigma^2)^2/n + 2 sigma^4/k - 4 sigma^4/n`` (``derivations/noise_ls.py``),
against about ``(8 tau^4 + 4 tau^2 sigma^2)/n`` for ``U(y, Sigma^-1)`` at n >> d. Interval: ``t`` is kept if
``tau2_hat`` lies in the central 95% of its law at ``(t, RSS/k)``, simulated with fixed draws.
"""
from __future__ import annotations

import functools
import math

import numpy as np

from ftheory.advise.intervals import Interval

__all__ = ["signal_ls_interval"]

DRAWS = 4000


@functools.lru_cache(maxsize=16)
def _draws(n, d, k, draws, seed):
    """Fixed standard draws ``(c, g, q, r)`` of the law (common random numbers for every candidate)."""
    rng = np.random.default_rng([int(seed), n, d, k])
    c = rng.chisquare(n, draws)
    g = rng.standard_normal(draws)
    q = rng.chisquare(d - 1, draws) if d > 1 else np.zeros(draws)
    r = rng.chisquare(k, draws)
    return c, g, q, r


def _law(t, s2, n, d, k, draws, seed):
    c, g, q, r = _draws(n, d, k, draws, seed)
    A = (np.sqrt(max(t, 0.0) * c) + math.sqrt(s2) * g) ** 2 + s2 * q
    return A / n - d * s2 * r / (n * k)


def signal_ls_interval(S_y, rss, n, df, draws=DRAWS, seed=0) -> Interval:
    """95% interval of the signal from ``S_y = ||y||^2/n`` and the least-squares ``RSS`` with ``df`` residual
    degrees of freedom (``n`` rows, rank ``n - df``): the kept set of the test of the module docstring
    (bisection on each end: the 97.5% and 2.5% points of the law increase with ``t``); value
    ``max(S_y - RSS/df, 0)`` truncated into it; ``se`` the plug-in standard deviation."""
    n, k = int(n), int(df)
    d = n - k
    s2 = rss / k
    T = S_y - s2
    sd = math.sqrt(max(2 * (max(T, 0.0) + s2) ** 2 / n + 2 * s2 ** 2 / k - 4 * s2 ** 2 / n, 0.0))

    def q(t, level):
        return float(np.quantile(_law(t, s2, n, d, k, draws, seed), level))

    def end(level):
        """Smallest ``t >= 0`` whose ``level`` quantile reaches ``T`` (0 if the quantile at 0 already does)."""
        if q(0.0, level) >= T:
            return 0.0
        hi = max(T, 0.0) + 8 * sd + 1e-300
        while q(hi, level) < T:
            hi *= 2
        lo = 0.0
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            if q(mid, level) < T:
                lo = mid
            else:
                hi = mid
            if hi - lo <= 1e-9 * hi:
                break
        return 0.5 * (lo + hi)

    low, high = end(0.975), end(0.025)
    return Interval(max(T, 0.0), low, max(high, low), sd)
