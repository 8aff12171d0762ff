"""Cell-by-cell comparison of band-coverage runs against docs/advisor_band_coverage.json rows (setting, stream)."""
import json, sys
docs = json.load(open(sys.argv[1]))
def key(r): return (tuple(r["setting"]), r["stream"])
base = {key(r): r for r in docs}
cols = ["scratch_min_norm", "scratch_ridge", "linear_transfer", "finetune_min_norm", "finetune_ridge", "T_linear_transfer", "T_finetune"]
for f in sys.argv[2:]:
    for r in json.load(open(f)) if isinstance(json.load(open(f)), list) else [json.load(open(f))]:
        b = base.get(key(r))
        print(f, r["setting"][:4], "stream", r["stream"], r["reps"])
        for c in cols:
            def fmt(x):
                n = x["counted"][c]
                return f'{x["coverage"][c]:.3f} ({round(x["truth_below_band"][c]*n)}/{round(x["truth_above_band"][c]*n)})'
            print(f"  {c:20s} new {fmt(r)}   base {fmt(b) if b else '-'}")
