"""Quantities of a :class:`~ftheory.simulate.relu.ReluTransferResult` that the ReLU figures report, in units
of the target's ``||f_t||^2`` per instance (docs/background.md §10)."""
from __future__ import annotations

import numpy as np

from ftheory.relu.hermite import degree_norms

__all__ = ["pretrain_relative_risk", "relative_noise", "relative_noise_rms", "local_exponents",
           "target_degree_fractions"]


def pretrain_relative_risk(res) -> np.ndarray:
    """``||f_pre - f_s||^2 / ||f_s||^2`` per instance and ``mu``: shape (instances, mus)."""
    return res.pretrain_risk / res.source_norm_sq


def relative_noise(res) -> np.ndarray:
    """Label noise in units of ``||f_t||`` per instance: ``sigma / ||f_t||``, shape (instances,)."""
    return res.params["sigma"] / np.sqrt(res.norm_sq)


def relative_noise_rms(res) -> float:
    """``sqrt(mean_i sigma^2 / ||f_t||_i^2)``: the label noise in units of ``||f_t||``, averaged in square."""
    return float(np.sqrt(np.mean(res.params["sigma"] ** 2 / res.norm_sq)))


def local_exponents(ns, risk) -> np.ndarray:
    """Local power-law exponents ``-d log R / d log n`` between consecutive grid points: shape (len(ns) - 1,).
    ``risk`` > 0 at the increasing ``ns``.

    >>> np.round(local_exponents([10, 20, 40], [1.0, 0.5, 0.25]), 12).tolist()
    [1.0, 1.0]
    """
    ns, risk = np.asarray(ns, dtype=float), np.asarray(risk, dtype=float)
    if ns.shape != risk.shape or ns.ndim != 1 or ns.size < 2:
        raise ValueError(f"ns {ns.shape}, risk {risk.shape}: expected two 1-D arrays of one length >= 2")
    return -np.diff(np.log(risk)) / np.diff(np.log(ns))


def target_degree_fractions(res, kmax=2) -> np.ndarray:
    """Instance mean of the fractions of ``||f_t||^2`` in Hermite degrees ``0..kmax`` and ``> kmax``
    (:func:`~ftheory.relu.hermite.degree_norms`): shape (kmax + 2,)."""
    tgt = res.teacher.target
    return np.mean([degree_norms(W, c, kmax=kmax) / nsq for W, c, nsq in zip(tgt.weights, tgt.coef, res.norm_sq)],
                   axis=0)
