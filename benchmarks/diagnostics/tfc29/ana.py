"""tfc29: from run.py's records, (1) the replay check: each record's columns at the rules in use against the saved
rows, count for count; (2) ``finetune_ridge`` under C2 (lower end over the profiles), C1 (residual distance cap) and
C1 + C2, per row (grid: pooled over the streams) and pooled over the off-grid settings, with the cells outside
93-97%.

    python benchmarks/diagnostics/tfc29/ana.py REC.json [REC.json ...]
"""
import json
import math
import os
import sys
from collections import defaultdict
from types import SimpleNamespace

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dist28"))
import advisor_band_coverage as b  # noqa: E402
from rows import row  # noqa: E402
from ftheory.advise.caps import cap_tuned  # noqa: E402
from ftheory.advise.report import predict  # noqa: E402

DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "docs")
SAVED = {"grid": "advisor_band_coverage.json", "offgrid": "advisor_band_coverage_offgrid.json",
         "heldout": "advisor_band_coverage_heldout.json"}
RULES = ("in use", "C2", "C1", "C1+C2", "T_ft in use", "T_ft C1")


def capped(band, c):
    """``caps.cap_tuned`` of one tuned fine-tuning ``(value, low, high)`` at the cap ``c`` (the distance's upper
    end)."""
    pe = SimpleNamespace(interval=lambda name: SimpleNamespace(high=c))
    return tuple(float(x[0]) for x in cap_tuned({"finetune_ridge": tuple([x] for x in band)}, pe)["finetune_ridge"])


def report_intervals(prep, pe):
    """``{column: [value, low, high]}``: the report's intervals at the data's size, named as the benchmark's columns."""
    m = prep.X.shape[0]
    preds, transf, *_ = predict(prep, pe, [m], m)
    ivs = {k: [v.value, v.low, v.high] for k, v in preds.items()}
    ivs.update({f"T_{k}": [v.value, v.low, v.high] for k, v in transf.items()})
    return ivs


def low_over_profiles(lo, ends):
    """tftune28/ana_screen.py's lower end: the lowest of ``lo`` and the three profiles' ray ends, none NaN."""
    e = [ends[k][0] for k in ("finetune_1", "finetune_2", "finetune_3") if k in ends]
    return min([lo] + e) if len(e) == 3 and all(x == x for x in e) else lo


def intervals(x):
    """``{rule: (low, high)}`` of tuned fine-tuning for one data set's record."""
    _, lo, hi = x["ivs"]["finetune_ridge"]
    _, lo1, hi1 = capped(x["uncapped"], x["distance"]["residual"][1])
    return {"in use": (lo, hi), "C2": (low_over_profiles(lo, x["ends"]), hi), "C1": (lo1, hi1),
            "C1+C2": (low_over_profiles(lo1, x["ends"]), hi1)}


def t_ft(x):
    """``{"in use": (low, high), "C1": (low, high)}`` of T_ft for one data set's record (C1: run.py's second
    report where it has one, else the rule in use's)."""
    _, lo, hi = x["ivs"]["T_finetune"]
    _, lo1, hi1 = x["c1_T"]["T_finetune"] if "c1_T" in x else x["ivs"]["T_finetune"]
    return {"in use": (lo, hi), "C1": (lo1, hi1)}


def label(rec):
    return b.set_label(rec["set"], rec["index"])


def main():
    saved = {k: json.load(open(os.path.join(DOCS, f))) for k, f in SAVED.items()}
    per = defaultdict(lambda: {r: [0, 0, 0] for r in RULES})   # T_ft C1: records from run.py at dfdc7c3 or later
    diffs = 0
    for f in sys.argv[1:]:
        rec = json.load(open(f))
        new = row(rec)
        old = [r for r in saved[rec["set"]] if tuple(r["setting"]) == tuple(rec["setting"])
               and r.get("stream", 0) == rec["stream"]]
        if len(old) != 1 or old[0]["reps"] != new["reps"]:
            print(f"{label(rec)} s{rec['stream']}: no saved row of {new['reps']} replications")
        else:
            for k in b.COLS:
                o, n = b.miss_counts(old[0], k), b.miss_counts(new, k)
                if o != n:
                    diffs += 1
                    print(f"REPLAY {label(rec)} s{rec['stream']} {k}: saved {o} -> now {n}")
        t, tt = rec["truth"]["finetune_ridge"], rec["truth"]["T_finetune"]
        for x in rec["reps"]:
            ivs = dict(intervals(x)) if math.isfinite(t) else {}
            if math.isfinite(tt):
                ivs.update({f"T_ft {k}": v for k, v in t_ft(x).items() if k == "in use" or rec.get("c1_T")})
            for r, (lo, hi) in ivs.items():
                tr = tt if r.startswith("T_ft") else t
                c = per[(rec["set"] != "grid", label(rec))].setdefault(r, [0, 0, 0])
                c[0] += tr < lo
                c[1] += tr > hi
                c[2] += 1
    print(f"replay differences: {diffs}")
    for group, name in ((False, "grid (streams pooled)"), (True, "off-grid")):
        keys = sorted(k for k in per if k[0] == group)
        if not keys:
            continue
        print(f"\n{name}: finetune_ridge and T_finetune coverage (misses below / above of N)")
        print("setting | " + " | ".join(RULES))
        tot = {r: [0, 0, 0] for r in RULES}
        out = dict.fromkeys(RULES, 0)
        for k in keys:
            cells = []
            for r in RULES:
                lo, hi, N = per[k][r]
                if not N:
                    cells.append("-")
                    continue
                cov = 1 - (lo + hi) / N
                out[r] += not (0.93 <= round(cov, 3) <= 0.97)
                cells.append(f"{cov:.3f} ({lo} / {hi} of {N})")
                tot[r] = [a + b_ for a, b_ in zip(tot[r], per[k][r])]
            print(f"{k[1]} | " + " | ".join(cells))
        print("pooled | " + " | ".join(f"{1 - (v[0] + v[1]) / v[2]:.4f} ({v[0]} / {v[1]} of {v[2]})" if v[2] else "-"
                                      for v in tot.values()))
        print("outside 93-97% | " + " | ".join(str(out[r]) for r in RULES))


if __name__ == "__main__":
    main()
