"""Shared machinery of the linear-regression simulators: input checks, batched SVD helpers and the
chunked, per-instance-seeded Monte Carlo engine (the seed and chunk scheme of
:mod:`ftheory.simulate.linear`)."""
from __future__ import annotations

import numbers

import numpy as np

from ftheory._checks import check_int, check_memory, check_real
from ftheory.params import PARAMS
from ftheory.mc.seeds import as_generator, spawn_seeds
from ftheory.simulate.data import gaussian_data, target_teacher, teachers


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
    check_memory(f"a Monte Carlo instance with {elements_per_instance:.3g} data entries (n x d)",
                 3 * elements_per_instance * (1 if chunk_size is None else min(chunk_size, instances)),
                 "the design matrix, a working copy and its SVD")
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


def _validate_transfer(n, d, theta, sigma, lam, norm_s, norm_t, depth, instances, chunk_size, seed):
    n, d, sigma, instances, chunk_size = _validate_common(n, d, sigma, instances, chunk_size, seed)
    d = _check_transfer_d(d)
    theta = float(PARAMS["theta"].validate(theta))
    lam = _check_lam(lam)
    norm_s = float(PARAMS["norm_s"].validate(norm_s))
    norm_t = float(PARAMS["norm_t"].validate(norm_t))
    depth = PARAMS["depth"].validate(depth)
    return n, d, theta, sigma, lam, norm_s, norm_t, depth, instances, chunk_size
