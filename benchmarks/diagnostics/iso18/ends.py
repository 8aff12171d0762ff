"""The law of the report's band ends against the truth, and which region points set them.

python ends.py IDX STREAM REPS COLS OUT
Per replication (the benchmark's seeds and streams): value, low, high of the report, the region's unrestricted range
(cloud + aimed rays), and the raw region point that sets each end (infeasible: tau^2 < rho^2/r^2, so f is read at
the nearest real task with tau^2 raised to rho^2/r^2)."""
import json, sys
import numpy as np
sys.path.insert(0, __import__("os").path.join(__import__("os").path.dirname(__import__("os").path.abspath(__file__)), "..", ".."))  # benchmarks/
from advisor_band_coverage import SETTINGS, true_risks
from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.synthetic import make_task
from ftheory.advise.bands import feasible_rows, param_cov_rows
from ftheory.advise.own_test import accepted
from ftheory.advise.predict import isotropic_risk, LINEAR
from ftheory.advise import report

idx, stream, reps, cols, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].split(","), sys.argv[5]
d, g, th, sg, sp = SETTINGS[idx]
n = int(round(g * d))
seed = 500 + idx
task = make_task(d, th, sg, seed=seed)
truth = true_risks(task, None, n - 1, d)
tp = task.truth()
rng = np.random.default_rng(seed + 1 if stream == 0 else [seed + 1, stream])
recs = []
for rep in range(reps):
    X, y = task.sample(n, rng)
    prep = prepare(X, y, X @ task.beta_s, None)
    pe = estimate_parameters(prep)
    m = prep.X.shape[0]
    preds, transf, *_ = report.predict(prep, pe, [m], m)
    ivs = {k: [v.value, v.low, v.high] for k, v in preds.items()}
    ivs.update({f"T_{k}": [v.value, v.low, v.high] for k, v in transf.items()})
    reg = report._region(pe)
    rec = {"rep": rep, "p_hat": list(map(float, pe.p)), "report": ivs, "cols": {}}
    for col in cols:
        if col.startswith("T_"):
            tr = {"T_linear_transfer": "linear_transfer", "T_finetune": "finetune_ridge"}[col]
            f = lambda P, tr=tr: isotropic_risk("scratch_ridge", m, d, P) - isotropic_risk(tr, m, d, P)
            linear, stud = False, False
        else:
            f = lambda P, c=col: isotropic_risk(c, m, d, P)
            linear, stud = col in LINEAR, col in report.STUDENTIZED
        P0 = reg.raw if linear else reg.points
        v = np.asarray(f(P0), float)
        Pa, va = reg.aimed_rays(f, linear, v)
        P, v = np.concatenate([reg.raw, Pa]), np.concatenate([v, va])
        cov = (lambda Q: param_cov_rows(m, d, feasible_rows(Q))) if stud else None
        kept = accepted(reg.cut, reg._evaluator(f, linear), P, v, cov=cov, alpha=0.025, linear=linear)
        vv = np.where(np.isnan(v), np.inf, v)
        ends = {}
        for name, val in (("hi", kept[1]), ("lo", kept[2])):
            j = int(np.flatnonzero(vv == val)[0])
            p = P[j]
            b = p[2] ** 2 / max(p[3], 1e-300)
            ends[name] = {"p": list(map(float, p)), "infeasible": bool(p[0] < b or p[1] < 0), "raise": float(max(b - p[0], 0.0)),
                          "aimed": bool(j >= len(reg.raw)), "region_extreme": bool(val == (np.max(vv) if name == "hi" else np.min(vv)))}
        rec["cols"][col] = {"truth": truth[col], "range": [float(np.min(vv)), float(np.max(vv))], "ends": ends}
    recs.append(rec)
json.dump({"idx": idx, "stream": stream, "truth": truth, "p_true": [tp["signal"], tp["noise_variance"], tp["overlap_inner"], tp["source_signal"]], "recs": recs}, open(out, "w"))
