"""Where the bias of T_hat_lt below n = d comes from, piece by piece (real data against DifferenceLaw's fitted
world): python pieces.py I REPS OUT.json [WORLD=1].  Same tasks, seeds and sampling order as tlt18/bias.py."""
import sys, json, dataclasses, numpy as np
sys.path.insert(0, "benchmarks")
import advisor_band_coverage as B
from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.report import predict
from ftheory.advise.synthetic import make_task
from ftheory.advise.bands import feasible_rows
from ftheory.advise.predict import linear_transfer_risk as LTR
from ftheory.advise import aniso_difference as AD
I, reps, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
do_world = len(sys.argv) < 5 or sys.argv[4] != "0"
d, gamma, theta, sigma, spec = B.SETTINGS[I]
n = int(round(gamma * d)); ev = B.SPECTRA[spec](d)
task = make_task(d, theta, sigma, eigenvalues=ev, seed=500 + I)
truth = B.true_risks(task, ev, n - 1, d)
tr = task.truth(); P0 = np.array([tr["signal"], tr["noise_variance"], tr["overlap_inner"], tr["source_signal"]])
rng = np.random.default_rng(500 + I + 1); rng400 = np.random.default_rng([500 + I + 1, 400])
cap = {}
orig = AD.transfer_intervals
def ti(aniso, pe, predictions, n_at, region=None):
    cap.update(aniso=aniso, n_at=n_at, preds=predictions); return orig(aniso, pe, predictions, n_at, region)
AD.transfer_intervals = ti
Sinv_true = np.linalg.inv(task.Sigma)
def probe(m, p):
    q = feasible_rows(np.asarray(p, float)); return float(LTR(m, *q))
def unclipped(m, p):
    tau, sig, rho, r2 = p; res = tau - rho * rho / r2; return res + (sig + res) / (m - 2)
rows = []
for rep in range(reps):
    X, y = task.sample(n, rng); U = task.sample(20 * d, rng)[0]
    z = X @ task.beta_s
    prep = prepare(X, y, z, U); pe = estimate_parameters(prep); m = prep.X.shape[0]
    p20 = np.asarray(pe.p, float)
    prepT = dataclasses.replace(prep, Sigma=task.Sigma.copy(), Sigma_inv=Sinv_true.copy(), n_unlabeled=10 ** 9)
    pT = np.asarray(estimate_parameters(prepT, draws=1).p, float)
    U4 = task.sample(400 * d, rng400)[0]
    p400 = np.asarray(estimate_parameters(prepare(X, y, z, U4), draws=1).p, float)
    Rp = truth["linear_transfer"]
    r = {"probe_20": probe(m, p20) - Rp, "probe_trueSigma": probe(m, pT) - Rp, "probe_400": probe(m, p400) - Rp,
         "probe_true_tau": probe(m, [P0[0], p20[0] + p20[1] - P0[0], p20[2], p20[3]]) - Rp,
         "probe_true_rho_r2": probe(m, [p20[0], p20[1], P0[2], P0[3]]) - Rp,
         "probe_unclipped_20": unclipped(m, p20) - Rp, "probe_unclipped_trueSigma": unclipped(m, pT) - Rp,
         "tau_20": p20[0] - P0[0], "tau_trueSigma": pT[0] - P0[0], "tau_400": p400[0] - P0[0],
         "b_20": p20[2] ** 2 / p20[3] - P0[2] ** 2 / P0[3], "clipped_20": float(p20[0] < p20[2] ** 2 / p20[3]),
         "clipped_trueSigma": float(pT[0] < pT[2] ** 2 / pT[3])}
    if do_world:
        _, transf, *_ = predict(prep, pe, [m], m)
        assert abs(cap["preds"]["linear_transfer"].value - probe(m, p20)) < 1e-8 * (1 + abs(probe(m, p20))), "probe"
        a = cap["aniso"]; L = AD.DifferenceLaw(a, cap["n_at"])
        S = a.S_raw; Sy, rho, r2 = float(S[0, 0]), float(S[0, 1]), max(float(S[1, 1]), 1e-300)
        tau = float(a.kinv @ a.u["y"])
        f0 = float(AD._fraction(np.array([Sy - tau]), np.array([tau]), np.array([Sy]))[0])
        # the world's pieces (DifferenceLaw.world, unchanged, with its intermediates kept)
        aa, b, ce, cs, kap = L._amplitudes(f0, Sy, rho, r2, max(Sy - 2 * rho + r2, 1e-300))
        bt, bsrc = aa * L.bs + b * L.bz, kap * L.bs + b * L.bz
        sig = ce * ce; ev_ = a.ev
        tw, rw, r2w = float(np.sum(ev_ * bt * bt)), float(np.sum(ev_ * bt * bsrc)), float(np.sum(ev_ * bsrc * bsrc))
        Rpw = float(LTR(L.n, tw, sig, rw, r2w))
        cy = AD._quad(aa, b, ce); M = L.m
        Sy_b = cy @ M; tau_b = cy @ L.TU - L.g * L.iwc * tw; sig_b = Sy_b - tau_b
        r2_b = kap * kap * M[0] + 2 * kap * b * M[3] + b * b * M[5]
        rho_b = aa * kap * M[0] + (aa * b + b * kap) * M[3] + b * b * M[5] + ce * kap * M[1] + ce * b * M[4]
        Pb = np.stack([tau_b, sig_b, rho_b, r2_b], -1)
        rp = LTR(L.n, *feasible_rows(Pb).T)
        st = L.world(f0, Sy, rho, r2, max(Sy - 2 * rho + r2, 1e-300))[0][:, 0] * Sy
        res_b = tau_b - rho_b ** 2 / r2_b
        r.update({"T_real": transf["linear_transfer"].value - truth["T_linear_transfer"],
                  "scratch_real": cap["preds"]["scratch_ridge"].value - truth["scratch_ridge"],
                  "T_world": float(st.mean()), "probe_world": float(np.mean(rp) - Rpw),
                  "scratch_world": float(st.mean() + np.mean(rp) - Rpw),
                  "tau_world": float(np.mean(tau_b) - tw), "tau_sd_world": float(np.std(tau_b)),
                  "b_world": float(np.mean(rho_b ** 2 / r2_b) - rw * rw / r2w),
                  "clip_world": float(np.mean(res_b < 0)), "resid_world_true": tw - rw * rw / r2w,
                  "probe_world_unclipped": float(np.mean([unclipped(L.n, q) for q in Pb]) - Rpw),
                  "Sy_ratio": float(np.mean(Sy_b) / Sy), "world_tau_over_Sy": tw / Sy, "data_tau_over_Sy": tau / Sy,
                  "iwc_term_sd": float(L.iwc * tw)})
    rows.append(r)
    if rep % 10 == 9:
        json.dump({"setting": I, "reps": len(rows), "truth": truth, "P0": P0.tolist(), "rows": rows}, open(out, "w"))
json.dump({"setting": I, "reps": len(rows), "truth": truth, "P0": P0.tolist(), "rows": rows}, open(out, "w"))
keys = rows[0].keys()
print(I, len(rows), "resid_true", P0[0] - P0[2] ** 2 / P0[3])
for k in keys:
    v = np.array([r[k] for r in rows]); print(f"  {k:28s} {v.mean():+.4f} (se {v.std() / np.sqrt(len(v)):.4f}) sd {v.std():.4f}")
