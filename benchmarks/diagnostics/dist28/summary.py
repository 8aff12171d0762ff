"""dist28 E1 summary: the distance interval's misses (below / above) and the tuned fine-tuning truths above the cap,
old (Wald) against new (the signal's test on y - z), per setting and pooled, from dist.py's records.

    python benchmarks/diagnostics/dist28/summary.py REC.json [REC.json ...]
"""
import json
import sys

import numpy as np

tot = {"old": np.zeros(4, int), "new": np.zeros(4, int)}
outside = {"old": 0, "new": 0}
print("| setting | reps | distance | old: below / above (coverage) | new: below / above (coverage) | "
      "tuned ft truth above the cap old / new | median width old / new |")
print("|---|---|---|---|---|---|---|")
for f in sys.argv[1:]:
    r = json.load(open(f))
    N, dist, R = len(r["rows"]), r["distance"], r["R_ft"]
    tag = {"grid": "", "offgrid": "o", "heldout": "h"}[r["set"]] + str(r["index"])
    cells, caps, widths = [], [], []
    for k in ("old", "new"):
        lo = np.array([x[k][0] for x in r["rows"]])
        hi = np.array([x[k][1] for x in r["rows"]])
        b, a, c = int(np.sum(dist < lo)), int(np.sum(dist > hi)), int(np.sum(R > hi))
        cov = 1 - (b + a) / N
        outside[k] += not (0.93 <= round(cov, 3) <= 0.97)
        tot[k] += [b, a, c, N]
        cells.append(f"{b} / {a} ({cov:.3f})")
        caps.append(str(c))
        widths.append(f"{np.median(hi - lo):.3g}")
    print(f"| {tag} | {N} | {dist:.3f} | {cells[0]} | {cells[1]} | {' / '.join(caps)} | {' / '.join(widths)} |")
for k, t in tot.items():
    print(f"pooled {k}: {1 - (t[0] + t[1]) / t[3]:.4f} ({t[0]} / {t[1]} of {t[3]}), settings outside 93-97%: "
          f"{outside[k]}, tuned ft truth above the cap: {t[2]}")
