"""ctr22: counts (misses below / above, median width) of main and candidate replays on common replications -> JSON."""
import json, pickle, sys
import numpy as np
sys.path.insert(0, __import__("os").path.join(__import__("os").path.dirname(__import__("os").path.abspath(__file__)), "..", "isc21"))
from split import COLS, category

R = "/work/results22/ctr22"
PAIRS = [("/work/results21/isc21/diag_7_s0.pkl", f"{R}/c1_7_s0.pkl", "C1"),
         ("/work/results21/isc21/diag_5_s0.pkl", f"{R}/c1_5_s0.pkl", "C1"),
         ("/work/results21/isc21/diag_7_s0.pkl", f"{R}/c2_7_s0.pkl", "C2"),
         ("/work/results21/isc21/diag_5_s0.pkl", f"{R}/c2_5_s0.pkl", "C2"),
         ("/work/results21/isc21/diag_7_s0.pkl", f"{R}/c2_7_s0_500.pkl", "C2"),
         ("/work/results21/isc21/diag_5_s0.pkl", f"{R}/c2_5_s0_500.pkl", "C2"),
         ("/work/results21/isc21/diag_7_s1.pkl", f"{R}/c2_7_s1.pkl", "C2"),
         ("/work/results21/isc21/diag_7_s1.pkl", f"{R}/c2_7_s1_500.pkl", "C2"),
         ("/work/results21/isc21/diag_5_s1.pkl", f"{R}/c2_5_s1_500.pkl", "C2"),
         ("/work/results21/isc21/diag_5_s1.pkl", f"{R}/c2_5_s1.pkl", "C2"),
         (f"{R}/base_1_s0.pkl", f"{R}/c2_1_s0.pkl", "C2"),
         (f"{R}/base_0_s0.pkl", f"{R}/c2_0_s0.pkl", "C2"),
         ("/work/results21/isc21/diag_7_s0.pkl", f"{R}/c6_7_s0.pkl", "C6"),
         ("/work/results21/isc21/diag_5_s0.pkl", f"{R}/c6_5_s0.pkl", "C6")]


def cell(rows, truth, col):
    lo = int(sum(truth[col] < r["bands"][col][1] for r in rows))
    hi = int(sum(truth[col] > r["bands"][col][2] for r in rows))
    w = float(np.median([r["bands"][col][2] - r["bands"][col][1] for r in rows]))
    return {"reps": len(rows), "below": lo, "above": hi, "coverage": 1 - (lo + hi) / len(rows), "median_width": w}


out = []
for bp, cp, name in PAIRS:
    try:
        b, c = pickle.load(open(bp, "rb")), pickle.load(open(cp, "rb"))
    except FileNotFoundError:
        continue
    n = min(len(b["rows"]), len(c["rows"]))
    rec = {"candidate": name, "setting": b["index"], "stream": b["stream"], "reps": n, "main": {}, "cand": {}}
    for col in COLS:
        for key, r in (("main", b), ("cand", c)):
            rec[key][col] = cell(r["rows"][:n], b["truth"], col)
            for ev in ("neither", "noise", "cos"):
                rows = [x for x in r["rows"][:n] if category(x["p_hat"]) == ev]
                if rows:
                    rec[key][f"{col}|{ev}"] = cell(rows, b["truth"], col)
    out.append(rec)
json.dump(out, open(f"{R}/ctr22_screens.json", "w"), indent=1)
print("| cand | setting, stream, reps | " + " | ".join(COLS) + " |")
print("|---|---|" + "---|" * len(COLS))
for rec in out:
    f = lambda x: f"{x['coverage']:.3f} ({x['below']} / {x['above']}), {x['median_width']:.2f}"
    print(f"| main | {rec['setting']}, s{rec['stream']}, {rec['reps']} | " + " | ".join(f(rec["main"][c]) for c in COLS) + " |")
    print(f"| {rec['candidate']} | {rec['setting']}, s{rec['stream']}, {rec['reps']} | " + " | ".join(f(rec["cand"][c]) for c in COLS) + " |")
