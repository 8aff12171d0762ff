"""The signal test along t for given replications of index I, stream S (advisor_coverage.py's samples):
LR of the observation, the 95% quantile of its simulated law, the fitted nuisance.

    PYTHONPATH=. python benchmarks/diagnostics/sig19/scan.py --only 6 --stream 0 --reps 284,370
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from advisor_coverage import SETTINGS  # noqa: E402

from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.signal_noise import u_test
from ftheory.advise.synthetic import make_task

ap = argparse.ArgumentParser()
ap.add_argument("--only", type=int, default=6)
ap.add_argument("--stream", type=int, default=0)
ap.add_argument("--reps", default="0")
ap.add_argument("--grid", default="0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0,1.1,1.2,1.3,1.4,1.5,1.6,1.8")
ns = ap.parse_args()
i = ns.only
d, gamma, theta, sigma, spec = SETTINGS[i]
n = int(round(gamma * d))
task = make_task(d, theta, sigma, eigenvalues=np.arange(1, d + 1) ** -1.0, seed=100 + i)
rng = np.random.default_rng(101 + i if ns.stream == 0 else [101 + i, ns.stream])
want = [int(k) for k in ns.reps.split(",")]
for rep in range(max(want) + 1):
    X, y = task.sample(n, rng)
    U = task.sample(20 * d, rng)[0]
    if rep not in want:
        continue
    prep = prepare(X, y, X @ task.beta_s, U, center=True)
    pe = estimate_parameters(prep)
    test = u_test(pe, 0)
    print(f"rep {rep}: p = {np.round(pe.p, 4)}, S_y = {pe.p[0] + pe.p[1]:.4f}, interval {pe.interval('signal')}")
    for t in [float(v) for v in ns.grid.split(",")]:
        print(f"  t={t:.3f} test={test(t):+.4f}")
