"""tuned23: is the tuned fine-tuning band's lower end below n = d too high because of the nuisances or the model?
Replays benchmarks/advisor_band_coverage.py (task seed 500 + I, the stream's generator, --advisor-seeds rep) and,
per data set, compares the real statistic t = min_lam R_hat(lam) / R_true (R_true: the benchmark's truth, the
deterministic equivalent at the true Sigma and teacher) with the simulated law of min R_hat*/min R* in worlds at
Sigma = Sigma_hat (the pivot's model) with: the fitted nuisances (F: fitted profile a, fitted L0, sigma0^2, source
r^2 with the pivot's random signs), the true ones (T: the true teacher distance and source in Sigma_hat's eigenbasis,
the true noise; T0: the same without the pooled Gaussian term), and mixes (FpTm: fitted profile at the true magnitudes;
TpFm: true profile shapes at the fitted magnitudes). Records each layer's 2.5 / 97.5% points and the PIT of the real
t, the report's band (value, lower end, upper end), the pivot's calibrated beta and the fitted exponent.

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/tuned23/layers.py INDEX STREAM REPS WHICH OUT.json
        WHICH: finetune or scratch (the tuned risk of that procedure)
"""
import json
import math
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from advisor_band_coverage import SETTINGS, SPECTRA, advisor_seed, true_risks  # noqa: E402
from ftheory.advise.aniso_pivot import ScalePivot  # noqa: E402
from ftheory.advise.aniso_pool import pool_sd  # noqa: E402
from ftheory.advise.aniso_predict import AnisotropicPredictor  # noqa: E402
from ftheory.advise.estimators import estimate_parameters, prepare  # noqa: E402
from ftheory.advise.synthetic import make_task  # noqa: E402

RECORD = {}
_orig = ScalePivot._ends


def _ends(self, which, j, *a, **k):
    out = _orig(self, which, j, *a, **k)
    RECORD[(which, j)] = (dict(self.last), [float(x[0]) for x in out])
    return out


ScalePivot._ends = _ends


def sim(ev, W, V, extra, bt, bz, sigma, B, seed, n):
    """min_lam est*/min_lam R* over B draws at X ~ N(0, diag ev), teacher distance bt, source bz (eigenbasis,
    actual coefficients), noise sigma; est* = U(r) . W/ev^2 + V sigma_hat^2 + g extra (Sigma_hat known)."""
    rng = np.random.default_rng(seed)
    kk = W / ev ** 2                                                  # (nl, d)
    R = W @ (bt * bt) + V * sigma ** 2                                # (nl,)
    out = []
    for c0 in range(0, B, 500):
        c = min(500, B - c0)
        xq = rng.standard_normal((c, n, ev.size)) * np.sqrt(ev)
        e = rng.standard_normal((c, n))
        g = rng.standard_normal(c)
        r = xq @ bt + sigma * e
        y = r + xq @ bz
        x2 = xq * xq

        def U(w):
            v = np.einsum("cnd,cn->cd", xq, w)
            return (v * v - np.einsum("cn,cnd->cd", w * w, x2)) / (n * (n - 1))
        Ur, Uy = U(r), U(y)
        s2 = np.mean(y * y, 1) - Uy @ (1 / ev)
        est = Ur @ kk.T + s2[:, None] * V[None] + g[:, None] * extra[None]
        out.append(np.min(est, 1) / np.min(R))
    return np.concatenate(out), float(np.min(R))


def main():
    index, stream, reps, which, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
    d, gamma, theta, sigma, spec = setting = SETTINGS[index]
    n = int(round(gamma * d))
    seed = 500 + index
    ev_true = SPECTRA[spec](d)
    task = make_task(d, theta, sigma, eigenvalues=ev_true, seed=seed)
    truth = true_risks(task, ev_true, n - 1, d)
    col = f"{which}_ridge"
    R_true = truth[col]
    rng = np.random.default_rng(seed + 1 if stream == 0 else [seed + 1, stream])
    res = {"setting": setting, "stream": stream, "which": which, "truth": R_true, "reps": []}
    j = 0 if which == "scratch" else 1
    Bs = 2000
    for rep in range(reps):
        t0 = time.time()
        X, y = task.sample(n, rng)
        U = task.sample(20 * d, rng)[0]
        prep = prepare(X, y, X @ task.beta_s, U)
        pe = estimate_parameters(prep, seed=advisor_seed(seed, stream, rep))
        m = prep.X.shape[0]
        aniso = AnisotropicPredictor(prep, seed=pe.seed)
        RECORD.clear()
        value, lo, hi = (float(x[0]) for x in aniso.bands(col, np.array([m])))
        rec, ends = RECORD[(which, j)]
        piv = aniso.pivot()
        ns = np.array([m])
        lams = aniso.lams
        W, V = aniso._weights(ns, lams)
        W, V = W[0], V[0]
        v = aniso._estimate(which, ns, lams)[-1][0]
        sel = int(np.argmin(v))
        v_obs = float(v[sel])
        extra = np.repeat(pool_sd(aniso, which, ns, lams[[sel]], seed=aniso.seed, paired=True), lams.size)
        ev, Q = aniso.ev, aniso._Q
        L0, sig0, rz = piv.base(which)
        # fitted world: profile P[j] scaled to L0 (u units: L p_i = ev_i^2 b_i^2), source p_source with the pivot's signs
        bfit = np.sqrt(L0 * piv.P[j]) / ev
        rng0 = np.random.default_rng([piv.seed, 0])
        sgn = np.where(rng0.standard_normal(d) > 0, 1.0, -1.0)
        bzf = np.sqrt(rz * piv.p_source) / ev * sgn if which == "finetune" else np.zeros(d)
        # true world in Sigma_hat's eigenbasis
        dl = task.beta_t - task.beta_s if which == "finetune" else task.beta_t
        bt_true = Q.T @ dl
        bz_true = Q.T @ task.beta_s if which == "finetune" else np.zeros(d)
        L_t = float(np.sum(ev * bt_true ** 2))
        rz_t = float(np.sum(ev * bz_true ** 2))
        # shapes swapped
        b_fp_tm = bfit * math.sqrt(L_t / L0)
        bz_fp_tm = bzf * math.sqrt(rz_t / rz) if rz > 0 else bzf
        b_tp_fm = bt_true * math.sqrt(L0 / L_t)
        bz_tp_fm = bz_true * math.sqrt(rz / rz_t) if rz_t > 0 else bz_true
        layers = {"F": (bfit, bzf, math.sqrt(sig0), extra), "T": (bt_true, bz_true, sigma, extra),
                  "T0": (bt_true, bz_true, sigma, 0 * extra), "FpTm": (b_fp_tm, bz_fp_tm, sigma, extra),
                  "TpFm": (b_tp_fm, bz_tp_fm, math.sqrt(sig0), extra)}
        row = {"rep": rep, "value": value, "lo": lo, "hi": hi, "v_obs": v_obs, "sel": sel, "pivot_ends": ends,
               "last": {k: np.ravel(x).tolist() for k, x in rec.items()}, "a": piv.a[which], "a_source": piv.a["source"],
               "L0": L0, "sig0": sig0, "rz": rz, "L_true": L_t, "rz_true": rz_t, "extra": float(extra[0]),
               "t_real": v_obs / R_true, "layers": {}}
        for name, (bt, bz, sg, ex) in layers.items():
            st, Rm = sim(ev, W, V, ex, bt, bz, sg, Bs, [seed, stream, rep, 7], m)
            # the real statistic against this world's law: the world's min R is its own risk; real t uses R_true
            row["layers"][name] = {"q": [float(x) for x in np.quantile(st, [0.025, 0.5, 0.975])],
                                   "pit": float(np.mean(st < v_obs / R_true)), "Rmin": Rm}
        # the real estimate with Sigma known (same X, y, z)
        import dataclasses
        prep_k = dataclasses.replace(prep, Sigma=task.Sigma, Sigma_inv=np.linalg.inv(task.Sigma), n_unlabeled=0)
        ak = AnisotropicPredictor(prep_k, pivot_draws=0)
        vk = ak._estimate(which, ns, ak.lams)[-1][0]
        row["t_known"] = float(np.min(vk)) / R_true
        row["sec"] = time.time() - t0
        res["reps"].append(row)
        if rep % 10 == 0:
            print(f"rep {rep} {row['sec']:.2f}s t_real {row['t_real']:.3f} lo {lo:.3f} truth {R_true:.3f} "
                  + " ".join(f"{k}:{v['q'][2]:.2f}/{v['pit']:.2f}" for k, v in row["layers"].items()), flush=True)
            with open(out, "w") as fh:
                json.dump(res, fh)
    with open(out, "w") as fh:
        json.dump(res, fh)


if __name__ == "__main__":
    main()
