"""Estimators of the noise variance, target signal and overlap, with 95% intervals.

Model (docs/background.md §1.1, with an input covariance): ``y = x . beta_t + eps``,
``x ~ N(0, Sigma)``, ``eps ~ N(0, sigma^2)``; the pretrained predictor is ``z = x . beta_s``.

* signal ``tau^2 = ||beta_t||_Sigma^2``: the U-statistic ``U(y, Sigma^{-1})`` (unbiased; with
  ``Sigma = I`` it is the unbiased version of Dicker's 2014 moment estimator);
* noise ``sigma^2 = mean(y^2) - tau^2`` (unbiased);
* overlap ``rho = <beta_t, beta_s>_Sigma = E[y z]``, ``r^2 = ||beta_s||_Sigma^2 = E[z^2]``
  (sample means, unbiased for every ``Sigma``); cosine ``rho / (tau r)``.

Intervals of the signal, the noise variance and the cosine invert tests calibrated by the exact
finite-sample law of their statistics at each hypothesised value (isotropic signal and noise:
:mod:`ftheory.advise.spectral`; otherwise :mod:`ftheory.advise.bootstrap`); the others are normal
intervals with the exact Gaussian covariance (:mod:`ftheory.advise.moments`) at plug-in parameters.
Reported values are the estimates truncated into the parameter space; intervals contain them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ftheory.advise.bootstrap import BUDGET, Worlds
from ftheory.advise.moments import Moments
from ftheory.advise.spectral import SpectralWorlds

__all__ = ["Interval", "Prepared", "prepare", "ParameterEstimates", "estimate_parameters", "delta"]

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Interval:
    """A point estimate, its standard error and a confidence interval ``[low, high]``."""

    value: float
    low: float
    high: float
    se: float

    def __post_init__(self):
        # an unbiased estimate may fall outside the parameter's domain (a negative variance); the
        # reported value is clipped into its interval (raw estimates: ParameterEstimates.p)
        if math.isfinite(self.value) and self.low <= self.high:
            object.__setattr__(self, "value", min(max(self.value, self.low), self.high))

    def as_dict(self) -> dict:
        """``{"value": v, "ci": [low, high]}`` (the JSON form)."""
        return {"value": _f(self.value), "ci": [_f(self.low), _f(self.high)]}

    def covers(self, truth: float) -> bool:
        """Whether ``low <= truth <= high``."""
        return self.low <= truth <= self.high


def _f(x):
    x = float(x)
    return x if math.isfinite(x) else (None if math.isnan(x) else (1e308 if x > 0 else -1e308))


def interval(value, var, lo=-math.inf, hi=math.inf, z=Z95) -> Interval:
    """Normal interval ``value +- z sqrt(var)`` clipped to ``[lo, hi]``; the value is truncated into
    ``[lo, hi]`` and the interval always contains it (``[lo, lo]`` if the whole normal interval is below ``lo``)."""
    value = float(value)
    if not math.isfinite(value):
        return Interval(value, value, value, math.nan)
    se = math.sqrt(max(float(var), 0.0))
    v = min(max(value, lo), hi)
    low, high = max(lo, value - z * se), min(hi, value + z * se)
    return Interval(v, min(low, v), max(high, v), se)


def helmert(A):
    """Rows of ``H A`` with ``H`` the (n-1) x n Helmert contrasts: centring without losing independence.

    For i.i.d. Gaussian rows with any common mean, the n-1 transformed rows are i.i.d. and centred.
    """
    A = np.asarray(A, float)
    n = A.shape[0]
    k = np.arange(1, n, dtype=float)
    cs = np.cumsum(A, axis=0)[:-1]
    scale = 1 / np.sqrt(k * (k + 1))
    shape = (-1,) + (1,) * (A.ndim - 1)
    return (cs - k.reshape(shape) * A[1:]) * scale.reshape(shape)


@dataclass
class Prepared:
    """Centred (and, on the isotropic path, standardised) data handed to the estimators."""

    X: np.ndarray
    y: np.ndarray
    z: np.ndarray | None
    Sigma: np.ndarray | None          # None: identity (isotropic path)
    Sigma_inv: np.ndarray | None
    n_unlabeled: int
    isotropic: bool
    centred: bool
    notes: list


def prepare(X, y, z=None, unlabeled=None, center=True, standardize=None) -> Prepared:
    """Centre by Helmert contrasts (``n -> n - 1`` effective samples) and pick the covariance path.

    Without ``unlabeled`` the inputs are treated as isotropic (``Sigma = I``) after scaling: one common
    scale if the column variances agree with isotropy, column-wise scales otherwise
    (``standardize=None``; ``True``/``False`` force column-wise scaling / no scaling). With ``unlabeled`` (``N`` rows) ``Sigma`` is their sample covariance and
    ``Sigma^{-1}`` is estimated without bias by ``(N' - d - 1)/N' * inv(Sigma_hat)`` (inverse-Wishart
    mean, ``N' = N - 1`` after centring).
    """
    notes = []
    if center:
        X, y = helmert(X), helmert(y)
        z = helmert(z) if z is not None else None
        notes.append("inputs and labels centred (intercept fitted): n - 1 effective samples")
    n, d = X.shape
    if unlabeled is None:
        v = np.mean(X * X, axis=0)
        if standardize is None:
            # one common scale when the column variances agree with isotropy (their spread is then
            # that of chi2_n / n, coefficient of variation sqrt(2/n)); per-column scales otherwise
            standardize = bool(np.std(v) / np.mean(v) > 1.5 * np.sqrt(2 / n) + 0.05)
            if not standardize:
                X = X / np.sqrt(np.mean(v))
        if standardize:
            X = X / np.sqrt(v)
            notes.append("columns scaled to unit variance (their variances differ): intervals are "
                         "slightly conservative (estimated scales)")
        notes.append("no unlabeled inputs: the inputs are treated as isotropic (Sigma = I); if the "
                     "features are correlated the estimates refer to ||Sigma beta||^2 and the isotropic "
                     "predictions may be off - pass unlabeled inputs")
        return Prepared(X, y, z, None, None, 0, True, center, notes)
    U = helmert(unlabeled) if center else np.asarray(unlabeled, float)
    N = U.shape[0]
    Sigma = U.T @ U / N
    Sigma = 0.5 * (Sigma + Sigma.T)
    Sigma_inv = (N - d - 1) / N * np.linalg.inv(Sigma)
    notes.append(f"input covariance estimated from {N + int(center)} unlabeled rows (d = {d}); "
                 "anisotropic theory")
    if N < 10 * d:
        notes.append(f"only {N / d:.1f} unlabeled rows per feature: the covariance spectrum is noisy "
                     "(intervals ignore that error beyond the signal's Wishart term)")
    return Prepared(X, y, z, Sigma, Sigma_inv, N, False, center, notes)


def delta(f, p, C, eps=1e-6):
    """Delta-method variance of ``f(p)`` for an estimate ``p`` with covariance ``C`` (central differences)."""
    p = np.asarray(p, float)
    sd = np.sqrt(np.maximum(np.diag(C), 0))
    g = np.zeros_like(p)
    for i in range(p.size):
        h = eps * (abs(p[i]) + sd[i] + 1e-300)
        e = np.zeros_like(p)
        e[i] = h
        fp, fm = f(p + e), f(p - e)
        if not (math.isfinite(fp) and math.isfinite(fm)):
            return math.inf
        g[i] = (fp - fm) / (2 * h)
    return float(g @ C @ g)


_STATS = [("S", [1, 0]), ("U", [1, 0], None, "inv"), ("S", [0, 1]), ("S", [1, 1])]
# p = (tau^2, sigma^2, rho, r^2) = L @ (S_y, U_y, S_z, S_{y+z})
_L = np.array([[0, 1, 0, 0], [1, -1, 0, 0], [-0.5, 0, -0.5, 0.5], [0, 0, 1, 0]], float)


def feasible(p):
    """Nearest parameters of a real task: tau^2 >= rho^2 / r^2 (|cos| <= 1), sigma^2 >= 0, total kept."""
    tau2, sig2, rho, r2 = (float(v) for v in p)
    total = tau2 + sig2
    r2 = max(r2, 1e-300)
    tau2 = min(max(tau2, rho * rho / r2, 0.0), max(total, rho * rho / r2))
    return np.array([tau2, max(total - tau2, 0.0), rho, r2])


def param_cov(n, d, p, n_unlabeled=0):
    """Exact Gaussian covariance of the estimator of ``p = (tau^2, sigma^2, rho, r^2)`` at the true ``p``
    (``n`` samples, dimension ``d``; ``n_unlabeled`` rows behind an estimated Sigma^{-1}).

    Closed form of :class:`~ftheory.advise.moments.Moments` covariances for the statistics
    ``(S_y, U_y, S_z, S_{y+z})`` (checked against it in the tests and ``derivations/advise.py``).
    """
    tau2, sig2, rho, r2 = (float(v) for v in p)
    syy = tau2 + sig2
    S = np.array([[syy, rho], [rho, r2]])
    G = np.array([[tau2, rho], [rho, r2]])
    A = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])  # label combinations y, z, y + z
    SA = A @ S @ A.T
    C = np.empty((4, 4))
    idx = [0, None, 1, 2]  # statistic -> row of A (None: the U-statistic of y)
    var_u = (4 * (n - 2) * (syy * tau2 + tau2 ** 2) + 2 * (syy ** 2 * d + 4 * syy * tau2 + 3 * tau2 ** 2)) / (n * (n - 1))
    for i in range(4):
        for j in range(4):
            a, b = idx[i], idx[j]
            if a is None and b is None:
                C[i, j] = var_u
            elif a is None or b is None:
                k = b if a is None else a
                ak = A[k]
                C[i, j] = 4 * float(A[0] @ S @ ak) * float(ak @ G @ A[0]) / n
            else:
                C[i, j] = 2 * SA[a, b] ** 2 / n
    C = _L @ C @ _L.T
    if n_unlabeled > d + 3:
        # Var of c' A c for the unbiased inverse-Wishart estimate A of Sigma^{-1}: 2 tau^4 / (N - d - 3)
        extra = 2 * max(tau2, 0.0) ** 2 / (n_unlabeled - d - 3)
        C[:2, :2] += extra * np.array([[1, -1], [-1, 1]])
    return C


def invert(test, lo, hi, grid=161, extra=()):
    """Confidence set ``{t in [lo, hi]: test(t) <= 0}`` as ``(low, high)`` (its hull), refined by bisection;
    ``extra`` points (e.g. the estimate) join the grid so that a set narrower than its spacing is found."""
    ts = np.unique(np.concatenate([np.linspace(lo, hi, grid),
                                   [min(max(float(x), lo), hi) for x in extra if math.isfinite(x)]]))
    ok = np.array([test(t) <= 0 for t in ts])
    if not ok.any():
        return None

    def edge(a, b):  # test(a) <= 0 < test(b) or the reverse
        fa = test(a) <= 0
        for _ in range(16):
            m = 0.5 * (a + b)
            if (test(m) <= 0) == fa:
                a = m
            else:
                b = m
        return 0.5 * (a + b)

    i, j = np.flatnonzero(ok)[[0, -1]]
    low = ts[i] if i == 0 else edge(ts[i], ts[i - 1])
    high = ts[j] if j == len(ts) - 1 else edge(ts[j], ts[j + 1])
    return float(low), float(high)


@dataclass
class ParameterEstimates:
    """``p = (tau^2, sigma^2, rho, r^2)`` (unbiased), its covariance and the statistics behind it.

    Intervals (:meth:`interval`) invert tests calibrated by the parametric bootstrap of
    :class:`~ftheory.advise.bootstrap.Worlds` (``draws`` simulated data sets, ``seed``): a value is kept
    if the observed statistic lies between the 2.5% and 97.5% quantiles of its simulated law at that
    value, the nuisance parameters estimated under that value. Reported values are the estimates
    truncated into the parameter space (:func:`feasible`); each interval contains its reported value.
    """

    p: np.ndarray
    cov: np.ndarray
    moments: Moments
    n: int
    d: int
    n_unlabeled: int = 0
    draws: int = 400
    seed: object = 0
    spectral: bool = True

    @property
    def worlds(self) -> Worlds:
        """The bootstrap draws (created on first use)."""
        if getattr(self, "_worlds", None) is None:
            # the exact/normal-law switch of Worlds is set by the cost of 400 draws, whatever ``draws``
            budget = BUDGET * max(self.draws, 400) / 400
            self._worlds = Worlds(self.n, self.d, self.n_unlabeled, self.draws, self.seed, budget=budget)
        return self._worlds

    @property
    def spectral_worlds(self):
        """:class:`~ftheory.advise.spectral.SpectralWorlds` of the data on the isotropic path (``spectral``), else None."""
        if not self.spectral or self.n_unlabeled or getattr(self.moments, "X", None) is None:
            return None
        if getattr(self, "_sw", None) is None:
            self._sw = SpectralWorlds(self.moments.X, self.moments.R[:, 0], seed=self.seed)
        return self._sw

    def simulate(self, q) -> np.ndarray:
        """``(draws, 4)`` bootstrap estimates when the truth is ``q = (tau^2, sigma^2, rho, r^2)``."""
        return self.worlds.draws_at(q, cov=lambda p: param_cov(self.n, self.d, p, self.n_unlabeled))

    def cov_stats(self, k):
        """Plug-in covariance of the first ``k`` statistics ``(U_y, S_y, rho_hat)``."""
        J = np.array([[1.0, 0, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0]])[:k]
        return J @ self.cov @ J.T

    def interval(self, name) -> Interval:
        """95% interval of ``signal``, ``noise_variance``, ``overlap`` (cosine), ``overlap_inner`` (rho),
        ``source_signal`` (r^2) or ``distance`` (||beta_t - beta_s||_Sigma^2)."""
        if not hasattr(self, "_cache"):
            self._cache = {}
        if name not in self._cache:
            self._cache[name] = self._interval(name)
        return self._cache[name]

    def profile(self, f) -> Interval:
        """Interval of a smooth function ``f(p)``: ``f`` along the path on which all estimates move with
        the signal (their regression on tau_hat^2) over the signal's interval, combined in quadrature
        with the delta-method spread of the part of ``p`` uncorrelated with tau_hat^2."""
        q = feasible(self.p)
        v = f(q)
        if not math.isfinite(v):
            return Interval(v, v, v, math.nan)
        sig = self.interval("signal")
        C = self.cov
        slope = C[:, 0] / max(C[0, 0], 1e-300)
        vals = [v]
        for t in np.linspace(sig.low, sig.high, 13):
            fv = f(feasible(self.p + (t - self.p[0]) * slope))
            if math.isfinite(fv):
                vals.append(fv)
        res = C - np.outer(C[:, 0], C[0, :]) / max(C[0, 0], 1e-300)
        # spread of the remaining directions by secants (f may have a kink where the plug-in is clipped)
        w, V = np.linalg.eigh(0.5 * (res + res.T))
        down2 = up2 = 0.0
        for lam_k, vec in zip(w, V.T):
            if lam_k <= 0:
                continue
            step = Z95 * math.sqrt(lam_k) * vec
            devs = [f(feasible(self.p + sgn * step)) - v for sgn in (1.0, -1.0)]
            if not all(math.isfinite(x) for x in devs):
                down2 = up2 = math.inf
                break
            up2 += max(max(devs), 0.0) ** 2
            down2 += max(-min(devs), 0.0) ** 2
        lo = v - math.sqrt((v - min(vals)) ** 2 + down2)
        hi = v + math.sqrt((max(vals) - v) ** 2 + up2)
        se = math.sqrt(max(delta(f, q, C), 0.0)) if math.isfinite(delta(f, q, C)) else math.inf
        return Interval(v, lo, hi, se)

    def _interval(self, name) -> Interval:
        if name == "signal":
            return self._inverted(0)
        if name == "noise_variance":
            return self._inverted(1)
        if name == "overlap_inner":
            return interval(self.p[2], self.cov[2, 2])
        if name == "source_signal":  # exact: n r_hat^2 / r^2 ~ chi2_n
            from scipy.stats import chi2
            r2 = float(self.p[3])
            lo, hi = self.n * r2 / chi2.ppf([0.975, 0.025], self.n)
            return Interval(r2, float(lo), float(hi), math.sqrt(max(self.cov[3, 3], 0.0)))
        if name == "overlap":
            return self._cosine_interval()
        if name == "distance":
            a = np.array([1.0, 0.0, -2.0, 1.0])
            return interval(a @ self.p, a @ self.cov @ a, lo=0.0)
        raise KeyError(name)

    # -- test inversion -----------------------------------------------------------------------------
    def _accept(self, stat, sims):
        """<= 0 iff ``stat`` lies between the 2.5% and 97.5% quantiles of ``sims``."""
        lo, hi = np.quantile(sims, [0.025, 0.975])
        return max(lo - stat, stat - hi)

    def _inverted(self, which) -> Interval:
        """Signal (``which = 0``) or noise variance (1) by inverting a profile test on ``T = (U_y, S_y)``
        (means ``(tau^2, tau^2 + sigma^2)``): at candidate ``t`` the other parameter ``nu >= 0`` is fitted by
        generalised least squares with the exact covariance ``F`` at the candidate task, and
        ``Z = sign(f' F^{-1} R) sqrt(R' F^{-1} R)`` (``R`` the residual, ``f`` the direction of the
        parameter of interest: a signed root of the profiled quadratic form). ``t`` is kept if ``Z`` lies
        inside the central 95% of its law simulated at ``(t, nu)``. In the interior ``Z`` is the
        standardised ``U_y - t`` (signal) or decorrelated noise estimate; when ``nu`` hits 0, ``S_y`` (the
        total label variance) testifies too, which bounds the signal by the label variance.
        Candidates live in ``[0, inf)``; the interval is the hull of the kept values and the reported
        (truncated) estimate."""
        T = np.array([self.p[0], self.p[0] + self.p[1]])
        e = np.array([0.0, 1.0]) if which == 0 else np.array([1.0, 1.0])   # direction of the nuisance
        f = np.array([1.0, 1.0]) if which == 0 else np.array([0.0, 1.0])   # direction of the parameter

        W0 = np.linalg.pinv(self.cov_stats(2))
        eWe0 = max(float(e @ W0 @ e), 1e-300)

        def zstat(Ts, t):
            """Signed root and fitted nuisance for rows ``Ts`` of ``(U_y, S_y)`` (the same function of
            the data for the observation and the simulations: a studentised statistic)."""
            R0 = Ts - f * t
            nu = np.maximum((R0 @ W0 @ e) / eWe0, 0.0)             # pilot fit
            q0, q1 = (t + 0 * nu, nu) if which == 0 else (nu, t + 0 * nu)
            W = _inv2(_cov_us(self.n, self.d, q0, q1, self.n_unlabeled))
            We = W @ e
            nu = np.maximum(np.einsum("...i,...i->...", R0, We) / np.maximum(We @ e, 1e-300), 0.0)
            R = R0 - np.multiply.outer(nu, e)
            WR = np.einsum("...ij,...j->...i", W, R)
            Q = np.maximum(np.einsum("...i,...i->...", R, WR), 0.0)
            return np.sign(WR @ f) * np.sqrt(Q), nu

        def u_test(t):
            z_obs, nu_fit = zstat(T, t)
            # three simulated worlds for the other parameter: fitted given t (least squares, uncorrelated
            # with the statistic), S_y - t (the observed total label variance kept) and its unconstrained
            # unbiased estimate; t is kept if one of them keeps it (a three-point supremum over the
            # nuisance, in the spirit of Berger & Boos 1994). Any one alone missed at small n (90-93%):
            # the spread of the statistic grows with the nuisance, which the data estimate poorly there.
            stat = math.inf
            for nu in (float(nu_fit), max(float(T[1]) - t, 0.0), max(float(self.p[1 - which]), 0.0)):
                q = [t, nu, 0.0, 1.0] if which == 0 else [nu, t, 0.0, 1.0]
                S = self.simulate(q)
                z_sim = zstat(S[:, :2] @ np.array([[1.0, 1.0], [0.0, 1.0]]), t)[0]
                stat = min(stat, self._accept(float(z_obs), z_sim))
                if stat <= 0:
                    break
            return stat

        value, se = float(feasible(self.p)[which]), math.sqrt(max(self.cov[which, which], 0.0))
        hi = max(float(self.p[which]), value, 0.0) + 6 * se
        sw, extra = self.spectral_worlds, [value, float(self.p[which])]
        test = u_test if sw is None else (  # isotropic path: the spectral test (docs/advisor.md)
            lambda t: sw.profile_accept(t, sw.nuisance_fit(t, which), which))
        if sw is not None:
            extra.append(sw.estimate()[which])
        hi = max(hi, *extra) + 1e-12
        for _ in range(12):  # make sure the upper end is rejected
            if test(hi) > 0:
                break
            hi *= 1.6
        lohi = invert(test, 0.0, hi, grid=25, extra=extra)
        return _hull(value, lohi, se)

    def _cosine_interval(self) -> Interval:
        """Keep the cosine ``c`` if ``D(c) = rho|rho| / r^2 - c|c| tau^2`` (estimates; its law does not depend
        on ``r^2``, which ``D r^2`` did: 92% at cos = 0.98, n = 30, d = 60) lies inside the central
        95% of its simulated law at the task with cosine ``c``: ``r^2 = r_hat^2`` and ``(tau^2, sigma^2)``
        by generalised least squares on ``(U_y, S_y, rho_hat)`` with mean ``(tau^2, tau^2 + sigma^2,
        c tau r)`` (a one-dimensional search in ``tau``; ``sigma^2`` in closed form, clipped at 0)."""
        tau2, sig2, rho, r2 = (float(v) for v in self.p)
        r2 = max(r2, 1e-300)
        r = math.sqrt(r2)
        T = np.array([tau2, tau2 + sig2, rho])
        W = np.linalg.pinv(self.cov_stats(3))
        sd_t = math.sqrt(max(self.cov[0, 0], 0.0))
        tmax = max(tau2, rho * rho / r2, 0.0) + 8 * sd_t + 1e-12
        taus = np.sqrt(np.linspace(0.0, tmax, 400))
        e = np.array([0.0, 1.0, 0.0])
        eWe = max(float(e @ W @ e), 1e-300)
        D_obs = lambda c: rho * abs(rho) / r2 - c * abs(c) * tau2  # noqa: E731

        def null(c):
            M = np.column_stack([taus ** 2, taus ** 2, c * r * taus])      # means with sigma^2 = 0
            R = T - M
            s = np.maximum((R @ W @ e) / eWe, 0.0)
            R = R - np.outer(s, e)
            Q = np.einsum("ij,jk,ik->i", R, W, R)
            k = int(np.argmin(Q))
            return [taus[k] ** 2, s[k], c * r * taus[k], r2]

        def test(c):
            S = self.simulate(null(c))
            sims = S[:, 2] * np.abs(S[:, 2]) / np.maximum(S[:, 3], 1e-300) - c * abs(c) * S[:, 0]
            return self._accept(D_obs(c), sims)

        value = cosine(feasible(self.p))
        se = math.sqrt(max(delta(cosine, feasible(self.p), self.cov), 0.0))
        return _hull(value, invert(test, -1.0, 1.0, grid=41, extra=[value]), se)


def _cov_us(n, d, tau2, sig2, n_unlabeled=0):
    """Exact Gaussian covariance of ``(U_y, S_y)`` at ``(tau^2, sigma^2)`` (the (U_y, S_y) block of
    :func:`param_cov`, which the tests check); arrays of parameters give ``(..., 2, 2)``."""
    tau2, sig2 = np.asarray(tau2, float), np.asarray(sig2, float)
    syy = tau2 + sig2
    vu = (4 * (n - 2) * (syy * tau2 + tau2 ** 2) + 2 * (syy ** 2 * d + 4 * syy * tau2 + 3 * tau2 ** 2)) / (n * (n - 1))
    if n_unlabeled > d + 3:
        vu = vu + 2 * tau2 ** 2 / (n_unlabeled - d - 3)
    c = 4 * syy * tau2 / n
    return np.stack([np.stack([vu, c], -1), np.stack([c, 2 * syy ** 2 / n], -1)], -2)


def _inv2(M):
    """Inverse of (..., 2, 2) matrices (closed form; singular ones get a tiny ridge)."""
    a, b, c, d = M[..., 0, 0], M[..., 0, 1], M[..., 1, 0], M[..., 1, 1]
    det = a * d - b * c
    det = np.where(np.abs(det) > 1e-300, det, 1e-300)
    return np.stack([np.stack([d, -b], -1), np.stack([-c, a], -1)], -2) / det[..., None, None]


def _hull(value, lohi, se) -> Interval:
    """Interval from an inverted test's ``(low, high)`` (None: nothing kept), widened to contain ``value``."""
    if lohi is None:
        return Interval(value, value, value, se)
    return Interval(value, min(lohi[0], value), max(lohi[1], value), se)


def cosine(p):
    """Sigma-weighted cosine ``rho / (tau r)``, clipped to [-1, 1]."""
    tau2 = max(p[0], 1e-12 * (abs(p[0]) + abs(p[1])) + 1e-300)
    r2 = max(p[3], 1e-300)
    return float(np.clip(p[2] / math.sqrt(tau2 * r2), -1.0, 1.0))


ANISO_DRAWS = 1600


def estimate_parameters(prep: Prepared, draws=None, seed=0, spectral=True) -> ParameterEstimates:
    """Unbiased estimates of ``(tau^2, sigma^2, rho, r^2)``, their Gaussian covariance (plug-in) and
    intervals calibrated by ``draws`` parametric-bootstrap data sets (``seed``: int, Generator or None;
    the default 0 makes a report reproducible; ``spectral``: isotropic signal and noise intervals by
    the spectral test of :mod:`ftheory.advise.spectral`, else by the U-statistic test). Default ``draws``:
    400 on the isotropic path, 1600 with unlabeled data (the studentised noise statistic is skewed there
    and the 2.5%/97.5% quantiles of 400 fixed draws moved the coverage by +-1 point)."""
    if draws is None:
        draws = 400 if prep.n_unlabeled == 0 else ANISO_DRAWS
    m = Moments(prep.X, prep.y, prep.z, prep.Sigma, prep.Sigma_inv)
    K = m.kinv()
    stats = [("S", [1, 0]), ("U", [1, 0], K, "inv"), ("S", [0, 1]), ("S", [1, 1])]
    p = _L @ np.array([m.value(s) for s in stats])
    n, d = prep.X.shape
    cov = param_cov(n, d, feasible(p), prep.n_unlabeled)
    return ParameterEstimates(p, cov, m, n, d, prep.n_unlabeled, int(draws), seed, bool(spectral))
