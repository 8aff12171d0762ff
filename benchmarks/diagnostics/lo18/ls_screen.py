"""lo18 screen: the tuned scratch band's lower end from NoiseRegion.ls_lower (the simulated law of the
least-squares-centred tuned estimate) against the report's lower end, on the band benchmark's samples.

    PYTHONPATH=. python benchmarks/diagnostics/lo18/ls_screen.py --only 9 --reps 500 --stream 0 --out F.json
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))

from advisor_band_coverage import SETTINGS, SPECTRA, true_risks  # noqa: E402

from ftheory.advise.aniso_predict import AnisotropicPredictor  # noqa: E402
from ftheory.advise.aniso_transfer import NoiseRegion  # noqa: E402
from ftheory.advise.estimators import estimate_parameters, prepare  # noqa: E402
from ftheory.advise.report import predict  # noqa: E402
from ftheory.advise.synthetic import make_task  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--only", type=int, required=True)
    p.add_argument("--reps", type=int, default=500)
    p.add_argument("--stream", type=int, default=0)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    d, gamma, theta, sigma, spec = SETTINGS[a.only]
    n = int(round(gamma * d))
    ev = SPECTRA[spec](d)
    seed = 500 + a.only
    task = make_task(d, theta, sigma, eigenvalues=ev, seed=seed)
    truth = true_risks(task, ev, n - 1, d)["scratch_ridge"]
    rng = np.random.default_rng(seed + 1 if a.stream == 0 else [seed + 1, a.stream])
    rows = []
    for rep in range(a.reps):
        X, y = task.sample(n, rng)
        Uu = task.sample(20 * d, rng)[0]
        prep = prepare(X, y, X @ task.beta_s, Uu)
        pe = estimate_parameters(prep)
        m = prep.X.shape[0]
        b = predict(prep, pe, [m], m)[0]["scratch_ridge"]
        nm = pe.interval("noise_moment")
        reg = NoiseRegion(AnisotropicPredictor(prep), (nm.low, nm.high))
        lo = float(reg.ls_lower([m], (pe.residual.value, pe.residual.df))[0])
        rows.append({"rep": rep, "band": [b.value, b.low, b.high], "ls_lower": lo,
                     "noise": [nm.value, nm.low, nm.high], "ls": [pe.residual.value, pe.residual.df]})
        if rep % 50 == 0:
            print(a.only, rep, flush=True)
    with open(a.out, "w") as f:
        json.dump({"setting": a.only, "stream": a.stream, "truth": truth, "rows": rows}, f)


if __name__ == "__main__":
    main()
