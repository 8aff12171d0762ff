"""Closed-form linear simulators over a whole grid of theta, sigma and lam from one draw per instance
(docs/background.md §3.1, §4.1, §5.5); what the paper-scale figures use.

Per instance the data are drawn exactly as by :func:`~ftheory.simulate.linear.simulate_scratch_and_transfer`
(teacher directions, then ``X``, then the noise ``eps``) or :func:`~ftheory.simulate.linear.simulate_min_norm_risk`
(``beta_t``, then ``X``, then ``eps``), and every grid point is computed from those draws:

* the labels are linear in the grid parameters, ``y = norm_t (cos(theta) X u_s + sin(theta) X u_perp) +
  sigma eps``, so the minimum-norm (scratch) risk at every ``(theta, sigma)`` is a quadratic form in
  ``(cos theta, sin theta)`` plus ``sigma^2 ||X^+ eps||^2``, both from ONE QR factorisation per instance
  (:func:`_scratch_parts`);
* the linear-transfer read-out needs only ``z = X u_s`` and three inner products, at every ``(theta, lam)``.

So grid point ``(theta_j, lam_k)`` of a run with seed ``s`` has *the same samples* (to rounding) as the
one-point simulator called with ``theta_j``, ``lam_k`` and seed ``s`` (tests/simulate/test_linear_grid.py):
the distribution at each point is unchanged; only the points of one grid now share their draws
(common random numbers), which is what makes a whole grid cost about one point.
"""
from __future__ import annotations

import numpy as np
from scipy.linalg import solve_triangular

from ftheory.simulate.gamma import takes_gamma
from ftheory.mc.estimate import MCEstimate
from ftheory.simulate.linear_ridge import TunedRidgeEstimate
from ftheory.mc.threads import single_blas_thread
from ftheory.params import PARAMS
from ftheory.simulate.rowkeys import row_key
from ftheory.simulate._linear_core import _check_lam, _check_rcond, _run, _seed_info, _validate_common, \
    _validate_transfer

#: Default bound on the input-matrix entries (instances * n * d) per chunk: 32 MB of float64, so that a
#: figure's peak memory is set by the interpreter, not by the batch (larger chunks are not faster here).
GRID_CHUNK_ELEMENTS = 4_000_000

__all__ = ["simulate_transfer_grid", "simulate_min_norm_sigma_grid", "simulate_ridge_grid", "transfer_grid_estimates",
           "grid_key"]


#: name of one grid point's estimate in :func:`transfer_grid_estimates`: ``"quantity:i:j"`` (the row-record
#: convention of :mod:`ftheory.simulate.rowkeys`)
grid_key = row_key


def _chunk(n, d):
    return max(1, GRID_CHUNK_ELEMENTS // (n * d))


def _grid(name, values, check):
    arr = np.atleast_1d(np.asarray(values, dtype=float))
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name}={values!r} is invalid: expected a non-empty one-dimensional grid")
    items = list(values) if isinstance(values, (list, tuple)) else np.atleast_1d(np.asarray(values)).ravel().tolist()
    if any(isinstance(v, (bool, np.bool_)) for v in items):       # True is not 1.0
        raise ValueError(f"{name}={values!r} is invalid: expected a grid of numbers, not booleans")
    return np.array([check(float(v)) for v in arr])


def _scratch_parts(X, eps, T, rcond):
    """The two parts of the minimum-norm risk ``||X^+ (X T c + sigma eps) - T c||^2 = ||F c||^2 + sigma^2 a``
    for every coefficient vector ``c`` and noise level ``sigma``: returns ``G = F^T F`` (b, k, k) and
    ``a = ||X^+ eps||^2`` (b,).

    ``X^+ X T c - T c = -(I - P) T c`` lies in the null space of ``X`` and ``X^+ eps`` in its row
    space (``P`` the projector onto it), so the risk splits exactly. Both parts come from one
    Householder QR factorisation (LAPACK geqrf, ``R`` factor only) of ``[X | eps]`` when ``n >= d``
    (``P = I``: ``G = 0``, ``X^+ eps = R^{-1} Q^T eps``) or of ``[X^T | T]`` when ``n < d``
    (``X = R^T Q^T``: ``X^+ eps = Q R^{-T} eps`` and ``(I - P) T = Q_2 R_22``, so ``G = R_22^T R_22``):
    no normal equations, no cancellation, about a quarter of the cost of the SVD-based solve. An
    instance whose triangular factor has a diagonal entry below ``rcond`` times its largest (a
    numerically rank-deficient ``X``, which Gaussian inputs essentially never give) is solved by
    :func:`numpy.linalg.lstsq` with cut-off ``rcond``, as :func:`~ftheory.simulate.linear.min_norm`.
    """
    b_count, n, d = X.shape
    k = T.shape[2]
    G = np.zeros((b_count, k, k))
    a = np.empty(b_count)
    if n >= d:
        R = np.linalg.qr(np.concatenate([X, eps[..., None]], axis=2), mode="r")      # (b, d + 1, d + 1)
    else:
        R = np.linalg.qr(np.concatenate([np.swapaxes(X, 1, 2), T], axis=2), mode="r")  # (b, n + k, n + k)
    m = min(n, d)
    for i in range(b_count):
        diag = np.abs(np.diagonal(R[i, :m, :m]))
        if diag.min() <= rcond * diag.max():
            B = np.linalg.lstsq(X[i], np.column_stack([X[i] @ T[i], eps[i]]), rcond=rcond)[0]
            D = B[:, :k] - T[i]
            G[i] = D.T @ D
            a[i] = B[:, k] @ B[:, k]
        elif n >= d:
            w = solve_triangular(R[i, :d, :d], R[i, :d, d], check_finite=False)
            a[i] = w @ w
        else:
            w = solve_triangular(R[i, :n, :n], eps[i], trans="T", check_finite=False)
            a[i] = w @ w
            R22 = R[i, n:, n:]
            G[i] = R22.T @ R22
    return G, a


@takes_gamma()
@single_blas_thread
def simulate_transfer_grid(n, d, thetas, sigma, *, lams=(0.0,), scratch=True, norm_s=1.0, norm_t=1.0, depth=2,
                           instances=200, seed=None, chunk_size=None) -> dict:
    """Scratch (min-norm) and linear-transfer risks at every ``theta`` in ``thetas`` and read-out ridge
    ``lam`` in ``lams``, all from the same draws (docs/background.md §3.1, §4.1, §5.5).

    Instance ``i`` draws from its child seed exactly what
    :func:`~ftheory.simulate.linear.simulate_scratch_and_transfer` draws, so the samples at
    ``(thetas[j], lams[k])`` equal that simulator's at ``theta = thetas[j]``, ``lam = lams[k]`` with
    the same ``seed`` (to rounding). Cost: one QR factorisation per instance for the whole grid
    (:func:`_scratch_parts`), instead of one SVD-based solve per point.

    Parameters
    ----------
    n : int >= 1
    d : int >= 2
    thetas : array_like of floats in [0, pi]
        Non-empty grid of source-target angles (radians).
    sigma : float >= 0
    lams : array_like of floats >= 0, keyword-only
        Read-out ridge penalties of linear transfer (scratch is always min-norm).
    scratch : bool, keyword-only
        Also compute the scratch risks (the QR factorisation); False gives linear transfer alone.
    norm_s, norm_t : float > 0, keyword-only
    depth : int >= 2, keyword-only
        Enters only through ``lam_eff = lam / norm_s^{2(L-1)/L}``.
    instances : int >= 1, keyword-only
    seed : int >= 0, Generator, SeedSequence or None, keyword-only
    chunk_size : int >= 1 or None, keyword-only
        Instances per chunk (does not change the result); default keeps ``chunk * n * d <= 4e6``.

    Returns
    -------
    dict
        ``"thetas"``, ``"lams"``: the grids; ``"linear_transfer"``: samples of shape
        ``(instances, len(thetas), len(lams))``; with ``scratch``: ``"scratch"`` of shape
        ``(instances, len(thetas))`` and ``"transferability"`` (``scratch - linear_transfer``,
        same shape as ``"linear_transfer"``).

    Examples
    --------
    >>> g = simulate_transfer_grid(20, 40, [0.3, 1.0], 0.2, lams=[0.0, 0.1], instances=30, seed=0)
    >>> g["linear_transfer"].shape, g["scratch"].shape
    ((30, 2, 2), (30, 2))
    """
    n, d, _, sigma, _, norm_s, norm_t, depth, instances, chunk_size = _validate_transfer(
        n, d, 0.0, sigma, 0.0, norm_s, norm_t, depth, instances, chunk_size, seed)
    thetas = _grid("thetas", thetas, lambda v: float(PARAMS["theta"].validate(v)))
    lams = _grid("lams", lams, _check_lam)
    scale = norm_s ** ((depth - 1) / depth)
    lam_eff = lams / scale ** 2
    rcond = _check_rcond(None, n, d)
    cos, sin = np.cos(thetas), np.sin(thetas)

    def draw(rng):
        g = rng.standard_normal((2, d))                # data.teachers (one instance)
        X = rng.standard_normal((n, d))                # data.gaussian_data: inputs, then the noise
        return g, X, rng.standard_normal(n)

    def compute(g, X, eps):
        u_s = g[:, 0] / np.linalg.norm(g[:, 0], axis=1, keepdims=True)
        perp = g[:, 1] - np.einsum("bd,bd->b", g[:, 1], u_s)[:, None] * u_s
        u_p = perp / np.linalg.norm(perp, axis=1, keepdims=True)
        A = np.matmul(X, np.stack([u_s, u_p], axis=2))                  # (b, n, 2): X u_s, X u_perp
        z = A[..., 0]                                                   # the pretrained feature X u_s
        zz = np.einsum("bn,bn->b", z, z)
        zA = np.einsum("bn,bnk->bk", z, A)
        ze = np.einsum("bn,bn->b", z, eps)
        # read-out b(theta, lam) = z.y / (z.z + n lam_eff), y = norm_t (cos X u_s + sin X u_perp) + sigma eps
        zy = norm_t * (zA[:, :1] * cos + zA[:, 1:] * sin) + sigma * ze[:, None]           # (b, T)
        den = zz[:, None] + n * lam_eff[None, :]                                           # (b, L)
        b = np.divide(zy[:, :, None], den[:, None, :], out=np.zeros(zy.shape + den.shape[1:]),
                      where=den[:, None, :] > 0)
        # ||b u_s - beta_t||^2 with beta_t = norm_t (cos u_s + sin u_perp), expanded on (u_s, u_perp)
        ss = np.einsum("bd,bd->b", u_s, u_s)[:, None, None]
        pp = np.einsum("bd,bd->b", u_p, u_p)[:, None, None]
        sp = np.einsum("bd,bd->b", u_s, u_p)[:, None, None]
        a = b - norm_t * cos[None, :, None]
        c = norm_t * sin[None, :, None]
        out = {"lt": a * a * ss + c * c * pp - 2 * a * c * sp}
        if scratch:
            G, noise = _scratch_parts(X, eps, np.stack([u_s, u_p], axis=2), rcond)
            coef = norm_t * np.stack([cos, sin])                                  # (2, T)
            out["sc"] = np.einsum("kt,bkl,lt->bt", coef, G, coef) + sigma ** 2 * noise[:, None]
        return out

    out = _run(instances, seed, chunk_size or _chunk(n, d), n * d, draw, compute)
    res = {"thetas": thetas, "lams": lams, "linear_transfer": out["lt"],
           "info": {"n": n, "d": d, "sigma": sigma, "norm_s": norm_s, "norm_t": norm_t, "depth": depth,
                    **_seed_info(seed)}}
    if scratch:
        res["scratch"] = out["sc"]
        res["transferability"] = out["sc"][:, :, None] - out["lt"]
    return res


@takes_gamma()
def transfer_grid_estimates(n, d, thetas, sigma, lams=(0.0,), scratch=True, instances=200, seed=None) -> dict:
    """:func:`simulate_transfer_grid` as a flat dict of :class:`MCEstimate` (what :func:`~ftheory.simulate.sweeps.sweep`
    stores): ``grid_key("scratch", j)``, ``grid_key("linear_transfer", j, k)`` and
    ``grid_key("transferability", j, k)`` for ``thetas[j]``, ``lams[k]``.
    """
    g = simulate_transfer_grid(n, d, thetas, sigma, lams=lams, scratch=scratch, instances=instances, seed=seed)
    out = {}
    for j, theta in enumerate(g["thetas"]):
        if scratch:
            out[grid_key("scratch", j)] = MCEstimate(g["scratch"][:, j],
                                                     info={**g["info"], "estimator": "min_norm",
                                                           "theta": float(theta)})
        for k, lam in enumerate(g["lams"]):
            info = {**g["info"], "theta": float(theta), "lam": float(lam)}
            out[grid_key("linear_transfer", j, k)] = MCEstimate(g["linear_transfer"][:, j, k],
                                                                info={**info, "estimator": "linear_transfer"})
            if scratch:
                out[grid_key("transferability", j, k)] = MCEstimate(
                    g["transferability"][:, j, k], info={**info, "estimator": "scratch - linear_transfer"})
    return out


@takes_gamma()
@single_blas_thread
def simulate_min_norm_sigma_grid(n, d, sigmas, *, norm_t=1.0, instances=200, seed=None, chunk_size=None) -> dict:
    """Minimum-norm (scratch) risks at every noise level in ``sigmas`` from the same draws (docs/background.md §3.1).

    Instance ``i`` draws what :func:`~ftheory.simulate.linear.simulate_min_norm_risk` draws
    (``beta_t``, ``X``, then the noise), so the samples at ``sigmas[j]`` equal that simulator's at
    ``sigma = sigmas[j]`` with the same ``seed`` (to rounding); one QR factorisation per instance
    serves every ``sigma`` (:func:`_scratch_parts`).

    Returns
    -------
    dict
        ``{sigma: MCEstimate}`` in the order of ``sigmas`` (excess risk, noise floor not included).

    Examples
    --------
    >>> r = simulate_min_norm_sigma_grid(20, 40, [0.0, 0.2], instances=30, seed=0)
    >>> sorted(r)
    [0.0, 0.2]
    """
    n, d, _, instances, chunk_size = _validate_common(n, d, 0.0, instances, chunk_size, seed)
    sigmas = _grid("sigmas", sigmas, lambda v: float(PARAMS["sigma"].validate(v)))
    norm_t = float(PARAMS["norm_t"].validate(norm_t))
    rcond = _check_rcond(None, n, d)

    def draw(rng):
        g = rng.standard_normal(d)                     # data.target_teacher (one instance)
        X = rng.standard_normal((n, d))
        return g, X, rng.standard_normal(n)

    def compute(g, X, eps):
        beta_t = norm_t * g / np.linalg.norm(g, axis=1, keepdims=True)
        G, noise = _scratch_parts(X, eps, beta_t[..., None], rcond)
        return {"risk": G[:, :1, 0] + sigmas[None, :] ** 2 * noise[:, None]}

    out = _run(instances, seed, chunk_size or _chunk(n, d), n * d, draw, compute)
    return {float(s): MCEstimate(out["risk"][:, j], info={"estimator": "min_norm", "n": n, "d": d, "sigma": float(s),
                                                          "norm_t": norm_t, **_seed_info(seed)})
            for j, s in enumerate(sigmas)}



def _ridge_parts(X, y_signal, eps, beta_t, lams, sigma):
    """Row-space part of the ridge risk ``||beta_hat(lam) - P beta_t||^2`` for every ``lam > 0`` (b, L).

    From the eigendecomposition ``W diag(l) W^T`` of the smaller Gram matrix (``X^T X`` if ``n >= d``,
    else ``X X^T``). With ``X beta_t`` and ``eps`` expanded in its eigenvectors, the error of each
    coordinate is ``(sigma f_i - n lam q_i) / (l_i + n lam)`` (``n >= d``: ``q = W^T beta_t``,
    ``f = W^T X^T eps``) or ``(sigma s_i e_i - n lam t_i / s_i) / (l_i + n lam)`` (``n < d``:
    ``t = W^T X beta_t``, ``e = W^T eps``, ``s = sqrt(l)``): no cancellation, and for ``lam > 0`` the
    rounding of the eigenvalues (``~ eps * l_max``) moves each term by at most ``eps l_max / (n lam)``
    relatively (1e-10 for the figures' smallest ``lam = 5e-5`` at d = 500).
    """
    b_count, n, d = X.shape
    nl = n * lams[None, None, :]                                           # (1, 1, L)
    Xt = np.swapaxes(X, 1, 2)
    if n >= d:
        l, W = np.linalg.eigh(np.matmul(Xt, X))
        q = np.einsum("bdk,bd->bk", W, beta_t)
        f = np.einsum("bdk,bd->bk", W, np.einsum("bnd,bn->bd", X, eps))
        num = sigma * f[..., None] - nl * q[..., None]
    else:
        l, W = np.linalg.eigh(np.matmul(X, Xt))
        s_ = np.sqrt(np.maximum(l, 0.0))
        t = np.einsum("bnk,bn->bk", W, y_signal)
        e = np.einsum("bnk,bn->bk", W, eps)
        c = np.divide(t, s_, out=np.zeros_like(t), where=s_ > 0)
        num = sigma * (s_ * e)[..., None] - nl * c[..., None]
    err = num / (l[..., None] + nl)
    return np.einsum("bkl,bkl->bl", err, err)


@takes_gamma()
@single_blas_thread
def simulate_ridge_grid(n, d, sigma, lams, *, norm_t=1.0, instances=200, seed=None, chunk_size=None):
    """Ridge risks from scratch over a penalty grid, all on the same data (docs/background.md §3.5, Fig. 5).

    The data and the samples are those of :func:`~ftheory.simulate.linear.simulate_tuned_ridge_risk`
    with the same seed (to rounding; tests/simulate/test_linear_grid.py), computed without an SVD
    of ``X``: ``lam = 0`` (min-norm) from one QR factorisation (:func:`_scratch_parts`, stable at
    ``n = d``), every ``lam > 0`` from one eigendecomposition of the smaller Gram matrix
    (:func:`_ridge_parts`), about half the cost.

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
        Instances per chunk (does not change the result); default keeps ``chunk * n * d <= 4e6``.

    Returns
    -------
    TunedRidgeEstimate
        ``.estimates[j]`` is the MCEstimate at ``lams[j]``.

    Examples
    --------
    >>> r = simulate_ridge_grid(20, 20, 0.2, [0.0, 0.04, 0.5], instances=20, seed=0)
    >>> len(r.estimates)
    3
    """
    n, d, sigma, instances, chunk_size = _validate_common(n, d, sigma, instances, chunk_size, seed)
    lams = _grid("lams", lams, _check_lam)
    norm_t = float(PARAMS["norm_t"].validate(norm_t))
    rcond = _check_rcond(None, n, d)
    pos = lams > 0

    def draw(rng):
        g = rng.standard_normal(d)                     # data.target_teacher (one instance)
        X = rng.standard_normal((n, d))
        return g, X, rng.standard_normal(n)

    def compute(g, X, eps):
        beta_t = norm_t * g / np.linalg.norm(g, axis=1, keepdims=True)
        G, noise = _scratch_parts(X, eps, beta_t[..., None], rcond)
        null = G[:, 0, 0]                                                  # ||(I - P) beta_t||^2
        risk = np.empty((X.shape[0], lams.size))
        risk[:, ~pos] = (null + sigma ** 2 * noise)[:, None]
        if pos.any():
            y_signal = np.einsum("bnd,bd->bn", X, beta_t)
            risk[:, pos] = null[:, None] + _ridge_parts(X, y_signal, eps, beta_t, lams[pos], sigma)
        return {"risk": risk}

    out = _run(instances, seed, chunk_size or _chunk(n, d), n * d, draw, compute)
    base = {"estimator": "ridge", "n": n, "d": d, "sigma": sigma, "norm_t": norm_t, **_seed_info(seed)}
    return TunedRidgeEstimate(lams=lams.copy(), estimates=tuple(
        MCEstimate(out["risk"][:, j], info={**base, "lam": float(lam)}) for j, lam in enumerate(lams)))
