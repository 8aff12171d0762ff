"""dist28: the band benchmark's rows from tftune28/screen.py records (the counting of the benchmark's ``run()``: a
column counts where its truth is finite; a miss below is ``truth < low``, above ``truth > high``), and the comparison
with saved rows column by column.

    python benchmarks/diagnostics/dist28/rows.py OUT.json REC.json [REC.json ...]       # rows, as --out writes them
    python benchmarks/diagnostics/dist28/rows.py --compare SAVED.json NEW.json          # per setting and column
"""
import json
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import advisor_band_coverage as b  # noqa: E402


def row(rec):
    """The benchmark row (``run()``'s dict plus the saved rows' metadata) of one screen record."""
    truth = rec["truth"]
    below, above, counted = (dict.fromkeys(b.COLS, 0) for _ in range(3))
    for r in rec["reps"]:
        for k in b.COLS:
            t = truth[k]
            if not math.isfinite(t):
                continue
            counted[k] += 1
            below[k] += t < r["ivs"][k][1]
            above[k] += t > r["ivs"][k][2]
    return {"setting": rec["setting"], "reps": len(rec["reps"]), "stream": rec.get("stream", 0),
            "unlabeled_per_feature": 20, "advisor_seeds": "rep", "pivot_draws": b.PIVOT_DRAWS, "seconds": 0.0,
            "coverage": {k: 1 - (below[k] + above[k]) / counted[k] if counted[k] else None for k in b.COLS},
            "truth_below_band": {k: below[k] / max(counted[k], 1) for k in b.COLS},
            "truth_above_band": {k: above[k] / max(counted[k], 1) for k in b.COLS}, "counted": counted}


def compare(saved, new):
    """Lines ``setting column: saved b/a -> new b/a`` for every column whose counts differ, and the pooled columns."""
    old = {tuple(r["setting"]): r for r in saved}
    tot = {}
    for r in new:
        s = old.get(tuple(r["setting"]))
        if s is None:
            print(f"{r['setting']}: no saved row")
            continue
        for k in b.COLS:
            o, n = b.miss_counts(s, k), b.miss_counts(r, k)
            t = tot.setdefault(k, [0, 0, 0, 0, 0, 0])
            for i, v in enumerate(o + n):
                t[i] += v
            if o != n:
                print(f"{r['setting']} {k}: {o[0]} / {o[1]} of {o[2]} -> {n[0]} / {n[1]} of {n[2]}")
    for k, t in tot.items():
        print(f"pooled {k}: {1 - (t[0] + t[1]) / t[2]:.4f} ({t[0]} / {t[1]}) -> {1 - (t[3] + t[4]) / t[5]:.4f} "
              f"({t[3]} / {t[4]})")


def main():
    a = sys.argv[1:]
    if a[0] == "--compare":
        compare(json.load(open(a[1])), json.load(open(a[2])))
        return
    rows = [row(json.load(open(f))) for f in a[1:]]
    with open(a[0], "w") as fh:
        json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
