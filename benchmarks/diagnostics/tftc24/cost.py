"""tftc24: CPU seconds per data set of the T_ft band's quantiles below n = d: main's (DifferenceLaw.quantiles, 18
worlds and the prepivoted levels) against the conditional rule (the fitted world and conditional_ends, as at commit
6b34eec), interleaved in one process on the first data sets of a band setting (as the benchmark draws them).

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/tftc24/cost.py INDEX REPS
"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from advisor_band_coverage import SETTINGS, SPECTRA, advisor_seed  # noqa: E402
from conditional import conditional_ends  # noqa: E402
from ftheory.advise.aniso_difference import DifferenceLaw, _fraction  # noqa: E402
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
        law = DifferenceLaw(ap, m)
        Sy, rho, r2, Sr = law._data()
        tau = float(ap.kinv @ ap.u["y"])
        for mode in ("prepivot", "conditional") if rep % 2 else ("conditional", "prepivot"):
            t0 = time.process_time()
            if mode == "prepivot":
                law.quantiles(Sy, tau, rho, r2, Sr)
            else:
                f0 = float(_fraction(np.array([Sy - tau]), np.array([tau]), np.array([Sy]))[0])
                stat, fh, _ = law.world(f0, Sy, rho, r2, Sr)
                conditional_ends(stat, fh, f0, 0.025, 256)
            sec[mode].append(time.process_time() - t0)
    for k, v in sec.items():
        print(f"{k}: {np.mean(v):.3f} s per data set (CPU, {len(v)} data sets)")


if __name__ == "__main__":
    main()
