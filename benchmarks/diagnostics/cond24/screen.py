"""cond24 screen: the tuned bands below n = d (scratch_ridge, finetune_ridge: AnisotropicPredictor.bands, as the
report computes them, before its caps) under ScalePivot.tuned_rule variants on the same data sets (the band
benchmark's sampling, --advisor-seeds rep), with the data's noise fraction f0. A rule is NAME[:BETA[:K[:SIDES]]]
(ScalePivot.tuned_rule, cond_beta, cond_k, cond_sides). Prints the misses below / above per rule and column. Runs
at commit b2531fe (cond24's screening switch ScalePivot.tuned_rule and its keep_draws hook, removed afterwards).

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/cond24/screen.py INDEX STREAM REPS OUT.json RULE [RULE ...]
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


def set_rule(rule):
    """Set ScalePivot's screening attributes from ``NAME[:BETA[:K[:SIDES]]]``."""
    parts = rule.split(":")
    ScalePivot.tuned_rule = parts[0]
    ScalePivot.cond_beta = float(parts[1]) if len(parts) > 1 else 0.01
    ScalePivot.cond_k = int(parts[2]) if len(parts) > 2 else 256
    ScalePivot.cond_sides = parts[3] if len(parts) > 3 else "lower"


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
            set_rule(r)
            t0 = time.process_time()
            for k in COLS:
                v, lo, hi = (float(x[0]) for x in aniso.bands(k, np.array([m])))
                row[f"{r}:{k}"] = [v, lo, hi]
                row[f"f0:{k}"] = float(aniso.pivot().last["f0"])
                cnt[r][k][0] += truth[k] < lo
                cnt[r][k][1] += truth[k] > hi
            sec[r] += time.process_time() - t0
        set_rule("set")
        res["reps"].append(row)
        if (rep + 1) % 25 == 0 or rep + 1 == reps:
            print(f"{rep + 1}: " + "; ".join(f"{r} " + " ".join(f"{k[:2]} {c[0]}/{c[1]}" for k, c in cnt[r].items())
                                             + f" ({sec[r] / (rep + 1):.2f}s)" for r in rules), flush=True)
            res["counts"], res["sec"] = cnt, sec
            with open(out, "w") as fh:
                json.dump(res, fh)


if __name__ == "__main__":
    main()
