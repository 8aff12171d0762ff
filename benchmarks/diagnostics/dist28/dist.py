"""dist28 E1: the distance interval (||beta_t - beta_s||^2_Sigma, the tuned fine-tuning cap) against the truth, old
(Wald on tau^2 - 2 rho + r^2, clipped at 0) and new (the signal's test on y - z: ParameterEstimates.distance = "residual"),
on the band benchmark's data sets (stream 0, rep seeds). Writes per data set the two intervals; prints misses.

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/dist28/dist.py SET INDEX REPS OUT.json
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import advisor_band_coverage as b  # noqa: E402
from ftheory.advise.estimators import ParameterEstimates  # noqa: E402
from ftheory.advise.intervals import interval  # noqa: E402

ParameterEstimates.distance = "residual"      # "new" (the option's default is "wald", computed here as "old")


def wald(pe):
    a = np.array([1.0, 0.0, -2.0, 1.0])
    iv = interval(a @ pe.p, a @ pe.cov @ a, lo=0.0)
    return [float(iv.low), float(iv.high)]


def main():
    kind, index, reps, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    setting, seed = b.setting_at(kind, index)
    task, ev, n = b.setting_task(setting, seed)
    truth = b.true_risks(task, ev, n - 1, setting[0])
    dist = task.truth()["distance"]
    rows = []
    for rep, prep, pe in b.datasets(setting, seed, reps, 0, 20, "rep"):
        iv = pe.interval("distance")
        rows.append({"old": wald(pe), "new": [float(iv.low), float(iv.high)], "value": float(iv.value)})
    res = {"set": kind, "index": index, "setting": setting, "distance": dist, "R_ft": truth["finetune_ridge"],
           "rows": rows}
    with open(out, "w") as fh:
        json.dump(res, fh)
    for k in ("old", "new"):
        lo = np.array([r[k][0] for r in rows])
        hi = np.array([r[k][1] for r in rows])
        print(f"{kind} {index} {k}: distance {dist:.4f} below {np.sum(dist < lo)} above {np.sum(dist > hi)} of "
              f"{len(rows)}; tuned ft truth above the cap {np.sum(truth['finetune_ridge'] > hi)}; "
              f"median width {np.median(hi - lo):.4f}", flush=True)


if __name__ == "__main__":
    main()
