"""Compare runs with docs/advisor_band_coverage.json (same setting and stream), column by column."""
import json, sys
ref = json.load(open("docs/advisor_band_coverage.json"))
def key(r): return (tuple(r["setting"]), r.get("stream", 0))
R = {key(r): r for r in ref}
for f in sys.argv[1:]:
    for r in json.load(open(f)):
        b = R[key(r)]
        same = [c for c in r["coverage"] if all(r[k][c] == b[k][c] for k in ("truth_below_band", "truth_above_band", "counted"))]
        diff = [c for c in r["coverage"] if c not in same]
        info = {c: (f"{b['coverage'][c]:.3f} ({round(b['truth_below_band'][c]*b['reps'])}/{round(b['truth_above_band'][c]*b['reps'])})",
                    f"{r['coverage'][c]:.3f} ({round(r['truth_below_band'][c]*r['reps'])}/{round(r['truth_above_band'][c]*r['reps'])})") for c in diff}
        print(f, "setting", r["setting"][:2], r["setting"][4], "stream", r.get("stream", 0), f"same {len(same)}/{len(r['coverage'])}", "changed:", info)
