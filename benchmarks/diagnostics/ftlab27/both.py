"""ftlab27: the min-norm fine-tuning band below n = d under the world total in use (``ScalePivot.ft_total =
"fitted"``) and the candidate ``"label"`` (the fitted world's total at the data's mean ``(y - z)^2``, each simulated
draw's own at its own; ftmn26), in one pass over the band benchmark's replications (``advisor_band_coverage.run``,
rep seeds).

Every column of the output row is the rule in use, as the benchmark writes it (so it can be checked count for count
against a saved run of the same stream); one more column, ``finetune_min_norm@label``, is the candidate's band on the
same data sets and the same simulated draws (the pivot's unit statistics are shared; the band is recomputed whole
with ``ft_total = "label"``).

    PYTHONPATH=. python benchmarks/diagnostics/ftlab27/both.py (grid|offgrid|fresh) INDEX REPS STREAM OUT.json

``fresh``: the held-out settings (the benchmark's ``HELDOUT``, ``offgrid_settings("below", 12, 2615)``) at task
seeds 900 + index (drawn for this test; never run before it).
"""
import json
import math
import sys
import time

sys.path.insert(0, "benchmarks")
import advisor_band_coverage as b  # noqa: E402

from ftheory.advise import report  # noqa: E402
from ftheory.advise.aniso_pivot import PIVOT_DRAWS, ScalePivot  # noqa: E402
from ftheory.advise.aniso_predict import AnisotropicPredictor  # noqa: E402

CAND, PROC = "@label", "finetune_min_norm"
BANDS, CHECK = {}, {"checked": 0}
_bands, _predict, _truth = AnisotropicPredictor.bands, b.predict, b.true_risks


def bands(self, proc, ns, *a, **kw):
    """The rule in use's band; for min-norm fine-tuning the candidate's too, kept aside."""
    out = _bands(self, proc, ns, *a, **kw)
    if proc == PROC:
        if ScalePivot.ft_total != "fitted":
            raise RuntimeError("the rule in use is not 'fitted'")
        ScalePivot.ft_total = "label"
        try:
            BANDS[proc] = (out, _bands(self, proc, ns, *a, **kw))
        finally:
            ScalePivot.ft_total = "fitted"
    return out


def predict(prep, pe, ns, n_at):
    """``report.predict``, with the candidate's interval added as column ``finetune_min_norm@label``."""
    BANDS.clear()
    preds, transf, bnds, *rest = _predict(prep, pe, ns, n_at)
    preds = dict(preds)
    if PROC in BANDS:
        used, cand = BANDS[PROC]
        if not all((x == y).all() for x, y in zip(bnds[PROC], used)):
            raise RuntimeError("predict changed the band after AnisotropicPredictor.bands")
        at = list(ns).index(n_at)
        CHECK["checked"] += 1
        preds[PROC + CAND] = report._band_interval(cand[0][at], cand[1][at], cand[2][at])
    else:                                                  # no band of this procedure: the column is the same
        preds[PROC + CAND] = preds[PROC]
    return (preds, transf, bnds, *rest)


def true_risks(task, ev, m, d):
    """The benchmark's truths, the candidate's column included."""
    t = _truth(task, ev, m, d)
    t[PROC + CAND] = t[PROC]
    return t


AnisotropicPredictor.bands, b.predict, b.true_risks = bands, predict, true_risks
b.COLS = b.COLS + (PROC + CAND,)

if __name__ == "__main__":
    kind, i, reps, stream, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    setting, seed = b.setting_at("heldout" if kind == "fresh" else kind, i)
    t0 = time.time()
    res = b.run(setting, reps, seed, stream=stream, seeds="rep")
    row = {"setting": setting, "reps": reps, "stream": stream, "unlabeled_per_feature": 20, "advisor_seeds": "rep",
           "pivot_draws": PIVOT_DRAWS, "seconds": time.time() - t0, **res, "check": dict(CHECK),
           "kind": kind, "index": i, "task_seed": seed}
    with open(out, "w") as fh:
        json.dump([row], fh, indent=1)
    print(json.dumps({k: (round(v, 4) if v is not None and not math.isnan(v) else v)
                      for k, v in res["coverage"].items()}))
