"""Coverage of the advisor's 95% prediction bands on synthetic Gaussian tasks with known truth.

    PYTHONPATH=. python benchmarks/advisor_band_coverage.py [--reps 500] [--only 0,2,4] [--offgrid] [--out FILE.json]
        [--transfer-exact] [--unlabeled 20] [--stream 0] [--resolvent-weights | --no-resolvent-weights]
        [--advisor-seeds fixed|rep]
    PYTHONPATH=. python benchmarks/advisor_band_coverage.py --tables a.json b.json [--out pooled.json]

For each setting (d, gamma = n/d, theta, sigma, spectrum) draw ``reps`` target samples (and, for an
anisotropic spectrum, ``N = 20 d`` unlabeled rows; ``--unlabeled K``: ``N = K d``), run the prediction step of ``ftheory.advise``
(``prepare``, ``estimate_parameters``, ``report.predict``: the same code, without the estimates' own
intervals, which ``benchmarks/advisor_coverage.py`` studies), and count how often each band contains
the truth: the theory at the true parameters and, in the anisotropic settings, at the true covariance spectrum and the true
teacher (the deterministic equivalent of ``ftheory.aniso``; tuned = minimum over a fine penalty
grid). Predictions: the five procedures at the sample's n and the two transferabilities
``T = R_scratch_ridge - R_transfer``; ``--transfer-exact`` adds, in the anisotropic settings, the
comparator columns ``Tx_*``: the transferability as one functional of the statistics with its exact
plug-in standard error (``ftheory.advise.aniso_bands``, Wald). Prints a markdown table (coverage; a binomial standard error
is about 1 point at 500 replications) and the seconds per setting. ``--tables`` pools the rows of saved
runs (same setting and options, different ``--stream``) by their replication counts and prints the
coverage and the miss sides with the replications per row.

``--advisor-seeds fixed`` (default) runs the advisor at its default seed 0, as a report does: every data set of
one shape shares the same simulated draw sets, so their Monte Carlo luck is shared by all replications and does
not average out. ``rep`` gives each replication its own advisor seed (from the setting's seed, the stream and the
replication): the coverage is then the method's, averaged over draw sets, which is what a report at a new shape
can expect. Rows record the option and the anisotropic pivot's draws; rows that differ in either are not pooled.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import numpy as np

from ftheory.advise.aniso_bands import transfer_band, transfer_functionals
from ftheory.advise.aniso_pivot import PIVOT_DRAWS
from ftheory.advise.aniso_predict import AnisotropicPredictor
from ftheory.advise.estimators import Interval, estimate_parameters, prepare
from ftheory.advise.predict import PROCEDURES, isotropic_risk
from ftheory.advise.report import predict
from ftheory.advise.synthetic import make_task

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import advisor_seed, print_load, write_json  # noqa: E402

SPECTRA = {
    None: None,
    "1/i": lambda d: np.arange(1, d + 1) ** -1.0,
    "two-level": lambda d: np.where(np.arange(d) < d // 5, 10.0, 1.0),
}
SETTINGS = [  # d, gamma, theta, sigma, spectrum
    (100, 0.2, 0.4, 0.5, None),
    (100, 0.6, 1.0, 1.0, None),
    (100, 1.5, 0.7, 0.3, None),
    (100, 1.5, 0.7, 1.0, None),
    (100, 3.0, 1.2, 0.5, None),
    (60, 0.5, 0.2, 0.2, None),
    (60, 2.0, 1.4, 1.0, None),
    (60, 0.3, 0.5, 1.0, None),
    (60, 0.5, 0.7, 0.5, "1/i"),
    (60, 2.0, 1.0, 0.5, "1/i"),
    (60, 0.3, 0.5, 1.0, "1/i"),
    (60, 3.0, 1.2, 0.3, "1/i"),
    (60, 0.5, 0.7, 0.5, "two-level"),
    (60, 2.0, 1.0, 1.0, "two-level"),
    (20, 3.0, 0.7, 0.5, None),
    (30, 2.5, 1.0, 1.0, None),
]
#: settings away from the grid, drawn once by offgrid_settings() (task seed 700 + index): 0-11 anisotropic below
#: n = d (the target: rules tuned on the grid's three such rows, 8, 10, 12, failed off it), 12-17 isotropic,
#: 18-21 anisotropic above n = d
OFFGRID = [
    (60, 0.48, 0.62, 0.38, "two-level"),
    (60, 0.35, 0.75, 0.31, "two-level"),
    (80, 0.47, 1.15, 0.8, "1/i"),
    (60, 0.69, 0.75, 0.2, "two-level"),
    (60, 0.82, 0.43, 0.58, "two-level"),
    (100, 0.45, 1.26, 0.39, "1/i"),
    (100, 0.56, 0.95, 0.92, "1/i"),
    (100, 0.3, 0.39, 0.66, "1/i"),
    (40, 0.54, 0.23, 0.78, "1/i"),
    (100, 0.69, 0.24, 0.35, "1/i"),
    (100, 0.62, 1.34, 0.39, "two-level"),
    (80, 0.73, 0.89, 0.67, "1/i"),
    (40, 0.4, 1.33, 0.17, None),
    (100, 0.32, 1.08, 0.55, None),
    (60, 0.25, 0.95, 0.29, None),
    (20, 1.91, 0.76, 0.45, None),
    (20, 1.37, 0.72, 0.36, None),
    (60, 0.29, 0.77, 0.57, None),
    (60, 2.36, 1.38, 0.99, "two-level"),
    (60, 2.37, 0.73, 0.45, "two-level"),
    (80, 2.09, 1.06, 0.48, "two-level"),
    (80, 2.63, 0.93, 0.57, "two-level"),
]
OFFGRID_DRAWS = (("below", 12, 2612), ("isotropic", 6, 2613), ("above", 4, 2614))   # kind, settings, seed
#: a second set of anisotropic settings below n = d, drawn by offgrid_settings() for ftlab27 (task seed 900 + index)
#: and held out of every screen before that test: h0-h11 in the tables
HELDOUT = [
    (80, 0.66, 0.63, 0.38, "two-level"),
    (60, 0.81, 0.55, 0.91, "two-level"),
    (80, 0.51, 0.65, 0.88, "two-level"),
    (60, 0.53, 1.4, 0.26, "two-level"),
    (40, 0.65, 1.2, 0.32, "1/i"),
    (40, 0.39, 0.68, 0.64, "1/i"),
    (40, 0.61, 0.95, 0.33, "two-level"),
    (40, 0.56, 1.26, 0.3, "1/i"),
    (100, 0.37, 1.05, 0.95, "1/i"),
    (100, 0.38, 1.3, 0.24, "1/i"),
    (60, 0.77, 0.45, 0.56, "two-level"),
    (40, 0.52, 1.1, 0.89, "1/i"),
]
HELDOUT_DRAW = ("below", 12, 2615)                                                     # kind, settings, seed
COLS = PROCEDURES + ("T_linear_transfer", "T_finetune")


def offgrid_settings(kind="below", k=12, seed=2612):
    """``k`` settings drawn at random (seed ``seed``), theta uniform on [0.2, 1.45] and sigma on [0.15, 1.0] (two
    decimals), and by ``kind``: "below" (d in {40, 60, 80, 100}, gamma uniform on [0.25, 0.85], spectrum 1/i or
    two-level), "isotropic" (d in {20, 40, 60, 100}, gamma log-uniform on [0.2, 3], redrawn within 0.15 of n = d
    or below n = 8), "above" (d in {40, 60, 80}, gamma uniform on [1.3, 3], 1/i or two-level). :data:`OFFGRID`
    is the draws of :data:`OFFGRID_DRAWS`, written out."""
    dims = {"below": [40, 60, 80, 100], "isotropic": [20, 40, 60, 100], "above": [40, 60, 80]}
    if kind not in dims:
        raise ValueError(f"kind must be one of {sorted(dims)}, got {kind!r}")
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < k:
        d = int(rng.choice(dims[kind]))
        if kind == "isotropic":
            g = round(math.exp(rng.uniform(math.log(0.2), math.log(3.0))), 2)
        else:
            g = round(float(rng.uniform(*((0.25, 0.85) if kind == "below" else (1.3, 3.0)))), 2)
        th, sg = (round(float(rng.uniform(a, b)), 2) for a, b in ((0.2, 1.45), (0.15, 1.0)))
        if kind == "isotropic":
            if abs(g - 1) >= 0.15 and round(g * d) >= 8:
                out.append((d, g, th, sg, None))
            continue
        out.append((d, g, th, sg, str(rng.choice(["1/i", "two-level"]))))
    return out


def task_seed(i, offgrid=False, heldout=False):
    """The task seed of setting ``i`` of :data:`SETTINGS` (500 + i), :data:`OFFGRID` (700 + i) or :data:`HELDOUT`
    (900 + i)."""
    if offgrid and heldout:
        raise ValueError("offgrid and heldout exclude each other")
    return (900 if heldout else 700 if offgrid else 500) + i


#: the benchmark's sets of settings by name (:func:`setting_at`)
SETS = {"grid": SETTINGS, "offgrid": OFFGRID, "heldout": HELDOUT}


def setting_at(kind, i):
    """``(setting, task seed)`` of index ``i`` of the set ``kind`` of :data:`SETS`."""
    if kind not in SETS:
        raise ValueError(f"kind must be one of {sorted(SETS)}, got {kind!r}")
    return SETS[kind][i], task_seed(i, kind == "offgrid", kind == "heldout")


#: the prefix of a setting's label in the tables by set (:func:`set_label`)
SET_PREFIX = {"grid": "", "offgrid": "o", "heldout": "h"}


def set_label(kind, i):
    """The tables' label of index ``i`` of the set ``kind``: ``"3"`` (grid), ``"o3"``, ``"h3"``."""
    setting_at(kind, i)                                   # the set and index exist
    return SET_PREFIX[kind] + str(i)


def miss_counts(row, k):
    """``(below, above, counted)``: the integer counts behind a saved row's miss fractions of column ``k``."""
    n = row["counted"][k]
    return (_count(row["truth_below_band"][k], n, f"below {k}"), _count(row["truth_above_band"][k], n, f"above {k}"),
            n)


def true_risks(task, ev, m, d):
    """Theory at the truth: isotropic formulas (``ev is None``) or the anisotropic deterministic
    equivalent at the true spectrum; keys as in :data:`COLS`."""
    tr = task.truth()
    p = np.array([tr["signal"], tr["noise_variance"], tr["overlap_inner"], tr["source_signal"]])
    if ev is None:
        out = {proc: isotropic_risk(proc, m, d, p) for proc in PROCEDURES}
    else:
        from ftheory.aniso import scratch_risk
        w, Q = np.linalg.eigh(task.Sigma)
        lams = np.r_[0.0, float(w.mean()) * np.logspace(-5, 3, 801)]
        out = {"linear_transfer": isotropic_risk("linear_transfer", m, d, p)}
        for name, beta in (("scratch", task.beta_t), ("finetune", task.beta_t - task.beta_s)):
            with np.errstate(all="ignore"):
                r = np.asarray(scratch_risk(w, Q.T @ beta, m, task.sigma, lams), float)
            out[f"{name}_min_norm"] = float(r[0])
            out[f"{name}_ridge"] = float(np.min(r[1:]))
    out["T_linear_transfer"] = out["scratch_ridge"] - out["linear_transfer"]
    out["T_finetune"] = out["scratch_ridge"] - out["finetune_ridge"]
    return out


def setting_task(setting, seed):
    """``(task, ev, n)``: the benchmark's task of ``setting`` at ``seed`` (``ev`` None: isotropic) and its n."""
    d, gamma, theta, sigma, spec = setting
    ev = None if spec is None else SPECTRA[spec](d)
    return make_task(d, theta, sigma, eigenvalues=ev, seed=seed), ev, int(round(gamma * d))


def datasets(setting, seed, reps, stream=0, per_feature=20, seeds="fixed", start=0):
    """The benchmark's replications ``start .. reps - 1`` of ``setting``, in order, as :func:`run` sees them:
    ``(rep, prep, pe)`` (the prepared data and its estimates at the replication's advisor seed). Replays of the
    benchmark (``benchmarks/diagnostics/``) should draw their data sets here rather than copy this loop."""
    task, ev, n = setting_task(setting, seed)
    d, spec = setting[0], setting[4]
    rng = np.random.default_rng(seed + 1 if stream == 0 else [seed + 1, stream])
    for rep in range(reps):
        X, y = task.sample(n, rng)
        U = task.sample(per_feature * d, rng)[0] if spec else None
        if rep < start:
            continue
        prep = prepare(X, y, X @ task.beta_s, U)
        yield rep, prep, estimate_parameters(prep, seed=advisor_seed(seed, stream, rep) if seeds == "rep" else 0)


def run(setting, reps, seed, exact=False, per_feature=20, stream=0, seeds="fixed"):
    """Coverage (fraction of replications whose band contains the truth) per column, and miss sides.
    ``stream > 0``: another independent run of the same task (runs of different streams can be pooled);
    ``seeds="rep"``: the advisor's seed per replication (:func:`advisor_seed`), else 0."""
    d, spec = setting[0], setting[4]
    task, ev, n = setting_task(setting, seed)
    truth = true_risks(task, ev, n - 1, d)
    cols = COLS + (("Tx_linear_transfer", "Tx_finetune") if exact and spec else ())
    truth.update({"Tx_" + k[2:]: truth[k] for k in COLS if k.startswith("T_")})
    below = dict.fromkeys(cols, 0)
    above = dict.fromkeys(cols, 0)
    counted = dict.fromkeys(cols, 0)
    for rep, prep, pe in datasets(setting, seed, reps, stream, per_feature, seeds):
        if rep and rep % 50 == 0:                       # progress (stderr): partial coverage of a long run
            part = {k: round(1 - (below[k] + above[k]) / counted[k], 3) for k in cols if counted[k]}
            print(f"setting {setting}: {rep} replications: {part}", file=sys.stderr, flush=True)
        m = prep.X.shape[0]
        preds, transf, *_ = predict(prep, pe, [m], m)
        ivs = dict(preds)
        ivs.update({f"T_{k}": v for k, v in transf.items()})
        if len(cols) > len(COLS):
            a = AnisotropicPredictor(prep, seed=pe.seed)
            fs = transfer_functionals(a, pe, m, lambda p: isotropic_risk("linear_transfer", m, d, p))
            for k, (F, val) in fs.items():
                v, lo, hi = transfer_band(a, F, val)
                ivs["Tx_" + k] = Interval(v, lo, hi, (hi - lo) / 3.92)
        for k in cols:
            t = truth[k]
            if not math.isfinite(t):
                continue
            counted[k] += 1
            below[k] += t < ivs[k].low
            above[k] += t > ivs[k].high
    cov = {k: (1 - (below[k] + above[k]) / counted[k] if counted[k] else None) for k in cols}
    return {"coverage": cov, "truth_below_band": {k: below[k] / max(counted[k], 1) for k in cols},
            "truth_above_band": {k: above[k] / max(counted[k], 1) for k in cols}, "counted": counted}


def _load(path):
    """The rows of a saved run (``--out``)."""
    with open(path) as fh:
        return json.load(fh)


def _key(row):
    """What must agree for two rows to be pooled: the setting and the options that change the bands."""
    return (tuple(row["setting"]), row.get("unlabeled_per_feature", 20), row.get("resolvent_weights"),
            row.get("advisor_seeds", "fixed"), row.get("pivot_draws", 256))


def _count(frac, n, what):
    """The integer count behind a saved fraction ``frac`` of ``n`` replications."""
    k = round(frac * n)
    if abs(frac * n - k) > 1e-6:
        raise ValueError(f"{what}: fraction {frac} of {n} replications is not a count")
    return k


def pool(rows):
    """One row per setting and options (:func:`_key`): the rows of different streams (a missing ``"stream"``
    is stream 0) pooled by replication counts; coverage and miss sides recomputed from the summed counts.
    Two rows with the same stream of the same setting and options hold the same samples: ``ValueError``."""
    out, seen = {}, set()
    for r in rows:
        key, stream = _key(r), r.get("stream", 0)
        if (key, stream) in seen:
            raise ValueError(f"rows: stream {stream} of setting {list(key[0])} (unlabeled_per_feature {key[1]}, "
                             f"resolvent_weights {key[2]}, advisor_seeds {key[3]}, pivot_draws {key[4]}) appears "
                             "twice; the same samples cannot be pooled (pool runs of different --stream)")
        seen.add((key, stream))
        p = out.setdefault(key, {"setting": list(key[0]), "unlabeled_per_feature": key[1], "advisor_seeds": key[3],
                                 "pivot_draws": key[4], "streams": [], "reps": 0, "seconds": 0.0, "counted": {},
                                 "below": {}, "above": {}})
        p["streams"].append(stream)
        p["reps"] += r["reps"]
        p["seconds"] += r["seconds"]
        for k, n in r["counted"].items():
            p["counted"][k] = p["counted"].get(k, 0) + n
            for side in ("below", "above"):
                p[side][k] = p[side].get(k, 0) + _count(r[f"truth_{side}_band"][k], n, f"{side} {k} of {list(key[0])}")
    order = {s: i for i, s in enumerate(SETTINGS + OFFGRID + HELDOUT)}
    pooled = []
    for key in sorted(out, key=lambda k: (order.get(k[0], len(SETTINGS)), k[1], str(k[2]), k[3], k[4])):
        p = out[key]
        n, b, a = p.pop("counted"), p.pop("below"), p.pop("above")
        if key[2] is not None:
            p["resolvent_weights"] = key[2]
        p["streams"].sort()
        p["coverage"] = {k: (1 - (b[k] + a[k]) / n[k] if n[k] else None) for k in n}
        p["truth_below_band"] = {k: b[k] / max(n[k], 1) for k in n}
        p["truth_above_band"] = {k: a[k] / max(n[k], 1) for k in n}
        p["counted"], p["misses_below"], p["misses_above"] = n, b, a
        pooled.append(p)
    return pooled


def tables(rows):
    """Markdown tables of pooled rows (:func:`pool`): coverage (bold outside 93-97%) with the setting's index,
    streams and replications, then the misses per column as ``below / above`` counts."""
    cols = list(COLS) + sorted({k for r in rows for k in r["coverage"] if k not in COLS})
    order = {s: set_label(kind, i) for kind, settings in SETS.items() for i, s in enumerate(settings)}
    head = "| index | d | gamma | theta | sigma | spectrum | streams | reps | " + " | ".join(cols)
    f = lambda v: "-" if v is None else (f"{v:.3f}" if 0.93 <= round(v, 3) <= 0.97 else f"**{v:.3f}**")  # noqa: E731

    def lead(r):
        d, g, th, sg, sp = r["setting"]
        i = order.get(tuple(r["setting"]), "-")
        streams = ",".join(map(str, r["streams"]))
        if r["advisor_seeds"] != "fixed":
            streams += f" ({r['advisor_seeds']} seeds)"
        if r["pivot_draws"] != 256 and sp:
            streams += f" ({r['pivot_draws']} pivot draws)"
        return f"| {i} | {d} | {g} | {th} | {sg} | {sp or 'identity'} | {streams} | {r['reps']} | "

    out = [head + " | seconds (sum) |", "|" + "---|" * (9 + len(cols))]
    out += [lead(r) + " | ".join(f(r["coverage"].get(k)) for k in cols) + f" | {r['seconds']:.0f} |" for r in rows]
    out += ["", "Misses (truth below / above the band, counts):", "", head + " |", "|" + "---|" * (8 + len(cols))]
    out += [lead(r) + " | ".join(f"{r['misses_below'][k]} / {r['misses_above'][k]}" if k in r["counted"] else "-"
                                 for k in cols) + " |" for r in rows]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=500)
    ap.add_argument("--only", default=None, help="comma-separated setting indices (to split the run)")
    ap.add_argument("--offgrid", action="store_true",
                    help="the off-grid settings (OFFGRID, task seeds 700 + index) instead of the grid")
    ap.add_argument("--heldout", action="store_true",
                    help="the second off-grid set (HELDOUT, task seeds 900 + index) instead of the grid")
    ap.add_argument("--out", default=None)
    ap.add_argument("--transfer-exact", action="store_true",
                    help="add the exact-standard-error transferability comparator (anisotropic settings)")
    ap.add_argument("--unlabeled", type=int, default=20,
                    help="unlabeled rows per feature of the anisotropic settings (N = UNLABELED x d; > 1 + 3/d)")
    ap.add_argument("--resolvent-weights", action="store_true",
                    help="the anisotropic bias weights through Sigma_hat's resolvent (AnisotropicPredictor.resolvent)")
    ap.add_argument("--no-resolvent-weights", action="store_true",
                    help="the former fixed-W weights at every pool size (AnisotropicPredictor.resolvent = False)")
    ap.add_argument("--stream", type=int, default=0,
                    help="random stream of the samples (same tasks): runs with different streams can be pooled")
    ap.add_argument("--advisor-seeds", choices=("fixed", "rep"), default="fixed",
                    help="the advisor's seed: 0 for every replication, as a report (fixed), or one per replication "
                         "(rep: coverage averaged over the simulated draw sets)")
    ap.add_argument("--tables", nargs="+", default=None, metavar="JSON",
                    help="pool the rows of these saved runs across streams and print the tables (--out: pooled JSON)")
    ns = ap.parse_args()
    if ns.tables:
        try:
            rows = pool([r for path in ns.tables for r in _load(path)])
        except ValueError as err:
            ap.error(str(err))
        print(tables(rows))
        write_json(ns.out, rows)
        return
    if ns.offgrid and ns.heldout:
        ap.error("--offgrid and --heldout exclude each other")
    if ns.stream < 0:
        ap.error(f"--stream must be >= 0, got {ns.stream}")
    if ns.resolvent_weights and ns.no_resolvent_weights:
        ap.error("--resolvent-weights and --no-resolvent-weights exclude each other")
    if ns.resolvent_weights or ns.no_resolvent_weights:
        from ftheory.advise.aniso_predict import AnisotropicPredictor

        AnisotropicPredictor.resolvent = bool(ns.resolvent_weights)
    rows = []
    print_load("start")
    print("| d | gamma | theta | sigma | spectrum | " + " | ".join(COLS) + " | seconds |")
    print("|" + "---|" * (6 + len(COLS)))
    kind = "offgrid" if ns.offgrid else "heldout" if ns.heldout else "grid"
    for i in range(len(SETS[kind])):
        if ns.only is not None and str(i) not in ns.only.split(","):
            continue
        s, seed = setting_at(kind, i)
        t0 = time.time()
        res = run(s, ns.reps, seed=seed, exact=ns.transfer_exact,
                  per_feature=ns.unlabeled, stream=ns.stream, seeds=ns.advisor_seeds)
        sec = time.time() - t0
        rows.append({"setting": s, "reps": ns.reps, "stream": ns.stream, "unlabeled_per_feature": ns.unlabeled,
                     "advisor_seeds": ns.advisor_seeds, "pivot_draws": PIVOT_DRAWS, "seconds": sec,
                     **({"resolvent_weights": True} if ns.resolvent_weights else {}),
                     **({"resolvent_weights": False} if ns.no_resolvent_weights else {}), **res})
        cells = ["-" if res["coverage"][k] is None else f"{res['coverage'][k]:.3f}" for k in COLS]
        cells += [f"{k} {res['coverage'][k]:.3f}" for k in res["coverage"] if k.startswith("Tx_")]
        print(f"| {s[0]} | {s[1]} | {s[2]} | {s[3]} | {s[4] or 'identity'} | " + " | ".join(cells)
              + f" | {sec:.0f} |", flush=True)
    print_load("end")
    write_json(ns.out, rows)


if __name__ == "__main__":
    main()
