import json, sys
import numpy as np
for path in sys.argv[1:]:
    r = json.load(open(path)); recs = r["recs"]
    print(f"== {path}: setting {r['idx']} stream {r['stream']} reps {len(recs)} p_true {np.round(r['p_true'], 4)}")
    for c in recs[0]["cols"]:
        t = recs[0]["cols"][c]["truth"]
        V = np.array([rec["report"][c] for rec in recs]); val, lo, hi = V.T
        R = np.array([rec["cols"][c]["range"] for rec in recs])
        E = [rec["cols"][c]["ends"] for rec in recs]
        cov = 1 - np.mean((t < lo) | (t > hi))
        print(f"{c}: truth {t:.4f}  coverage {cov:.3f} ({np.sum(t < lo)}/{np.sum(t > hi)})")
        # the law of the ends against the truth
        print(f"   value - truth: 2.5/50/97.5% {np.quantile(val - t, [.025, .5, .975]).round(4)}; sd {np.std(val - t):.4f}")
        print(f"   upper half-width hi - value: median {np.median(hi - val):.4f}; needed (97.5% of truth - value given truth > value... ) ")
        print(f"   hi - truth: 1/2.5/5/10% {np.quantile(hi - t, [.01, .025, .05, .1]).round(4)}; truth - lo: {np.quantile(t - lo, [.01, .025, .05, .1]).round(4)}")
        # scale-free: the ends in units of their half-widths
        up = (t - val) / np.maximum(hi - val, 1e-300); dn = (val - t) / np.maximum(val - lo, 1e-300)
        print(f"   truth above value: {np.mean(t > val):.3f}; position quantiles (t-v)/(hi-v) 95/97.5/99%: {np.quantile(up, [.95, .975, .99]).round(3)}; (v-t)/(v-lo): {np.quantile(dn, [.95, .975, .99]).round(3)}")
        for side in ("hi", "lo"):
            inf = np.mean([e[side]["infeasible"] for e in E]); aim = np.mean([e[side]["aimed"] for e in E]); ext = np.mean([e[side]["region_extreme"] for e in E])
            rs = np.array([e[side]["raise"] for e in E])
            print(f"   {side} end: infeasible point {inf:.3f} (median raise of tau^2 where so {np.median(rs[rs > 0]) if (rs > 0).any() else 0:.4f}), aimed {aim:.3f}, region's own extreme {ext:.3f}")
        trimmed_hi = (R[:, 1] - hi) / np.maximum(R[:, 1] - R[:, 0], 1e-300); trimmed_lo = (lo - R[:, 0]) / np.maximum(R[:, 1] - R[:, 0], 1e-300)
        print(f"   trimmed by the own test (% of the region's width) median hi {100*np.median(trimmed_hi):.2f} lo {100*np.median(trimmed_lo):.2f}")
