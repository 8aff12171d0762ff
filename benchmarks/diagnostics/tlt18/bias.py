"""Real bias of T_hat_lt against the fitted worlds' own mean (T_hat - T): python bias.py I REPS"""
import sys, numpy as np
sys.path.insert(0, "benchmarks")
import advisor_band_coverage as B
from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.report import predict
from ftheory.advise.synthetic import make_task
from ftheory.advise import aniso_difference as AD
I, reps = int(sys.argv[1]), int(sys.argv[2])
d, gamma, theta, sigma, spec = B.SETTINGS[I]
n = int(round(gamma*d)); ev = B.SPECTRA[spec](d)
task = make_task(d, theta, sigma, eigenvalues=ev, seed=500+I)
truth = B.true_risks(task, ev, n-1, d)
rng = np.random.default_rng(500+I+1)
cap = {}
orig = AD.transfer_intervals
def ti(aniso, pe, predictions, n_at, region=None):
    cap.update(aniso=aniso, n_at=n_at, preds=predictions); return orig(aniso, pe, predictions, n_at, region)
AD.transfer_intervals = ti
real, sim, sim_med, real_s, real_p = [], [], [], [], []
for rep in range(reps):
    X, y = task.sample(n, rng); U = task.sample(20*d, rng)[0]
    prep = prepare(X, y, X @ task.beta_s, U); pe = estimate_parameters(prep); m = prep.X.shape[0]
    _, transf, *_ = predict(prep, pe, [m], m)
    a = cap["aniso"]; L = AD.DifferenceLaw(a, cap["n_at"])
    S = a.S_raw; Sy, rho, r2 = float(S[0,0]), float(S[0,1]), max(float(S[1,1]), 1e-300)
    tau = float(a.kinv @ a.u["y"])
    f0 = float(AD._fraction(np.array([Sy-tau]), np.array([tau]), np.array([Sy]))[0])
    st = L.world(f0, Sy, rho, r2, max(Sy-2*rho+r2, 1e-300))[0][:, 0] * Sy
    real.append(transf["linear_transfer"].value - truth["T_linear_transfer"])
    real_s.append(cap["preds"]["scratch_ridge"].value - truth["scratch_ridge"])
    real_p.append(cap["preds"]["linear_transfer"].value - truth["linear_transfer"])
    sim.append(st.mean()); sim_med.append(np.median(st))
f = lambda x: f"{np.mean(x):+.3f} (se {np.std(x)/np.sqrt(len(x)):.3f})"
print(I, reps, "real T_hat - T", f(real), "| fitted worlds' mean (T_hat - T)", f(sim), "median", f(sim_med),
      "| real scratch bias", f(real_s), "real probe bias", f(real_p))
