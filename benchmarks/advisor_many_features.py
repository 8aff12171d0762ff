"""Time and peak memory of ``ftheory.advise`` with many features and no unlabeled rows.

    PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/advisor_many_features.py [--d 10000] [--n 30] [--runs 2]

The spectral test's worlds need ``m = min(n, d)`` coordinates of 4000 uniform points on the sphere in R^d.
Baseline, in the same process: the whole (4000, d) normal array (``spectral.SPHERE_BUDGET`` patched to
infinity: the draw every call below the budget makes); current: the m coordinates with a chi-square for the other
d - m. Reports CPU seconds of the whole call (min over ``--runs``, after a warm-up) and the peak of memory
allocated during it (``tracemalloc``). The two reports' numbers differ by Monte Carlo error only (same law, other
random numbers: tests/advise/test_spectral_sphere.py tests the law); the signal's interval of each is printed.
"""
from __future__ import annotations

import argparse
import json
import time
import tracemalloc

import numpy as np

import ftheory
from ftheory.advise import spectral


def task(d, n):
    rng = np.random.default_rng(0)
    beta_t = rng.standard_normal(d) / np.sqrt(d)
    X = rng.standard_normal((n, d))
    return dict(X=X, y=X @ beta_t + 0.5 * rng.standard_normal(n),
                source_pred=X @ (beta_t + 0.5 * rng.standard_normal(d) / np.sqrt(d)))


def measure(kw, runs):
    ftheory.advise(**kw)                                  # warm-up: imports and first-call caches
    cpu = []
    for _ in range(runs):
        t = time.process_time()
        rep = ftheory.advise(**kw)
        cpu.append(time.process_time() - t)
    tracemalloc.start()
    ftheory.advise(**kw)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return min(cpu), peak / 2 ** 20, rep


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--d", type=int, default=10000)
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--runs", type=int, default=2)
    a = ap.parse_args(argv)
    kw = task(a.d, a.n)
    budget = spectral.SPHERE_BUDGET
    spectral.SPHERE_BUDGET = float("inf")
    try:
        base = measure(kw, a.runs)
    finally:
        spectral.SPHERE_BUDGET = budget
    new = measure(kw, a.runs)
    out = {"d": a.d, "n": a.n, "baseline_cpu_s": base[0], "current_cpu_s": new[0], "cpu_ratio": base[0] / new[0],
           "baseline_peak_MB": base[1], "current_peak_MB": new[1], "peak_ratio": base[1] / new[1],
           "signal_ci": [[base[2].estimates["signal"].low, base[2].estimates["signal"].high],
                         [new[2].estimates["signal"].low, new[2].estimates["signal"].high]]}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
