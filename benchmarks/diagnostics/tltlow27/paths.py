"""tltlow27: which path gives the T_lt band below n = d (the law given the clip, or combine_concordant), and the
misses of each, on the band benchmark's replications (rep seeds) of one setting; beside it, the band
``aniso_difference.combine`` (opposite sides) gives from the same two risk intervals and correlation.

    PYTHONPATH=. python benchmarks/diagnostics/tltlow27/paths.py (grid|offgrid|fresh) INDEX REPS OUT.json [STREAM]

``fresh``: the benchmark's ``HELDOUT`` at task seeds 900 + index (ftlab27's held-out set).
"""
import json
import sys

sys.path.insert(0, "benchmarks")
import advisor_band_coverage as b  # noqa: E402

import ftheory.advise.aniso_difference as ad  # noqa: E402
from ftheory.advise.estimators import feasible  # noqa: E402

SEEN = {}
_conc = ad.combine_concordant


def conc(a, b, rho=0.0):
    """``combine_concordant``, with ``combine``'s band on the same arguments kept aside."""
    SEEN["combine"] = ad.combine(a, b, rho)
    SEEN["rho"] = rho
    return _conc(a, b, rho)


ad.combine_concordant = conc

if __name__ == "__main__":
    kind, i, reps, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    stream = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    setting, seed = b.setting_at("heldout" if kind == "fresh" else kind, i)
    task, ev, n = b.setting_task(setting, seed)
    truth = b.true_risks(task, ev, n - 1, setting[0])
    rows = []
    for rep, prep, pe in b.datasets(setting, seed, reps, stream, 20, "rep"):
        m = prep.X.shape[0]
        SEEN.clear()
        preds, transf, *_ = b.predict(prep, pe, [m], m)
        iv = transf["linear_transfer"]
        q = feasible(pe.p)
        rows.append({"rep": rep, "clipped": bool(q[1] == 0), "p_hat": [float(x) for x in pe.p],
                     "value": iv.value, "low": iv.low, "high": iv.high, "truth": truth["T_linear_transfer"],
                     "scratch": [preds["scratch_ridge"].value, truth["scratch_ridge"]],
                     "probe": [preds["linear_transfer"].value, truth["linear_transfer"]],
                     "combine": [float(x) for x in SEEN["combine"]], "rho_lt": SEEN["rho"]})
    t = truth["T_linear_transfer"]
    for c in (True, False):
        rs = [r for r in rows if r["clipped"] == c]
        lo = sum(t < r["low"] for r in rs)
        hi = sum(t > r["high"] for r in rs)
        clo = sum(t < r["combine"][1] for r in rs)
        chi = sum(t > r["combine"][2] for r in rs)
        print(f"clipped={c}: {len(rs)} data sets, truth below {lo}, above {hi}; combine: below {clo}, above {chi}")
    with open(out, "w") as fh:
        json.dump({"setting": setting, "seed": seed, "stream": stream, "truth": truth, "params": list(task.params)
                   if hasattr(task, "params") else None, "rows": rows}, fh, indent=1)
