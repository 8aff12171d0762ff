import json, sys
import numpy as np
for f in sys.argv[1:]:
    D = json.load(open(f)); rows = D["rows"]
    print(f"== setting {D['setting']} stream {D['stream']} reps {len(rows)}")
    for w in ("scratch", "finetune"):
        r = [x[w] for x in rows]
        R = r[0]["R"]
        ratio = np.array([(x["v"] - R) / x["Sy"] for x in r])
        cov_below = np.mean([R < x["lo"] for x in r]); cov_above = np.mean([R > x["hi"] for x in r])
        print(f" {w}: R {R:.3f}; real v/R q2.5/50/97.5 {np.quantile(ratio,[.025,.5,.975]).round(3)} sd {ratio.std():.3f}; band miss below/above {cov_below:.3f}/{cov_above:.3f}")
        for k in ("fit", "true_pool", "true_nopool"):
            q = np.array([x[f"{k}_q"] for x in r]); pit = np.array([x[f"{k}_pit"] for x in r]); sd = np.array([x[f"{k}_sd"] for x in r])
            print(f"   {k:12s} med q {np.median(q,0).round(3)} med sd {np.median(sd):.3f}  PIT>97.5 {np.mean(pit>0.975):.3f} PIT<2.5 {np.mean(pit<0.025):.3f}  (PIT>0.9 {np.mean(pit>0.9):.3f}, <0.1 {np.mean(pit<0.1):.3f})")
        b = np.array([x["base"] for x in r]); ex = np.array([x["ex"] for x in r]); lv = np.array([x["levels"] for x in r])
        print(f"   base med L,s2,r2 {np.median(b,0).round(3)}; pool sd med {np.median(ex):.3f} ({np.median(ex)/R:.3f} R); levels med {np.median(lv,0).round(4)}")
