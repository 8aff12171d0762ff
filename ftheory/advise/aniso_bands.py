"""Anisotropic band helpers: the transferability as ONE linear functional of the statistics with its exact
standard error (a comparator: ``benchmarks/advisor_band_coverage.py --transfer-exact``; not used by the
report), and :class:`ScalePivot`, the simulated law of the risk estimate that gives the min-norm and tuned
bands below n = d (used by :meth:`~ftheory.advise.aniso_predict.AnisotropicPredictor.bands`).

At fixed penalties (those the point estimates select) both tuned risks are linear combinations of the
same statistics ``U(a, diag k)``, ``U(y, Sigma^-1)`` and ``S(a)``
(:meth:`~ftheory.advise.aniso_predict.AnisotropicPredictor.functional`), and so is their difference
``T = R_scratch - R_finetune``; the probe's risk enters through its gradient in ``p``. The variance of
``T_hat`` is the exact Gaussian variance of that combination (both risks share the noise estimate,
whose terms cancel in part), instead of the two bands' half-widths combined as those of correlated
normal estimates (the report's band of T_lt, and of T_ft below n = d), which over-covered (97.8-99.8% at gamma >= 2; above
n = d the report now uses :class:`ftheory.advise.aniso_transfer.NoiseRegion`). Measured
(docs/advisor_validation.md, Bands): the exact standard error matches the spread of
``T_hat`` given Sigma_hat, but ``T_hat`` at gamma >= 2 is a small difference whose bias (penalty selection,
Sigma_hat) is comparable to its spread, and the Wald band under-covers (72-88%).
"""
from __future__ import annotations

import math

import numpy as np

from ftheory.advise.bands import Z95

__all__ = ["functional_value", "difference", "transfer_band", "transfer_functionals"]


def functional_value(aniso, F):
    """Value of a functional (terms ``(kind, a, k, coef)``) at the data."""
    total = 0.0
    for kind, a, k, c in F:
        a = np.asarray(a, float)
        if kind == "S":
            total += c * float(a @ aniso.S_raw @ a)
        else:
            G = np.einsum("i,ijk->jk", np.asarray(k, float), aniso.g)
            total += c * float(a @ G @ a)
    return total


def difference(F, G):
    """The functional ``F - G``."""
    return list(F) + [(kind, a, k, -c) for kind, a, k, c in G]


def transfer_band(aniso, F, value, z=Z95, t_hi=0.0):
    """``(value, low, high)`` for the functional ``F`` with centre ``value``: ``value -+ z sd`` with the
    exact standard error of ``F`` (plug-in for the lower end, at the candidate task with an even signal
    ``t_hi`` added for the upper end)."""
    v0 = aniso.cov_functionals(F, F)
    if not math.isfinite(v0):
        return value, -math.inf, math.inf
    sd0 = math.sqrt(max(v0, 0.0))
    sd1 = math.sqrt(max(aniso.cov_functionals(F, F, t_hi), 0.0)) if t_hi else sd0
    return value, value - z * sd0, value + z * max(sd0, sd1)



def transfer_functionals(aniso, pe, n, probe_risk):
    """``{"linear_transfer": (F, value), "finetune": (F, value)}``: the transferabilities at ``n`` as
    functionals at the penalties the point estimates select (the probe's risk ``probe_risk(p)`` through
    its central-difference gradient at the feasible estimate)."""
    from ftheory.advise.estimators import feasible

    Fs, Ff = aniso.functional("scratch", n), aniso.functional("finetune", n)
    q = feasible(pe.p)
    h = 1e-6 * (np.abs(q) + np.sqrt(np.maximum(np.diag(pe.cov), 0)) + 1e-300)
    g = np.array([(probe_risk(q + h[j] * e) - probe_risk(q - h[j] * e)) / (2 * h[j]) for j, e in enumerate(np.eye(4))])
    vs, vf = max(functional_value(aniso, Fs), 0.0), max(functional_value(aniso, Ff), 0.0)
    return {"linear_transfer": (difference(Fs, aniso.parameter_functional(g)), vs - float(probe_risk(q))),
            "finetune": (difference(Fs, Ff), vs - vf)}


def int_seed(seed) -> int:
    """One integer seed from an int or a numpy Generator / None (drawn from it), so that every band of a
    predictor uses the same draws."""
    return int(seed) if isinstance(seed, (int, np.integer)) else int(np.random.default_rng(seed).integers(2 ** 62))


# -- bands of the min-norm and tuned risks below n = d: the simulated law in a scale family ----------------
PROFILES = ("bias", "whitened", "coordinate")


class ScalePivot:
    """Bands from the law of the risk estimate simulated at Gaussian tasks with ``Sigma = Sigma_hat``.

    A task of the family has per-direction signal energies ``L p_i`` (``u`` units, ``sum_i p_i/lambda_i = 1``)
    for a profile ``p``, noise ``sigma^2`` and (fine-tuning) a source part; every statistic is quadratic in
    the labels, so scaling the task by ``c`` scales the estimate and the risk by ``c`` and
    ``R_hat/R`` is a pivot along the ray through a base task: the band is
    ``[R_hat/q_97.5, R_hat/q_2.5]`` with ``q`` the quantiles of ``R_hat*/R*`` over draws at the base task
    (exact test inversion on the ray). The base task has the estimated signal-to-noise split
    (signal ``tau_hat^2``, or the distance for fine-tuning, and ``sigma_hat^2``, each at least 5% of
    the label variance); the profile is not identified at ``n < d``, so the band is the union over three
    (:data:`PROFILES`): the least-favourable one (in proportion to the bias weights of the risk),
    even over whitened directions (``p_i ∝ lambda_i``) and even over coordinates (``p_i ∝ lambda_i^2``).
    The tuned risk uses the law of ``min_lam R_hat(lam)`` (the selection included). An upper end is
    returned only where ``q_2.5 > 0`` and the estimate is positive (else the ray test accepts every
    scale). Draws: ``X ~ N(0, Sigma_hat)`` in the eigenbasis, ``draws`` data sets of the data's size, common
    to all profiles and sample sizes (seeded); the inverse-Wishart spread of ``sigma_hat^2`` is added as a
    Gaussian term."""

    def __init__(self, ap, draws=256, seed=0, chunk_size=2_000_000):
        self.ap, self.B = ap, int(draws)
        self.seed = int_seed(seed)
        self.chunk = max(1, min(self.B, int(chunk_size // max(ap.n * ap.d, 1))))

    def _pairs(self, P):
        """Bilinear per-direction U-statistics and label means of the unit pieces ``s`` (signal with profile
        ``P[j]``), ``e`` (unit noise) and ``z`` (unit source part, even profile) over the draws:
        ``{pair: (U (B, J, d) or (B, d), m (B, J) or (B,))}``."""
        ap = self.ap
        n, d = ap.n, ap.d
        bs = np.sqrt(np.maximum(P, 0.0)) / ap.ev                     # (J, d) teachers in the eigenbasis
        out = {k: ([], []) for k in ("ss", "se", "ee", "sz", "ez", "zz")}
        gs = []
        rng0 = np.random.default_rng([self.seed, 0])
        bz = np.sqrt(ap.pi) / ap.ev * np.where(rng0.standard_normal(d) > 0, 1.0, -1.0)
        for c0 in range(0, self.B, self.chunk):
            c = min(self.chunk, self.B - c0)
            # one generator per draw: the draws do not depend on the chunking
            raw = [np.random.default_rng([self.seed, 1 + c0 + b]).standard_normal(n * d + n + 1) for b in range(c)]
            raw = np.stack(raw)
            xq = raw[:, :n * d].reshape(c, n, d) * np.sqrt(ap.ev)
            x2 = xq * xq
            e = raw[:, n * d:n * d + n]
            g = raw[:, -1]
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
            gs.append(g)
        res = {k: tuple(np.concatenate(x, 0) for x in v) for k, v in out.items()}
        res["g"] = (np.concatenate(gs),)
        return res

    def base(self, which):
        """``(L0, sigma0^2, r^2)``: signal (distance for fine-tuning) and noise of the base task, source part."""
        ap = self.ap
        S = ap.S_raw
        tau = float(ap.kinv @ ap.u["y"])
        Sy = max(float(S[0, 0]), 1e-300)
        sig0 = max(Sy - tau, 0.05 * Sy)
        if which == "scratch":
            return max(tau, 0.05 * Sy), sig0, 0.0
        Sr = max(float(S[0, 0] - 2 * S[0, 1] + S[1, 1]), 1e-300)
        return max(float(ap.kinv @ ap.u["y-z"]), 0.05 * Sr), sig0, max(float(S[1, 1]), 0.0)

    def bands(self, which, W, V, v_all, sel, tuned):
        """Lower and upper ends (NaN where the pivot gives none) over the first axis of ``W`` ``(M, nl, d)``,
        ``V`` ``(M, nl)`` (finite); ``v_all`` ``(M, nl)``: the estimates at every penalty, ``sel`` ``(M,)``: the
        penalty the tuned estimate selects (its bias weights give the least-favourable profile). Upper end of
        the tuned risk: the smallest over penalties of the ray's upper end for ``R(lam)``."""
        v_obs = v_all[np.arange(W.shape[0]), sel]
        ap = self.ap
        ev = ap.ev
        M = W.shape[0]
        Wsel = W[np.arange(M), sel]
        lf = Wsel / np.maximum(np.sum(Wsel / ev, -1, keepdims=True), 1e-300)
        fixed = np.stack([ev / np.sum(ev / ev), ev ** 2 / np.sum(ev)])           # whitened-even, coordinate-even
        P = np.concatenate([lf, fixed], 0)
        pr = self._pairs(P)
        L0, sig0, rz = self.base(which)
        splits = [(L0, sig0)]
        if tuned:
            # the law of the minimum depends on the signal-to-noise split: lower ends over its 95% range
            F = [("S", (1.0, 0.0), None, 1.0), ("Uinv", (1.0, 0.0), ap.kinv, -1.0)]
            h = Z95 * math.sqrt(max(ap.cov_functionals(F, F), 0.0)) / (L0 + sig0)
            f = sig0 / (L0 + sig0)
            splits += [((1 - g) * (L0 + sig0), g * (L0 + sig0)) for g in (max(f - h, 0.02), min(f + h, 0.98))]
        cz = math.sqrt(rz) if which == "finetune" else 0.0
        lo = np.full(M, np.inf)
        hi = np.full(M, -np.inf)
        for i, (L, sg) in enumerate(splits):
            cs, ce = math.sqrt(L), math.sqrt(sg)
            iw = (math.sqrt(2.0 / (ap.n_unlabeled - ap.d - 3)) * (L + cz * cz) * pr["g"][0]
                  if ap.n_unlabeled > ap.d + 3 else np.zeros(self.B))
            for j in range(M):
                for p in (j, M, M + 1):
                    Us = lambda k: pr[k][0][:, p] if k[0] == "s" else pr[k][0]          # noqa: E731
                    ms = lambda k: pr[k][1][:, p] if k[0] == "s" else pr[k][1]          # noqa: E731
                    # residual (y for scratch, y - z for fine-tuning) and target label combinations
                    Ur = cs * cs * Us("ss") + 2 * cs * ce * Us("se") + ce * ce * Us("ee")
                    mr = cs * cs * ms("ss") + 2 * cs * ce * ms("se") + ce * ce * ms("ee")
                    Uy = Ur + 2 * cz * (cs * Us("sz") + ce * Us("ez")) + cz * cz * Us("zz")
                    my = mr + 2 * cz * (cs * ms("sz") + ce * ms("ez")) + cz * cz * ms("zz")
                    kk = W[j] / ev ** 2
                    draws = Ur @ kk.T - Uy @ (V[j][:, None] / ev).T + np.outer(my + iw, V[j])   # (B, nl)
                    R = L * np.sum(W[j] * P[p] / ev ** 2, -1) + sg * V[j]
                    stat = draws.min(1) / R.min() if tuned else draws[:, 0] / R[0]
                    qh = np.quantile(stat, 0.975)
                    lo[j] = min(lo[j], v_obs[j] / qh if qh > 0 else -np.inf)
                    if i == 0:
                        # upper end: each R(lam) >= min_lam R(lam): min over lam of the ray's upper end for R(lam)
                        ql = np.quantile(draws / R, 0.025, axis=0)
                        with np.errstate(divide="ignore", invalid="ignore"):
                            up = np.where((ql > 0) & (v_all[j] > 0), v_all[j] / ql, np.inf)
                        hi[j] = max(hi[j], float(np.min(up)))
        return np.where(np.isfinite(lo), lo, np.nan), np.where(np.isfinite(hi), hi, np.nan)
