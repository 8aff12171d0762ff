"""Deep-linear linear transfer at a whole grid of read-out ridge penalties from one pretraining per instance
(docs/background.md §4.1, §4.4); what the lt-ridge figure uses.

The pretrained network does not depend on ``lam`` (only the read-out refit does), so each instance is
drawn, pretrained and its feature matrix ``F = X Phi`` decomposed once, and every ``lam`` is a filter
on that one SVD. Instance ``i`` draws exactly what :func:`~ftheory.simulate.deep_linear.simulate_deep_linear`
draws for ``"lt"`` with the same seed, so the samples at ``lams[k]`` equal that simulator's at
``lam = lams[k]`` (to rounding; tests/simulate/test_linear_grid.py). Instances run in chunks, so memory
stays bounded whatever ``instances`` is (the d x d weight matrices dominate it).
"""
from __future__ import annotations

import numpy as np

from ftheory.simulate.gamma import takes_gamma
from ftheory._checks import check_int, check_real
from ftheory.mc.estimate import MCEstimate
from ftheory.params import PARAMS
from ftheory.simulate._random import spawn_seeds
from ftheory.simulate._threads import single_blas_thread
from ftheory.simulate.deep_linear.montecarlo import _draw_instance, _validate_sim
from ftheory.simulate.deep_linear.network import DeepLinearNet
from ftheory.simulate.deep_linear.training import pretrain

__all__ = ["simulate_deep_linear_transfer_lams"]

#: Instances pretrained together: bounds the memory (each holds a d x m first layer and its n x m features).
CHUNK = 10


@takes_gamma()
@single_blas_thread
def simulate_deep_linear_transfer_lams(n, d, theta, sigma, lams, *, depth=2, alpha=None, width=None,
                                       norm_s=1.0, norm_t=1.0, pretrain_lr=None, pretrain_steps=20000,
                                       pretrain_tol=1e-12, method="gd", reduced=True, rcond=1e-3, rank=None,
                                       instances=20, seed=None, chunk_size=CHUNK) -> dict:
    """Risk of deep-linear linear transfer (population-source pretraining by gradient descent, then the
    ridge read-out refit of :func:`~ftheory.simulate.deep_linear.linear_transfer`) at every ``lam`` in ``lams``.

    Parameters are those of :func:`~ftheory.simulate.deep_linear.simulate_deep_linear` (same meaning and
    defaults) with ``lams`` (a non-empty grid of penalties >= 0) instead of ``lam``; ``chunk_size``
    instances are pretrained together (does not change the result).

    Returns
    -------
    dict
        ``{lam: MCEstimate}`` in the order of ``lams``; ``converged`` flags the pretraining.

    Examples
    --------
    >>> r = simulate_deep_linear_transfer_lams(20, 30, 0.4, 0.2, [0.0, 0.1], instances=3, seed=0)
    >>> sorted(r)
    [0.0, 0.1]
    """
    lam_arr = np.atleast_1d(np.asarray(lams, dtype=float))
    if lam_arr.ndim != 1 or lam_arr.size == 0:
        raise ValueError(f"lams={lams!r} is invalid: expected a non-empty one-dimensional grid")
    lam_arr = np.atleast_1d(np.asarray(PARAMS["lam"].validate(lams), dtype=float))   # rejects booleans, NaN, < 0
    p = _validate_sim(n, d, theta, sigma, depth, 0.0, alpha, width, instances, None, 0.0, norm_s, norm_t,
                      method, seed, 0.0, 0, 0.0, None, pretrain_lr, pretrain_steps, pretrain_tol, reduced=reduced)
    rcond = check_real("rcond", rcond, high=1.0 - 1e-16, domain="[0, 1)")
    if rank is not None:
        rank = check_int("rank", rank, 1)
    chunk_size = check_int("chunk_size", chunk_size, 1)
    n = p["n"]
    risks = np.empty((p["instances"], lam_arr.size))
    conv = np.empty(p["instances"], dtype=bool)
    steps = np.empty(p["instances"], dtype=np.int64)
    children = spawn_seeds(seed, p["instances"])
    for start in range(0, len(children), chunk_size):
        block = children[start:start + chunk_size]
        draws = [_draw_instance(np.random.default_rng(c), n=n, d=p["d"], m=p["m"], depth=p["depth"],
                                theta=p["theta"], sigma=p["sigma"], norm_s=p["norm_s"], norm_t=p["norm_t"],
                                n_s=None, sigma_s=0.0, alpha=p["alpha"]) for c in block]
        for dr in draws:
            dr.pop("w_sc")                                 # drawn (same stream) but not needed here
        net = DeepLinearNet(tuple(np.stack([dr["w_pre"][l] for dr in draws])
                                  for l in range(len(draws[0]["w_pre"]))))
        beta_s = np.stack([dr["beta_s"] for dr in draws])
        pre = pretrain(beta_s, net=net, lr=pretrain_lr, max_steps=pretrain_steps, tol=pretrain_tol,
                       method=method, reduced=reduced)
        phi = pre.net.phi
        for j, dr in enumerate(draws):
            F = dr["X"] @ phi[j]
            U, s, Vt = np.linalg.svd(F, full_matrices=False)
            keep = s > rcond * s[0] if s.size and s[0] > 0 else np.zeros(s.shape, bool)
            if rank is not None:
                keep[rank:] = False
            Uty = U.T @ dr["y"]
            for k, lam in enumerate(lam_arr):
                filt = np.zeros_like(s)
                filt[keep] = s[keep] / (s[keep] ** 2 + n * lam)
                c = Vt.T @ (filt * Uty)
                beta = phi[j] @ c
                diff = beta - dr["beta_t"]
                risks[start + j, k] = diff @ diff
        conv[start:start + len(block)] = pre.converged
        steps[start:start + len(block)] = pre.steps
        del draws, net, pre, phi
    info = {"procedure": "lt", "n": n, "d": p["d"], "theta": p["theta"], "sigma": p["sigma"], "depth": p["depth"],
            "width": p["m"], "alpha": p["alpha"], "method": method, "reduced": bool(reduced), "rcond": rcond,
            "pretrain_steps_max": int(steps.max())}
    return {float(lam): MCEstimate(np.where(np.isfinite(risks[:, k]), risks[:, k], np.inf), conv.copy(),
                                   {**info, "lam": float(lam)})
            for k, lam in enumerate(lam_arr)}
