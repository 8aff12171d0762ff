"""Monte Carlo risk of ridge regression from scratch, at one penalty or a grid of penalties
(docs/background.md §3.5); re-exported by :mod:`ftheory.simulate.linear`."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ftheory.simulate.gamma import takes_gamma
from ftheory.mc.batch import sq_dist
from ftheory.mc.estimate import MCEstimate
from ftheory.mc.threads import single_blas_thread
from ftheory.params import PARAMS
from ftheory.simulate._linear_core import (_check_lam, _check_rcond, _draw_target, _rmatvec, _run, _seed_info,
                                           _spectral_filter, _svd, _validate_common)
from ftheory.simulate.linear_estimators import ridge

__all__ = ["simulate_ridge_risk", "simulate_tuned_ridge_risk", "TunedRidgeEstimate"]


@takes_gamma()
@single_blas_thread
def simulate_ridge_risk(n, d, sigma, lam, *, norm_t=1.0, instances=200, seed=None, chunk_size=None):
    """Monte Carlo excess risk of ridge regression from scratch (docs/background.md §3.5).

    Same data as :func:`simulate_min_norm_risk` for the same seed; the estimator is
    :func:`ridge` with penalty ``lam`` (``lam = 0`` reproduces the min-norm samples exactly).

    Parameters
    ----------
    n : int >= 1
    d : int >= 1
    sigma : float >= 0
    lam : float >= 0
        Ridge penalty, convention §0.2 item 7.
    norm_t : float > 0, keyword-only
    instances : int >= 1, keyword-only
    seed : int >= 0, Generator, SeedSequence or None, keyword-only
    chunk_size : int >= 1 or None, keyword-only

    Returns
    -------
    MCEstimate

    Examples
    --------
    >>> est = simulate_ridge_risk(30, 30, 0.2, 0.04, instances=20, seed=1)
    >>> bool(np.isfinite(est.mean))
    True
    """
    n, d, sigma, instances, chunk_size = _validate_common(n, d, sigma, instances, chunk_size, seed)
    lam = _check_lam(lam)
    norm_t = PARAMS["norm_t"].validate(norm_t)

    def compute(beta_t, X, y):
        return {"risk": sq_dist(ridge(X, y, lam), beta_t)}

    out = _run(instances, seed, chunk_size, n * d, _draw_target(n, d, sigma, norm_t), compute)
    info = {"estimator": "ridge", "n": n, "d": d, "sigma": sigma, "lam": lam, "norm_t": norm_t,
            **_seed_info(seed)}
    return MCEstimate(out["risk"], info=info)


@dataclass(frozen=True)
class TunedRidgeEstimate:
    """Ridge risks over a grid of penalties, all computed on the same data.

    Attributes
    ----------
    lams : numpy.ndarray
        The penalty grid, in the order given.
    estimates : tuple of MCEstimate
        One estimate per penalty (common random numbers across the grid).
    """

    lams: np.ndarray
    estimates: tuple

    @property
    def means(self) -> np.ndarray:
        """Mean risk per penalty."""
        return np.array([e.mean for e in self.estimates])

    @property
    def best_index(self) -> int:
        """Index of the penalty with the lowest mean risk (first one on ties)."""
        return int(np.argmin(self.means))

    @property
    def best_lam(self) -> float:
        """The grid penalty with the lowest mean risk."""
        return float(self.lams[self.best_index])

    @property
    def best_mean(self) -> float:
        """Lowest mean risk over the grid (optimistically biased by the selection)."""
        return float(self.means[self.best_index])

    @property
    def best(self) -> MCEstimate:
        """The estimate at :attr:`best_lam`."""
        return self.estimates[self.best_index]


@takes_gamma()
@single_blas_thread
def simulate_tuned_ridge_risk(n, d, sigma, lams, *, norm_t=1.0, instances=200, seed=None,
                              chunk_size=None):
    """Ridge risks over a penalty grid with common random numbers (docs/background.md §3.5, Fig. 5).

    Same data as :func:`simulate_min_norm_risk` for the same seed. One SVD per instance serves
    the whole grid. The tuned baseline is the grid point with the lowest mean risk, as in the
    paper's Figure 5; its mean is biased low by the selection (negligible for a small grid).

    Parameters
    ----------
    n : int >= 1
    d : int >= 1
    sigma : float >= 0
    lams : array_like of floats >= 0
        Non-empty one-dimensional grid of penalties.
    norm_t : float > 0, keyword-only
    instances : int >= 1, keyword-only
    seed : int >= 0, Generator, SeedSequence or None, keyword-only
    chunk_size : int >= 1 or None, keyword-only

    Returns
    -------
    TunedRidgeEstimate
        ``.estimates[j]`` is the MCEstimate at ``lams[j]``; ``.best_mean``, ``.best_lam``,
        ``.best_index``, ``.best``.

    Examples
    --------
    >>> res = simulate_tuned_ridge_risk(20, 20, 0.2, [0.0, 0.04, 0.5], instances=20, seed=0)
    >>> len(res.estimates), res.best_mean == min(e.mean for e in res.estimates)
    (3, True)
    """
    n, d, sigma, instances, chunk_size = _validate_common(n, d, sigma, instances, chunk_size, seed)
    lams = np.atleast_1d(np.asarray(PARAMS["lam"].validate(lams), dtype=float))
    if lams.ndim != 1 or lams.size == 0:
        raise ValueError(f"lams has shape {lams.shape}; expected a non-empty one-dimensional grid")
    norm_t = PARAMS["norm_t"].validate(norm_t)
    rcond = _check_rcond(None, n, d)

    def compute(beta_t, X, y):
        U, s, Vt = _svd(X)
        Uty = _rmatvec(U, y)
        risks = np.empty((X.shape[0], lams.size))
        for j, lam in enumerate(lams):
            beta = _rmatvec(Vt, _spectral_filter(s, n, float(lam), rcond) * Uty)
            risks[:, j] = sq_dist(beta, beta_t)
        return {"risk": risks}

    out = _run(instances, seed, chunk_size, n * d, _draw_target(n, d, sigma, norm_t), compute)
    base = {"estimator": "ridge", "n": n, "d": d, "sigma": sigma, "norm_t": norm_t, **_seed_info(seed)}
    estimates = tuple(MCEstimate(out["risk"][:, j], info={**base, "lam": float(lam)})
                      for j, lam in enumerate(lams))
    return TunedRidgeEstimate(lams=lams.copy(), estimates=estimates)
