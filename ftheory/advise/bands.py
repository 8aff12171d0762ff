"""Prediction bands: the range of a prediction over the 95% score region of the estimated parameters.

``p = (tau^2, sigma^2, rho, r^2)`` is estimated by ``p_hat`` (unbiased) with the exact Gaussian
covariance ``C(p)`` of :mod:`ftheory.advise.moments` (closed form below, checked against
``estimators.param_cov`` in the tests). The score region

    R = { p : (p_hat - p)' C(p)^{-1} (p_hat - p) <= z^2 },   z = 1.96 (one degree of freedom),

is the set of parameters that a score test of a single linear combination would not reject, with
the variance evaluated *at the candidate* ``p`` (the spread of the U-statistics grows with the
signal: a Wald region centred at ``p_hat`` under-covers). The band of a prediction ``f`` is the range
of ``f`` over ``R`` (``f`` at the nearest real task, ``tau^2 >= rho^2/r^2``, ``sigma^2 >= 0``):

* for ``f`` linear in ``p`` it is exactly the score interval ``|f(p_hat) - f(p)| <= z sd_p(f)``;
* for a nonlinear ``f`` (tuned ridge: a minimum of linear functions, concave; the linear probe) it is
  the profile interval, which follows the curvature of ``f`` instead of its tangent (the delta method
  and a band along the signal's interval alone missed the concavity of the tuned risk in sigma^2:
  82% coverage at sigma = 1, gamma = 2);
* it depends only on ``p_hat`` and ``C``, not on how the estimates' own intervals are built.

``R`` is represented by a fixed cloud of points: ``K`` directions ``u`` (deterministic, spread over
the unit sphere, plus the coordinate axes), each ray ``p_hat + s L u`` (``L L' = C(q)``) cut where
the score form first exceeds ``z^2`` (grid in ``s`` then linear interpolation, at most ``s_max``), and
shells at fractions ``0, 1/2, 1`` of that radius (interior extremes of non-monotone functions such as
a transferability). The centre is the point estimate, so every estimate lies inside its band. Cost:
one vectorised covariance evaluation per grid point (``K x 24`` 4x4 matrices, a few ms), then one
vectorised evaluation of ``f`` on ``3 K + 1`` points per prediction.

Aimed rays: fixed directions miss the extreme of ``f`` between them (at gamma = 2 the 512 rays covered the
linear probe 92.4%, 4096 rays 94.2%, on the same samples). :meth:`ScoreRegion.aimed_rays` adds, per
prediction, rays aimed at its highest and lowest value (:mod:`ftheory.advise.aim`: a search over the
directions, started from the best ray and from ``+-L' grad f``), each cut by the same test: the band stays
the range of ``f`` over the region, now to within 0.2% of its width of the range over 32768 fixed rays.
Tens of ms per band, so the report aims them at the user's sample size only.

Exact cut (isotropic path, ``worlds`` given): at small ``n`` the Gaussian law is a poor guide to the
tails of ``p_hat`` (``S_y`` is ``s_yy chi^2_n / n``; the score bound ``S_y / (1 - z sqrt(2/n))`` on
``s_yy`` is 3.05 ``S_y`` at ``n = 17`` against the exact 2.25), so the regions reached far into large
signals and no truth fell above a band at ``n <= 20``. With the bootstrap draws of
:class:`~ftheory.advise.bootstrap.Worlds` (the exact law of ``p_hat`` at every task, common random
numbers) the ray along ``L u`` is instead cut where the statistic ``u' L^{-1} p_hat`` (the linear
functional that the ray maximises) falls below the lower 2.5% point (order statistic
``floor(0.025 draws)``, 0-based) of its law at the candidate: the fluctuations at the candidate's nearest
real task, the mean at the candidate. For a fixed covariance this is the same cut as the score form's;
it costs one ``(K x 24, 16) x (16, draws)`` matrix product and a partial sort (~0.1 s for 400 draws).
The order statistic carries a Monte Carlo error (0.13 standard deviations for 400 draws) that the
range over 520 rays turns into a small widening; so the exact cut is used only where the Gaussian
law's own error is larger (:func:`exact_cut`: ``n <= 100`` effective samples for 400 draws).

Bands of the exact-cut region (isotropic path): the region is the union of one-dimensional cuts, each by the
test of its own direction's functional, so its range over-covered each single prediction (97-98.6% at
n = 18-60: the aimed rays reach its tips). There the band of ``f`` is the range of ``f`` over the region's
points (cloud and aimed rays) that ``f``'s own exact test accepts (:func:`~ftheory.advise.own_test.accepted`): the plug-in
``f(p_hat)`` against the 2.5% point, on the side of that end, of ``f`` over the exact draws of ``p_hat`` at
the point. (The cut of the ray along ``+-L L' grad f`` alone, which for a linear ``f`` is the inversion of its
own test along one nuisance path, under-covered scratch min-norm at n = 20, d = 100: 92.8%.)
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ftheory.advise.aim import aimed_rays
from ftheory.advise.own_test import accepted
from ftheory.advise.param_cov import _var_u

__all__ = ["Z95", "param_cov_rows", "feasible_rows", "ScoreRegion", "score_region", "exact_cut", "regression_applies"]

Z95 = 1.959963984540054
_L = np.array([[0, 1, 0, 0], [1, -1, 0, 0], [-0.5, 0, -0.5, 0.5], [0, 0, 1, 0]], float)  # p = L (S_y, U_y, S_z, S_yz)


def feasible_rows(P):
    """Row-wise nearest real task: ``tau^2 >= rho^2/r^2`` (|cos| <= 1), ``sigma^2 >= 0``, total kept."""
    P = np.asarray(P, float)
    tau2, sig2, rho, r2 = (P[..., k] for k in range(4))
    total = tau2 + sig2
    r2 = np.maximum(r2, 1e-300)
    b = rho * rho / r2
    t = np.minimum(np.maximum(tau2, b), np.maximum(total, b))            # b >= 0, so t >= 0
    return np.stack([t, np.maximum(total - t, 0.0), rho, r2], axis=-1)


def param_cov_rows(n, d, P, n_unlabeled=0):
    """Exact Gaussian covariance (``(..., 4, 4)``) of the unbiased estimator of ``p`` at each row of ``P``.

    Statistics ``(S_y, U_y, S_z, S_{y+z})`` of :mod:`ftheory.advise.moments`:
    ``Cov(S_a, S_b) = 2 s_ab^2/n``, ``Cov(U_y, S_b) = 4 s_yb g_yb / n`` and
    ``Var U_y = (4(n-2)(s_yy tau^2 + tau^4) + 2(s_yy^2 d + 4 s_yy tau^2 + 3 tau^4))/(n(n-1))``; with
    Sigma^{-1} estimated from ``n_unlabeled`` rows the exact ``Var U_y`` of
    :func:`ftheory.advise.param_cov.param_cov` (its inverse-Wishart terms; the other entries are unchanged).
    """
    P = np.asarray(P, float)
    tau2, sig2, rho, r2 = (P[..., k] for k in range(4))
    tau2 = np.maximum(tau2, 0.0)
    syy = tau2 + np.maximum(sig2, 0.0)
    # second moments of the label combinations y, z, y + z; Gram of their Sigma-covariances with x
    s = {("y", "y"): syy, ("y", "z"): rho, ("z", "z"): r2}
    s[("y", "w")] = syy + rho
    s[("z", "w")] = rho + r2
    s[("w", "w")] = syy + 2 * rho + r2
    g_yb = {"y": tau2, "z": rho, "w": tau2 + rho}

    def ss(a, b):
        return s[(a, b)] if (a, b) in s else s[(b, a)]

    labels = ["y", None, "z", "w"]  # None: U_y
    C = np.empty(P.shape[:-1] + (4, 4))
    var_u = _var_u(n, d, tau2, syy, n_unlabeled)
    for i, a in enumerate(labels):
        for j, b in enumerate(labels):
            if a is None and b is None:
                C[..., i, j] = var_u
            elif a is None or b is None:
                k = b if a is None else a
                C[..., i, j] = 4 * ss("y", k) * g_yb[k] / n
            else:
                C[..., i, j] = 2 * ss(a, b) ** 2 / n
    return _L @ C @ _L.T


def _normal_score(cdf, sf):
    """``Phi^{-1}`` of a probability given as ``cdf`` and ``sf = 1 - cdf`` (the smaller one for accuracy)."""
    from scipy.special import ndtri

    return np.where(cdf < 0.5, ndtri(cdf), -ndtri(sf))


def regression_applies(n, df) -> bool:
    """Whether the regression region (``score_region(residual=(s2, df))``) applies: ``df`` an integer in
    ``[1, n - 2]`` (``d >= 2``: with one feature ``z`` spans ``X`` and ``RSS_z - RSS`` has no degrees of freedom)."""
    try:
        k = int(df)
    except (TypeError, ValueError, OverflowError):
        return False
    return float(df) == k and 1 <= k < n - 1


def _regression_stats(p_hat, n, s2, df):
    """``(S_z, y'z, RSS, D)`` from the moment estimate ``p_hat`` and the residual variance ``s2 = RSS/df``:
    ``D = RSS_z - RSS`` with ``RSS_z = n S_y - (y'z)^2/(n S_z)`` the residual of ``y`` on ``z``."""
    sz, yz = float(p_hat[3]), n * float(p_hat[2])
    rss = s2 * df
    rss_z = n * float(p_hat[0] + p_hat[1]) - yz * yz / max(n * sz, 1e-300)
    return sz, yz, rss, rss_z - rss


def _exact_scores(P, stats, n, df):
    """``(..., 4)`` normal scores of four independent statistics at the candidates ``P`` (rows), each
    exactly ``N(0, 1)`` at the truth except the last (three cumulants exact): ``n S_z/r^2 ~ chi2_n``; the
    coefficient of ``y`` on ``z``, ``(y'z/|z| - rho |z|/r^2)/sqrt(e) ~ N(0, 1)`` with ``e = tau^2 - rho^2/r^2 +
    sigma^2``; ``RSS/sigma^2 ~ chi2_df``; ``D/sigma^2 ~`` noncentral ``chi2_{k}(L/sigma^2)``, ``k = n - df - 1``,
    ``L ~ (tau^2 - rho^2/r^2) chi2_{n-1}`` (a gamma law with its mean, variance and skewness).
    Derivation: derivations/band_regression.py."""
    from scipy.special import chdtr, chdtrc, gammainc, gammaincc

    sz, yz, rss, D = stats
    F = feasible_rows(np.asarray(P, float))
    tau2, sig2, rho, r2 = (F[..., j] for j in range(4))
    r2 = np.maximum(r2, 1e-300)
    resid = np.maximum(tau2 - rho * rho / r2, 0.0)
    k, m = n - df - 1, n - 1
    with np.errstate(all="ignore"):
        xa = n * sz / r2
        za = _normal_score(chdtr(n, xa), chdtrc(n, xa))
        zb = (yz / np.sqrt(n * sz) - rho * np.sqrt(n * sz) / r2) / np.sqrt(resid + sig2)
        xc = rss / sig2
        zc = _normal_score(chdtr(df, xc), chdtrc(df, xc))
        mean = sig2 * k + resid * m
        var = 2 * sig2 ** 2 * k + 4 * sig2 * resid * m + 2 * resid ** 2 * m
        k3 = 8 * sig2 ** 3 * k + 24 * sig2 ** 2 * resid * m + 24 * sig2 * resid ** 2 * m + 8 * resid ** 3 * m
        g = k3 / var ** 1.5
        shape, scale = 4 / g ** 2, np.sqrt(var) * g / 2
        x = np.maximum((D - (mean - shape * scale)) / scale, 0.0)
        zd = _normal_score(gammainc(shape, x), gammaincc(shape, x))
        Z = np.stack([za, zb, zc, zd], axis=-1)
    return np.where((sig2 > 0)[..., None], Z, np.inf)


def _exact_form(P, stats, n, df):
    """Sum of the squares of :func:`_exact_scores` (``inf`` where undefined): ``chi2_4`` at the truth."""
    with np.errstate(all="ignore"):
        Q = np.sum(_exact_scores(P, stats, n, df) ** 2, axis=-1)
    return np.where(np.isfinite(Q), Q, np.inf)


def _exact_metric(centre, stats, n, df, C):
    """Covariance ``(J'J)^{-1}`` of the Gauss-Newton form of :func:`_exact_form` at ``centre`` (``J`` the
    Jacobian of the scores, central differences of 1e-3 of the standard deviations of ``C``), so that the
    rays sample the region evenly; ``C`` itself where that is not finite and positive definite."""
    h = 1e-3 * np.sqrt(np.maximum(np.diag(C), 1e-300))
    E = np.diag(h)
    Zp = _exact_scores(centre + E, stats, n, df)
    Zm = _exact_scores(centre - E, stats, n, df)
    J = ((Zp - Zm) / (2 * h[:, None])).T                                # (4 scores, 4 parameters)
    if not np.all(np.isfinite(J)):
        return C
    F = J.T @ J
    w = np.linalg.eigvalsh(0.5 * (F + F.T))
    if w[0] <= 1e-9 * w[-1]:
        return C
    return np.linalg.inv(F)


def _regression_centre(stats, n, df):
    """Moment estimate of ``p`` from the statistics of :func:`_exact_form` (unbiased for ``r^2``, ``rho``,
    ``sigma^2``; the residual signal ``(D - k s2)/(n - 1)`` clipped at 0)."""
    sz, yz, rss, D = stats
    s2 = rss / df
    rho = yz / n
    resid = max((D - (n - df - 1) * s2) / (n - 1), 0.0)
    return np.array([resid + rho * rho / max(sz, 1e-300), s2, rho, sz])


def _directions(k, dim=4, seed=20241008):
    """``k`` unit vectors spread over the sphere (a fixed random draw, antipodal pairs) and the axes."""
    g = np.random.default_rng(seed).standard_normal((k // 2, dim))
    g /= np.linalg.norm(g, axis=1, keepdims=True)
    return np.concatenate([np.eye(dim), -np.eye(dim), g, -g])


_ALPHA = 0.025  # one-sided level of each ray's exact test (two-sided 95% for a linear functional)
_BISECT = 8  # bisections of each ray's bracket for the exact form of the residual path
_S_GRID = np.concatenate([np.linspace(0.05, 1.0, 8), np.geomspace(1.15, 12.0, 16)])


@dataclass
class ScoreRegion:
    """Cloud of points of the score region of ``p`` (rows of ``raw``; ``points`` = their nearest real
    tasks); row 0 is the estimate itself (raw ``p_hat`` and its feasible projection). ``cut``: the rays' test
    (:func:`score_region`), with which :meth:`band` adds rays aimed at each prediction's extremes (None: the
    cloud only)."""

    raw: np.ndarray
    points: np.ndarray
    unbounded: bool
    cut: object = None

    def band(self, f, linear=False, aimed=True, studentize=False):
        """``(value, low, high)`` of a vectorised prediction ``f`` (rows of p -> values) over the region; with the
        exact cut of the isotropic path and ``aimed``, calibrated by ``f``'s own exact test (module docstring).

        ``linear=True``: ``f`` is linear in ``p`` and evaluated at the raw points (its plug-in at the
        raw estimate is unbiased), the value clipped at 0 like a risk. Non-finite values (a risk that
        diverges somewhere in the region) give an infinite end. ``aimed`` (and ``cut``): the cloud's points
        are joined by :meth:`aimed_rays` (the extremes of ``f`` that the fixed directions miss; ~20 ms).
        ``studentize``: the own test studentized (:func:`~ftheory.advise.own_test.studentized_margin`; for a nonlinear
        ``f`` the delta-method spread at every draw, the bootstrap-t)."""
        P = self.raw if linear else self.points
        v = np.asarray(f(P), float)
        value = float(v[0])
        if linear:
            value = max(value, 0.0)
        P = self.raw
        if aimed and self.cut is not None:
            Pa, va = self.aimed_rays(f, linear, v)
            P, v = np.concatenate([P, Pa]), np.concatenate([v, va])
        # the exact cut of the isotropic path (with unlabeled rows the region carries the probe's band only: kept),
        # with the aimed rays only (the user's n): at every point of a 60-point curve it cost 2 s of the 2.5 s call
        if aimed and self.cut is not None and self.cut.kind == "exact" and not self.cut.n_unlabeled:
            cov = (lambda Q: param_cov_rows(self.cut.n, self.cut.d, feasible_rows(Q))) if studentize else None
            v = accepted(self.cut, self._evaluator(f, linear), P, v, cov=cov, alpha=_ALPHA, linear=linear)
        if np.isnan(v).any():
            v = np.where(np.isnan(v), np.inf, v)
        lo, hi = float(np.min(v)), float(np.max(v))
        if linear:
            lo = max(lo, 0.0)
        return value, min(lo, value), max(hi, value)

    def aimed_rays(self, f, linear=False, cloud=None):
        """``(raw points, values of f)`` on rays aimed at the highest and lowest value of ``f`` (``f`` at the
        nearest real task unless ``linear``; ``cloud``: ``f`` on the cloud's points, else evaluated), each cut
        by the region's own test: :func:`ftheory.advise.aim.aimed_rays`."""
        evaluate = self._evaluator(f, linear)
        return aimed_rays(self.cut, evaluate, evaluate(self.raw) if cloud is None else cloud)

    @staticmethod
    def _evaluator(f, linear):
        """``f`` at raw points (rows): at the nearest real task unless ``linear``."""
        def evaluate(X):
            with np.errstate(all="ignore"):
                return np.asarray(f(X if linear else feasible_rows(X)), float)
        return evaluate


def _exact_features(worlds):
    """``(draws, 16)`` entries of the bootstrap matrices ``(A, B)`` such that ``g . p_hat*`` at a task is the
    row-wise product with :func:`_task_features` (one matrix product for every candidate and draw)."""
    A, B = worlds.A, worlds.B
    iu = ([0, 1, 2, 0, 0, 1], [0, 1, 2, 1, 2, 2])
    return np.concatenate([B[:, iu[0], iu[1]], A[:, iu[0], iu[1]], A[:, 0, :], A[:, :1, 0]], axis=1)


def _task_features(Q, G):
    """``(..., 16)`` coefficients of ``G . p_hat*`` at the tasks ``Q`` (feasible rows) in the entries of
    :func:`_exact_features`: ``p_hat* = (c'Bc, c'Ac - c'Bc, r (Ac)_1, r^2 A_11)``, ``c = (rho/r,
    sqrt(tau^2 - rho^2/r^2), sigma)`` (:class:`~ftheory.advise.bootstrap.Worlds`)."""
    tau2, sig2, rho, r2 = (Q[..., k] for k in range(4))
    r2 = np.maximum(r2, 1e-300)
    r = np.sqrt(r2)
    a1 = rho / r
    c = np.stack([a1, np.sqrt(np.maximum(tau2 - a1 * a1, 0.0)), np.sqrt(np.maximum(sig2, 0.0))], axis=-1)
    mono = np.stack([c[..., 0] ** 2, c[..., 1] ** 2, c[..., 2] ** 2, 2 * c[..., 0] * c[..., 1],
                     2 * c[..., 0] * c[..., 2], 2 * c[..., 1] * c[..., 2]], axis=-1)
    g0, g1, g2, g3 = (G[..., k, None] for k in range(4))
    return np.concatenate([(g0 - g1) * mono, g1 * mono, g2 * r[..., None] * c, g3 * r2[..., None]], axis=-1)


def exact_cut(n, n_unlabeled=0, worlds=None) -> bool:
    """Whether :func:`score_region` cuts its rays by the exact law of ``worlds`` (``None``: with 400
    draws, isotropic path only): with exact draws (with unlabeled rows too: ``K = (N - d - 1) W^-1``,
    :mod:`ftheory.advise.bootstrap`), and where the Gaussian law's error in a 2.5% point
    (the Cornish-Fisher term ``(z^2 - 1)/6`` times the skewness ``sqrt(8/n)`` of ``S_y``, in standard
    deviations) exceeds the Monte Carlo error of the ``draws``' order statistic
    (``sqrt(a (1 - a)/draws) / phi(z)``): ``n <= 100`` for 400 draws."""
    if (worlds is None and n_unlabeled) or (worlds is not None and not getattr(worlds, "exact", False)):
        return False
    draws = 400 if worlds is None else worlds.draws
    z = Z95
    mc = math.sqrt(_ALPHA * (1 - _ALPHA) / draws) / (math.exp(-z * z / 2) / math.sqrt(2 * math.pi))
    return (z * z - 1) / 6 * math.sqrt(8 / n) > mc


def _exact_form_rays(pts, ok, q, G, p_hat, features, z):
    """``(K, S)`` form of the exact cut at the grid points ``pts`` (``Q <= z^2`` inside), ray by ray outwards
    from the centre: the statistic ``G_k . p_hat`` (``G = U L^-1``, the linear functional maximised along ray
    ``k``) against the lower ``_ALPHA`` quantile of its exact law at the candidate (fluctuations at the
    nearest real task, mean at the candidate itself). A ray's points beyond its first point outside are not
    evaluated (``inf``: outside): :func:`score_region` reads a ray up to that point only."""
    K, S = ok.shape
    F = features.T                                                       # (16, draws): _exact_features
    kq = int(np.floor(_ALPHA * F.shape[-1]))
    stat = G @ p_hat
    Q = np.full((K, S), np.inf)
    act = np.arange(K)                                                   # rays inside at every radius so far
    for j in range(S):
        if act.size == 0:
            break
        P, good = pts[act, j], ok[act, j]
        Qf = feasible_rows(np.where(good[:, None], P, q))
        T = _task_features(Qf, G[act]) @ F
        low_q = np.partition(T, kq, axis=-1)[:, kq] + np.einsum("ki,ki->k", P - Qf, G[act])
        margin = np.where(good, stat[act] - low_q, -np.inf)              # > 0 inside
        Q[act, j] = np.where(np.isfinite(margin), z * z - margin, np.inf)
        act = act[Q[act, j] <= z * z]
    return Q


def score_region(p_hat, n, d, n_unlabeled=0, k=512, z=Z95, worlds=None, residual=None) -> ScoreRegion:
    """The score region of ``p`` around the unbiased estimate ``p_hat`` (``n`` effective samples,
    dimension ``d``) as a cloud of points (module docstring). With ``worlds`` (exact
    :class:`~ftheory.advise.bootstrap.Worlds` of the same ``n, d``, isotropic path) each ray is cut by
    the exact law of the estimate instead of its Gaussian approximation where :func:`exact_cut` says so
    (order statistic of the draws). With ``residual = (s2, df)`` (the least-squares residual variance
    ``RSS/df``, ``n > d``; what ``advise`` passes on the isotropic path wherever the residual variance applies)
    and the Gaussian cut, the region is that of four independent statistics with exact laws (``n S_z/r^2``, the coefficient
    of ``y`` on ``z``, ``RSS``, ``RSS_z - RSS``; derivations/band_regression.py): rays from their moment
    estimate (row 0: the value of every band), each cut where ``Q(p) - min Q`` reaches ``z^2``, ``Q`` the
    sum of their squared normal scores (``chi2_4`` at the truth)."""
    p_hat = np.asarray(p_hat, float)
    q = feasible_rows(p_hat)
    exact = worlds is not None and exact_cut(n, n_unlabeled, worlds)
    joint = residual is not None and not exact and not n_unlabeled
    centre = p_hat
    if joint:
        s2, df = float(residual[0]), residual[1]
        if not (np.isfinite(s2) and s2 > 0 and regression_applies(n, df)):
            raise ValueError(f"residual={residual!r} is invalid: expected (RSS/df > 0, df) with df an integer "
                             f"in [1, n - 2] (n = {n})")
        df = int(df)
        stats = _regression_stats(p_hat, n, s2, df)
        centre = _regression_centre(stats, n, df)
        C0 = _exact_metric(centre, stats, n, df, param_cov_rows(n, d, feasible_rows(centre)))  # ray metric only
    else:
        C0 = param_cov_rows(n, d, q, n_unlabeled)
    w, V = np.linalg.eigh(0.5 * (C0 + C0.T))
    scale = np.sqrt(np.maximum(w, 0.0))
    floor = 1e-9 * (scale.max() + abs(p_hat).max() + 1e-300)
    Lm = V * np.maximum(scale, floor)
    if exact:
        test = ("exact", _exact_features(worlds))
    elif joint:
        test = ("joint", (stats, df, None))
    else:
        test = ("gauss", (C0, floor))
    U = _directions(k)
    cut = _RayCut(p_hat, centre, Lm, n, d, n_unlabeled, z, test, U)
    radius, hit = cut.radii, cut.hit
    steps = U @ Lm.T                                                     # (K, 4): L u
    shells = np.concatenate([radius[:, None] * f for f in (0.5, 1.0)], axis=0)
    raw = np.concatenate([centre[None, :], centre + shells * np.concatenate([steps, steps])])
    return ScoreRegion(raw, feasible_rows(raw), bool(hit.any()), cut)


class _RayCut:
    """The cut of rays ``centre + s L u`` by one of the three tests of :func:`score_region`: called with unit
    directions ``U`` ``(K, 4)``, returns the radii ``s`` where each ray leaves the region and whether it reached
    ``s_max`` (so that :meth:`ScoreRegion.band` adds rays of its own under the same test). ``directions``: the
    cloud's rays, cut on construction (``radii``, ``hit``; the first call also fixes the joint test's ``min Q``)."""

    def __init__(self, p_hat, centre, Lm, n, d, n_unlabeled, z, test, directions):
        self.p_hat, self.centre, self.Lm = p_hat, centre, Lm
        self.n, self.d, self.n_unlabeled, self.z = n, d, n_unlabeled, z
        self.kind, self.args = test
        self._q = feasible_rows(p_hat)                                   # stand-in task where r^2 <= 0
        self._Linv = np.linalg.inv(Lm) if self.kind == "exact" else None
        self.directions = directions
        self.radii, self.hit = self(directions)

    def draws_at(self, P):
        """``(m, draws, 4)`` exact draws of ``p_hat`` at the candidates ``P`` ``(m, 4)`` (exact cut only): the
        fluctuations at each candidate's nearest real task, the mean at the candidate (``r^2 > 0``)."""
        Qf = feasible_rows(P)
        T = _task_features(Qf[:, None, :], np.eye(4)[None]) @ self.args.T  # (m, 4, draws)
        return np.swapaxes(T, 1, 2) + (P - Qf)[:, None, :]

    def stat_margin(self, P, evaluate, stat, sign):
        """Margin (> 0: not rejected) of the exact test of ``stat = f(p_hat)`` at the candidates ``P``: ``stat``
        minus the lower ``_ALPHA`` point of ``f`` over :meth:`draws_at` (``sign = 1``), or the upper point minus
        ``stat`` (``sign = -1``); order statistic as in the rays' cut."""
        ok = P[:, 3] > 0
        out = np.full(len(P), -np.inf)                                   # r^2 <= 0: not a task, rejected
        if ok.any():
            D = self.draws_at(P[ok])
            m, k = D.shape[:2]
            v = sign * evaluate(D.reshape(-1, 4)).reshape(m, k)
            v = np.where(np.isnan(v), np.inf, v)
            kq = int(np.floor(_ALPHA * k))
            with np.errstate(invalid="ignore"):                         # inf - inf: nan, rejected
                out[ok] = sign * stat - np.partition(v, kq, axis=-1)[:, kq]
        return out

    def __call__(self, U):
        p_hat, centre, Lm, n, d, z, q = self.p_hat, self.centre, self.Lm, self.n, self.d, self.z, self._q
        steps = U @ Lm.T                                                 # (K, 4): L u
        s = z * _S_GRID                                                  # radii along each ray
        pts = centre + s[None, :, None] * steps[:, None, :]              # (K, S, 4)
        ok = pts[..., 3] > 0                                             # r^2 = E z^2 > 0 for a real task
        if self.kind == "exact":
            Q = _exact_form_rays(pts, ok, q, U @ self._Linv, p_hat, self.args, z)
        elif self.kind == "joint":
            stats, df, q_min = self.args
            Q = np.where(ok, _exact_form(np.where(ok[..., None], pts, q), stats, n, df), np.inf)
            if q_min is None:                                            # the first cloud fixes min Q
                q_min = min(float(_exact_form(centre, stats, n, df)), float(np.min(Q)))
                self.args = (stats, df, q_min)
            Q = Q - q_min                                                # the distance test: Q - min Q
        else:
            C0, floor = self.args
            with np.errstate(all="ignore"):
                C = param_cov_rows(n, d, feasible_rows(np.where(ok[..., None], pts, q)), self.n_unlabeled)
            C = C + (1e-10 * np.trace(C0) / 4 + floor ** 2) * np.eye(4)
            diff = pts - p_hat
            Q = np.einsum("ksi,ksi->ks", diff, np.linalg.solve(C, diff[..., None])[..., 0])
            Q = np.where(ok & np.isfinite(Q), Q, np.inf)
        inside = Q <= z * z
        # the first grid radius where the form leaves the region (contiguous from the centre)
        out = ~inside
        first = np.where(out.any(1), out.argmax(1), s.size)
        idx = np.clip(first, 1, s.size - 1)
        rows = np.arange(len(U))
        s_in, s_out = s[idx - 1], s[idx]
        q_in, q_out = Q[rows, idx - 1], Q[rows, idx]
        with np.errstate(all="ignore"):
            frac = np.clip((z * z - q_in) / (q_out - q_in), 0.0, 1.0)
        if self.kind == "exact":
            frac = np.where(np.isfinite(q_out), frac, 0.0)
            radius = np.where(first == 0, 0.0, np.where(first == s.size, s[-1], s_in + frac * (s_out - s_in)))
        elif self.kind == "joint":
            # the exact form is cheap: bisect each bracket instead of the chord (which cuts a convex form short;
            # measured effect on the bands: at most a few tenths of a percent of their ends)
            stats, df, q_min = self.args
            lo_s, hi_s = np.where(first == 0, 0.0, s_in), s_out
            for _ in range(_BISECT):
                mid = 0.5 * (lo_s + hi_s)
                qm = _exact_form(centre + mid[:, None] * steps, stats, n, df) - q_min
                lo_s, hi_s = np.where(qm <= z * z, mid, lo_s), np.where(qm <= z * z, hi_s, mid)
            radius = np.where(first == s.size, s[-1], lo_s)
        else:
            radius = np.where(first == 0, s[0] * np.sqrt(z * z / np.maximum(Q[:, 0], 1e-300)),
                              np.where(first == s.size, s[-1], s_in + frac * (s_out - s_in)))
        return radius, first == s.size
