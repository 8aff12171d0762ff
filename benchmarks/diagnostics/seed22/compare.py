"""seed22: ends at more draws against 256 (pivotseeds.py runs of the same setting and stream): per column and side, the
mean over data sets of (mean over the big run's seeds - mean over the 256 seeds) / (sd over the 256 seeds), the ratio of
the seed-to-seed sds (big / 256), and each big seed's mean z against the 256 seeds.

    PYTHONPATH=. python benchmarks/diagnostics/seed22/compare.py RUN256.json RUNBIG.json
"""
import json
import sys

import numpy as np

COLS = ("scratch_min_norm", "scratch_ridge", "finetune_min_norm", "finetune_ridge", "T_finetune")


def main():
    a, b = (json.load(open(p)) for p in sys.argv[1:3])
    common = [r for r in b["reps"] if "seeds" in b["reps"][r] and "seeds" in a["reps"].get(r, {})]
    print(f"{len(common)} data sets re-run at both: {a['K']} seeds x {a['B']} and {b['K']} seeds x {b['B']} draws")
    print("| column | side | n | mean z of the big seeds' mean | big seeds' mean z each | sd ratio big/256 (median) |")
    print("|---|---|---|---|---|---|")
    for k in COLS:
        for side, j in (("low", 1), ("high", 2)):
            zm, zs, ratio = [], [], []
            for r in common:
                e = np.array([s[k][j] for s in a["reps"][r]["seeds"]])
                f = np.array([s[k][j] for s in b["reps"][r]["seeds"]])
                if not (np.all(np.isfinite(e)) and np.all(np.isfinite(f))):
                    continue
                sd = np.std(e, ddof=1)
                if sd <= 0:
                    continue
                zm.append((f.mean() - e.mean()) / sd)
                zs.append((f - e.mean()) / sd)
                ratio.append(np.std(f, ddof=1) / sd)
            if not zm:
                continue
            each = " ".join(f"{x:+.2f}" for x in np.mean(zs, 0))
            print(f"| {k} | {side} | {len(zm)} | {np.mean(zm):+.2f} | {each} | {np.median(ratio):.2f} |")


if __name__ == "__main__":
    main()
