"""clipw22: the law given the clip (clip21's candidate: DifferenceLaw's clipped draws pooled over the calibration
grid) with more draws than the pivot's 256, on the band benchmark's data sets (its tasks, seeds and sampling).

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/clipw22/screen.py INDEX REPS STREAM OUT.json [B ...]

Per data set whose feasible noise estimate is 0: T_lt's value as the report forms it (tuned scratch minus probe at
feasible(p)) and, for each number of draws B (default 256 2048 4096; the first 256 draws are the pivot's, same seed),
the band [T_hat - q97.5 S_y, T_hat - q2.5 S_y] from the clipped draws of the worlds at every fraction of GRID.
"""
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from advisor_band_coverage import SETTINGS, SPECTRA, true_risks  # noqa: E402
from ladder import pipeline  # noqa: E402
from ftheory.advise.aniso_difference import GRID, DifferenceLaw  # noqa: E402
from ftheory.advise.aniso_pivot import ScalePivot  # noqa: E402
from ftheory.advise.estimators import prepare  # noqa: E402
from ftheory.advise.synthetic import make_task  # noqa: E402


def main():
    index, reps, stream, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    Bs = [int(b) for b in sys.argv[5:]] or [256, 2048, 4096]
    d, gamma, theta, sigma, spec = SETTINGS[index]
    n = int(round(gamma * d))
    m = n - 1
    seed = 500 + index
    task = make_task(d, theta, sigma, eigenvalues=SPECTRA[spec](d), seed=seed)
    T = true_risks(task, SPECTRA[spec](d), m, d)["T_linear_transfer"]
    rng = np.random.default_rng(seed + 1 if stream == 0 else [seed + 1, stream])
    rows = []
    t0 = time.time()
    for rep in range(reps):
        X, y = task.sample(n, rng)
        U = task.sample(20 * d, rng)[0]
        r, ap = pipeline(prepare(X, y, X @ task.beta_s, U), m, d)
        if not r["clip"]:
            continue
        row = {"rep": rep, "That": r["That"], "Sy": r["Sy"]}
        for B in Bs:
            ap._pivot = ScalePivot(ap, B, ap.seed)
            law = DifferenceLaw(ap, m)
            S = ap.S_raw
            Sy, rho, r2 = max(float(S[0, 0]), 1e-300), float(S[0, 1]), max(float(S[1, 1]), 1e-300)
            Sr = max(float(S[0, 0] - 2 * S[0, 1] + S[1, 1]), 1e-300)
            ws = [law.world(f, Sy, rho, r2, Sr) for f in GRID]
            stat = np.stack([w[0][:, 0] for w in ws], 1)
            cl = np.stack([w[2] for w in ws], 1)
            s = stat[cl]
            q = np.quantile(s, [0.025, 0.975]) if s.size >= 40 else [np.nan, np.nan]
            row[str(B)] = [float(r["That"] - q[1] * Sy), float(r["That"] - q[0] * Sy), int(cl.sum())]
        ap._pivot = None
        rows.append(row)
        if len(rows) % 20 == 0:
            print(index, stream, rep, len(rows), f"{time.time() - t0:.0f}s", flush=True)
    res = {"index": index, "stream": stream, "reps": reps, "T": T, "Bs": Bs, "rows": rows}
    for B in Bs:
        lo = np.array([r[str(B)][0] for r in rows])
        hi = np.array([r[str(B)][1] for r in rows])
        res[f"cov_{B}"] = {"clipped": len(rows), "below": int(np.sum(T < lo)), "above": int(np.sum(T > hi)),
                           "median_width": float(np.nanmedian(hi - lo))}
        print(B, res[f"cov_{B}"])
    json.dump(res, open(out, "w"))


if __name__ == "__main__":
    main()
