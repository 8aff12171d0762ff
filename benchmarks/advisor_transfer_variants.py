"""Coverage of variants of the anisotropic transferability bands on the samples of
``benchmarks/advisor_band_coverage.py`` (same settings, seeds and truths).

    PYTHONPATH=. python benchmarks/advisor_transfer_variants.py [--reps 500] [--only 8,9] [--out FILE.json]

Per replication of an anisotropic setting, the bands of T_lt and T_ft (``T = R_scratch - R_transfer``):
``report`` (``ftheory.advise.report.predict``), ``combine`` (the two risk bands' half-widths combined as
correlated normal estimates: ``aniso_difference.transfer_intervals`` with the pivot off and no noise disc),
``simulated`` (``aniso_difference.DifferenceLaw``: T in each draw of the scale pivot's simulation, at every n)
and, above n = d, ``disc`` (``NoiseRegion.probe_transfer`` and ``NoiseRegion.transfer``). Prints coverage,
the % of truths below / above the band and the median width.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from ftheory.advise.aniso_difference import DifferenceLaw, transfer_intervals
from ftheory.advise.aniso_predict import AnisotropicPredictor
from ftheory.advise.aniso_transfer import NoiseRegion
from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.predict import isotropic_risk
from ftheory.advise.report import predict
from ftheory.advise.synthetic import make_task

from advisor_band_coverage import SETTINGS, SPECTRA, true_risks   # noqa: E402  (run from benchmarks/ or with it on the path)
from _common import print_load, write_json  # noqa: E402

KEYS = ("linear_transfer", "finetune")


def run(setting, reps, seed):
    """Per variant and transferability: ``[below, above, widths]`` counts over ``reps`` replications."""
    d, gamma, theta, sigma, spec = setting
    n = int(round(gamma * d))
    ev = SPECTRA[spec](d)
    task = make_task(d, theta, sigma, eigenvalues=ev, seed=seed)
    truth = true_risks(task, ev, n - 1, d)
    T = {k: truth["T_" + k] for k in KEYS}
    rng = np.random.default_rng(seed + 1)
    cnt = {}

    def count(name, k, b):
        c = cnt.setdefault(f"{name}:{k}", [0, 0, []])
        c[0] += int(T[k] < b[1])
        c[1] += int(T[k] > b[2])
        c[2].append(float(b[2] - b[1]))

    for _ in range(reps):
        X, y = task.sample(n, rng)
        U = task.sample(20 * d, rng)[0]
        prep = prepare(X, y, X @ task.beta_s, U)
        pe = estimate_parameters(prep)
        m = prep.X.shape[0]
        preds, tr, *_ = predict(prep, pe, [m], m)
        for k, iv in tr.items():
            count("report", k, (iv.value, iv.low, iv.high))
        for k, b in transfer_intervals(AnisotropicPredictor(prep, pivot_draws=0), pe, preds, m).items():
            count("combine", k, b)
        ap = AnisotropicPredictor(prep)
        v_s = preds["scratch_ridge"].value
        t_lt, t_ft = v_s - preds["linear_transfer"].value, v_s - preds["finetune_ridge"].value
        for k, b in DifferenceLaw(ap, m).bands(t_lt, t_ft).items():
            count("simulated", k, b)
        if m > d:
            noise = pe.interval("noise_variance")
            reg = NoiseRegion(ap, (noise.low, noise.high))
            count("disc", "linear_transfer", reg.probe_transfer_interval(
                m, lambda P: isotropic_risk("linear_transfer", m, d, P), t_lt))
            count("disc", "finetune", reg.transfer_interval(m, t_ft))
    return {k: {"coverage": 1 - (v[0] + v[1]) / reps, "below": v[0] / reps, "above": v[1] / reps,
                "median_width": float(np.median(v[2]))} for k, v in cnt.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=500)
    ap.add_argument("--only", default=None, help="comma-separated anisotropic setting indices (8-13)")
    ap.add_argument("--out", default=None)
    ns = ap.parse_args()
    print_load("start")
    rows = []
    for i, s in enumerate(SETTINGS):
        if s[4] is None or (ns.only is not None and str(i) not in ns.only.split(",")):
            continue
        t0 = time.time()
        res = run(s, ns.reps, seed=500 + i)
        rows.append({"index": i, "setting": s, "reps": ns.reps, "seconds": time.time() - t0, "variants": res})
        for k, r in res.items():
            print(f"{i} {s} {k:<28} coverage {r['coverage']:.3f}  below {100 * r['below']:.1f}%  "
                  f"above {100 * r['above']:.1f}%  median width {r['median_width']:.4g}", flush=True)
    print_load("end")
    write_json(ns.out, rows)


if __name__ == "__main__":
    main()
