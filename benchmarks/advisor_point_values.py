"""Point values of the advisor's predictions against the truth on the band benchmark's synthetic tasks.

    PYTHONPATH=. python benchmarks/advisor_point_values.py [--reps 200] [--only 9,11,13] [--out FILE.json]
    python benchmarks/advisor_point_values.py --compare BEFORE.json AFTER.json

The same tasks, seeds and samples as ``benchmarks/advisor_band_coverage.py`` (setting ``i``: seed ``500 + i``,
``N = 20 d`` unlabeled rows in the anisotropic settings), the same prediction step (``report.predict`` at the
sample's n). Per replication it records every prediction's value and band and the recommendation (the smallest of
the tuned scratch, probe and tuned fine-tuning values, ties to scratch, as ``advise``); where the code has
``NoiseRegion.ls_values`` (the least-squares-conditioned tuned values, above n = d with unlabeled rows) also the
unclipped values it returned at the sample's n. Summary per column: RMSE, bias and exact zeros of the values
against the truth (the band benchmark's ``true_risks``), how often the recommendation is the truly best procedure
and its mean regret (the true risk of the pick minus the best one's), and a sha256 of every band's (low, high). ``--compare`` prints the two runs side by side (same samples: the runs
must use the same settings and replications) and says whether the bands are bitwise equal.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import time

import numpy as np

from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.report import HEADLINE, predict
from ftheory.advise.synthetic import make_task

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import print_load, write_json  # noqa: E402
from advisor_band_coverage import COLS, SETTINGS, SPECTRA, true_risks  # noqa: E402


def _best(values):
    """The recommendation from ``{"scratch": ., "linear_transfer": ., "finetune": .}`` (ties to scratch)."""
    return min(values, key=lambda k: (values[k], k != "scratch"))


def _recorder():
    """Wrap ``NoiseRegion.ls_values`` (if the code has it) to keep its last outputs: ``{which: array}``."""
    try:
        from ftheory.advise.aniso_transfer import NoiseRegion
    except ImportError:
        return None
    f = getattr(NoiseRegion, "ls_values", None)
    if f is None:
        return None
    seen = {}

    def wrapped(self, which, ns, ls):
        out = f(self, which, ns, ls)
        seen[which] = np.array(out, float)
        return out
    NoiseRegion.ls_values = wrapped
    return seen


def run(i, reps, seen):
    """Per-replication values, bands and raw LS values of setting ``i``, and the truth."""
    d, gamma, theta, sigma, spec = SETTINGS[i]
    seed = 500 + i
    n = int(round(gamma * d))
    ev = None if spec is None else SPECTRA[spec](d)
    task = make_task(d, theta, sigma, eigenvalues=ev, seed=seed)
    truth = true_risks(task, ev, n - 1, d)
    rng = np.random.default_rng(seed + 1)
    vals, lows, highs = ({k: [] for k in COLS} for _ in range(3))
    raw, recs = {"scratch": [], "finetune": []}, []
    h = hashlib.sha256()
    for _ in range(reps):
        X, y = task.sample(n, rng)
        U = task.sample(20 * d, rng)[0] if spec else None
        prep = prepare(X, y, X @ task.beta_s, U)
        pe = estimate_parameters(prep)
        m = prep.X.shape[0]
        if seen is not None:
            seen.clear()
        preds, transf, *_ = predict(prep, pe, [m], m)
        ivs = dict(preds)
        ivs.update({f"T_{k}": v for k, v in transf.items()})
        for k in COLS:
            vals[k].append(ivs[k].value)
            lows[k].append(ivs[k].low)
            highs[k].append(ivs[k].high)
            h.update(np.array([ivs[k].low, ivs[k].high], float).tobytes())
        for w in raw:
            raw[w].append(float(seen[w][0]) if seen and w in seen else math.nan)
        recs.append(_best({k: ivs[v].value for k, v in HEADLINE.items()}))
    best = _best({k: truth[v] for k, v in HEADLINE.items()})
    return {"truth": truth, "true_best": best, "values": vals, "low": lows, "high": highs, "raw_ls": raw,
            "recommendation": recs, "bands_sha256": h.hexdigest()}


def summary(res):
    """RMSE, bias and zeros per column, the recommendation's accuracy; with raw LS values also their unclipped
    RMSE and how often / how far they fell outside the band."""
    out = {}
    for k in COLS:
        v, t = np.array(res["values"][k], float), res["truth"][k]
        out[k] = {"rmse": float(np.sqrt(np.mean((v - t) ** 2))), "bias": float(np.mean(v) - t),
                  "zeros": int(np.sum(v == 0.0)), "truth": t}
    rs, rf = (np.array(res["raw_ls"][w], float) for w in ("scratch", "finetune"))
    if np.isfinite(rs).all() and np.isfinite(rf).all():
        lt = np.array(res["values"]["linear_transfer"], float)
        raw = {"scratch_ridge": rs, "finetune_ridge": rf, "T_linear_transfer": rs - lt, "T_finetune": rs - rf}
        for k, v in raw.items():
            lo, hi = np.array(res["low"][k], float), np.array(res["high"][k], float)
            t = res["truth"][k]
            width = hi - lo
            below, above = v < lo, v > hi
            dist = np.where(below, lo - v, np.where(above, v - hi, 0.0))
            out[k].update({"rmse_unclipped": float(np.sqrt(np.mean((v - t) ** 2))),
                           "bias_unclipped": float(np.mean(v) - t), "zeros_unclipped": int(np.sum(v == 0.0)),
                           "outside_below": int(below.sum()), "outside_above": int(above.sum()),
                           "outside_mean_dist": float(dist[below | above].mean()) if (below | above).any() else 0.0,
                           "outside_max_rel_width": float(np.max(dist / np.where(width > 0, width, np.inf)))})
    recs = res["recommendation"]
    out["recommendation_correct"] = float(np.mean([r == res["true_best"] for r in recs]))
    true = {k: res["truth"][v] for k, v in HEADLINE.items()}
    out["regret"] = float(np.mean([true[r] - true[res["true_best"]] for r in recs]))   # true excess of the pick
    out["true_best"] = res["true_best"]
    return out


def compare(before, after):
    """Markdown: before/after RMSE, bias, zeros per column and setting, recommendation accuracy, band hashes."""
    A = {r["setting"]: r for r in json.load(open(before))}
    B = {r["setting"]: r for r in json.load(open(after))}
    print("| setting | column | truth | rmse before | rmse after (unclipped) | bias before | bias after (unclipped) "
          "| zeros before / after | raw value outside band (below/above) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for i in sorted(set(A) & set(B)):
        a, b = summary(A[i]["per_rep"]), summary(B[i]["per_rep"])
        assert A[i]["reps"] == B[i]["reps"], "different replication counts"
        for k in ("scratch_ridge", "finetune_ridge", "T_linear_transfer", "T_finetune"):
            x, y = a[k], b[k]
            unc = f" ({y['rmse_unclipped']:.4f})" if "rmse_unclipped" in y else ""
            ubias = f" ({y['bias_unclipped']:+.4f})" if "bias_unclipped" in y else ""
            out = f"{y['outside_below']}/{y['outside_above']}" if "outside_below" in y else "-"
            print(f"| {i} | {k} | {x['truth']:.4f} | {x['rmse']:.4f} | {y['rmse']:.4f}{unc} | {x['bias']:+.4f} | "
                  f"{y['bias']:+.4f}{ubias} | {x['zeros']} / {y['zeros']} | {out} |")
        same = A[i]["bands_sha256"] == B[i]["bands_sha256"]
        print(f"| {i} | recommendation correct (true best {a['true_best']}) | | {a['recommendation_correct']:.3f} | "
              f"{b['recommendation_correct']:.3f} | | | | bands bitwise equal: {same} |")
        print(f"| {i} | mean regret (true risk of the pick - the best's) | | {a['regret']:.4f} | {b['regret']:.4f} "
              "| | | | |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--only", default="9,11,13", help="comma-separated setting indices")
    ap.add_argument("--out", default=None)
    ap.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"), default=None)
    ns = ap.parse_args()
    if ns.compare:
        compare(*ns.compare)
        return
    if ns.reps < 1:
        ap.error(f"--reps must be >= 1, got {ns.reps}")
    seen = _recorder()
    rows = []
    print_load("start")
    for i in (int(s) for s in ns.only.split(",")):
        t0 = time.time()
        res = run(i, ns.reps, seen)
        s = summary(res)
        rows.append({"setting": i, "reps": ns.reps, "seconds": time.time() - t0, "summary": s,
                     "bands_sha256": res["bands_sha256"], "per_rep": res})
        print(f"setting {i} ({time.time() - t0:.0f} s):", json.dumps({k: s[k] for k in s}, indent=None), flush=True)
        write_json(ns.out, rows)
    print_load("end")


if __name__ == "__main__":
    main()
