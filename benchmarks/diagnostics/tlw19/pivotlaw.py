"""The bands use the pivot z = (T_hat_lt - T)/S_y_hat, not T_hat - T: the real z against the worlds' z at the truth's
nuisances (main's world, PoolLaw, the true teachers in a PoolLaw world), and the raw T_hat - T beside it.
Same samples as bias18/spread.py. python pivotlaw.py I REPS OUT.json"""
import sys, json, numpy as np
sys.path.insert(0, "benchmarks"); sys.path.insert(0, "benchmarks/diagnostics/tlw19")
import advisor_band_coverage as B
from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.report import predict
from ftheory.advise.synthetic import make_task
from ftheory.advise import aniso_difference as AD
from poolworld import PoolLaw, fixed_world
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
q = lambda st: np.quantile(st, [0.025, 0.5, 0.975]).tolist() + [float(st.std()), float(st.mean())]  # noqa: E731
rows = []
for rep in range(reps):
    X, y = task.sample(n, rng); U = task.sample(20 * d, rng)[0]
    prep = prepare(X, y, X @ task.beta_s, U); pe = estimate_parameters(prep); m = prep.X.shape[0]
    _, transf, *_ = predict(prep, pe, [m], m)
    a = cap["aniso"]; n_at = cap["n_at"]; Q = a._Q
    Sy = float(a.S_raw[0, 0])
    raw = transf["linear_transfer"].value - truth["T_linear_transfer"]
    r = {"real": raw, "real_z": raw / Sy}
    args = (fT, SyT, tr["overlap_inner"], tr["source_signal"], max(SyT - 2 * tr["overlap_inner"] + tr["source_signal"], 1e-300))
    for name, law in (("old", AD.DifferenceLaw(a, n_at)), ("pool", PoolLaw(a, n_at))):
        r[name + "_z"] = q(law.world(*args)[0][:, 0])
    Lt = PoolLaw(a, n_at, teachers=(Q.T @ (task.beta_t - task.beta_s), Q.T @ task.beta_s))
    r["teach_z"] = q(fixed_world(Lt, sigma ** 2, pivot=True))
    r["teach_raw"] = q(fixed_world(Lt, sigma ** 2))
    rows.append(r)
    if rep % 10 == 9:
        json.dump({"setting": I, "rows": rows}, open(out, "w"))
json.dump({"setting": I, "rows": rows}, open(out, "w"))
g = lambda k: np.array([r[k] for r in rows])  # noqa: E731
for real_k, keys in (("real_z", ("old_z", "pool_z", "teach_z")), ("real", ("teach_raw",))):
    real = g(real_k)
    print(I, len(rows), real_k, "2.5/50/97.5%", np.quantile(real, [0.025, 0.5, 0.975]).round(3), "sd", real.std().round(3), "mean", real.mean().round(3))
    for k in keys:
        v = g(k)
        print(f"  {k:9s} {v[:, :3].mean(0).round(3)} sd {v[:, 3].mean():.3f} mean {v[:, 4].mean():+.3f} real below its 2.5% {np.mean(real < v[:, 0]):.3f} above 97.5% {np.mean(real > v[:, 2]):.3f}")
