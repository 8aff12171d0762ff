"""tuned23 screen: the tuned bands below n = d (scratch_ridge, finetune_ridge: AnisotropicPredictor.bands, as the
report computes them) under ScalePivot.tuned_rule variants on the same data sets (the band benchmark's sampling,
--advisor-seeds rep). Prints the misses below / above per rule and column.

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/tuned23/screen.py INDEX STREAM REPS OUT.json RULE [RULE ...]
"""
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from advisor_band_coverage import SETTINGS, SPECTRA, advisor_seed, true_risks  # noqa: E402
from ftheory.advise.aniso_pivot import ScalePivot  # noqa: E402
from ftheory.advise.aniso_predict import AnisotropicPredictor  # noqa: E402
from ftheory.advise.estimators import estimate_parameters, prepare  # noqa: E402
from ftheory.advise.synthetic import make_task  # noqa: E402

COLS = ("scratch_ridge", "finetune_ridge")


def main():
    index, stream, reps, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    rules = sys.argv[5:]
    d, gamma, theta, sigma, spec = setting = SETTINGS[index]
    n = int(round(gamma * d))
    seed = 500 + index
    ev = SPECTRA[spec](d)
    task = make_task(d, theta, sigma, eigenvalues=ev, seed=seed)
    truth = true_risks(task, ev, n - 1, d)
    rng = np.random.default_rng(seed + 1 if stream == 0 else [seed + 1, stream])
    res = {"setting": setting, "stream": stream, "truth": {k: truth[k] for k in COLS}, "rules": rules, "reps": []}
    cnt = {r: {k: [0, 0] for k in COLS} for r in rules}
    sec = dict.fromkeys(rules, 0.0)
    for rep in range(reps):
        X, y = task.sample(n, rng)
        U = task.sample(20 * d, rng)[0]
        prep = prepare(X, y, X @ task.beta_s, U)
        pe = estimate_parameters(prep, seed=advisor_seed(seed, stream, rep))
        m = prep.X.shape[0]
        aniso = AnisotropicPredictor(prep, seed=pe.seed)
        row = {"rep": rep}
        for r in rules:
            ScalePivot.tuned_rule = r
            t0 = time.process_time()
            for k in COLS:
                v, lo, hi = (float(x[0]) for x in aniso.bands(k, np.array([m])))
                row[f"{r}:{k}"] = [v, lo, hi]
                cnt[r][k][0] += truth[k] < lo
                cnt[r][k][1] += truth[k] > hi
            sec[r] += time.process_time() - t0
        res["reps"].append(row)
        if (rep + 1) % 50 == 0 or rep + 1 == reps:
            print(f"{rep + 1}: " + "; ".join(f"{r} " + " ".join(f"{k} {c[0]}/{c[1]}" for k, c in cnt[r].items())
                                             + f" ({sec[r] / (rep + 1):.2f}s)" for r in rules), flush=True)
            res["counts"], res["sec"] = cnt, sec
            with open(out, "w") as fh:
                json.dump(res, fh)


if __name__ == "__main__":
    main()
