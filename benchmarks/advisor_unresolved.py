"""Unresolved recommendations: keep the point-estimate choice, or fall back to scratch?

    PYTHONPATH=. python benchmarks/advisor_unresolved.py N D TASKS

Random isotropic tasks (theta ~ U[0, pi/2], sigma ~ U[0, 1], unit teacher norms, ``make_task``), one
sample of N rows each, ``advise(..., grid_size=0)``. For each task the realised excess risks of the
three procedures on that sample (tuned ridge and tuned fine-tuning at their oracle penalties on a grid
of 50, the linear probe) and two rules: (a) the report's recommendation (smallest predicted risk);
(b) the same where ``Report.resolved``, scratch otherwise. Prints JSON: mean realised risk of each rule
and of the oracle choice, the mean difference (b - a) with its standard error, and in how many
unresolved tasks each rule did better.
"""
import json
import sys
import time

import numpy as np

import ftheory
from ftheory.advise.synthetic import fit_procedures, make_task


def main(n, d, tasks):
    rng = np.random.default_rng(12345)
    grid = np.logspace(-4, 3, 50)
    rows = []
    t0 = time.time()
    for _ in range(tasks):
        theta, sigma = rng.uniform(0, np.pi / 2), rng.uniform(0, 1)
        task = make_task(d, theta, sigma, seed=int(rng.integers(2 ** 31)))
        X, y = task.sample(n, rng)
        rep = ftheory.advise(X, y, source_weights=task.beta_s, grid_size=0)
        fits = [fit_procedures(X, y, None, task.beta_s, lam, lam) for lam in grid]
        real = {"scratch": min(task.risk(f["scratch_ridge"]) for f in fits),
                "linear_transfer": task.risk(fits[0]["linear_transfer"]),
                "finetune": min(task.risk(f["finetune_ridge"]) for f in fits)}
        rows.append({"rec": rep.recommendation, "resolved": rep.resolved, "real": real})

    def realised(rule):
        return np.array([r["real"][rule(r)] for r in rows])
    a = realised(lambda r: r["rec"])
    b = realised(lambda r: r["rec"] if r["resolved"] else "scratch")
    c = realised(lambda r: min(r["real"], key=r["real"].get))
    unres = np.array([not r["resolved"] for r in rows])
    diff = b - a
    return {"n": n, "d": d, "tasks": tasks, "unresolved": int(unres.sum()),
            "recommendation_when_unresolved": {k: sum(1 for r in rows if not r["resolved"] and r["rec"] == k)
                                               for k in ("scratch", "linear_transfer", "finetune")},
            "mean_risk_point_estimate": float(a.mean()), "mean_risk_scratch_if_unresolved": float(b.mean()),
            "mean_risk_oracle_choice": float(c.mean()), "mean_diff_b_minus_a": float(diff.mean()),
            "se_diff": float(diff.std(ddof=1) / np.sqrt(tasks)),
            "unresolved_point_estimate_better": int(np.sum(diff[unres] > 0)),
            "unresolved_scratch_better": int(np.sum(diff[unres] < 0)), "seconds": time.time() - t0}


if __name__ == "__main__":
    print(json.dumps(main(*(int(v) for v in sys.argv[1:4])), indent=1))
