"""tftune28: the report's tuned bands below n = d with every profile's ends recorded. Replays the benchmark's stream
(``datasets``, rep seeds) through ``predict`` (the report's bands, caps included) and, by wrapping
``ScalePivot._ends`` (unchanged), records each profile's ray ends (``j``: 0 scratch fitted, 1 fine-tuning fitted,
2 whitened-even, 3 coordinate-even) of the tuned scratch and fine-tuning bands, with the capping intervals. Offline
(``ana_screen.py``) the benchmark's counts are recomputed from the saved intervals and candidate ends are formed.

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/tftune28/screen.py SET INDEX REPS OUT.json [STREAM [DIST]]

DIST: the distance interval's rule (``ParameterEstimates.distance``: wald, the default, or residual, dist28's
candidate; dist28's E2 ran at 988eefb, where residual was the only rule).
"""
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import advisor_band_coverage as b  # noqa: E402
from ftheory.advise.aniso_pivot import ScalePivot  # noqa: E402
from ftheory.advise.estimators import ParameterEstimates  # noqa: E402
from ftheory.advise.report import predict  # noqa: E402

REC = {}
_orig = ScalePivot._ends


def _ends(self, which, j, W, V, v_all, sel, tuned, level, extra_sd=None):
    out = _orig(self, which, j, W, V, v_all, sel, tuned, level, extra_sd)
    if tuned:
        REC[f"{which}_{j}"] = [float(np.ravel(x)[0]) for x in out] + [float(v_all[0, sel[0]]),
                                                                    float(self.last["f0"])]
    return out


ScalePivot._ends = _ends


def main():
    kind, index, reps, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    stream = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    if len(sys.argv) > 6:
        ParameterEstimates.distance = sys.argv[6]
    setting, seed = b.setting_at(kind, index)
    task, ev, n = b.setting_task(setting, seed)
    truth = b.true_risks(task, ev, n - 1, setting[0])
    tr = task.truth()
    res = {"set": kind, "index": index, "stream": stream, "distance_rule": ParameterEstimates.distance,
           "setting": setting, "truth": truth,
           "true_distance": tr["signal"] - 2 * tr["overlap_inner"] + tr["source_signal"],
           "true_signal": tr["signal"], "reps": []}
    t0 = time.time()
    for rep, prep, pe in b.datasets(setting, seed, reps, stream, 20, "rep"):
        REC.clear()
        m = prep.X.shape[0]
        preds, transf, *_ = predict(prep, pe, [m], m)
        ivs = {k: [v.value, v.low, v.high] for k, v in preds.items()}
        ivs.update({f"T_{k}": [v.value, v.low, v.high] for k, v in transf.items()})
        res["reps"].append({"rep": rep, "ivs": ivs, "ends": dict(REC),
                            "caps": {k: [pe.interval(k).low, pe.interval(k).high] for k in ("signal", "distance")}})
        if rep % 25 == 0:
            print(f"rep {rep} {time.time() - t0:.0f}s", flush=True)
            with open(out, "w") as fh:
                json.dump(res, fh)
    with open(out, "w") as fh:
        json.dump(res, fh)


if __name__ == "__main__":
    main()
