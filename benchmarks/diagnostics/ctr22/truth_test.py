"""ctr22: is the truth accepted by a prediction's own exact test (the ideal feasible-set inversion covers iff it is)?
Replays the band benchmark's replications (as isc21/diag.py) and evaluates the own test's margin at the true task on
both sides (plain test, or studentized as the report does for STUDENTIZED columns).

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/ctr22/truth_test.py INDEX REPS STREAM COL OUT.json
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from advisor_band_coverage import SETTINGS  # noqa: E402
from ftheory.advise.bands import _ALPHA, feasible_rows, param_cov_rows  # noqa: E402
from ftheory.advise.estimators import estimate_parameters, prepare  # noqa: E402
from ftheory.advise.own_test import studentized_margin  # noqa: E402
from ftheory.advise.predict import LINEAR, isotropic_risk  # noqa: E402
from ftheory.advise.report import _region  # noqa: E402
from ftheory.advise.synthetic import make_task  # noqa: E402


def main():
    index, reps, stream, col, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
    from ftheory.advise.report import STUDENTIZED
    d, gamma, theta, sigma, spec = SETTINGS[index]
    n = int(round(gamma * d))
    seed = 500 + index
    task = make_task(d, theta, sigma, seed=seed)
    tp = task.truth()
    p_true = np.array([tp["signal"], tp["noise_variance"], tp["overlap_inner"], tp["source_signal"]], float)
    rng = np.random.default_rng(seed + 1 if stream == 0 else [seed + 1, stream])
    linear = col in LINEAR
    rows = []
    for rep in range(reps):
        X, y = task.sample(n, rng)
        prep = prepare(X, y, X @ task.beta_s, None)
        pe = estimate_parameters(prep)
        m = prep.X.shape[0]
        reg = _region(pe)
        cut = reg.cut

        def f(P):
            Q = P if linear else feasible_rows(P)
            if col.startswith("T_"):                                 # transferability: scratch ridge minus the method
                tr = {"T_linear_transfer": "linear_transfer", "T_finetune": "finetune_ridge"}[col]
                return np.asarray(isotropic_risk("scratch_ridge", m, d, Q) - isotropic_risk(tr, m, d, Q), float)
            return np.asarray(isotropic_risk(col, m, d, Q), float)
        p_hat = np.asarray(reg.raw[0], float)
        stat = float(f(p_hat[None])[0])
        if col in STUDENTIZED:
            margin = studentized_margin(cut, f, p_hat, lambda Q: param_cov_rows(cut.n, cut.d, feasible_rows(Q)),
                                        _ALPHA, linear)
        else:
            margin = cut.stat_margin
        lo = float(margin(p_true[None], f, stat, 1.0)[0])    # > 0: not rejected as too low a value at the truth
        hi = float(margin(p_true[None], f, stat, -1.0)[0])
        rows.append({"rep": rep, "p_hat": p_hat.tolist(), "stat": stat, "margin_low": lo, "margin_high": hi})
    json.dump({"index": index, "stream": stream, "col": col, "p_true": p_true.tolist(),
               "truth": float(f(p_true[None])[0]), "rows": rows}, open(out, "w"))
    rej_lo = sum(r["margin_low"] <= 0 for r in rows)
    rej_hi = sum(r["margin_high"] <= 0 for r in rows)
    print(f"setting {index} stream {stream} {col}: truth rejected {rej_lo} (stat too high) / {rej_hi} (too low) of {reps}")


if __name__ == "__main__":
    main()
