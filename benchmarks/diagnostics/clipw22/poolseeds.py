"""clipw22: seed-to-seed spread of the law given the clip (the report's: clipped draws pooled over GRID) on one
clipped data set of the band benchmark, at B draws, over pivot seeds: the Monte Carlo error behind CLIP_DRAWS.

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/clipw22/poolseeds.py INDEX NSEEDS B [B ...]
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from advisor_band_coverage import SETTINGS, SPECTRA  # noqa: E402
from ladder import pipeline  # noqa: E402
from ftheory.advise.aniso_difference import GRID, DifferenceLaw  # noqa: E402
from ftheory.advise.aniso_pivot import ScalePivot  # noqa: E402
from ftheory.advise.estimators import prepare  # noqa: E402
from ftheory.advise.synthetic import make_task  # noqa: E402


def main():
    index, nseeds, Bs = int(sys.argv[1]), int(sys.argv[2]), [int(b) for b in sys.argv[3:]]
    d, gamma, theta, sigma, spec = SETTINGS[index]
    n = int(round(gamma * d))
    seed = 500 + index
    task = make_task(d, theta, sigma, eigenvalues=SPECTRA[spec](d), seed=seed)
    rng = np.random.default_rng(seed + 1)
    while True:                                      # the first clipped data set of stream 0
        X, y = task.sample(n, rng)
        U = task.sample(20 * d, rng)[0]
        r, ap = pipeline(prepare(X, y, X @ task.beta_s, U), n - 1, d)
        if r["clip"]:
            break
    S = ap.S_raw
    Sy, rho, r2 = float(S[0, 0]), float(S[0, 1]), max(float(S[1, 1]), 1e-300)
    Sr = max(float(S[0, 0] - 2 * S[0, 1] + S[1, 1]), 1e-300)
    for B in Bs:
        q = []
        for s in range(nseeds):
            law = DifferenceLaw(ap, n - 1, pivot=ScalePivot(ap, B, s))
            ws = [law.world(f, Sy, rho, r2, Sr) for f in GRID]
            st = np.stack([w[0][:, 0] for w in ws], 1)[np.stack([w[2] for w in ws], 1)]
            q.append(np.quantile(st, [0.025, 0.5, 0.975]))
        q = np.array(q)
        print(f"B {B:5d}: seed 0 {q[0].round(3)}; over {nseeds} seeds mean {q.mean(0).round(3)} sd {q.std(0).round(3)}",
              flush=True)


if __name__ == "__main__":
    main()
