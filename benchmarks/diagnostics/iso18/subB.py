"""How the calibrated level depends on the number of outer data sets: alpha* from the first b of the 100 critical
levels (the 2.5% quantile) against all 100, and a normal fit to the normal scores of the critical levels."""
import json, sys
import numpy as np
from scipy.stats import norm
for path in sys.argv[1:]:
    parts = [json.load(open(p)) for p in path.split("+")]
    recs = sorted([x for q in parts for x in q["recs"]], key=lambda x: x["rep"])
    for c in recs[0]["cols"]:
        for side in ("crit_h", "crit_l"):
            C = np.array([x["cols"][c][side] for x in recs])          # (reps, 100)
            a100 = np.quantile(C, 0.025, axis=1)
            out = []
            for b in (25, 50):
                ab = np.quantile(C[:, :b], 0.025, axis=1)
                out.append(f"B={b}: rms diff {np.sqrt(np.mean((ab - a100) ** 2)):.4f}, mean {np.mean(ab):.4f}")
            print(f"{path} {c} {side}: B=100 mean alpha* {np.mean(a100):.4f} sd over reps {np.std(a100):.4f}; " + "; ".join(out))
