"""isc21: replay of the band benchmark's isotropic replications (tasks, seeds, draws of
benchmarks/advisor_band_coverage.py) with the raw estimate recorded, to split coverage and width by
whether the estimate was projected onto a real task (noise clipped: sigma_hat^2 < 0; cosine clipped:
tau_hat^2 < rho_hat^2/r_hat^2).

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/isc21/diag.py INDEX REPS STREAM OUT.pkl
"""
import os
import pickle
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from advisor_band_coverage import COLS, SETTINGS, true_risks  # noqa: E402
from ftheory.advise.bootstrap import Worlds  # noqa: E402
from ftheory.advise.estimators import estimate_parameters, prepare  # noqa: E402
from ftheory.advise.report import predict  # noqa: E402
from ftheory.advise.synthetic import make_task  # noqa: E402


def main():
    # candidate screens: "test", "region", "both", "none" (unset: the code's defaults); ISC21_DRAWS: the bootstrap
    # draws behind the region and the own tests (default: the report's 400)
    variant = os.environ.get("ISC21_VARIANT")
    draws = int(os.environ.get("ISC21_DRAWS", "0"))
    if variant:
        from ftheory.advise import bands
        if not hasattr(bands, "CONDITIONAL_REGION"):
            raise SystemExit("ISC21_VARIANT needs the candidate's code: git worktree add /tmp/isc21_cand 6e6ef66, "
                             "then PYTHONPATH=/tmp/isc21_cand")
        bands.CONDITIONAL = variant in ("test", "both")
        bands.CONDITIONAL_REGION = variant in ("region", "both")
    index, reps, stream, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    d, gamma, theta, sigma, spec = SETTINGS[index]
    assert spec is None, "isotropic settings only"
    n = int(round(gamma * d))
    seed = 500 + index
    task = make_task(d, theta, sigma, seed=seed)
    truth = true_risks(task, None, n - 1, d)
    tp = task.truth()
    rng = np.random.default_rng(seed + 1 if stream == 0 else [seed + 1, stream])
    rows = []
    for rep in range(reps):
        X, y = task.sample(n, rng)
        prep = prepare(X, y, X @ task.beta_s, None)
        pe = estimate_parameters(prep)
        if draws:
            pe._worlds = Worlds(pe.n, pe.d, 0, draws, 0)
        m = prep.X.shape[0]
        preds, transf, *_ = predict(prep, pe, [m], m)
        ivs = dict(preds)
        ivs.update({f"T_{k}": v for k, v in transf.items()})
        rows.append({"rep": rep, "m": m, "p_hat": np.asarray(pe.p, float).tolist(),
                     "bands": {k: [ivs[k].value, ivs[k].low, ivs[k].high] for k in COLS}})
        if rep % 50 == 49:
            print(rep + 1, flush=True)
            with open(out, "wb") as fh:
                pickle.dump(_record(index, stream, truth, tp, rows), fh)
    with open(out, "wb") as fh:
        pickle.dump(_record(index, stream, truth, tp, rows), fh)


def _record(index, stream, truth, tp, rows):
    return {"index": index, "stream": stream, "truth": truth,
            "p_true": [tp["signal"], tp["noise_variance"], tp["overlap_inner"], tp["source_signal"]], "rows": rows}


if __name__ == "__main__":
    main()
