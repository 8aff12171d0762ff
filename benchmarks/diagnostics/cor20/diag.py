"""cor20: per-replication records of the T_lt pieces below n = d (the benchmark's tasks, seeds and draws).

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/cor20/diag.py INDEX REPS STREAM OUT.pkl [START]

(START: skip the first START replications' predictions; the draws are still made, so the records continue the
benchmark's replications.)

Per replication: the scratch_ridge, linear_transfer and T_linear_transfer bands of the report, the plug-in
rho_lt of transfer_intervals (below n = d), the feasible estimate p = (signal, noise, overlap, source) and the probe risk's gradient at it (runs
started after 14:25), the pair of end-task correlations that transfer_intervals uses above
n = d (probe_correlations; recorded by the runs started after 14:22, the diag2_* files), and over DifferenceLaw's draws at the fitted world (data's noise
fraction) the correlation and sign concordance of the tuned scratch and probe risk errors.
"""
import os
import pickle
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from advisor_band_coverage import SETTINGS, SPECTRA, true_risks  # noqa: E402
from ftheory.advise.aniso_difference import DifferenceLaw, _fraction, _grad, _quad, probe_correlations  # noqa: E402
from ftheory.advise.bands import feasible_rows  # noqa: E402
from ftheory.advise.estimators import estimate_parameters, feasible, prepare  # noqa: E402
from ftheory.advise.predict import isotropic_risk, linear_transfer_risk  # noqa: E402
from ftheory.advise.report import predict  # noqa: E402
from ftheory.advise.synthetic import make_task  # noqa: E402


def sim_errors(law, f, Sy, rho, r2, Sr):
    """(rs - Rs, rp - Rp) / Sy_b per draw of the world at fraction f (DifferenceLaw.world's quantities)."""
    a, b, ce, cs, kap = law._amplitudes(f, Sy, rho, r2, Sr)
    ev, W, V, n = law.ap.ev, law.W, law.V, law.n
    bt, bsrc = a * law.bs + b * law.bz, kap * law.bs + b * law.bz
    sig = ce * ce
    tau2w = float(np.sum(ev * bt * bt))
    Rs = float(np.min(W @ (bt * bt) + V * sig))
    Rp = float(linear_transfer_risk(n, tau2w, sig, float(np.sum(ev * bt * bsrc)), float(np.sum(ev * bsrc * bsrc))))
    cy = _quad(a, b, ce)
    Sy_b = cy @ law.m
    tau_b = cy @ law.TU - law.g * law.iwc * tau2w
    sig_b = Sy_b - tau_b
    rs = np.maximum(np.min(np.tensordot(cy, law.KU, 1) + np.outer(sig_b, V), -1), 0.0)
    m = law.m
    r2_b = kap * kap * m[0] + 2 * kap * b * m[3] + b * b * m[5]
    rho_b = a * kap * m[0] + (a * b + b * kap) * m[3] + b * b * m[5] + ce * kap * m[1] + ce * b * m[4]
    P = feasible_rows(np.stack([tau_b, sig_b, rho_b, r2_b], -1))
    rp = linear_transfer_risk(n, P[:, 0], P[:, 1], P[:, 2], P[:, 3])
    return rs - Rs, rp - Rp


def main():
    index, reps, stream, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    start = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    d, gamma, theta, sigma, spec = SETTINGS[index]
    n = int(round(gamma * d))
    ev = SPECTRA[spec](d)
    seed = 500 + index
    task = make_task(d, theta, sigma, eigenvalues=ev, seed=seed)
    truth = true_risks(task, ev, n - 1, d)
    rng = np.random.default_rng(seed + 1 if stream == 0 else [seed + 1, stream])
    rows = []
    for rep in range(reps):
        X, y = task.sample(n, rng)
        U = task.sample(20 * d, rng)[0]
        if rep < start:
            continue
        prep = prepare(X, y, X @ task.beta_s, U)
        pe = estimate_parameters(prep)
        m = prep.X.shape[0]
        preds, transf, *_ = predict(prep, pe, [m], m)
        aniso = pe.__dict__["_aniso"]
        q = feasible(pe.p)
        h = 1e-6 * (np.abs(q) + np.sqrt(np.maximum(np.diag(pe.cov), 0)) + 1e-300)
        probe = lambda P: isotropic_risk("linear_transfer", m, d, P)  # noqa: E731
        Fs = aniso.functional("scratch", m)
        g = _grad(probe, q, h)
        rho_lt = aniso.correlation(Fs, aniso.parameter_functional(g)) if np.all(np.isfinite(g)) else 0.0
        row = {"rep": rep, "rho_lt": float(rho_lt), "p": q.tolist(), "grad": g.tolist(),
               "bands": {k: [v.value, v.low, v.high] for k, v in preds.items()},
               "T_lt": [transf["linear_transfer"].value, transf["linear_transfer"].low, transf["linear_transfer"].high]}
        try:
            row["rho_ends"] = list(probe_correlations(aniso, m, q, probe, h, preds["linear_transfer"]))
        except Exception as err:  # noqa: BLE001 (a diagnosis: record and go on)
            row["rho_ends_error"] = repr(err)
        try:
            law = DifferenceLaw(aniso, m)
            S = aniso.S_raw
            Sy, rh, r2 = float(S[0, 0]), float(S[0, 1]), max(float(S[1, 1]), 1e-300)
            Sr = max(float(S[0, 0] - 2 * S[0, 1] + S[1, 1]), 1e-300)
            tau = float(aniso.kinv @ aniso.u["y"])
            f0 = float(_fraction(np.array([Sy - tau]), np.array([tau]), np.array([Sy]))[0])
            es, ep = sim_errors(law, f0, max(Sy, 1e-300), rh, r2, Sr)
            row["sim_corr"] = float(np.corrcoef(es, ep)[0, 1])
            row["sim_conc"] = float(np.mean(np.sign(es - np.median(es)) == np.sign(ep - np.median(ep))))
            row["sim_conc0"] = float(np.mean(np.sign(es) == np.sign(ep)))
            row["f0"] = f0
        except ValueError:
            pass
        rows.append(row)
        if rep % 50 == 0:
            print(index, stream, rep, flush=True)
    t = task.truth()
    p_true = [t["signal"], t["noise_variance"], t["overlap_inner"], t["source_signal"]]
    pickle.dump({"index": index, "stream": stream, "truth": truth, "p_true": p_true, "rows": rows}, open(out, "wb"))


if __name__ == "__main__":
    main()
