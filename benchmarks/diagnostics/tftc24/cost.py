"""tftc24: seconds of the T_ft band below n = d (DifferenceLaw.bands) per data set, mode "conditional" against the
former "prepivot", interleaved in one process on the first data sets of a band setting (as the benchmark draws them).

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/tftc24/cost.py INDEX REPS
"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from advisor_band_coverage import SETTINGS, SPECTRA, advisor_seed  # noqa: E402
from ftheory.advise.aniso_difference import DifferenceLaw  # noqa: E402
from ftheory.advise.aniso_predict import AnisotropicPredictor  # noqa: E402
from ftheory.advise.estimators import prepare  # noqa: E402
from ftheory.advise.synthetic import make_task  # noqa: E402


def main():
    index, reps = int(sys.argv[1]), int(sys.argv[2])
    d, gamma, theta, sigma, spec = SETTINGS[index]
    n = int(round(gamma * d))
    seed = 500 + index
    task = make_task(d, theta, sigma, eigenvalues=SPECTRA[spec](d), seed=seed)
    rng = np.random.default_rng(seed + 1)
    sec = {"conditional": [], "prepivot": [], "pivot draws": []}
    for rep in range(reps):
        X, y = task.sample(n, rng)
        U = task.sample(20 * d, rng)[0]
        prep = prepare(X, y, X @ task.beta_s, U)
        ap = AnisotropicPredictor(prep, seed=advisor_seed(seed, 0, rep))
        m = prep.X.shape[0]
        t0 = time.process_time()
        ap.pivot().pairs()
        sec["pivot draws"].append(time.process_time() - t0)
        for mode in ("prepivot", "conditional") if rep % 2 else ("conditional", "prepivot"):
            law = DifferenceLaw(ap, m)
            law.mode = mode
            t0 = time.process_time()
            law.bands(0.1, 0.1)
            sec[mode].append(time.process_time() - t0)
    for k, v in sec.items():
        print(f"{k}: {np.mean(v):.3f} s per data set (CPU, {len(v)} data sets)")


if __name__ == "__main__":
    main()
