"""cond24: a screen's misses below / above and median lower end (relative to the base rule "set"; lower ends that
are 0 or NaN count as 0) per rule and column, by the data's noise fraction f0.

    python benchmarks/diagnostics/cond24/ana.py SCREEN.json [SCREEN.json ...]
"""
import json
import sys

import numpy as np

BINS = (0.0, 0.15, 0.4, 0.7, 1.01)


def main():
    runs = [json.load(open(p)) for p in sys.argv[1:]]
    rules = runs[0]["rules"]
    for col in ("scratch_ridge", "finetune_ridge"):
        truth = runs[0]["truth"][col]
        reps = [r for run in runs for r in run["reps"]]
        f0 = np.array([r[f"f0:{col}"] for r in reps])
        b = np.digitize(f0, BINS) - 1
        print(f"== {col} (truth {truth:.4f}, {len(reps)} data sets; f0 bins {BINS[1:-1]}: "
              f"{[int(np.sum(b == i)) for i in range(4)]})")
        base_lo = np.nan_to_num(np.array([r[f"set:{col}"][1] for r in reps]))
        for rule in rules:
            x = np.array([r[f"{rule}:{col}"] for r in reps])
            lo, hi = np.nan_to_num(x[:, 1]), x[:, 2]
            below, above = truth < lo, truth > hi
            per = " | ".join(f"{int(below[b == i].sum())}/{int(above[b == i].sum())}" for i in range(4))
            with np.errstate(divide="ignore", invalid="ignore"):
                rel = [np.nanmedian(np.where(base_lo[b == i] > 0, lo[b == i] / base_lo[b == i], np.nan))
                       for i in range(4)]
            print(f"{rule:22s} {int(below.sum()):3d}/{int(above.sum()):3d} ({1 - np.mean(below | above):.3f})  "
                  f"by bin: {per}   lo/base median by bin: " + " ".join(f"{v:.2f}" for v in rel))


if __name__ == "__main__":
    main()
