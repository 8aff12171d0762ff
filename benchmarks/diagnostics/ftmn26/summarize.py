"""ftmn26: summary of mech.py records: the band's misses, and for each world variant the share of the data's realised
ratios ``v/R_true`` above its 97.5% point / below its 2.5% point (should be ~2.5% each if the variant's law is the
data's), its median 97.5% point and mean sd; the fitted nuisances against the true ones.

    PYTHONPATH=. python benchmarks/diagnostics/ftmn26/summarize.py MECH.json [...]
"""
import json
import sys

import numpy as np


def summary(path):
    r = json.load(open(path))
    rows = r["rows"]
    N = len(rows)
    ratio = np.array([x["ratio"] for x in rows])
    tr = r["truth"]
    out = [f"## {path}: setting {r['setting']} seed {r['seed']}, {N} reps, B = {r['B']}, R_true = {r['R_true']:.4f}",
           f"band misses below/above: {sum(x['miss_below'] for x in rows)} / {sum(x['miss_above'] for x in rows)}; "
           f"ratio > q_hi: {int(np.sum(ratio > [x['q_hi'] for x in rows]))}, ratio < q_lo: "
           f"{int(np.sum(ratio < [x['q_lo'] for x in rows]))}",
           f"realised ratio: mean {ratio.mean():.3f} sd {ratio.std():.3f} q2.5/97.5 "
           f"{np.quantile(ratio, 0.025):.3f} / {np.quantile(ratio, 0.975):.3f}",
           f"q_hi (prepivot) median {np.median([x['q_hi'] for x in rows]):.3f}; fitted world plain 97.5% median "
           f"{np.median([x['fit_q'][1] for x in rows]):.3f}; upper level median "
           f"{np.median([x['levels'][1] for x in rows]):.4f}",
           "| variant | ratio > its 97.5% | ratio < its 2.5% | median 97.5% pt | median 2.5% pt | mean of mean | mean sd |",
           "|---|---|---|---|---|---|---|"]
    for k in rows[0]["laws"]:
        hi = np.array([x["laws"][k]["q"][1] for x in rows])
        lo = np.array([x["laws"][k]["q"][0] for x in rows])
        out.append(f"| {k} | {int(np.sum(ratio > hi))} ({np.mean(ratio > hi):.3f}) | {int(np.sum(ratio < lo))} "
                   f"({np.mean(ratio < lo):.3f}) | {np.median(hi):.3f} | {np.median(lo):.3f} | "
                   f"{np.mean([x['laws'][k]['mean'] for x in rows]):.3f} | {np.mean([x['laws'][k]['sd'] for x in rows]):.3f} |")
    g = lambda k: np.array([x[k] for x in rows], float)  # noqa: E731
    L0, sig0, rz, Lt = g("L0"), g("sig0"), g("rz"), g("L_true_hat")
    Sr = tr["distance"] + tr["noise_variance"]
    out.append(f"distance: true {tr['distance']:.4f} (Sigma_hat norm median {np.median(Lt):.4f}); fitted L0 median "
               f"{np.median(L0):.4f}, mean {L0.mean():.4f}, at the 5% floor (<= 0.06 x (dist + noise)) in "
               f"{int(np.sum(L0 <= 0.06 * Sr))}")
    out.append(f"noise: true {tr['noise_variance']:.4f}; sig0 median {np.median(sig0):.4f} mean {sig0.mean():.4f}; "
               f"f0 true {tr['noise_variance'] / Sr:.3f}, fitted median {np.median(g('f0')):.3f}")
    out.append(f"source: true 1; rz median {np.median(rz):.3f}; cross (Sigma_hat) median {np.median(g('cross_hat')):.4f}")
    out.append(f"exponent: fitted a_ft median {np.median(g('a_ft')):.2f} (share at 1.0: {np.mean(g('a_ft') == 1.0):.2f}); "
               f"true delta's a median {np.median(g('a_true_delta')):.2f}")
    mb = np.array([x["miss_below"] for x in rows])
    if mb.any():
        out.append(f"misses: L0 median {np.median(L0[mb]):.4f} (others {np.median(L0[~mb]):.4f}); sig0 median "
                   f"{np.median(sig0[mb]):.3f} (others {np.median(sig0[~mb]):.3f}); f0 median "
                   f"{np.median(g('f0')[mb]):.3f} (others {np.median(g('f0')[~mb]):.3f})")
    return "\n".join(out)


if __name__ == "__main__":
    print("\n\n".join(summary(p) for p in sys.argv[1:]))
