"""tftune28: the tuned bands' caps (ftheory.advise.caps) against the truth. Per data set of the benchmark's stream 0
(rep seeds): the 95% intervals of the capping parameters (distance ||beta_t - beta_s||^2_Sigma for fine-tuning,
signal ||beta_t||^2_Sigma for scratch) and the true values; prints each interval's misses (below / above) and
how many truths of the tuned risk exceed the cap.

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/tftune28/caps.py SET INDEX REPS OUT.json
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import advisor_band_coverage as b  # noqa: E402


def main():
    kind, index, reps, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    setting, seed = b.setting_at(kind, index)
    task, ev, n = b.setting_task(setting, seed)
    truth = b.true_risks(task, ev, n - 1, setting[0])
    tr = task.truth()
    true = {"signal": tr["signal"], "distance": tr["signal"] - 2 * tr["overlap_inner"] + tr["source_signal"],
            "noise_variance": tr["noise_variance"]}
    rows = []
    for rep, prep, pe in b.datasets(setting, seed, reps, 0, 20, "rep"):
        rows.append({k: [pe.interval(k).low, pe.interval(k).high] for k in true})
    res = {"set": kind, "index": index, "setting": setting, "true": true, "truth": truth, "rows": rows}
    with open(out, "w") as fh:
        json.dump(res, fh)
    caps = {"distance": "finetune_ridge", "signal": "scratch_ridge"}
    for k, v in true.items():
        lo = np.array([r[k][0] for r in rows])
        hi = np.array([r[k][1] for r in rows])
        extra = ""
        if k in caps:
            extra = f"; tuned risk {truth[caps[k]]:.4f} above the cap in {np.sum(truth[caps[k]] > hi)}"
        print(f"{kind} {index} {k}: true {v:.4f}, misses below {np.sum(v < lo)} above {np.sum(v > hi)} of "
              f"{len(rows)}{extra}", flush=True)


if __name__ == "__main__":
    main()
