"""DifferenceLaw's world at the truth's nuisances against the fitted one (same data sets as pieces.py):
python atruth.py I REPS OUT.json.  Per data set the mean over the world's draws of (probe, scratch, T) estimate
minus the world's truth, at (f_hat, rho_hat) [fitted], (f, rho) true [truth], (f true, rho_hat), (f_hat, rho
true); S_y and r^2 at the data's (fitted, mixed) or true (truth) values; and the real scratch estimate with the
true Sigma (n_unlabeled = 400 d) on the same sample."""
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
d, gamma, theta, sigma, spec = B.SETTINGS[I]
n = int(round(gamma * d)); ev = B.SPECTRA[spec](d)
task = make_task(d, theta, sigma, eigenvalues=ev, seed=500 + I)
truth = B.true_risks(task, ev, n - 1, d)
tr = task.truth(); P0 = np.array([tr["signal"], tr["noise_variance"], tr["overlap_inner"], tr["source_signal"]])
rng = np.random.default_rng(500 + I + 1)
cap = {}
orig = AD.transfer_intervals
def ti(aniso, pe, predictions, n_at, region=None):
    cap.update(aniso=aniso, n_at=n_at, preds=predictions); return orig(aniso, pe, predictions, n_at, region)
AD.transfer_intervals = ti
Sinv_true = np.linalg.inv(task.Sigma)

def pieces(L, f, Sy, rho, r2):
    """(probe, scratch, T) mean estimate - world truth, the world's true resid and its Sy_b mean / Sy."""
    aa, b, ce, cs, kap = L._amplitudes(f, Sy, rho, r2, max(Sy - 2 * rho + r2, 1e-300))
    bt, bsrc = aa * L.bs + b * L.bz, kap * L.bs + b * L.bz
    sig, e = ce * ce, L.ap.ev
    tw, rw, r2w = float(np.sum(e * bt * bt)), float(np.sum(e * bt * bsrc)), float(np.sum(e * bsrc * bsrc))
    Rpw = float(LTR(L.n, tw, sig, rw, r2w))
    cy = AD._quad(aa, b, ce); M = L.m
    Sy_b = cy @ M; tau_b = cy @ L.TU - L.g * L.iwc * tw
    r2_b = kap * kap * M[0] + 2 * kap * b * M[3] + b * b * M[5]
    rho_b = aa * kap * M[0] + (aa * b + b * kap) * M[3] + b * b * M[5] + ce * kap * M[1] + ce * b * M[4]
    rp = LTR(L.n, *feasible_rows(np.stack([tau_b, Sy_b - tau_b, rho_b, r2_b], -1)).T)
    st = L.world(f, Sy, rho, r2, max(Sy - 2 * rho + r2, 1e-300))[0][:, 0] * Sy
    pb = float(np.mean(rp) - Rpw)
    return [pb, float(st.mean()) + pb, float(st.mean()), tw - rw * rw / r2w, float(np.mean(Sy_b) / Sy)]

rows = []
fT, SyT = P0[1] / (P0[0] + P0[1]), P0[0] + P0[1]
for rep in range(reps):
    X, y = task.sample(n, rng); U = task.sample(20 * d, rng)[0]
    z = X @ task.beta_s
    prep = prepare(X, y, z, U); pe = estimate_parameters(prep); m = prep.X.shape[0]
    _, transf, *_ = predict(prep, pe, [m], m)
    a = cap["aniso"]; L = AD.DifferenceLaw(a, cap["n_at"]); preds = cap["preds"]
    S = a.S_raw; Sy, rho, r2 = float(S[0, 0]), float(S[0, 1]), max(float(S[1, 1]), 1e-300)
    tau = float(a.kinv @ a.u["y"])
    f0 = float(AD._fraction(np.array([Sy - tau]), np.array([tau]), np.array([Sy]))[0])
    r = {"real_probe": preds["linear_transfer"].value - truth["linear_transfer"],
         "real_scratch": preds["scratch_ridge"].value - truth["scratch_ridge"],
         "real_T": transf["linear_transfer"].value - truth["T_linear_transfer"], "f0": f0, "rho_over_Sy": rho / Sy}
    for name, args in (("fitted", (f0, Sy, rho, r2)), ("truth", (fT, SyT, P0[2], P0[3])),
                       ("f_true", (fT, Sy, rho, r2)), ("rho_true", (f0, Sy, P0[2] * Sy / SyT, r2))):
        v = pieces(L, *args)
        r.update({f"{name}_probe": v[0], f"{name}_scratch": v[1], f"{name}_T": v[2], f"{name}_resid": v[3],
                  f"{name}_Syratio": v[4]})
    prepT = dataclasses.replace(prep, Sigma=task.Sigma.copy(), Sigma_inv=Sinv_true.copy(), n_unlabeled=400 * d)
    predict(prepT, estimate_parameters(prepT, draws=1), [m], m)
    r["real_scratch_trueSigma"] = cap["preds"]["scratch_ridge"].value - truth["scratch_ridge"]
    rows.append(r)
    if rep % 10 == 9:
        json.dump({"setting": I, "reps": len(rows), "rows": rows}, open(out, "w"))
json.dump({"setting": I, "reps": len(rows), "rows": rows}, open(out, "w"))
print(I, len(rows), "true resid", P0[0] - P0[2] ** 2 / P0[3])
for k in rows[0]:
    v = np.array([r[k] for r in rows]); print(f"  {k:24s} {v.mean():+.4f} (se {v.std() / np.sqrt(len(v)):.4f})")
