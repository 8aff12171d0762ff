"""Isotropic prediction bands: the ray cut of the score region, paired on the same replications.

    PYTHONPATH=. python benchmarks/advisor_band_cf.py [--reps 500] [--only 0,3,7] [--cuts 0,12800]
        [--stream 0] [--worlds-seed 0] [--cf-seed 0] [--out FILE.json]
    PYTHONPATH=. python benchmarks/advisor_band_cf.py --pool A.json B.json [--worlds-seed 0 --cf-seed 0]

The isotropic settings of ``benchmarks/advisor_band_coverage.py`` (indices 0-7, same tasks). Each
replication draws one target sample and computes the bands of the five procedures and the two
transferabilities once per *cut* (``--cuts``: 0 = the order-statistic cut of the 400 bootstrap draws
at n <= 100 and the Gaussian cut above; D > 0 = the Cornish-Fisher cut with the skewness of at most D
exact draws, ``report.predict(cf_draws=D)``), so the cuts are compared on the same estimates.
``--stream 0`` reproduces the coverage benchmark's replications (data seed ``501 + i``); ``--stream k``
draws fresh ones (seed ``501 + i + 100003 k``). ``--worlds-seed`` sets the seed of the bootstrap draws
behind the order-statistic cut, ``--cf-seed`` that of the Cornish-Fisher draws (the report's are 0).
Prints coverage with the miss sides (below / above the band, %), the replications where two cuts
disagree, and the seconds per cut (CPU of the band step alone).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from advisor_band_coverage import COLS, SETTINGS, true_risks  # noqa: E402

from ftheory.advise import bands  # noqa: E402
from ftheory.advise.estimators import estimate_parameters, prepare  # noqa: E402
from ftheory.advise.report import predict  # noqa: E402
from ftheory.advise.synthetic import make_task  # noqa: E402

ISOTROPIC = [i for i, s in enumerate(SETTINGS) if s[4] is None]


def run(i, reps, cuts, stream=0, worlds_seed=0):
    """Per cut: coverage, fractions below / above, and per-replication miss codes (-1 below, +1 above)."""
    d, gamma, theta, sigma, spec = SETTINGS[i]
    assert spec is None, "isotropic settings only"
    n = int(round(gamma * d))
    seed = 500 + i
    task = make_task(d, theta, sigma, seed=seed)
    truth = true_risks(task, None, n - 1, d)
    rng = np.random.default_rng(seed + 1 + 100003 * stream)
    miss = {c: {k: [] for k in COLS} for c in cuts}
    cpu = dict.fromkeys(cuts, 0.0)
    for _ in range(reps):
        X, y = task.sample(n, rng)
        prep = prepare(X, y, X @ task.beta_s, None)
        pe = estimate_parameters(prep, seed=worlds_seed)
        m = prep.X.shape[0]
        for c in cuts:
            t0 = time.process_time()
            preds, transf, *_ = predict(prep, pe, [m], m, cf_draws=c)
            cpu[c] += time.process_time() - t0
            ivs = dict(preds)
            ivs.update({f"T_{k}": v for k, v in transf.items()})
            for k in COLS:
                t = truth[k]
                miss[c][k].append(0 if not math.isfinite(t) else (-1 if t < ivs[k].low else (1 if t > ivs[k].high else 0)))
    out = {}
    for c in cuts:
        mm = {k: np.array(v) for k, v in miss[c].items()}
        out[str(c)] = {"coverage": {k: float(np.mean(v == 0)) for k, v in mm.items()},
                       "below": {k: float(np.mean(v < 0)) for k, v in mm.items()},
                       "above": {k: float(np.mean(v > 0)) for k, v in mm.items()},
                       "cpu_seconds": cpu[c], "misses": {k: v.tolist() for k, v in mm.items()}}
    return out


def pool(paths, worlds_seed=0, cf_seed=0):
    """Pool the replications of several ``--out`` files (same draw seeds) per setting and cut: markdown
    rows of coverage (below / above, %) and the binomial standard error, and per column the replications
    where the second cut covers and the first misses / the reverse (paired, same estimates)."""
    acc = {}
    for path in paths:
        with open(path) as f:
            for row in json.load(f):
                if row.get("worlds_seed", 0) != worlds_seed or row.get("cf_seed", 0) != cf_seed:
                    continue
                for c, r in row["cuts"].items():
                    a = acc.setdefault((row["index"], int(c)), {k: [] for k in COLS})
                    for k in COLS:
                        a[k] += r["misses"][k]
    lines = []
    for i in sorted({i for i, _ in acc}):
        cuts = sorted(c for j, c in acc if j == i)
        for c in cuts:
            mm = {k: np.array(v) for k, v in acc[(i, c)].items()}
            reps = len(mm[COLS[0]])
            cells = [f"{np.mean(v == 0):.3f} ({100 * np.mean(v < 0):.1f}/{100 * np.mean(v > 0):.1f})" for v in mm.values()]
            lines.append(f"| {i} | {SETTINGS[i][1]} | {SETTINGS[i][3]} | {c} | {reps} | " + " | ".join(cells) + " |")
        if len(cuts) > 1 and len(acc[(i, cuts[0])][COLS[0]]) == len(acc[(i, cuts[1])][COLS[0]]):
            a, b = (np.array([acc[(i, c)][k] for k in COLS]) for c in cuts[:2])
            lines.append(f"| {i} | | | {cuts[0]} -> {cuts[1]} | | " + " | ".join(
                f"+{int(np.sum((a[j] != 0) & (b[j] == 0)))} / -{int(np.sum((a[j] == 0) & (b[j] != 0)))}"
                for j in range(len(COLS))) + " |")
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pool", nargs="*", default=None, help="pool these --out files (no new runs)")
    ap.add_argument("--reps", type=int, default=500)
    ap.add_argument("--only", default=None, help="comma-separated setting indices (isotropic: 0-7)")
    ap.add_argument("--cuts", default="0,12800")
    ap.add_argument("--stream", type=int, default=0)
    ap.add_argument("--worlds-seed", type=int, default=0)
    ap.add_argument("--cf-seed", type=int, default=0, help="seed of the Cornish-Fisher draws (bands.SKEW_SEED)")
    ap.add_argument("--out", default=None)
    ns = ap.parse_args()
    if ns.pool:
        print("| i | gamma | sigma | cut | reps | " + " | ".join(COLS) + " |")
        print("|" + "---|" * (5 + len(COLS)))
        print("\n".join(pool(ns.pool, ns.worlds_seed, ns.cf_seed)))
        return
    cuts = [int(c) for c in ns.cuts.split(",")]
    bands.SKEW_SEED = ns.cf_seed
    only = ISOTROPIC if ns.only is None else [int(i) for i in ns.only.split(",")]
    print(f"load average at start: {os.getloadavg()[0]:.1f}; stream {ns.stream}, worlds seed {ns.worlds_seed}, "
          f"Cornish-Fisher seed {ns.cf_seed}")
    print("| i | d | gamma | theta | sigma | cut | " + " | ".join(COLS) + " | band CPU s |")
    print("|" + "---|" * (7 + len(COLS)))
    rows = []
    for i in only:
        s = SETTINGS[i]
        res = run(i, ns.reps, cuts, ns.stream, ns.worlds_seed)
        for c in cuts:
            r = res[str(c)]
            cells = [f"{r['coverage'][k]:.3f} ({100 * r['below'][k]:.1f}/{100 * r['above'][k]:.1f})" for k in COLS]
            print(f"| {i} | {s[0]} | {s[1]} | {s[2]} | {s[3]} | {c} | " + " | ".join(cells)
                  + f" | {r['cpu_seconds']:.0f} |", flush=True)
        if len(cuts) > 1:
            a, b = (np.array([res[str(c)]["misses"][k] for k in COLS]) for c in cuts[:2])
            print(f"|   | changed replications {cuts[0]} -> {cuts[1]} (now covered / now missed) | | | | | "
                  + " | ".join(f"{int(np.sum((a[j] != 0) & (b[j] == 0)))}/{int(np.sum((a[j] == 0) & (b[j] != 0)))}"
                               for j in range(len(COLS))) + " | |", flush=True)
        rows.append({"index": i, "setting": s, "reps": ns.reps, "stream": ns.stream,
                     "worlds_seed": ns.worlds_seed, "cf_seed": ns.cf_seed, "cuts": res})
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    if ns.out:
        with open(ns.out, "w") as f:
            json.dump(rows, f)


if __name__ == "__main__":
    main()
