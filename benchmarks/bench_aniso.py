"""200 x 200 transfer phase diagram over a 1000-eigenvalue spectrum with ftheory.aniso.

The grid: 200 sample sizes n x 200 source teachers (the difference beta_t - beta_s placed at 200
positions in a power-law spectrum, :func:`ftheory.aniso.window_pair`); per point the min-norm
scratch risk, the linear-transfer risk and the fine-tuning risk (T_lt and T_ft). ftheory solves
kappa once per n (vectorised safeguarded Newton) and contracts the 1000-vectors with BLAS.
Baseline, in the same process: a straightforward per-point loop (scipy ``brentq`` for kappa on each
point, then the sums), timed on a 10 x 10 corner and scaled by 400.

Run: ``python benchmarks/bench_aniso.py [--d 1000] [--size 200] [--repeat 5]``.
"""
import argparse
import statistics
import time

import numpy as np
from scipy.optimize import brentq

from ftheory import aniso as A


def naive_point(ev, bt, n, sigma):
    f = lambda k: (ev / (ev + k)).sum() - n   # noqa: E731
    k = brentq(f, 1e-300, ev.sum() / n + 1.0, xtol=1e-300, rtol=1e-15) if n < ev.size else 0.0
    df2 = ((ev / (ev + k)) ** 2).sum()
    if n >= ev.size:
        return sigma ** 2 * ev.size / (n - ev.size - 1) if n > ev.size + 1 else np.inf
    return (k ** 2 * (ev * bt ** 2 / (ev + k) ** 2).sum() + sigma ** 2 * df2 / n) / (1 - df2 / n)


def timeit(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--d", type=int, default=1000)
    ap.add_argument("--size", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=5)
    ns = ap.parse_args()
    ev = A.power_law_spectrum(ns.d, 1.0)
    positions = np.linspace(0, 1, ns.size)
    pairs = [A.window_pair(ev, p) for p in positions]
    bs = np.stack([p[0] for p in pairs])
    bt = pairs[0][1]
    n = np.unique(np.linspace(2, 2 * ns.d, ns.size).astype(int))[:, None]

    def fast():
        sc = A.scratch_risk(ev, bt, n, 0.2)
        return sc - A.linear_transfer_risk(ev, bs, bt, n, 0.2), sc - A.finetune_linear_risk(ev, bs, bt, n, 0.2)

    t_fast = timeit(fast, ns.repeat)
    T_lt, T_ft = fast()

    corner = 10

    def slow():
        out = np.empty((corner, corner))
        for i in range(corner):
            sc = naive_point(ev, bt, int(n[i, 0]), 0.2)
            for j in range(corner):
                out[i, j] = sc - naive_point(ev, bt - bs[j], int(n[i, 0]), 0.2)
        return out

    t_slow = timeit(slow, max(1, ns.repeat // 2)) * (T_lt.size / corner ** 2)
    check = np.max(np.abs(slow() - T_ft[:corner, :corner]) / np.maximum(1e-300, np.abs(T_ft[:corner, :corner]) + 1e-12))
    print(f"grid {T_lt.shape[0]} x {T_lt.shape[1]} over d = {ns.d}: ftheory.aniso {t_fast:.3f} s; "
          f"per-point brentq loop (extrapolated) {t_slow:.1f} s; ratio {t_slow / t_fast:.0f}x; "
          f"max relative difference on the corner {check:.1e}")


if __name__ == "__main__":
    main()
