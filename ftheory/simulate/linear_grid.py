"""Closed-form linear simulators over a whole grid of theta, sigma and lam from one draw per instance
(docs/background.md §3.1, §4.1, §5.5); what the paper-scale figures use.

Per instance the data are drawn exactly as by :func:`~ftheory.simulate.linear.simulate_scratch_and_transfer`
(teacher directions, then ``X``, then the noise ``eps``) or :func:`~ftheory.simulate.linear.simulate_min_norm_risk`
(``beta_t``, then ``X``, then ``eps``), and every grid point is computed from those draws:

* the labels are linear in the grid parameters, ``y = norm_t (cos(theta) X u_s + sin(theta) X u_perp) +
  sigma eps``, so ONE minimum-norm least-squares solve with the three right-hand sides ``X u_s``,
  ``X u_perp``, ``eps`` gives the scratch estimator at every ``(theta, sigma)``;
* the linear-transfer read-out needs only ``z = X u_s`` and three inner products, at every ``(theta, lam)``.

So grid point ``(theta_j, lam_k)`` of a run with seed ``s`` has *the same samples* (to rounding) as the
one-point simulator called with ``theta_j``, ``lam_k`` and seed ``s`` (tests/simulate/test_linear_grid.py):
the distribution at each point is unchanged; only the points of one grid now share their draws
(common random numbers), which is what makes a whole grid cost about one point.
"""
from __future__ import annotations

import numpy as np

from ftheory.mc.estimate import MCEstimate
from ftheory.mc.threads import single_blas_thread
from ftheory.params import PARAMS
from ftheory.simulate._linear_core import _check_lam, _check_rcond, _run, _seed_info, _validate_common, \
    _validate_transfer

__all__ = ["simulate_transfer_grid", "simulate_min_norm_sigma_grid", "transfer_grid_estimates",
           "grid_key"]


def grid_key(quantity, *index) -> str:
    """Name of one grid point's estimate in :func:`transfer_grid_estimates`: ``"quantity:i:j"``."""
    return ":".join([quantity, *(str(int(i)) for i in index)])


def _grid(name, values, check):
    arr = np.atleast_1d(np.asarray(values, dtype=float))
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name}={values!r} is invalid: expected a non-empty one-dimensional grid")
    return np.array([check(float(v)) for v in arr])


def _min_norm_many(X, rhs, rcond):
    """Minimum-norm least squares of every instance for several right-hand sides: (b, d, k)."""
    out = np.empty((X.shape[0], X.shape[2], rhs.shape[2]))
    for i in range(X.shape[0]):
        out[i] = np.linalg.lstsq(X[i], rhs[i], rcond=rcond)[0]   # LAPACK gelsd, as min_norm
    return out


@single_blas_thread
def simulate_transfer_grid(n, d, thetas, sigma, *, lams=(0.0,), scratch=True, norm_s=1.0, norm_t=1.0, depth=2,
                           instances=200, seed=None, chunk_size=None) -> dict:
    """Scratch (min-norm) and linear-transfer risks at every ``theta`` in ``thetas`` and read-out ridge
    ``lam`` in ``lams``, all from the same draws (docs/background.md §3.1, §4.1, §5.5).

    Instance ``i`` draws from its child seed exactly what
    :func:`~ftheory.simulate.linear.simulate_scratch_and_transfer` draws, so the samples at
    ``(thetas[j], lams[k])`` equal that simulator's at ``theta = thetas[j]``, ``lam = lams[k]`` with
    the same ``seed`` (to rounding). Cost: one least-squares solve (three right-hand sides) per
    instance for the whole grid, instead of one per point.

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
        Also compute the scratch risks (the least-squares solve); False gives linear transfer alone.
    norm_s, norm_t : float > 0, keyword-only
    depth : int >= 2, keyword-only
        Enters only through ``lam_eff = lam / norm_s^{2(L-1)/L}``.
    instances : int >= 1, keyword-only
    seed : int >= 0, Generator, SeedSequence or None, keyword-only
    chunk_size : int >= 1 or None, keyword-only
        Instances per chunk (does not change the result).

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
            rhs = np.concatenate([A, eps[..., None]], axis=2)          # (b, n, 3)
            B = _min_norm_many(X, rhs, rcond)                           # X^+ [X u_s, X u_perp, eps]
            D = B - np.concatenate([u_s[..., None], u_p[..., None], np.zeros_like(u_s)[..., None]], axis=2)
            coef = np.stack([norm_t * cos, norm_t * sin, np.full_like(cos, sigma)])        # (3, T)
            err = np.matmul(D, coef)                                    # (b, d, T): beta_hat - beta_t
            out["sc"] = np.einsum("bdt,bdt->bt", err, err)
        return out

    out = _run(instances, seed, chunk_size, n * d, draw, compute)
    res = {"thetas": thetas, "lams": lams, "linear_transfer": out["lt"],
           "info": {"n": n, "d": d, "sigma": sigma, "norm_s": norm_s, "norm_t": norm_t, "depth": depth,
                    **_seed_info(seed)}}
    if scratch:
        res["scratch"] = out["sc"]
        res["transferability"] = out["sc"][:, :, None] - out["lt"]
    return res


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


@single_blas_thread
def simulate_min_norm_sigma_grid(n, d, sigmas, *, norm_t=1.0, instances=200, seed=None, chunk_size=None) -> dict:
    """Minimum-norm (scratch) risks at every noise level in ``sigmas`` from the same draws (docs/background.md §3.1).

    Instance ``i`` draws what :func:`~ftheory.simulate.linear.simulate_min_norm_risk` draws
    (``beta_t``, ``X``, then the noise), so the samples at ``sigmas[j]`` equal that simulator's at
    ``sigma = sigmas[j]`` with the same ``seed`` (to rounding); one least-squares solve (two
    right-hand sides ``X beta_t`` and ``eps``) per instance serves every ``sigma``.

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
        rhs = np.stack([np.einsum("bnd,bd->bn", X, beta_t), eps], axis=2)
        B = _min_norm_many(X, rhs, rcond)
        B[..., 0] -= beta_t
        err = np.matmul(B, np.stack([np.ones_like(sigmas), sigmas]))    # (b, d, S)
        return {"risk": np.einsum("bds,bds->bs", err, err)}

    out = _run(instances, seed, chunk_size, n * d, draw, compute)
    return {float(s): MCEstimate(out["risk"][:, j], info={"estimator": "min_norm", "n": n, "d": d, "sigma": float(s),
                                                          "norm_t": norm_t, **_seed_info(seed)})
            for j, s in enumerate(sigmas)}

