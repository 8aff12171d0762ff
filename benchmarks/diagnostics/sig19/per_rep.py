"""Per-replication record of the anisotropic signal (--which 0) or noise (1) interval (estimate index I of
advisor_coverage.py): the interval of the code ("iv") and the former hull ("hull", with --hull), the estimates,
the test at the truth with the fitted ("fit") and with the true nuisance ("true").

    PYTHONPATH=. python benchmarks/diagnostics/sig19/per_rep.py --only 6 --stream 0 --reps 500 --out F.json [--no-interval] [--which 1] [--hull]
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from advisor_coverage import SETTINGS  # noqa: E402

from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.intervals import hull, invert
from ftheory.advise.param_cov import feasible
from ftheory.advise.signal_noise import u_test


def hull_interval(pe, which):
    """signal_noise.signal_noise_interval on the U-statistic path with the former hull (``around=None``)."""
    value, se = float(feasible(pe.p)[which]), math.sqrt(max(pe.cov[which, which], 0.0))
    hi = max(float(pe.p[which]), value, 0.0) + 6 * se
    extra = [value, float(pe.p[which])]
    test = u_test(pe, which)
    hi = max(hi, *extra) + 1e-12
    for _ in range(12):
        if test(hi) > 0:
            break
        hi *= 1.6
    return hull(value, invert(test, 0.0, hi, grid=25, extra=extra), se)
from ftheory.advise.synthetic import make_task

ap = argparse.ArgumentParser()
ap.add_argument("--only", type=int, default=6)
ap.add_argument("--stream", type=int, default=0)
ap.add_argument("--reps", type=int, default=500)
ap.add_argument("--out", required=True)
ap.add_argument("--no-interval", action="store_true")
ap.add_argument("--which", type=int, default=0)
ap.add_argument("--hull", action="store_true")
ns = ap.parse_args()
i = ns.only
d, gamma, theta, sigma, spec = SETTINGS[i]
n = int(round(gamma * d))
seed = 100 + i
task = make_task(d, theta, sigma, eigenvalues=np.arange(1, d + 1) ** -1.0, seed=seed)
tr = task.truth()
rng = np.random.default_rng(seed + 1 if ns.stream == 0 else [seed + 1, ns.stream])
recs = []
t0 = time.time()
for rep in range(ns.reps):
    X, y = task.sample(n, rng)
    U = task.sample(20 * d, rng)[0]
    prep = prepare(X, y, X @ task.beta_s, U, center=True)
    pe = estimate_parameters(prep)
    r = {"p": [float(v) for v in pe.p]}
    if not ns.no_interval:
        iv = pe.interval(("signal_moment", "noise_moment")[ns.which])
        r["iv"] = [iv.value, iv.low, iv.high]
        if ns.hull:
            h = hull_interval(pe, ns.which)
            r["hull"] = [h.value, h.low, h.high]
    t, nu = (tr["signal"], tr["noise_variance"]) if ns.which == 0 else (tr["noise_variance"], tr["signal"])
    r["fit"] = u_test(pe, ns.which)(t)
    r["true"] = u_test(pe, ns.which, nuisance=nu)(t)
    recs.append(r)
    if rep % 50 == 49:
        json.dump({"truth": tr, "recs": recs}, open(ns.out, "w"))
        print(rep + 1, time.time() - t0, flush=True)
json.dump({"truth": {k: float(v) for k, v in tr.items()}, "recs": recs}, open(ns.out, "w"))
