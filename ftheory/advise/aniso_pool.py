"""The spread of the anisotropic risk estimates over the unlabeled pool, the labeled data fixed
(:func:`pool_sd`): the part of their law that the estimated covariance adds, for the simulated law below n = d
(:class:`ftheory.advise.aniso_pivot.ScalePivot`, whose worlds take ``Sigma = Sigma_hat`` as known).

Parametric bootstrap of the pool: ``Sigma* = Z'Z/N`` with ``N`` rows ``Z ~ N(0, Sigma_hat)``, and the estimate
recomputed from the same labeled data with ``Sigma*`` (its eigenbasis, inverse ``(N - d - 1)/N inv(Sigma*)``,
the bias weights at its spectrum, the inverse-Wishart debiasing). Modelling only the noise estimate's part,
``V^2 Var U(y, A)`` (exact, ``param_cov._var_u``), overstates it for scratch, whose signal term ``U(y, K)``
moves with ``U(y, A)``: measured at d = 60, n = 30, N = 20 d (1/i spectrum, 4 data sets x 100 pools) the
min-norm estimate's variance over pools was 0.0030 against 0.038 modelled (fine-tuning: 0.031 against 0.038,
its signal term is of ``y - z``).
"""
from __future__ import annotations

import dataclasses

import numpy as np

__all__ = ["pool_sd", "pool_stat_cov", "POOL_DRAWS"]

POOL_DRAWS = 16


def _value(ap, which, ns, lams, paired=False):
    """The predictor's risk estimates ``(len(ns), len(lams))`` (non-finite where the risk is); ``paired``:
    ``(len(ns),)``, the estimate at ``(ns[i], lams[i])``."""
    if paired:
        out = np.empty(ns.size)
        for lam in np.unique(lams):
            at = lams == lam
            out[at] = _value(ap, which, ns[at], np.array([lam]))[:, 0]
        return out
    _, fin, *_, value = ap._estimate(which, ns, lams)
    return np.where(fin, value, np.nan)


def _pools(ap, draws, seed):
    """The predictors of ``draws`` simulated pools (built once per predictor and ``(seed, draws)``), or None
    without an estimated covariance (``N <= d + 3``), without the data, or with fewer than 2 draws."""
    prep = getattr(ap, "_prep", None)
    N, d = int(ap.n_unlabeled), ap.d
    if prep is None or N <= d + 3 or draws < 2:
        return None
    key = (int(seed), int(draws))
    pool = getattr(ap, "_pool", None)
    if pool is None or pool[0] != key:
        rng = np.random.default_rng([int(seed), 2])
        Q, ev = ap._Q, ap.ev
        preds = []
        for _ in range(int(draws)):
            Z = rng.standard_normal((N, d)) * np.sqrt(ev)
            S = Q @ (Z.T @ Z / N) @ Q.T
            S = 0.5 * (S + S.T)
            p = dataclasses.replace(prep, Sigma=S, Sigma_inv=(N - d - 1) / N * np.linalg.inv(S))
            preds.append(type(ap)(p, n_lam=2, pivot_draws=0))   # the predictor's class
        ap._pool = pool = (key, preds)
    return pool[1]


def pool_stat_cov(ap, n, lams, draws=POOL_DRAWS, seed=0):
    """Covariance ``(2 L + 1, 2 L + 1)`` over ``draws`` simulated pools (as :func:`pool_sd`) of the statistics
    ``(A_y(lam)..., B, A_r(lam)...)`` of :class:`ftheory.advise.aniso_transfer.NoiseRegion` at sample size ``n``
    (``L = len(lams)``; ``A_y = k . u_y``, ``A_r = k . u_{y-z}`` with the bias weights ``k`` at ``(n, lam)``,
    ``B = U(y, A)``), the labeled data fixed; zeros where :func:`pool_sd` gives zeros."""
    lams = np.asarray(lams, float)
    L = lams.size
    preds = _pools(ap, draws, seed)
    if preds is None:
        return np.zeros((2 * L + 1, 2 * L + 1))
    rows = []
    ap.fill_caches(preds, np.array([int(n)]), lams)    # all pools' penalties in one Newton loop (same numbers)
    for a in preds:
        _, fin, k, *_ = a._estimate("scratch", np.array([int(n)]), lams)
        k = np.where(fin[0][:, None], k[0], 0.0)
        rows.append(np.concatenate([k @ a.u["y"], [a.kinv @ a.u["y"]], k @ a.u["y-z"]]))
    return np.cov(np.stack(rows), rowvar=False)


def pool_sd(ap, which, ns, lams, draws=POOL_DRAWS, seed=0, paired=False):
    """Standard deviation ``(len(ns), len(lams))`` of the estimate of ``which`` (``"scratch"``/``"finetune"``)
    over ``draws`` simulated pools of the predictor's ``n_unlabeled`` rows around ``Sigma_hat`` (seeded by the
    int ``seed``; the pools are built once per predictor), the labeled data fixed; zeros without an estimated
    covariance or where the risk is not finite. ``paired``: ``lams`` has one penalty per sample size and the
    result is ``(len(ns),)``."""
    ns, lams = np.asarray(ns, int), np.asarray(lams, float)
    preds = _pools(ap, draws, seed)
    if preds is None:
        return np.zeros(ns.size if paired else (ns.size, lams.size))
    v = np.stack([_value(a, which, ns, lams, paired) for a in preds])
    fin = np.all(np.isfinite(v), 0)
    sd = np.std(np.where(fin, v, 0.0), 0, ddof=1)
    return np.where(fin, sd, 0.0)
