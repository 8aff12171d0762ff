"""clipw22: DifferenceLaw's world at the TRUE scalars on the known-Sigma predictor of one data set, for many pivot
seeds: is the seed-0 set of 256 draws (shared by every data set of the same shape) typical, given the clip?

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/clipw22/seeds.py INDEX NSEEDS [DRAWS] [REP]
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from advisor_band_coverage import SETTINGS, SPECTRA  # noqa: E402
from ladder import known_prep, world_stats  # noqa: E402
from ftheory.advise.aniso_difference import DifferenceLaw  # noqa: E402
from ftheory.advise.aniso_predict import AnisotropicPredictor  # noqa: E402
from ftheory.advise.synthetic import make_task  # noqa: E402


def main():
    index, nseeds = int(sys.argv[1]), int(sys.argv[2])
    draws = int(sys.argv[3]) if len(sys.argv) > 3 else 256
    rep = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    d, gamma, theta, sigma, spec = SETTINGS[index]
    n = int(round(gamma * d))
    m = n - 1
    seed = 500 + index
    task = make_task(d, theta, sigma, eigenvalues=SPECTRA[spec](d), seed=seed)
    tr = task.truth()
    p0 = np.array([tr["signal"], tr["noise_variance"], tr["overlap_inner"], tr["source_signal"]])
    Sy0, f0 = p0[0] + p0[1], p0[1] / (p0[0] + p0[1])
    Sr0 = Sy0 - 2 * p0[2] + p0[3]
    rng = np.random.default_rng(seed + 1)
    for _ in range(rep + 1):
        X, y = task.sample(n, rng)
        task.sample(20 * d, rng)
    prep = known_prep(X, y, X @ task.beta_s, task.Sigma, np.linalg.inv(task.Sigma))
    rows = []
    for s in range(nseeds):
        a = AnisotropicPredictor(prep, pivot_draws=draws, seed=s)
        w = world_stats(DifferenceLaw(a, m), f0, Sy0, p0[2], p0[3], Sr0)
        z = (w["That"] - w["T"]) / w["Sy"]
        c = w["clip"]
        qa = np.quantile(z, [0.025, 0.5, 0.975])
        qc = np.quantile(z[c], [0.025, 0.5, 0.975])
        rows.append([c.mean(), *qa, z.std(), *qc, z[c].std()])
        print(f"seed {s:3d} P(clip) {c.mean():.3f} all {qa.round(3)} sd {z.std():.3f} | clip {qc.round(3)} "
              f"sd {z[c].std():.3f}", flush=True)
    r = np.array(rows)
    print("mean over seeds:", r.mean(0).round(3))
    print("sd over seeds:  ", r.std(0).round(3))
    print("seed 0 rank of clip-sd:", int(np.sum(r[:, -1] < r[0, -1])), "of", len(r))


if __name__ == "__main__":
    main()
