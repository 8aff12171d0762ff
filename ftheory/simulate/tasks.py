"""Monte Carlo estimators of divergences between two linear-regression task laws (docs/background.md §9).

The task law ``p`` of ``(x, y)`` is ``x ~ N(0, I_d)``, ``y = beta . x + sigma eps``
(:func:`ftheory.similarity.tasks.sample_task`). Both laws have the same ``x``-marginal, so the
log-likelihood ratio of a joint sample is that of the conditional Gaussians of ``y`` given ``x``.
"""
from __future__ import annotations

import math

import numpy as np

from ftheory._checks import check_int
from ftheory.mc.estimate import MCEstimate
from ftheory.mc.seeds import spawn_seeds
from ftheory.similarity.tasks import sample_task, task_teachers

__all__ = ["sample_kl_divergence", "simulate_w1_estimate"]


def _log_normal(y, mean, sigma):
    return -0.5 * ((y - mean) / sigma) ** 2 - math.log(sigma) - 0.5 * math.log(2 * math.pi)


def sample_kl_divergence(theta, sigma_p, sigma_q, *, norm_p=1.0, norm_q=1.0, d=2, size=20000, seed=None):
    """Samples of ``log p(x, y) - log q(x, y)`` with ``(x, y) ~ p``: their mean estimates ``KL(p || q)``.

    ``p`` has teacher ``norm_p e_1`` and noise ``sigma_p``; ``q`` has teacher ``norm_q (cos theta e_1 +
    sin theta e_2)`` and noise ``sigma_q`` (:func:`~ftheory.similarity.tasks.task_teachers`). Both
    noise levels must be > 0 (the divergence is infinite otherwise).
    """
    for name, value in (("sigma_p", sigma_p), ("sigma_q", sigma_q)):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            raise ValueError(f"{name}={value!r} is invalid: expected a real number > 0")
    beta_p, beta_q = task_teachers(theta, d, norm_p, norm_q)
    xy = sample_task(beta_p, sigma_p, size, seed=seed)
    x, y = xy[:, :-1], xy[:, -1]
    ratio = _log_normal(y, x @ beta_p, sigma_p) - _log_normal(y, x @ beta_q, sigma_q)
    return MCEstimate(ratio, info={"theta": float(theta), "sigma_p": sigma_p, "sigma_q": sigma_q, "d": int(d)})


def simulate_w1_estimate(theta, sigma, d, size, metric="l1", instances=5, seed=None):
    """Exact empirical W1 between independent samples of ``p_s`` and ``p_t`` (docs/background.md §9.4).

    Each instance draws two fresh samples of ``size`` points in ``R^(d+1)`` (unit teachers at angle
    ``theta``, noise ``sigma``) and solves the optimal assignment (:func:`wasserstein1_exact`).
    """
    from ftheory.similarity.estimators import wasserstein1_exact

    instances = check_int("instances", instances, 1)
    beta_s, beta_t = task_teachers(theta, d)
    values = []
    for ss in spawn_seeds(seed, instances):
        a, b = ss.spawn(2)
        values.append(wasserstein1_exact(sample_task(beta_s, sigma, size, seed=a),
                                         sample_task(beta_t, sigma, size, seed=b), metric=metric))
    return MCEstimate(np.array(values))
