"""Which part of the worlds' teachers widens T_hat_lt - T's lower tail: PoolLaw worlds at the truth's nuisances
with the fitted profiles (DifferenceLaw's), with the whitened-even profile for the distance and the source
(the benchmark tasks' own class), with Gaussian coefficients of the fitted profiles (one draw per data set,
two seeds: gauss, gauss2), and with the true teachers; the fitted exponents recorded.
python profiles.py I REPS OUT.json"""
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
    a = cap["aniso"]; n_at = cap["n_at"]; pv = a.pivot()
    r = {"real": transf["linear_transfer"].value - truth["T_linear_transfer"], "a_ft": pv.a["finetune"], "a_src": pv.a["source"]}
    args = (fT, SyT, tr["overlap_inner"], tr["source_signal"], max(SyT - 2 * tr["overlap_inner"] + tr["source_signal"], 1e-300))
    for name, law in (("fitted", PoolLaw(a, n_at)), ("even", PoolLaw(a, n_at, even=True)),
                      ("gauss", PoolLaw(a, n_at, gauss=[11, rep])), ("gauss2", PoolLaw(a, n_at, gauss=[12, rep]))):
        r[name] = q(law.world(*args)[0][:, 0] * SyT)
    Q = a._Q
    r["teach"] = q(fixed_world(PoolLaw(a, n_at, teachers=(Q.T @ (task.beta_t - task.beta_s), Q.T @ task.beta_s)), sigma ** 2))
    rows.append(r)
    if rep % 10 == 9:
        json.dump({"setting": I, "rows": rows}, open(out, "w"))
json.dump({"setting": I, "rows": rows}, open(out, "w"))
g = lambda k: np.array([r[k] for r in rows])  # noqa: E731
real = g("real")
print(I, len(rows), "real 2.5/50/97.5%", np.quantile(real, [0.025, 0.5, 0.975]).round(3), "sd", real.std().round(3), "mean", real.mean().round(3))
print("  fitted exponents finetune 10/50/90%", np.quantile(g("a_ft"), [0.1, 0.5, 0.9]).round(2), "source", np.quantile(g("a_src"), [0.1, 0.5, 0.9]).round(2))
for k in ("fitted", "even", "gauss", "gauss2", "teach"):
    v = g(k)
    print(f"  {k:7s} {v[:, :3].mean(0).round(3)} sd {v[:, 3].mean():.3f} mean {v[:, 4].mean():+.3f} below {np.mean(real < v[:, 0]):.3f} above {np.mean(real > v[:, 2]):.3f}")
