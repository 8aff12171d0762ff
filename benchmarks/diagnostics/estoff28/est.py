"""estoff28: the reported estimates' 95% intervals off the grid. Per data set of the band benchmark's stream 0 (rep
seeds: ``datasets``), the intervals of noise_variance, signal and overlap (the cosine) as the report computes them,
and of the distance under both rules (``ParameterEstimates.distance``: "wald", the default, and "residual"), with the
truths; prints each interval's misses (truth below / above) and coverage.

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/estoff28/est.py SET INDEX REPS OUT.json
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import advisor_band_coverage as b  # noqa: E402
from ftheory.advise.estimators import ParameterEstimates  # noqa: E402

NAMES = ("noise_variance", "signal", "overlap")


def main():
    kind, index, reps, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    setting, seed = b.setting_at(kind, index)
    task, ev, n = b.setting_task(setting, seed)
    tr = task.truth()
    true = {k: tr[k] for k in NAMES + ("distance",)}
    rows = []
    for rep, prep, pe in b.datasets(setting, seed, reps, 0, 20, "rep"):
        r = {k: [pe.interval(k).low, pe.interval(k).high] for k in NAMES}
        for rule in ("wald", "residual"):
            ParameterEstimates.distance = rule
            pe._cache.pop("distance", None)
            iv = pe.interval("distance")
            r[f"distance_{rule}"] = [iv.low, iv.high]
        ParameterEstimates.distance = "wald"
        rows.append(r)
    with open(out, "w") as fh:
        json.dump({"set": kind, "index": index, "setting": setting, "true": true, "rows": rows}, fh)
    for k in rows[0]:
        t = true[k.split("_")[0] if k.startswith("distance") else k]
        lo = np.array([x[k][0] for x in rows])
        hi = np.array([x[k][1] for x in rows])
        bl, ab = int(np.sum(t < lo)), int(np.sum(t > hi))
        print(f"{kind} {index} {k}: true {t:.4f} below {bl} above {ab} of {len(rows)} "
              f"({1 - (bl + ab) / len(rows):.3f})", flush=True)


if __name__ == "__main__":
    main()
