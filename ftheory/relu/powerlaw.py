"""Scratch-risk power law ``R_sc(n) ~ A n^{-nu}`` and the predicted transfer boundary
(docs/background.md §10.4-§10.5).

Fit (§10.6 [DEFAULT])
---------------------
:func:`fit_power_law` fits ``log R = log A - nu log n`` by ordinary least squares to the *mean* risk
over instances at each ``n`` (the estimand is the power law of the expected scratch risk, which is
what the boundary compares with ``||P^perp f_t||^2``). ``nu`` can be fixed (e.g. the paper's 1.18),
in which case only ``A`` is fitted (``log A`` = mean of ``log R + nu log n``). Confidence intervals:

* ``method="bootstrap"`` (default for per-instance data ``(instances, N)`` with at least 2
  instances): resample the instances with replacement, refit on the resampled mean curve,
  percentile interval. It respects the dependence between the points of one instance (nested data
  sets, shared initialisation), which the regression interval ignores.
* ``method="regression"``: the classical OLS interval of the coefficients on the ``N`` log-points,
  Student t with ``N - 2`` degrees of freedom (``N - 1`` with ``nu`` fixed); exact when the log-means
  scatter independently and normally around the line. For 1-D input (already averaged risks) it is
  the only choice.

Boundary
--------
* :func:`boundary_n`: the paper's threshold ``n*(mu) = (A / ||P^perp f_t||^2)^{1/nu}`` (§10.5).
* :func:`boundary_crossings`: the roots of ``A n^{-nu} = C(n) + rho`` with the [EXT] estimation term
  ``C(n) = (sigma^2 + rho) k / (n - k - 1)`` (§4.5, §10.4; ``rho = ||P^perp f_t||^2``, ``k`` features,
  ``n > k + 1``). ``C`` diverges at ``n = k + 1`` and ``A n^{-nu} -> 0``, so transfer helps (the gap
  ``g(n) = A n^{-nu} - C(n) - rho`` is positive) on an interval ``(lower, upper)``, if anywhere; the
  roots are found with :func:`scipy.optimize.brentq` after locating the maximum of ``g``. ``upper``
  is the negative-transfer threshold that generalises ``n*``. All quantities must be in the same
  units (e.g. all relative to ``||f_t||^2``, then ``sigma`` is ``sigma / ||f_t||``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from ftheory._checks import check_int, check_real
from ftheory.simulate._random import as_generator

__all__ = ["PAPER_NU", "PowerLawFit", "fit_power_law", "boundary_n", "Crossings", "boundary_crossings"]

#: Exponent reported by the paper for scratch training of the mean-field ReLU network (§10.4).
PAPER_NU = 1.18


@dataclass(frozen=True)
class PowerLawFit:
    """Result of :func:`fit_power_law`.

    Attributes
    ----------
    A, nu : float
        Fitted prefactor and exponent (``nu`` is the fixed value if ``fixed_nu``).
    A_ci, nu_ci : tuple of float
        Confidence intervals at ``level`` (``nu_ci = (nu, nu)`` when fixed).
    level : float
    method : {"bootstrap", "regression"}
    fixed_nu : bool
    n, risk : ndarray
        The points fitted (mean risk per ``n``).
    instances : int
        Instances behind each mean (1 for 1-D input).
    log_residual_sd : float
        Standard deviation of the log-residuals around the fitted line.
    """

    A: float
    nu: float
    A_ci: tuple
    nu_ci: tuple
    level: float
    method: str
    fixed_nu: bool
    n: np.ndarray
    risk: np.ndarray
    instances: int
    log_residual_sd: float

    def __call__(self, n):
        """``A n^{-nu}``."""
        return self.A * np.asarray(n, dtype=float) ** (-self.nu)

    def as_dict(self) -> dict:
        """The fit as a JSON-ready dict (estimates, confidence intervals, method and the data fitted)."""
        return {"A": self.A, "nu": self.nu, "A_ci": list(self.A_ci), "nu_ci": list(self.nu_ci),
                "level": self.level, "method": self.method, "fixed_nu": self.fixed_nu,
                "n": [float(v) for v in self.n], "risk": [float(v) for v in self.risk],
                "instances": self.instances, "log_residual_sd": self.log_residual_sd}


def _positive(name, value):
    return check_real(name, value, 0.0, low_open=True)


def _ols(x, Y):
    """Least squares of each row of ``Y`` (..., N) on ``[1, x]``: returns (intercept, slope)."""
    xc = x - x.mean()
    slope = (Y - Y.mean(-1, keepdims=True)) @ xc / (xc @ xc)
    return Y.mean(-1) - slope * x.mean(), slope


def fit_power_law(n, risk, *, nu=None, level=0.95, method=None, n_boot=2000, seed=None) -> PowerLawFit:
    """Fit ``R(n) = A n^{-nu}`` by least squares on ``log R`` vs ``log n`` (docs/background.md §10.4, §10.6).

    Parameters
    ----------
    n : array_like, shape (N,)
        Distinct positive sample sizes.
    risk : array_like, shape (N,) or (instances, N)
        Positive risks: already averaged (1-D) or per instance (2-D; the fit uses the mean over
        instances at each ``n``).
    nu : float > 0 or None
        Fix the exponent (e.g. :data:`PAPER_NU`); ``None`` fits it.
    level : float in (0, 1)
        Confidence level of the intervals.
    method : {"bootstrap", "regression"} or None
        Interval method (module docstring); default ``"bootstrap"`` for 2-D input with at least 2
        instances, else ``"regression"``.
    n_boot : int >= 100
        Bootstrap resamples.
    seed : int, Generator, SeedSequence or None
        Bootstrap randomness.

    Returns
    -------
    PowerLawFit

    Raises
    ------
    ValueError
        Bad shapes, non-positive or non-finite values, too few points (``N >= 3`` for a free
        exponent with the regression interval, ``N >= 2`` otherwise), ``"bootstrap"`` with fewer
        than 2 instances, an unknown method.

    Examples
    --------
    >>> n = np.array([10, 20, 40, 80]); fit = fit_power_law(n, 3.0 * n ** -1.2)
    >>> round(fit.A, 6), round(fit.nu, 6)
    (3.0, 1.2)
    """
    n_arr = np.asarray(n, dtype=float)
    R = np.asarray(risk, dtype=float)
    if n_arr.ndim != 1 or n_arr.size < 2:
        raise ValueError(f"n={n!r} is invalid: expected a 1-D array of at least 2 sample sizes")
    if not np.all(np.isfinite(n_arr)) or np.any(n_arr <= 0):
        raise ValueError(f"n={n!r} is invalid: sample sizes must be finite and > 0")
    if np.unique(n_arr).size != n_arr.size:
        raise ValueError(f"n={n!r} is invalid: sample sizes must be distinct")
    if R.ndim == 1:
        R = R[None, :]
    if R.ndim != 2 or R.shape[1] != n_arr.size:
        raise ValueError(f"risk has shape {np.shape(risk)}; expected ({n_arr.size},) or (instances, {n_arr.size})")
    if not np.all(np.isfinite(R)) or np.any(R <= 0):
        raise ValueError("risk must be finite and > 0 (the fit is on log R)")
    fixed = nu is not None
    if fixed:
        nu = _positive("nu", nu)
    try:
        level = float(level)
    except (TypeError, ValueError):
        raise ValueError(f"level={level!r} is invalid: expected a real number in (0, 1)") from None
    if not (0.0 < level < 1.0):
        raise ValueError(f"level={level!r} is invalid: expected a real number in (0, 1)")
    instances = R.shape[0]
    if method is None:
        method = "bootstrap" if instances >= 2 else "regression"
    if method not in ("bootstrap", "regression"):
        raise ValueError(f"method={method!r} is invalid: expected 'bootstrap' or 'regression'")
    if method == "bootstrap" and instances < 2:
        raise ValueError("method='bootstrap' needs per-instance risks with at least 2 instances")
    N = n_arr.size
    if method == "regression" and N < (2 if fixed else 3):
        raise ValueError(f"n has {N} points: the regression interval needs at least {2 if fixed else 3}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 100:
        raise ValueError(f"n_boot={n_boot!r} is invalid: expected an integer >= 100")

    x = np.log(n_arr)
    mean = R.mean(axis=0)
    Y = np.log(mean)

    def fit(Yv):
        if fixed:
            return np.mean(Yv + nu * x, axis=-1), np.full(np.shape(Yv)[:-1], -nu)
        return _ols(x, Yv)

    logA, slope = fit(Y)
    logA, nu_hat = float(logA), float(-slope)
    resid = Y - (logA - nu_hat * x)
    dof = N - (1 if fixed else 2)
    sd = float(np.sqrt(resid @ resid / dof)) if dof > 0 else 0.0
    alpha = 1.0 - level
    if method == "regression":
        t = stats.t.ppf(1.0 - alpha / 2.0, dof)
        xc = x - x.mean()
        if fixed:
            se_logA = sd / math.sqrt(N)
            nu_ci = (nu_hat, nu_hat)
        else:
            se_slope = sd / math.sqrt(xc @ xc)
            se_logA = sd * math.sqrt(1.0 / N + x.mean() ** 2 / (xc @ xc))
            nu_ci = (nu_hat - t * se_slope, nu_hat + t * se_slope)
        A_ci = (math.exp(logA - t * se_logA), math.exp(logA + t * se_logA))
    else:
        rng = as_generator(seed)
        idx = rng.integers(0, instances, size=(n_boot, instances))
        boot = np.log(R[idx].mean(axis=1))                          # (n_boot, N)
        bA, bs = fit(boot)
        q = [100 * alpha / 2, 100 * (1 - alpha / 2)]
        A_ci = tuple(float(v) for v in np.exp(np.percentile(bA, q)))
        nu_ci = (nu_hat, nu_hat) if fixed else tuple(float(v) for v in np.percentile(-bs, q))
    return PowerLawFit(A=math.exp(logA), nu=nu_hat, A_ci=tuple(float(v) for v in A_ci),
                       nu_ci=tuple(float(v) for v in nu_ci), level=level, method=method, fixed_nu=fixed,
                       n=n_arr, risk=mean, instances=instances, log_residual_sd=sd)


def boundary_n(A, nu, residual):
    """Predicted negative-transfer threshold ``n* = (A / residual)^{1/nu}`` (docs/background.md §10.5).

    Parameters
    ----------
    A, nu : float > 0
        Scratch power law ``R_sc(n) = A n^{-nu}``.
    residual : float or array_like >= 0
        ``||P^perp f_t||^2(mu)`` in the units of ``A`` (``0`` gives ``inf``: transfer never hurts).

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> float(boundary_n(1.0, 1.0, 0.01))
    100.0
    """
    A, nu = _positive("A", A), _positive("nu", nu)
    r = np.asarray(residual, dtype=float)
    if not np.all(np.isfinite(r)) or np.any(r < 0):
        raise ValueError(f"residual={residual!r} is invalid: expected values in [0, inf)")
    out = np.full(r.shape, np.inf)
    pos = r > 0
    out[pos] = (A / r[pos]) ** (1.0 / nu)
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class Crossings:
    """Where ``A n^{-nu} = C(n) + rho``: transfer helps for ``lower < n < upper`` (``upper`` may be inf)."""

    lower: float
    upper: float


def boundary_crossings(A, nu, residual, k, sigma=0.0, *, n_max=1e12) -> Crossings:
    """Solve ``A n^{-nu} = C(n) + rho``, ``C(n) = (sigma^2 + rho) k / (n - k - 1)`` (docs/background.md §10.4-§10.5).

    Parameters
    ----------
    A, nu : float > 0
        Scratch power law.
    residual : float >= 0
        ``rho = ||P^perp f_t||^2``.
    k : int >= 1
        Number of frozen features (``|S|`` in the paper's heuristic, §10.4 [EXT]).
    sigma : float >= 0
        Label noise in the same units (``sigma^2`` adds to the estimation term).
    n_max : float
        Search range ``(k + 1, n_max]``.

    Returns
    -------
    Crossings
        ``lower`` and ``upper`` roots; ``upper = inf`` if ``g`` is still positive at ``n_max``. If
        ``sigma^2 + rho = 0`` the estimation term vanishes, the gap is positive on the whole domain
        and ``Crossings(k + 1, inf)`` is returned.

    Raises
    ------
    ValueError
        Bad input, or **no crossing**: ``A n^{-nu} <= C(n) + rho`` on all of ``(k + 1, n_max]`` (under
        this model linear transfer never beats scratch training).

    Examples
    --------
    >>> c = boundary_crossings(1.0, 1.0, 0.01, 5)
    >>> 6 < c.lower < c.upper < 100
    True
    """
    A, nu = _positive("A", A), _positive("nu", nu)
    try:
        rho = float(residual)
        s = float(sigma)
    except (TypeError, ValueError):
        raise ValueError(f"residual={residual!r} and sigma={sigma!r} must be real numbers >= 0") from None
    if not (math.isfinite(rho) and rho >= 0):
        raise ValueError(f"residual={residual!r} is invalid: expected a real number in [0, inf)")
    if not (math.isfinite(s) and s >= 0):
        raise ValueError(f"sigma={sigma!r} is invalid: expected a real number in [0, inf)")
    check_int("k", k, 1)
    n_max = _positive("n_max", n_max)
    lo = k + 1.0
    if n_max <= lo * (1 + 1e-9):
        raise ValueError(f"n_max={n_max!r} is invalid: expected a value > k + 1 = {lo:g}")
    c = (s * s + rho) * k
    if c == 0:
        return Crossings(lo, math.inf)

    def g(t):  # t = log(n - k - 1)
        e = math.exp(t)
        return A * (lo + e) ** (-nu) - rho - c / e

    t_lo, t_hi = math.log(lo * 1e-9), math.log(n_max - lo)
    grid = np.linspace(t_lo, t_hi, 4001)
    vals = np.array([g(t) for t in grid])
    j = int(np.argmax(vals))
    a, b = grid[max(j - 1, 0)], grid[min(j + 1, grid.size - 1)]
    best = optimize.minimize_scalar(lambda t: -g(t), bounds=(a, b), method="bounded",
                                    options={"xatol": 1e-12})
    t_star = best.x if -best.fun >= vals[j] else grid[j]
    g_star = g(t_star)
    if not g_star > 0:
        raise ValueError(f"no crossing: A n^-nu (A={A:g}, nu={nu:g}) stays below C(n) + residual "
                         f"(residual={rho:g}, k={k}, sigma={s:g}) for all n in ({lo:g}, {n_max:g}]; "
                         "linear transfer never beats scratch under this model")
    while g(t_lo) >= 0 and t_lo > -690:  # C(n) -> inf as n -> k + 1, so g < 0 close enough to it
        t_lo -= 20.0
    lower = lo + math.exp(_brentq(g, t_lo, t_star)) if g(t_lo) < 0 else lo
    if g(t_hi) > 0:
        return Crossings(lower, math.inf)
    upper = lo + math.exp(_brentq(g, t_star, t_hi))
    return Crossings(lower, upper)


def _brentq(f, a, b):
    """:func:`scipy.optimize.brentq` with tight tolerances (``f(a)`` and ``f(b)`` of opposite signs)."""
    return optimize.brentq(f, a, b, xtol=1e-13, rtol=1e-13, maxiter=500)
