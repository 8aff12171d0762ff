"""Noise variance above n = d: the moment interval against the least-squares residual's exact chi2 interval.

    PYTHONPATH=. python benchmarks/advisor_noise_ls.py [--reps 40] [--d 30] [--dfs 1,2,4,8,16,32]
        [--sigmas 0.3,1,2] [--paths iso,aniso] [--out FILE.json]

For each residual degree of freedom ``k = n_eff - d`` (``n = d + k + 1`` rows before centring), noise level
sigma (signal tau^2 = 1) and path (``iso``: no unlabeled rows; ``aniso``: spectrum 1/i with N = 20 d
unlabeled rows), draw ``reps`` samples and report, for the moment estimate ``S_y - U_y`` and its
test-inversion interval (``ParameterEstimates.interval("noise_moment")``, what the advisor reported before)
and for ``RSS/k`` with its chi2 interval: coverage, mean width and the estimates' standard deviation.
The advisor switches to the residual variance from the ``k`` where its interval is the narrower
(``ftheory.advise.noise_ls.MIN_DF``).
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.synthetic import make_task

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import write_json  # noqa: E402


def run(d, k, sigma, path, reps, seed=0):
    n = d + k + 1
    ev = np.arange(1, d + 1) ** -1.0 if path == "aniso" else None
    task = make_task(d, 0.7, sigma, eigenvalues=ev, seed=seed)
    rng = np.random.default_rng([seed, k, int(1000 * sigma)])
    out = {"mom": [], "ls": []}
    for _ in range(reps):
        X, y = task.sample(n, rng)
        U = task.sample(20 * d, rng)[0] if ev is not None else None
        pe = estimate_parameters(prepare(X, y, X @ task.beta_s, U))
        m, r = pe.interval("noise_moment"), pe.residual.interval()
        out["mom"].append((pe.p[1], m.low, m.high))
        out["ls"].append((pe.residual.value, r.low, r.high))
    s2 = sigma ** 2
    row = {"d": d, "k": k, "n": n, "sigma": sigma, "path": path, "reps": reps}
    for key, v in out.items():
        a = np.array(v)
        row[key + "_reps"] = a.tolist()   # (estimate, low, high) per replication, to evaluate switching rules
        row[key] = {"cover": float(np.mean((a[:, 1] <= s2) & (s2 <= a[:, 2]))),
                    "width": float(np.mean(a[:, 2] - a[:, 1])),
                    "median_width": float(np.median(a[:, 2] - a[:, 1])), "sd": float(np.std(a[:, 0], ddof=1))}
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=40)
    ap.add_argument("--d", type=int, default=30)
    ap.add_argument("--dfs", default="1,2,4,8,16,32")
    ap.add_argument("--sigmas", default="0.3,1,2")
    ap.add_argument("--paths", default="iso,aniso")
    ap.add_argument("--out")
    a = ap.parse_args()
    rows = []
    print("| path | d | k = n_eff - d | sigma | moment cover | moment width (median) | moment sd | LS cover | LS width (median) | LS sd | s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for path in a.paths.split(","):
        for sigma in (float(s) for s in a.sigmas.split(",")):
            for k in (int(s) for s in a.dfs.split(",")):
                t0 = time.process_time()
                r = run(a.d, k, sigma, path, a.reps)
                rows.append(r)
                m, ls = r["mom"], r["ls"]
                print(f"| {path} | {a.d} | {k} | {sigma:g} | {m['cover']:.3f} | {m['width']:.4g} ({m['median_width']:.4g}) | {m['sd']:.4g} | "
                      f"{ls['cover']:.3f} | {ls['width']:.4g} ({ls['median_width']:.4g}) | {ls['sd']:.4g} | {time.process_time() - t0:.0f} |",
                      flush=True)
                write_json(a.out, rows)


if __name__ == "__main__":
    main()
