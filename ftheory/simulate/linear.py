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
import numbers
from dataclasses import dataclass

import numpy as np

from ftheory._checks import check_int, check_real
from ftheory.params import PARAMS
from ftheory.mc.seeds import as_generator, spawn_seeds
from ftheory.simulate.data import gaussian_data, target_teacher, teachers
from ftheory.mc.batch import inner, sq_dist
from ftheory.mc.estimate import MCEstimate
from ftheory.mc.threads import single_blas_thread

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

#: Upper bound on the number of input-matrix entries (instances * rows * d) held per chunk.
MAX_CHUNK_ELEMENTS = 20_000_000


# ------------------------------------------------------------------------------------------
# validation helpers
# ------------------------------------------------------------------------------------------
def _check_chunk_size(chunk_size):
    return None if chunk_size is None else check_int("chunk_size", chunk_size)


def _check_lam(lam):
    lam = PARAMS["lam"].validate(lam)
    if np.ndim(lam) != 0:
        raise ValueError(f"lam={lam!r} is invalid: expected a scalar in {PARAMS['lam'].domain}")
    return float(lam)


def _check_rcond(rcond, n, d):
    if rcond is None:
        return max(n, d) * np.finfo(float).eps
    return check_real("rcond", rcond, 0.0, expected="a real number >= 0")


def _as_batch(X, y):
    """Return float arrays ``X`` (b, n, d), ``y`` (b, n) and whether the input was unbatched."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim == 2:
        if y.shape != X.shape[:1]:
            raise ValueError(f"y has shape {y.shape}; expected {X.shape[:1]} for X of shape {X.shape}")
        return X[None], y[None], True
    if X.ndim != 3:
        raise ValueError(f"X has shape {X.shape}; expected (instances, n, d) or (n, d)")
    if y.shape != X.shape[:2]:
        raise ValueError(f"y has shape {y.shape}; expected {X.shape[:2]} for X of shape {X.shape}")
    return X, y, False


def _matvec(A, v):
    """Batched ``A @ v`` for ``A`` (b, p, q) and ``v`` (b, q) -> (b, p)."""
    return np.matmul(A, v[..., None])[..., 0]


def _rmatvec(A, v):
    """Batched ``A^T @ v`` for ``A`` (b, p, q) and ``v`` (b, p) -> (b, q)."""
    return np.matmul(np.swapaxes(A, -1, -2), v[..., None])[..., 0]


# ------------------------------------------------------------------------------------------
# closed-form estimators
# ------------------------------------------------------------------------------------------
def _svd(X):
    """Thin SVD of a batch: ``U`` (b, n, k), ``s`` (b, k) descending, ``Vt`` (b, k, d)."""
    return np.linalg.svd(X, full_matrices=False)


def _spectral_filter(s, n, lam, rcond):
    """Filter factors ``s/(s^2 + n lam)``, zero for singular values below ``rcond * s_max``."""
    cutoff = rcond * s[..., :1]
    keep = s > cutoff
    return np.divide(s, s * s + n * lam, out=np.zeros_like(s), where=keep)


def _solve_from_svd(U, s, Vt, y, n, lam, rcond):
    coef = _spectral_filter(s, n, lam, rcond) * _rmatvec(U, y)
    return _rmatvec(Vt, coef)


def min_norm(X, y, *, rcond=None):
    """Minimum-norm least-squares solution ``X^+ y`` (scratch training, docs/background.md §3.1).

    Computed per instance by :func:`numpy.linalg.lstsq` (LAPACK ``gelsd``, an SVD-based solver):
    ``V diag(1/s) U^T y`` over the singular values ``s > rcond * s_max`` (numerically null
    directions get coefficient 0). No normal equations are formed; stable at ``n = d``.
    ``gelsd`` is about twice as fast as an explicit SVD because it never forms ``U``.

    Parameters
    ----------
    X : array_like, shape (instances, n, d) or (n, d)
        Inputs, one design matrix per instance.
    y : array_like, shape (instances, n) or (n,)
        Labels.
    rcond : float >= 0 or None, keyword-only
        Relative cut-off for small singular values; default ``max(n, d) * eps``.

    Returns
    -------
    numpy.ndarray, shape (instances, d) (or (d,) for unbatched input)

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.standard_normal((3, 5, 8)), rng.standard_normal((3, 5))
    >>> b = min_norm(X, y)
    >>> np.allclose(b[1], np.linalg.pinv(X[1]) @ y[1])
    True
    """
    X, y, single = _as_batch(X, y)
    _, n, d = X.shape
    rcond = _check_rcond(rcond, n, d)
    beta = np.empty(X.shape[::2])
    for i in range(X.shape[0]):
        # LAPACK gelsd: SVD-based least squares, applies U^T to y without forming U.
        beta[i] = np.linalg.lstsq(X[i], y[i], rcond=rcond)[0]
    return beta[0] if single else beta


def ridge(X, y, lam, *, rcond=None):
    """Ridge solution of ``(1/n)||y - X c||^2 + lam ||c||^2`` (docs/background.md §0.2 item 7, §3.5).

    Returns ``(X^T X + n lam I)^{-1} X^T y`` computed as ``V diag(s/(s^2 + n lam)) U^T y`` from
    the thin SVD of each instance. Singular values below ``rcond * s_max`` are treated as exactly
    zero (their filter factor is set to 0) for every ``lam``, so the map is continuous as
    ``lam -> 0+``; ``lam = 0`` is delegated to :func:`min_norm` and returns its result exactly.
    For ``lam > 0`` the dropped terms are at most ``rcond * s_max |u^T y| / (n lam)``.

    Parameters
    ----------
    X : array_like, shape (instances, n, d) or (n, d)
    y : array_like, shape (instances, n) or (n,)
    lam : float >= 0
        Ridge penalty (validated as ``PARAMS["lam"]``).
    rcond : float >= 0 or None, keyword-only
        Relative singular-value cut-off; default ``max(n, d) * eps``.

    Returns
    -------
    numpy.ndarray, shape (instances, d) (or (d,) for unbatched input)

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> X, y = rng.standard_normal((6, 4)), rng.standard_normal(6)
    >>> c = ridge(X, y, 0.3)
    >>> np.allclose(c, np.linalg.solve(X.T @ X + 6 * 0.3 * np.eye(4), X.T @ y))
    True
    """
    X, y, single = _as_batch(X, y)
    lam = _check_lam(lam)
    _, n, d = X.shape
    rcond = _check_rcond(rcond, n, d)
    if lam == 0.0:
        beta = min_norm(X, y, rcond=rcond)
    else:
        U, s, Vt = _svd(X)
        beta = _solve_from_svd(U, s, Vt, y, n, lam, rcond)
    return beta[0] if single else beta


def linear_transfer_readout(X, y, feature, lam=0.0, *, scale=None):
    """Read-out refit on one frozen feature direction (linear transfer, docs/background.md §4.1).

    With ``u = feature / ||feature||`` and ``z = X u`` the refit read-out gives
    ``beta_lt = b u``, ``b = z^T y / (||z||^2 + n lam_eff)``, ``lam_eff = lam / scale^2``.
    For the deep linear net in the balanced rank-one state (§2.4) ``feature`` is the column
    direction of ``Phi`` and ``scale`` its feature norm ``||beta_s||^{(L-1)/L}``. With the default
    ``scale = ||feature||`` the result equals ridge with penalty ``lam`` on the one-column feature
    matrix ``F = X feature``, mapped back as ``beta = feature * c``. At ``lam = 0`` it is the
    least-squares fit and does not depend on ``scale``. If ``z = 0`` and ``lam = 0`` the
    minimum-norm read-out ``b = 0`` is returned. The scalar formula is used, never the ``d x d``
    rank-one system (§4.1 *Numerics*).

    Parameters
    ----------
    X : array_like, shape (instances, n, d) or (n, d)
    y : array_like, shape (instances, n) or (n,)
    feature : array_like, shape (instances, d) or (d,)
        Frozen feature vector (need not have unit norm; must be nonzero).
    lam : float >= 0
        Ridge penalty on the read-out (``PARAMS["lam"]``).
    scale : float > 0 or array_like of shape (instances,), keyword-only
        Feature norm ``s^{L-1}``; default ``||feature||``.

    Returns
    -------
    numpy.ndarray, shape (instances, d) (or (d,) for unbatched input)

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> X, y, f = rng.standard_normal((30, 10)), rng.standard_normal(30), rng.standard_normal(10)
    >>> F = X @ f
    >>> np.allclose(linear_transfer_readout(X, y, f), f * (F @ y) / (F @ F))
    True
    """
    X, y, single = _as_batch(X, y)
    lam = _check_lam(lam)
    b_count, n, d = X.shape
    feature = np.asarray(feature, dtype=float)
    if feature.shape not in ((d,), (b_count, d)):
        raise ValueError(f"feature has shape {feature.shape}; expected ({b_count}, {d}) or ({d},)")
    feature = np.broadcast_to(feature, (b_count, d))
    norm = np.linalg.norm(feature, axis=-1)
    if not np.all(np.isfinite(norm)) or np.any(norm == 0):
        raise ValueError("feature must be finite with nonzero norm in every instance")
    if scale is None:
        scale = norm
    else:
        scale = np.asarray(scale, dtype=float)
        if scale.shape not in ((), (b_count,)) or not np.all(np.isfinite(scale)) or np.any(scale <= 0):
            raise ValueError(f"scale={scale!r} is invalid: expected a positive number or an array of "
                             f"shape ({b_count},) of positive numbers")
        scale = np.broadcast_to(scale, (b_count,))
    u = feature / norm[:, None]
    z = _matvec(X, u)
    zz = np.einsum("bn,bn->b", z, z)
    zy = np.einsum("bn,bn->b", z, y)
    den = zz + n * (lam / scale**2)
    b = np.divide(zy, den, out=np.zeros_like(zy), where=den > 0)
    beta = b[:, None] * u
    return beta[0] if single else beta


def rank_k_readout(X, y, U, lam=0.0, *, rcond=None):
    """Read-out refit on a frozen k-dimensional feature space (docs/background.md §4.5).

    Least squares (``lam = 0``, minimum-norm via SVD) or ridge (``lam > 0``, convention §0.2
    item 7) on the features ``Z = X U``; returns ``beta = U c``. For orthonormal ``U`` the
    penalty ``lam ||c||^2`` equals ``lam ||beta||^2``.

    Parameters
    ----------
    X : array_like, shape (instances, n, d) or (n, d)
    y : array_like, shape (instances, n) or (n,)
    U : array_like, shape (instances, d, k) or (d, k)
        Orthonormal basis of the feature space (columns).
    lam : float >= 0
    rcond : float >= 0 or None, keyword-only
        Relative singular-value cut-off for ``Z``; default ``max(n, k) * eps``.

    Returns
    -------
    numpy.ndarray, shape (instances, d) (or (d,) for unbatched input)

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> X, y = rng.standard_normal((20, 6)), rng.standard_normal(20)
    >>> U = np.linalg.qr(rng.standard_normal((6, 2)))[0]
    >>> c = np.linalg.lstsq(X @ U, y, rcond=None)[0]
    >>> np.allclose(rank_k_readout(X, y, U), U @ c)
    True
    """
    X, y, single = _as_batch(X, y)
    b_count, n, d = X.shape
    U = np.asarray(U, dtype=float)
    if U.ndim == 2:
        U = U[None]
    if U.ndim != 3 or U.shape[1] != d or U.shape[0] not in (1, b_count):
        raise ValueError(f"U has shape {U.shape}; expected ({b_count}, {d}, k) or ({d}, k)")
    U = np.broadcast_to(U, (b_count,) + U.shape[1:])
    c = ridge(np.matmul(X, U), y, lam, rcond=rcond)
    beta = np.matmul(U, c[..., None])[..., 0]
    return beta[0] if single else beta


# ------------------------------------------------------------------------------------------
# Monte Carlo engine
# ------------------------------------------------------------------------------------------
def _chunk_length(instances, elements_per_instance, chunk_size):
    if chunk_size is not None:
        return min(instances, chunk_size)
    return max(1, min(instances, MAX_CHUNK_ELEMENTS // max(1, elements_per_instance)))


def _run(instances, seed, chunk_size, elements_per_instance, draw, compute):
    """Draw per-instance data from per-instance child seeds, process in chunks, concatenate.

    ``draw(rng)`` returns a tuple of arrays for one instance; ``compute(*stacked)`` gets those
    arrays stacked along a leading axis and returns a dict of per-instance arrays.
    """
    seeds = spawn_seeds(seed, instances)
    length = _chunk_length(instances, elements_per_instance, chunk_size)
    pieces = []
    for start in range(0, instances, length):
        block = seeds[start:start + length]
        first = draw(np.random.default_rng(block[0]))
        stacked = tuple(np.empty((len(block),) + np.shape(a)) for a in first)
        for buf, a in zip(stacked, first):
            buf[0] = a
        del first
        for j, child in enumerate(block[1:], start=1):
            for buf, a in zip(stacked, draw(np.random.default_rng(child))):
                buf[j] = a
        pieces.append(compute(*stacked))
        del stacked
    return {key: np.concatenate([p[key] for p in pieces], axis=0) for key in pieces[0]}


def _seed_info(seed):
    return {"seed": int(seed)} if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) else {}


def _validate_common(n, d, sigma, instances, chunk_size, seed):
    n = PARAMS["n"].validate(n)
    d = PARAMS["d"].validate(d)
    sigma = PARAMS["sigma"].validate(sigma)
    instances = check_int("instances", instances)
    chunk_size = _check_chunk_size(chunk_size)
    if not isinstance(seed, (np.random.Generator, np.random.SeedSequence)):
        as_generator(seed)  # raises ValueError naming seed
    return n, d, float(sigma), instances, chunk_size


def _draw_target(n, d, sigma, norm_t):
    """Per-instance draw for the scratch baselines: beta_t uniform on the sphere, then X, then noise."""
    def draw(rng):
        beta_t = target_teacher(d, instances=1, norm_t=norm_t, seed=rng)
        X, y = gaussian_data(beta_t, n, sigma=sigma, seed=rng)
        return beta_t[0], X[0], y[0]
    return draw


def _draw_pair(n, d, theta, sigma, norm_s, norm_t):
    """Per-instance draw for transfer: teachers (data.teachers), then X, then noise."""
    def draw(rng):
        t = teachers(d, theta, instances=1, norm_s=norm_s, norm_t=norm_t, seed=rng)
        X, y = gaussian_data(t.beta_t, n, sigma=sigma, seed=rng)
        return t.beta_s[0], t.beta_t[0], X[0], y[0]
    return draw


def _check_transfer_d(d):
    if d < 2:
        raise ValueError(f"d={d!r} is invalid: transfer needs two teacher directions, expected d >= 2")
    return d


# ------------------------------------------------------------------------------------------
# scratch baselines
# ------------------------------------------------------------------------------------------
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


# ------------------------------------------------------------------------------------------
# linear transfer
# ------------------------------------------------------------------------------------------
def _validate_transfer(n, d, theta, sigma, lam, norm_s, norm_t, depth, instances, chunk_size, seed):
    n, d, sigma, instances, chunk_size = _validate_common(n, d, sigma, instances, chunk_size, seed)
    d = _check_transfer_d(d)
    theta = float(PARAMS["theta"].validate(theta))
    lam = _check_lam(lam)
    norm_s = float(PARAMS["norm_s"].validate(norm_s))
    norm_t = float(PARAMS["norm_t"].validate(norm_t))
    depth = PARAMS["depth"].validate(depth)
    return n, d, theta, sigma, lam, norm_s, norm_t, depth, instances, chunk_size


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


@single_blas_thread
def simulate_linear_transfer_finite_source(n, d, theta, sigma, gamma_s, sigma_s, *, lam=0.0,
                                           norm_s=1.0, norm_t=1.0, depth=2, instances=200, seed=None,
                                           chunk_size=None):
    """Monte Carlo linear-transfer risk with a finite source set (docs/background.md §2.5, §7.1, §7.3).

    Per instance, in this order: teachers (angle ``theta``), ``n_s = round(gamma_s * d)`` source
    samples ``y_s = X_s beta_s + sigma_s eps_s``, then the target data. Pretraining returns
    ``beta_hat_s = X_s^+ y_s`` (§2.5) and the pretrained network is the balanced rank-one state
    with ``beta_hat_s`` in place of ``beta_s``: feature direction ``beta_hat_s/||beta_hat_s||``,
    ``lam_eff = lam / ||beta_hat_s||^{2(L-1)/L}``. The sample is ``||beta_lt - beta_t||^2``.

    Parameters
    ----------
    n : int >= 1
    d : int >= 2
    theta : float in [0, pi]
    sigma : float >= 0
        Target noise.
    gamma_s : float > 0
        Source samples per dimension; ``round(gamma_s * d)`` must be >= 1.
    sigma_s : float >= 0
        Source noise.
    lam : float >= 0, keyword-only
    norm_s, norm_t : float > 0, keyword-only
    depth : int >= 2, keyword-only
    instances : int >= 1, keyword-only
    seed : int >= 0, Generator, SeedSequence or None, keyword-only
    chunk_size : int >= 1 or None, keyword-only
        Default keeps ``chunk * (n + n_s) * d <= 2e7``.

    Returns
    -------
    MCEstimate
        Linear-transfer excess risk samples. ``info`` holds, for comparison with §7.1:
        ``"n_s"``; ``"source_norm_sq"`` and ``"source_norm_sq_sem"`` (mean and standard error of
        ``||beta_hat_s||^2``); ``"source_overlap"`` and ``"source_overlap_sem"`` (of
        ``<beta_t, beta_hat_s>``); and the per-instance arrays ``"source_norm_sq_samples"``,
        ``"source_overlap_samples"``.

    Examples
    --------
    >>> est = simulate_linear_transfer_finite_source(20, 40, 0.3, 0.2, 0.5, 0.2, instances=20, seed=0)
    >>> est.info["n_s"], isinstance(est.info["source_norm_sq"], float)
    (20, True)
    """
    n, d, theta, sigma, lam, norm_s, norm_t, depth, instances, chunk_size = _validate_transfer(
        n, d, theta, sigma, lam, norm_s, norm_t, depth, instances, chunk_size, seed)
    gamma_s = float(PARAMS["gamma_s"].validate(gamma_s))
    sigma_s = float(PARAMS["sigma_s"].validate(sigma_s))
    n_s = int(round(gamma_s * d))
    if n_s < 1:
        raise ValueError(f"gamma_s={gamma_s!r} is invalid: round(gamma_s * d) = {n_s} source samples "
                         f"for d={d}; expected at least 1")
    exponent = (depth - 1) / depth

    def draw(rng):
        t = teachers(d, theta, instances=1, norm_s=norm_s, norm_t=norm_t, seed=rng)
        X_s, y_s = gaussian_data(t.beta_s, n_s, sigma=sigma_s, seed=rng)
        X, y = gaussian_data(t.beta_t, n, sigma=sigma, seed=rng)
        return t.beta_t[0], X_s[0], y_s[0], X[0], y[0]

    def compute(beta_t, X_s, y_s, X, y):
        beta_hat_s = min_norm(X_s, y_s)
        norm_sq = sq_dist(beta_hat_s)
        overlap = inner(beta_t, beta_hat_s)
        beta = linear_transfer_readout(X, y, beta_hat_s, lam, scale=norm_sq ** (exponent / 2))
        return {"risk": sq_dist(beta, beta_t), "norm_sq": norm_sq, "overlap": overlap}

    out = _run(instances, seed, chunk_size, (n + n_s) * d, draw, compute)
    norm_est, overlap_est = MCEstimate(out["norm_sq"]), MCEstimate(out["overlap"])
    info = {"estimator": "linear_transfer_finite_source", "n": n, "d": d, "theta": theta, "sigma": sigma,
            "gamma_s": gamma_s, "sigma_s": sigma_s, "n_s": n_s, "lam": lam, "norm_s": norm_s,
            "norm_t": norm_t, "depth": depth,
            "source_norm_sq": norm_est.mean, "source_norm_sq_sem": norm_est.sem,
            "source_overlap": overlap_est.mean, "source_overlap_sem": overlap_est.sem,
            "source_norm_sq_samples": out["norm_sq"], "source_overlap_samples": out["overlap"],
            **_seed_info(seed)}
    return MCEstimate(out["risk"], info=info)


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
    try:
        residual = float(residual)
    except (TypeError, ValueError):
        raise ValueError(f"residual={residual!r} is invalid: expected a real number in [0, 1]") from None
    if not (0.0 <= residual <= 1.0):
        raise ValueError(f"residual={residual!r} is invalid: expected a real number in [0, 1]")
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
