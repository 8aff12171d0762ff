"""Benchmark: the six closed-form / least-squares figures' data, old (one simulator call per grid point,
benchmarks/_closed_baseline.py) against new (grid simulators: one draw and one solve per instance for a
whole theta / sigma / lam row, ftheory/simulate/linear_grid.py and deep_linear/lam_grid.py), in the
same process, at the same scale and seed.

Per figure: CPU seconds of each (this process and, with ``--workers``, its pool's processes; one BLAS
thread; CPU rather than wall time because the machine is shared), their ratio, the wall times, and a check that the numbers agree: for every cell the two
means differ by ``z = (new - old) / sqrt(sem_old^2 + sem_new^2)`` standard errors (the draws differ,
so the numbers are two independent estimates of the same quantity; |z| should look standard normal:
the largest |z| over N cells is printed next to the 0.1 % two-sided bound for N independent cells;
the new cells of one row share their draws, which makes them correlated, not wider).
Cells whose mean is infinite (min-norm at |n - d| <= 1 with noise) have huge, meaningless sems, and
cells that are exactly 0 (min-norm at n >= d without noise: the new code gives 0, the old a rounding
residue of 1e-29) have none; both are left out of the z-scores.

Run: ``python benchmarks/bench_paper_closed.py [--scale tiny|default|paper] [--only ID,ID] [--seed 1] [--workers 2]``
(``--scale paper`` runs the old code too: about 16 CPU minutes on an idle machine).
"""
from __future__ import annotations

import argparse
import math
import contextlib
import os
import resource
import sys
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
from scipy.stats import norm  # noqa: E402

import _closed_baseline as old  # noqa: E402
from ftheory.figures import SCALES, lt_phase, lt_ridge, scratch_dd, similarity, tuned  # noqa: E402
from ftheory.simulate.sweeps import use_executor  # noqa: E402

NEW = {"scratch-dd": scratch_dd.compute,
       "lt-phase": lambda s, seed: lt_phase.compute_lt_grid(s, seed, 0.2),
       "lt-phase-noiseless": lambda s, seed: lt_phase.compute_lt_grid(s, seed, 0.0),
       "tuned-baseline": tuned.compute, "lt-ridge": lt_ridge.compute, "similarity": similarity.compute}


def _cells(fid, data):
    """(key, mean, sem) of every simulated number of a figure, old or new layout."""
    if fid == "scratch-dd":
        return [((r["sigma"], r["n"]), r["mean"], r["sem"]) for r in data["rows"]]
    if fid.startswith("lt-phase"):
        T, S = np.array(data["T"]), np.array(data["sem"])
        return [((n, j), T[i, j], S[i, j]) for i, n in enumerate(data["ns"]) for j in range(T.shape[1])]
    if fid == "tuned-baseline":
        T, S = np.array(data["T_wd"]), np.array(data["T_wd_sem"])
        return [((n, j), T[i, j], S[i, j]) for i, n in enumerate(data["ns"]) for j in range(T.shape[1])]
    if fid == "lt-ridge":
        out = [(("closed", r["lam"]), r["mean"], r["sem"]) for r in data["closed_form"]]
        out += [(("gd", r["lam"]), r["mean"], r["sem"]) for r in data["deep_linear"]]
        return out + [(("small", r["n"], r["lam"]), r["mean"], r["sem"]) for r in data["small_n"]]
    if fid == "similarity":
        out = [(("theta", round(r["theta"], 9)), r["mean"], r["sem"]) for r in data["by_theta"]]
        out += [(("gamma", r["gamma"]), r["mean"], r["sem"]) for r in data["by_gamma"]]
        return out + [(("w1", round(r["theta"], 9)), r["mean"], r["sem"]) for r in data["w1"]]
    raise ValueError(fid)


def _cpu():
    """CPU seconds of this process and of its finished children (the workers of a process pool)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _timed(fn, *args):
    c0, w0 = _cpu(), time.perf_counter()
    out = fn(*args)
    return out, _cpu() - c0, time.perf_counter() - w0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--scale", default="default", choices=list(SCALES))
    p.add_argument("--only", default=",".join(NEW))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--workers", type=int, default=0,
                   help="run every sweep (old and new) on a pool of this many processes (default: serial)")
    a = p.parse_args()
    scale = SCALES[a.scale]
    print(f"scale {a.scale} (d = {scale['d']}, {scale['instances']} instances), seed {a.seed}, load average "
          f"{os.getloadavg()[0]:.1f} at start")
    print(f"{'figure':<20}{'old CPU s':>10}{'new CPU s':>10}{'ratio':>8}{'old wall s':>11}{'new wall s':>11}"
          f"{'cells':>7}{'max |z|':>9}{'0.1% bound':>11}{'mean z':>8}")
    tot_old = tot_new = 0.0
    for fid in a.only.split(","):
        with use_executor("processes", workers=a.workers) if a.workers else contextlib.nullcontext():
            d_old, c_old, w_old = _timed(old.FIGURES[fid], scale, a.seed)
            d_new, c_new, w_new = _timed(NEW[fid], scale, a.seed)
        tot_old += c_old
        tot_new += c_new
        co = {k: (m, s) for k, m, s in _cells(fid, d_old)}
        zs = []
        for k, m, s in _cells(fid, d_new):
            mo, so = co[k]
            if all(math.isfinite(v) for v in (m, s, mo, so)) and 1e-12 < max(s, so) < 1e3:
                zs.append((m - mo) / math.hypot(s, so))
        zs = np.array(zs)
        bound = norm.isf(0.0005 / max(1, zs.size))
        print(f"{fid:<20}{c_old:>10.1f}{c_new:>10.1f}{c_old / c_new:>8.1f}{w_old:>11.1f}{w_new:>11.1f}{zs.size:>7}"
              f"{np.abs(zs).max():>9.2f}{bound:>11.2f}{zs.mean():>8.2f}", flush=True)
    print(f"{'total':<20}{tot_old:>10.1f}{tot_new:>10.1f}{tot_old / tot_new:>8.1f}")


if __name__ == "__main__":
    main()
