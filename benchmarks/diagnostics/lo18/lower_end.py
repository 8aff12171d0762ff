"""lo18: where the anisotropic tuned scratch band's lower end sits above n = d, and a screen of a lower end from the
simulated law of the tuned-risk estimate's error (Gaussian plug-in law of the statistics).

    PYTHONPATH=. python benchmarks/diagnostics/lo18/lower_end.py --only 9 --reps 200 --stream 0 --out F.json

Per replication: the report's scratch_ridge band, the truth, the moment noise interval, the disc point that sets the
disc's lower end (its noise, z_sigma, z_r), the disc's lower end before the clip at 0, the moment-centre tuned value
T_hat, and the 2.5/97.5% points of e* = min_lam R*(lam) - min_lam R_hat(lam) with s* ~ N(s_hat, C) (the statistics'
plug-in law of NoiseRegion._law; 4000 draws), so that T_hat - q97.5(e*) is a screened lower end.
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


def one(prep, pe, m, rng, draws=4000):
    preds, *_ = predict(prep, pe, [m], m)
    b = preds["scratch_ridge"]
    nm = pe.interval("noise_moment")
    ap = AnisotropicPredictor(prep)
    reg = NoiseRegion(ap, (nm.low, nm.high))
    curves, Cres, zr, L = reg._candidates(m)
    cand, sig, _, _, V, fin, _ = reg._points(m)
    R = curves[:, 0]
    j = np.argmin(R, -1)
    sd = np.sqrt(np.maximum(Cres[j, j], 0.0))
    v = R[np.arange(R.shape[0]), j] + zr * sd
    k = int(np.argmin(v))
    s, C, V, fin, L = reg._law(m)
    g = np.zeros(s.size)
    g[2 * L + 1], g[L] = 1.0, -1.0
    s2 = float(g @ s)
    That = float(np.min(np.where(fin, s[:L] + V * s2, np.inf)))
    w, U = np.linalg.eigh(C)
    S = rng.standard_normal((draws, s.size)) @ (U * np.sqrt(np.maximum(w, 0.0))).T + s
    Rs = np.where(fin, S[:, :L] + V * (S @ g)[:, None], np.inf)
    e = Rs.min(-1) - That
    q = np.quantile(e, [0.025, 0.975])
    return {"band": [b.value, b.low, b.high], "noise": [nm.value, nm.low, nm.high], "sig_at_low": float(sig[k]),
            "z_at_low": [float(reg.disc[k, 0]), float(reg.disc[k, 1])], "disc_low": float(v[k]),
            "disc_low_at_lo": float(v[int(np.argmin(reg.disc[:, 0]))]), "T_hat": That, "e_q": q.tolist(),
            "e_mean": float(e.mean())}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--only", type=int, required=True)
    p.add_argument("--reps", type=int, default=200)
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
    sim = np.random.default_rng(12345)
    rows = []
    for rep in range(a.reps):
        X, y = task.sample(n, rng)
        Uu = task.sample(20 * d, rng)[0]
        prep = prepare(X, y, X @ task.beta_s, Uu)
        pe = estimate_parameters(prep)
        r = one(prep, pe, prep.X.shape[0], sim)
        r["rep"] = rep
        rows.append(r)
        if rep % 25 == 0:
            print(a.only, rep, flush=True)
    with open(a.out, "w") as f:
        json.dump({"setting": a.only, "stream": a.stream, "truth": truth, "noise_true": task.sigma ** 2,
                   "rows": rows}, f)


if __name__ == "__main__":
    main()
