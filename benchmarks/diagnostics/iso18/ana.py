"""Coverage of the report band and of the double-bootstrap calibrated band from dbs.py records."""
import json, sys
import numpy as np

def ends(v, ph, pl, a_hi, a_lo, linear):
    value = max(v[0], 0.0) if linear else v[0]
    acc_h, acc_l = ph > a_hi, pl > a_lo
    hi = np.max(v[acc_h]) if acc_h.any() else np.max(v)
    lo = np.min(v[acc_l]) if acc_l.any() else np.min(v)
    if linear:
        lo = max(lo, 0.0)
    return value, min(lo, value), max(hi, value)

def main():
    for path in sys.argv[1:]:
        parts = [json.load(open(p)) for p in path.split("+")]
        r = parts[0]
        recs = sorted([x for q in parts for x in q["recs"]], key=lambda x: x["rep"])
        assert len({x["rep"] for x in recs}) == len(recs)
        cols = list(recs[0]["cols"])
        print(f"== {path}: setting {r['idx']} stream {r['stream']} B {r['B']} reps {len(recs)}")
        for c in cols:
            lin = c in ("finetune_min_norm", "scratch_min_norm")
            rows = []
            for rec in recs:
                x = rec["cols"][c]
                t = x["truth"]
                v, ph, pl = (np.array(x[k]) for k in ("v", "ph", "pl"))
                ch, cl = np.array(x["crit_h"]), np.array(x["crit_l"])
                ah, al = np.quantile(ch, 0.025), np.quantile(cl, 0.025)
                ref = x["ref"]
                cal = ends(v, ph, pl, ah, al, lin)
                rng_ = x["range"]
                rows.append((t, ref, cal, rng_, ah, al, np.mean(ch <= 0.025), np.mean(cl <= 0.025), np.mean(ch == 0), np.mean(cl == 0)))
            t = np.array([q[0] for q in rows])
            def cov(k):
                B = np.array([q[k] for q in rows])
                below, above = np.sum(t < B[:, 1]), np.sum(t > B[:, 2])
                return f"{1 - (below + above) / len(t):.3f} ({below}/{above}) width {np.mean(B[:, 2] - B[:, 1]):.3f}"
            R = np.array([q[1] for q in rows]); Rg = np.array([q[3] for q in rows])
            print(f"{c}: report {cov(1)} | calibrated {cov(2)}")
            ah = np.array([q[4] for q in rows]); al = np.array([q[5] for q in rows])
            print(f"   alpha* hi: median {np.median(ah):.4f} 10-90% {np.quantile(ah, .1):.4f}-{np.quantile(ah, .9):.4f}; lo: median {np.median(al):.4f} {np.quantile(al, .1):.4f}-{np.quantile(al, .9):.4f}")
            print(f"   fitted-world miss at 2.5% (report's rule): hi mean {np.mean([q[6] for q in rows]):.4f} lo {np.mean([q[7] for q in rows]):.4f}; region alone misses: hi {np.mean([q[8] for q in rows]):.4f} lo {np.mean([q[9] for q in rows]):.4f}")
            print(f"   report end = region extreme: hi {np.mean(R[:, 2] >= Rg[:, 1] - 1e-12):.3f} lo {np.mean(R[:, 1] <= Rg[:, 0] + 1e-12):.3f}")
            # position of the truth in the report band
            val = R[:, 0]
            up = (t - val) / np.maximum(R[:, 2] - val, 1e-300); dn = (val - t) / np.maximum(val - R[:, 1], 1e-300)
            pos = np.where(t >= val, up, -dn)
            print(f"   truth position in report band: 2.5% {np.quantile(pos, .025):.2f} 97.5% {np.quantile(pos, .975):.2f}")


if __name__ == '__main__':
    main()
