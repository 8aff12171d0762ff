"""DifferenceLaw's worlds with each draw's own covariance estimate (tlw19 diagnosis).

Each draw b of the world (Sigma = Sigma_hat of the data, in its eigenbasis) gets a pool of N rows
Z_b ~ N(0, Sigma_hat) and Sigma_hat_b = Z_b'Z_b/N; every statistic of the draw is then formed exactly as the
advisor forms the data's: U-statistics per direction in Sigma_hat_b's eigenbasis, bias weights at
Sigma_hat_b's spectrum (the data's penalty grid), the inverse-Wishart debiasing (fixed_b_weights, or the
resolvent weights where the advisor uses them), kinv = (N - d - 1)/N / ev_b for the signal/noise split.
The independent scalar term g * iwc * tau^2 of DifferenceLaw is then not added (it is carried exactly)."""
import math

import numpy as np

from ftheory.advise import aniso_difference as AD
from ftheory.advise.bands import feasible_rows
from ftheory.advise.predict import linear_transfer_risk
from ftheory.advise.sigma_debias import fixed_b_weights, resolvent_weights_many
from ftheory.aniso.scratch import risk_weights_many

KEYS = AD.KEYS


class PoolLaw(AD.DifferenceLaw):
    def __init__(self, ap, n, profile=1, pool_seed=7, teachers=None, even=False, gauss=None):
        super().__init__(ap, n, profile)
        if gauss is not None:                          # Gaussian coefficients of the same profiles (diagnosis)
            g = np.random.default_rng(gauss).standard_normal((2, ap.d))
            bs, bz = self.bs * g[0], np.abs(self.bz) * g[1]
            self.bs = bs * math.sqrt(np.sum(ap.ev * self.bs ** 2) / np.sum(ap.ev * bs ** 2))
            self.bz = bz * math.sqrt(np.sum(ap.ev * self.bz ** 2) / np.sum(ap.ev * bz ** 2))
            self.c = float(np.clip(np.sum(ap.ev * self.bs * self.bz), -0.999, 0.999))
        if even:                                       # distance and source whitened-even (diagnosis)
            p = ap.ev / ap.d
            self.bs = np.sqrt(p) / ap.ev
            self.bz = np.sqrt(p) / ap.ev * np.sign(self.bz)
            self.c = float(np.clip(np.sum(ap.ev * self.bs * self.bz), -0.999, 0.999))
        if teachers is not None:                       # (b_s, b_z) in Sigma_hat's eigenbasis (diagnosis)
            self.bs, self.bz = (np.asarray(t, float) for t in teachers)
        pv = ap.pivot()
        nn, d, B, N = ap.n, ap.d, pv.B, int(ap.n_unlabeled)
        ev = ap.ev
        U = {k: np.empty((B, d)) for k in KEYS}
        mm = {k: np.empty(B) for k in KEYS}
        evs, kinvs = [], []
        sq = np.sqrt(ev)
        for b in range(B):
            raw = np.random.default_rng([pv.seed, 1 + b]).standard_normal(nn * d + nn + 1)
            xq = raw[:nn * d].reshape(nn, d) * sq
            e = raw[nn * d:nn * d + nn]
            s, zz = xq @ self.bs, xq @ self.bz
            Z = np.random.default_rng([pv.seed, pool_seed, b]).standard_normal((N, d)) * sq
            S = Z.T @ Z / N
            evb, Qb = np.linalg.eigh(0.5 * (S + S.T))
            evb = np.maximum(evb, 1e-12 * evb.max())
            xb = xq @ Qb
            x2 = xb * xb
            vec = {"s": (s, s @ xb), "e": (e, e @ xb), "z": (zz, zz @ xb)}
            for k in KEYS:
                (va, Xa), (vb, Xb) = vec[k[0]], vec[k[1]]
                U[k][b] = (Xa * Xb - (va * vb) @ x2) / (nn * (nn - 1))
                mm[k][b] = np.mean(va * vb)
            evs.append(evb)
            kinvs.append((N - d - 1) / N / evb)
        self.kinv_b = np.stack(kinvs)                                      # (B, d)
        lams = ap.lams
        nar = np.array([self.n])
        WV = risk_weights_many(evs, nar[:, None], lams[None, :])
        Wb = np.stack([np.broadcast_to(np.asarray(w, float), (1, lams.size, d))[0] for w, _ in WV])   # (B, nl, d)
        Vb = np.stack([np.broadcast_to(np.asarray(v, float), (1, lams.size))[0] for _, v in WV])      # (B, nl)
        fin = np.isfinite(Vb) & np.all(np.isfinite(Wb), -1)
        Wz = np.where(fin[..., None], Wb, 0.0)
        if ap.uses_resolvent():
            ks = resolvent_weights_many(evs, N, np.full((1, lams.size), float(self.n)), lams[None, :])
            kb = np.stack([np.asarray(k, float)[0] for k in ks])
            kb = np.where(np.any(Wz != 0.0, -1, keepdims=True), kb, 0.0)
        else:
            kb = np.stack([fixed_b_weights(Wz[b], evs[b], N) for b in range(B)])
        self.KUb = np.stack([np.einsum("bd,bld->bl", U[k], kb) for k in KEYS])        # (6, B, nl)
        self.Vb = np.where(fin, Vb, np.inf)
        self.TUb = np.stack([np.sum(U[k] * self.kinv_b, -1) for k in KEYS])           # (6, B)
        if teachers is not None or even or gauss is not None:               # the label means of the pieces with these teachers
            self.m = np.stack([mm[k] for k in KEYS])

    def world(self, f, Sy, rho, r2, Sr, overlap=False):
        a, b, ce, cs, kap = self._amplitudes(f, Sy, rho, r2, Sr)
        W, V, n = self.W, self.V, self.n
        ev = self.ap.ev
        bt, bsrc, bd = a * self.bs + b * self.bz, kap * self.bs + b * self.bz, cs * self.bs
        sig = ce * ce
        Rs = float(np.min(W @ (bt * bt) + V * sig))
        Rf = float(np.min(W @ (bd * bd) + V * sig))
        Rp = float(linear_transfer_risk(n, float(np.sum(ev * bt * bt)), sig, float(np.sum(ev * bt * bsrc)),
                                        float(np.sum(ev * bsrc * bsrc))))
        cy, cr = AD._quad(a, b, ce), AD._quad(cs, 0.0, ce)
        m = self.m
        Sy_b = cy @ m
        tau_b = cy @ self.TUb
        sig_b = Sy_b - tau_b
        with np.errstate(invalid="ignore"):
            rs = np.maximum(np.min(np.where(np.isfinite(self.Vb), np.tensordot(cy, self.KUb, 1) + sig_b[:, None] * np.where(np.isfinite(self.Vb), self.Vb, 0), np.inf), -1), 0.0)
            rf = np.maximum(np.min(np.where(np.isfinite(self.Vb), np.tensordot(cr, self.KUb, 1) + sig_b[:, None] * np.where(np.isfinite(self.Vb), self.Vb, 0), np.inf), -1), 0.0)
        r2_b = kap * kap * m[0] + 2 * kap * b * m[3] + b * b * m[5]
        rho_b = a * kap * m[0] + (a * b + b * kap) * m[3] + b * b * m[5] + ce * kap * m[1] + ce * b * m[4]
        P = feasible_rows(np.stack([tau_b, sig_b, rho_b, r2_b], -1))
        rp = linear_transfer_risk(n, P[:, 0], P[:, 1], P[:, 2], P[:, 3])
        stat = np.stack([(rs - rp) - (Rs - Rp), (rs - rf) - (Rs - Rf)], -1) / np.maximum(Sy_b, 1e-300)[:, None]
        if overlap:
            return stat, AD._fraction(sig_b, tau_b, Sy_b), rho_b / np.maximum(Sy_b, 1e-300), np.array([Rs - Rp, Rs - Rf])
        return stat, AD._fraction(sig_b, tau_b, Sy_b)


class OldLaw(AD.DifferenceLaw):
    """d2a6757's world (with overlap=True) on main's DifferenceLaw."""
    def world(self, f, Sy, rho, r2, Sr, overlap=False):
        stat, fh = super().world(f, Sy, rho, r2, Sr)
        if not overlap:
            return stat, fh
        a, b, ce, cs, kap = self._amplitudes(f, Sy, rho, r2, Sr)
        m = self.m
        cy = AD._quad(a, b, ce)
        Sy_b = cy @ m
        rho_b = a * kap * m[0] + (a * b + b * kap) * m[3] + b * b * m[5] + ce * kap * m[1] + ce * b * m[4]
        ev, W, V, n = self.ap.ev, self.W, self.V, self.n
        bt, bsrc, bd = a * self.bs + b * self.bz, kap * self.bs + b * self.bz, cs * self.bs
        sig = ce * ce
        Rs = float(np.min(W @ (bt * bt) + V * sig))
        Rf = float(np.min(W @ (bd * bd) + V * sig))
        Rp = float(linear_transfer_risk(n, float(np.sum(ev * bt * bt)), sig, float(np.sum(ev * bt * bsrc)),
                                        float(np.sum(ev * bsrc * bsrc))))
        return stat, fh, rho_b / np.maximum(Sy_b, 1e-300), np.array([Rs - Rp, Rs - Rf])


def fixed_world(law, sig, pivot=False):
    """T_hat_lt - T per draw (B,) in the world with teachers beta_t = b_s + b_z, beta_s = b_z (law built with
    ``teachers=(Q'(beta_t - beta_s), Q'beta_s)``) and noise variance ``sig`` (diagnosis); ``pivot``: divided by
    each draw's label variance (the pivot z of the bands)."""
    ev, W, V, n = law.ap.ev, law.W, law.V, law.n
    bt, bsrc = law.bs + law.bz, law.bz
    Rs = float(np.min(W @ (bt * bt) + V * sig))
    Rp = float(linear_transfer_risk(n, float(np.sum(ev * bt * bt)), sig, float(np.sum(ev * bt * bsrc)),
                                    float(np.sum(ev * bsrc * bsrc))))
    ce = math.sqrt(sig)
    cy = AD._quad(1.0, 1.0, ce)
    m = law.m
    Sy_b = cy @ m
    tau_b = cy @ law.TUb
    sig_b = Sy_b - tau_b
    fin = np.isfinite(law.Vb)
    rs = np.maximum(np.min(np.where(fin, np.tensordot(cy, law.KUb, 1) + sig_b[:, None] * np.where(fin, law.Vb, 0), np.inf), -1), 0.0)
    r2_b = m[5]
    rho_b = m[3] + m[5] + ce * m[4]
    P = feasible_rows(np.stack([tau_b, sig_b, rho_b, r2_b], -1))
    rp = linear_transfer_risk(n, P[:, 0], P[:, 1], P[:, 2], P[:, 3])
    out = (rs - rp) - (Rs - Rp)
    return out / np.maximum(Sy_b, 1e-300) if pivot else out
