"""Instance means of the kernel-regression estimate of the linear-transfer risk (:mod:`ftheory.relu.readout`,
[EXT]) for a batch of pretrained ReLU networks, and the transferability it predicts against a scratch power law
(docs/background.md §10.4-§10.5): what the ``relu-phase`` figure draws."""
from __future__ import annotations

import numpy as np

from ftheory.relu.readout import readout_risk_estimate, readout_spectrum

__all__ = ["mean_readout_relative_risk", "predicted_transferability"]


def mean_readout_relative_risk(weights, teacher_weights, teacher_coef, ns, sigma=0.0) -> np.ndarray:
    """``mean_i R_i(n) / ||f_t,i||^2`` over the instances ``i``, with ``R_i`` the estimate
    :func:`~ftheory.relu.readout.readout_risk_estimate` for the frozen first layer ``weights[i]`` (m, d) and the
    target teacher ``(teacher_weights[i], teacher_coef[i])`` ((m*, d), (m*,)): shape ``(len(ns),)``."""
    vals = []
    for W, Wt, ct in zip(weights, teacher_weights, teacher_coef):
        spec = readout_spectrum(W, Wt, ct)
        vals.append(readout_risk_estimate(spec, ns, sigma=sigma) / spec.norm_sq)
    if not vals:
        raise ValueError("weights is empty: expected at least one instance")
    return np.mean(vals, axis=0)


def predicted_transferability(power_law, weights, teacher_weights, teacher_coef, ns, sigma=0.0) -> np.ndarray:
    """``T[j, k] = power_law(ns[k]) - mean_readout_relative_risk(weights[:, j], ..., ns)[k]``: the scratch power law
    (e.g. a :class:`~ftheory.relu.powerlaw.PowerLawFit`, relative to ``||f_t||^2``) minus the estimated linear-transfer
    risk of the networks pretrained at each removed fraction ``j``. ``weights``: (instances, mus, m, d)."""
    weights = np.asarray(weights)
    if weights.ndim != 4:
        raise ValueError(f"weights has shape {weights.shape}: expected (instances, mus, m, d)")
    return np.array([power_law(ns) - mean_readout_relative_risk(weights[:, j], teacher_weights, teacher_coef, ns,
                                                                sigma) for j in range(weights.shape[1])])
