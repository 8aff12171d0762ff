"""The anisotropic cosine interval: the bootstrap Fieller-type test (``overlap.cosine_interval_u``) against
the likelihood-ratio-type test (``overlap_lr.cosine_interval_lr``) on the SAME samples of the coverage
study (``benchmarks/advisor_coverage.py``: same tasks, same sample streams), with each test's acceptance of
the true cosine (world fitted under the candidate, and with ``--true-world`` also the true world), and a
variant of the LR test simulated at the feasible unconstrained estimates instead of the fit under ``c``.

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/advisor_cosine_lr.py --only 11 --reps 500 --out l11.json
    PYTHONPATH=. python benchmarks/advisor_cosine_lr.py --tables l6.json l7.json ...

Saves the replications done so far every 25 (``"partial"``).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import write_json  # noqa: E402
from advisor_coverage import SETTINGS  # noqa: E402

from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.overlap import cosine_interval_u, cosine_u_test
from ftheory.advise.overlap_lr import cosine_interval_lr, cosine_lr_test
from ftheory.advise.synthetic import make_task

KEYS = ("cover_old", "cover_new", "cover_est", "accept_old", "accept_new", "accept_new_true", "accept_est",
        "width_old", "width_new", "width_est", "above_old", "above_new", "old_has_negative", "new_has_negative")


def _task(i, stream=0):
    """The coverage study's setting ``i`` (``SETTINGS[i]``, task seed ``100 + i``): ``(task, truth, n, d, spec,
    rng)`` with ``rng`` the Generator of sample stream ``stream`` (``advisor_coverage.run``'s streams)."""
    d, gamma, theta, sigma, spec = SETTINGS[i]
    n = int(round(gamma * d))
    seed = 100 + i
    ev = None if spec is None else np.arange(1, d + 1) ** -1.0
    task = make_task(d, theta, sigma, eigenvalues=ev, seed=seed)
    rng = np.random.default_rng(seed + 1 if stream == 0 else [seed + 1, stream])
    return task, task.truth(), n, d, spec, rng


def run(i, reps, stream=0, true_world=False, variant=False, save=None, fitted=True):
    task, tr, n, d, spec, rng = _task(i, stream)
    c = tr["overlap"]
    tot = dict.fromkeys(KEYS, 0.0)
    tot["cosine"] = c * reps  # reported as a rate: the true cosine
    done = 0
    for rep in range(reps):
        X, y = task.sample(n, rng)
        U = task.sample(20 * d, rng)[0] if spec else None
        prep = prepare(X, y, X @ task.beta_s, U, center=True)
        pe = estimate_parameters(prep, spectral=False)
        old = cosine_interval_u(pe)
        new = cosine_interval_lr(pe) if fitted else old
        tot["cover_old"] += old.covers(c)
        tot["cover_new"] += new.covers(c)
        tot["above_old"] += c > old.high
        tot["above_new"] += c > new.high
        tot["width_old"] += old.high - old.low
        tot["width_new"] += new.high - new.low
        tot["old_has_negative"] += old.low < 0 < c
        tot["new_has_negative"] += new.low < 0 < c
        tot["accept_old"] += cosine_u_test(pe)(c) <= 0
        tot["accept_new"] += cosine_lr_test(pe)(c) <= 0
        if variant:
            est = cosine_interval_lr(pe, world="estimate")     # variant: simulated at the feasible estimates
            tot["cover_est"] += est.covers(c)
            tot["width_est"] += est.high - est.low
        tot["accept_est"] += cosine_lr_test(pe, world="estimate")(c) <= 0
        if true_world:
            tot["accept_new_true"] += cosine_lr_test(pe, world=(tr["signal"], tr["noise_variance"]))(c) <= 0
        done = rep + 1
        tot["cosine"] = c * done
        if save is not None and done % 25 == 0 and done < reps:
            save(done, tot, partial=True)
    return done, tot


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", type=int, help="setting index of benchmarks/advisor_coverage.py")
    ap.add_argument("--reps", type=int, default=500)
    ap.add_argument("--stream", type=int, default=0)
    ap.add_argument("--true-world", action="store_true", help="also the new test's acceptance in the true world")
    ap.add_argument("--variant", action="store_true", help="also the interval of the variant (world = estimates)")
    ap.add_argument("--variant-only", action="store_true",
                    help="with --variant: skip the fitted-world interval (its columns then repeat the old test's)")
    ap.add_argument("--out", default=None)
    ap.add_argument("--tables", nargs="*", default=None)
    ns = ap.parse_args()
    if ns.tables:
        print(tables([json.load(open(p)) for p in ns.tables]))
        return
    t0 = time.time()

    def save(done, tot, partial=False):
        row = {"index": ns.only, "setting": SETTINGS[ns.only], "stream": ns.stream, "reps": done,
               "true_world": ns.true_world, "variant": ns.variant, "variant_only": ns.variant_only, "seconds": time.time() - t0,
               "rates": {k: v / max(done, 1) for k, v in tot.items()}}
        if partial:
            row["partial"] = True
        write_json(ns.out, row)
        return row

    done, tot = run(ns.only, ns.reps, ns.stream, ns.true_world, ns.variant, save=save, fitted=not ns.variant_only)
    print(tables([save(done, tot)]))


def _v(r, x, fmt=".3f"):
    return format(x, fmt) if r.get("variant", True) else "-"


def tables(rows):
    out = ["| index | d | gamma | cos | Sigma | reps | coverage old → new | acceptance at truth old → new "
           "(true world) | width old → new | truth above old, new | low < 0 < cos old, new | "
           "variant world = estimates: coverage, acceptance, width | s/rep |",
           "|" + "---|" * 13]
    for r in sorted(rows, key=lambda r: r["index"]):
        (d, g, _, _, spec), q = r["setting"], r["rates"]
        tw = f" ({q['accept_new_true']:.3f})" if r.get("true_world") else ""
        out.append(f"| {r['index']} | {d} | {g} | {q['cosine']:.2f} | {spec or 'identity'} | {r['reps']} | "
                   f"{q['cover_old']:.3f} → {q['cover_new']:.3f} | {q['accept_old']:.3f} → {q['accept_new']:.3f}{tw} | "
                   f"{q['width_old']:.3g} → {q['width_new']:.3g} | {q['above_old']:.3f}, {q['above_new']:.3f} | "
                   f"{q['old_has_negative']:.3f}, {q['new_has_negative']:.3f} | "
                   f"{_v(r, q['cover_est'])}, {q['accept_est']:.3f}, {_v(r, q['width_est'], '.3g')} | {r['seconds'] / r['reps']:.2f} |")
    return "\n".join(out)


if __name__ == "__main__":
    main()
