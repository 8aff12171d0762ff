"""Reports (``advise(...).to_json()``) of a few samples of the estimate benchmark's settings, one file per run, to
compare the code of two trees bitwise (run once from each tree's root with PYTHONPATH=.).

    PYTHONPATH=. python benchmarks/diagnostics/sig19/bitwise.py OUT.txt [indices] [samples]
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from advisor_coverage import SETTINGS  # noqa: E402

from ftheory.advise import advise
from ftheory.advise.synthetic import make_task

out = open(sys.argv[1], "w")
idx = [int(v) for v in (sys.argv[2] if len(sys.argv) > 2 else "0,4,6,9,11").split(",")]
reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
for i in idx:
    d, gamma, theta, sigma, spec = SETTINGS[i]
    n = int(round(gamma * d))
    ev = None if spec is None else np.arange(1, d + 1) ** -1.0
    task = make_task(d, theta, sigma, eigenvalues=ev, seed=100 + i)
    rng = np.random.default_rng([100 + i + 1, 77])
    for rep in range(reps):
        X, y = task.sample(n, rng)
        U = task.sample(20 * d, rng)[0] if spec else None
        rep_json = advise(X, y, source_pred=X @ task.beta_s, unlabeled=U).to_json()
        out.write(f"index {i} sample {rep}\n{rep_json}\n")
        out.flush()
