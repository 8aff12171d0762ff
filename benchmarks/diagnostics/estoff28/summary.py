"""estoff28 summary: per setting and pooled, each interval's coverage and misses (truth below / above), bold outside
93-97%, from est.py's records.

    python benchmarks/diagnostics/estoff28/summary.py REC.json [REC.json ...]
"""
import json
import sys

import numpy as np

COLS = ("noise_variance", "signal", "overlap", "distance_wald", "distance_residual")
recs = [json.load(open(f)) for f in sys.argv[1:]]
recs.sort(key=lambda r: ({"grid": 0, "offgrid": 1, "heldout": 2}[r["set"]], r["index"]))
tot = {k: np.zeros(3, int) for k in COLS}
outside = dict.fromkeys(COLS, 0)
print("| setting | d | gamma | theta | sigma | spectrum | reps | " + " | ".join(COLS) + " |")
print("|---" * (7 + len(COLS)) + "|")
for r in recs:
    cells = []
    for k in COLS:
        t = r["true"]["distance" if k.startswith("distance") else k]
        lo = np.array([x[k][0] for x in r["rows"]])
        hi = np.array([x[k][1] for x in r["rows"]])
        b, a, n = int(np.sum(t < lo)), int(np.sum(t > hi)), len(r["rows"])
        tot[k] += [b, a, n]
        c = 1 - (b + a) / n
        out = not (0.93 <= round(c, 3) <= 0.97)
        outside[k] += out
        cells.append((f"**{c:.3f}**" if out else f"{c:.3f}") + f" ({b} / {a})")
    tag = {"grid": "", "offgrid": "o", "heldout": "h"}[r["set"]] + str(r["index"])
    d, g, th, sg, sp = r["setting"]
    print(f"| {tag} | {d} | {g} | {th} | {sg} | {sp or 'identity'} | {len(r['rows'])} | " + " | ".join(cells) + " |")
for k, (b, a, n) in tot.items():
    print(f"pooled {k}: {1 - (b + a) / n:.4f} ({b} / {a} of {n}), settings outside 93-97%: {outside[k]} of {len(recs)}")
