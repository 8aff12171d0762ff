import json, sys
import numpy as np
print("| setting / stream / column | reps | coverage (below / above) | value - truth: 2.5% / 50% / 97.5% | median half-width above | truth's 97.5% position above / below | end at a non-real point hi (median tau^2 raise) / lo | end on an aimed ray hi / lo | end = region's own extreme hi / lo | own test trims, % of the region's width hi / lo |")
print("|---|---|---|---|---|---|---|---|---|---|")
for path in sys.argv[1:]:
    r = json.load(open(path)); recs = r["recs"]
    for c in recs[0]["cols"]:
        t = recs[0]["cols"][c]["truth"]
        V = np.array([rec["report"][c] for rec in recs]); val, lo, hi = V.T
        R = np.array([rec["cols"][c]["range"] for rec in recs])
        E = [rec["cols"][c]["ends"] for rec in recs]
        b, a = int(np.sum(t < lo)), int(np.sum(t > hi))
        up = (t - val) / np.maximum(hi - val, 1e-300); dn = (val - t) / np.maximum(val - lo, 1e-300)
        q = np.quantile(val - t, [.025, .5, .975])
        def side(s):
            rs = np.array([e[s]["raise"] for e in E]); inf = np.mean([e[s]["infeasible"] for e in E])
            return inf, (np.median(rs[rs > 0]) if (rs > 0).any() else 0.0), np.mean([e[s]["aimed"] for e in E]), np.mean([e[s]["region_extreme"] for e in E])
        h, l = side("hi"), side("lo")
        th = (R[:, 1] - hi) / np.maximum(R[:, 1] - R[:, 0], 1e-300); tl = (lo - R[:, 0]) / np.maximum(R[:, 1] - R[:, 0], 1e-300)
        print(f"| {r['idx']} / {r['stream']} / {c} | {len(recs)} | {1 - (a + b) / len(recs):.3f} ({b} / {a}) | {q[0]:.3f} / {q[1]:.3f} / {q[2]:.3f} | {np.median(hi - val):.3f} | {np.quantile(up, .975):.3f} / {np.quantile(dn, .975):.3f} | {100*h[0]:.1f}% ({h[1]:.2f}) / {100*l[0]:.1f}% ({l[1]:.2f}) | {100*h[2]:.0f}% / {100*l[2]:.0f}% | {100*h[3]:.1f}% / {100*l[3]:.1f}% | {100*np.median(th):.1f} / {100*np.median(tl):.1f} |")
