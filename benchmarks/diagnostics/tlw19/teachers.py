"""Which approximation of the worlds makes T_hat_lt - T's law too wide below (setting 10)? Per data set:
the world with Sigma = Sigma_hat, the TRUE teachers and noise, and each draw's own pool (PoolLaw with
teachers), against main's world at the truth's nuisances (fitted profile, random-sign source) with and without
the pool term; and the world with the TRUE Sigma as well (a predictor built on the true Sigma, pool of N rows
from it): that one is the real procedure, a check. python teachers.py I REPS OUT.json"""
import sys, json, dataclasses, numpy as np
sys.path.insert(0, "benchmarks"); sys.path.insert(0, "benchmarks/diagnostics/tlw19")
import advisor_band_coverage as B
from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.report import predict
from ftheory.advise.synthetic import make_task
from ftheory.advise import aniso_difference as AD
from ftheory.advise.aniso_predict import AnisotropicPredictor
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
rows = []
q = lambda st: np.quantile(st, [0.025, 0.5, 0.975]).tolist() + [float(st.std()), float(st.mean())]  # noqa: E731
for rep in range(reps):
    X, y = task.sample(n, rng); U = task.sample(20 * d, rng)[0]
    prep = prepare(X, y, X @ task.beta_s, U); pe = estimate_parameters(prep); m = prep.X.shape[0]
    _, transf, *_ = predict(prep, pe, [m], m)
    a = cap["aniso"]; n_at = cap["n_at"]
    r = {"real": transf["linear_transfer"].value - truth["T_linear_transfer"]}
    Q = a._Q
    tch = (Q.T @ (task.beta_t - task.beta_s), Q.T @ task.beta_s)
    Lt = PoolLaw(a, n_at, teachers=tch)
    r["teach_hat"] = q(fixed_world(Lt, sigma ** 2))
    # the true Sigma as the world's (a predictor on the true Sigma; the draws' pools from it)
    prepT = dataclasses.replace(prep, Sigma=task.Sigma.copy(), Sigma_inv=(prep.n_unlabeled - d - 1) / prep.n_unlabeled * np.linalg.inv(task.Sigma))
    aT = AnisotropicPredictor(prepT, pivot_draws=a.pivot_draws, seed=a.seed)
    QT = aT._Q
    LT = PoolLaw(aT, n_at, teachers=(QT.T @ (task.beta_t - task.beta_s), QT.T @ task.beta_s))
    r["teach_true"] = q(fixed_world(LT, sigma ** 2))
    L, P = AD.DifferenceLaw(a, n_at), PoolLaw(a, n_at)
    for name, law in (("old_truth", L), ("pool_truth", P)):
        r[name] = q(law.world(fT, SyT, tr["overlap_inner"], tr["source_signal"], max(SyT - 2 * tr["overlap_inner"] + tr["source_signal"], 1e-300))[0][:, 0] * SyT)
    rows.append(r)
    if rep % 10 == 9:
        json.dump({"setting": I, "rows": rows}, open(out, "w"))
json.dump({"setting": I, "rows": rows}, open(out, "w"))
g = lambda k: np.array([r[k] for r in rows])  # noqa: E731
real = g("real")
print(I, len(rows), "real 2.5/50/97.5%", np.quantile(real, [0.025, 0.5, 0.975]).round(3), "sd", real.std().round(3), "mean", real.mean().round(3))
for k in ("old_truth", "pool_truth", "teach_hat", "teach_true"):
    v = g(k)
    print(f"  {k:11s} {v[:, :3].mean(0).round(3)} sd {v[:, 3].mean():.3f} mean {v[:, 4].mean():+.3f} below {np.mean(real < v[:, 0]):.3f} above {np.mean(real > v[:, 2]):.3f}")
