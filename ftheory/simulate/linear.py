"""Closed-form linear-regression estimators and Monte Carlo risk simulators (docs/background.md §1.4, §3–§4, §7).

Estimators
----------
All estimators are batched: ``X`` has shape ``(instances, n, d)`` and ``y`` shape ``(instances, n)``
(a single problem ``X`` of shape ``(n, d)``, ``y`` of shape ``(n,)`` is also accepted and returns a
``(d,)`` vector). They are computed from the SVD ``X = U diag(s) V^T`` (LAPACK ``gelsd`` for the
minimum-norm solution, an explicit thin SVD for ridge) with the relative rank cut-off
``max(n, d) * eps`` — never from an explicit normal-equation inverse — so they are stable at
``n = d`` and ``lam = 0``.

* :func:`min_norm` — ``X^+ y`` (scratch training, §3.1).
* :func:`ridge` — ``(X^T X + n lam I)^{-1} X^T y`` (§0.2 item 7, §3.5).
* :func:`linear_transfer_readout` — read-out refit on one frozen feature (§4.1).
* :func:`rank_k_readout` — read-out refit on a k-dimensional frozen feature space (§4.5).

Simulators
----------
Each ``simulate_*`` function returns :class:`~ftheory.mc.MCEstimate` objects whose
samples are the per-instance excess risks ``||beta_hat - beta_t||^2`` (noise floor **not** included,
§0.2 item 5).

Seed and chunk scheme
---------------------
``seed`` is split with :func:`ftheory.mc.spawn_seeds` into one child
:class:`numpy.random.SeedSequence` per instance; instance ``i`` draws all of its randomness
(teachers, then source data if any, then target inputs, then target noise) from its own generator
``default_rng(child_i)``. Consequently

* the samples do not depend on how instances are grouped into chunks (``chunk_size``),
* the first ``m`` samples of a run with ``instances = M > m`` equal a run with ``instances = m``,
* simulators that share a draw routine see the same data for the same seed (common random
  numbers): :func:`simulate_min_norm_risk`, :func:`simulate_ridge_risk` and
  :func:`simulate_tuned_ridge_risk` use the same ``(beta_t, X, y)``; so do
  :func:`simulate_linear_transfer_risk` and :func:`simulate_scratch_and_transfer`; and the inputs
  ``X`` do not depend on ``sigma`` (noise is drawn last).

Instances are processed in chunks of at most ``~2e7`` input-matrix entries (override with
``chunk_size``) so memory stays bounded; the linear algebra is batched over a chunk.

Simulate never imports ``ftheory.theory``; tests compare the two.
"""
from __future__ import annotations

import math

import numpy as np

from ftheory.simulate.gamma import takes_gamma
from ftheory._checks import check_int, check_real
from ftheory.params import PARAMS
from ftheory.simulate.data import gaussian_data
from ftheory.mc.batch import sq_dist
from ftheory.mc.estimate import MCEstimate
from ftheory.mc.threads import single_blas_thread
from ftheory.simulate._linear_core import (MAX_CHUNK_ELEMENTS, _draw_pair, _draw_target, _run, _seed_info,
                                           _validate_common, _validate_transfer)
from ftheory.simulate.linear_estimators import linear_transfer_readout, min_norm, rank_k_readout, ridge
from ftheory.simulate.linear_ridge import TunedRidgeEstimate, simulate_ridge_risk, simulate_tuned_ridge_risk
from ftheory.simulate.linear_source import simulate_linear_transfer_finite_source

__all__ = [
    "min_norm",
    "ridge",
    "linear_transfer_readout",
    "rank_k_readout",
    "simulate_min_norm_risk",
    "simulate_ridge_risk",
    "simulate_tuned_ridge_risk",
    "TunedRidgeEstimate",
    "simulate_linear_transfer_risk",
    "simulate_linear_transfer_finite_source",
    "simulate_rank_k_risk",
    "simulate_scratch_and_transfer",
    "MAX_CHUNK_ELEMENTS",
]


# ------------------------------------------------------------------------------------------
# scratch baselines
# ------------------------------------------------------------------------------------------
@takes_gamma()
@single_blas_thread
def simulate_min_norm_risk(n, d, sigma, *, norm_t=1.0, instances=200, seed=None, chunk_size=None):
    """Monte Carlo excess risk of the minimum-norm (scratch) estimator (docs/background.md §3.1, §3.3).

    Per instance: ``beta_t`` uniform on the sphere of radius ``norm_t``, ``X`` with i.i.d.
    N(0, 1) entries, ``y = X beta_t + sigma eps``, ``beta_hat = X^+ y``; the sample is
    ``||beta_hat - beta_t||^2``. The exact mean is §3.3 (infinite for ``|n - d| <= 1`` when
    ``sigma > 0``: the samples are then finite but heavy tailed).

    Parameters
    ----------
    n : int >= 1
        Target sample size.
    d : int >= 1
        Input dimension.
    sigma : float >= 0
        Target label-noise standard deviation.
    norm_t : float > 0, keyword-only
        Norm of the target teacher.
    instances : int >= 1, keyword-only
        Number of independent instances.
    seed : int >= 0, numpy.random.Generator, numpy.random.SeedSequence or None, keyword-only
        Split into one child seed per instance (module docstring).
    chunk_size : int >= 1 or None, keyword-only
        Instances per chunk; default keeps ``chunk * n * d <= 2e7``. Does not change the result.

    Returns
    -------
    MCEstimate
        Samples of the excess risk (noise floor not included).

    Examples
    --------
    >>> est = simulate_min_norm_risk(20, 40, 0.0, instances=50, seed=0)
    >>> abs(est.zscore(1 - 20 / 40)) < 5
    True
    """
    n, d, sigma, instances, chunk_size = _validate_common(n, d, sigma, instances, chunk_size, seed)
    norm_t = PARAMS["norm_t"].validate(norm_t)

    def compute(beta_t, X, y):
        return {"risk": sq_dist(min_norm(X, y), beta_t)}

    out = _run(instances, seed, chunk_size, n * d, _draw_target(n, d, sigma, norm_t), compute)
    info = {"estimator": "min_norm", "n": n, "d": d, "sigma": sigma, "norm_t": norm_t, **_seed_info(seed)}
    return MCEstimate(out["risk"], info=info)


# ------------------------------------------------------------------------------------------
# linear transfer
# ------------------------------------------------------------------------------------------
@takes_gamma()
@single_blas_thread
def simulate_linear_transfer_risk(n, d, theta, sigma, *, lam=0.0, norm_s=1.0, norm_t=1.0, depth=2,
                                  instances=200, seed=None, chunk_size=None):
    """Monte Carlo excess risk of linear transfer from an infinite source (docs/background.md §4.1–§4.4).

    Per instance: teachers from :func:`ftheory.simulate.data.teachers` (angle ``theta``), target
    data ``y = X beta_t + sigma eps``; the pretrained network is the balanced rank-one state of
    §2.4 (feature direction ``beta_s/||beta_s||``, feature norm ``norm_s^{(L-1)/L}``), and the
    read-out is refit by :func:`linear_transfer_readout`, i.e. ``lam_eff = lam /
    norm_s^{2(L-1)/L}``. At ``lam = 0`` the result does not depend on ``depth`` or ``norm_s``.
    Exact mean at ``lam = 0``: §4.2; asymptotics: §4.3–§4.4.

    Parameters
    ----------
    n : int >= 1
    d : int >= 2
    theta : float in [0, pi]
        Source–target angle in radians.
    sigma : float >= 0
    lam : float >= 0, keyword-only
        Read-out ridge penalty.
    norm_s, norm_t : float > 0, keyword-only
        Teacher norms.
    depth : int >= 2, keyword-only
        Number of weight matrices L (enters only through ``lam_eff``).
    instances : int >= 1, keyword-only
    seed : int >= 0, Generator, SeedSequence or None, keyword-only
        Same seed gives the same data as :func:`simulate_scratch_and_transfer`.
    chunk_size : int >= 1 or None, keyword-only

    Returns
    -------
    MCEstimate

    Examples
    --------
    >>> est = simulate_linear_transfer_risk(10, 30, np.pi / 4, 0.2, instances=100, seed=0)
    >>> 0.4 < est.mean < 0.8
    True
    """
    n, d, theta, sigma, lam, norm_s, norm_t, depth, instances, chunk_size = _validate_transfer(
        n, d, theta, sigma, lam, norm_s, norm_t, depth, instances, chunk_size, seed)
    scale = norm_s ** ((depth - 1) / depth)

    def compute(beta_s, beta_t, X, y):
        beta = linear_transfer_readout(X, y, beta_s, lam, scale=scale)
        return {"risk": sq_dist(beta, beta_t)}

    out = _run(instances, seed, chunk_size, n * d, _draw_pair(n, d, theta, sigma, norm_s, norm_t), compute)
    info = {"estimator": "linear_transfer", "n": n, "d": d, "theta": theta, "sigma": sigma, "lam": lam,
            "lam_eff": lam / scale**2, "norm_s": norm_s, "norm_t": norm_t, "depth": depth,
            **_seed_info(seed)}
    return MCEstimate(out["risk"], info=info)


@takes_gamma()
@single_blas_thread
def simulate_scratch_and_transfer(n, d, theta, sigma, *, lam=0.0, norm_s=1.0, norm_t=1.0, depth=2,
                                  instances=200, seed=None, chunk_size=None):
    """Scratch and linear-transfer risks on the same data, and their difference (docs/background.md §5.5).

    Uses exactly the draws of :func:`simulate_linear_transfer_risk` (same seed, same samples for
    ``"linear_transfer"``); the scratch estimator is :func:`min_norm` on the same ``(X, y)``.
    The transferability samples are the per-instance differences ``R_sc - R_lt`` (§0.2 item 6),
    whose standard error is reduced by the common random numbers. Note ``E R_sc = +inf`` for
    ``|n - d| <= 1`` and ``sigma > 0`` (§0.2 item 10).

    Parameters
    ----------
    n : int >= 1
    d : int >= 2
    theta : float in [0, pi]
    sigma : float >= 0
    lam : float >= 0, keyword-only
        Read-out ridge penalty for linear transfer (scratch is always min-norm).
    norm_s, norm_t : float > 0, keyword-only
    depth : int >= 2, keyword-only
    instances : int >= 1, keyword-only
    seed : int >= 0, Generator, SeedSequence or None, keyword-only
    chunk_size : int >= 1 or None, keyword-only

    Returns
    -------
    dict
        ``{"scratch": MCEstimate, "linear_transfer": MCEstimate, "transferability": MCEstimate}``.

    Examples
    --------
    >>> res = simulate_scratch_and_transfer(20, 40, np.pi / 4, 0.2, instances=30, seed=0)
    >>> np.allclose(res["transferability"].samples,
    ...             res["scratch"].samples - res["linear_transfer"].samples)
    True
    """
    n, d, theta, sigma, lam, norm_s, norm_t, depth, instances, chunk_size = _validate_transfer(
        n, d, theta, sigma, lam, norm_s, norm_t, depth, instances, chunk_size, seed)
    scale = norm_s ** ((depth - 1) / depth)

    def compute(beta_s, beta_t, X, y):
        r_sc = sq_dist(min_norm(X, y), beta_t)
        r_lt = sq_dist(linear_transfer_readout(X, y, beta_s, lam, scale=scale), beta_t)
        return {"sc": r_sc, "lt": r_lt}

    out = _run(instances, seed, chunk_size, n * d, _draw_pair(n, d, theta, sigma, norm_s, norm_t), compute)
    base = {"n": n, "d": d, "theta": theta, "sigma": sigma, "norm_s": norm_s, "norm_t": norm_t,
            **_seed_info(seed)}
    lt_info = {"lam": lam, "lam_eff": lam / scale**2, "depth": depth}
    return {
        "scratch": MCEstimate(out["sc"], info={"estimator": "min_norm", **base}),
        "linear_transfer": MCEstimate(out["lt"], info={"estimator": "linear_transfer", **base, **lt_info}),
        "transferability": MCEstimate(out["sc"] - out["lt"],
                                      info={"estimator": "scratch - linear_transfer", **base, **lt_info}),
    }


@takes_gamma()
@single_blas_thread
def simulate_rank_k_risk(n, d, k, residual, sigma, *, instances=200, seed=None, chunk_size=None):
    """Monte Carlo risk of least-squares read-out on k frozen features (docs/background.md §4.5).

    Per instance, in this order: ``U`` = Q factor of a d x k Gaussian matrix (a Haar-random
    k-dimensional subspace), a unit vector ``a`` in ``span U``, a unit vector ``b`` orthogonal to
    it, then the target data for ``beta_t = sqrt(1 - residual) a + sqrt(residual) b`` (unit norm,
    ``||(I - U U^T) beta_t||^2 = residual``). The estimator is :func:`rank_k_readout` with
    ``lam = 0``. Exact mean: ``rho + (sigma^2 + rho) k / (n - k - 1)`` for ``n > k + 1``.

    Parameters
    ----------
    n : int >= 1
    d : int >= 1
    k : int, 1 <= k <= d
        Number of frozen features.
    residual : float in [0, 1]
        ``rho``, the squared norm of the part of ``beta_t`` outside the feature space; must be 0
        when ``k = d``.
    sigma : float >= 0
    instances : int >= 1, keyword-only
    seed : int >= 0, Generator, SeedSequence or None, keyword-only
    chunk_size : int >= 1 or None, keyword-only

    Returns
    -------
    MCEstimate

    Examples
    --------
    >>> est = simulate_rank_k_risk(40, 30, 3, 0.25, 0.2, instances=50, seed=0)
    >>> bool(est.mean > 0.25)
    True
    """
    n, d, sigma, instances, chunk_size = _validate_common(n, d, sigma, instances, chunk_size, seed)
    k = check_int("k", k)
    if k > d:
        raise ValueError(f"k={k!r} is invalid: expected an integer in [1, d] with d={d}")
    residual = check_real("residual", residual, 0.0, 1.0)
    if k == d and residual > 0:
        raise ValueError(f"residual={residual!r} is invalid for k = d = {d}: the feature space is "
                         "all of R^d, so the residual must be 0")

    def draw(rng):
        U = np.linalg.qr(rng.standard_normal((d, k)))[0]
        g_in = rng.standard_normal(k)
        g_out = rng.standard_normal(d)
        a = U @ (g_in / np.linalg.norm(g_in))
        beta_t = math.sqrt(1.0 - residual) * a
        if residual > 0:
            perp = g_out - U @ (U.T @ g_out)
            beta_t = beta_t + math.sqrt(residual) * perp / np.linalg.norm(perp)
        X, y = gaussian_data(beta_t[None], n, sigma=sigma, seed=rng)
        return U, beta_t, X[0], y[0]

    def compute(U, beta_t, X, y):
        return {"risk": sq_dist(rank_k_readout(X, y, U), beta_t)}

    out = _run(instances, seed, chunk_size, n * d, draw, compute)
    info = {"estimator": "rank_k_readout", "n": n, "d": d, "k": k, "residual": residual, "sigma": sigma,
            **_seed_info(seed)}
    return MCEstimate(out["risk"], info=info)
