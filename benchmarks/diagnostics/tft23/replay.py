"""tft23: why does T_ft's band below n = d (DifferenceLaw) leave the truth above it at setting 8?
Replays benchmarks/advisor_band_coverage.py (task seed 500 + I, the stream's generator, --advisor-seeds rep: the
report's predict() exactly as the benchmark calls it) and per data set records T_hat, the band, the truth, the real
statistic t = (T_hat - T)/S_y (S_y the data's label variance), the scratch and fine-tuning estimates' own errors,
the data's noise fraction f0 (as DifferenceLaw reads it) and whether the feasible noise estimate is clipped,
DifferenceLaw's prepivoted quantiles and levels, and the law of (T_hat - T)/S_y in several worlds at Sigma = Sigma_hat:

* P: the band's own (prepivoted) quantiles (DifferenceLaw.quantiles);
* Fw: DifferenceLaw.world at the fitted scalars (f0, Sy, rho, r2, Sr), the pivot's draws, plain 2.5 / 97.5% points;
  Fw_g: its 2.5 / 97.5% points at every fraction of the grid (how the law moves with f);
* Tw: DifferenceLaw.world at the true scalars (f, Sy, rho, r2, Sr of the population) with the fitted profiles;
* cand: screened alternatives from the same worlds (candidates());
  cand cond_pp: the conditional law at the fitted world with prepivoted levels (cond_pp());
* Pt: the band's rule (DifferenceLaw.quantiles) at the true scalars, and the fitted world's law cut at the levels it
  calibrates there (the level from the true world, the quantile from the fitted one);
* Fs / Ts / Ts_fm: fresh draws (this script's sim(), the estimator formed as DifferenceLaw.world forms it) at the
  fitted world's teachers (a check of sim against Fw), at the true teachers in Sigma_hat's eigenbasis (true profile
  and magnitudes), and at the true teacher shapes scaled to the fitted magnitudes; each with the scratch and
  fine-tuning parts of the error (e_s, e_f per unit S_y) so that the side that errs can be read.

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/tft23/replay.py INDEX STREAM START STOP OUT.json
"""
import json
import math
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from advisor_band_coverage import SETTINGS, SPECTRA, advisor_seed, true_risks  # noqa: E402
from ftheory.advise import aniso_difference as adiff  # noqa: E402
from ftheory.advise.estimators import estimate_parameters, prepare  # noqa: E402
from ftheory.advise.param_cov import feasible  # noqa: E402
from ftheory.advise.report import predict  # noqa: E402
from ftheory.advise.synthetic import make_task  # noqa: E402

REC = {}
_bands = adiff.DifferenceLaw.bands
_quant = adiff.DifferenceLaw.quantiles


def bands(self, t_lt, t_ft, level=0.95):
    REC["dl"] = self
    return _bands(self, t_lt, t_ft, level)


def quantiles(self, Sy, tau, rho, r2, Sr, level=0.95):
    lo, hi = _quant(self, Sy, tau, rho, r2, Sr, level)
    REC["q"] = {"Sy": Sy, "tau": tau, "rho": rho, "r2": r2, "Sr": Sr, "lo": lo.tolist(), "hi": hi.tolist(),
                "last": {k: np.ravel(v).tolist() for k, v in self.last.items()}}
    return lo, hi


adiff.DifferenceLaw.bands = bands
adiff.DifferenceLaw.quantiles = quantiles
QS = [0.025, 0.5, 0.975]


def sim(dl, bt, bsrc, sigma, B, seed):
    """Fresh draws of DifferenceLaw.world's estimator at teachers bt (target), bsrc (source) in Sigma_hat's
    eigenbasis, noise sigma: (stat, e_s, e_f) per draw, each per unit of the draw's S_y."""
    ap, W, V, n = dl.ap, dl.W, dl.V, dl.n
    ev = ap.ev
    kk = W / ev ** 2
    bd = bt - bsrc
    Rs = float(np.min(W @ (bt * bt) + V * sigma ** 2))
    Rf = float(np.min(W @ (bd * bd) + V * sigma ** 2))
    tau2w = float(np.sum(ev * bt * bt))
    rng = np.random.default_rng(seed)
    out = []
    for c0 in range(0, B, 500):
        c = min(500, B - c0)
        xq = rng.standard_normal((c, n, ev.size)) * np.sqrt(ev)
        e = rng.standard_normal((c, n))
        g = rng.standard_normal(c)
        z = xq @ bsrc
        y = xq @ bt + sigma * e
        x2 = xq * xq

        def U(w):
            v = np.einsum("cnd,cn->cd", xq, w)
            return (v * v - np.einsum("cn,cnd->cd", w * w, x2)) / (n * (n - 1))
        Uy, Ur = U(y), U(y - z)
        Sy = np.mean(y * y, 1)
        tau = Uy @ (1 / ev) - g * dl.iwc * tau2w
        sig = Sy - tau
        rs = np.maximum(np.min(Uy @ kk.T + np.outer(sig, V), -1), 0.0)
        rf = np.maximum(np.min(Ur @ kk.T + np.outer(sig, V), -1), 0.0)
        out.append(np.stack([(rs - rf - (Rs - Rf)) / Sy, (rs - Rs) / Sy, (rf - Rf) / Sy], -1))
    return np.concatenate(out), Rs, Rf


def candidates(st0, fh0, wg, f0, k=128, pool=512):
    """Screened alternatives to the prepivoted quantiles, each ``(lo, hi)`` of ``(T_hat - T)/S_y`` (fine-tuning):
    cond_fit: the fitted world's law given the draw's fraction near f0 (the ``k`` nearest draws); cond_union: the
    most extreme of those conditional quantiles over the grid worlds whose central 95% of f_hat holds f0; post: the
    draws of all grid worlds whose f_hat is within ``h`` of f0, pooled (the law given f_hat = f0 with the fraction
    uniform over the grid), ``h`` the smallest that keeps ``pool`` draws."""
    def knn(st, fh):
        i = np.argsort(np.abs(fh - f0))[:k]
        return np.quantile(st[i, 1], [0.025, 0.975])
    out = {"cond_fit": knn(st0, fh0).tolist()}
    qs = [knn(w[0], w[1]) for w in wg]
    inset = [np.quantile(w[1], 0.025) <= f0 <= np.quantile(w[1], 0.975) for w in wg]
    if any(inset):
        out["cond_union"] = [float(min(q[0] for q, i in zip(qs, inset) if i)),
                             float(max(q[1] for q, i in zip(qs, inset) if i))]
    else:
        out["cond_union"] = out["cond_fit"]
    dist = np.concatenate([np.abs(w[1] - f0) for w in wg])
    stat = np.concatenate([w[0][:, 1] for w in wg])
    h = np.sort(dist)[min(pool, dist.size) - 1]
    sel = dist <= h
    out["post"] = np.quantile(stat[sel], [0.025, 0.975]).tolist()
    out["post_h"] = float(h)
    out["cond_pp"], out["cond_pp_levels"] = cond_pp(st0, fh0, wg, f0, k)
    out["inset"] = int(sum(inset))
    return out


def cond_pp(st0, fh0, wg, f0, k=128, alpha=0.025):
    """The conditional law prepivoted: ``(lo, hi)`` of the fitted world's law given f_hat near f0 (the ``k`` draws
    nearest in f_hat, as a window of the draws sorted by f_hat), at levels calibrated in the fitted world with each
    draw judged by the conditional quantile, given its own f_hat, of its own world (the grid's world at its f_hat,
    linear between grid points); and the two levels."""
    from ftheory.advise.prepivot import PP_LEVELS, calibrated_level, grid_weights

    lev = alpha * PP_LEVELS

    def window(t, fh, fq, levels):
        o = np.argsort(fh)
        fs, ts = fh[o], t[o]
        start = np.clip(np.searchsorted(fs, fq) - k // 2, 0, fs.size - k)
        return np.quantile(np.sort(ts[start[:, None] + np.arange(k)], 1), levels, axis=1)      # (L, Q)
    grid = adiff.GRID
    t0 = st0[:, 1]
    ig, w = grid_weights(fh0, grid)
    ar = np.arange(t0.size)
    out, levels = [], []
    for upper in (False, True):
        L = 1 - lev if upper else lev
        Qg = np.stack([window(x[0][:, 1], x[1], fh0, L) for x in wg])                      # (G, L, B)
        own = ((1 - w) * Qg[ig, :, ar] + w * Qg[ig + 1, :, ar]).T                         # (L, B)
        a = float(calibrated_level(t0[:, None], own[..., None], lev, alpha, upper)[0])
        levels.append(a)
        out.append(float(window(t0, fh0, np.array([f0]), np.array([1 - a if upper else a]))[0, 0]))
    return out, levels


def summ(st, real):
    """Quantiles of each column and the PIT of the real values (stat, e_s, e_f)."""
    st = np.atleast_2d(st.T).T
    return {"q": np.quantile(st, QS, axis=0).T.tolist(),
            "pit": [float(np.mean(st[:, i] < real[i])) for i in range(min(st.shape[1], len(real)))]}


def main():
    index, stream, start, stop, out = (int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]),
                                       sys.argv[5])
    d, gamma, theta, sigma, spec = setting = SETTINGS[index]
    n = int(round(gamma * d))
    seed = 500 + index
    ev_true = SPECTRA[spec](d)
    task = make_task(d, theta, sigma, eigenvalues=ev_true, seed=seed)
    truth = true_risks(task, ev_true, n - 1, d)
    tr = task.truth()
    Sy_t = tr["signal"] + sigma ** 2
    rho_t, r2_t = tr["overlap_inner"], tr["source_signal"]
    Sr_t = tr["distance"] + sigma ** 2
    f_t = sigma ** 2 / Sy_t
    rng = np.random.default_rng(seed + 1 if stream == 0 else [seed + 1, stream])
    res = {"setting": setting, "stream": stream, "truth": {k: truth[k] for k in ("scratch_ridge", "finetune_ridge",
           "T_finetune")}, "true_scalars": {"Sy": Sy_t, "rho": rho_t, "r2": r2_t, "Sr": Sr_t, "f": f_t}, "reps": []}
    T = truth["T_finetune"]
    for rep in range(stop):
        X, y = task.sample(n, rng)
        U = task.sample(20 * d, rng)[0]
        if rep < start:
            continue
        t0 = time.time()
        prep = prepare(X, y, X @ task.beta_s, U)
        pe = estimate_parameters(prep, seed=advisor_seed(seed, stream, rep))
        m = prep.X.shape[0]
        REC.clear()
        preds, transf, *_ = predict(prep, pe, [m], m)
        iv = transf["finetune"]
        if "dl" not in REC:
            print(f"rep {rep}: no DifferenceLaw", flush=True)
            continue
        dl, q = REC["dl"], REC["q"]
        Sy = q["Sy"]
        ps, pf = preds["scratch_ridge"], preds["finetune_ridge"]
        real = [(iv.value - T) / Sy, (ps.value - truth["scratch_ridge"]) / Sy, (pf.value - truth["finetune_ridge"]) / Sy]
        f0 = float(adiff._fraction(np.array([Sy - q["tau"]]), np.array([q["tau"]]), np.array([Sy]))[0])
        row = {"rep": rep, "T_hat": iv.value, "lo": iv.low, "hi": iv.high, "Sy": Sy, "tau": q["tau"], "rho": q["rho"],
               "r2": q["r2"], "Sr": q["Sr"], "f0": f0, "sig_raw": Sy - q["tau"],
               "clipped": bool(feasible(pe.p)[1] == 0), "p_hat": [float(x) for x in pe.p],
               "P": {"lo": q["lo"][1], "hi": q["hi"][1], "last": q["last"]}, "real": real,
               "scratch": [ps.value, ps.low, ps.high], "finetune": [pf.value, pf.low, pf.high]}
        # the band's pivot draws: the fitted world and the true scalars (fitted profiles)
        st, fh, _ = dl.world(f0, Sy, q["rho"], q["r2"], q["Sr"])
        row["Fw"] = {"q": np.quantile(st[:, 1], QS).tolist(), "pit": float(np.mean(st[:, 1] < real[0])),
                     "fhat_q": np.quantile(fh, QS).tolist()}
        grid = adiff.GRID
        wg = [dl.world(f, Sy, q["rho"], q["r2"], q["Sr"])[:2] for f in grid]
        row["Fw_g"] = [np.quantile(w[0][:, 1], [0.025, 0.975]).tolist() for w in wg]
        row["cand"] = candidates(st, fh, wg, f0)
        st, fh, _ = dl.world(f_t, Sy_t, rho_t, r2_t, Sr_t)
        row["Tw"] = {"q": np.quantile(st[:, 1], QS).tolist(), "pit": float(np.mean(st[:, 1] < real[0])),
                     "fhat_q": np.quantile(fh, QS).tolist()}
        # the band's rule at the true scalars (oracle nuisances, fitted profiles): its prepivoted quantiles and levels,
        # and the fitted world's law cut at the true world's calibrated levels
        st0 = dl.world(f0, Sy, q["rho"], q["r2"], q["Sr"])[0][:, 1]
        keep = dict(REC["q"])
        tlo, thi = _quant(dl, Sy_t, Sy_t - sigma ** 2, rho_t, r2_t, Sr_t)
        la = float(np.ravel(dl.last["level_a"])[1])
        lb = float(np.ravel(dl.last["level_b"])[1])
        row["Pt"] = {"lo": float(tlo[1]), "hi": float(thi[1]), "level_a": la, "level_b": lb,
                     "Fw_at_true_levels": [float(np.quantile(st0, la)), float(np.quantile(st0, 1 - lb))]}
        REC["q"] = keep
        # fresh draws: fitted teachers (check), true teachers, true shapes at fitted magnitudes
        a, b, ce, cs, kap = dl._amplitudes(f0, Sy, q["rho"], q["r2"], q["Sr"])
        Q = dl.ap._Q
        bt_true, bs_true = Q.T @ task.beta_t, Q.T @ task.beta_s
        ev = dl.ap.ev
        bt_f, bs_f = a * dl.bs + b * dl.bz, kap * dl.bs + b * dl.bz
        # true shapes scaled: target distance to the fitted distance, source to the fitted source
        dist_t = bt_true - bs_true
        dn = math.sqrt(np.sum(ev * (cs * dl.bs) ** 2) / np.sum(ev * dist_t ** 2))
        sn = math.sqrt(max(np.sum(ev * bs_f ** 2), 1e-300) / np.sum(ev * bs_true ** 2))
        worlds = {"Fs": (bt_f, bs_f, ce), "Ts": (bt_true, bs_true, sigma),
                  "Ts_fm": (dn * dist_t + sn * bs_true, sn * bs_true, ce)}
        for name, (bt, bsrc, sg) in worlds.items():
            st, Rs, Rf = sim(dl, bt, bsrc, sg, 2000, [seed, stream, rep, 11])
            row[name] = summ(st, real)
            row[name]["R"] = [Rs, Rf]
        row["sec"] = time.time() - t0
        res["reps"].append(row)
        if rep % 10 == 0:
            print(f"rep {rep} {row['sec']:.1f}s T_hat {iv.value:.3f} [{iv.low:.3f}, {iv.high:.3f}] T {T:.3f} f0 {f0:.2f}"
                  f" real {real[0]:.3f} P {q['lo'][1]:.3f} Fw {row['Fw']['q'][0]:.3f} Tw {row['Tw']['q'][0]:.3f}"
                  f" Ts {row['Ts']['q'][0][0]:.3f}", flush=True)
            with open(out, "w") as fh_:
                json.dump(res, fh_)
    with open(out, "w") as fh_:
        json.dump(res, fh_)


if __name__ == "__main__":
    main()
