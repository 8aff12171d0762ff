"""Paired check of the prediction bands: the kept run through the estimate (the code) against the former hull,
on the band benchmark's samples (benchmarks/advisor_band_coverage.py, settings 8-13, seeds 500 + i). For each
sample both signal and noise moment intervals are computed; only where one differs are the bands computed twice
(the former hull put into the estimates' cache) and the coverage of every column compared. Also counts, for the
estimates, how often each interval differs.

    PYTHONPATH=. python benchmarks/diagnostics/sig19/band_paired.py --only 8 --stream 0 --reps 500 --out F.json
"""
import argparse
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from advisor_band_coverage import COLS, SETTINGS, SPECTRA, true_risks  # noqa: E402

from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.intervals import hull, invert
from ftheory.advise.param_cov import feasible
from ftheory.advise.report import predict
from ftheory.advise.signal_noise import u_test
from ftheory.advise.synthetic import make_task


def hull_interval(pe, which):
    """signal_noise.signal_noise_interval on the U-statistic path with the former hull (``around=None``)."""
    value, se = float(feasible(pe.p)[which]), math.sqrt(max(pe.cov[which, which], 0.0))
    hi = max(float(pe.p[which]), value, 0.0) + 6 * se
    extra = [value, float(pe.p[which])]
    test = u_test(pe, which)
    hi = max(hi, *extra) + 1e-12
    for _ in range(12):
        if test(hi) > 0:
            break
        hi *= 1.6
    return hull(value, invert(test, 0.0, hi, grid=25, extra=extra), se)


def covered(preds, transf, truth):
    ivs = dict(preds)
    ivs.update({f"T_{k}": v for k, v in transf.items()})
    return {k: (ivs[k].low <= truth[k] <= ivs[k].high) if math.isfinite(truth[k]) else None for k in COLS}


ap = argparse.ArgumentParser()
ap.add_argument("--only", type=int, required=True)
ap.add_argument("--stream", type=int, default=0)
ap.add_argument("--reps", type=int, default=500)
ap.add_argument("--out", required=True)
ns = ap.parse_args()
i = ns.only
d, gamma, theta, sigma, spec = SETTINGS[i]
n = int(round(gamma * d))
seed = 500 + i
ev = SPECTRA[spec](d)
task = make_task(d, theta, sigma, eigenvalues=ev, seed=seed)
truth = true_risks(task, ev, n - 1, d)
rng = np.random.default_rng(seed + 1 if ns.stream == 0 else [seed + 1, ns.stream])
tr = task.truth()
out = {"setting": SETTINGS[i], "stream": ns.stream, "reps": 0, "differ": [], "est": {}}
for rep in range(ns.reps):
    X, y = task.sample(n, rng)
    U = task.sample(20 * d, rng)[0]
    prep = prepare(X, y, X @ task.beta_s, U)
    pe = estimate_parameters(prep)
    new = {w: pe.interval(k) for w, k in ((0, "signal_moment"), (1, "noise_moment"))}
    old = {w: hull_interval(pe, w) for w in (0, 1)}
    for w, k in ((0, "signal"), (1, "noise_variance")):
        e = out["est"].setdefault(k, {"differ": 0, "old_cov": 0, "new_cov": 0})
        e["differ"] += (new[w].low, new[w].high) != (old[w].low, old[w].high)
        e["old_cov"] += old[w].covers(tr[k])
        e["new_cov"] += new[w].covers(tr[k])
    out["reps"] = rep + 1
    if all((new[w].low, new[w].high) == (old[w].low, old[w].high) for w in (0, 1)):
        continue
    m = prep.X.shape[0]
    cn = covered(*predict(prep, pe, [m], m)[:2], truth)
    pe_old = estimate_parameters(prep)
    pe_old._cache = {"signal_moment": old[0], "noise_moment": old[1]}
    co = covered(*predict(prep, pe_old, [m], m)[:2], truth)
    out["differ"].append({"rep": rep, "new": cn, "old": co,
                          "iv_new": [[new[w].low, new[w].high] for w in (0, 1)],
                          "iv_old": [[old[w].low, old[w].high] for w in (0, 1)]})
    json.dump(out, open(ns.out, "w"))
json.dump(out, open(ns.out, "w"))
changed = {k: sum((r["new"][k] or 0) - (r["old"][k] or 0) for r in out["differ"]) for k in COLS}
print(f"setting {i} stream {ns.stream}: {len(out['differ'])} samples differ; band coverage change (samples): {changed}; "
      f"estimates: {out['est']}")
