"""oog25: the mechanism of the min-norm scratch and T_lt misses below n = d at the out-of-grid setting
(60, 0.7, 1.2, 0.3, two-level). Replays the band benchmark's data sets (``datasets``, rep seeds), runs the report's
``predict`` unchanged and records, by wrapping (not changing) the advisor's functions:

* min-norm scratch (``ScalePivot._prepivot``, first call = scratch): the fitted world's fraction ``f0``, the
  prepivoted levels and quantiles ``q_lo, q_hi`` of ``R_hat/R``, the plain 2.5/97.5% points at the fitted world,
  and the same law at the TRUE noise fraction (same total, same draws): its 2.5/97.5% points, the share of its draws
  beyond the data's ``q_hi`` / below ``q_lo``, and that share among its draws whose own fraction is within 0.05 of
  the data's ``f0``; the data's realised ratio ``v/R_true`` (a miss below iff it exceeds ``q_hi``).
* T_lt: the plug-in correlation passed to ``combine_concordant``; the simulated law's T_lt band that
  ``transfer_intervals`` computes and discards (``DifferenceLaw.bands``, mode "conditional": the fitted world's
  law given the estimated noise fraction) as a candidate; where the noise estimate is clipped, the law given the
  clip (4096 draws) at the true noise fraction alone against the pooled one.

    PYTHONPATH=. python benchmarks/diagnostics/oog25/mech.py SEED REPS OUT.json [D GAMMA THETA SIGMA SPECTRUM [STREAM]]
"""
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import advisor_band_coverage as b  # noqa: E402
import ftheory.advise.aniso_difference as ad  # noqa: E402
from ftheory.advise.aniso_pivot import ScalePivot  # noqa: E402
from ftheory.advise.param_cov import feasible  # noqa: E402
from ftheory.advise.report import predict  # noqa: E402

REC = {}
F_TRUE = [None]
_orig_prepivot = ScalePivot._prepivot
_orig_cc = ad.combine_concordant
_orig_bands = ad.DifferenceLaw.bands


def _prepivot(self, world, grid, i0, tot, alpha):
    qa, qb = _orig_prepivot(self, world, grid, i0, tot, alpha)
    if "mn" in REC:                                   # the second call is fine-tuning min-norm: not recorded
        return qa, qb
    st0, fb0 = world(grid[i0])[:2]
    st1, fb1 = world(F_TRUE[0])[:2]
    x0, x1 = st0[:, 0], st1[:, 0]
    near = np.abs(fb1 - grid[i0]) <= 0.05
    REC["mn"] = {"f0": float(grid[i0]), "levels": [float(np.ravel(v)[0]) for v in self.levels],
                 "q_lo": float(qa[0]), "q_hi": float(qb[0]),
                 "fit_q": [float(np.quantile(x0, alpha)), float(np.quantile(x0, 1 - alpha))],
                 "true_q": [float(np.quantile(x1, alpha)), float(np.quantile(x1, 1 - alpha))],
                 "true_beyond_hi": float(np.mean(x1 > qb[0])), "true_below_lo": float(np.mean(x1 < qa[0])),
                 "true_fb_quant": [float(v) for v in np.quantile(fb1, [0.1, 0.5, 0.9])],
                 "true_near_f0": int(near.sum()),
                 "true_near_beyond_hi": float(np.mean(x1[near] > qb[0])) if near.sum() else None,
                 "true_near_q_hi": float(np.quantile(x1[near], 1 - alpha)) if near.sum() >= 20 else None}
    return qa, qb


def _cc(a, bb, rho=0.0):
    REC["rho_lt"] = [float(v) for v in np.broadcast_to(np.asarray(rho, float), (2,))]
    return _orig_cc(a, bb, rho)


def _bands(self, t_lt, t_ft, level=0.95):
    out = _orig_bands(self, t_lt, t_ft, level)
    REC["sim_lt"] = [float(v) for v in out["linear_transfer"]]
    return out


ScalePivot._prepivot = _prepivot
ad.combine_concordant = _cc
ad.DifferenceLaw.bands = _bands


def clip_law(aniso, m, f_true):
    """Law given the clip: pooled over GRID (as given_clip) and at the true fraction alone, 4096 draws."""
    more = ScalePivot(aniso, max(ad.CLIP_DRAWS, aniso.pivot_draws), aniso.seed)
    dl = ad.DifferenceLaw(aniso, m, pivot=more)
    Sy, rho, r2, Sr = dl._data()
    ws = [dl.world(f, max(Sy, 1e-300), rho, r2, Sr) for f in ad.GRID]
    st = np.stack([w[0][:, 0] for w in ws], 1)
    cl = np.stack([w[2] for w in ws], 1)
    s1, _, c1 = dl.world(f_true, max(Sy, 1e-300), rho, r2, Sr)
    s1 = s1[:, 0][c1]
    return {"pooled_q": [float(np.quantile(st[cl], 0.025)), float(np.quantile(st[cl], 0.975))],
            "clip_prob_grid": [float(v) for v in cl.mean(0)],
            "true_clip_draws": int(c1.sum()),
            "true_q": ([float(np.quantile(s1, 0.025)), float(np.quantile(s1, 0.975))] if s1.size >= 40 else None),
            "Sy": Sy}


def main():
    a = sys.argv[1:]
    seed, reps, out = int(a[0]), int(a[1]), a[2]
    setting = (60, 0.7, 1.2, 0.3, "two-level")
    if len(a) > 3:
        setting = (int(a[3]), float(a[4]), float(a[5]), float(a[6]), a[7])
    stream = int(a[8]) if len(a) > 8 else 0
    task, ev, n = b.setting_task(setting, seed)
    truth = b.true_risks(task, ev, n - 1, setting[0])
    tr = task.truth()
    F_TRUE[0] = tr["noise_variance"] / (tr["signal"] + tr["noise_variance"])
    rows, t0 = [], time.time()
    for rep, prep, pe in b.datasets(setting, seed, reps, stream, 20, "rep"):
        REC.clear()
        m = prep.X.shape[0]
        preds, transf, *_ = predict(prep, pe, [m], m)
        aniso = pe.__dict__["_aniso"]
        q = feasible(pe.p)
        v_raw = float(aniso.linear_risks("scratch", np.array([m]), [0.0])[0][0, 0])
        row = {"rep": rep, "p": [float(x) for x in pe.p], "clipped": bool(q[1] == 0),
               "f_hat": float(q[1] / (q[0] + q[1])), "v_mn_raw": v_raw, "ratio": v_raw / truth["scratch_min_norm"],
               "bands": {k: [float(x) for x in (v.value, v.low, v.high)] for k, v in
                         list(preds.items()) + [(f"T_{k}", v) for k, v in transf.items()]}}
        row.update({k: v for k, v in REC.items()})
        ScalePivot.minnorm = "set"          # candidate: the fraction's calibrated set, as the tuned bands
        try:
            v, lo, hi = aniso.bands("scratch_min_norm", np.array([m]))
            row["set_mn"] = [float(v[0]), float(lo[0]), float(hi[0])]
        finally:
            ScalePivot.minnorm = "prepivot"
        if row["clipped"]:
            row["clip"] = clip_law(aniso, m, F_TRUE[0])
        rows.append(row)
        if (rep + 1) % 10 == 0 or rep + 1 == reps:
            with open(out, "w") as f:
                json.dump({"setting": list(setting), "seed": seed, "stream": stream, "reps": rep + 1, "truth": truth,
                           "f_true": F_TRUE[0], "seconds": time.time() - t0, "rows": rows}, f, indent=0)
            print(rep + 1, round(time.time() - t0), flush=True)


if __name__ == "__main__":
    main()
