"""isc21: main's records against the candidate's (diag.py on each code, same setting and stream), per column:
coverage (below / above) and median width, overall and by the projection event of the raw estimate.

    python benchmarks/diagnostics/isc21/cmp.py MAIN.pkl CAND.pkl [MAIN.pkl CAND.pkl ...]   (pairs of one setting pooled)
"""
import os
import pickle
import sys
from collections import defaultdict

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from split import COLS, category  # noqa: E402


def cell(rows, truth, col):
    lo = sum(truth[col] < r["bands"][col][1] for r in rows)
    hi = sum(truth[col] > r["bands"][col][2] for r in rows)
    w = np.median([r["bands"][col][2] - r["bands"][col][1] for r in rows]) if rows else np.nan
    return f"{1 - (lo + hi) / max(len(rows), 1):.3f} ({lo}/{hi}) w {w:.3f}"


def main(paths):
    pairs = defaultdict(list)
    for a, b in zip(paths[::2], paths[1::2]):
        ra, rb = pickle.load(open(a, "rb")), pickle.load(open(b, "rb"))
        k = min(len(ra["rows"]), len(rb["rows"]))
        assert ra["index"] == rb["index"] and ra["stream"] == rb["stream"]
        assert all(np.allclose(x["p_hat"], y["p_hat"]) for x, y in zip(ra["rows"][:k], rb["rows"][:k]))
        pairs[ra["index"]].append((ra["stream"], ra["truth"], ra["rows"][:k], rb["rows"][:k]))
    for idx, items in sorted(pairs.items()):
        truth = items[0][1]
        for label, sel in [(f"stream {s}", [it]) for s, *_ in items for it in items if it[0] == s] + [("pooled", items)]:
            ma = [r for it in sel for r in it[2]]
            ca = [r for it in sel for r in it[3]]
            print(f"== setting {idx} {label}: {len(ma)} replications (main -> candidate)")
            for col in COLS:
                print(f"  {col:18s} {cell(ma, truth, col)}  ->  {cell(ca, truth, col)}")
            if label == "pooled":
                for ev in ("neither", "noise", "cos", "both"):
                    ix = [i for i, r in enumerate(ma) if category(r["p_hat"]) == ev]
                    if not ix:
                        continue
                    print(f"  -- {ev} ({len(ix)})")
                    for col in COLS:
                        print(f"    {col:18s} {cell([ma[i] for i in ix], truth, col)}  ->  {cell([ca[i] for i in ix], truth, col)}")


if __name__ == "__main__":
    main(sys.argv[1:])
