"""Coverage study of the advisor's 95% intervals on synthetic Gaussian tasks with known truth.

    PYTHONPATH=. python benchmarks/advisor_coverage.py [--reps 500] [--out docs/advisor_coverage.json]

For each setting (d, gamma = n/d, theta, sigma, spectrum) draw ``reps`` target samples, run the
estimators and the isotropic predictions at the sample's n, and count how often each interval
contains the truth (parameters; predicted risks evaluated at the true parameters). Anisotropic
settings pass ``N = 20 d`` unlabeled rows. Prints a markdown table.
"""
from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np

from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.predict import isotropic_risk
from ftheory.advise.report import _risk_interval
from ftheory.advise.synthetic import make_task

SETTINGS = [  # d, gamma, theta, sigma, spectrum
    (100, 0.2, 0.4, 0.5, None),
    (100, 0.6, 1.0, 1.0, None),
    (100, 1.5, 0.7, 0.3, None),
    (100, 3.0, 1.2, 0.5, None),
    (60, 0.5, 0.2, 0.2, None),
    (60, 2.0, 1.4, 1.0, None),
    (60, 0.5, 0.7, 0.5, "power"),
    (60, 2.0, 1.0, 0.5, "power"),
]
PARAMS = ("noise_variance", "signal", "overlap")
PREDS = ("scratch_min_norm", "linear_transfer", "finetune_min_norm", "scratch_ridge", "finetune_ridge")


def run(setting, reps, seed):
    d, gamma, theta, sigma, spec = setting
    n = int(round(gamma * d))
    ev = None if spec is None else np.arange(1, d + 1) ** -1.0
    task = make_task(d, theta, sigma, eigenvalues=ev, seed=seed)
    tr = task.truth()
    p_true = np.array([tr["signal"], tr["noise_variance"], tr["overlap_inner"], tr["source_signal"]])
    rng = np.random.default_rng(seed + 1)
    hits = {k: 0 for k in PARAMS + PREDS}
    counted = {k: 0 for k in PARAMS + PREDS}
    for _ in range(reps):
        X, y = task.sample(n, rng)
        U = task.sample(20 * d, rng)[0] if spec else None
        prep = prepare(X, y, X @ task.beta_s, U, center=True)
        pe = estimate_parameters(prep)
        for k in PARAMS:
            hits[k] += pe.interval(k).covers(tr[k])
            counted[k] += 1
        if spec is None:
            m = prep.X.shape[0]
            for proc in PREDS:
                truth = isotropic_risk(proc, m, d, p_true)
                if not math.isfinite(truth):
                    continue
                f = (lambda q, proc=proc: isotropic_risk(proc, m, d, q))
                f.linear = proc.endswith("min_norm")
                hits[proc] += _risk_interval(pe, f).covers(truth)
                counted[proc] += 1
    return {k: (hits[k] / counted[k] if counted[k] else None) for k in hits}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=500)
    ap.add_argument("--out", default=None)
    ap.add_argument("--only", default=None, help="comma-separated setting indices (to split the run)")
    ns = ap.parse_args()
    rows = []
    print("| d | gamma | theta | sigma | spectrum | " + " | ".join(PARAMS + PREDS) + " |")
    print("|" + "---|" * (5 + len(PARAMS) + len(PREDS)))
    for i, s in enumerate(SETTINGS):
        if ns.only is not None and str(i) not in ns.only.split(","):
            continue
        t0 = time.time()
        cov = run(s, ns.reps, seed=100 + i)
        rows.append({"setting": s, "coverage": cov, "reps": ns.reps, "seconds": time.time() - t0})
        cells = ["-" if cov[k] is None else f"{cov[k]:.3f}" for k in PARAMS + PREDS]
        print(f"| {s[0]} | {s[1]} | {s[2]} | {s[3]} | {s[4] or 'identity'} | " + " | ".join(cells) + " |", flush=True)
    if ns.out:
        with open(ns.out, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
