"""Summaries of per_rep.py / accept.py outputs: coverage with below/above misses, acceptance at the truth (the noise's
truth for files whose name contains "noise")."""
import json
import sys

import numpy as np

for path in sys.argv[1:]:
    D = json.load(open(path))
    t = D["truth"]["signal" if len(sys.argv) < 2 or "noise" not in path else "noise_variance"]
    R = D["recs"]
    out = [path, f"n={len(R)}"]
    if "iv" in R[0]:
        lo = np.array([r["iv"][1] for r in R]); hi = np.array([r["iv"][2] for r in R])
        cov = (lo <= t) & (t <= hi)
        out.append(f"cov={cov.mean():.4f} below(truth<lo)={(t < lo).sum()} above(truth>hi)={(t > hi).sum()}")
    for k in R[0]:
        if k.startswith("fit") or k.startswith("true"):
            a = np.array([r[k] <= 0 for r in R])
            out.append(f"{k}={a.mean():.4f}")
    if "hull" in R[0]:
        hl = np.array([r["hull"][1] for r in R]); hh = np.array([r["hull"][2] for r in R])
        hc = (hl <= t) & (t <= hh)
        a = np.array([r["fit"] <= 0 for r in R])
        out.append(f"hull cov={hc.mean():.4f} ({(t < hl).sum()}/{(t > hh).sum()}) hull&!fit={(hc & ~a).sum()} "
                   f"fit&!cov={(a & ~cov).sum()} (kept truth outside the run through the estimate)")
    if "iv" in R[0] and "fit" in R[0]:
        a = np.array([r["fit"] <= 0 for r in R])
        out.append(f"cov&!fit={(cov & ~a).sum()} fit&!cov={(a & ~cov).sum()}")
    print(" ".join(out))
