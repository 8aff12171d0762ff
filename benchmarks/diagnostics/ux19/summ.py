"""Summarise a measure_selfpool_mixed.py JSON per (rho, k): python summ.py OUT.json (ux19)."""
import json, sys, numpy as np, collections
rows = json.load(open(sys.argv[1]))
cells = collections.defaultdict(list)
for r in rows: cells[(r['rho'], r['k'])].append(r)
print("rho k | pool: refused, median pred/truth [min,max], zeros, truth in band, truth above band, scratch rec")
for key in sorted(cells, key=lambda t: (-t[0], t[1])):
    rs = cells[key]; out = []
    for p in ("self", "indep", "mixed", "other"):
        vals = [r for r in rs if isinstance(r[p], list)]
        ref = len(rs) - len(vals)
        if not vals: out.append(f"{p}: refused {ref}/{len(rs)}"); continue
        rat = np.array([r[p][0]/r['truth'] for r in vals])
        inb = sum(r[p][1] <= r['truth'] <= r[p][2] for r in vals)
        above = sum(r['truth'] > r[p][2] for r in vals)
        sc = sum(r[p][3] == 'scratch' for r in vals)
        out.append(f"{p}: ref {ref}, med {np.median(rat):.2f} [{rat.min():.2f},{rat.max():.2f}], 0s {int((rat==0).sum())}, in {inb}/{len(vals)}, above {above}, scr {sc}")
    print(key, len(rs), f"truth {np.mean([r['truth'] for r in rs]):.3g} |", " | ".join(out))
