"""ftlab27: the decision rule's numbers from both.py's rows (DECISION_RULE.md).

    PYTHONPATH=. python benchmarks/diagnostics/ftlab27/summary.py RESULTS_DIR [docs/advisor_band_coverage.json]
"""
import glob
import json
import sys

sys.path.insert(0, "benchmarks")
from advisor_band_coverage import miss_counts as counts  # noqa: E402

K, CAND = "finetune_min_norm", "@label"


def cell(r, k):
    b, a, n = counts(r, k)
    return f"{1 - (b + a) / n:.3f} ({b} / {a})"


rows = [json.load(open(p))[0] for p in sorted(glob.glob(sys.argv[1] + "/*.json"))]
docs = {}
if len(sys.argv) > 2:
    docs = {(tuple(r["setting"]), r.get("stream", 0)): r for r in json.load(open(sys.argv[2]))
            if r.get("advisor_seeds") == "rep"}
print("| kind | index | setting | reps | fitted | label | other columns = docs |")
print("|" + "---|" * 7)
by = {}
for r in sorted(rows, key=lambda r: (r["kind"], r["index"])):
    same = "-"
    ref = docs.get((tuple(r["setting"]), r["stream"]))
    if ref is not None and r["kind"] == "grid":
        same = all(counts(r, k)[:2] == counts(ref, k)[:2] for k in ref["counted"])
    print(f"| {r['kind']} | {r['index']} | {tuple(r['setting'])} | {r['reps']} | {cell(r, K)} | {cell(r, K + CAND)} "
          f"| {same} |")
    by.setdefault(r["kind"], []).append(r)
for kind, rs in by.items():
    for rule, k in (("fitted", K), ("label", K + CAND)):
        c = [r["coverage"][k] for r in rs]
        out = sum(not (0.93 <= round(x, 3) <= 0.97) for x in c)
        mad = sum(abs(x - 0.95) for x in c) / len(c)
        b = sum(counts(r, k)[0] for r in rs)
        a = sum(counts(r, k)[1] for r in rs)
        n = sum(counts(r, k)[2] for r in rs)
        print(f"{kind}, {rule}: {len(c)} cells, {out} outside 93-97%, mean |coverage - 95%| {100 * mad:.2f} points, "
              f"pooled {100 * (1 - (a + b) / n):.1f}% (below {100 * b / n:.1f}%, above {100 * a / n:.1f}%)")
