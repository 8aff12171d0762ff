"""The least-squares residual variance and its exact interval (more samples than features).

Given the inputs ``X`` (``n`` rows after centring, rank ``k``) and Gaussian noise, the residual sum of
squares of the least-squares fit is ``RSS = eps' (I - P_X) eps ~ sigma^2 chi2_{n-k}`` exactly, whatever the
input covariance and the teacher, and independent of the fitted part ``P_X y``. So
``sigma2_LS = RSS/(n - k)`` is unbiased with variance ``2 sigma^4/(n - k)``, and
``[RSS/chi2_{n-k, 0.975}, RSS/chi2_{n-k, 0.025}]`` covers with probability exactly 0.95, conditionally on
``X`` (hence also with centring by Helmert contrasts and with an input covariance estimated from unlabeled
rows, which the residual does not use). Its covariances with the moment statistics of
:mod:`ftheory.advise.moments` are derived in ``derivations/noise_ls.py``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ftheory.advise.intervals import Interval

__all__ = ["MIN_DF", "ResidualVariance", "residual_variance", "use_residual"]

#: least residual degrees of freedom ``n - rank(X)`` at which the advisor reports the residual variance
#: (measured, docs/advisor_validation.md, least-squares residual variance: below it the chi2 interval is mostly the wider one)
MIN_DF = 16


@dataclass(frozen=True)
class ResidualVariance:
    """``RSS`` of the least-squares fit with ``df = n - rank(X)`` residual degrees of freedom."""

    rss: float
    df: int

    @property
    def value(self) -> float:
        """The unbiased residual variance ``RSS / df``."""
        return self.rss / self.df

    def interval(self, level=0.95) -> Interval:
        """Exact interval ``[RSS/chi2_{df,(1+level)/2}, RSS/chi2_{df,(1-level)/2}]`` (Gaussian noise, given X);
        ``se`` is the plug-in ``value sqrt(2/df)``."""
        from scipy.stats import chi2

        a = (1.0 - level) / 2
        lo, hi = self.rss / chi2.ppf([1.0 - a, a], self.df)
        return Interval(self.value, float(lo), float(hi), self.value * math.sqrt(2.0 / self.df))


def residual_variance(X, y) -> ResidualVariance | None:
    """:class:`ResidualVariance` of the least-squares fit of ``y`` on the columns of ``X`` (no intercept:
    centre first), or None if ``n - rank(X) < 1``. The rank is that of a pivoted QR decomposition
    (diagonal entries above ``max(n, d) eps |R_11|``) and the residual is formed explicitly (no
    cancellation of ``||y||^2 - ||P y||^2``)."""
    from scipy.linalg import qr

    X = np.asarray(X, float)
    y = np.asarray(y, float)
    if X.ndim != 2 or y.shape != X.shape[:1] or not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError(f"X of shape {X.shape} and y of shape {y.shape} are invalid: expected finite arrays "
                         "of shapes (n, d) and (n,)")
    n, d = X.shape
    if n <= d:
        return None
    Q, R, _ = qr(X, mode="economic", pivoting=True)
    diag = np.abs(np.diag(R))
    k = int(np.sum(diag > max(n, d) * np.finfo(float).eps * (diag[0] if diag.size else 0.0))) if d else 0
    if n - k < 1:
        return None
    Qk = Q[:, :k]
    r = y - Qk @ (Qk.T @ y)
    r = r - Qk @ (Qk.T @ r)  # one reorthogonalisation: the residual to rounding of y's own size
    return ResidualVariance(float(r @ r), n - k)


def use_residual(rv: ResidualVariance | None, min_df=None) -> bool:
    """Whether the residual variance replaces the moment estimate: at least ``min_df`` (default
    :data:`MIN_DF`) residual degrees of freedom."""
    return rv is not None and rv.df >= (MIN_DF if min_df is None else int(min_df))
