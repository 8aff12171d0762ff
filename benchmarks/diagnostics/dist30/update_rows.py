"""Write C1's columns into saved band-benchmark rows (used only if dist30's rule adopts C1): for each tfc29/run.py
record (with its second reports: run.py since dfdc7c3, or fill.py's output), the saved row of the same setting and
stream must equal the record's columns at the rule in use count for count (every column); its ``finetune_ridge``
and ``T_finetune`` columns are then replaced by C1's (tfc29/ana.py's ``intervals`` and ``t_ft``: the library's
bands under C1 bit for bit, tfc29/check.py --c1). Rows touched get ``"distance_rule": "residual"``.

    python benchmarks/diagnostics/dist30/update_rows.py SAVED.json REC.json [REC.json ...]
"""
import copy
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "..", "tfc29"))
sys.path.insert(0, os.path.join(HERE, "..", "dist28"))
import advisor_band_coverage as b  # noqa: E402
from ana import intervals, t_ft  # noqa: E402
from rows import row  # noqa: E402

KEYS = ("coverage", "truth_below_band", "truth_above_band", "counted")


def c1_record(rec):
    """The record with its tuned fine-tuning and T_ft intervals replaced by C1's (the low and high ends; the
    value is not counted)."""
    if not rec.get("c1_T"):
        raise SystemExit(f"{b.set_label(rec['set'], rec['index'])} s{rec['stream']}: no second reports (fill.py)")
    out = copy.deepcopy(rec)
    for x in out["reps"]:
        x["ivs"]["finetune_ridge"] = [None, *intervals(x)["C1"]]
        x["ivs"]["T_finetune"] = [None, *t_ft(x)["C1"]]
    return out


def main():
    path, recs = sys.argv[1], sys.argv[2:]
    rows = json.load(open(path))
    done = 0
    for p in recs:
        rec = json.load(open(p))
        match = [r for r in rows if r["setting"] == list(rec["setting"]) and r.get("stream", 0) == rec["stream"]
                 and r.get("advisor_seeds") == "rep" and r["reps"] == len(rec["reps"])]
        if len(match) != 1:
            raise SystemExit(f"{p}: {len(match)} saved rows match")
        old, now, new = match[0], row(rec), row(c1_record(rec))
        bad = [k for k in b.COLS if b.miss_counts(old, k) != b.miss_counts(now, k)]
        if bad:
            raise SystemExit(f"{p}: the saved row differs from the record at the rule in use in {bad}")
        for k in ("finetune_ridge", "T_finetune"):
            for key in KEYS:
                old[key][k] = new[key][k]
        old["distance_rule"] = "residual"
        done += 1
    with open(path, "w") as fh:
        json.dump(rows, fh, indent=1)
    print(done, "rows updated")


if __name__ == "__main__":
    main()
