"""clip21: per replication of the band benchmark (its tasks, seeds and draws), the report's T_lt band and, where the
data's noise estimate is clipped at 0, DifferenceLaw's worlds on a grid of noise fractions with the law of
``(T_hat - T)/S_y`` (probe) among the draws whose own noise estimate is clipped too.

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/clip21/screen.py INDEX REPS STREAM OUT.pkl
"""
import os
import pickle
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from advisor_band_coverage import SETTINGS, SPECTRA, true_risks  # noqa: E402
from ftheory.advise.aniso_difference import DifferenceLaw, _quad  # noqa: E402
from ftheory.advise.bands import feasible_rows  # noqa: E402
from ftheory.advise.estimators import estimate_parameters, feasible, prepare  # noqa: E402
from ftheory.advise.predict import linear_transfer_risk  # noqa: E402
from ftheory.advise.report import predict  # noqa: E402
from ftheory.advise.synthetic import make_task  # noqa: E402

GRID = np.linspace(0.0, 0.95, 20)
LEV = np.array([0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 0.9, 0.95, 0.975, 0.99, 0.995])


def world_lt(law, f, Sy, rho, r2, Sr):
    """Per draw: (T_hat - T)/Sy_b of the probe, the draw's raw noise estimate / Sy_b, and T/Sy (the world's)."""
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
    Syb = np.maximum(Sy_b, 1e-300)
    return ((rs - rp) - (Rs - Rp)) / Syb, sig_b / Syb, P[:, 1] == 0, (Rs - Rp) / Sy


def main():
    index, reps, stream, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
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
        prep = prepare(X, y, X @ task.beta_s, U)
        pe = estimate_parameters(prep)
        m = prep.X.shape[0]
        preds, transf, *_ = predict(prep, pe, [m], m)
        aniso = pe.__dict__["_aniso"]
        q = feasible(pe.p)
        S = aniso.S_raw
        Sy, rh, r2 = float(S[0, 0]), float(S[0, 1]), max(float(S[1, 1]), 1e-300)
        Sr = max(float(S[0, 0] - 2 * S[0, 1] + S[1, 1]), 1e-300)
        tau = float(aniso.kinv @ aniso.u["y"])
        row = {"rep": rep, "p": q.tolist(), "p_raw": list(map(float, pe.p)), "Sy": Sy, "tau": tau,
               "bands": {k: [v.value, v.low, v.high] for k, v in preds.items()},
               "T_lt": [transf["linear_transfer"].value, transf["linear_transfer"].low, transf["linear_transfer"].high]}
        if q[1] == 0:
            law = DifferenceLaw(aniso, m)
            res = []
            for f in GRID:
                st, fr, cl, T = world_lt(law, f, max(Sy, 1e-300), rh, r2, Sr)
                c = st[cl]
                res.append({"f": float(f), "pclip": float(cl.mean()), "nclip": int(cl.sum()), "T": float(T),
                            "q_all": np.quantile(st, LEV).tolist(),
                            "q_clip": (np.quantile(c, LEV).tolist() if c.size else None),
                            "stat_clip": c.astype(np.float32), "fr_clip": fr[cl].astype(np.float32)})
            row["worlds"] = res
        rows.append(row)
        if rep % 50 == 0:
            print(index, stream, rep, flush=True)
    pickle.dump({"index": index, "stream": stream, "truth": truth, "rows": rows, "lev": LEV}, open(out, "wb"))


if __name__ == "__main__":
    main()
