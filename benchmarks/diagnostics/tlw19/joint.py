"""The joint law of T_hat_lt - T and S_y_hat, real against the true teachers' pool world (setting 10): per data set the
world's correlation of raw_b with S_y_b, the mean and sd of S_y_b; the real pairs pooled. Same samples as pivotlaw.py.
python joint.py I REPS OUT.json"""
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
rng = np.random.default_rng(500 + I + 1)
cap = {}
orig = AD.transfer_intervals
def ti(aniso, pe, predictions, n_at, region=None):
    cap.update(aniso=aniso, n_at=n_at); return orig(aniso, pe, predictions, n_at, region)
AD.transfer_intervals = ti
rows = []
for rep in range(reps):
    X, y = task.sample(n, rng); U = task.sample(20 * d, rng)[0]
    prep = prepare(X, y, X @ task.beta_s, U); pe = estimate_parameters(prep); m = prep.X.shape[0]
    _, transf, *_ = predict(prep, pe, [m], m)
    a = cap["aniso"]; n_at = cap["n_at"]; Q = a._Q
    L = PoolLaw(a, n_at, teachers=(Q.T @ (task.beta_t - task.beta_s), Q.T @ task.beta_s))
    raw_b = fixed_world(L, sigma ** 2)
    Sy_b = AD._quad(1.0, 1.0, sigma) @ L.m
    rows.append({"real": transf["linear_transfer"].value - truth["T_linear_transfer"], "Sy": float(a.S_raw[0, 0]),
                 "corr_b": float(np.corrcoef(raw_b, Sy_b)[0, 1]), "Sy_b_mean": float(Sy_b.mean()), "Sy_b_sd": float(Sy_b.std()),
                 "z_b": np.quantile(raw_b / Sy_b, [0.025, 0.5, 0.975]).tolist(),
                 "raw_b": np.quantile(raw_b, [0.025, 0.5, 0.975]).tolist(),
                 "cond_lowSy": float(np.mean(raw_b[Sy_b < np.quantile(Sy_b, 0.2)]))})
    if rep % 10 == 9:
        json.dump({"setting": I, "rows": rows}, open(out, "w"))
json.dump({"setting": I, "rows": rows}, open(out, "w"))
g = lambda k: np.array([r[k] for r in rows])  # noqa: E731
real, Sy = g("real"), g("Sy")
print(I, len(rows), f"real corr(T_hat - T, S_y_hat) {np.corrcoef(real, Sy)[0, 1]:.3f}; S_y_hat mean {Sy.mean():.3f} sd {Sy.std():.3f};"
      f" mean T_hat - T where S_y_hat in its lowest 20% {real[Sy < np.quantile(Sy, 0.2)].mean():+.3f}")
print(f"  world (true teachers, pool): corr {g('corr_b').mean():.3f}; S_y_b mean {g('Sy_b_mean').mean():.3f} sd {g('Sy_b_sd').mean():.3f};"
      f" mean raw where S_y_b in its lowest 20% {g('cond_lowSy').mean():+.3f}")
print("  real z 2.5/50/97.5", np.quantile(real / Sy, [0.025, 0.5, 0.975]).round(3), "world z", g("z_b").mean(0).round(3),
      "real raw", np.quantile(real, [0.025, 0.5, 0.975]).round(3), "world raw", g("raw_b").mean(0).round(3))
