"""Coverage and both tails of the moment noise variance's 95% interval (``ParameterEstimates.interval("noise_moment")``,
the noise coordinate of the disc above n = d and the reported noise below the residual's switch) at the tasks of
``advisor_band_coverage.py`` (same settings, seeds and streams of samples).

    PYTHONPATH=. python benchmarks/advisor_noise_tails.py --only 9,11,13 [--reps 500] [--stream 0] [--out FILE.json]

Prints per setting: coverage, the share of truths below the interval's lower end and above its upper end (each
2.5% for an equal-tailed interval; a binomial standard error of 0.7 points at 500 replications), the share of
moment estimates <= 0 and the median width.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.synthetic import make_task

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import print_load, write_json  # noqa: E402
from advisor_band_coverage import SETTINGS, SPECTRA  # noqa: E402


def run(index, reps, stream=0, per_feature=20):
    """``{"below", "above", "coverage", "nonpositive", "median_width"}`` of setting ``index`` over ``reps`` samples
    (the draws of advisor_band_coverage.run: seed ``500 + index``, the same stream)."""
    d, gamma, theta, sigma, spec = SETTINGS[index]
    n = int(round(gamma * d))
    ev = None if spec is None else SPECTRA[spec](d)
    seed = 500 + index
    task = make_task(d, theta, sigma, eigenvalues=ev, seed=seed)
    rng = np.random.default_rng(seed + 1 if stream == 0 else [seed + 1, stream])
    truth = task.sigma ** 2
    rows = []
    for _ in range(reps):
        X, y = task.sample(n, rng)
        U = task.sample(per_feature * d, rng)[0] if spec else None
        iv = estimate_parameters(prepare(X, y, X @ task.beta_s, U)).interval("noise_moment")
        rows.append((iv.value, iv.low, iv.high))
    r = np.array(rows, float)
    below, above = truth < r[:, 1], truth > r[:, 2]
    return {"index": index, "setting": list(SETTINGS[index]), "stream": stream, "reps": reps, "truth": truth,
            "coverage": float(1 - np.mean(below | above)), "below": float(below.mean()), "above": float(above.mean()),
            "nonpositive": float(np.mean(r[:, 0] <= 0)), "median_width": float(np.median(r[:, 2] - r[:, 1])),
            "intervals": r.tolist()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="9,11,13")
    ap.add_argument("--reps", type=int, default=500)
    ap.add_argument("--stream", type=int, default=0)
    ap.add_argument("--out", default=None)
    ns = ap.parse_args()
    print_load("start")
    out = []
    for i in (int(k) for k in ns.only.split(",")):
        out.append(run(i, ns.reps, ns.stream))
        r = out[-1]
        print(f"setting {i} stream {ns.stream}: coverage {r['coverage']:.3f} (truth below {r['below']:.3f}, above "
              f"{r['above']:.3f}) over {ns.reps}; estimate <= 0 in {r['nonpositive']:.3f}; median width "
              f"{r['median_width']:.4f}", flush=True)
        write_json(ns.out, out)
    print_load("end")


if __name__ == "__main__":
    main()
