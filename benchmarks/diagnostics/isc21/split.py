"""isc21: check a replay (diag.py records) against docs/advisor_band_coverage.json and split coverage and width by
the projection of the raw estimate: 'noise' (sigma_hat^2 < 0 only), 'cos' (tau_hat^2 < rho_hat^2/r_hat^2 only),
'both', 'neither'.

    python benchmarks/diagnostics/isc21/split.py REC.pkl [REC.pkl ...]   (records of one setting are also pooled)
"""
import json
import os
import pickle
import sys
from collections import defaultdict

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DOCS = os.path.join(HERE, "..", "..", "..", "docs", "advisor_band_coverage.json")
COLS = ("scratch_min_norm", "scratch_ridge", "linear_transfer", "finetune_min_norm", "finetune_ridge",
        "T_linear_transfer", "T_finetune")


def category(p):
    tau2, sig2, rho, r2 = p
    nz, cs = sig2 < 0, tau2 < rho * rho / max(r2, 1e-300)
    return "both" if nz and cs else "noise" if nz else "cos" if cs else "neither"


def docs_row(setting, stream):
    for r in json.load(open(DOCS)):
        if list(r["setting"]) == list(setting) and r["stream"] == stream and r.get("reps") == 500:
            return r
    return None


def counts(rows, truth, col):
    lo = sum(truth[col] < r["bands"][col][1] for r in rows)
    hi = sum(truth[col] > r["bands"][col][2] for r in rows)
    return lo, hi


def main(paths):
    sys.path.insert(0, os.path.join(HERE, "..", ".."))
    from advisor_band_coverage import SETTINGS
    by_setting = defaultdict(list)
    for path in paths:
        rec = pickle.load(open(path, "rb"))
        idx, s, truth, rows = rec["index"], rec["stream"], rec["truth"], rec["rows"]
        by_setting[idx].append(rec)
        row = docs_row(SETTINGS[idx], s)
        print(f"== setting {idx} stream {s}: {len(rows)} replications; check against docs JSON")
        for col in COLS:
            lo, hi = counts(rows, truth, col)
            ref = ""
            if row is not None and len(rows) == row["reps"]:
                rl, rh = (round(row[k][col] * row["reps"]) for k in ("truth_below_band", "truth_above_band"))
                ref = f"docs {rl} / {rh} " + ("OK" if (rl, rh) == (lo, hi) else "MISMATCH")
            print(f"  {col:18s} {1 - (lo + hi) / len(rows):.3f} ({lo} / {hi})  {ref}")
    for idx, recs in sorted(by_setting.items()):
        truth = recs[0]["truth"]
        rows = [r for rec in recs for r in rec["rows"]]
        print(f"== setting {idx}, streams {[rec['stream'] for rec in recs]} pooled ({len(rows)}); p_true {recs[0]['p_true']}")
        groups = defaultdict(list)
        for r in rows:
            groups[category(r["p_hat"])].append(r)
        print("  share: " + ", ".join(f"{k} {len(v) / len(rows):.1%}" for k, v in sorted(groups.items())))
        for col in COLS:
            parts = []
            for k in ("neither", "noise", "cos", "both"):
                g = groups.get(k, [])
                if not g:
                    continue
                lo, hi = counts(g, truth, col)
                w = np.median([r["bands"][col][2] - r["bands"][col][1] for r in g])
                parts.append(f"{k} {1 - (lo + hi) / len(g):.3f} ({lo}/{hi}, n {len(g)}, w {w:.3f})")
            print(f"  {col:18s} " + "; ".join(parts))


if __name__ == "__main__":
    main(sys.argv[1:])
