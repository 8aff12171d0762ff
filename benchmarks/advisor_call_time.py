"""Time of one ``ftheory.advise`` call on the README's example and two other shapes.

    PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/advisor_call_time.py [--runs 5]

In process, after one warm-up call (imports and first-call caches excluded): wall seconds
(``time.perf_counter``) and CPU seconds (``time.process_time``) of ``advise(...)`` with its default
curve grid, as min / median / max over ``--runs`` calls. Cases: the README's example (isotropic, n = 100,
d = 200, pretrained weights), a small isotropic sample (n = 30, d = 50: the exact bootstrap cut of
n <= 100), and the README's data with 2000 unlabeled rows (anisotropic theory).
"""
from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

import ftheory


def readme(unlabeled=0):
    rng = np.random.default_rng(0)
    d, n = 200, 100
    beta_t = rng.standard_normal(d) / np.sqrt(d)
    beta_s = beta_t + 0.5 * rng.standard_normal(d) / np.sqrt(d)
    X = rng.standard_normal((n, d))
    y = X @ beta_t + 0.3 * rng.standard_normal(n)
    U = rng.standard_normal((unlabeled, d)) if unlabeled else None
    return dict(X=X, y=y, source_weights=beta_s, unlabeled=U)


def small():
    rng = np.random.default_rng(1)
    d, n = 50, 30
    beta_t = rng.standard_normal(d) / np.sqrt(d)
    X = rng.standard_normal((n, d))
    return dict(X=X, y=X @ beta_t + 0.3 * rng.standard_normal(n),
                source_weights=beta_t + 0.5 * rng.standard_normal(d) / np.sqrt(d))


CASES = {"readme (isotropic, n=100, d=200)": readme, "small isotropic (n=30, d=50)": small,
         "readme + 2000 unlabeled rows (anisotropic)": lambda: readme(2000)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    out = {"load_average_start": os.getloadavg()[0]}
    for name, make in CASES.items():
        kw = make()
        X, y = kw.pop("X"), kw.pop("y")
        ftheory.advise(X, y, **kw)  # warm-up
        wall, cpu = [], []
        for _ in range(a.runs):
            w0, c0 = time.perf_counter(), time.process_time()
            ftheory.advise(X, y, **kw)
            wall.append(time.perf_counter() - w0)
            cpu.append(time.process_time() - c0)
        out[name] = {k: [round(float(np.min(v)), 2), round(float(np.median(v)), 2), round(float(np.max(v)), 2)]
                     for k, v in (("wall_s_min_median_max", wall), ("cpu_s_min_median_max", cpu))}
    out["load_average_end"] = os.getloadavg()[0]
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
