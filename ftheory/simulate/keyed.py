"""Sweep points that return a whole row of estimates from the same draws, as one dict keyed
``quantity:i`` (:func:`~ftheory.simulate.rowkeys.row_key`, :func:`~ftheory.simulate.linear_grid.grid_key`):
every noise level, every ridge penalty or every estimator of a point from one set of draws per instance, so
that differences along the row are paired comparisons. Each is a module-level function that
:func:`~ftheory.simulate.sweeps.sweep` can run (``gamma`` for ``n = round(gamma d)``).

Store names: each function carries ``sweep_name``, the name its points are stored under
(:func:`~ftheory.simulate.sweeps.sweep` forms a point's store key from it). These functions were first
written inside the figure modules; the names are those they had there, so stores written before the move
still load (``ftheory reproduce`` reuses them) and give the same numbers.
"""
from __future__ import annotations

from ftheory.simulate.deep_linear.lam_grid import simulate_deep_linear_transfer_lams
from ftheory.simulate.gamma import takes_gamma
from ftheory.simulate.linear_grid import grid_key, simulate_min_norm_sigma_grid, simulate_ridge_grid, \
    transfer_grid_estimates
from ftheory.simulate.rowkeys import row_key
from ftheory.simulate.sweeps import point_seed

__all__ = ["simulate_min_norm_sigma_rows", "simulate_deep_lt_lam_rows", "simulate_ridge_lam_rows",
           "simulate_scratch_and_transfer_at_gamma"]


def _stored_as(name):
    """Set ``fn.sweep_name = name`` (the store name of the function's sweep points)."""
    def deco(fn):
        fn.sweep_name = name
        return fn
    return deco


@_stored_as("ftheory.figures.scratch_dd._sigma_point")
@takes_gamma()
def simulate_min_norm_sigma_rows(n, d, sigmas, instances, seed) -> dict:
    """Min-norm scratch risks at every noise level in ``sigmas`` on the same data
    (:func:`~ftheory.simulate.linear_grid.simulate_min_norm_sigma_grid`: one QR per instance), keyed
    ``row_key("risk", j)`` (``risk:j``) for ``sigmas[j]``.

    >>> r = simulate_min_norm_sigma_rows(gamma=0.5, d=20, sigmas=[0.0, 0.2], instances=3, seed=0)
    >>> sorted(r)
    ['risk:0', 'risk:1']
    """
    ests = simulate_min_norm_sigma_grid(n, d, sigmas, instances=instances, seed=seed)
    return {row_key("risk", j): ests[float(s)] for j, s in enumerate(sigmas)}


@_stored_as("ftheory.figures.lt_ridge._deep_lt")
@takes_gamma()
def simulate_deep_lt_lam_rows(n, d, theta, sigma, lams, instances, seed) -> dict:
    """Deep-linear linear transfer (depth 2, features pretrained by gradient descent on the source population
    loss, ridge read-out refit) at every ``lam`` in ``lams`` from one pretraining per instance
    (:func:`~ftheory.simulate.deep_linear.lam_grid.simulate_deep_linear_transfer_lams`), keyed
    ``grid_key("lt", k)`` (``lt:k``) for ``lams[k]``; ``converged`` flags the pretraining."""
    res = simulate_deep_linear_transfer_lams(n, d, theta, sigma, lams, instances=instances, seed=seed)
    return {grid_key("lt", k): est for k, est in enumerate(res.values())}


@_stored_as("ftheory.figures.tuned._ridge_point")
@takes_gamma()
def simulate_ridge_lam_rows(n, d, sigma, lams, root, instances, seed, *, stream="tuned-baseline") -> dict:
    """Ridge scratch risks over the penalty grid ``lams`` on the same data
    (:func:`~ftheory.simulate.linear_grid.simulate_ridge_grid`: the samples of
    :func:`~ftheory.simulate.linear.simulate_tuned_ridge_risk` without its SVD), keyed ``grid_key("ridge", j)``
    (``ridge:j``) for ``lams[j]``.

    Drawn from ``point_seed(root, {"figure": stream, "n": n})`` and NOT from ``seed`` (which a sweep derives from
    its root and ``n`` alone, so another sweep over the same ``n`` with the same root, e.g. the linear-transfer
    grid the baseline is compared with, would draw the same numbers): the baselines stay independent of such a
    sweep, as standard errors added in quadrature assume. ``stream`` names the stream (default: the one the
    ``tuned-baseline`` figure has always used).
    """
    del seed
    res = simulate_ridge_grid(n, d, sigma, lams, instances=instances, seed=point_seed(root, {"figure": stream, "n": n}))
    return {grid_key("ridge", j): est for j, est in enumerate(res.estimates)}


@_stored_as("ftheory.figures.similarity._pair_at_gamma")
def simulate_scratch_and_transfer_at_gamma(gamma, d, theta, sigma, instances, seed) -> dict:
    """Scratch (min-norm), linear transfer and their difference at ``n = round(gamma d)`` on the same data: the
    samples of :func:`~ftheory.simulate.linear.simulate_scratch_and_transfer` (same draws), the scratch risk from
    one QR factorisation instead of an SVD-based solve (:func:`~ftheory.simulate.linear_grid.transfer_grid_estimates`
    at one angle). Keys ``scratch``, ``linear_transfer``, ``transferability``.

    ``gamma`` is this function's own parameter (a sweep over gamma seeds each point by its gamma, not by its n).

    >>> r = simulate_scratch_and_transfer_at_gamma(0.5, 20, 0.3, 0.2, instances=3, seed=0)
    >>> sorted(r)
    ['linear_transfer', 'scratch', 'transferability']
    """
    est = transfer_grid_estimates(gamma=gamma, d=d, thetas=[theta], sigma=sigma, instances=instances, seed=seed)
    return {"scratch": est[grid_key("scratch", 0)], "linear_transfer": est[grid_key("linear_transfer", 0, 0)],
            "transferability": est[grid_key("transferability", 0, 0)]}
