"""Write C2's tuned fine-tuning column into the saved rows: for each run.py record, the saved row of the same setting
and stream (rep seeds) in its set's JSON must agree with the record's columns at the former rule count for count
(every column); its ``finetune_ridge`` counts are then replaced by C2's (``ana.intervals``; the library option's
bands, ``check.py``), and the row gets ``"tuned_finetune_low": "profiles"``.

    python benchmarks/diagnostics/tfc29/update_rows.py REC.json [REC.json ...]
"""
import json
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dist28"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import advisor_band_coverage as b  # noqa: E402
from ana import DOCS, SAVED, intervals  # noqa: E402
from rows import row  # noqa: E402

K = "finetune_ridge"


def main():
    saved = {k: json.load(open(os.path.join(DOCS, f))) for k, f in SAVED.items()}
    touched = set()
    for f in sys.argv[1:]:
        rec = json.load(open(f))
        new = row(rec)
        match = [r for r in saved[rec["set"]] if tuple(r["setting"]) == tuple(rec["setting"])
                 and r.get("stream", 0) == rec["stream"] and r.get("advisor_seeds") == "rep"]
        if len(match) != 1 or match[0]["reps"] != new["reps"]:
            raise SystemExit(f"{f}: {len(match)} saved rows match")
        old = match[0]
        bad = [k for k in b.COLS if b.miss_counts(old, k) != b.miss_counts(new, k)]
        if bad:
            raise SystemExit(f"{f}: the saved row differs from the record's former-rule columns in {bad}")
        t = rec["truth"][K]
        if not math.isfinite(t):
            continue
        lo = hi = 0
        for x in rec["reps"]:
            c = intervals(x)["C2"]
            lo += t < c[0]
            hi += t > c[1]
        N = len(rec["reps"])
        old["coverage"][K] = 1 - (lo + hi) / N
        old["truth_below_band"][K], old["truth_above_band"][K] = lo / N, hi / N
        old["tuned_finetune_low"] = "profiles"
        touched.add(rec["set"])
    for k in touched:
        with open(os.path.join(DOCS, SAVED[k]), "w") as fh:
            json.dump(saved[k], fh, indent=1)
        print(f"{SAVED[k]} updated")


if __name__ == "__main__":
    main()
