"""Bands of the anisotropic transferabilities ``T = R_scratch - R_transfer`` (the linear probe, T_lt, and tuned
fine-tuning, T_ft). Where it is calibrated, ``T`` is evaluated in every draw of the law behind the risk bands
and the band is cut at the 2.5/97.5% points of ``T``'s own law, instead of combining the two risks'
half-widths with a plug-in correlation.

* T_ft below n = d (fewer data rows than features), :class:`DifferenceLaw`: the draws of
  :class:`~ftheory.advise.aniso_pivot.ScalePivot` (``X ~ N(0, Sigma_hat)``, the unit pieces' U-statistics)
  carry one Gaussian task with *both* teachers: the distance ``beta_t - beta_s = c_s b_s`` in one of the
  pivot's profiles (default: the fitted fine-tuning one), the source ``beta_s = kappa b_s + c_z b_z`` (``b_z``
  the pivot's source piece) with ``kappa, c_z`` solved so that ``||beta_s||^2 = r^2`` and
  ``<beta_t, beta_s> = rho`` at the estimates, noise ``sigma^2``. In each draw the tuned scratch and
  fine-tuning risks (selection redone), the probe's risk at the draw's feasible ``p_hat`` and both ``T_hat``
  are formed as from the data, so the two risks' dependence is the simulated one. Scaling every amplitude by
  ``c`` scales every statistic and risk by ``c^2``: ``(T_hat - T)/S_y`` is a pivot on that ray, and the band
  is ``[T_hat - q_97.5 S_y, T_hat - q_2.5 S_y]``. The noise fraction ``f = sigma^2/S_y`` is the nuisance: its
  estimate is scale-free, tabulated with the same draws on a grid of fractions, and each quantile is the fitted
  world's at a prepivoted level (each draw judged by the quantile of its own estimated fraction's world; the
  level at which 2.5% of them lie beyond it, as ``ScalePivot``'s min-norm levels). The most extreme quantile
  over the fraction's calibrated set (``DifferenceLaw.mode = "set"``) covered 97.8 / 98.0% at 1/i gamma 0.3 /
  two-level gamma 0.5 (500 replications), the union over-covering as it did for min-norm.
* T_ft above n = d: the range over the (noise, residual) disc of
  :class:`~ftheory.advise.aniso_transfer.NoiseRegion` (:meth:`~ftheory.advise.aniso_transfer.NoiseRegion.transfer`).
* T_lt below n = d where the data's noise estimate is clipped at 0 (``feasible``'s projection; 28-33% of data sets
  at 1/i and two-level gamma 0.5, n = 30, d = 60): the law given the clip (:meth:`DifferenceLaw.given_clip`,
  :func:`_given_clip`): in :class:`DifferenceLaw`'s worlds at every noise fraction of the calibration grid (the
  data's label variance, overlap and source), the draws whose own noise estimate is clipped too, pooled, and the
  band cut at the 2.5/97.5% points of their ``(T_hat - T)/S_y`` (the fraction uniform over the grid, each world
  weighted by its chance of the clip, 0.07-0.43 there: the clip says little about the fraction). Given the clip the
  estimates are biased (scratch low, probe high; real ``T_hat - T`` median -0.41 at 1/i gamma 0.5), which the
  clipped draws carry and the fitted world's draws do not. The worlds take :data:`CLIP_DRAWS` draws (the pivot's
  first, same seed): only a quarter of them are clipped, and the pivot's former 256 alone left the 2.5% point of
  ~70 draws, whose spread over seeds (0.08 in ``(T_hat - T)/S_y`` at 1/i gamma 0.5) is shared by every data set
  of the same shape; the seed-0 set sits 2 sd wide there (docs/advisor_validation.md, clipw22). :func:`combine_concordant`
  never missed there (0 of ~290 / ~330 data sets, half-widths 2-5 times what the errors need).
* T_lt below n = d otherwise (or with fewer than :data:`MIN_CLIP` clipped draws): :func:`combine_concordant` (below),
  a heuristic that covers 95.6-97.5% where the noise is not clipped. Measured from :class:`DifferenceLaw`'s worlds and
  not kept (docs/advisor_validation.md, Bands): the probe column at the data's overlap covered 91.0 / 76.5 / 91.0%
  (200 replications), nearly every miss above: T_lt rises with the overlap rho and at n = 17-30 rho_hat (often a third
  of the true one) is so noisy that the fitted world's T moves with it. The union over rho's 95% Wald interval covered
  97.4 / 96.0 / 96.8% (500 replications); each end over its own half of it 96.6 / 96.0 / 96.6% on one stream, 99.0 /
  97.0 / 97.4% on another. The level prepivoted over the overlap in the fitted world (each draw judged by the world at
  its own overlap) saturated at the extreme levels: the fitted world often sits where the requested overlap is out of
  reach (rho_hat^2 > (1 - f_hat) S_y r^2 in 31% / 52% of data sets at 1/i gamma 0.5 / 0.3), and there its law jumps.
  The test inversion with the overlap profiled out (each T0 tested in the world at the data's noise fraction whose
  overlap gives it, on the monotone branch around rho_hat) covered 96.2 / 98.3 / 94.0% (1000 replications, misses
  10/28, 1/16, 17/43 below/above): at gamma 0.3 no truth falls below any law-based band (the real T_hat sits lower
  than the simulated one), so that cell left 93-97%.
* T_lt above n = d, and T_ft where neither law applies (``pivot_draws = 0``, n = d): the two bands' half-widths
  combined as those of correlated normal estimates, with the correlation of the two risk estimates at the
  selected penalties (for T_lt above n = d, at the task of each end: :func:`probe_correlations`): the other
  band's opposite side (:func:`combine`), except T_lt below n = d, where the probe's half-width
  on each side is weighted by the probability that the two errors have the same sign
  (:func:`combine_concordant`): the two bands are skewed there and the estimates strongly correlated, so a
  scratch estimate above its truth mostly comes with a probe estimate above its own (500 replications at the
  three settings above: 98.0 / 96.0 / 97.0% against 98.8 / 96.4 / 98.4% with opposite sides; the bands'
  centres differenced covered 89.6% at gamma = 0.3). Over the disc above n = d
  (``NoiseRegion.probe_transfer``) 92-94%, misses below (docs/advisor_validation.md, Bands).
"""
from __future__ import annotations

import math

import numpy as np

from ftheory.advise.prepivot import PP_LEVELS, calibrated_level, grid_weights, sorted_quantile
from ftheory.advise.bands import feasible_rows
from ftheory.advise.predict import linear_transfer_risk

__all__ = ["DifferenceLaw", "combine", "combine_concordant", "probe_correlations", "transfer_intervals"]

KEYS = ("ss", "se", "ee", "sz", "ez", "zz")
GRID = np.linspace(0.02, 0.98, 17)                       # noise fractions of the calibration table
MIN_CLIP = 40                                            # clipped draws for the law given the clip (2.5% points)
CLIP_DRAWS = 4096                                        # draws of the law given the clip (the pivot's draws first among them)
BETAS = np.array([1.0, 0.8, 0.6, 0.4, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005])   # 1 - levels of the set


def _difference(a, b_value, b_low_side, b_high_side, rho):
    """``(value, low, high)`` of ``a - b``: ``a``'s lower (upper) half-width combined with ``b_low_side``
    (``b_high_side``) as those of correlated normal estimates (correlation ``rho``, or ``(rho_low, rho_high)``
    one for each end); infinite where either is not finite."""
    v = a.value - b_value
    r_lo, r_hi = _pair(rho)

    def half(x, y, r):
        if not (np.isfinite(x) and np.isfinite(y)):
            return float("inf")
        return float(np.sqrt(max(x * x + y * y - 2 * r * x * y, 0.0)))
    return v, v - half(a.value - a.low, b_low_side, r_lo), v + half(a.high - a.value, b_high_side, r_hi)


def _pair(rho):
    """``(rho_low, rho_high)`` from one correlation or a pair, each clipped to [-1, 1]."""
    r = np.broadcast_to(np.asarray(rho, float), (2,))
    return float(np.clip(r[0], -1.0, 1.0)), float(np.clip(r[1], -1.0, 1.0))


def combine(a, b, rho=0.0):
    """``(value, low, high)`` of ``a - b`` for intervals ``a``, ``b``: their half-widths combined as those of
    correlated normal estimates (correlation ``rho`` of the two estimates, or ``(rho_low, rho_high)``: the one
    of each end of ``a - b``)."""
    return _difference(a, b.value, b.high - b.value, b.value - b.low, rho)


def combine_concordant(a, b, rho=0.0):
    """``(value, low, high)`` of ``a - b`` for intervals ``a``, ``b`` with skewed bands: as :func:`combine`, but
    ``b``'s half-width on each side of ``a - b`` is the root mean square of its two half-widths, weighted by the
    probability that the two errors have the same sign, ``1/2 + arcsin(rho)/pi`` (bivariate normal). ``a``'s
    overestimate then comes with ``b``'s overestimate (same side) that often and with its underestimate
    otherwise; :func:`combine` always takes the opposite side, exact only for ``rho = -1`` or symmetric
    bands (where the two agree). ``rho`` may be a pair ``(rho_low, rho_high)``, one for each end of ``a - b``."""
    r_lo, r_hi = _pair(rho)
    lo_b, up_b = b.value - b.low, b.high - b.value

    def mix(same, opp, r):
        if not (np.isfinite(same) and np.isfinite(opp)):
            return float("inf")                           # an infinite end, as in combine
        pc = 0.5 + math.asin(r) / math.pi
        return math.sqrt(pc * same * same + (1 - pc) * opp * opp)
    return _difference(a, b.value, mix(lo_b, up_b, r_lo), mix(up_b, lo_b, r_hi), (r_lo, r_hi))


def _quad(a, b, c):
    """Coefficients over :data:`KEYS` of the U-statistic (or mean) of ``a s + b z + c e`` with itself."""
    return np.array([a * a, 2 * a * c, c * c, 2 * a * b, 2 * b * c, b * b])


class DifferenceLaw:
    """The simulated law of ``(T_hat_lt, T_hat_ft)`` at the data's sample size below n = d (module docstring).

    ``ap``: :class:`~ftheory.advise.aniso_predict.AnisotropicPredictor` (its ``pivot()`` draws are reused);
    ``n``: the sample size of the risks (the data's effective n); ``pivot``: another
    :class:`~ftheory.advise.aniso_pivot.ScalePivot` of ``ap`` whose draws to use instead (None: ``ap.pivot()``)."""

    #: None: the noise fraction's set at the level calibrated in the fitted world; a number ``beta``: the fixed
    #: ``1 - beta`` confidence set (the union over it covers at least ``level - beta`` on the ray)
    beta = None
    #: "prepivot": the quantiles at the fitted world's fraction at levels calibrated with each draw's own world
    #: (:meth:`_prepivot`); "set": the most extreme quantile over the fraction's calibrated set (for diagnosis)
    mode = "prepivot"

    def __init__(self, ap, n, profile=1, pivot=None):
        self.ap, self.n = ap, int(n)
        pv = ap.pivot() if pivot is None else pivot
        W, V = ap._weights(np.array([self.n]), ap.lams)
        W, V = W[0], V[0]
        fin = np.isfinite(V) & np.all(np.isfinite(W), -1)
        if not fin.any():
            raise ValueError(f"n={n!r} is invalid: no penalty of the grid has a finite risk there")
        self.W, self.V = W[fin], V[fin]
        ev = ap.ev
        kk = self.W / ev ** 2                                  # plain weights: the world's Sigma is Sigma_hat
        pr = pv.pairs()
        j = int(profile)                                       # the distance's profile: pivot.P[j]
        U = {k: (pr[k][0][:, j] if k[0] == "s" else pr[k][0]) for k in KEYS}
        self.m = np.stack([(pr[k][1][:, j] if k[0] == "s" else pr[k][1]) for k in KEYS])     # (6, B)
        self.KU = np.stack([U[k] @ kk.T for k in KEYS])        # (6, B, nl)
        self.TU = np.stack([U[k] @ (1.0 / ev) for k in KEYS])  # (6, B): kinv . u of each piece
        self.g = pr["g"][0]
        self.iwc = math.sqrt(2.0 / (ap.n_unlabeled - ap.d - 3)) if ap.n_unlabeled > ap.d + 3 else 0.0
        # the pivot's teachers in the eigenbasis: b_s (profile P[1]) and the source piece b_z (random signs
        # drawn from the pivot's seed exactly as ScalePivot._pairs draws them)
        rng0 = np.random.default_rng([pv.seed, 0])
        self.bs = np.sqrt(np.maximum(pv.P[j], 0.0)) / ev
        self.bz = np.sqrt(pv.p_source) / ev * np.where(rng0.standard_normal(ap.d) > 0, 1.0, -1.0)
        self.c = float(np.clip(np.sum(ev * self.bs * self.bz), -0.999, 0.999))   # <b_s, b_z>_Sigma

    def _amplitudes(self, f, Sy, rho, r2, Sr):
        """``(a, b, ce, cs, kappa)``: labels ``a s + b z + ce e``, distance ``cs s``, source ``kappa s + b z`` of
        the world with noise fraction ``f`` of the label variance ``Sy``, overlap ``rho`` and source ``r2``."""
        sig = f * Sy
        dist = max((1 - f) * Sy - 2 * rho + r2, 0.05 * Sr, 1e-300)
        cs = math.sqrt(dist)
        mm = float(np.clip((rho - r2) / cs, -math.sqrt(0.99 * r2), math.sqrt(0.99 * r2)))
        cz = math.sqrt(max(r2 - mm * mm, 0.0) / (1 - self.c ** 2))
        kap = mm - cz * self.c
        return cs + kap, cz, math.sqrt(sig), cs, kap

    def world(self, f, Sy, rho, r2, Sr):
        """At noise fraction ``f``: ``(stat (B, 2), fhat (B,), clipped (B,))``: ``(T_hat - T)/S_y`` per draw for the
        probe and tuned fine-tuning, each draw's estimated noise fraction (clipped as the data's), and whether
        the draw's feasible noise estimate is 0 (as ``feasible`` clips the data's)."""
        a, b, ce, cs, kap = self._amplitudes(f, Sy, rho, r2, Sr)
        ev, W, V, n = self.ap.ev, self.W, self.V, self.n
        bt, bsrc, bd = a * self.bs + b * self.bz, kap * self.bs + b * self.bz, cs * self.bs
        sig = ce * ce
        tau2w = float(np.sum(ev * bt * bt))
        Rs = float(np.min(W @ (bt * bt) + V * sig))
        Rf = float(np.min(W @ (bd * bd) + V * sig))
        Rp = float(linear_transfer_risk(n, tau2w, sig, float(np.sum(ev * bt * bsrc)), float(np.sum(ev * bsrc * bsrc))))
        cy, cr = _quad(a, b, ce), _quad(cs, 0.0, ce)
        Sy_b = cy @ self.m
        tau_b = cy @ self.TU - self.g * self.iwc * tau2w
        sig_b = Sy_b - tau_b
        rs = np.maximum(np.min(np.tensordot(cy, self.KU, 1) + np.outer(sig_b, V), -1), 0.0)
        rf = np.maximum(np.min(np.tensordot(cr, self.KU, 1) + np.outer(sig_b, V), -1), 0.0)
        m = self.m
        r2_b = kap * kap * m[0] + 2 * kap * b * m[3] + b * b * m[5]
        rho_b = a * kap * m[0] + (a * b + b * kap) * m[3] + b * b * m[5] + ce * kap * m[1] + ce * b * m[4]
        P = feasible_rows(np.stack([tau_b, sig_b, rho_b, r2_b], -1))
        rp = linear_transfer_risk(n, P[:, 0], P[:, 1], P[:, 2], P[:, 3])
        stat = np.stack([(rs - rp) - (Rs - Rp), (rs - rf) - (Rs - Rf)], -1) / np.maximum(Sy_b, 1e-300)[:, None]
        return stat, _fraction(sig_b, tau_b, Sy_b), P[:, 1] == 0

    def quantiles(self, Sy, tau, rho, r2, Sr, level=0.95):
        """``(qa, qb)`` (2,) each: the calibrated lower and upper quantiles of ``(T_hat - T)/S_y`` (probe,
        fine-tuning) over the kept noise fractions, for data with label variance ``Sy``, signal estimate
        ``tau``, overlap ``rho``, source ``r2`` and residual label variance ``Sr``."""
        alpha = (1 - level) / 2
        f0 = float(_fraction(np.array([Sy - tau]), np.array([tau]), np.array([Sy]))[0])
        grid = np.unique(np.r_[GRID, f0])
        i0 = int(np.searchsorted(grid, f0))
        worlds = [self.world(f, Sy, rho, r2, Sr) for f in grid]
        stat = np.stack([w[0] for w in worlds], 1)                          # (B, G, 2)
        fg = np.stack([w[1] for w in worlds], 1)                            # (B, G)
        if self.mode == "prepivot" and self.beta is None:
            return self._prepivot(stat, fg, grid, i0, alpha)
        qa, qb = np.quantile(stat, alpha, axis=0), np.quantile(stat, 1 - alpha, axis=0)   # (G, 2)
        acc = np.quantile(fg, np.r_[BETAS / 2, 1 - BETAS / 2], axis=0).reshape(2, BETAS.size, -1)

        def kept(fs):                                                       # (len(fs), NB, G), never empty
            fs = np.asarray(fs, float)[:, None, None]
            gap = np.maximum(acc[0][None] - fs, fs - acc[1][None])
            return (gap <= 0) | (gap <= np.min(gap, -1, keepdims=True))

        inside = kept(fg[:, i0])                                            # (B, NB, G)
        t0 = stat[:, i0][:, None, :]                                        # (B, 1, 2)
        qb_b = np.max(np.where(inside[..., None], qb[None, None], -np.inf), 2)      # (B, NB, 2)
        qa_b = np.min(np.where(inside[..., None], qa[None, None], np.inf), 2)
        k_b = _first_below(np.mean(t0 > qb_b, 0), alpha)                   # (2,)
        k_a = _first_below(np.mean(t0 < qa_b, 0), alpha)
        if self.beta is not None:
            k_a = k_b = np.full(2, int(np.argmin(np.abs(BETAS - self.beta))))
        in0 = kept([f0])[0]                                                 # (NB, G)
        hi = np.array([np.max(qb[in0[k_b[i]], i]) for i in range(2)])
        lo = np.array([np.min(qa[in0[k_a[i]], i]) for i in range(2)])
        self.last = {"f0": f0, "beta_a": BETAS[k_a], "beta_b": BETAS[k_b]}
        return lo, hi

    def _prepivot(self, stat, fg, grid, i0, alpha):
        """``(lo, hi)`` (2,) each: quantiles of ``stat[:, i0]`` (the fitted world) at prepivoted levels: each
        draw judged by the quantile of its own world (its estimated fraction, linear between the grid's worlds)
        at tail probabilities ``alpha * PP_LEVELS``; :func:`~ftheory.advise.prepivot.calibrated_level` picks
        the level at which a fraction ``alpha`` of the draws lie beyond their own quantile, on each tail."""
        S = np.sort(np.moveaxis(stat, 1, 0), axis=1)                        # (G, B, 2)
        t0 = stat[:, i0]                                                    # (B, 2)
        ig, wg = grid_weights(fg[:, i0], grid)
        lev = alpha * PP_LEVELS
        out, levels = [], []
        for upper in (False, True):
            Q = sorted_quantile(S, 1 - lev if upper else lev)             # (L, G, 2)
            own = (1 - wg) * Q[:, ig] + wg * Q[:, ig + 1]                   # (L, B, 2)
            a = calibrated_level(t0, own, lev, alpha, upper)
            levels.append(a)
            out.append(np.array([np.quantile(S[i0, :, m], 1 - a[m] if upper else a[m]) for m in range(2)]))
        self.last = {"f0": float(grid[i0]), "level_a": levels[0], "level_b": levels[1]}
        return out[0], out[1]

    def _data(self):
        """``(Sy, rho, r2, Sr)``: the data's label variance, overlap, source and residual label variance."""
        S = self.ap.S_raw
        Sy, rho, r2 = float(S[0, 0]), float(S[0, 1]), max(float(S[1, 1]), 1e-300)
        return Sy, rho, r2, max(float(S[0, 0] - 2 * S[0, 1] + S[1, 1]), 1e-300)

    def bands(self, t_lt, t_ft, level=0.95):
        """``{"linear_transfer": (value, low, high), "finetune": (...)}`` for the data's estimates ``t_lt``,
        ``t_ft`` of the two transferabilities, from the prepivoted quantiles at the data's overlap (the band is
        widened to contain the value)."""
        Sy, rho, r2, Sr = self._data()
        tau = float(self.ap.kinv @ self.ap.u["y"])
        lo, hi = self.quantiles(max(Sy, 1e-300), tau, rho, r2, Sr, level)
        out = {}
        for i, (k, v) in enumerate((("linear_transfer", t_lt), ("finetune", t_ft))):
            a, b = v - hi[i] * Sy, v - lo[i] * Sy
            out[k] = (v, min(a, v), max(b, v))
        return out

    def given_clip(self, t_lt, level=0.95):
        """``(value, low, high)`` of T_lt from the law of ``(T_hat - T)/S_y`` (probe) given the clip: the draws
        whose own feasible noise estimate is 0, pooled over the worlds at every noise fraction of :data:`GRID`
        (the data's label variance, overlap and source; :func:`_given_clip`), the band widened to contain the
        value; None with fewer than :data:`MIN_CLIP` such draws. ``last["clip_draws"]``: their number."""
        Sy, rho, r2, Sr = self._data()
        worlds = [self.world(f, max(Sy, 1e-300), rho, r2, Sr) for f in GRID]
        cl = np.stack([w[2] for w in worlds], 1)                            # (B, G)
        self.last = {"clip_draws": int(cl.sum())}
        q = _given_clip(np.stack([w[0][:, 0] for w in worlds], 1), cl, (1 - level) / 2)
        if q is None:
            return None
        a, b = t_lt - q[1] * Sy, t_lt - q[0] * Sy
        return t_lt, min(a, t_lt), max(b, t_lt)


def _fraction(sig, tau, Sy):
    """The estimated noise fraction with each part at least 5% of the label variance (as ScalePivot.base)."""
    Sy = np.maximum(Sy, 1e-300)
    s, t = np.maximum(sig, 0.05 * Sy), np.maximum(tau, 0.05 * Sy)
    return s / (s + t)


def _given_clip(stat, clipped, alpha):
    """``(lo, hi)``: the ``alpha`` and ``1 - alpha`` points of ``stat`` ``(B, G)`` (draws by worlds of the grid)
    over the draws whose noise estimate is clipped (``clipped`` ``(B, G)``), pooled over the worlds: the law
    given the clip with the noise fraction uniform over the grid. None with fewer than :data:`MIN_CLIP` draws."""
    s = stat[clipped]
    if s.size < MIN_CLIP:
        return None
    return float(np.quantile(s, alpha)), float(np.quantile(s, 1 - alpha))


def _first_below(miss, target):
    """Per column of ``miss`` ``(NB, k)``: index of the first row at or below ``target`` (else the last)."""
    ok = miss <= target
    return np.where(ok.any(0), np.argmax(ok, 0), miss.shape[0] - 1)


def _grad(probe, P, h):
    """Central-difference gradient of ``probe`` at ``P`` (steps ``h``, one per coordinate of ``p``)."""
    return np.array([(probe(P + h[i] * e) - probe(P - h[i] * e)) / (2 * h[i]) for i, e in enumerate(np.eye(4))])


def probe_correlations(aniso, n, q, probe, h, probe_band):
    """``(rho_low, rho_high)``: the correlation of the tuned scratch and the probe's risk estimates at the task of
    each end of ``T_lt = R_scratch - R_probe``, for :func:`combine`. The lower end of ``T_lt`` is reached where
    the probe's risk is at its upper end; that task is taken on the line that moves noise into an even signal
    with the label variance kept (``p = q + (t, -t, 0, 0)``, ``t`` the probe's upper half-width over its slope
    along the line, at most the noise ``q[1]``), the scratch penalty re-selected there (``R(lam) + t dR/dt``) and
    the covariance evaluated there (:meth:`~ftheory.advise.aniso_predict.AnisotropicPredictor.cov_functionals`
    with ``t, s = -t``); the upper end likewise with the signal moved to the noise (``t < 0``, at least
    ``-q[0]``). ``q``: the feasible estimate of ``p = (tau^2, sigma^2, rho, r^2)``; ``probe``: the probe's risk
    of ``p``; ``h``: the gradient's steps; ``probe_band``: the probe's interval. At the estimate itself the
    correlation follows the penalty the estimate selects, and where the signal is under-estimated (the probe's
    risk too low, the heavy penalty making the scratch risk a signal statistic like the probe's) it turns
    positive, against a correlation of about -0.7 of the two errors over replications (1/i, gamma = 2):
    docs/advisor_validation.md, Bands."""
    W, fin, k, ua, sig2, V, value = aniso._estimate("scratch", np.array([int(n)]), aniso.lams)
    curve = np.where(fin[0], value[0], np.inf)
    slope = k[0] @ aniso.pi - V[0]                             # dR(lam)/dt, noise moved into an even signal

    g0 = _grad(probe, q, h)
    along = float(g0[0] - g0[1])                               # d R_probe / dt along the line
    out = []
    for hw, cap in ((probe_band.high - probe_band.value, max(float(q[1]), 0.0)),
                    (probe_band.low - probe_band.value, -max(float(q[0]), 0.0))):
        if not (along > 0 and np.isfinite(along)):
            t = 0.0                                            # no such line: the estimate's own correlation
        else:
            t = hw / along if np.isfinite(hw) else cap         # an unbounded end: as far as the line goes
            t = min(t, cap) if cap >= 0 else max(t, cap)
        j = int(np.argmin(curve + t * slope))
        g = _grad(probe, q + np.array([t, -t, 0.0, 0.0]), h)
        if not (np.all(np.isfinite(g)) and np.isfinite(curve[j])):
            out.append(0.0)
            continue
        Fs, Fp = aniso.functional("scratch", n, float(aniso.lams[j])), aniso.parameter_functional(g)
        vs, vp = aniso.cov_functionals(Fs, Fs, t, -t), aniso.cov_functionals(Fp, Fp, t, -t)
        ok = vs > 0 and vp > 0 and np.isfinite(vs * vp)
        out.append(float(np.clip(aniso.cov_functionals(Fs, Fp, t, -t) / math.sqrt(vs * vp), -1, 1)) if ok else 0.0)
    return tuple(out)


def transfer_intervals(aniso, pe, predictions, n_at, region=None):
    """``{"linear_transfer": (value, low, high), "finetune": (...)}``: the anisotropic transferability bands at
    ``n_at`` (module docstring); ``predictions``: the report's risk intervals at ``n_at``; ``region``: the
    :class:`~ftheory.advise.aniso_transfer.NoiseRegion` above n = d (None elsewhere)."""
    from ftheory.advise.predict import isotropic_risk

    d = pe.d
    v_s = predictions["scratch_ridge"].value
    t_lt = v_s - predictions["linear_transfer"].value
    t_ft = v_s - predictions["finetune_ridge"].value

    def probe(P):
        return isotropic_risk("linear_transfer", n_at, d, P)

    from ftheory.advise.estimators import feasible

    q = feasible(pe.p)
    sim = clip = None
    if aniso.n < aniso.d and aniso.pivot_draws:
        try:
            sim = DifferenceLaw(aniso, n_at).bands(t_lt, t_ft)
            if q[1] == 0:
                from ftheory.advise.aniso_pivot import ScalePivot

                more = ScalePivot(aniso, max(CLIP_DRAWS, aniso.pivot_draws), aniso.seed)
                clip = DifferenceLaw(aniso, n_at, pivot=more).given_clip(t_lt)
        except ValueError:
            pass
    # T_lt (and T_ft where neither law applies): the bands' half-widths combined, with the correlation of the two
    # risk estimates at the selected penalties from the exact covariances of the statistics. T_lt from the
    # simulated law covered 80% at n = 18, d = 60 (all misses above); over the noise disc above n = d it put
    # 4-7% of truths below the band (docs/advisor_validation.md, Bands)
    h = 1e-6 * (np.abs(q) + np.sqrt(np.maximum(np.diag(pe.cov), 0)) + 1e-300)
    Fs = aniso.functional("scratch", n_at)
    if aniso.n > aniso.d:
        # above n = d each end at the correlation of its own task: at the estimate's own penalty the correlation
        # turned positive exactly where the probe is under-estimated (92.4% at 1/i, gamma = 2, 5.4% below)
        rho_lt = probe_correlations(aniso, n_at, q, probe, h, predictions["linear_transfer"])
    else:
        g = _grad(probe, q, h)
        rho_lt = aniso.correlation(Fs, aniso.parameter_functional(g)) if np.all(np.isfinite(g)) else 0.0
    rho_ft = aniso.correlation(Fs, aniso.functional("finetune", n_at))
    # T_lt below n = d: the probe's half-widths weighted by the sign concordance of the two errors (the bands are
    # skewed there and the correlation high, 0.7-0.8: pairing opposite sides covered 98.4-98.8%); where the noise
    # estimate is clipped, the simulated law given the clip instead (module docstring)
    lt = combine_concordant if aniso.n < aniso.d else combine
    out = {"linear_transfer": lt(predictions["scratch_ridge"], predictions["linear_transfer"], rho_lt),
           "finetune": combine(predictions["scratch_ridge"], predictions["finetune_ridge"], rho_ft)}
    if region is not None:
        out["finetune"] = region.transfer_interval(n_at, t_ft)
    if sim is not None:
        out["finetune"] = sim["finetune"]
    if clip is not None:
        out["linear_transfer"] = clip
    return out
