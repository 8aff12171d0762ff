"""isc21: the miss counts of every record in a results directory as one JSON (per file: setting, stream, reps and,
per column, coverage and misses below / above; overall and by the projection event of the raw estimate).

    python benchmarks/diagnostics/isc21/summary.py RESULTS_DIR OUT.json
"""
import glob
import json
import os
import pickle
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from split import COLS, category  # noqa: E402


def cells(rows, truth):
    out = {}
    for col in COLS:
        lo = sum(truth[col] < r["bands"][col][1] for r in rows)
        hi = sum(truth[col] > r["bands"][col][2] for r in rows)
        out[col] = {"coverage": round(1 - (lo + hi) / len(rows), 4), "below": int(lo), "above": int(hi)}
    return out


def main(folder, out):
    res = {}
    for path in sorted(glob.glob(os.path.join(folder, "*.pkl"))):
        rec = pickle.load(open(path, "rb"))
        rows, truth = rec["rows"], rec["truth"]
        groups = {}
        for ev in ("neither", "noise", "cos", "both"):
            g = [r for r in rows if category(r["p_hat"]) == ev]
            if g:
                groups[ev] = {"reps": len(g), "columns": cells(g, truth)}
        res[os.path.basename(path)] = {"setting": rec["index"], "stream": rec["stream"], "reps": len(rows),
                                       "columns": cells(rows, truth), "by_event": groups}
    json.dump(res, open(out, "w"), indent=1)


if __name__ == "__main__":
    main(*sys.argv[1:])
