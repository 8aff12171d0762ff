"""clip21: the reports' bands on a few benchmark tasks (first REPS replications of stream 0), for a bitwise
comparison of two code trees (run once with each on PYTHONPATH).

    OMP_NUM_THREADS=1 PYTHONPATH=TREE python benchmarks/diagnostics/clip21/bitwise.py REPS OUT.pkl 5 8 9 10 12 13
    python benchmarks/diagnostics/clip21/bitwise.py --compare A.pkl B.pkl
"""
import os
import pickle
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from advisor_band_coverage import SETTINGS, SPECTRA  # noqa: E402


def record(reps, settings):
    import ftheory
    from ftheory.advise.estimators import estimate_parameters, feasible, prepare
    from ftheory.advise.report import predict
    from ftheory.advise.synthetic import make_task
    print("ftheory from", ftheory.__file__, flush=True)
    out = {}
    for index in settings:
        d, gamma, theta, sigma, spec = SETTINGS[index]
        n = int(round(gamma * d))
        ev = SPECTRA[spec](d) if spec else None
        seed = 500 + index
        task = make_task(d, theta, sigma, eigenvalues=ev, seed=seed)
        rng = np.random.default_rng(seed + 1)
        for rep in range(reps):
            X, y = task.sample(n, rng)
            U = task.sample(20 * d, rng)[0] if spec else None
            prep = prepare(X, y, X @ task.beta_s, U)
            pe = estimate_parameters(prep)
            m = prep.X.shape[0]
            preds, transf, *_ = predict(prep, pe, [m], m)
            row = {k: (v.value, v.low, v.high) for k, v in preds.items()}
            row.update({"T_" + k: (v.value, v.low, v.high) for k, v in transf.items()})
            row["clipped"] = bool(feasible(pe.p)[1] == 0)
            row["below"] = bool(spec) and m < d
            out[(index, rep)] = row
        print(index, flush=True)
    return out


def compare(a, b):
    moved = {}
    for key in a:
        for col in a[key]:
            if col in ("clipped", "below"):
                continue
            same = a[key][col] == b[key][col]
            if not same:
                moved.setdefault((key[0], col, a[key]["clipped"], a[key]["below"]), []).append(key[1])
    print(f"{len(a)} reports compared; columns that moved (setting, column, noise clipped, aniso below n = d): reps")
    for k, v in sorted(moved.items()):
        print(" ", k, len(v), v[:10])
    n_clip = sum(r["clipped"] and r["below"] for r in a.values())
    print(f"aniso below n = d with the noise clipped: {n_clip} reports")


if __name__ == "__main__":
    if sys.argv[1] == "--compare":
        compare(pickle.load(open(sys.argv[2], "rb")), pickle.load(open(sys.argv[3], "rb")))
    else:
        pickle.dump(record(int(sys.argv[1]), [int(s) for s in sys.argv[3:]]), open(sys.argv[2], "wb"))
