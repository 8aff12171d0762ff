"""oog25: the band benchmark's replications at one setting (rep seeds), every band and the clip of the noise
estimate recorded per data set; coverage per column split by clipped / unclipped noise estimate.

    PYTHONPATH=. python benchmarks/diagnostics/oog25/sweep.py D GAMMA THETA SIGMA SPECTRUM SEED REPS OUT.json
"""
import json
import math
import os
import sys
import time


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import advisor_band_coverage as b  # noqa: E402
from ftheory.advise.param_cov import feasible  # noqa: E402
from ftheory.advise.report import predict  # noqa: E402


def sweep(setting, seed, reps, out):
    task, ev, n = b.setting_task(setting, seed)
    d = setting[0]
    truth = b.true_risks(task, ev, n - 1, d)
    tr = task.truth()
    rows, t0 = [], time.time()
    for rep, prep, pe in b.datasets(setting, seed, reps, 0, 20, "rep"):
        m = prep.X.shape[0]
        preds, transf, *_ = predict(prep, pe, [m], m)
        ivs = dict(preds)
        ivs.update({f"T_{k}": v for k, v in transf.items()})
        q = feasible(pe.p)
        rows.append({"rep": rep, "p": [float(v) for v in pe.p], "clipped": bool(q[1] == 0),
                     "f_hat": float(q[1] / (q[0] + q[1])) if q[0] + q[1] > 0 else float("nan"),
                     "bands": {k: [float(ivs[k].value), float(ivs[k].low), float(ivs[k].high)] for k in b.COLS}})
        if (rep + 1) % 25 == 0 or rep + 1 == reps:
            res = {"setting": list(setting), "seed": seed, "reps": rep + 1, "n": n, "m": m, "truth": truth,
                   "true_p": [tr["signal"], tr["noise_variance"], tr["overlap_inner"], tr["source_signal"]],
                   "seconds": time.time() - t0, "rows": rows, "summary": summary(rows, truth)}
            with open(out, "w") as f:
                json.dump(res, f, indent=0)
            print(setting, rep + 1, json.dumps(res["summary"]["all"]), flush=True)
    return res


def summary(rows, truth):
    """Coverage (below, above counts) per column: all data sets, clipped, unclipped."""
    out = {}
    for name, sel in (("all", lambda r: True), ("clipped", lambda r: r["clipped"]),
                      ("unclipped", lambda r: not r["clipped"])):
        rs = [r for r in rows if sel(r)]
        out[name] = {"count": len(rs)}
        for k, t in truth.items():
            if not math.isfinite(t) or not rs:
                continue
            lo = sum(t < r["bands"][k][1] for r in rs)
            hi = sum(t > r["bands"][k][2] for r in rs)
            out[name][k] = [round(1 - (lo + hi) / len(rs), 3), lo, hi]
    return out


if __name__ == "__main__":
    a = sys.argv[1:]
    setting = (int(a[0]), float(a[1]), float(a[2]), float(a[3]), None if a[4] == "none" else a[4])
    sweep(setting, int(a[5]), int(a[6]), a[7])
