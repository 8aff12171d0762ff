"""tfc29: the band benchmark's data sets through the report at the rules in use, recording what two candidates
need, so that both are evaluated on the same data sets and draws as the rules in use:

* C1 (dist28's rule, ``ParameterEstimates.distance = "residual"``): the tuned bands before their caps
  (``report.cap_tuned`` wrapped) and the distance's interval under both rules; C1's ``finetune_ridge`` interval is
  ``caps.cap_tuned`` of the same band at the residual interval's upper end. T_ft reads the capped value (below
  n = d its simulated law is centred there; above n = d the noise disc's interval too; the isotropic T_ft does not
  read it), so where C1's value differs from the rule in use's the report is run again under C1 and its
  transferabilities recorded (``c1_T``); elsewhere they are the rule in use's (``check.py --c1`` checks this).
* C2 (``ScalePivot.tuned_low = "profiles"``): every profile's ray ends of the tuned bands (``ScalePivot._ends``
  wrapped, unchanged), from which the lower end over the profiles is formed.

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/tfc29/run.py SET INDEX REPS STREAM OUT.json

An existing OUT.json of the same run (its checkpoint, written every 25 data sets) is resumed after its last data set.
"""
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import advisor_band_coverage as b  # noqa: E402
from ana import capped, report_intervals  # noqa: E402
from ftheory.advise import report  # noqa: E402
from ftheory.advise.aniso_pivot import ScalePivot  # noqa: E402
from ftheory.advise.estimators import ParameterEstimates  # noqa: E402

REC = {}
_orig_ends, _orig_cap = ScalePivot._ends, report.cap_tuned


def _ends(self, which, j, W, V, v_all, sel, tuned, level, extra_sd=None):
    out = _orig_ends(self, which, j, W, V, v_all, sel, tuned, level, extra_sd)
    if tuned:
        REC["ends"][f"{which}_{j}"] = [float(np.ravel(x)[0]) for x in out]
    return out


def _cap(bands, pe):
    """``report.cap_tuned``, recording the tuned fine-tuning band before the cap (``ns = [m]``: one point)."""
    REC["uncapped"] = [float(np.ravel(x)[0]) for x in bands["finetune_ridge"]]
    return _orig_cap(bands, pe)


report.cap_tuned = _cap
ScalePivot._ends = _ends


def distance_intervals(pe):
    """``{"wald": [low, high], "residual": [low, high]}``, each computed afresh under its rule."""
    out, rule = {}, ParameterEstimates.distance
    try:
        for r in ("wald", "residual"):
            ParameterEstimates.distance = r
            iv = pe._interval("distance")
            out[r] = [float(iv.low), float(iv.high)]
    finally:
        ParameterEstimates.distance = rule
    return out


def c1_transferability(prep, pe):
    """``{"T_...": [value, low, high]}`` of the report under C1 (the distance's cache cleared, then restored)."""
    rule, cached = ParameterEstimates.distance, pe._cache.pop("distance", None)
    try:
        ParameterEstimates.distance = "residual"
        REC_saved = dict(REC)
        REC["ends"] = {}                                  # the record's own dict is not written into
        ivs = report_intervals(prep, pe)
    finally:
        ParameterEstimates.distance = rule
        pe._cache.pop("distance", None)
        if cached is not None:
            pe._cache["distance"] = cached
        REC.clear()
        REC.update(REC_saved)
    return {k: v for k, v in ivs.items() if k.startswith("T_")}


def main():
    kind, index, reps, stream, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    assert ParameterEstimates.distance == "wald" and ScalePivot.tuned_low == "fitted"
    setting, seed = b.setting_at(kind, index)
    task, ev, n = b.setting_task(setting, seed)
    truth = b.true_risks(task, ev, n - 1, setting[0])
    res = {"set": kind, "index": index, "stream": stream, "setting": setting, "truth": truth, "c1_T": True,
           "reps": []}
    if os.path.exists(out):
        old = json.load(open(out))
        keys = ("set", "index", "stream", "setting", "c1_T")
        assert all(old[k] == json.loads(json.dumps(res[k])) for k in keys), "another run's record"
        res["reps"], res["resumed_at"] = old["reps"], len(old["reps"])
    t0 = time.time()
    for rep, prep, pe in b.datasets(setting, seed, reps, stream, 20, "rep", start=len(res["reps"])):
        REC.clear()
        REC["ends"] = {}
        ivs = report_intervals(prep, pe)
        dist = distance_intervals(pe)
        entry = {"rep": rep, "ivs": ivs, "ends": REC["ends"], "uncapped": REC.get("uncapped"), "distance": dist}
        if capped(REC["uncapped"], dist["residual"][1])[0] != ivs["finetune_ridge"][0]:
            entry["c1_T"] = c1_transferability(prep, pe)
        res["reps"].append(entry)
        if rep % 25 == 0:
            print(f"rep {rep} {time.time() - t0:.0f}s", flush=True)
            save(res, out)
    res["seconds"] = time.time() - t0                      # resumed: this process's seconds only
    save(res, out)


def save(res, out):
    """Write the record whole or not at all (a run stopped while writing leaves the last checkpoint to resume)."""
    with open(out + ".tmp", "w") as fh:
        json.dump(res, fh)
    os.replace(out + ".tmp", out)


if __name__ == "__main__":
    main()
