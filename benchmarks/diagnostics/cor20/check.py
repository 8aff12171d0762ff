"""cor20: the records' T_lt (and scratch_ridge, linear_transfer) miss counts against the docs JSON rows of the same
(setting, stream): the records are the benchmark's replications.  python check.py INDEX STREAM A.pkl [B.pkl]"""
import json
import os
import pickle
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from advisor_band_coverage import SETTINGS  # noqa: E402

index, stream = int(sys.argv[1]), int(sys.argv[2])
rows, tr = [], None
for p in sys.argv[3:]:
    d = pickle.load(open(p, "rb"))
    rows += d["rows"]
    tr = d["truth"]
assert [r["rep"] for r in rows] == list(range(len(rows)))
doc = [r for r in json.load(open("docs/advisor_band_coverage.json"))
       if tuple(r["setting"]) == SETTINGS[index] and r.get("stream", 0) == stream][0]
for k in ("scratch_ridge", "linear_transfer", "T_linear_transfer"):
    B = np.array([r["T_lt"] if k == "T_linear_transfer" else r["bands"][k] for r in rows])
    t = tr[k]
    mine = (int(np.sum(t < B[:, 1])), int(np.sum(t > B[:, 2])))
    n = doc["counted"][k]
    theirs = (round(doc["truth_below_band"][k] * n), round(doc["truth_above_band"][k] * n))
    print(index, stream, k, len(rows), mine, "docs", n, theirs, "same" if mine == theirs and n == len(rows) else "DIFFERENT")
