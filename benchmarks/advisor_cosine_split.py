"""Where the anisotropic cosine interval's coverage comes from: on the samples of the coverage study
(``benchmarks/advisor_coverage.py``: same tasks, same sample streams) the advisor's interval
(``overlap_lr.cosine_interval_lr``, world = the feasible estimates), its test's acceptance of the true
cosine in the advisor's world and in the true world (exact), split by the sign of the signal estimate
``tau_hat^2`` (at ``tau_hat^2 <= 0`` the cosine is unidentified by the data).

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/advisor_cosine_split.py --only 11 --reps 500 --out s11.json
    PYTHONPATH=. python benchmarks/advisor_cosine_split.py --tables s11.json s11_1.json
    PYTHONPATH=. python benchmarks/advisor_cosine_split.py --tables docs/advisor_cosine_split.json

Saves the replications done so far every 25.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from advisor_coverage import SETTINGS  # noqa: E402
from advisor_cosine_lr import _task  # noqa: E402

from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.overlap_lr import cosine_lr_test


def run(i, reps, stream=0, save=None):
    """One row per replication: ``tau2`` (the estimate), ``cover``, ``accept`` (advisor's world),
    ``accept_true`` (true world), ``width``."""
    task, tr, n, d, spec, rng = _task(i, stream)
    c, world = tr["overlap"], (tr["signal"], tr["noise_variance"])
    rows = []
    for rep in range(reps):
        X, y = task.sample(n, rng)
        U = task.sample(20 * d, rng)[0] if spec else None
        pe = estimate_parameters(prepare(X, y, X @ task.beta_s, U, center=True))
        iv = pe.interval("overlap")
        rows.append(dict(tau2=float(pe.p[0]), cover=bool(iv.covers(c)), width=float(iv.high - iv.low),
                         accept=bool(cosine_lr_test(pe, world="estimate")(c) <= 0),
                         accept_true=bool(cosine_lr_test(pe, world=world)(c) <= 0)))
        if save is not None and (rep + 1) % 25 == 0:
            save(rows)
    return rows


def tables(runs):
    """Markdown table: coverage, acceptances and width, all samples and split by the sign of tau_hat^2."""
    out = ["| index | stream(s) | samples | reps | coverage | accept (advisor's world) | accept (true world) | width |",
           "|---|---|---|---|---|---|---|---|"]
    by = {}
    for r in runs:
        by.setdefault(r["index"], []).append(r)
    for i, rs in sorted(by.items()):
        rows = [x for r in rs for x in r["rows"]]
        streams = ",".join(str(r["stream"]) for r in rs)
        t = np.array([x["tau2"] for x in rows])
        for name, m in (("all", np.ones(len(t), bool)), ("tau_hat^2 <= 0", t <= 0), ("tau_hat^2 > 0", t > 0)):
            sel = [x for x, k in zip(rows, m) if k]
            f = lambda key: f"{np.mean([x[key] for x in sel]):.3f}" if sel else "-"  # noqa: E731
            out.append(f"| {i} | {streams} | {name} | {len(sel)} | {f('cover')} | {f('accept')} | "
                       f"{f('accept_true')} | {f('width')} |")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", type=int, default=11, choices=range(len(SETTINGS)), metavar="INDEX",
                    help="setting index of benchmarks/advisor_coverage.py")
    ap.add_argument("--reps", type=int, default=500)
    ap.add_argument("--stream", type=int, default=0)
    ap.add_argument("--out", default=None)
    ap.add_argument("--tables", nargs="*", default=None)
    ns = ap.parse_args()
    if ns.tables:
        runs = []
        for f in ns.tables:  # a run, or a list of runs (docs/advisor_cosine_split.json)
            r = json.load(open(f))
            runs.extend(r if isinstance(r, list) else [r])
        print(tables(runs))
        return
    t0 = time.time()

    def save(rows):
        if ns.out:
            with open(ns.out, "w") as fh:
                json.dump(dict(index=ns.only, stream=ns.stream, rows=rows, seconds=time.time() - t0), fh)

    rows = run(ns.only, ns.reps, ns.stream, save)
    save(rows)
    print(tables([dict(index=ns.only, stream=ns.stream, rows=rows)]))


if __name__ == "__main__":
    main()
