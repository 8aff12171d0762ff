"""Acceptance of the anisotropic U-statistic signal test at the TRUE signal (estimate index I of
advisor_coverage.py), with the nuisance fitted under the candidate ("fit", what the interval inverts) and
at the true noise ("true"), for several seeds of the bootstrap draws (0 is the advisor's).

    PYTHONPATH=. python benchmarks/diagnostics/sig19/accept.py --only 6 --stream 10 --reps 2000 --seeds 0,1,2,3 --out F.json
"""
import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from advisor_coverage import SETTINGS  # noqa: E402

from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.signal_noise import u_test
from ftheory.advise.synthetic import make_task

ap = argparse.ArgumentParser()
ap.add_argument("--only", type=int, default=6)
ap.add_argument("--stream", type=int, default=10)
ap.add_argument("--reps", type=int, default=2000)
ap.add_argument("--seeds", default="0")
ap.add_argument("--which", type=int, default=0)
ap.add_argument("--out", required=True)
ns = ap.parse_args()
i = ns.only
d, gamma, theta, sigma, spec = SETTINGS[i]
n = int(round(gamma * d))
seed = 100 + i
task = make_task(d, theta, sigma, eigenvalues=np.arange(1, d + 1) ** -1.0, seed=seed)
tr = {k: float(v) for k, v in task.truth().items()}
tv, nv = (tr["signal"], tr["noise_variance"]) if ns.which == 0 else (tr["noise_variance"], tr["signal"])
rng = np.random.default_rng(seed + 1 if ns.stream == 0 else [seed + 1, ns.stream])
seeds = [int(s) for s in ns.seeds.split(",")]
recs = []
t0 = time.time()
for rep in range(ns.reps):
    X, y = task.sample(n, rng)
    U = task.sample(20 * d, rng)[0]
    prep = prepare(X, y, X @ task.beta_s, U, center=True)
    r = {}
    for s in seeds:
        pe = estimate_parameters(prep, seed=s)
        if s == seeds[0]:
            r["p"] = [float(v) for v in pe.p]
        r[f"fit{s}"] = u_test(pe, ns.which)(tv)
        r[f"true{s}"] = u_test(pe, ns.which, nuisance=nv)(tv)
    recs.append(r)
    if rep % 200 == 199:
        json.dump({"truth": tr, "recs": recs}, open(ns.out, "w"))
        print(rep + 1, time.time() - t0, flush=True)
json.dump({"truth": tr, "recs": recs}, open(ns.out, "w"))
