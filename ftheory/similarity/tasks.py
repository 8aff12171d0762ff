"""Task laws of the linear-Gaussian family, Dudley bounds and the counterexample constructor (docs/background.md §9).

A task is the joint law ``p_f(x, y) = N(x; 0, I_d) N(y; f(x), sigma^2)`` with ``f(x) = beta . x``.
The coordinate functions ``x_1, ..., x_d`` are orthonormal in ``L^2(N(0, I_d))``, so ``beta`` is the
coefficient vector of ``f`` in the feature space of linear functions (§9.1, with ``M = d``).

* :func:`sample_task` draws ``(x, y)`` samples of a task; :func:`task_teachers` builds a teacher
  pair at a given angle.
* :func:`dudley_lower_bound` certifies a lower bound on the Dudley (bounded-Lipschitz) distance
  between two tasks by optimising explicit test functions; :func:`dudley_upper_bound` bounds it above.
* :func:`distant_task` is the counterexample of Theorem A.2 (§9.2), corrected (§9.3): given ``f`` and
  a level ``delta``, it returns ``g`` in the same feature space whose KL divergence (any
  ``delta > 0``) or Dudley distance (``delta < 2``) from ``f``'s task is at least ``delta``, with a
  certificate computed in closed form; requests that cannot be met raise ``ValueError``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, special

from ftheory._checks import check_int, check_real
from ftheory.params import get_param
from ftheory.mc.seeds import as_generator

__all__ = ["sample_task", "task_teachers", "dudley_lower_bound", "dudley_upper_bound", "DudleyBound",
           "distant_task", "Counterexample", "y_test_function_mean"]

_SQRT_2_PI = math.sqrt(2.0 / math.pi)


# ----------------------------------------------------------------------------------------------
# validation helpers
# ----------------------------------------------------------------------------------------------

def _vector(name, value) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} has shape {np.shape(value)}: expected a non-empty 1-D coefficient vector")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains non-finite values: expected finite coefficients")
    return arr


def _positive(name, value, description, allow_zero=False) -> float:
    """A finite real ``> 0`` (``>= 0`` with ``allow_zero``), in the message style of ``Param.validate``."""
    return check_real(name, value, 0.0, low_open=not allow_zero, description=description, allow_bool=True)


# ----------------------------------------------------------------------------------------------
# sampling
# ----------------------------------------------------------------------------------------------

def task_teachers(theta, d, norm_s=1.0, norm_t=1.0):
    """Teachers ``beta_s = norm_s e_1`` and ``beta_t = norm_t (cos theta e_1 + sin theta e_2)`` in ``R^d``.

    Every distance of §9 depends on the pair only through the norms and the angle, so this
    canonical placement loses nothing.
    """
    theta = get_param("theta").validate(theta)
    d = get_param("d").validate(d)
    if d < 2:
        raise ValueError(f"d={d!r} is out of its domain: two teachers at an angle need d >= 2")
    norm_s, norm_t = get_param("norm_s").validate(norm_s), get_param("norm_t").validate(norm_t)
    beta_s = np.zeros(int(d))
    beta_t = np.zeros(int(d))
    beta_s[0] = norm_s
    beta_t[0], beta_t[1] = norm_t * math.cos(theta), norm_t * math.sin(theta)
    return beta_s, beta_t


def sample_task(beta, sigma, size, seed=None):
    """Draw ``size`` samples ``(x, y)`` of the task law ``x ~ N(0, I_d)``, ``y = beta . x + sigma eps``.

    Returns an array of shape ``(size, d + 1)`` whose last column is ``y`` (the joint law on
    ``R^(d+1)`` that the distances of docs/background.md §9 compare).
    """
    beta = _vector("beta", beta)
    sigma = get_param("sigma").validate(sigma)
    size = check_int("size", size)
    rng = as_generator(seed)
    x = rng.standard_normal((size, beta.size))
    y = x @ beta + sigma * rng.standard_normal(size)
    return np.column_stack([x, y])


# ----------------------------------------------------------------------------------------------
# Dudley (bounded-Lipschitz) distance: certified bounds
# ----------------------------------------------------------------------------------------------

def y_test_function_mean(scale, width):
    """``E h(Y)`` for ``Y ~ N(0, scale^2)`` and ``h(y) = a (1 - 2 min(|y|/K, 1))``, ``K = width``,
    ``a = K/(K + 2)`` (docs/background.md §9.3).

    ``h`` has ``|h|_inf = a`` and ``|h|_Lip = 2a/K``, so ``|h|_inf + |h|_Lip = 1``. With
    ``m = E min(|Y|/K, 1) = scale sqrt(2/pi) (1 - exp(-K^2/(2 scale^2)))/K + erfc(K/(sqrt 2 scale))``,
    ``E h = a (1 - 2 m)``.
    """
    k = float(width)
    s = np.asarray(scale, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        r = k / np.where(s > 0, s, 1.0)
        m = np.where(s > 0, (_SQRT_2_PI / np.where(s > 0, r, 1.0)) * -np.expm1(-0.5 * r * r)
                     + special.erfc(r / math.sqrt(2.0)), 0.0)
    a = k / (k + 2.0)
    return a * (1.0 - 2.0 * m)


@dataclass(frozen=True)
class DudleyBound:
    """A certified lower bound on the Dudley distance, with the test function that attains it.

    ``family`` is ``"cosine"`` (``h = A cos(omega (y - beta . x))``, ``A = 1/(1 + omega sqrt(1 +
    |beta|^2))``) or ``"scale"`` (``h = a (1 - 2 min(|y|/K, 1))``); ``parameters`` holds ``omega``
    and ``beta`` (which teacher: ``"source"`` or ``"target"``) or ``K``.
    """

    value: float
    family: str
    parameters: dict = field(default_factory=dict)


def _cosine_bound(omega, lip_norm, var_same, var_other):
    amp = 1.0 / (1.0 + omega * lip_norm)
    return amp * abs(math.exp(-0.5 * omega ** 2 * var_same) - math.exp(-0.5 * omega ** 2 * var_other))


def _maximise_log(value, lo, hi, num):
    """Maximise ``value(t)`` over ``t = exp(x)``, ``x in [lo, hi]``: a grid, then a bounded refinement.

    Every candidate is an exact bound, so the search only needs to be good, not certified.
    Returns ``(best value, best t)``.
    """
    obj = lambda x: -value(math.exp(x))  # noqa: E731
    grid = np.linspace(lo, hi, num)
    vals = [obj(g) for g in grid]
    i = int(np.argmin(vals))
    res = optimize.minimize_scalar(obj, bounds=(grid[max(i - 1, 0)], grid[min(i + 1, num - 1)]),
                                   method="bounded", options={"xatol": 1e-10})
    best = min((float(res.fun), float(res.x)), (float(vals[i]), float(grid[i])))
    return -best[0], math.exp(best[1])


def _best_cosine(lip_norm, var_same, var_other):
    if var_same == var_other:
        return 0.0, 1.0
    return _maximise_log(lambda om: _cosine_bound(om, lip_norm, var_same, var_other), -8.0, 8.0, 161)


def _best_scale(s1, s2):
    if s1 == s2:
        return 0.0, 1.0
    return _maximise_log(lambda k: abs(float(y_test_function_mean(s1, k) - y_test_function_mean(s2, k))),
                         -8.0, 12.0, 201)


def dudley_lower_bound(theta, sigma, sigma_s=None, norm_s=1.0, norm_t=1.0) -> DudleyBound:
    """Certified lower bound on the Dudley distance between the source and target tasks [EXT].

    The paper's test function ``cos(y)/2`` (``dudley_lower_bound_cosine``) is blind to the angle. Here
    the test functions are adapted to the pair (docs/background.md §9.2-§9.3):

    * ``h(x, y) = A cos(omega (y - beta_s . x))`` with ``A = 1/(1 + omega sqrt(1 + |beta_s|^2))`` (so
      ``|h|_inf + |h|_Lip = 1``): ``E_s h = A exp(-omega^2 sigma_s^2/2)`` and
      ``E_t h = A exp(-omega^2 (Delta^2 + sigma^2)/2)``; likewise with ``beta_t``;
    * ``h(y) = a (1 - 2 min(|y|/K, 1))`` (:func:`y_test_function_mean`), which separates the two
      marginal scales of ``y``.

    ``omega`` and ``K`` are optimised numerically (each candidate value is an exact bound).
    ``sigma_s`` defaults to ``sigma``. The bound is positive whenever the laws differ.
    """
    theta = get_param("theta").validate(theta)
    sigma = get_param("sigma").validate(sigma)
    sigma_s = sigma if sigma_s is None else get_param("sigma_s").validate(sigma_s)
    norm_s, norm_t = get_param("norm_s").validate(norm_s), get_param("norm_t").validate(norm_t)
    gap = max(norm_s ** 2 + norm_t ** 2 - 2 * norm_s * norm_t * math.cos(theta), 0.0)
    candidates = []
    val, om = _best_cosine(math.sqrt(1 + norm_s ** 2), sigma_s ** 2, gap + sigma ** 2)
    candidates.append(DudleyBound(val, "cosine", {"omega": om, "beta": "source"}))
    val, om = _best_cosine(math.sqrt(1 + norm_t ** 2), sigma ** 2, gap + sigma_s ** 2)
    candidates.append(DudleyBound(val, "cosine", {"omega": om, "beta": "target"}))
    val, k = _best_scale(math.hypot(norm_s, sigma_s), math.hypot(norm_t, sigma))
    candidates.append(DudleyBound(val, "scale", {"K": k}))
    return max(candidates, key=lambda b: b.value)


def dudley_upper_bound(theta, sigma, sigma_s=None, norm_s=1.0, norm_t=1.0) -> float:
    """Upper bound on the Dudley distance: ``min(2, W1 upper bound, 2 TV)`` with Pinsker's
    ``TV <= sqrt(KL/2)`` (both KL directions) [EXT].

    The bounded-Lipschitz class is inside the 1-Lipschitz class (``Dudley <= W1``) and inside the
    class ``|h|_inf <= 1`` (``Dudley <= 2 TV``).
    """
    import ftheory

    sigma_s = sigma if sigma_s is None else sigma_s
    args = dict(theta=theta, sigma=sigma, sigma_s=sigma_s, norm_s=norm_s, norm_t=norm_t)
    w1 = float(ftheory.get("wasserstein1_upper_bound")(**args))
    with np.errstate(divide="ignore"):      # a noise level so small that its square underflows: KL = inf
        kl = min(float(ftheory.get("kl_source_target")(**args)), float(ftheory.get("kl_target_source")(**args)))
    tv2 = 2.0 * math.sqrt(kl / 2.0) if math.isfinite(kl) else math.inf
    return min(2.0, w1, tv2)


# ----------------------------------------------------------------------------------------------
# the counterexample of Theorem A.2, corrected
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Counterexample:
    """A function ``g`` of the feature space far from ``f``, with its certificate.

    Attributes
    ----------
    coef : numpy.ndarray
        Coefficients of ``g`` in the orthonormal basis of the feature space.
    distance : str
        ``"kl"`` or ``"dudley"``.
    delta : float
        The requested level.
    certified : float
        A value that the distance provably reaches: the exact ``KL(p_f || p_g)`` (which is symmetric
        here), or the value of the Dudley test function below, ``E_{p_f} h - E_{p_g} h``.
    test_function : dict
        For ``"dudley"``: ``{"form": "a (1 - 2 min(|y|/K, 1))", "K": K, "a": a}``.
    """

    coef: np.ndarray
    distance: str
    delta: float
    certified: float
    test_function: dict = field(default_factory=dict)


def distant_task(coef, delta, *, distance="kl", sigma=0.2, unit_norm=False) -> Counterexample:
    """Return ``g`` in the feature space of ``f`` whose task is at least ``delta`` away from ``f``'s.

    docs/background.md §9.2 (Theorem A.2), with the corrections of §9.3.

    Parameters
    ----------
    coef : array_like, shape (M,)
        Coefficients of ``f`` in an orthonormal basis of the feature space (for the paper's linear
        family, ``f(x) = beta . x`` with ``x ~ N(0, I_d)`` and ``coef = beta``).
    delta : float > 0
        Requested distance.
    distance : {"kl", "dudley"}
        ``"kl"``: ``KL(p_f || p_g) = |f - g|^2/(2 sigma^2)`` holds in any orthonormal feature space, so
        any ``delta`` can be met; ``g = -alpha f`` with the corrected threshold ``alpha =
        sigma sqrt(2 delta)/|f|`` (the paper's ``sigma sqrt(delta)/|f|`` only guarantees ``delta/2``);
        for ``f = 0``, ``g = sigma sqrt(2 delta) phi_1``.
        ``"dudley"``: needs ``delta < 2`` (the metric never exceeds 2). ``g = -alpha f`` with ``alpha``
        large enough that the test function ``a (1 - 2 min(|y|/K, 1))`` of §9.3 separates the laws
        of ``y`` by ``delta``. The law of ``y`` under ``p_f`` is ``N(0, |f|^2 + sigma^2)``, which holds
        for the linear feature space with Gaussian inputs (the paper's family) - a general feature
        space needs the law of ``f(x)``, and the claim can fail there (if every function of the space
        vanishes on a set of probability ``q``, the Dudley distance is at most ``2 (1 - q)``).
    sigma : float
        Label-noise standard deviation; ``> 0`` for KL (densities are needed), ``>= 0`` for Dudley.
    unit_norm : bool
        Stay inside the unit-norm family of the paper (``|g| = |f| = 1``): ``g`` is ``f`` rotated by
        the smallest angle that reaches ``delta``. There both distances are bounded (§9.3-§9.4): KL by
        ``2/sigma^2``; Dudley by ``min(2, 2 sqrt(2/pi))`` via W1; requests beyond what can be
        certified raise ``ValueError``.

    Returns
    -------
    Counterexample
    """
    f = _vector("coef", coef)
    delta = _positive("delta", delta, description="requested distance")
    if distance not in ("kl", "dudley"):
        raise ValueError(f"distance={distance!r} is invalid: expected 'kl' or 'dudley'")
    sigma = _positive("sigma", sigma, allow_zero=(distance == "dudley"),
                      description="label-noise standard deviation; > 0 for KL (densities)")
    norm = float(np.linalg.norm(f))
    if unit_norm:
        return _distant_unit(f, norm, delta, distance, sigma)
    if distance == "kl":
        if norm > 0:
            alpha = sigma * math.sqrt(2.0 * delta) / norm
            g = -alpha * f
        else:
            g = np.zeros_like(f)
            g[0] = sigma * math.sqrt(2.0 * delta)
        kl = float(np.sum((f - g) ** 2)) / (2.0 * sigma ** 2)
        return Counterexample(g, "kl", delta, kl)
    if delta >= 2.0:
        raise ValueError(f"delta={delta!r} is out of reach for distance='dudley': the Dudley metric never "
                         "exceeds 2 (docs/background.md §9.3); use delta < 2")
    return _distant_dudley(f, norm, delta, sigma)


def _distant_dudley(f, norm, delta, sigma):
    # leave half of the gap 2 - delta to the amplitude a = K/(K+2) and half to the two laws of y
    margin = (2.0 - delta) / 2.0
    target_amp = delta + margin / 2.0                      # 2a >= delta + margin/2
    width = 2.0 * target_amp / (2.0 - target_amp)
    s_f = math.hypot(norm, sigma)
    # widen K until the law of y under p_f sits well inside [-K, K]
    while (1.0 - float(y_test_function_mean(s_f, width)) / (width / (width + 2.0))) / 2.0 > margin / 8.0:
        width *= 2.0
    amp = width / (width + 2.0)
    mean_f = float(y_test_function_mean(s_f, width))
    need = mean_f - delta                                   # E_g h must fall to this value

    def gap(log_scale):
        return float(y_test_function_mean(math.exp(log_scale), width)) - need

    lo = math.log(s_f) if s_f > 0 else math.log(width) - 40.0   # gap(lo) = delta > 0
    hi = lo + 1.0
    while gap(hi) > 0:
        hi += 2.0
        if hi > 700:
            raise RuntimeError("could not reach the requested Dudley distance (numerical failure)")
    s_g = math.exp(optimize.brentq(gap, lo, hi, xtol=1e-14) + 1e-9)
    if norm > 0:
        alpha = math.sqrt(max(s_g ** 2 - sigma ** 2, 0.0)) / norm
        g = -alpha * f
    else:
        g = np.zeros_like(f)
        g[0] = math.sqrt(max(s_g ** 2 - sigma ** 2, 0.0))
    s_g = math.hypot(float(np.linalg.norm(g)), sigma)
    certified = mean_f - float(y_test_function_mean(s_g, width))
    return Counterexample(g, "dudley", delta, certified,
                          {"form": "a (1 - 2 min(|y|/K, 1))", "K": width, "a": amp})


def _distant_unit(f, norm, delta, distance, sigma):
    if not math.isclose(norm, 1.0, rel_tol=1e-9):
        raise ValueError(f"coef has norm {norm!r}: unit_norm=True needs a unit-norm f")
    if f.size < 2:
        raise ValueError("coef has one coefficient: a rotation inside the unit sphere needs M >= 2")
    # a unit vector orthogonal to f
    e = np.zeros_like(f)
    e[int(np.argmin(np.abs(f)))] = 1.0
    e -= (e @ f) * f
    e /= np.linalg.norm(e)

    def rotate(t):
        return math.cos(t) * f + math.sin(t) * e

    if distance == "kl":
        top = 2.0 / sigma ** 2
        if delta > top:
            raise ValueError(f"delta={delta!r} is out of reach for distance='kl' with unit_norm=True: inside the "
                             f"unit-norm family KL <= 2/sigma^2 = {top!r} (docs/background.md §9.4)")
        t = math.acos(max(-1.0, 1.0 - delta * sigma ** 2))
        g = rotate(t)
        return Counterexample(g, "kl", delta, float(np.sum((f - g) ** 2)) / (2.0 * sigma ** 2))
    top = dudley_upper_bound(math.pi, sigma)
    if delta >= top:
        raise ValueError(f"delta={delta!r} is out of reach for distance='dudley' with unit_norm=True: inside the "
                         f"unit-norm family the Dudley distance is at most {top:.6g} (docs/background.md §9.3-§9.4)")
    best = dudley_lower_bound(math.pi, sigma)
    if best.value < delta:
        raise ValueError(f"delta={delta!r} cannot be certified for distance='dudley' with unit_norm=True: the best "
                         f"certified bound at theta = pi is {best.value:.6g} (true maximum <= {top:.6g})")
    t = optimize.brentq(lambda t: dudley_lower_bound(t, sigma).value - delta, 0.0, math.pi, xtol=1e-13)
    t = min(math.pi, t + 1e-9)
    bound = dudley_lower_bound(t, sigma)
    return Counterexample(rotate(t), "dudley", delta, bound.value, {"family": bound.family, **bound.parameters})
