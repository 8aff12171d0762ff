"""estoff28: the anisotropic cosine test (``overlap_lr.cosine_lr_test``) at the true cosine, calibrated where the
advisor calibrates it (the feasible unconstrained estimates, ``world="estimate"``) and at the true (tau^2, sigma^2):
does the test itself reject the truth too often, or its calibration world? Band benchmark's data sets (stream 0, rep
seeds); prints the acceptance counts and rates.

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/estoff28/cos_accept.py SET INDEX REPS [START]

(``START``: the replications ``START .. REPS - 1`` only, to split a run over processes.)
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import advisor_band_coverage as b  # noqa: E402
from ftheory.advise.overlap_lr import cosine_lr_test  # noqa: E402


def main():
    kind, index, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    start = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    setting, seed = b.setting_at(kind, index)
    task, ev, n = b.setting_task(setting, seed)
    tr = task.truth()
    c, world = tr["overlap"], (tr["signal"], tr["noise_variance"])
    acc = {"estimate": [], "true": [], "fit": []}
    for rep, prep, pe in b.datasets(setting, seed, reps, 0, 20, "rep", start):
        acc["estimate"].append(cosine_lr_test(pe, "estimate")(c) <= 0)
        acc["true"].append(cosine_lr_test(pe, world)(c) <= 0)
        acc["fit"].append(cosine_lr_test(pe, None)(c) <= 0)
    print(f"{kind} {index} {setting}: true cos {c:.4f}; acceptance of the true cosine over data sets {start}-{reps - 1}: "
          + ", ".join(f"{k} world {np.sum(v)} of {len(v)} ({np.mean(v):.3f})" for k, v in acc.items()), flush=True)


if __name__ == "__main__":
    main()
