"""ctr22: compare a candidate replay (diag.py records) with main's on the same replications (first N common)."""
import pickle, sys
import numpy as np
sys.path.insert(0, __import__("os").path.join(__import__("os").path.dirname(__import__("os").path.abspath(__file__)), "..", "isc21"))
from split import COLS, category

def load(p):
    return pickle.load(open(p, "rb"))

base, cand = load(sys.argv[1]), load(sys.argv[2])
n = min(len(base["rows"]), len(cand["rows"]))
truth = base["truth"]
print(f"setting {base['index']} stream {base['stream']}: {n} common replications")
for col in COLS:
    out = []
    for rec in (base, cand):
        rows = rec["rows"][:n]
        lo = sum(truth[col] < r["bands"][col][1] for r in rows)
        hi = sum(truth[col] > r["bands"][col][2] for r in rows)
        w = np.median([r["bands"][col][2] - r["bands"][col][1] for r in rows])
        out.append(f"{1 - (lo + hi) / n:.3f} ({lo:2d} / {hi:2d}) w {w:.3f}")
    same = sum(np.allclose(a["bands"][col], b["bands"][col]) for a, b in zip(base["rows"][:n], cand["rows"][:n]))
    print(f"  {col:18s} main {out[0]}   cand {out[1]}   identical {same}/{n}")
    if col in ("finetune_min_norm", "T_linear_transfer"):
        for ev in ("neither", "noise", "cos"):
            s = []
            for rec in (base, cand):
                rows = [r for r in rec["rows"][:n] if category(r["p_hat"]) == ev]
                lo = sum(truth[col] < r["bands"][col][1] for r in rows)
                hi = sum(truth[col] > r["bands"][col][2] for r in rows)
                s.append(f"{lo}/{hi} of {len(rows)}")
            print(f"      {ev:8s} main {s[0]:14s} cand {s[1]}")
