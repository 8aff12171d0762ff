"""Acceptance of the isotropic spectral signal/noise test at the TRUE task, default statistic against
``exact=True`` (``SpectralWorlds.profile_law``), with the nuisance fitted under the true value (what the
intervals invert) and with the true nuisance; fixed draws (seed 0, the advisor's) and fresh draws per design.
docs/advisor_validation.md, spectral signal test at small n.

    PYTHONPATH=. python benchmarks/advisor_isosmall.py task 24 36 0.7 0.6 --reps 2000 --stream 1
    PYTHONPATH=. python benchmarks/advisor_isosmall.py cell 2 --reps 1500
    PYTHONPATH=. python benchmarks/advisor_isosmall.py coverage 1 1 --reps 500 --no-predictions \\
        --params noise_variance,signal --only 2 --out e2.json   # advisor_coverage.py with EXACT, CLIP set

``task d n theta sigma``: the light coverage test's task (``make_task(d, theta, sigma, seed=11)``, samples
from ``default_rng([12, stream])``); ``cell i``: the coverage study's isotropic setting i (samples from
``default_rng([101 + i, 1000 + stream])``, not the study's own).
"""
from __future__ import annotations

import argparse
import importlib
import os
import runpy
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from advisor_coverage import SETTINGS  # noqa: E402

from ftheory.advise.prepared import prepare  # noqa: E402
from ftheory.advise.spectral import SpectralWorlds  # noqa: E402
from ftheory.advise.synthetic import make_task  # noqa: E402


def acceptance(task, n, rng, reps, seeds=(0, "fresh"), whiches=(0, 1)):
    tr = task.truth()
    res = {}
    for _ in range(reps):
        X, y = task.sample(n, rng)
        prep = prepare(X, y, X @ task.beta_s)
        for s in seeds:
            sw = SpectralWorlds(prep.X, prep.y, seed=(rng if s == "fresh" else s))
            for which in whiches:
                t, nu0 = (tr["signal"], tr["noise_variance"]) if which == 0 else (tr["noise_variance"], tr["signal"])
                nuf = sw.nuisance_fit(t, which)
                for key, ex, nu in (("default fitted", False, nuf), ("default true", False, nu0),
                                    ("exact fitted", True, nuf), ("exact true", True, nu0)):
                    obs, sims = sw.profile_law(t, nu, which, exact=ex)
                    lo, hi = np.quantile(sims, [0.025, 0.975])
                    a = res.setdefault((("signal", "noise")[which], s, key), [0, 0, 0])
                    a[0] += obs < lo
                    a[1] += lo <= obs <= hi
                    a[2] += obs > hi
    return res


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "coverage":
        importlib.import_module("ftheory.advise.estimators")  # loads signal_noise (import order)
        sn = sys.modules["ftheory.advise.signal_noise"]
        sn.EXACT, sn.CLIP = sys.argv[2] == "1", sys.argv[3] == "1"
        sys.argv = ["advisor_coverage.py"] + sys.argv[4:]
        runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "advisor_coverage.py"), run_name="__main__")
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["task", "cell"])
    ap.add_argument("args", nargs="+")
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--stream", type=int, default=1)
    ns = ap.parse_args()
    t0 = time.time()
    if ns.kind == "task":
        d, n, theta, sigma = int(ns.args[0]), int(ns.args[1]), float(ns.args[2]), float(ns.args[3])
        task, rng, seeds = make_task(d, theta, sigma, seed=11), np.random.default_rng([12, ns.stream]), (0, "fresh")
    else:
        i = int(ns.args[0])
        d, gamma, theta, sigma, spec = SETTINGS[i]
        if spec is not None:
            raise SystemExit(f"setting {i} is anisotropic")
        n = int(round(gamma * d))
        task, rng, seeds = make_task(d, theta, sigma, seed=100 + i), np.random.default_rng([101 + i, 1000 + ns.stream]), (0,)
    res = acceptance(task, n, rng, ns.reps, seeds)
    print(f"{ns.kind} {ns.args} n={n} reps={ns.reps} stream={ns.stream} ({time.time() - t0:.0f} s)")
    for (name, s, key), a in sorted(res.items(), key=str):
        print(f"  {name:6s} draws={s!s:5s} {key:15s} accept {a[1] / ns.reps:.4f}  low misses {a[0]}  high misses {a[2]}")


if __name__ == "__main__":
    main()
