"""mnset26: the decision rule's numbers from both.py's rows (DECISION_RULE.md).

    PYTHONPATH=. python benchmarks/diagnostics/mnset26/summary.py RESULTS_DIR [docs/advisor_band_coverage.json]
"""
import glob
import json
import sys

sys.path.insert(0, "benchmarks")
from advisor_band_coverage import miss_counts as counts  # noqa: E402

MN = ("scratch_min_norm", "finetune_min_norm")
CAND = "@set_low"


def cell(r, k):
    b, a, n = counts(r, k)
    return f"{1 - (b + a) / n:.3f} ({b} / {a})"


rows = [json.load(open(p))[0] for p in sorted(glob.glob(sys.argv[1] + "/*.json"))]
rows = [r for r in rows if not r.get("partial")]
docs = {}
if len(sys.argv) > 2:
    docs = {(tuple(r["setting"]), r.get("stream", 0)): r for r in json.load(open(sys.argv[2]))
            if r.get("advisor_seeds") == "rep"}
print("| kind | index | stream | reps | " + " | ".join(f"{k} | {k}{CAND}" for k in MN) + " | rule in use = docs |")
print("|" + "---|" * 9)
off = {"prepivot": [], "set_low": []}
for r in sorted(rows, key=lambda r: (r["kind"], r["index"], r["stream"])):
    same = "-"
    ref = docs.get((tuple(r["setting"]), r["stream"]))
    if ref is not None and r["kind"] == "grid":
        same = all(counts(r, k)[:2] == counts(ref, k)[:2] for k in ref["counted"])
    print(f"| {r['kind']} | {r['index']} | {r['stream']} | {r['reps']} | "
          + " | ".join(f"{cell(r, k)} | {cell(r, k + CAND)}" for k in MN) + f" | {same} |")
    if r["kind"] == "offgrid":
        for k in MN:
            off["prepivot"].append(r["coverage"][k])
            off["set_low"].append(r["coverage"][k + CAND])
for rule, c in off.items():
    if c:
        out = sum(not (0.93 <= round(x, 3) <= 0.97) for x in c)
        mad = sum(abs(x - 0.95) for x in c) / len(c)
        print(f"off grid, {rule}: {len(c)} cells, {out} outside 93-97%, mean |coverage - 95%| {100 * mad:.2f} points")
