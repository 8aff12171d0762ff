"""lo18: sha256 of advise(...).to_json() on band-benchmark tasks (first sample of each), for a bitwise comparison of
two code trees: PYTHONPATH=ROOT python benchmarks/diagnostics/lo18/bitwise.py"""
import hashlib
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from advisor_band_coverage import SETTINGS, SPECTRA  # noqa: E402

from ftheory.advise import advise  # noqa: E402
from ftheory.advise.synthetic import make_task  # noqa: E402

for i in (0, 6, 8, 10, 12, 14, 9, 13):
    d, gamma, theta, sigma, spec = SETTINGS[i]
    n = int(round(gamma * d))
    ev = None if spec is None else SPECTRA[spec](d)
    task = make_task(d, theta, sigma, eigenvalues=ev, seed=500 + i)
    rng = np.random.default_rng(500 + i + 1)
    X, y = task.sample(n, rng)
    U = task.sample(20 * d, rng)[0] if spec else None
    r = advise(X, y, X @ task.beta_s, unlabeled=U, grid_size=4)
    print(i, hashlib.sha256(r.to_json().encode()).hexdigest()[:16], flush=True)
