"""The simulated law of the anisotropic risk estimate on a ray of tasks (:class:`ScalePivot`): the min-norm and
tuned bands below n = d (fewer data rows than features), used by
:meth:`~ftheory.advise.aniso_predict.AnisotropicPredictor.bands`.

A Gaussian task with ``Sigma = Sigma_hat``, per-direction signal energies ``L p_i`` (``u`` units,
``sum_i p_i/lambda_i = 1``) for a profile ``p``, noise ``sigma^2`` and (fine-tuning) a source part: every
statistic is quadratic in the labels, so scaling the signal and the noise by ``c`` scales the estimate and the
risk by ``c`` and ``R_hat/R`` is a pivot along the ray (exactly for scratch; for fine-tuning the source part
is not scaled). The band inverts the ray test ``q_2.5 <= R_hat/R <= q_97.5`` exactly, whatever the signs (a
negative estimate gets the lower end ``R_hat/q_2.5`` when ``q_2.5 < 0``, and no upper end). Two nuisances fix
the ray:

* Profile: fitted from the data in the family ``p_i ∝ lambda_i^a`` (``a = 1``: even over whitened directions,
  ``a = 2``: even over coordinates), ``a`` from the moment ratio ``sum u_i / sum u_i/lambda_i`` (a weighted
  mean of the eigenvalues, increasing in ``a``), clipped to ``[0, 3]`` (:func:`fit_exponent`).
* Noise fraction ``f = sigma^2/(L + sigma^2)``: its estimate ``f_hat`` (signal ``tau_hat^2``, the distance for
  fine-tuning, and ``sigma_hat^2``, each at least 5% of the label variance) is scale-free, so its law depends
  on ``f`` alone; it is tabulated with the same draws on a grid of fractions (every draw is linear in seven
  coefficients of ``(L, sigma^2)``: one product per fraction), and the grid points whose law keeps
  ``f_hat`` at level ``1 - beta`` form a confidence set. Each quantile is the most extreme over that set, with
  ``beta`` calibrated in the fitted world: the widest ``beta`` (narrowest set) at which the draws' own sets
  miss at most 2.5% of the draws on that tail. (A plug-in fraction put 6-10% of truths below the fine-tuning
  bands at gamma = 0.3-0.5; the union over the fraction's Wald range gave 99.2-99.8%.)
* Min-norm: no set for the fraction; the quantiles are taken at the fitted world, at levels calibrated there
  by prepivoting (:mod:`ftheory.advise.prepivot`): each simulated data set gets the quantile of its *own* fitted
  world (its base task's noise fraction and total, read off a table of worlds over fractions ``GRID`` and
  scales ``PP_SCALES``, bilinear in ``(f, log c)``; the scale matters for fine-tuning, whose source part is not
  scaled), and the level is the one at which ``alpha`` of the draws exceed their own quantile on that tail.
  (The set's union made min-norm scratch over-cover, 97.8-98.2% at gamma = 0.3-0.5, and the law at the fitted
  world alone left 7.2% of truths below the fine-tuning band at gamma = 0.5.) Each tail counts only the draws
  the final band would miss (``prepivot.tail_misses``, ``ScalePivot.tails = "band"``): where the estimate or the
  quantile is not positive the band has no end from the ray, so those draws cannot miss on that side (counting
  them, ``"separate"``, left the upper side at 0-0.6% and scratch at 97.2-98.4%). ``"joint"`` (a tail that cannot
  reach ``alpha`` gives the rest to the other) is for diagnosis: it pushed fine-tuning to 93.2-93.4%.
  The lower end is then the lower of that end and the fraction set's (the tuned bands' rule below, for the
  min-norm statistic; ``ScalePivot.minnorm = "set_low"``): where the fraction is barely identified (n/d near 1,
  little noise) the data sets that over-estimate the noise get a fitted world whose law is too narrow, and the
  prepivot, calibrated inside that world, cannot see it (min-norm scratch 85.7-88.0% at three off-grid settings,
  93.7-96.7% with the set's end; the grid's rows moved by at most 4 counts of 500: docs/advisor_validation.md,
  mnset26).
* Tuned risk ``min_lam R(lam)``: the statistic is ``min_lam R_hat*(lam)/min_lam R*(lam)`` (the penalty
  selection simulated in every draw). Its upper end is the largest of that ray end and, over the fitted,
  whitened-even and coordinate-even profiles, ``min_lam R_hat(lam)/q_2.5(lam)`` (``R(lam) >= min R``).

An end is NaN where the ray gives none (an infinite end, an empty test): the caller keeps its score-step end
there. Draws: ``X ~ N(0, Sigma_hat)`` in the eigenbasis, one generator per draw (seeded); the per-direction
U-statistics of the unit pieces (signal in four profiles: the two fitted, whitened-even, coordinate-even;
noise; source, in its own fitted profile) are computed once per predictor and cached:
``8 B d (3 J + 3) = 120 B d`` bytes for ``B`` draws and ``J = 4`` profiles (31 MB at ``B = 1024``,
``d = 256``; 123 MB at ``d = 1000``). Per call, the table of one profile takes ``56 B M n_lam`` bytes for ``M``
sample sizes and ``n_lam`` penalties (129 MB at ``B = 1024``, ``M = 55``, ``n_lam = 41``). The worlds take
Sigma = Sigma_hat as known; the covariance estimate's part of the law is added as one Gaussian term per draw:
the estimate's spread over bootstrapped unlabeled pools (:func:`ftheory.advise.aniso_pool.pool_sd`, passed by
the predictor), else ``V`` times the exact excess of ``Var U(y, Sigma^-1)`` over its known-Sigma variance
(:func:`ftheory.advise.param_cov._var_u`), which overstates it for scratch (``aniso_pool``). For the min-norm
bands the pooled term is scaled along the ray as every other term (degree 1 in ``(L, sigma^2)``: the data's
spread times the ratio of that modelled excess sd at the world to its value at the base task), so that ``R_hat/R``
stays scale-free over the prepivot's table of worlds (a constant term made the worlds above the data's total
relatively narrower, below it wider: docs/advisor_notes/mn18.md); the tuned bands keep the data's spread.
"""
from __future__ import annotations

import math

import numpy as np

from ftheory.advise.prepivot import PP_LEVELS, grid_weights, joint_levels, level_at, sorted_quantile, tail_misses

from ftheory.advise.param_cov import _var_u

__all__ = ["PIVOT_DRAWS", "ScalePivot", "fit_exponent"]

WHICH = ("scratch", "finetune")
PIVOT_DRAWS = 1024                          # simulated data sets by default (256 moved coverage by 1-2 points)
A_RANGE = (0.0, 3.0)
GRID = np.linspace(0.02, 0.98, 17)          # noise fractions of the calibration table


def fit_exponent(ev, u, lo=A_RANGE[0], hi=A_RANGE[1]) -> float:
    """``a`` with ``sum ev^a / sum ev^(a - 1) = sum u / sum u/ev`` (the profile ``p ∝ ev^a`` whose moment ratio
    matches the per-direction statistics ``u``), clipped to ``[lo, hi]``; 1 (even over whitened directions)
    when either moment is not positive."""
    ev, u = np.asarray(ev, float), np.asarray(u, float)
    m0, m1 = float(np.sum(u)), float(np.sum(u / ev))
    if not (m0 > 0 and m1 > 0):
        return 1.0
    grid = np.linspace(lo, hi, 121)
    le = np.log(ev)
    r = np.array([np.exp(np.logaddexp.reduce(a * le) - np.logaddexp.reduce((a - 1) * le)) for a in grid])
    return float(np.interp(m0 / m1, r, grid))


PP_SCALES = 2.0 ** np.arange(-4.0, 3.01, 0.5)   # scales of the min-norm calibration table (1 included)
BETAS = np.array([1.0, 0.8, 0.6, 0.4, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005])   # 1 - levels of the fraction's set


def _quantile(x, a):
    """``np.quantile(x, a, axis=0)`` (linear interpolation) by partial sorts."""
    B = x.shape[0]
    pos = a * (B - 1)
    i = int(math.floor(pos))
    j = min(i + 1, B - 1)
    part = np.partition(x, (i, j) if j != i else i, axis=0)
    return part[i] + (pos - i) * (part[j] - part[i])


def _invert(v, qa, qb):
    """Exact inversion of the ray test ``qa <= R_hat/R <= qb`` (``R > 0``) at the estimates ``v``, whatever the
    signs: ``(low, high)``, NaN where the test gives no end."""
    with np.errstate(divide="ignore", invalid="ignore"):
        pos = v > 0
        lo = np.where(pos, np.where(qb > 0, v / qb, np.nan), np.where(qa < 0, v / qa, np.nan))
        hi = np.where(pos & (qa > 0), v / qa, np.nan)
    return lo, hi


def _first_below(miss, target):
    """Index of the first row of ``miss`` ``(Z, M)`` at or below ``target`` (the last row where none is)."""
    ok = miss <= target
    return np.where(ok.any(0), np.argmax(ok, 0), miss.shape[0] - 1)


class ScalePivot:
    """Bands from the law of the risk estimate simulated on a ray of Gaussian tasks with ``Sigma = Sigma_hat``
    (module docstring): profile fitted from the data, a confidence set for the noise fraction whose level is
    calibrated in the fitted world, the tuned selection simulated in every draw. ``draws`` data sets of the data's size,
    ``seed`` (int); the unit statistics are computed once and reused by every call of :meth:`bands`."""

    def __init__(self, ap, draws=PIVOT_DRAWS, seed=0, chunk_size=2_000_000):
        self.ap, self.B = ap, int(draws)
        self.seed = int(seed)
        self.chunk = max(1, min(self.B, int(chunk_size // max(ap.n * ap.d, 1))))
        self.a = {w: fit_exponent(ap.ev, ap.u["y"] if w == "scratch" else ap.u["y-z"]) for w in WHICH}
        self.a["source"] = fit_exponent(ap.ev, ap.u["z"])
        P = np.stack([ap.ev ** self.a[w] for w in WHICH + ("source",)])
        P = P / np.sum(P / ap.ev, -1, keepdims=True)
        fixed = np.stack([ap.ev / ap.d, ap.pi])                       # whitened-even, coordinate-even
        self.P, self.p_source = np.concatenate([P[:2], fixed]), P[2]
        self._pr = None

    #: False: the plug-in noise fraction instead of its calibrated confidence set (for diagnosis)
    calibrate = True
    #: min-norm quantiles: "set_low" (the prepivot's upper end, and the lower of its lower end and the fraction
    #: set's), "prepivot" (levels calibrated with each draw's own world, both ends; the rule before mnset26) or
    #: "set" (the fraction's calibrated set, as the tuned bands; for diagnosis)
    minnorm = "set_low"
    #: min-norm fine-tuning's world total (distance + noise): "fitted" (``L0 + sigma0^2`` from the estimates) or
    #: "label" (the data's mean ``(y - z)^2``, a direct and far less variable estimate of it, each draw's own at
    #: its own; the fitted fraction kept). ftmn26's candidate; on a held-out set it over-covered (98.1% against
    #: 97.2%), not adopted (docs/advisor_validation.md, ftlab27)
    ft_total = "fitted"
    #: min-norm prepivoted tails: "separate" (each at ``alpha``, counting every draw beyond its own quantile:
    #: :func:`~ftheory.advise.prepivot.calibrated_level`),
    #: "band" (each at ``alpha``, counting only the draws the final band would miss:
    #: :func:`~ftheory.advise.prepivot.tail_misses`) or "joint" (as "band", a tail that cannot reach ``alpha``
    #: leaving the rest to the other: :func:`~ftheory.advise.prepivot.joint_levels`)
    tails = "band"
    #: tuned fine-tuning's lower end: "fitted" (the fitted profile's ray end) or "profiles" (the lowest of the fitted,
    #: whitened-even and coordinate-even profiles' ray ends where none is NaN, else the fitted profile's; tfc29's
    #: candidate: the lower misses sat where the fitted profile or noise fraction was off, docs/advisor_validation.md)
    tuned_low = "fitted"

    def _prepivot(self, world, grid, i0, tot, alpha):
        """Min-norm ``(q_lo, q_hi)`` ``(M,)``: quantiles of ``R_hat/R`` at the fitted world (fraction ``grid[i0]``,
        total ``tot``) at prepivoted levels (module docstring): the table of worlds over ``grid`` x ``PP_SCALES``,
        each draw's own world (its base task's fraction and total ``L_b + sigma_b^2``, relative to ``tot``)
        bilinear in ``(f, log c)``, and each tail's level by the rule :attr:`tails`."""
        lc = np.log(PP_SCALES)
        c1 = int(np.argmin(np.abs(lc)))
        st = [np.stack([world(f, scale=c)[0] for f in grid]) for c in PP_SCALES]      # C x (G, B, M)
        t0, f_b, _, tb = world(grid[i0], want_tot=True)
        S = np.sort(np.array(st), axis=2)                                          # (C, G, B, M)
        ic, wc = grid_weights(np.log(np.maximum(tb / tot, 1e-300)), lc)
        ig, wg = grid_weights(f_b, grid)
        lev = alpha * PP_LEVELS
        if self.tails not in ("separate", "band", "joint"):
            raise ValueError(f"tails must be 'separate', 'band' or 'joint', got {self.tails!r}")
        misses = []                                                                # each tail's (L, M)
        for upper in (False, True):
            Q = sorted_quantile(S, 1 - lev if upper else lev)                     # (L, C, G, M)
            own = ((1 - wc) * ((1 - wg) * Q[:, ic, ig] + wg * Q[:, ic, ig + 1])
                   + wc * ((1 - wg) * Q[:, ic + 1, ig] + wg * Q[:, ic + 1, ig + 1]))   # (L, B, M)
            misses.append(tail_misses(t0, own, upper, "ray" if self.tails == "separate" else "band"))
        if self.tails == "joint":
            self.levels = list(joint_levels(misses[0], misses[1], lev, alpha))
        else:
            self.levels = [level_at(m, lev, alpha) for m in misses]
        col = S[c1, i0]                                                            # (B, M), sorted
        out = [np.diagonal(sorted_quantile(col, 1 - a if upper else a))
               for a, upper in zip(self.levels, (False, True))]
        return out[0], out[1]

    def pairs(self):
        """The cached unit statistics of :meth:`_pairs` at the four profiles ``self.P`` (fitted for scratch and
        for fine-tuning, whitened-even, coordinate-even)."""
        if self._pr is None:
            self._pr = self._pairs(self.P)
        return self._pr

    def _pairs(self, P):
        """Bilinear per-direction U-statistics and label means of the unit pieces ``s`` (signal with profile
        ``P[j]``), ``e`` (unit noise) and ``z`` (unit source part, in its fitted profile, random signs) over the
        draws: ``{pair: (U (B, J, d) or (B, d), m (B, J) or (B,))}``, ``"g"``: a standard normal per draw."""
        ap = self.ap
        n, d = ap.n, ap.d
        bs = np.sqrt(np.maximum(P, 0.0)) / ap.ev                     # (J, d) teachers in the eigenbasis
        out = {k: ([], []) for k in ("ss", "se", "ee", "sz", "ez", "zz")}
        gs = []
        rng0 = np.random.default_rng([self.seed, 0])
        bz = np.sqrt(self.p_source) / ap.ev * np.where(rng0.standard_normal(d) > 0, 1.0, -1.0)
        for c0 in range(0, self.B, self.chunk):
            c = min(self.chunk, self.B - c0)
            # one generator per draw: the draws do not depend on the chunking
            raw = np.stack([np.random.default_rng([self.seed, 1 + c0 + b]).standard_normal(n * d + n + 1)
                            for b in range(c)])
            xq = raw[:, :n * d].reshape(c, n, d) * np.sqrt(ap.ev)
            x2 = xq * xq
            e = raw[:, n * d:n * d + n]
            s = xq @ bs.T                                             # (c, n, J)
            zz = xq @ bz                                              # (c, n)
            Xs = np.swapaxes(s, 1, 2) @ xq                           # (c, J, d), batched BLAS
            Xe, Xz = (e[:, None, :] @ xq)[:, 0], (zz[:, None, :] @ xq)[:, 0]
            vec = {"s": (s, Xs), "e": (e, Xe), "z": (zz, Xz)}
            for k in out:
                (va, Xa), (vb, Xb) = vec[k[0]], vec[k[1]]
                if k[0] == "s" and k[1] == "s":
                    prod, XX = va * vb, Xa * Xb
                elif k[0] == "s":
                    prod, XX = va * vb[..., None], Xa * Xb[:, None, :]
                else:
                    prod, XX = va * vb, Xa * Xb
                sub = np.swapaxes(prod, 1, 2) @ x2 if prod.ndim == 3 else (prod[:, None, :] @ x2)[:, 0]
                out[k][0].append((XX - sub) / (n * (n - 1)))
                out[k][1].append(prod.mean(1))
            gs.append(raw[:, -1])
        res = {k: tuple(np.concatenate(x, 0) for x in v) for k, v in out.items()}
        res["g"] = (np.concatenate(gs),)
        return res

    def base(self, which, label_total=False):
        """``(L0, sigma0^2, r^2)``: signal (distance for fine-tuning) and noise of the base task, source part.
        ``label_total`` (fine-tuning): ``L0 + sigma0^2`` rescaled to the data's mean ``(y - z)^2``, the fraction
        kept (:attr:`ft_total` "label")."""
        ap = self.ap
        S = ap.S_raw
        tau = float(ap.kinv @ ap.u["y"])
        Sy = max(float(S[0, 0]), 1e-300)
        sig0 = max(Sy - tau, 0.05 * Sy)
        if which == "scratch":
            return max(tau, 0.05 * Sy), sig0, 0.0
        Sr = max(float(S[0, 0] - 2 * S[0, 1] + S[1, 1]), 1e-300)
        L0 = max(float(ap.kinv @ ap.u["y-z"]), 0.05 * Sr)
        if label_total:
            f0 = sig0 / (L0 + sig0)
            L0, sig0 = (1 - f0) * Sr, f0 * Sr
        return L0, sig0, max(float(S[1, 1]), 0.0)

    def bands(self, which, W, V, v_all, sel, tuned, level=0.95, extra_sd=None):
        """Lower and upper ends (NaN where the ray gives none) over the first axis of ``W`` ``(M, nl, d)``,
        ``V`` ``(M, nl)`` (finite); ``v_all`` ``(M, nl)``: the estimates at every penalty, ``sel`` ``(M,)``: the
        penalty the estimate selects (``nl = 1``, ``tuned=False``: min-norm). The tuned upper end is the
        largest of the ray end of the minimum (fitted profile) and, over the fitted, whitened-even and
        coordinate-even profiles, ``min_lam R_hat(lam)/q_2.5(lam)`` (either with the fitted profile alone put
        4.5-6.5% of truths above the tuned scratch band at gamma = 0.5, 200 replications). ``extra_sd``
        ``(M, nl)``: the estimate's spread over the unlabeled pool (:func:`ftheory.advise.aniso_pool.pool_sd`),
        added to every draw as a Gaussian term common to the penalties (min-norm: scaled along the ray, module
        docstring); None: ``V`` times the exact excess
        variance of ``U(y, Sigma^-1)`` over its known-Sigma variance."""
        if self.tuned_low not in ("fitted", "profiles"):
            raise ValueError(f"tuned_low must be 'fitted' or 'profiles', got {self.tuned_low!r}")
        lo, hi, hi_lam = self._ends(which, WHICH.index(which), W, V, v_all, sel, tuned, level, extra_sd)
        if tuned:
            lows = [lo]
            for j in (2, 3):
                e = self._ends(which, j, W, V, v_all, sel, tuned, level, extra_sd)
                hi_lam = np.maximum(hi_lam, e[2])
                lows.append(e[0])
            hi = np.fmax(hi, hi_lam)
            if which == "finetune" and self.tuned_low == "profiles":
                lows = np.stack(lows)
                lo = np.where(np.any(np.isnan(lows), 0), lo, np.min(lows, 0))
        return lo, hi

    def _ends(self, which, j, W, V, v_all, sel, tuned, level, extra_sd=None):
        """``(low, high, high_lam)`` at profile ``self.P[j]``: the ray test of ``R_hat/R`` (tuned: of the minimum
        over penalties) with the noise fraction's calibrated set, and the tuned upper end from each penalty's
        own ratio law (``min_lam R_hat(lam)/q_2.5(lam)``; NaN for min-norm)."""
        if self.ft_total not in ("fitted", "label"):
            raise ValueError(f"ft_total must be 'fitted' or 'label', got {self.ft_total!r}")
        if self.minnorm not in ("prepivot", "set_low", "set"):
            raise ValueError(f"minnorm must be 'prepivot', 'set_low' or 'set', got {self.minnorm!r}")
        ap = self.ap
        ev = ap.ev
        M, nl = V.shape
        pr = self.pairs()
        p = self.P[j]
        alpha = (1 - level) / 2
        # min-norm fine-tuning, ft_total "label": the world's total at the data's mean (y - z)^2 (each draw's own
        # at its own), the fitted fraction kept (ftmn26)
        label_total = which == "finetune" and not tuned and self.ft_total == "label"
        L0, sig0, rz = self.base(which, label_total)
        tot = L0 + sig0
        cz = math.sqrt(rz) if which == "finetune" else 0.0
        kk = (W / ev ** 2).reshape(M * nl, ap.d)
        Vr = V.reshape(M * nl)
        Rs, Re = np.sum(W * p / ev ** 2, -1), V                       # risk per unit signal, per unit noise
        Us = {k: (pr[k][0][:, j] if k[0] == "s" else pr[k][0]) for k in ("ss", "se", "ee", "sz", "ez", "zz")}
        ms = {k: (pr[k][1][:, j] if k[0] == "s" else pr[k][1]) for k in Us}
        # every draw is linear in the seven coefficients of coef() below: one (7, B, M nl) table, one product
        # per noise fraction
        inv = 1.0 / ev
        tr = {k: Us[k] @ inv for k in Us}                             # kinv . u of each piece, (B,)
        g = pr["g"][0]
        n_unl = ap.n_unlabeled if ap.n_unlabeled > ap.d + 3 else 0

        def iw_sd(t2, syy):
            """Standard deviation the estimated Sigma^-1 adds to U(y, Sigma^-1) at signal ``t2`` and label variance
            ``syy`` (exact minus known-Sigma variance, param_cov._var_u): homogeneous of degree 1, so a
            coefficient of the ray's draws like the others."""
            if not n_unl:
                return 0.0
            return math.sqrt(max(_var_u(ap.n, ap.d, t2, syy, n_unl) - _var_u(ap.n, ap.d, t2, syy), 0.0))
        keys = ("ss", "se", "ee", "sz", "ez", "zz")
        A = np.empty((7, self.B, M * nl))
        for i, k in enumerate(keys):
            A[i] = np.outer(ms[k] - tr[k], Vr)
            if i < 3:
                A[i] += Us[k] @ kk.T
        pooled = extra_sd is not None
        A[6] = np.outer(g, np.asarray(extra_sd, float).reshape(M * nl) if pooled else Vr)

        # min-norm: the pool term scaled on the ray as the other terms (degree 1 in (L, sigma^2)), by the modelled
        # excess sd at the world over that at the base task (1 there); tuned: the data's spread at every world
        iw0 = iw_sd(L0 + rz, L0 + rz + sig0) if pooled and not tuned else 0.0

        def coef(L, sg):
            cs, ce = math.sqrt(L), math.sqrt(sg)
            iw = iw_sd(L + cz * cz, L + cz * cz + sg)
            if pooled:
                iw = iw / iw0 if iw0 > 0 else 1.0
            return np.array([L, 2 * cs * ce, sg, 2 * cz * cs, 2 * cz * ce, cz * cz, iw])

        memo = {}

        def world(f, want_ql=False, scale=1.0, want_tot=False):
            """:func:`world_` once per ``(f, scale, want_ql)`` (the prepivot's table and the set share the worlds
            at scale 1)."""
            key = (float(f), float(scale), bool(want_ql))
            if key not in memo:
                memo[key] = world_(f, want_ql, scale)
            return memo[key] if want_tot else memo[key][:3]

        def world_(f, want_ql=False, scale=1.0):
            """At noise fraction ``f`` (total ``scale tot``): the statistic (B, M) (tuned: ``min R_hat*/min R*``),
            each draw's own estimated noise fraction (B,), (``want_ql``, else None) each penalty's 2.5% ratio quantile
            and each draw's own base total ``L_b + sigma_b^2`` (B,)."""
            L, sg = (1 - f) * tot * scale, f * tot * scale
            c = coef(L, sg)
            draws = np.tensordot(c, A, 1).reshape(-1, M, nl)
            R = L * Rs + sg * Re
            t_r = c[:3] @ np.stack([tr[k] for k in keys[:3]])
            m_r = c[:3] @ np.stack([ms[k] for k in keys[:3]])
            t_y = t_r + c[3:6] @ np.stack([tr[k] for k in keys[3:]])
            m_y = m_r + c[3:6] @ np.stack([ms[k] for k in keys[3:]])
            sig_hat = m_y - t_y
            # the draw's own base task, as base() builds it from the data
            Sy = np.maximum(m_y, 1e-300)
            s_b = np.maximum(sig_hat, 0.05 * Sy)
            if which == "scratch":
                L_b = np.maximum(t_y, 0.05 * Sy)
            else:
                L_b = np.maximum(t_r, 0.05 * np.maximum(m_r, 1e-300))
            st = np.min(draws, -1) / np.min(R, -1) if tuned else draws[..., 0] / R[:, 0]
            ql = _quantile(draws / R, alpha) if want_ql else None
            return st, s_b / (L_b + s_b), ql, np.maximum(m_r, 1e-300) if label_total else L_b + s_b

        grid = np.unique(np.r_[GRID, sig0 / tot])
        i0 = int(np.searchsorted(grid, sig0 / tot))
        v_obs = v_all[np.arange(M), sel]
        pp = None
        if not tuned and self.minnorm != "set":
            qa0, qb0 = self._prepivot(world, grid, i0, tot, alpha)
            self.last = {"level_a": self.levels[0], "level_b": self.levels[1], "f0": sig0 / tot}
            pp = _invert(v_obs, qa0, qb0)
            if self.minnorm == "prepivot":
                return pp + (np.full(M, np.nan),)
        # per grid fraction: the statistic (tuned: the minimum over penalties, the selection in every draw, per
        # unit min R), the draws' own estimated fractions, and (tuned) each penalty's 2.5% ratio quantile
        worlds = [world(f) for f in grid]
        stat = np.stack([w[0] for w in worlds], 1)                    # (B, G, M)
        qa, qb = _quantile(stat, alpha), _quantile(stat, 1 - alpha)    # (G, M) each
        # a confidence set for the noise fraction: f_hat is scale-free, so its law depends on f alone (and the
        # profile); grid point g is kept at level 1 - beta if f_hat lies between the beta/2 and 1 - beta/2
        # quantiles of its law at g. The level is calibrated in the fitted world: the widest beta (narrowest
        # set) at which the draws' own sets, ranged over, miss at most 2.5% of the draws on each tail
        fg = np.stack([w[1] for w in worlds], 1)                      # (B, G): the draws' fractions at each g
        betas = BETAS if self.calibrate else BETAS[:1]
        acc = np.quantile(fg, np.r_[betas / 2, 1 - betas / 2], axis=0).reshape(2, betas.size, -1)   # (2, NB, G)
        f_b = fg[:, i0]

        def kept(f):                                                  # (len(f), NB, G), never empty
            k = (acc[0][None] <= f[:, None, None]) & (f[:, None, None] <= acc[1][None])
            gap = np.maximum(acc[0][None] - f[:, None, None], f[:, None, None] - acc[1][None])
            return k | (gap <= np.min(gap, -1, keepdims=True))

        inside = kept(f_b)                                            # (B, NB, G)
        t0 = stat[:, i0][:, None, :]                                  # (B, 1, M)
        qb_b = np.max(np.where(inside[..., None], qb[None, None], -np.inf), 2)    # (B, NB, M)
        qa_b = np.min(np.where(inside[..., None], qa[None, None], np.inf), 2)
        k_b = _first_below(np.mean(t0 > qb_b, 0), alpha)              # (M,) index into betas
        k_a = _first_below(np.mean(t0 < qa_b, 0), alpha)
        in0 = kept(np.array([sig0 / tot]))[0]                         # (NB, G)
        qb0 = np.max(np.where(in0[k_b].T, qb, -np.inf), 0)
        qa0 = np.min(np.where(in0[k_a].T, qa, np.inf), 0)
        lo, hi = _invert(v_obs, qa0, qb0)
        last = {"beta_b": betas[k_b], "beta_a": betas[k_a], "f0": sig0 / tot}
        if pp is not None:          # "set_low": the lower of the two lower ends (NaN: none), the prepivot's upper
            self.last.update(last, lo_prepivot=pp[0], lo_set=lo)
            return np.minimum(pp[0], lo), pp[1], np.full(M, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            hi_lam = np.full(M, np.nan)
            if tuned:   # each R(lam) >= min R: the smallest of the penalties' upper ends, over the same set
                keep = in0[k_a]                                       # (M, G)
                ql0 = np.full((M, nl), np.inf)
                for gi in np.flatnonzero(keep.any(0)):
                    ql0 = np.where(keep[:, gi, None], np.minimum(ql0, world(grid[gi], True)[2]), ql0)
                up = np.min(np.where((ql0 > 0) & (v_all > 0), v_all / ql0, np.inf), -1)
                hi_lam = np.where(np.isfinite(up), up, np.nan)
        self.last = last
        return lo, hi, hi_lam
