"""Teachers and Gaussian data of the linear-regression tasks (docs/background.md §1.1).

Conventions [CODE]: the source teacher is uniform on the sphere of radius ``norm_s``; the
target teacher is ``norm_t (cos(theta) u_s + sin(theta) u_perp)`` with ``u_perp`` a random unit
vector orthogonalised against ``u_s``. Inputs are i.i.d. N(0, I_d); labels y = X beta + noise.
Arrays carry a leading batch axis of independent instances.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ftheory._checks import check_int, check_real
from ftheory.mc.seeds import as_generator


@dataclass(frozen=True)
class Teachers:
    """A batch of teacher pairs: arrays of shape ``(instances, d)``."""

    beta_s: np.ndarray
    beta_t: np.ndarray


def teachers(d, theta, *, instances=1, norm_s=1.0, norm_t=1.0, seed=None) -> Teachers:
    """Draw ``instances`` pairs (beta_s, beta_t) in R^d at angle ``theta`` (radians).

    Parameters
    ----------
    d : int >= 2
    theta : float in [0, pi]
    instances : int >= 1
    norm_s, norm_t : float > 0
    seed : int, numpy.random.Generator or None

    Examples
    --------
    >>> t = teachers(50, math.pi / 4, instances=3, seed=0)
    >>> np.allclose((t.beta_s * t.beta_t).sum(1), math.cos(math.pi / 4))
    True
    """
    d = check_int("d", d, 2)
    instances = check_int("instances", instances)
    theta = check_real("theta", theta, 0.0, math.pi, domain="[0, pi]")
    norm_s = check_real("norm_s", norm_s, 0.0, low_open=True, domain="(0, inf)")
    norm_t = check_real("norm_t", norm_t, 0.0, low_open=True, domain="(0, inf)")
    rng = as_generator(seed)
    g = rng.standard_normal((instances, 2, d))
    u_s = g[:, 0] / np.linalg.norm(g[:, 0], axis=1, keepdims=True)
    perp = g[:, 1] - (g[:, 1] * u_s).sum(1, keepdims=True) * u_s
    u_perp = perp / np.linalg.norm(perp, axis=1, keepdims=True)
    beta_t = norm_t * (math.cos(theta) * u_s + math.sin(theta) * u_perp)
    return Teachers(beta_s=norm_s * u_s, beta_t=beta_t)


def target_teacher(d, *, instances=1, norm_t=1.0, seed=None) -> np.ndarray:
    """Draw ``instances`` target teachers uniform on the sphere of radius ``norm_t``: shape (instances, d)."""
    d = check_int("d", d, 1)
    instances = check_int("instances", instances)
    norm_t = check_real("norm_t", norm_t, 0.0, low_open=True, domain="(0, inf)")
    g = as_generator(seed).standard_normal((instances, d))
    return norm_t * g / np.linalg.norm(g, axis=1, keepdims=True)


def gaussian_data(beta, n, *, sigma=0.0, seed=None):
    """Draw Gaussian inputs and noisy labels for each teacher in ``beta`` (shape (instances, d)).

    Returns ``(X, y)`` of shapes ``(instances, n, d)`` and ``(instances, n)`` with
    ``y = X beta + sigma * eps``.
    """
    beta = np.atleast_2d(np.asarray(beta, dtype=float))
    n = check_int("n", n)
    sigma = check_real("sigma", sigma, 0.0, domain="[0, inf)")
    rng = as_generator(seed)
    instances, d = beta.shape
    X = rng.standard_normal((instances, n, d))
    y = np.einsum("bnd,bd->bn", X, beta)
    if sigma > 0:
        y = y + sigma * rng.standard_normal((instances, n))
    return X, y


def sphere_inputs(size, d, *, radius=None, seed=None) -> np.ndarray:
    """``size`` points uniform on the sphere of radius ``radius`` (default ``sqrt(d)``) in ``R^d``.

    Drawn as normalised standard Gaussian vectors, shape ``(size, d)``.
    """
    size = check_int("size", size)
    d = check_int("d", d)
    radius = math.sqrt(d) if radius is None else check_real("radius", radius, 0.0, low_open=True)
    X = as_generator(seed).standard_normal((size, d))
    return X * (radius / np.linalg.norm(X, axis=1, keepdims=True))
