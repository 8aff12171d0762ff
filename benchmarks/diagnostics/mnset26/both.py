"""mnset26: the min-norm bands below n = d under the rule that was in use before mnset26 (``ScalePivot.minnorm =
"prepivot"``) and the candidate ``"set_low"`` (adopted since: the default) (lower end the lower of the prepivot's and the noise fraction's calibrated set's, upper end
the prepivot's), in one pass over the band benchmark's replications (``advisor_band_coverage.run``, rep seeds).

Every column of the output row is the former rule, as the benchmark wrote it before mnset26 (so it can be checked count for count
against a saved run of the same stream); two more columns, ``scratch_min_norm@set_low`` and
``finetune_min_norm@set_low``, are the candidate's bands on the same data sets and the same simulated draws.

    PYTHONPATH=. python benchmarks/diagnostics/mnset26/both.py (grid|offgrid) INDEX REPS STREAM OUT.json
"""
import json
import math
import sys
import time

import numpy as np

sys.path.insert(0, "benchmarks")
import advisor_band_coverage as b  # noqa: E402

from ftheory.advise import report  # noqa: E402
from ftheory.advise.aniso_pivot import PIVOT_DRAWS, ScalePivot  # noqa: E402
from ftheory.advise.aniso_predict import AnisotropicPredictor  # noqa: E402

CAND = "@set_low"
MN = ("scratch_min_norm", "finetune_min_norm")
STASH, BANDS, CHECK = {}, {}, {"nan_fallback": 0, "checked": 0}
_ends, _bands, _predict, _truth = ScalePivot._ends, AnisotropicPredictor.bands, b.predict, b.true_risks


def ends(self, which, j, W, V, v_all, sel, tuned, *rest, **kw):
    """The rule in use's ends; the candidate's lower end stashed (one computation: "set_low" keeps both)."""
    if tuned:
        return _ends(self, which, j, W, V, v_all, sel, tuned, *rest, **kw)
    self.minnorm = "set_low"
    try:
        lo_c, hi, hl = _ends(self, which, j, W, V, v_all, sel, tuned, *rest, **kw)
    finally:
        del self.minnorm
    STASH[which] = lo_c
    return self.last["lo_prepivot"], hi, hl


def bands(self, proc, ns, *a, **kw):
    """The rule in use's band; for min-norm below n = d the candidate's, from the stashed lower end, kept aside."""
    STASH.clear()
    value, lo, hi = _bands(self, proc, ns, *a, **kw)
    if proc in MN and STASH:
        which = "scratch" if proc.startswith("scratch") else "finetune"
        pl = STASH[which]                                      # the candidate's pivot end (NaN: none)
        if len(pl) != len(value):
            raise RuntimeError("rows without a pivot band: not handled by this diagnostic")
        lo_s = np.zeros_like(pl)
        if np.isnan(pl).any():                                 # no end from the ray: the score step's (recomputed)
            CHECK["nan_fallback"] += 1
            lo_s = np.maximum(self.linear_risks(which, ns, [0.0])[2][:, 0], 0.0)
        BANDS[proc] = (value, lo, hi, np.minimum(np.where(np.isnan(pl), lo_s, np.maximum(pl, 0.0)), value))
    return value, lo, hi


def predict(prep, pe, ns, n_at):
    """``report.predict``, with the candidate's min-norm intervals added as columns ``proc@set_low``."""
    BANDS.clear()
    preds, transf, bnds, *rest = _predict(prep, pe, ns, n_at)
    at = int(np.searchsorted(np.asarray(ns), n_at))
    preds = dict(preds)
    for proc, (v, lo, hi, lo_c) in BANDS.items():
        if not all(np.array_equal(x, y) for x, y in zip(bnds[proc], (v, lo, hi))):
            raise RuntimeError(f"{proc}: predict changed the band after AnisotropicPredictor.bands")
        CHECK["checked"] += 1
        preds[proc + CAND] = report._band_interval(v[at], lo_c[at], hi[at])
    return (preds, transf, bnds, *rest)


def true_risks(task, ev, m, d):
    """The benchmark's truths, the candidate's columns included."""
    t = _truth(task, ev, m, d)
    t.update({k + CAND: t[k] for k in MN})
    return t


ScalePivot._ends, AnisotropicPredictor.bands, b.predict, b.true_risks = ends, bands, predict, true_risks
b.COLS = b.COLS + tuple(k + CAND for k in MN)

if __name__ == "__main__":
    kind, i, reps, stream, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    setting, seed = b.setting_at(kind, i)
    t0 = time.time()
    res = b.run(setting, reps, seed, stream=stream, seeds="rep")
    row = {"setting": setting, "reps": reps, "stream": stream, "unlabeled_per_feature": 20, "advisor_seeds": "rep",
           "pivot_draws": PIVOT_DRAWS, "seconds": time.time() - t0, **res, "check": dict(CHECK),
           "kind": kind, "index": i}
    with open(out, "w") as fh:
        json.dump([row], fh, indent=1)
    print(json.dumps({k: (round(v, 4) if v is not None and not math.isnan(v) else v)
                      for k, v in res["coverage"].items()}))
