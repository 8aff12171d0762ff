"""Anisotropic predictions: deterministic equivalents of :mod:`ftheory.aniso`, signal functionals
estimated without bias by U-statistics given Sigma (estimated from unlabeled inputs).

The min-norm/ridge risk is linear in ``(beta beta', sigma^2)``:
``R(n, lam) = sum_i w_i b_i^2 + V sigma^2`` with ``b = Q' beta`` (Sigma = Q diag(lambda) Q'); the
weights are read off ``ftheory.aniso.scratch_risk`` by linearity (unit teachers, then sigma = 1), for
every sample size and penalty of the grid in one vectorised call. Everything else is diagonal in the
eigenbasis, so the data enter once, through per-direction U-statistics: with ``X Q`` and a label
combination ``w``, ``u_i = ((Q'X'w)_i^2 - sum_j w_j^2 (XQ)_ji^2)/(n(n-1))`` is unbiased for
``(Q'c_w)_i^2`` (``c_w = E[x w] = Sigma beta_w``), and ``U(w, Q diag(k) Q') = k . u``. So
``sum_i w_i b_i^2`` is estimated by ``k . u_y`` (``u_{y-z}`` for fine-tuning, whose risk is the scratch
risk of ``beta_t - beta_s``), ``k = w/lambda^2`` corrected for the inverse-Wishart error of an estimated
Sigma (:meth:`AnisotropicPredictor._signal_weights`; the resolvent weights for pools of 3 d to 10 d rows), and
``sigma^2`` by ``S_y - U(y, Sigma^{-1})``.

Covariances: the exact Gaussian covariances of :mod:`ftheory.advise.moments`, specialised to
matrices diagonal in the eigenbasis (``K Sigma L`` is ``diag(k lambda l)``, ``tr(K Sigma L Sigma) =
sum k l lambda^2``, Gram matrices ``sum_i k_i g_i`` of per-direction 2x2 Gram estimates), with
plug-in parameters; the variance of ``U(y, Sigma^{-1})`` (the noise estimate's signal part) is the exact one
with ``Sigma^{-1}`` estimated from the unlabeled rows (:meth:`AnisotropicPredictor._var_inv`).

Bands: a linear risk (min-norm, or ridge at a fixed penalty) gets ``[value - 1.96 sd'', value + 1.96
sd']`` with ``sd'`` the standard error at the upper end's task (more signal, added in proportion to the
bias weights, from the nearest task whose weighted signal statistic is not negative) and ``sd''`` that at the
lower end's task when the risk is noise-dominated (noise moved to signal; else the plug-in ``sd``)
(:meth:`AnisotropicPredictor.linear_risks`).
The tuned risk is ``min_lam R(n, lam)`` over a grid of penalties (a minimum of linear functions): its
band is ``[low(lam_hat), min_lam high(lam)]`` with ``lam_hat`` the penalty the point estimate selects
(``min_lam low(lam)``, valid whatever the selected penalty, over-covered: 99.8% at gamma = 2). Cost: one eigendecomposition of Sigma and one pass over
the data (``O(n d + d^3)``), then ``O(d)`` per sample size and penalty. Below n = d (fewer data rows than
features) the ends come from the simulated law of the estimate on a ray of tasks where it gives them
(:class:`ftheory.advise.aniso_pivot.ScalePivot`; ``pivot_draws`` data sets, ``seed``; 0 draws switches it off).
Above n = d the report replaces the tuned bands (and the fine-tuning transferability's) by the range over the
disc of the noise variance's exact interval and the statistics' Gaussian residual given the noise estimate
(:class:`ftheory.advise.aniso_transfer.NoiseRegion`).
"""
from __future__ import annotations

import math

import numpy as np

from ftheory.advise.aniso_pivot import PIVOT_DRAWS
from ftheory.advise.bands import Z95

__all__ = ["AnisotropicPredictor", "MAX_CONDITION", "check_conditioning", "units_note"]

#: largest condition number of Sigma_hat the eigenbasis computations resolve in float64 (the smallest
#: eigen-direction's statistics are weighted by up to ``1/lambda^2``): beyond it :func:`check_conditioning` refuses.
#: Measured (d = 5, two columns with variances ``c`` and ``1/c``): the tuned values and ends stable to 3 digits up to
#: ``cond = 1e12``, the ends moved at ``1e14``, the tuned value 0 (58x below min-norm before the grid spanned the
#: spectrum) at ``4e15``.
MAX_CONDITION = 1e12


_EYY = np.array([[1.0, 0.0], [0.0, 0.0]])


def _psd2(G):
    """Project stacked symmetric 2x2 matrices on the PSD cone (closed form: keep the positive
    eigenvalue's part ``lambda_+ (G - lambda_- I)/(lambda_+ - lambda_-)`` when ``lambda_- < 0``)."""
    G = 0.5 * (G + np.swapaxes(G, -1, -2))
    a, b, c = G[..., 0, 0], G[..., 0, 1], G[..., 1, 1]
    m, r = 0.5 * (a + c), np.hypot(0.5 * (a - c), b)
    lp, lm = m + r, m - r
    with np.errstate(all="ignore"):
        scale = np.where(r > 0, np.maximum(lp, 0.0) / (2 * r), 0.0)
    eye = np.eye(2)
    proj = scale[..., None, None] * (G - lm[..., None, None] * eye)
    return np.where((lm >= 0)[..., None, None], G, np.where((lp <= 0)[..., None, None], 0.0 * G, proj))


def _form(G, u, v):
    """``u' G v`` for stacked 2x2 ``G`` and fixed 2-vectors."""
    return (u[0] * v[0] * G[..., 0, 0] + u[0] * v[1] * G[..., 0, 1] + u[1] * v[0] * G[..., 1, 0]
            + u[1] * v[1] * G[..., 1, 1])


def _column_sds(prep):
    return np.sqrt(np.maximum(np.diag(np.asarray(prep.Sigma, float)), 0.0))


def _spread(sds, names=None):
    i, j = int(np.argmin(sds)), int(np.argmax(sds))
    ratio = sds[j] / sds[i] if sds[i] > 0 else math.inf
    a, b = (repr(names[i]), repr(names[j])) if names else (i, j)  # a table's columns by name (trial21)
    return f"the column sds of X differ by a factor {ratio:.3g} (column {a} smallest, column {b} largest)"


def check_conditioning(prep, ev=None):
    """``ValueError`` naming ``X`` and its column scales when Sigma_hat's condition number exceeds
    :data:`MAX_CONDITION` (float64 does not resolve its smallest directions: the tuned risks would be wrong).
    ``ev``: Sigma_hat's eigenvalues when already computed (:class:`AnisotropicPredictor` checks its own)."""
    ev = np.linalg.eigvalsh(np.asarray(prep.Sigma, float)) if ev is None else np.asarray(ev, float)
    top = float(ev.max())
    if top > 0 and not float(ev.min()) > top / MAX_CONDITION:
        sds = _column_sds(prep)
        cond = top / float(ev.min()) if ev.min() > 0 else math.inf
        raise ValueError(
            f"X: the input covariance estimated from the unlabeled rows has condition number {cond:.3g}, beyond "
            f"{MAX_CONDITION:.0e}, what float64 resolves for the anisotropic predictions ({_spread(sds, prep.names)}): "
            "rescale the columns of X, unlabeled and source_weights (e.g. "
            "standardise them; ridge then penalises the rescaled coefficients) or drop (near-)collinear columns")


def units_spread(prep, factor=100.0):
    """The phrase naming the column sds' spread when they differ by more than ``factor``, else None."""
    sds = _column_sds(prep)
    return _spread(sds, prep.names) if sds.min() > 0 and sds.max() / sds.min() > factor else None


def units_note(prep, factor=100.0):
    """A note (str) when the column sds of ``X`` differ by more than ``factor``, else None: tuned ridge penalises
    raw coefficients, so its risk (and the recommendation) depends on the columns' units."""
    spread = units_spread(prep, factor)
    if spread:
        return (f"{spread}; tuned ridge penalises the raw coefficients, so its risks depend on the columns' units "
                "(standardise X, unlabeled and source_weights to compare)")
    return None


class AnisotropicPredictor:
    """Scratch and fine-tuning risks (min-norm and tuned ridge) with bands, for many sample sizes at once.

    ``prep``: :class:`~ftheory.advise.estimators.Prepared` with ``Sigma`` (and ``Sigma_inv``);
    ``n_lam``: penalties of the tuning grid (log-spaced, ``1e-4`` to ``1e2`` times the mean eigenvalue, extended
    at the same step down to ``1e-2`` of the smallest eigenvalue where that is lower);
    ``pivot_draws``, ``seed``: simulated data sets of the band below n = d (:class:`~ftheory.advise.aniso_pivot.ScalePivot`;
    0 switches it off) and their seed (int >= 0, numpy Generator, SeedSequence or None; else ``ValueError``).
    A Sigma_hat beyond :data:`MAX_CONDITION` is refused (:func:`check_conditioning`).
    """

    #: the resolvent bias weights (:meth:`_signal_weights`): True/False force them on/off; None (default): the
    #: pool-size rule :func:`ftheory.advise.sigma_debias.resolvent_default` (on from 3 d to below 10 d rows)
    resolvent = None

    def __init__(self, prep, n_lam=41, pivot_draws=PIVOT_DRAWS, seed=0):
        from ftheory.mc.seeds import check_seed

        check_seed(seed)                                       # int >= 0, numpy Generator, SeedSequence or None

        ev, Q = np.linalg.eigh(prep.Sigma)
        check_conditioning(prep, ev)                           # float64 resolves Sigma_hat, else ValueError naming X
        self.ev = np.maximum(ev, 1e-12 * ev.max())
        self.d = ev.size
        X = np.asarray(prep.X, float)
        self.n = n = X.shape[0]
        R = np.column_stack([prep.y, prep.z if prep.z is not None else np.zeros(n)])
        Xq = X @ Q
        Xq2 = Xq * Xq
        combos = {"y": (1, 0), "z": (0, 1), "y+z": (1, 1), "y-z": (1, -1)}
        self.u = {}
        for k, a in combos.items():
            w = R @ np.asarray(a, float)
            v = Xq.T @ w
            self.u[k] = (v * v - (w * w) @ Xq2) / (n * (n - 1))
        cross = (self.u["y+z"] - self.u["y-z"]) / 4
        self.g = np.stack([np.stack([self.u["y"], cross], -1), np.stack([cross, self.u["z"]], -1)], -2)  # (d,2,2)
        S = R.T @ R / n * math.sqrt(n / (n + 2))
        self.S = _psd2(S)
        self.S_raw = R.T @ R / n
        Sinv = prep.Sigma_inv if prep.Sigma_inv is not None else np.linalg.inv(prep.Sigma)
        self.kinv = np.einsum("ij,jk,ki->i", Q.T, Sinv, Q)      # diagonal of Sigma_inv in the eigenbasis
        self.n_unlabeled = int(prep.n_unlabeled)
        self.rows_unlabeled = self.n_unlabeled + int(bool(getattr(prep, "centred", False)))   # as passed
        scale = float(self.ev.mean())
        self.lams = scale * np.logspace(-4, 2, n_lam)
        # the grid spans the spectrum: below 1e-2 of the smallest eigenvalue (extended at the same log step where
        # that is under 1e-4 of the mean; columns in very different units left every grid penalty far above the
        # small eigenvalues, and the tuned risk 58x the min-norm one, its lam -> 0 limit)
        floor = 1e-2 * float(self.ev.min())
        if n_lam > 1 and floor < self.lams[0]:
            step = 6.0 / (n_lam - 1)
            extra = math.ceil(math.log10(self.lams[0] / floor) / step)
            self.lams = scale * np.logspace(-4 - extra * step, 2, n_lam + extra)
        self.pi = self.ev ** 2 / self.ev.sum()                 # an even unit signal, per direction
        self._Q = Q
        self._prep = prep                                      # the pool's bootstrap (aniso_pool) re-uses the data
        self._wcache = {}
        from ftheory._checks import check_int

        self.pivot_draws = check_int("pivot_draws", pivot_draws, 0, note="simulated data sets of the bands below n = d")
        if 0 < self.pivot_draws < 40:
            raise ValueError(f"pivot_draws={pivot_draws!r} is invalid: expected 0 (off) or at least 40 (2.5% quantiles)")
        from ftheory.mc.seeds import int_seed
        self.seed = int_seed(seed)
        self._pivot = None                                     # ScalePivot, built by the first band below n = d

    # -- covariances of U(a, diag k) and S_y, vectorised over leading axes of k ------------------------
    # ``t`` (broadcasting with the leading axes) adds a signal of size t = delta tau^2 spread evenly over
    # the whitened directions (per-direction Gram + t pi_i on the y-y entry, pi_i = lambda_i^2/sum lambda):
    # the covariance at a candidate task rather than at the estimate (score-type bands). ``prof``: the
    # profile of that signal instead (u-units per unit t, broadcasting with k); None: even (self.pi).
    def _gram(self, k, psd, t=0.0, prof=None):
        G = (k @ self.g.reshape(self.d, 4)).reshape(k.shape[:-1] + (2, 2))
        prof = self.pi if prof is None else prof
        G = G + (np.asarray(t, float) * (k @ prof if prof.ndim == 1 else np.sum(k * prof, -1)))[..., None, None] * _EYY
        return _psd2(G) if psd else 0.5 * (G + np.swapaxes(G, -1, -2))

    def _S(self, t, s=0.0):
        # label variance of the candidate task: + t (the added signal) + s (added noise; s = -t moves
        # signal from the noise with the total label variance kept)
        return _psd2(self.S + (np.asarray(t, float) + np.asarray(s, float))[..., None, None] * _EYY)

    def _cov_uu(self, a, k, b, l, t=0.0, s=0.0, prof=None):
        n = self.n
        a, b = np.asarray(a, float), np.asarray(b, float)
        S = self._S(t, s)
        sab = _form(S, a, b)
        GK, GL = self._gram(k, True, t, prof), self._gram(l, True, t, prof)
        GKSL = self._gram(k * self.ev * l, False, t, prof)
        form = _form
        aKb, aLb, bKb, aLa = form(GK, a, b), form(GL, a, b), form(GK, b, b), form(GL, a, a)
        aKSLb = form(GKSL, a, b)
        tr = np.sum(k * l * self.ev ** 2, -1)
        z1 = sab * aKSLb + aLb * aKb
        z2 = sab ** 2 * tr + 4 * sab * aKSLb + 2 * aKb * aLb + bKb * aLa
        return (4 * (n - 2) * z1 + 2 * z2) / (n * (n - 1))

    def _cov_su(self, b, a, k, t=0.0, s=0.0, prof=None):
        a, b = np.asarray(a, float), np.asarray(b, float)
        G = self._gram(k, False, t, prof)
        return 4 * _form(self._S(t, s), a, b) * _form(G, b, a) / self.n

    def linear_risks(self, which, ns, lams, z=Z95):
        """Estimated risks ``R(n, lam)`` (``(len(ns), len(lams))``), their plug-in standard errors and
        bounds ``(low, high)`` for ``which`` in ``("scratch", "finetune")``; ``lam = 0`` is min-norm
        (gradient flow).

        ``low = R_hat - z sd(delta)`` where the risk falls as noise is moved to signal (``V > dR/dt``):
        the standard error at the task whose risk is the Wald end, reached by moving ``delta <= sigma_hat^2``
        of the noise to an even signal with the label variance kept (the noise and signal estimates are
        strongly anti-correlated, and the plug-in spread is smallest exactly when the noise is
        over-estimated: 6% of truths below the Wald end at gamma >= 2); otherwise plug-in Wald.
        ``high = R_hat + z sd(t)``: one score step, the covariance evaluated at the task with a signal
        ``t = t0 + z max(sd(t0), sd)/gain`` added (at most 4x the label variance above ``t0``) in the
        least-favourable profile (per-direction energy in proportion to the bias weights ``W``; ``gain``
        = dR/dt along it), from the anchor ``t0 = max(0, -tau_hat^2, -k.u/gain)`` where the signal
        statistics are not negative (the plug-in variance collapses to 0 below it); min-norm above n = d, whose risk is ``V sigma^2``
        with ``V`` free of Sigma, gets ``V`` times the noise variance's own 95% interval instead:
        :meth:`noise_only`, ``ftheory.advise.report.predict``). The spread of the U-statistics grows with the
        signal, so the plug-in ``sd`` at an under-estimated signal is too small (78% coverage of the
        tuned risk at gamma = 0.5, spectrum 1/i, with plug-in ends); iterating the step to the exact
        Gaussian score solution diverges at small n (the Gaussian tail overstates large signals)."""
        ns = np.asarray(ns, int)
        lams = np.asarray(lams, float)
        W, fin, k, ua, sig2, Vf, value = self._estimate(which, ns, lams)
        gain = np.maximum(k @ self.pi, 1e-300)               # d R / d t along the even-signal family
        t_max = 4.0 * float(self.S[0, 0])                      # candidate signal at most ~5x the label variance

        def sd(t, s=0.0, prof=None):
            return np.sqrt(np.maximum(self._var(which, k, Vf, t, s, prof), 0.0))

        zero = np.zeros_like(value)
        se = sd(zero)
        step = z * se
        # upper end: one score step along the least-favourable signal family (per-direction energy added
        # in proportion to the bias weights W, where the risk is most sensitive; the even family put it
        # on well-learned directions: small gain, large spread, upper half-widths ~9 sd at gamma = 0.5),
        # from the nearest task whose weighted signal statistics are not negative (anchor t0: the plug-in
        # variance collapses to 0 there, and one step from it stayed at the estimate: 8-12% of truths above
        # the band at gamma = 0.3)
        Wf = np.where(fin[..., None], W, 0.0)
        mass = np.sum(Wf / self.ev, -1, keepdims=True)
        lf = np.where(mass > 0, Wf / np.where(mass > 0, mass, 1.0), self.pi)
        gain_lf = np.maximum(np.sum(k * lf, -1), 1e-300)
        t0 = np.maximum(max(-float(self.kinv @ self.u["y"]), 0.0), -(k @ ua) / gain_lf)
        s0 = np.maximum(sd(t0, prof=lf), se)
        hi_end = value + z * np.maximum(sd(np.clip(t0 + z * s0 / gain_lf, 0.0, t_max + t0), prof=lf), se)
        # lower end: one score step along the split of the (well determined) label variance between noise
        # and signal: where the risk falls as noise is moved to signal (V > dR/dt, noise-dominated risks),
        # the lower task has more signal, hence a larger spread; otherwise plug-in Wald
        drop = Vf - gain                                         # risk decrease per unit of noise moved to signal
        ok = drop > 0
        delta = np.where(ok, np.clip(step / np.where(ok, drop, 1.0), 0.0, max(float(sig2), 0.0)), 0.0)
        se_lo = sd(delta, -delta)
        lo_end = np.where(ok, value - z * np.maximum(se_lo, se), value - step)
        inf = np.full_like(value, math.inf)
        value, lo, hi = (np.where(fin, x, inf) for x in (value, lo_end, hi_end))
        return value, np.where(fin, se, math.nan), lo, hi

    def _estimate(self, which, ns, lams):
        """The risk estimate ``k . u_a + V sigma_hat^2`` over ``(ns, lams)`` and its parts ``(W, fin, k, u_a,
        sigma_hat^2, V, value)`` (``fin``: where the risk is finite; ``V`` and ``value`` are 0-filled elsewhere)."""
        W, V = self._weights(ns, lams)
        fin = np.isfinite(V) & np.all(np.isfinite(W), -1)
        k = self._signal_weights(np.where(fin[..., None], W, 0.0), ns[:, None], lams[None, :])
        ua = self.u["y"] if which == "scratch" else self.u["y-z"]
        sig2 = self.S_raw[0, 0] - self.kinv @ self.u["y"]
        Vf = np.where(fin, V, 0.0)
        return W, fin, k, ua, sig2, Vf, k @ ua + Vf * sig2

    def _signal_weights(self, W, n=None, lam=None):
        """Weights ``k`` (last axis: eigen-directions of Sigma_hat) with ``k . u`` the estimate of the bias
        term ``sum_i W_i b_i^2`` (``u`` estimates ``lambda_i^2 b_i^2``; ``W``: the bias weights at Sigma_hat's
        spectrum, zero-filled where the risk is not finite). With :meth:`uses_resolvent`, the sample sizes and
        penalties ``n``, ``lam`` (broadcasting with ``W``'s leading axes) and ``N > d + 3`` unlabeled rows: the
        weights of the true Sigma's bias term, estimated through the resolvent of Sigma_hat
        (:func:`ftheory.advise.sigma_debias.resolvent_weights`; zero where ``W`` is); otherwise ``W/lambda^2``
        debiased for the inverse-Wishart error of a fixed ``W`` (:func:`ftheory.advise.sigma_debias.fixed_b_weights`).
        The fixed-``W`` correction, applied to weights read off Sigma_hat, kept the large-penalty signal at
        ``(N - 2 d - 2)/N`` of the truth (0.35 at ``N = 3 d``, 0.90 at ``20 d``, d = 60); with the resolvent weights
        the ratio given the pool is 0.95-1.08 at ``N = 3-20 d``, 0.98-1.02 from penalties of the mean eigenvalue up
        (``benchmarks/advisor_sigma_weights.py``)."""
        from ftheory.advise.sigma_debias import fixed_b_weights

        N = self.n_unlabeled
        if n is None or lam is None or not self.uses_resolvent():
            return fixed_b_weights(W, self.ev, N)
        k = self._resolvent_cached([self], W.shape[:-1], n, lam)[0]
        return np.where(np.any(W != 0.0, -1, keepdims=True), k, 0.0)

    def uses_resolvent(self):
        """Whether :meth:`_signal_weights` gives the resolvent weights (sample sizes and penalties given):
        :attr:`resolvent` if it is a bool, else the pool-size rule
        :func:`ftheory.advise.sigma_debias.resolvent_default` on the unlabeled rows as passed (before centring,
        as the pool-size flag counts them); never with ``N <= d + 3`` effective unlabeled rows."""
        from ftheory.advise.sigma_debias import resolvent_default

        if self.n_unlabeled <= self.d + 3:
            return False
        return bool(self.resolvent) if self.resolvent is not None else resolvent_default(self.rows_unlabeled, self.d)

    def noise_only(self, ns):
        """Boolean mask over ``ns``: the min-norm risk is ``V sigma^2`` (no bias term: ``n`` above the
        number of features), a function of ``p = (tau^2, sigma^2, rho, r^2)`` alone."""
        W, V = self._weights(np.asarray(ns, int), np.array([0.0]))
        return np.isfinite(V[:, 0]) & np.all(W[:, 0] == 0.0, -1)

    def _weights(self, ns, lams):
        """Bias weights per unit ``b_i^2`` and the variance factor, ``(len(ns), len(lams), d)`` and
        ``(len(ns), len(lams))``, from ``ftheory.aniso.scratch_risk`` (cached: scratch and fine-tuning share them)."""
        self.fill_caches([self], ns, lams, signal=False)
        return self._wcache[(ns.tobytes(), lams.tobytes())]

    @staticmethod
    def fill_caches(preds, ns, lams, signal=True):
        """Fill the caches of :meth:`AnisotropicPredictor._weights` and (``signal``, with the resolvent weights)
        :meth:`AnisotropicPredictor._signal_weights` as :meth:`AnisotropicPredictor._estimate` calls them at
        ``(ns, lams)``, for predictors of one ``d`` and pool size (the simulated pools of
        :mod:`ftheory.advise.aniso_pool`), solving the penalties of all in one Newton loop each: the same numbers as
        one predictor at a time, with far fewer array operations."""
        from ftheory.aniso.scratch import risk_weights_many

        key = (ns.tobytes(), lams.tobytes())
        todo = [a for a in preds if key not in a._wcache]
        if todo:
            with np.errstate(all="ignore"):
                for a, (W, V) in zip(todo, risk_weights_many([a.ev for a in todo], ns[:, None], lams[None, :])):
                    W, V = np.asarray(W, float), np.asarray(V, float)
                    a._wcache[key] = (np.broadcast_to(W, (ns.size, lams.size, a.d)),
                                      np.broadcast_to(V, (ns.size, lams.size)))
        if signal:
            preds = [a for a in preds if a.uses_resolvent()]
            if preds:
                AnisotropicPredictor._resolvent_cached(preds, (ns.size, lams.size), ns[:, None], lams[None, :])

    @staticmethod
    def _resolvent_cached(preds, shape, n, lam):
        """The resolvent weights ``(shape + (d,))`` of each predictor at ``n``, ``lam`` broadcast to ``shape``, cached
        per predictor (they depend on ``(n, lam)`` and Sigma_hat only); the missing ones in one Newton loop."""
        from ftheory.advise.sigma_debias import resolvent_weights_many

        n = np.broadcast_to(np.asarray(n, float), shape)
        lam = np.broadcast_to(np.asarray(lam, float), shape)
        key = (shape, n.tobytes(), lam.tobytes())
        caches = [a.__dict__.setdefault("_kcache", {}) for a in preds]
        todo = [j for j, c in enumerate(caches) if key not in c]
        if todo:
            N = preds[todo[0]].n_unlabeled
            for j, k in zip(todo, resolvent_weights_many([preds[j].ev for j in todo], N, n, lam)):
                caches[j][key] = k
        return [c[key] for c in caches]

    def _var(self, which, k, Vf, t, s=0.0, prof=None):
        a = (1.0, 0.0) if which == "scratch" else (1.0, -1.0)
        yv = (1.0, 0.0)
        kinv = np.broadcast_to(self.kinv, k.shape)
        S = self._S(t, s)
        var_s = 2 * S[..., 0, 0] ** 2 / self.n
        c = (t, s, prof)
        return (self._cov_uu(a, k, a, k, *c) + Vf ** 2 * self._var_inv(kinv, *c) + Vf ** 2 * var_s
                - 2 * Vf * self._cov_uu(a, k, yv, kinv, *c) + 2 * Vf * self._cov_su(yv, a, k, *c)
                - 2 * Vf ** 2 * self._cov_su(yv, yv, kinv, *c))

    def _var_inv(self, kinv=None, t=0.0, s=0.0, prof=None):
        """Variance of ``U(y, A)`` (the signal statistic behind the noise estimate) with ``A = (N - d - 1)/N
        inv(Sigma_hat)`` from the ``N`` unlabeled rows: the exact :func:`ftheory.advise.param_cov._var_u`
        (``derivations/advise_wishart.py``) at the plug-in signal ``U(y, A)`` and label variance (at the
        candidate task ``t, s, prof`` as in :meth:`_cov_uu`); the plug-in given Sigma_hat when ``N <= d + 3``
        (no finite variance). ``kinv``: ``self.kinv`` broadcast to the candidate's leading axes. Plug-in given
        Sigma_hat plus the old ``2 tau^4/(N - d - 3)`` was 0.855 of it at ``N = 20 d`` (0.29 at ``N = 3 d``)."""
        from ftheory.advise.param_cov import _var_u

        yv = (1.0, 0.0)
        kinv = self.kinv if kinv is None else kinv
        if self.n_unlabeled <= self.d + 3:
            return self._cov_uu(yv, kinv, yv, kinv, t, s, prof)
        tau2 = np.maximum(_form(self._gram(kinv, False, t, prof), yv, yv), 0.0)
        return _var_u(self.n, self.d, tau2, self._S(t, s)[..., 0, 0], self.n_unlabeled)

    # -- linear functionals of the statistics, for correlations between predictions -----------------
    def functional(self, which, n, lam=None):
        """The risk estimate at ``n`` and penalty ``lam`` (default: the penalty selected by the tuned
        point estimate; 0 is min-norm) as terms ``(kind, a, k, coef)`` of statistics ``U(a, diag k)``
        and ``S(a)``."""
        if lam is None:
            v = self.linear_risks(which, [n], self.lams)[0][0]
            lam = float(self.lams[int(np.argmin(v))])
        W, V = self._weights(np.array([int(n)]), np.array([float(lam)]))
        k, V = self._signal_weights(W[0, 0], int(n), float(lam)), float(V[0, 0])
        a = (1.0, 0.0) if which == "scratch" else (1.0, -1.0)
        return [("U", a, k, 1.0), ("Uinv", (1.0, 0.0), self.kinv, -V), ("S", (1.0, 0.0), None, V)]

    def parameter_functional(self, g):
        """``g . p_hat`` for ``p = (tau^2, sigma^2, rho, r^2)`` as terms of statistics
        (``p = (U_y, S_y - U_y, (S_{y+z} - S_y - S_z)/2, S_z)``)."""
        g = np.asarray(g, float)
        return [("Uinv", (1.0, 0.0), self.kinv, g[0] - g[1]), ("S", (1.0, 0.0), None, g[1] - 0.5 * g[2]),
                ("S", (0.0, 1.0), None, g[3] - 0.5 * g[2]), ("S", (1.0, 1.0), None, 0.5 * g[2])]

    def cov_functionals(self, F, G, t=0.0, s=0.0, iw=True):
        """Covariance of two functionals (exact Gaussian, plug-in; inverse-Wishart term included); ``t``,
        ``s`` (scalars or arrays): at the candidate task with an even signal ``t`` added and the noise
        changed by ``s`` (as in :meth:`linear_risks`); ``iw=False``: given Sigma_hat (without the
        inverse-Wishart term)."""
        t, s = np.asarray(t, float), np.asarray(s, float)
        total = 0.0
        for kind1, a, k, c1 in F:
            for kind2, b, l, c2 in G:
                if kind1 == "S" and kind2 == "S":
                    v = 2 * _form(self._S(t, s) if (t.any() or s.any()) else self.S, a, b) ** 2 / self.n
                elif kind1 == "S":
                    v = self._cov_su(a, b, l, t, s)
                elif kind2 == "S":
                    v = self._cov_su(b, a, k, t, s)
                elif iw and kind1 == kind2 == "Uinv" and np.array_equal(a, b) and np.array_equal(k, l):
                    v = self._var_inv(None, t, s)                # exact, with the estimated Sigma^-1
                else:
                    v = self._cov_uu(a, k, b, l, t, s)
                total = total + c1 * c2 * v
        return total if np.ndim(total) else float(total)

    def correlation(self, F, G):
        """Correlation of two functionals (0 if either is degenerate)."""
        vf, vg = self.cov_functionals(F, F), self.cov_functionals(G, G)
        if not (vf > 0 and vg > 0) or not np.isfinite(vf * vg):
            return 0.0
        return float(np.clip(self.cov_functionals(F, G) / np.sqrt(vf * vg), -1.0, 1.0))

    def pivot(self):
        """The :class:`~ftheory.advise.aniso_pivot.ScalePivot` of the bands below n = d, built once (its simulated
        statistics are shared by the four procedures' bands)."""
        if self._pivot is None:
            from ftheory.advise.aniso_pivot import ScalePivot

            self._pivot = ScalePivot(self, self.pivot_draws, self.seed)
        return self._pivot

    def bands(self, proc, ns, z=Z95):
        """``(value, low, high)`` arrays over ``ns`` for a scratch/fine-tuning procedure (min-norm or tuned)."""
        which = "scratch" if proc.startswith("scratch") else "finetune"
        lams = [0.0] if proc.endswith("min_norm") else self.lams
        v, _, lo, hi = self.linear_risks(which, ns, lams, z)
        # tuned risk min_lam R(lam): upper end min_lam high(lam) (each high(lam) >= R(lam) >= min R);
        # lower end at the penalty the estimate selects, low(lam_hat) (min R <= R(lam_hat), and the
        # minimum is flat, so the error of the selection is second order)
        sel = np.argmin(np.where(np.isfinite(v), v, np.inf), 1)
        raw = v[np.arange(v.shape[0]), sel]
        value = np.maximum(raw, 0.0)
        lo = np.maximum(lo[np.arange(lo.shape[0]), sel], 0.0)
        hi = np.min(hi, 1)
        if self.n < self.d and self.pivot_draws:
            # below n = d: the simulated law of the estimate on the ray through the base task (ScalePivot)
            ns = np.asarray(ns, int)
            W, V = self._weights(ns, np.asarray(lams, float))
            ok = np.all(np.isfinite(V), 1) & np.all(np.isfinite(W), (1, 2)) & np.any(W != 0.0, (1, 2))
            if ok.any():
                from ftheory.advise.aniso_pool import pool_sd

                # the estimated covariance's part of the law: the estimate's spread over simulated pools, at
                # the penalty the estimate selects (common to the penalties: the pools' cost is the bias weights)
                lam_sel = np.asarray(lams, float)[sel[ok]]
                extra = np.repeat(pool_sd(self, which, ns[ok], lam_sel, seed=self.seed, paired=True)[:, None],
                                  len(lams), 1)
                pl, ph = self.pivot().bands(which, W[ok], V[ok], v[ok], sel[ok], len(lams) > 1, extra_sd=extra)
                lo[ok] = np.where(np.isnan(pl), lo[ok], np.maximum(pl, 0.0))
                hi[ok] = np.where(np.isnan(ph), hi[ok], ph)
        return value, np.minimum(lo, value), np.maximum(hi, value)
