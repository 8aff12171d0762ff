"""Signal and noise-variance intervals from the spectral coordinates of the labels (isotropic inputs).

For centred inputs with ``Sigma = I`` write ``X X' = U diag(d lambda_i) U'`` and ``z = U'y``. Given the
spectrum, ``U'X = diag(sqrt(d lambda)) O`` with ``O`` Haar (rotation invariance of the Gaussian
design), so ``z_i = sqrt(lambda_i) tau v_i + sigma e_i`` with ``v = sqrt(d) (first m = min(n, d)
coordinates of a uniform point of the unit sphere of R^d)`` and ``e ~ N(0, I_n)``: the EXACT law of
``z`` given the spectrum, for every ``(tau^2, sigma^2)``. ``E[z_i^2 | spectrum] = lambda_i tau^2 +
sigma^2`` (the EigenPrism identity of Janson, Barber & Candes 2017).

A weighted statistic ``T_w = sum_i w_i z_i^2`` with ``sum w = 0, sum w lambda = 1`` is unbiased for
``tau^2`` (``sum w = 1, sum w lambda = 0``: for ``sigma^2``). EigenPrism takes the weights minimising a
worst-case bound of its variance and a normal interval at that bound; here the weights minimise the
variance at the hypothesised task, ``2 sum w_i^2 (lambda_i tau^2 + sigma^2)^2`` (generalised least
squares in closed form), and the test at each candidate is calibrated by ``draws`` simulations of the
exact conditional law above (common random numbers: ``T_w = tau^2 P w + tau sigma Q w + sigma^2 R w``
with fixed draws ``P, Q, R``).

A design divided by its own root-mean-square entry (the isotropic path's common scale) is the direction of
a Gaussian matrix, independent of its squared norm ``S ~ chi2_{nd}``: given its spectrum the law above
holds with ``tau^2`` multiplied by ``w = S / |X|_F^2`` (``E w = 1``) in each draw (``scale``;
derivations/scaled_design.py). Without it the signal test misses the scale's share of the variance
(at d = 10, n = 80, sigma^2 / tau^2 = 0.09 it kept the true signal 87% of the time).
"""
from __future__ import annotations

import math

import numpy as np

from ftheory.advise.intervals import accept

__all__ = ["SpectralWorlds", "rms_scale"]

# With 400 draws the 2.5% / 97.5% quantiles carry a Monte Carlo error that moves the acceptance
# probability of one fixed set of draws by about +-1.1 points (93.0-96.2% for three seeds at n = 20,
# d = 24); 4000 draws bring it to +-0.35 points. The draws are cheap here (O(draws n) per test).
DRAWS = 4000


def rms_scale(X):
    """``scale`` of :class:`SpectralWorlds` for a design ``X`` that was divided by its own root-mean-square
    entry (the isotropic path's common scale, :func:`~ftheory.advise.prepared.prepare`): ``(X.size, |X|_F^2)``."""
    X = np.asarray(X, float)
    return X.size, float(np.sum(X * X))


#: above this many numbers a (draws, d) normal array is not drawn: the m coordinates and a chi-square for the rest
SPHERE_BUDGET = 2 ** 24


def _sphere_coordinates(rng, draws, d, m):
    """The first ``m`` coordinates of ``draws`` uniform points on the sphere of radius ``sqrt(d)`` in ``R^d``:
    ``sqrt(d) g_{1..m} / |g|``. Up to :data:`SPHERE_BUDGET` numbers ``g`` is drawn whole; above it the squared norm
    of its other ``d - m`` coordinates is drawn as ``chi2_{d-m}`` (the same law, O(draws m) memory; at d = 1e5 the
    whole array was 3 GB)."""
    if draws * d <= SPHERE_BUDGET or d == m:
        g = rng.standard_normal((draws, d))
        return math.sqrt(d) * g[:, :m] / np.linalg.norm(g, axis=1, keepdims=True)
    g = rng.standard_normal((draws, m))
    return math.sqrt(d) * g / np.sqrt((g * g).sum(1) + rng.chisquare(d - m, draws))[:, None]


class SpectralWorlds:
    """Spectral coordinates of ``y`` for isotropic ``X`` (n x d) and ``draws`` simulations of their law.
    ``scale = (df, total)``: ``X`` is a Gaussian design times ``sqrt(total / S)``, ``S ~ chi2_df`` its squared
    norm (:func:`rms_scale`); the draws then carry ``w = S / total`` (attribute ``w``, else ones)."""

    def __init__(self, X, y, draws=None, seed=0, dim=None, scale=None):
        X = np.asarray(X, float)
        y = np.asarray(y, float)
        n, cols = X.shape
        # dim: the dimension of the Gaussian design behind X (default its number of columns); a design
        # projected off one direction (ftheory.advise.overlap_spectral) has cols - 1, and only the top
        # min(n, dim) eigenvalues of X X' are its spectrum (the others vanish)
        d = cols if dim is None else int(dim)
        if draws is None:  # 4000 (quantile error of the 95% test ~0.35 points), at most ~1e7 numbers stored
            draws = int(min(DRAWS, max(400, 1e7 / (3 * min(n, d)))))
        self.draws = int(draws)
        self.n, self.d = n, d
        if n <= d:
            evals, U = np.linalg.eigh(X @ X.T)
            evals, U = evals[::-1], U[:, ::-1]
            zc = U.T @ y
        else:  # rank d: the d singular directions, then the orthogonal complement (lambda = 0)
            ev, V = np.linalg.eigh(X.T @ X)                        # X'X = V diag(s^2) V'
            ev, V = np.maximum(ev[::-1][:d], 1e-300), V[:, ::-1][:, :d]
            zc = (V.T @ (X.T @ y)) / np.sqrt(ev)                    # U'y with U = X V / s
            evals = np.concatenate([ev, np.zeros(n - d)])
            rest = float(y @ y - zc @ zc)
            # the n - d zero-eigenvalue coordinates enter only through their sum of squares (weights equal there)
            zc = np.concatenate([zc, np.zeros(n - d)])
            zc[d:] = math.sqrt(max(rest, 0.0) / (n - d))
        m = min(n, d)
        self.m = m
        self.lam = np.maximum(evals, 0.0) / d
        self.lam[m:] = 0.0
        self.z2 = zc * zc
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        v = _sphere_coordinates(rng, draws, d, m)
        e = rng.standard_normal((draws, m))
        sl = np.sqrt(self.lam[:m])
        self.P = self.lam[:m] * v * v                                # (draws, m)
        self.Q = 2 * sl * v * e
        self.R = e * e
        # the n - m zero-eigenvalue coordinates get equal weights: only their sum of squares matters
        self.Rc = rng.chisquare(n - m, draws) if n > m else np.zeros(draws)
        # scale = (df, total): X is a Gaussian design divided by an estimated common scale, X = X0 sqrt(total / S)
        # with S = |X0|_F^2 ~ chi2_df independent of X (derivations/scaled_design.py); the true spectrum is
        # lam * w with w = S / total, so the signal's coordinates carry w (E w = 1 when total = df)
        self.w = np.ones(draws)
        if scale is not None:
            df, total = (float(v) for v in scale)
            if not (df > 0 and total > 0):
                raise ValueError(f"scale={scale!r} is invalid: expected (df, total) with df > 0 and total > 0")
            self.w = rng.chisquare(df, draws) / total
            self.P *= self.w[:, None]
            self.Q *= np.sqrt(self.w)[:, None]

    def simulate(self, tau2, sig2, W):
        """``(draws, k)`` simulated ``z^2 @ W`` at ``(tau^2, sigma^2)`` for weights ``W`` (n x k, equal
        rows on the zero-eigenvalue coordinates)."""
        m = self.m
        out = tau2 * (self.P @ W[:m]) + math.sqrt(max(tau2 * sig2, 0.0)) * (self.Q @ W[:m]) + sig2 * (self.R @ W[:m])
        if self.n > m:
            out += sig2 * np.outer(self.Rc, W[m])
        return out

    def weights(self, tau2, sig2, which):
        """Minimum-variance weights at ``(tau2, sig2)`` for ``tau^2`` (``which = 0``) or ``sigma^2`` (1)."""
        var = (self.lam * tau2 + sig2) ** 2
        top = float(np.max(var))
        var = var / top + 1e-12 if top > 0 else np.ones_like(var)   # the weights are scale-free
        C = np.vstack([np.ones_like(self.lam), self.lam])
        Dinv = 1.0 / var
        M = (C * Dinv) @ C.T
        target = np.array([0.0, 1.0]) if which == 0 else np.array([1.0, 0.0])
        nu = np.linalg.lstsq(M, target, rcond=None)[0]
        return Dinv * (C.T @ nu)

    def estimate(self, iters=3):
        """``(tau^2, sigma^2)`` by iterated generalised least squares on ``z^2`` (unbiased at each step
        given the weights; a point for the inversion's grid, not a reported value)."""
        tau2, sig2 = 1.0, 1.0
        th = np.zeros(2)
        for _ in range(iters):
            th = np.array([self.z2 @ self.weights(tau2, sig2, 0), self.z2 @ self.weights(tau2, sig2, 1)])
            tot = max(float(np.mean(self.z2)), 1e-300)
            tau2, sig2 = max(th[0], 1e-3 * tot), max(th[1], 1e-3 * tot)
        return th

    def nuisance_fit(self, t, which, iters=3):
        """The other parameter fitted by weighted least squares on ``z^2`` given the candidate ``t`` (clipped at 0)."""
        m = self.m
        return float(self._nuisance_rows(self.z2[None, :m], np.array([self.z2[m:].sum()]), t, which, iters)[0])

    def _nuisance_rows(self, Z, S0, t, which, iters=3):
        """:meth:`nuisance_fit` for each row of ``Z`` (``z^2`` on the ``m`` positive eigenvalues) with ``S0``
        the sum of ``z^2`` over the ``n - m`` zero eigenvalues."""
        lam, n, k0 = self.lam[:self.m], self.n, self.n - self.m
        if which == 0:
            nu = np.maximum((np.sum(Z - lam * t, 1) + S0) / n, 0.0)
            for _ in range(iters):
                om = 1.0 / ((lam * t + nu[:, None]) ** 2 + 1e-300)
                om0 = 1.0 / (nu ** 2 + 1e-300)
                nu = np.maximum((np.sum(om * (Z - lam * t), 1) + om0 * S0) / (om.sum(1) + k0 * om0), 0.0)
        else:
            nu = np.maximum((np.sum(Z, 1) + S0 - n * t) / max(float(np.sum(lam)), 1e-300), 0.0)
            for _ in range(iters):
                om = lam / ((lam * nu[:, None] + t) ** 2 + 1e-300)
                nu = np.maximum(np.sum(om * (Z - t), 1) / np.maximum(om @ lam, 1e-300), 0.0)
        return nu

    def _exact_roots(self, Z, S0, t, which):
        """Signed roots of :meth:`profile_law` (``exact=True``) for each row of ``Z`` (as :meth:`_nuisance_rows`):
        the other parameter refitted under ``t`` on that row, then the generalised-least-squares pair and
        its quadratic form with the exact covariance of ``z^2`` given the spectrum at ``(t, refit)``."""
        lam, d, k0 = self.lam[:self.m], self.d, self.n - self.m
        c = 2.0 / (d + 2)
        nu = self._nuisance_rows(Z, S0, t, which)
        tau2, sig2 = (t + 0 * nu, nu) if which == 0 else (nu, t + 0 * nu)
        al, s2 = lam * tau2[:, None], sig2[:, None]
        # Cov(z^2) = D - c a a' with D_i = 2d/(d+2) a_i^2 + 4 a_i sigma^2 + 2 sigma^4 (a_i = lambda_i tau^2;
        # v = sqrt(d) x sphere coordinates: Var v_i^2 = 2(d-1)/(d+2), Cov(v_i^2, v_j^2) = -c = -2/(d+2)),
        # scaled by each row's largest entry (the fit is scale-free; M is scaled back)
        D = al * al * (2.0 * d / (d + 2)) + 4 * al * s2 + 2 * s2 * s2
        top = np.maximum(np.max(D, 1), 2 * sig2 ** 2)
        sc = np.where(top > 0, top, 1.0)
        Di = 1.0 / (D / sc[:, None] + 1e-12)
        D0i = 1.0 / (2 * sig2 ** 2 / sc + 1e-12)                    # the zero eigenvalues: pure noise
        al = al / np.sqrt(sc)[:, None]
        u = Di * al                                                  # V^-1 = D^-1 + c u u' / (1 - c a'u)
        g = c / np.maximum(1.0 - c * np.sum(al * u, 1), 1e-12)
        su, slu, uz = u.sum(1), u @ lam, np.sum(u * Z, 1)
        M = np.empty((Z.shape[0], 2, 2))                             # C V^-1 C' (inverse covariance of the pair)
        M[:, 0, 0] = Di.sum(1) + k0 * D0i + g * su * su
        M[:, 0, 1] = M[:, 1, 0] = Di @ lam + g * su * slu
        M[:, 1, 1] = Di @ (lam * lam) + g * slu * slu
        b = np.stack([np.sum(Di * Z, 1) + D0i * S0 + g * su * uz, np.sum(Di * lam * Z, 1) + g * slu * uz], 1)
        th = np.linalg.solve(M, b[..., None])[..., 0]               # (sigma^2, tau^2)_hat
        M /= sc[:, None, None]
        k, o = (1, 0) if which == 0 else (0, 1)
        R = th.copy()
        R[:, k] -= t
        R[:, o] -= np.maximum(R[:, o] + (M[:, o, k] / M[:, o, o]) * R[:, k], 0.0)
        Qf = np.einsum("bi,bij,bj->b", R, M, R)
        return np.sign(np.einsum("bi,bi->b", R, M[:, :, k])) * np.sqrt(np.maximum(Qf, 0.0))

    def profile_accept(self, t, nu, which, level=0.95, exact=False):
        """``<= 0`` iff the signed root of the profiled quadratic form of the generalised-least-squares
        pair ``(sigma^2, tau^2)_hat`` (weights and covariance ``2 M^{-1}`` at the world: candidate ``t``,
        other parameter ``nu``; the other parameter refitted, clipped at 0) lies in the central
        ``level`` of its simulated law at that world. In the interior the root is the standardised
        ``T_w - t``; when the refit hits 0 the total label variance testifies too. ``exact``: the
        statistic of :meth:`profile_law` with ``exact=True``."""
        obs, zs = self.profile_law(t, nu, which, exact)
        a = (1 - level) / 2
        return accept(obs, zs, (a, 1 - a))

    def profile_law(self, t, nu, which, exact=False):
        """The observed signed root of :meth:`profile_accept` and its ``draws`` simulated values at the
        world (candidate ``t`` for ``tau^2`` (``which = 0``) or ``sigma^2`` (1), other parameter ``nu``).
        ``exact``: each data set (observed and simulated) gets its own refit of the other parameter under
        ``t``, and the weights and quadratic form use the exact covariance of ``z^2`` given the spectrum
        at ``t`` and that refit (so the root is the same function of every data set and has variance
        about 1 whatever the world); otherwise the world's Gaussian weights ``1/(lambda tau^2 + sigma^2)^2``."""
        tau2, sig2 = (t, nu) if which == 0 else (nu, t)
        if exact:
            m = self.m
            Z = tau2 * self.P + math.sqrt(max(tau2 * sig2, 0.0)) * self.Q + sig2 * self.R
            obs = self._exact_roots(self.z2[None, :m], np.array([self.z2[m:].sum()]), t, which)[0]
            return float(obs), self._exact_roots(Z, sig2 * self.Rc, t, which)
        var = (self.lam * tau2 + sig2) ** 2
        top = float(np.max(var))
        scale = top if top > 0 else 1.0
        var = var / scale + 1e-12 if top > 0 else np.ones_like(var)
        C = np.vstack([np.ones_like(self.lam), self.lam])          # E z^2 = sigma^2 1 + tau^2 lambda
        M = (C / var) @ C.T / scale                                 # Fisher-type matrix (inverse covariance * 2)
        Wt = np.linalg.solve(M, C / var / scale).T                   # (n, 2): columns give sigma^2, tau^2
        k, o = (1, 0) if which == 0 else (0, 1)                      # index of the parameter, of the nuisance
        th_obs = self.z2 @ Wt
        sims = self.simulate(tau2, sig2, Wt)

        def root(th):
            R0 = np.array(th, float, ndmin=2).copy()
            R0[:, k] -= t
            # profile over the nuisance >= 0: nuisance estimate given t is th_o + (M_ok / M_oo)(th_k - t)
            nuh = np.maximum(R0[:, o] + (M[o, k] / M[o, o]) * R0[:, k], 0.0)
            R = R0.copy()
            R[:, o] -= nuh
            Qf = np.einsum("bi,ij,bj->b", R, M, R)
            g = R @ M[:, k]
            return np.sign(g) * np.sqrt(np.maximum(Qf, 0.0))

        return float(root(th_obs)[0]), root(sims)
