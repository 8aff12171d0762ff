"""cor20: DifferenceLaw's own T_lt band (computed in every report below n = d, kept only for T_ft) against the
report's combination, split by the clipped noise estimate (screen).

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/cor20/simband.py INDEX REPS STREAM OUT.pkl
"""
import os
import pickle
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from advisor_band_coverage import SETTINGS, SPECTRA, true_risks  # noqa: E402
from ftheory.advise.aniso_difference import DifferenceLaw  # noqa: E402
from ftheory.advise.estimators import estimate_parameters, feasible, prepare  # noqa: E402
from ftheory.advise.report import predict  # noqa: E402
from ftheory.advise.synthetic import make_task  # noqa: E402


def main():
    index, reps, stream, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    d, gamma, theta, sigma, spec = SETTINGS[index]
    n = int(round(gamma * d))
    ev = SPECTRA[spec](d)
    seed = 500 + index
    task = make_task(d, theta, sigma, eigenvalues=ev, seed=seed)
    truth = true_risks(task, ev, n - 1, d)
    rng = np.random.default_rng(seed + 1 if stream == 0 else [seed + 1, stream])
    rows = []
    for rep in range(reps):
        X, y = task.sample(n, rng)
        U = task.sample(20 * d, rng)[0]
        prep = prepare(X, y, X @ task.beta_s, U)
        pe = estimate_parameters(prep)
        m = prep.X.shape[0]
        preds, transf, *_ = predict(prep, pe, [m], m)
        aniso = pe.__dict__["_aniso"]
        t_lt = preds["scratch_ridge"].value - preds["linear_transfer"].value
        t_ft = preds["scratch_ridge"].value - preds["finetune_ridge"].value
        row = {"rep": rep, "noise": float(feasible(pe.p)[1]),
               "T_lt": [transf["linear_transfer"].value, transf["linear_transfer"].low, transf["linear_transfer"].high]}
        try:
            row["sim"] = list(DifferenceLaw(aniso, m).bands(t_lt, t_ft)["linear_transfer"])
        except ValueError:
            pass
        rows.append(row)
        if rep % 50 == 0:
            print(index, stream, rep, flush=True)
    pickle.dump({"index": index, "stream": stream, "truth": truth, "rows": rows}, open(out, "wb"))


if __name__ == "__main__":
    main()
