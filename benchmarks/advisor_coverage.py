"""Coverage study of the advisor's 95% intervals on synthetic Gaussian tasks with known truth.

    PYTHONPATH=. python benchmarks/advisor_coverage.py [--reps 500] [--out docs/advisor_coverage.json]

For each setting (d, gamma = n/d, theta, sigma, spectrum) draw ``reps`` target samples, run the
estimators and the isotropic predictions at the sample's n, and count how often each interval
contains the truth (parameters; predicted risks evaluated at the true parameters) and its mean width.
EigenPrism (Janson, Barber & Candes 2017; ``benchmarks/eigenprism.py``) gives the comparator intervals
for the signal and the noise variance on the same samples (inputs whitened by the estimated Sigma on
the anisotropic path); on isotropic settings the U-statistic test (``spectral=False``, the method before
the spectral test) runs on the same samples too (``--no-u`` skips it). Anisotropic settings pass ``N = 20 d`` unlabeled rows. Prints markdown tables;
``--no-predictions`` times the estimates alone; ``--params overlap`` measures the cosine alone;
``--tables a.json b.json`` prints the tables of split runs (``--only``; runs of the same setting
with different ``--stream`` are pooled). With ``--out`` the replications done so far are saved every
25 (rows marked ``"partial"``), so a long run stopped early still reports its replications.
``--advisor-seeds rep`` gives each replication its own advisor seed (the estimates' simulated draws; default
``fixed``: seed 0, as a report, one draw set shared by every replication of a shape): coverage averaged over
draw sets. Rows record the option; ``--tables`` pools only rows with the same one. ``--noise orthogonal`` runs
the estimates under ``ParameterEstimates.noise = "orthogonal"`` (orth30's candidate: the noise variance below n = d
from the rows orthogonal to the pretrained predictions); rows record it as ``"noise_rule"`` and pool apart.
"""
from __future__ import annotations

import argparse
import json
import math

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import advisor_seed, row_saver  # noqa: E402
from eigenprism import eigenprism  # noqa: E402

from ftheory.advise.estimators import ParameterEstimates, estimate_parameters, prepare
from ftheory.advise.predict import isotropic_risk
from ftheory.advise.report import _risk_interval
from ftheory.advise.synthetic import make_task

SETTINGS = [  # d, gamma, theta, sigma, spectrum
    (100, 0.2, 0.4, 0.5, None),
    (100, 0.6, 1.0, 1.0, None),
    (100, 1.5, 0.7, 0.3, None),
    (100, 3.0, 1.2, 0.5, None),
    (60, 0.5, 0.2, 0.2, None),
    (60, 2.0, 1.4, 1.0, None),
    (60, 0.5, 0.7, 0.5, "power"),
    (60, 2.0, 1.0, 0.5, "power"),
    (100, 2.0, 1.5, 0.5, None),      # nearly orthogonal (cos = 0.07)
    (60, 1.0, 1.4, 1.0, "power"),    # nearly orthogonal, anisotropic, n = d
    (60, 3.0, 1.0, 0.5, "power"),
    (60, 0.2, 0.9, 1.0, "power"),
    (10, 8.0, 0.7, 0.3, None),       # many more samples than features (n = 80, sigma^2 = 0.09)
    (10, 8.0, 0.7, 0.3, "power"),
    (3, 1000.0, 0.7, 0.3, None),     # n = 3000, d = 3
]
PARAMS = ("noise_variance", "signal", "overlap")
EXTRA = ("noise_moment", "signal_moment")  # --params only: the moment estimates' intervals (reported below the residual's switch)
EP = ("ep_signal", "ep_noise_variance")
US = ("u_signal", "u_noise_variance")  # the U-statistic test (spectral=False), isotropic settings
PREDS = ("scratch_min_norm", "linear_transfer", "finetune_min_norm", "scratch_ridge", "finetune_ridge")


def _whiten(prep):
    if prep.Sigma is None:
        return prep.X
    w, V = np.linalg.eigh(prep.Sigma)
    return prep.X @ (V / np.sqrt(w)) @ V.T


def run(setting, reps, seed, predictions=True, compare_u=True, stream=0, params=PARAMS, progress=None, every=25,
        seeds="fixed"):
    d, gamma, theta, sigma, spec = setting
    n = int(round(gamma * d))
    ev = None if spec is None else np.arange(1, d + 1) ** -1.0
    task = make_task(d, theta, sigma, eigenvalues=ev, seed=seed)
    tr = task.truth()
    tr["noise_moment"], tr["signal_moment"] = tr["noise_variance"], tr["signal"]
    p_true = np.array([tr["signal"], tr["noise_variance"], tr["overlap_inner"], tr["source_signal"]])
    # stream > 0: another independent run of the same task (to split a setting's replications)
    rng = np.random.default_rng(seed + 1 if stream == 0 else [seed + 1, stream])
    hits = {k: 0 for k in PARAMS + EXTRA + PREDS + EP + US}
    counted = {k: 0 for k in PARAMS + EXTRA + PREDS + EP + US}
    width = {k: 0.0 for k in PARAMS + EXTRA + EP + US}
    above = {k: 0 for k in PARAMS + EXTRA}  # misses with the truth above the interval

    def summary():
        cov = {k: (hits[k] / counted[k] if counted[k] else None) for k in hits}
        cov.update({"width_" + k: (width[k] / counted[k] if counted[k] else None) for k in width})
        cov.update({"above_" + k: (above[k] / counted[k] if counted[k] else None) for k in above})
        cov["cosine"] = tr["overlap"]
        return cov

    for rep in range(reps):
        if progress is not None and rep and rep % every == 0:
            progress(rep, summary())  # partial results of a long run (the replications done so far)
        X, y = task.sample(n, rng)
        U = task.sample(20 * d, rng)[0] if spec else None
        prep = prepare(X, y, X @ task.beta_s, U, center=True)
        pe = estimate_parameters(prep, seed=advisor_seed(seed, stream, rep) if seeds == "rep" else 0)
        for k in params:
            iv = pe.interval(k)
            hits[k] += iv.covers(tr[k])
            above[k] += tr[k] > iv.high
            width[k] += iv.high - iv.low
            counted[k] += 1
        if params != PARAMS:  # a subset of the estimates alone (e.g. the cosine after a change to its test)
            continue
        if spec is None and compare_u:  # the previous (U-statistic) test on the same sample
            pu = estimate_parameters(prep, spectral=False, seed=pe.seed)
            for k in US:
                iv = pu.interval(k[2:])
                hits[k] += iv.covers(tr[k[2:]])
                width[k] += iv.high - iv.low
                counted[k] += 1
        for k, (_, lo, hi) in zip(EP, eigenprism(_whiten(prep), prep.y)):
            truth = tr["signal" if k == "ep_signal" else "noise_variance"]
            hits[k] += lo <= truth <= hi
            width[k] += hi - lo
            counted[k] += 1
        if spec is None and predictions:
            m = prep.X.shape[0]
            for proc in PREDS:
                truth = isotropic_risk(proc, m, d, p_true)
                if not math.isfinite(truth):
                    continue
                f = (lambda q, proc=proc: isotropic_risk(proc, m, d, q))
                f.linear = proc.endswith("min_norm")
                hits[proc] += _risk_interval(pe, f).covers(truth)
                counted[proc] += 1
    return summary()


def pool(rows):
    """One row per setting, ``advisor_seeds`` and ``noise_rule``: runs of the same setting (different ``--stream``)
    pooled by replications."""
    out = {}
    for r in rows:
        i = (r["index"], r.get("advisor_seeds", "fixed"), r.get("noise_rule", "labels"))
        if i not in out:
            out[i] = json.loads(json.dumps(r))
            continue
        p, c, m = out[i], r["coverage"], r["reps"]
        for k, v in c.items():
            if k == "cosine" or v is None or p["coverage"].get(k) is None:
                continue
            p["coverage"][k] = (p["coverage"][k] * p["reps"] + v * m) / (p["reps"] + m)
        p["reps"] += m
        p["seconds"] += r["seconds"]
    return [out[i] for i in sorted(out)]


def tables(rows):
    """Markdown tables of the estimates (with EigenPrism) and of the prediction bands."""
    f = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
    out = ["| d | gamma | theta | cos | sigma | Sigma | reps | noise | signal | overlap | EigenPrism noise | "
           "EigenPrism signal | U-test noise | U-test signal | width noise (EP; U) | width signal (EP; U) | "
           "width overlap | s/rep |",
           "|" + "---|" * 18]
    fw = lambda v: "-" if v is None else f"{v:.3g}"  # noqa: E731
    for r in rows:
        (d, g, th, sg, spec), c = r["setting"], r["coverage"]
        seeds = " (rep seeds)" if r.get("advisor_seeds", "fixed") != "fixed" else ""
        seeds += " (orthogonal noise)" if r.get("noise_rule", "labels") != "labels" else ""
        out.append(f"| {d} | {g} | {th} | {c['cosine']:.2f} | {sg} | {spec or 'identity'} | {r['reps']}{seeds} | "
                   f"{f(c['noise_variance'])} | {f(c['signal'])} | {f(c['overlap'])} | "
                   f"{f(c['ep_noise_variance'])} | {f(c['ep_signal'])} | "
                   f"{f(c.get('u_noise_variance'))} | {f(c.get('u_signal'))} | "
                   f"{fw(c['width_noise_variance'])} ({fw(c['width_ep_noise_variance'])}; "
                   f"{fw(c.get('width_u_noise_variance'))}) | "
                   f"{fw(c['width_signal'])} ({fw(c['width_ep_signal'])}; {fw(c.get('width_u_signal'))}) | "
                   f"{fw(c['width_overlap'])} | "
                   f"{r['seconds'] / r['reps']:.2f} |")
    mom = [r for r in rows if any(r["coverage"].get(k) is not None for k in EXTRA)]
    if mom:
        out += ["", "| index | d | gamma | sigma | Sigma | reps | noise | width | moment noise | width | signal | width "
                "| moment signal | width |", "|" + "---|" * 14]
        for r in mom:
            (d, g, th, sg, spec), c = r["setting"], r["coverage"]
            out.append(f"| {r['index']} | {d} | {g} | {sg} | {spec or 'identity'} | {r['reps']} | " + " | ".join(
                f"{f(c.get(k))} | {fw(c.get('width_' + k))}"
                for k in ("noise_variance", "noise_moment", "signal", "signal_moment")) + " |")
    pred = [r for r in rows if any(r["coverage"].get(k) is not None for k in PREDS)]
    if pred:
        out += ["", "| d | gamma | theta | sigma | " + " | ".join(PREDS) + " |", "|" + "---|" * (4 + len(PREDS))]
        for r in pred:
            (d, g, th, sg, _), c = r["setting"], r["coverage"]
            out.append(f"| {d} | {g} | {th} | {sg} | " + " | ".join(f(c[k]) for k in PREDS) + " |")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=500)
    ap.add_argument("--out", default=None)
    ap.add_argument("--only", default=None, help="comma-separated setting indices (to split the run)")
    ap.add_argument("--no-predictions", action="store_true", help="estimates only")
    ap.add_argument("--no-u", action="store_true", help="skip the U-statistic comparison columns")
    ap.add_argument("--stream", type=int, default=0,
                    help="random stream of the samples (same tasks): runs with different streams can be pooled")
    ap.add_argument("--params", default=",".join(PARAMS),
                    help="comma-separated estimates to measure (a subset skips EigenPrism and the U-test)")
    ap.add_argument("--advisor-seeds", choices=("fixed", "rep"), default="fixed",
                    help="the advisor's seed: 0 for every replication, as a report (fixed), or one per replication "
                         "(rep: coverage averaged over the simulated draw sets)")
    ap.add_argument("--noise", choices=("labels", "orthogonal"), default="labels",
                    help="ParameterEstimates.noise: the noise variance below n = d from the labels (in use) or from "
                         "the rows orthogonal to the pretrained predictions (orth30's candidate)")
    ap.add_argument("--tables", nargs="*", default=None, help="print the tables of these JSON outputs")
    ns = ap.parse_args()
    ParameterEstimates.noise = ns.noise
    rule = {} if ns.noise == "labels" else {"noise_rule": ns.noise}
    if ns.tables:
        rows = pool([r for path in ns.tables for r in json.load(open(path))])
        print(tables(rows))
        return
    rows = []
    order = range(len(SETTINGS)) if ns.only is None else [int(k) for k in ns.only.split(",")]
    for i in order:
        s = SETTINGS[i]
        save = row_saver(rows, ns.out, "coverage", index=i, setting=s, stream=ns.stream,
                         advisor_seeds=ns.advisor_seeds, **rule)
        params = tuple(k for k in PARAMS + EXTRA if k in ns.params.split(","))
        cov = run(s, ns.reps, seed=100 + i, predictions=not ns.no_predictions, compare_u=not ns.no_u,
                  stream=ns.stream, params=params, progress=save, seeds=ns.advisor_seeds)
        rows.append(save(ns.reps, cov, final=True))
        print(f"setting {i} {s}: {rows[-1]['seconds']:.0f} s", file=sys.stderr, flush=True)
    print(tables(rows))


if __name__ == "__main__":
    main()
