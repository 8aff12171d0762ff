"""seed22: misses per pivot seed (below / above) of pivotseeds.py runs of one setting, pooled over the runs, and the
correlation over seeds of the below-miss counts of two runs (is a seed's effect shared by independent streams?).

    PYTHONPATH=. python benchmarks/diagnostics/seed22/perseed.py RUN.json [RUN.json ...]
"""
import json
import sys

import numpy as np

COLS = ("scratch_min_norm", "scratch_ridge", "finetune_min_norm", "finetune_ridge", "T_finetune")


def counts(res, k):
    t, K = res["truth"][k], res["K"]
    lo, hi = np.zeros(K, int), np.zeros(K, int)
    for v in res["reps"].values():
        if "seeds" in v:
            E = np.array([s[k] for s in v["seeds"]])
            lo += t < E[:, 1]
            hi += t > E[:, 2]
    return lo, hi


def main():
    runs = [json.load(open(p)) for p in sys.argv[1:]]
    N = sum(len(r["reps"]) for r in runs)
    print(f"{len(runs)} runs, {N} replications; per seed 0..K-1: misses below / above (pooled)")
    for k in COLS:
        c = [counts(r, k) for r in runs]
        lo, hi = sum(x[0] for x in c), sum(x[1] for x in c)
        cov = 1 - (lo + hi) / N
        line = (f"{k}: seed 0 {lo[0]} / {hi[0]} ({cov[0]:.3f}); mean {lo.mean():.1f} / {hi.mean():.1f} "
                f"({cov.mean():.3f}), coverage sd over seeds {cov.std(ddof=1):.3f}, range {cov.min():.3f}-{cov.max():.3f}; "
                f"seed 0 rank {int(np.sum(cov > cov[0]))} of {len(cov)} by coverage (0 highest)")
        if len(c) > 1 and np.std(c[0][0]) > 0 and np.std(c[1][0]) > 0:
            line += f"; corr of below counts (runs 1, 2) {np.corrcoef(c[0][0], c[1][0])[0, 1]:+.2f}"
        print(line)
        print("   below per seed:", lo.tolist(), " above:", hi.tolist())


if __name__ == "__main__":
    main()
