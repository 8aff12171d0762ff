"""Markdown rows of the double-bootstrap screen (dbs.py records; 'a.json+b.json' pools replications)."""
import json, sys
import numpy as np
from ana import ends  # noqa
print("| setting / stream / column | reps | report: coverage (below / above), mean width | calibrated: coverage, mean width | calibrated level hi: median (10-90%) | lo | fitted-world misses hi / lo at level 0 | at 2.5% (the report) | at 5% |")
print("|---|---|---|---|---|---|---|---|---|")
for path in sys.argv[1:]:
    parts = [json.load(open(p)) for p in path.split("+")]
    recs = sorted([x for q in parts for x in q["recs"]], key=lambda x: x["rep"])
    r = parts[0]
    for c in recs[0]["cols"]:
        lin = c in ("finetune_min_norm", "scratch_min_norm")
        t = recs[0]["cols"][c]["truth"]
        R, K, AH, AL, CH, CL = [], [], [], [], [], []
        for rec in recs:
            x = rec["cols"][c]
            v, ph, pl = (np.array(x[k]) for k in ("v", "ph", "pl"))
            ch, cl = np.array(x["crit_h"]), np.array(x["crit_l"])
            ah, al = np.quantile(ch, 0.025), np.quantile(cl, 0.025)
            R.append(x["ref"]); K.append(ends(v, ph, pl, ah, al, lin)); AH.append(ah); AL.append(al); CH.append(ch); CL.append(cl)
        R, K, CH, CL = np.array(R), np.array(K), np.array(CH), np.array(CL)
        def cv(B):
            b, a = int(np.sum(t < B[:, 1])), int(np.sum(t > B[:, 2]))
            return f"{1 - (b + a) / len(B):.3f} ({b} / {a}), {np.mean(B[:, 2] - B[:, 1]):.3f}"
        q = lambda A: f"{np.median(A):.3f} ({np.quantile(A, .1):.3f}-{np.quantile(A, .9):.3f})"
        fm = lambda a: f"{100 * np.mean(CH <= a):.2f}% / {100 * np.mean(CL <= a):.2f}%"
        print(f"| {r['idx']} / {r['stream']} / {c} | {len(recs)} | {cv(R)} | {cv(K)} | {q(AH)} | {q(AL)} | {fm(0.0)} | {fm(0.025)} | {fm(0.05)} |")
