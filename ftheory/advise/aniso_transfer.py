"""Bands of the tuned anisotropic risks and of the fine-tuning transferability when the data have more rows
than features (n > d), from a two-dimensional region: the noise variance on its exact interval, the rest
of the statistics Gaussian given it.

At a sample size ``n`` every risk estimate of the tuning grid is a linear combination of the statistics
``s = (A_y(lam)..., B, A_r(lam)..., S_y, S_z, S_{y+z})`` with ``A_y(lam) = k_lam . u_y``,
``A_r(lam) = k_lam . u_{y-z}`` (the bias terms of scratch and fine-tuning), ``B = U(y, Sigma^-1)``:
``R_scratch(lam) = A_y(lam) + V_lam sigma2_hat``, ``R_finetune(lam) = A_r(lam) + V_lam sigma2_hat`` with the
shared noise estimate ``sigma2_hat = S_y - B``. Above n = d the error of ``sigma2_hat`` dominates and is
skewed (``S_y - tau2_hat`` inherits the skew of a second-order chaos), and the risks' own plug-in spread
is smallest exactly when the noise is over-estimated. So the noise variance is taken on its exact 95%
interval (the bootstrap test inversion of :meth:`~ftheory.advise.estimators.ParameterEstimates.interval`,
inverse-Wishart term included), and the rest of the statistics by their exact Gaussian covariance
*given* ``sigma2_hat``: with ``c = Cov(s, sigma2_hat)/Var(sigma2_hat)`` the residual ``s - c sigma2_hat``
is uncorrelated with ``sigma2_hat``, so at a candidate noise ``sigma^2`` the statistics' mean is
``s_hat - c (sigma2_hat - sigma^2)``. The band of a prediction ``f`` is the range of ``f`` over the disc
``z_sigma^2 + z_r^2 <= 1.96^2`` of the plane (noise position, residual along ``f``): ``z_sigma = -+1.96`` at the
interval's ends (linear in ``sigma^2`` between them and the estimate, or the interval's end nearest to an
estimate outside it) and ``f`` moved by ``z_r`` standard
deviations of its residual at the penalties the candidate selects. For ``f`` linear in the two
coordinates the range is exactly ``f -+ 1.96 sd`` (the projection of the disc); the tuned risks
``min_lam R(lam)`` keep their penalty selection at every candidate, and the transferability
``min R_scratch - min R_finetune`` both selections (docs/advisor_validation.md, noise disc).

The reported *values* are not the disc's centre when the least-squares residual variance is used (at least 16
residual degrees of freedom): :func:`ls_point_values` reads the tuned risks at the statistics moved to that variance
(:meth:`NoiseRegion.ls_centre`); the bands' ends stay the moment disc's (lower ends from a disc on the residual
variance were measured and not adopted: docs/advisor_validation.md, tuned risks at the least-squares noise), but tuned
scratch's lower end, which the disc put at 0 wherever the moment noise interval reached 0:
:meth:`NoiseRegion.ls_lower` bootstraps the least-squares-centred value instead.
"""
from __future__ import annotations

import math

import numpy as np

from ftheory.advise.bands import Z95

__all__ = ["NoiseRegion", "ls_point_values"]

_Y, _R, _Z, _YZ = (1.0, 0.0), (1.0, -1.0), (0.0, 1.0), (1.0, 1.0)


def _column(which):
    """0 for ``scratch``, 1 for ``finetune`` (the tuned risks' blocks of the statistics)."""
    if which not in ("scratch", "finetune"):
        raise ValueError(f"which must be 'scratch' or 'finetune', got {which!r}")
    return 0 if which == "scratch" else 1


def _noise_points(zs, estimate, lo, hi):
    """The disc's noise coordinate ``z_sigma`` mapped onto the interval ``(lo, hi)``: ``-+Z95`` to its ends, 0 to its
    point nearest ``estimate``, linear on each side."""
    c = min(max(estimate, lo), hi)
    return np.where(zs >= 0, c + zs / Z95 * (hi - c), c + zs / Z95 * (c - lo))


def _disc(n_angles):
    """Points ``(z_sigma, z_r)`` of the disc of radius ``Z95``: two rings (full and half radius) and the centre.

    The range of a prediction over the disc is reached on the full ring (at a candidate noise the prediction
    moves linearly with ``z_r``), but the tuned risks and T_ft jump with their penalty selections, so the ring
    must be sampled finely: with 64 directions (noise positions 0.19 apart near the centre) T_ft at gamma = 3
    covered 92.8%, with 256 directions 93.8% (docs/advisor_validation.md, noise disc)."""
    th = np.linspace(0.0, 2 * np.pi, int(n_angles), endpoint=False)
    ring = np.stack([np.cos(th), np.sin(th)], -1)
    return np.concatenate([Z95 * ring, 0.5 * Z95 * ring, np.zeros((1, 2))], 0)


class NoiseRegion:
    """Bands of the tuned risks and of the fine-tuning transferability over the (noise, residual) disc.

    ``ap``: :class:`~ftheory.advise.aniso_predict.AnisotropicPredictor`; ``noise``: ``(low, high)`` of the
    noise variance's 95% interval (in the predictor's label units); ``n_angles``: directions of each ring."""

    def __init__(self, ap, noise, n_angles=256):
        lo, hi = (float(v) for v in noise)
        if not (math.isfinite(lo) and math.isfinite(hi) and lo <= hi):
            raise ValueError(f"noise={noise!r} is invalid: expected a finite interval (low, high) with low <= high")
        from ftheory._checks import check_int

        self.ap, self.noise = ap, (lo, hi)
        self.disc = _disc(check_int("n_angles", n_angles, 4, note="directions of each ring of the disc"))
        self._cache = {}

    def _law(self, n):
        """Statistics ``s``, their covariance ``C`` (exact Gaussian, plug-in), ``V``, the finite mask over the penalties
        and ``L``; cached with ``tr(K Sigma)`` of each U-statistic (:meth:`_ls_regression`)."""
        if n in self._cache:
            return self._cache[n]
        ap = self.ap
        W, V = ap._weights(np.array([int(n)]), ap.lams)
        W, V = W[0], V[0]
        fin = np.isfinite(V) & np.all(np.isfinite(W), -1)
        k = ap._signal_weights(np.where(fin[:, None], W, 0.0), int(n), ap.lams)
        L = k.shape[0]
        Ky = np.concatenate([k, ap.kinv[None]], 0)                       # A_y(lam)..., then B (label y)
        vecs = [np.array(a) for a in (_Y, _Z, _YZ)]
        s = np.concatenate([Ky @ ap.u["y"], k @ ap.u["y-z"], [float(a @ ap.S_raw @ a) for a in vecs]])
        m = s.size
        iy, ir, i0 = slice(0, L + 1), slice(L + 1, 2 * L + 1), 2 * L + 1
        C = np.empty((m, m))
        C[iy, iy] = ap._cov_uu(_Y, Ky[:, None], _Y, Ky[None])
        C[iy, ir] = ap._cov_uu(_Y, Ky[:, None], _R, k[None])
        C[ir, iy] = C[iy, ir].T
        C[ir, ir] = ap._cov_uu(_R, k[:, None], _R, k[None])
        if ap.uses_resolvent():
            # the resolvent weights move with Sigma_hat: the law given Sigma_hat (C so far) plus the statistics'
            # covariance over simulated pools, the labeled data fixed (B's pool part included: it replaces the
            # inverse-Wishart term of _var_inv, which would count it twice)
            from ftheory.advise.aniso_pool import pool_stat_cov

            C[:2 * L + 1, :2 * L + 1] += pool_stat_cov(ap, int(n), ap.lams, seed=ap.seed)   # same order
        else:
            C[L, L] = ap._var_inv(None)                                   # exact, Sigma^-1 estimated
        for i, b in enumerate(vecs):
            C[i0 + i, iy] = C[iy, i0 + i] = ap._cov_su(b, _Y, Ky)
            C[i0 + i, ir] = C[ir, i0 + i] = ap._cov_su(b, _R, k)
            for j, e in enumerate(vecs):
                C[i0 + i, i0 + j] = 2 * float(b @ ap.S @ e) ** 2 / ap.n
        out = (s, 0.5 * (C + C.T), np.where(fin, V, 0.0), fin, L)
        self._cache[("trK", n)] = (Ky @ ap.ev, k @ ap.ev)                 # tr(K Sigma) of each U-statistic
        self._cache[n] = out
        return out

    def _points(self, n):
        """Per disc point: the candidate statistics ``cand`` ``(K, m)`` and noise ``sig`` ``(K,)``, the residual
        covariance ``Cres`` given the noise estimate, ``z_r`` ``(K,)``, ``V``, the finite mask and ``L``."""
        s, C, V, fin, L = self._law(n)
        g = np.zeros(s.size)
        g[2 * L + 1], g[L] = 1.0, -1.0                                    # sigma2_hat = S_y - B
        vs = float(g @ C @ g)
        cg = C @ g
        coef = cg / vs if vs > 0 else np.zeros_like(cg)
        Cres = C - np.outer(cg, coef)
        s2 = float(g @ s)
        lo, hi = self.noise
        zs, zr = self.disc[:, 0], self.disc[:, 1]
        # the exact interval's ends are z_sigma = -+1.96 and its point nearest the estimate is the centre: the
        # noise candidates are the interval's points. An estimate outside its interval (sigma2_hat < 0 with the
        # interval [0, hi]) used to be the centre, which put half of the disc at negative noise (no task) and
        # squeezed the interval onto the rim (|z_r| <= 1 at the noise 0): T_ft at gamma = 3 missed below the
        # band in 24 of the 114 replications with sigma2_hat <= 0 (docs/advisor_validation.md, Bands)
        sig = _noise_points(zs, s2, lo, hi)
        cand = s[None] - coef[None] * (s2 - sig)[:, None]
        return cand, sig, Cres, zr, V, fin, L

    def _ls_regression(self, n, value, df):
        """``(s, C, V, fin, L)`` of :meth:`_law`, ``g`` (``g @ s = S_y - B``), the coefficients ``beta`` ``(m, 2)`` of
        the statistics on both noise estimates ``q = (S_y - B, sigma2_LS)`` (zeros where ``Cov(q)`` is degenerate)
        and ``Cov(s, q)`` ``(m, 2)``."""
        s, C, V, fin, L = self._law(n)
        g = np.zeros(s.size)
        g[2 * L + 1], g[L] = 1.0, -1.0                                    # sigma2_hat = S_y - B
        # Cov(s, sigma2_LS) (ls_centre; sigma^4 as value^2)
        tky, tk = self._cache[("trK", n)]
        s4, nn = max(value, 0.0) ** 2, self.ap.n
        cu = -2 * s4 / ((nn + 2) * (nn - 1))
        cl = np.concatenate([cu * tky, cu * tk, 2 * s4 / nn * np.array([1.0, 0.0, 1.0])])
        Csq = np.stack([C @ g, cl], 1)
        Cq = np.array([[float(g @ C @ g), float(g @ cl)], [float(g @ cl), 2 * s4 / df]])
        ok = Cq[0, 0] > 0 and Cq[1, 1] > 0
        beta = np.linalg.lstsq(Cq, Csq.T, rcond=None)[0].T if ok else np.zeros_like(Csq)
        return s, C, V, fin, L, g, beta, Csq

    def _candidates(self, n):
        """Per disc point: scratch and fine-tuning risk curves ``(K, 2, L)`` at the candidate noise, the residual
        covariance ``Cres`` given the noise estimate, ``z_r`` ``(K,)`` and the index layout."""
        cand, sig, Cres, zr, V, fin, L = self._points(n)
        curves = np.stack([cand[:, :L], cand[:, L + 1:2 * L + 1]], 1) + (V[None] * sig[:, None])[:, None]
        return np.where(fin, curves, np.inf), Cres, zr, L

    def tuned(self, which, ns):
        """``(low, high)`` arrays over ``ns`` for the tuned risk ``min_lam R(lam)`` of ``which`` (``scratch`` or
        ``finetune``): the range over the disc of the candidate's minimum moved by ``z_r`` residual standard
        deviations at the penalty it selects (NaN where no penalty has a finite risk)."""
        w = _column(which)
        lo, hi = np.full(len(ns), np.nan), np.full(len(ns), np.nan)
        for i, n in enumerate(np.asarray(ns, int)):
            curves, Cres, zr, L = self._candidates(int(n))
            R = curves[:, w]
            if not np.isfinite(R).any():
                continue
            j = np.argmin(R, -1)
            idx = j if w == 0 else L + 1 + j
            sd = np.sqrt(np.maximum(Cres[idx, idx], 0.0))
            v = R[np.arange(R.shape[0]), j] + zr * sd
            lo[i], hi[i] = float(v.min()), float(v.max())
        return lo, hi

    def transfer(self, n):
        """``(low, high)`` of the fine-tuning transferability ``min R_scratch - min R_finetune`` at ``n``: the range
        over the disc, both penalty selections redone at each candidate, the residual of the difference at the
        selected pair of penalties."""
        curves, Cres, zr, L = self._candidates(int(n))
        if not np.isfinite(curves).any():
            return -math.inf, math.inf
        js, jf = np.argmin(curves[:, 0], -1), np.argmin(curves[:, 1], -1)
        K = np.arange(curves.shape[0])
        ir = L + 1 + jf
        var = Cres[js, js] + Cres[ir, ir] - 2 * Cres[js, ir]
        v = curves[K, 0, js] - curves[K, 1, jf] + zr * np.sqrt(np.maximum(var, 0.0))
        return float(v.min()), float(v.max())

    def probe_transfer(self, n, probe):
        """``(low, high)`` of the probe's transferability ``min R_scratch - R_probe(p)`` at ``n``: the range over the
        disc, ``p = (U_y, S_y - U_y, (S_{y+z} - S_y - S_z)/2, S_z)`` at each candidate's statistics (nearest real
        task), the scratch selection redone, and the residual of the difference (the probe linearised in ``p``
        at the candidate) at the selected penalty. ``probe``: risk of rows of ``p`` (vectorised)."""
        from ftheory.advise.bands import feasible_rows

        cand, sig, Cres, zr, V, fin, L = self._points(int(n))
        Rcurve = np.where(fin, cand[:, :L] + V[None] * sig[:, None], np.inf)
        if not np.isfinite(Rcurve).any():
            return -math.inf, math.inf
        i0 = 2 * L + 1
        K = Rcurve.shape[0]
        js = np.argmin(Rcurve, -1)
        Rs = Rcurve[np.arange(K), js]
        B_, Sy, Sz, Syz = cand[:, L], cand[:, i0], cand[:, i0 + 1], cand[:, i0 + 2]
        P = np.stack([B_, Sy - B_, (Syz - Sy - Sz) / 2, Sz], -1)
        Q = feasible_rows(P)
        pv = np.asarray(probe(Q), float)
        # the probe's gradient in p at each candidate, mapped to the statistics (dp/ds)
        h = 1e-6 * (np.abs(Q) + np.max(np.abs(Q), -1, keepdims=True) + 1e-300)
        grad = np.stack([(np.asarray(probe(Q + h[:, [k]] * e), float) - np.asarray(probe(Q - h[:, [k]] * e), float))
                         / (2 * h[:, k]) for k, e in enumerate(np.eye(4))], -1)
        grad = np.where(np.isfinite(grad), grad, 0.0)
        H = np.zeros((K, cand.shape[1]))
        H[np.arange(K), js] = 1.0                                          # A_y at the selected penalty
        H[:, L] -= grad[:, 0] - grad[:, 1]
        H[:, i0] -= grad[:, 1] - 0.5 * grad[:, 2]
        H[:, i0 + 1] -= grad[:, 3] - 0.5 * grad[:, 2]
        H[:, i0 + 2] -= 0.5 * grad[:, 2]
        var = np.einsum("ki,ij,kj->k", H, Cres, H)
        v = Rs - pv + zr * np.sqrt(np.maximum(var, 0.0))
        v = v[np.isfinite(v)]
        if not v.size:
            return -math.inf, math.inf
        return float(v.min()), float(v.max())

    def probe_transfer_interval(self, n, probe, value):
        """``(value, low, high)``: :meth:`probe_transfer` at ``n``, widened to contain ``value``."""
        lo, hi = self.probe_transfer(n, probe)
        return value, min(lo, value), max(hi, value)

    def merge(self, which, ns, band):
        """``band = (value, low, high)`` arrays over ``ns`` with the ends of :meth:`tuned` where it gives them, the
        low end at least 0 and the band containing the value."""
        v, lo, hi = (np.array(b, float) for b in band)
        rl, rh = self.tuned(which, ns)
        ok = np.isfinite(rl) & np.isfinite(rh)
        hi = np.maximum(np.where(ok, rh, hi), v)
        lo = np.where(ok, np.maximum(rl, 0.0), lo)
        return v, np.minimum(lo, v), hi

    def ls_centre(self, n, ls):
        """The statistics ``s`` at ``n`` moved to the least-squares noise, and ``(V, fin, L)`` as in :meth:`_law`.
        ``ls = (value, df)``: the residual variance ``sigma2_LS = RSS/df``. The statistics are moved along their
        regression on both noise estimates ``q = (sigma2_hat, sigma2_LS)``: ``s - beta_1 (sigma2_hat - sigma2_LS)``,
        ``beta = Cov(s, q) Cov(q)^-1`` with (``derivations/noise_ls.py``, ``sigma^4`` plugged in as ``sigma2_LS^2``)
        ``Cov(sigma2_LS, U(a, K)) = -2 sigma^4 tr(K Sigma)/((n+2)(n-1))`` (a = y, y - z), ``2 sigma^4/n`` for ``S_y``
        and ``S_{y+z}``, 0 for ``S_z``, and ``Var(sigma2_LS) = 2 sigma^4/df``; so the moved ``S_y - B`` is
        ``sigma2_LS``."""
        m, _, V, fin, L, _, _, _ = self._centre(n, ls)
        return m, V, fin, L

    def _centre(self, n, ls):
        """:meth:`ls_centre`'s moved statistics ``m`` (``g @ m = sigma2_LS``) with the rest of :meth:`_ls_regression`:
        ``(m, C, V, fin, L, g, beta, Csq)``."""
        value, df = float(ls[0]), int(ls[1])
        if not (math.isfinite(value) and df >= 1):
            raise ValueError(f"ls={ls!r} is invalid: expected (value, df) with a finite value and df >= 1")
        s, C, V, fin, L, g, beta, Csq = self._ls_regression(int(n), value, df)
        return s - beta[:, 0] * (float(g @ s) - value), C, V, fin, L, g, beta, Csq

    def ls_values(self, which, ns, ls):
        """The tuned risk ``min_lam R(lam)`` of ``which`` (``scratch`` or ``finetune``) over ``ns`` at the statistics
        of :meth:`ls_centre` and the noise ``ls[0]``, at least 0 (NaN where no penalty has a finite risk)."""
        w = _column(which)
        out = np.full(len(ns), np.nan)
        for i, n in enumerate(np.asarray(ns, int)):
            cand, V, fin, L = self.ls_centre(int(n), ls)
            R = cand[:L] if w == 0 else cand[L + 1:2 * L + 1]
            R = np.where(fin, R + V * float(ls[0]), np.inf)
            if np.isfinite(R).any():
                out[i] = max(float(R.min()), 0.0)
        return out

    def ls_lower(self, ns, ls, draws=4000, seed=0):
        """Lower ends over ``ns`` of the tuned scratch risk from the simulated law of its least-squares-centred
        estimate (:meth:`ls_values`): ``T_hat / q_97.5(T*/T_hat)`` (0 where ``T_hat <= 0``), ``T_hat`` the estimate
        before its clip at 0. The world is the least-squares centre (its tuned risk is ``T_hat``); a draw takes the
        residual variance from its scaled chi-square law ``sigma2_LS chi2_df/df`` and the statistics from their
        Gaussian law given it (mean moved by ``Cov(s, sigma2_LS)/Var(sigma2_LS)``, covariance the Schur complement),
        and re-estimates ``T* = min_lam`` of the centre moved to the drawn variance. The minimum's selection bias is
        in the law; the root is the ratio because the error scales with the risk (the difference ``T* - T_hat``
        left the end 1 miss below in 500 at band setting 9: docs/advisor_validation.md, lo18). NaN where no penalty
        has a finite risk. ``ls = (value, df)`` as in :meth:`ls_centre`."""
        value, df = float(ls[0]), int(ls[1])
        rng = np.random.default_rng(seed)
        out = np.full(len(ns), np.nan)
        for i, n in enumerate(np.asarray(ns, int)):
            m, C, V, fin, L, g, beta, Csq = self._centre(n, ls)
            if not fin.any():
                continue
            vq = 2 * max(value, 0.0) ** 2 / df
            cq = Csq[:, 1] / vq if vq > 0 else np.zeros(m.size)
            w, U = np.linalg.eigh(C - np.outer(cq, Csq[:, 1]))
            q = max(value, 0.0) * rng.chisquare(df, draws) / df
            S = m + np.outer(q - value, cq) + (rng.standard_normal((draws, m.size)) * np.sqrt(np.maximum(w, 0.0))) @ U.T
            Sc = S - np.outer(S @ g - q, beta[:, 0])
            T = np.where(fin, Sc[:, :L] + V * q[:, None], np.inf).min(-1)
            t0 = float(np.where(fin, m[:L] + V * value, np.inf).min())
            r = float(np.quantile(T / t0, 0.975)) if t0 > 0 else 0.0
            out[i] = t0 / r if r > 0 else 0.0
        return out

    def transfer_interval(self, n, value):
        """``(value, low, high)``: :meth:`transfer` at ``n``, widened to contain ``value``."""
        lo, hi = self.transfer(n)
        return value, min(lo, value), max(hi, value)


def ls_point_values(region, ls, ns, at, bands, transferability):
    """``(bands, transferability)`` with the tuned values (``scratch_ridge``, ``finetune_ridge``, over ``ns``) at the
    least-squares-conditioned centre (:meth:`NoiseRegion.ls_values`), each clipped into its band, and the
    transferabilities' values at ``ns[at]`` recomputed from them (``T = R_scratch - R_transfer``, clipped into its
    band); every band's ends unchanged (they were calibrated around the moment-noise values). Where a centre is
    not finite the value is unchanged. New dicts; ``transferability`` holds ``Interval``."""
    from ftheory.advise.intervals import Interval

    out = dict(bands)
    for proc in ("scratch_ridge", "finetune_ridge"):
        v, lo, hi = (np.array(b, float) for b in bands[proc])
        c = np.minimum(np.maximum(region.ls_values(proc.split("_")[0], ns, ls), lo), hi)
        out[proc] = (np.where(np.isfinite(c), c, v), lo, hi)
    vs = out["scratch_ridge"][0][at]
    tr = {}
    for k, proc in (("linear_transfer", "linear_transfer"), ("finetune", "finetune_ridge")):
        iv = transferability[k]
        t = float(vs - out[proc][0][at])
        tr[k] = Interval(min(max(t, iv.low), iv.high), iv.low, iv.high, iv.se) if math.isfinite(t) else iv
    return out, tr
