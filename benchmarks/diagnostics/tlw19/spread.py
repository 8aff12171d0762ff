"""Step 1: the law of T_hat_lt - T in the worlds at the truth's nuisances, without (main's DifferenceLaw) and with
each draw's own Sigma_hat_b (PoolLaw), against the real errors; same tasks/samples as bias18/spread.py.
python spread.py I REPS OUT.json"""
import sys, json, time, numpy as np
sys.path.insert(0, "benchmarks"); sys.path.insert(0, "benchmarks/diagnostics/tlw19")
import advisor_band_coverage as B
from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.report import predict
from ftheory.advise.synthetic import make_task
from ftheory.advise import aniso_difference as AD
from poolworld import PoolLaw
I, reps, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
d, gamma, theta, sigma, spec = B.SETTINGS[I]
n = int(round(gamma * d)); ev = B.SPECTRA[spec](d)
task = make_task(d, theta, sigma, eigenvalues=ev, seed=500 + I)
truth = B.true_risks(task, ev, n - 1, d)
tr = task.truth(); SyT = tr["signal"] + tr["noise_variance"]; fT = tr["noise_variance"] / SyT
rng = np.random.default_rng(500 + I + 1)
cap = {}
orig = AD.transfer_intervals
def ti(aniso, pe, predictions, n_at, region=None):
    cap.update(aniso=aniso, n_at=n_at); return orig(aniso, pe, predictions, n_at, region)
AD.transfer_intervals = ti
rows = []; tpool = 0.0
for rep in range(reps):
    X, y = task.sample(n, rng); U = task.sample(20 * d, rng)[0]
    prep = prepare(X, y, X @ task.beta_s, U); pe = estimate_parameters(prep); m = prep.X.shape[0]
    _, transf, *_ = predict(prep, pe, [m], m)
    a = cap["aniso"]; L = AD.DifferenceLaw(a, cap["n_at"])
    t0 = time.process_time(); P = PoolLaw(a, cap["n_at"]); tpool += time.process_time() - t0
    S = a.S_raw; Sy, rho, r2 = float(S[0, 0]), float(S[0, 1]), max(float(S[1, 1]), 1e-300)
    tau = float(a.kinv @ a.u["y"])
    f0 = float(AD._fraction(np.array([Sy - tau]), np.array([tau]), np.array([Sy]))[0])
    r = {"real": transf["linear_transfer"].value - truth["T_linear_transfer"], "f0": f0}
    for lawname, law in (("old", L), ("pool", P)):
        for name, (f, s, rr, q) in (("truth", (fT, SyT, tr["overlap_inner"], tr["source_signal"])), ("fitted", (f0, Sy, rho, r2)),
                                    ("ftrue", (fT, Sy, rho, r2))):
            st = law.world(f, s, rr, q, max(s - 2 * rr + q, 1e-300))[0][:, 0] * s
            r[lawname + "_" + name] = np.quantile(st, [0.025, 0.5, 0.975]).tolist() + [float(st.std()), float(st.mean())]
    rows.append(r)
    if rep % 10 == 9:
        json.dump({"setting": I, "rows": rows, "pool_init_cpu": tpool / len(rows)}, open(out, "w"))
json.dump({"setting": I, "rows": rows, "pool_init_cpu": tpool / len(rows)}, open(out, "w"))
g = lambda k: np.array([r[k] for r in rows])  # noqa: E731
real = g("real"); print(I, len(rows), "real T_hat - T: 2.5/50/97.5%", np.quantile(real, [0.025, 0.5, 0.975]).round(3), "sd", real.std().round(3), "mean", real.mean().round(3))
print("PoolLaw init cpu s/call", round(tpool / len(rows), 3))
for k in ("old_truth", "pool_truth", "old_ftrue", "pool_ftrue", "old_fitted", "pool_fitted"):
    q = g(k); print(f"  world {k:12s}: mean 2.5/50/97.5% {q[:, :3].mean(0).round(3)} sd {q[:, 3].mean():.3f} mean {q[:, 4].mean():+.3f};"
                    f" real inside own 95% {np.mean((real >= q[:, 0]) & (real <= q[:, 2])):.3f} below {np.mean(real < q[:, 0]):.3f} above {np.mean(real > q[:, 2]):.3f}")
