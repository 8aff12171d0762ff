"""tftune28: why the tuned fine-tuning band below n = d (anisotropic) misses on both sides off the grid.

tuned23's layers (``tuned23/layers.py``) on the off-grid and held-out settings, with the data sets drawn by the
benchmark's own generator (``datasets``, rep seeds). Per data set: the report's band of ``finetune_ridge`` (or
``scratch_ridge``) before the caps (``AnisotropicPredictor.bands``), which end the pivot took (ray or the penalties'
``hi_lam``), the pivot's fitted nuisances and calibrated betas, the real statistic ``t = min_lam R_hat(lam) / R_true``
and its PIT in the simulated law of ``min R_hat*/min R*`` at Sigma = Sigma_hat in the worlds F (fitted), T (truth in
Sigma_hat's eigenbasis), T0 (T without the pooled term), FpTm (fitted profile, true magnitudes), TpFm (true profile,
fitted magnitudes); and ``t_known`` (the same data with Sigma known).

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/tftune28/layers.py SET INDEX REPS WHICH OUT.json
        SET: grid, offgrid or heldout; WHICH: finetune or scratch
"""
import dataclasses
import json
import math
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import advisor_band_coverage as b  # noqa: E402
from diagnostics.tuned23.layers import RECORD, sim  # noqa: E402  (also wraps ScalePivot._ends to record)
from ftheory.advise.aniso_pool import pool_sd  # noqa: E402
from ftheory.advise.aniso_predict import AnisotropicPredictor  # noqa: E402


def main():
    kind, index, reps, which, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
    setting, seed = b.setting_at(kind, index)
    task, ev_true, n = b.setting_task(setting, seed)
    d, sigma = setting[0], setting[3]
    truth = b.true_risks(task, ev_true, n - 1, d)
    col = f"{which}_ridge"
    R_true = truth[col]
    res = {"set": kind, "index": index, "setting": setting, "which": which, "truth": R_true, "reps": []}
    j = 0 if which == "scratch" else 1
    for rep, prep, pe in b.datasets(setting, seed, reps, 0, 20, "rep"):
        t0 = time.time()
        m = prep.X.shape[0]
        aniso = AnisotropicPredictor(prep, seed=pe.seed)
        RECORD.clear()
        value, lo, hi = (float(x[0]) for x in aniso.bands(col, np.array([m])))
        rec, ends = RECORD[(which, j)]
        hi_lam_other = [RECORD[(which, k)][1][2] for k in (2, 3) if (which, k) in RECORD]
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
        bfit = np.sqrt(L0 * piv.P[j]) / ev
        sgn = np.where(np.random.default_rng([piv.seed, 0]).standard_normal(d) > 0, 1.0, -1.0)
        bzf = np.sqrt(rz * piv.p_source) / ev * sgn if which == "finetune" else np.zeros(d)
        dl = task.beta_t - task.beta_s if which == "finetune" else task.beta_t
        bt_true = Q.T @ dl
        bz_true = Q.T @ task.beta_s if which == "finetune" else np.zeros(d)
        L_t = float(np.sum(ev * bt_true ** 2))
        rz_t = float(np.sum(ev * bz_true ** 2))
        layers = {"F": (bfit, bzf, math.sqrt(sig0), extra), "T": (bt_true, bz_true, sigma, extra),
                  "T0": (bt_true, bz_true, sigma, 0 * extra),
                  "FpTm": (bfit * math.sqrt(L_t / L0), bzf * math.sqrt(rz_t / rz) if rz > 0 else bzf, sigma, extra),
                  "TpFm": (bt_true * math.sqrt(L0 / L_t), bz_true * math.sqrt(rz / rz_t) if rz_t > 0 else bz_true,
                           math.sqrt(sig0), extra)}
        row = {"rep": rep, "value": value, "lo": lo, "hi": hi, "v_obs": v_obs, "sel": sel, "pivot_ends": ends,
               "hi_lam_other": hi_lam_other, "last": {k: np.ravel(x).tolist() for k, x in rec.items()},
               "a": piv.a[which], "L0": L0, "sig0": sig0, "rz": rz, "L_true": L_t, "rz_true": rz_t,
               "f_true": sigma ** 2 / (L_t + sigma ** 2), "extra": float(extra[0]), "t_real": v_obs / R_true,
               "layers": {}}
        for name, (bt, bz, sg, ex) in layers.items():
            st, Rm = sim(ev, W, V, ex, bt, bz, sg, 2000, [seed, rep, 7], m)
            row["layers"][name] = {"q": [float(x) for x in np.quantile(st, [0.025, 0.5, 0.975])],
                                   "pit": float(np.mean(st < v_obs / R_true)), "Rmin": Rm}
        prep_k = dataclasses.replace(prep, Sigma=task.Sigma, Sigma_inv=np.linalg.inv(task.Sigma), n_unlabeled=0)
        ak = AnisotropicPredictor(prep_k, pivot_draws=0)
        row["t_known"] = float(np.min(ak._estimate(which, ns, ak.lams)[-1][0])) / R_true
        row["sec"] = time.time() - t0
        res["reps"].append(row)
        if rep % 10 == 0:
            print(f"rep {rep} {row['sec']:.2f}s t {row['t_real']:.3f} band [{lo:.3f}, {hi:.3f}] truth {R_true:.3f} "
                  + " ".join(f"{k}:{v['pit']:.2f}" for k, v in row["layers"].items()), flush=True)
            with open(out, "w") as fh:
                json.dump(res, fh)
    with open(out, "w") as fh:
        json.dump(res, fh)


if __name__ == "__main__":
    main()
