"""Estimators of the noise variance, target signal and overlap, with 95% intervals.

Model (docs/background.md §1.1, with an input covariance): ``y = x . beta_t + eps``,
``x ~ N(0, Sigma)``, ``eps ~ N(0, sigma^2)``; the pretrained predictor is ``z = x . beta_s``.

* signal ``tau^2 = ||beta_t||_Sigma^2``: the U-statistic ``U(y, Sigma^{-1})`` (unbiased; with
  ``Sigma = I`` it is the unbiased version of Dicker's 2014 moment estimator);
* noise ``sigma^2 = mean(y^2) - tau^2`` (unbiased);
* overlap ``rho = <beta_t, beta_s>_Sigma = E[y z]``, ``r^2 = ||beta_s||_Sigma^2 = E[z^2]``
  (sample means, unbiased for every ``Sigma``); cosine ``rho / (tau r)``.

Intervals: estimate +- 1.96 standard errors, the standard error from the exact Gaussian
covariance of the statistics (:mod:`ftheory.advise.moments`) with plug-in parameters, then the
delta method for nonlinear functions; intervals are clipped to the parameter's domain.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ftheory.advise.moments import Moments

__all__ = ["Interval", "Prepared", "prepare", "ParameterEstimates", "estimate_parameters", "delta"]

Z95 = 1.959963984540054
CHI2_2_95 = 2.447746830680816  # sqrt of the 95% quantile of chi-square with 2 degrees of freedom


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
    """Normal interval ``value +- z sqrt(var)`` clipped to ``[lo, hi]``."""
    value = float(value)
    if not math.isfinite(value):
        return Interval(value, value, value, math.nan)
    se = math.sqrt(max(float(var), 0.0))
    return Interval(value, max(lo, value - z * se), min(hi, value + z * se), se)


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


def invert(test, lo, hi, grid=161):
    """Confidence set ``{t in [lo, hi]: test(t) <= 0}`` as ``(low, high)`` (its hull), refined by bisection."""
    ts = np.linspace(lo, hi, grid)
    ok = np.array([test(t) <= 0 for t in ts])
    if not ok.any():
        return None

    def edge(a, b):  # test(a) <= 0 < test(b) or the reverse
        fa = test(a) <= 0
        for _ in range(30):
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
    """``p = (tau^2, sigma^2, rho, r^2)`` (unbiased), its covariance and the statistics behind it."""

    p: np.ndarray
    cov: np.ndarray
    moments: Moments
    n: int
    d: int
    n_unlabeled: int = 0

    # -- profile tests ------------------------------------------------------------------------------
    # Statistics T = (U_y, S_y, rho_hat) with means (tau^2, tau^2 + sigma^2, rho) and covariance F(theta)
    # (param_cov at theta, r^2 plugged in). A candidate value of the parameter of interest is kept if
    # Q = min over the nuisance of (T - m)' F(theta)^{-1} (T - m) <= chi2_1(0.95): the profiled
    # quadratic-form (score) test. sigma^2 is profiled in closed form by generalised least squares at
    # the plug-in covariance and clipped at 0 (then S_y itself testifies against a too-large tau^2).

    def _F(self, tau2, sig2, rho, k):
        J = np.array([[1.0, 0, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0]])[:k]
        r2 = max(self.p[3], 1e-300)
        th = np.array([max(tau2, 0.0), max(sig2, 0.0), rho, r2])
        return J @ param_cov(self.n, self.d, th, self.n_unlabeled) @ J.T

    def _stats(self, k):
        tau2, sig2, rho, _ = self.p
        return np.array([tau2, tau2 + sig2, rho])[:k]

    def _Q(self, tau2, sig2, rho, k):
        T = self._stats(k)
        m = np.array([tau2, tau2 + sig2, rho])[:k]
        F = self._F(tau2, sig2, rho, k)
        r = T - m
        try:
            return float(r @ np.linalg.solve(F, r))
        except np.linalg.LinAlgError:
            return math.inf

    def _profile_sig2(self, tau2, rho, k):
        """GLS estimate of sigma^2 given tau^2 (and rho), at the plug-in covariance; clipped at 0."""
        T = self._stats(k)
        W = np.linalg.inv(self.cov_stats(k))
        m0 = np.array([tau2, tau2, rho])[:k]
        e = np.array([0.0, 1.0, 0.0])[:k]
        s2 = float(e @ W @ (T - m0)) / float(e @ W @ e)
        return max(s2, 0.0)

    def _profile_tau2(self, sig2, k):
        T = self._stats(k)
        W = np.linalg.inv(self.cov_stats(k))
        m0 = np.array([0.0, sig2, self.p[2]])[:k]
        e = np.array([1.0, 1.0, 0.0])[:k]
        t2 = float(e @ W @ (T - m0)) / float(e @ W @ e)
        return max(t2, 0.0)

    def cov_stats(self, k):
        """Plug-in covariance of the first ``k`` statistics ``(U_y, S_y, rho_hat)``."""
        J = np.array([[1.0, 0, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0]])[:k]
        return J @ self.cov @ J.T

    def _score_interval(self, which) -> Interval:
        """Test inversion: keep t if |p_k - t| <= 1.96 sd(t), sd at the task with p_k = t.

        The nuisance (total label variance ``S_y = tau^2 + sigma^2``) is decorrelated from the
        statistic: at candidate ``t`` it is ``S_y - b (p_k - t)`` with ``b = Cov(S_y, p_k)/Var(p_k)``,
        its conditional mean (otherwise the positive correlation of S_y and tau^2 inflates coverage).
        If that leaves the other parameter negative, the candidate must also pass the two-statistic
        test of ``(U_y, S_y)`` at the boundary (other parameter 0).
        """
        est = self.p[which]
        other = 1 - which
        total = self.p[0] + self.p[1]
        C0 = self.cov
        b = (C0[0, which] + C0[1, which]) / max(C0[which, which], 1e-300)
        se = math.sqrt(max(C0[which, which], 0.0))

        def test(t):
            tot = total - b * (est - t)
            q = feasible(self.p)
            q[which], q[other] = t, max(tot - t, 0.0)
            v = param_cov(self.n, self.d, q, self.n_unlabeled)[which, which]
            stat = abs(est - t) - Z95 * math.sqrt(max(v, 0.0))
            if tot - t < 0 and stat <= 0:
                th = [t, 0.0] if which == 0 else [0.0, t]
                stat = math.sqrt(max(self._Q(th[0], th[1], 0.0, 2), 0.0)) - CHI2_2_95
            return stat

        hi = max(est, 0.0) + 8 * se + 1e-12
        lohi = invert(test, 0.0, hi)
        if lohi is None:
            return interval(est, C0[which, which], lo=0.0)
        return Interval(float(est), lohi[0], lohi[1], se)

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
            return self._score_interval(0)
        if name == "noise_variance":  # Wald at the feasible plug-in: 94-97% in the coverage study
            return interval(self.p[1], self.cov[1, 1], lo=0.0)
        if name == "overlap_inner":
            return interval(self.p[2], self.cov[2, 2])
        if name == "source_signal":
            return interval(self.p[3], self.cov[3, 3], lo=0.0)
        if name == "overlap":
            return self._cosine_interval()
        if name == "distance":
            a = np.array([1.0, 0.0, -2.0, 1.0])
            return interval(a @ self.p, a @ self.cov @ a, lo=0.0)
        raise KeyError(name)

    def _cosine_interval(self) -> Interval:
        """Fieller-type inversion of ``D(c) = rho|rho| - c|c| tau^2 r^2`` (mean ~0 at the true cosine c),
        restricted to the sign of rho when rho's own interval excludes 0.

        Its variance is evaluated at the task implied by ``c``: ``tau^2(c) = rho^2/(c^2 r^2)`` and the
        decorrelated total ``S_y - b (tau_hat^2 - tau^2(c))`` (as for the signal); a ``tau^2(c)``
        exceeding that total must also pass the boundary test of ``(U_y, S_y)`` at ``sigma^2 = 0``.
        """
        tau2, sig2, rho, r2 = self.p
        r2 = max(r2, 1e-300)
        total = tau2 + sig2
        C0 = self.cov
        b = (C0[0, 0] + C0[1, 0]) / max(C0[0, 0], 1e-300)
        big = 1e6 * (abs(total) + abs(tau2) + 1e-300)

        def test(c):
            t = min(rho * rho / (c * c * r2), big) if c != 0 else big
            tot = total - b * (tau2 - t)
            q = np.array([t, max(tot - t, 0.0), rho, r2])
            C = param_cov(self.n, self.d, q, self.n_unlabeled)
            g = np.array([-c * abs(c) * r2, 0.0, 2 * abs(rho), -c * abs(c) * tau2])
            D = rho * abs(rho) - c * abs(c) * tau2 * r2
            # second-order term of rho|rho|: its spread does not vanish with rho (Var rho_hat^2 = 4 rho^2 v + 2 v^2)
            var = g @ C @ g + 2 * C[2, 2] ** 2
            stat = abs(D) - Z95 * math.sqrt(max(var, 0.0))
            if tot - t < 0 and stat <= 0:
                stat = math.sqrt(max(self._Q(t, 0.0, 0.0, 2), 0.0)) - CHI2_2_95
            return stat

        value = cosine(self.p)
        se = math.sqrt(max(delta(cosine, feasible(self.p), self.cov), 0.0))
        if tau2 > 5 * math.sqrt(max(C0[0, 0], 0.0)):
            # well-determined denominator (t-ratio > 5): the delta method is accurate; the Fieller-type
            # set under-covered there (84% at n = 300, d = 100, theta = 1.2)
            return interval(value, se ** 2, lo=-1.0, hi=1.0)
        # the sign of the cosine is that of rho: when rho's interval excludes 0, so does the cosine's
        ri = self.interval("overlap_inner")
        lo, hi = (0.0 if ri.low > 0 else -1.0), (0.0 if ri.high < 0 else 1.0)
        lohi = invert(test, lo, hi, grid=161)
        if lohi is None:
            return Interval(value, value, value, se)
        return Interval(value, lohi[0], lohi[1], se)


def cosine(p):
    """Sigma-weighted cosine ``rho / (tau r)``, clipped to [-1, 1]."""
    tau2 = max(p[0], 1e-12 * (abs(p[0]) + abs(p[1])) + 1e-300)
    r2 = max(p[3], 1e-300)
    return float(np.clip(p[2] / math.sqrt(tau2 * r2), -1.0, 1.0))


def estimate_parameters(prep: Prepared) -> ParameterEstimates:
    """Unbiased estimates of ``(tau^2, sigma^2, rho, r^2)`` and their Gaussian covariance (plug-in)."""
    m = Moments(prep.X, prep.y, prep.z, prep.Sigma, prep.Sigma_inv)
    K = m.kinv()
    stats = [("S", [1, 0]), ("U", [1, 0], K, "inv"), ("S", [0, 1]), ("S", [1, 1])]
    p = _L @ np.array([m.value(s) for s in stats])
    n, d = prep.X.shape
    cov = param_cov(n, d, feasible(p), prep.n_unlabeled)
    return ParameterEstimates(p, cov, m, n, d, prep.n_unlabeled)
