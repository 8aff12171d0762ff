"""tftc24: replay benchmarks/advisor_band_coverage.py (as tft23's replay.py: task seed 500 + I, the stream's
generator, --advisor-seeds rep) and dump, per data set, DifferenceLaw's worlds for T_ft below n = d: the draws'
(T_hat - T)/S_y (fine-tuning) and estimated noise fraction f_hat at every fraction of GRID and at the fitted one f0,
with the real t = (T_hat - T)/S_y, f0, the clip and the band's own quantiles, so that candidate bands built from the
same worlds can be screened offline (screen.py).

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/tftc24/dump.py INDEX STREAM START STOP OUT.npz
"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from advisor_band_coverage import SETTINGS, SPECTRA, advisor_seed, true_risks  # noqa: E402
from ftheory.advise import aniso_difference as adiff  # noqa: E402
from ftheory.advise.estimators import estimate_parameters, prepare  # noqa: E402
from ftheory.advise.param_cov import feasible  # noqa: E402
from ftheory.advise.report import predict  # noqa: E402
from ftheory.advise.synthetic import make_task  # noqa: E402

REC = {}
_bands = adiff.DifferenceLaw.bands
_quant = adiff.DifferenceLaw.quantiles


def bands(self, t_lt, t_ft, level=0.95):
    REC["dl"] = self
    return _bands(self, t_lt, t_ft, level)


def quantiles(self, Sy, tau, rho, r2, Sr, level=0.95):
    lo, hi = _quant(self, Sy, tau, rho, r2, Sr, level)
    REC["q"] = (Sy, tau, rho, r2, Sr, float(lo[1]), float(hi[1]))
    return lo, hi


adiff.DifferenceLaw.bands = bands
adiff.DifferenceLaw.quantiles = quantiles
adiff.DifferenceLaw.mode = "prepivot"                   # the band as on main (P)


def main():
    index, stream, start, stop, out = (int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]),
                                       sys.argv[5])
    d, gamma, theta, sigma, spec = SETTINGS[index]
    n = int(round(gamma * d))
    seed = 500 + index
    ev_true = SPECTRA[spec](d)
    task = make_task(d, theta, sigma, eigenvalues=ev_true, seed=seed)
    truth = true_risks(task, ev_true, n - 1, d)
    T = truth["T_finetune"]
    tr = task.truth()
    f_t = sigma ** 2 / (tr["signal"] + sigma ** 2)
    rng = np.random.default_rng(seed + 1 if stream == 0 else [seed + 1, stream])
    rows, ST, FH = [], [], []
    t00 = time.time()
    for rep in range(stop):
        X, y = task.sample(n, rng)
        U = task.sample(20 * d, rng)[0]
        if rep < start:
            continue
        prep = prepare(X, y, X @ task.beta_s, U)
        pe = estimate_parameters(prep, seed=advisor_seed(seed, stream, rep))
        m = prep.X.shape[0]
        REC.clear()
        preds, transf, *_ = predict(prep, pe, [m], m)
        if "dl" not in REC:
            print(f"rep {rep}: no DifferenceLaw", flush=True)
            continue
        iv = transf["finetune"]
        dl = REC["dl"]
        Sy, tau, rho, r2, Sr, plo, phi = REC["q"]
        f0 = float(adiff._fraction(np.array([Sy - tau]), np.array([tau]), np.array([Sy]))[0])
        ws = [dl.world(f, Sy, rho, r2, Sr)[:2] for f in np.r_[adiff.GRID, f0]]
        ST.append(np.stack([w[0][:, 1] for w in ws]).astype(np.float32))
        FH.append(np.stack([w[1] for w in ws]).astype(np.float32))
        rows.append([rep, iv.value, iv.low, iv.high, Sy, f0, (iv.value - T) / Sy, plo, phi,
                     float(feasible(pe.p)[1] == 0)])
        if rep % 25 == 0:
            print(f"rep {rep} {time.time() - t00:.0f}s", flush=True)
    np.savez_compressed(out, rows=np.array(rows), st=np.array(ST), fh=np.array(FH), T=T, f_true=f_t,
                        grid=adiff.GRID, cols="rep T_hat lo hi Sy f0 t P_lo P_hi clipped")


if __name__ == "__main__":
    main()
