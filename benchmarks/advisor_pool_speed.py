"""Anisotropic ``advise`` with small unlabeled pools: the penalty solves of rev16 against those of ed164b3.

    PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/advisor_pool_speed.py [--d 60] [--n 30 120] [--pool 4 20] \\
        [--runs 2]

Same process, same data (``make_task``, spectrum 1/i, teachers at angle 0.9, noise 0.6): CPU seconds
(``time.process_time``) of ``advise(X, y, source_pred=z, unlabeled=U)`` with ``N = pool * d`` unlabeled rows,
alternately with the current code and with the baseline patched in (``benchmarks/_pool_solver_baseline.py``:
the Newton loop, the two ``scratch_risk`` calls and the per-pool solves of ed164b3), after one warm-up call
each. Pools of 3 d to below 10 d rows use the resolvent weights and the simulated pools
(:mod:`ftheory.advise.aniso_pool`), where the baseline spent most of its time in the Newton loop. Prints the
minimum over ``--runs`` of each, their ratio, and whether ``to_json()`` and every curve are bitwise equal.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))

from _pool_solver_baseline import baseline  # noqa: E402

from ftheory.advise import advise  # noqa: E402
from ftheory.advise.synthetic import make_task  # noqa: E402


def _call(X, y, z, U):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.process_time()
        rep = advise(X, y, source_pred=z, unlabeled=U)
        return time.process_time() - t0, rep


def _same(a, b):
    return a.to_json() == b.to_json() and a.curves.keys() == b.curves.keys() and all(
        np.asarray(a.curves[k], float).tobytes() == np.asarray(b.curves[k], float).tobytes() for k in a.curves)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--d", type=int, default=60)
    ap.add_argument("--n", type=int, nargs="+", default=[30, 120])
    ap.add_argument("--pool", type=float, nargs="+", default=[4, 20], help="unlabeled rows per feature")
    ap.add_argument("--runs", type=int, default=2)
    a = ap.parse_args()
    task = make_task(a.d, 0.9, 0.6, eigenvalues=np.arange(1, a.d + 1) ** -1.0, seed=1)
    print(f"load average: {os.getloadavg()[0]:.1f}; d = {a.d}; CPU seconds, min over {a.runs} runs")
    print("| n | N | baseline (ed164b3) | current | ratio | bitwise equal |")
    print("|---|---|---|---|---|---|")
    for n in a.n:
        for r in a.pool:
            rng = np.random.default_rng(2)
            X, y = task.sample(n, rng)
            U = task.sample(int(round(r * a.d)), rng)[0]
            z = X @ task.beta_s
            with baseline():
                _call(X, y, z, U)                               # warm-up (imports, first-call caches)
            _call(X, y, z, U)
            old, new = [], []
            for _ in range(a.runs):
                with baseline():
                    t, rep_old = _call(X, y, z, U)
                old.append(t)
                t, rep_new = _call(X, y, z, U)
                new.append(t)
            print(f"| {n} | {int(round(r * a.d))} ({r:g} d) | {min(old):.2f} | {min(new):.2f} | "
                  f"{min(old) / min(new):.2f}x | {'yes' if _same(rep_old, rep_new) else 'NO'} |", flush=True)


if __name__ == "__main__":
    main()
