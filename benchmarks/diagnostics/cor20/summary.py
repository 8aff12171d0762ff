"""cor20: the note's coverage numbers as JSON (T_lt recombined per candidate correlation, per (setting, stream);
main's bands on stream 2).  python summary.py RESULTS_DIR OUT.json"""
import json
import os
import pickle
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ana import conc  # noqa: E402
from table import FILES, rules  # noqa: E402

R, out = sys.argv[1], sys.argv[2]
res = {"note": "docs/advisor_validation.md (cor20)", "base": "0d4ea6d", "T_lt_candidates": [], "stream2_main": []}
for i in (8, 10, 12):
    for s in (0, 1):
        rows, tr = [], None
        for f in FILES[s]:
            d = pickle.load(open(os.path.join(R, f.format(i)), "rb"))
            rows += d["rows"]
            tr = d["truth"]
        S, P, rr = rules(rows, tr)
        t = tr["T_linear_transfer"]
        row = {"setting_index": i, "stream": s, "reps": len(rows)}
        for name, r in rr.items():
            lo, hi = conc(S, P, r)
            row[name] = {"below": int(np.sum(t < lo)), "above": int(np.sum(t > hi)),
                         "coverage": float(1 - (np.sum(t < lo) + np.sum(t > hi)) / len(rows)),
                         "median_width": float(np.median(hi - lo))}
        res["T_lt_candidates"].append(row)
    d = pickle.load(open(os.path.join(R, f"diag_{i}_s2.pkl"), "rb"))
    row = {"setting_index": i, "stream": 2, "reps": len(d["rows"])}
    for k in ("scratch_min_norm", "scratch_ridge", "linear_transfer", "finetune_min_norm", "finetune_ridge", "T_lt"):
        B = np.array([r["T_lt"] if k == "T_lt" else r["bands"][k] for r in d["rows"]])
        t = d["truth"]["T_linear_transfer" if k == "T_lt" else k]
        row[k] = {"below": int(np.sum(t < B[:, 1])), "above": int(np.sum(t > B[:, 2]))}
    res["stream2_main"].append(row)
json.dump(res, open(out, "w"), indent=1)
