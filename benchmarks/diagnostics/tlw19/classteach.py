"""Is the benchmark's teacher atypical of its class? PoolLaw worlds (Sigma = Sigma_hat, each draw's own pool) with
the true teachers against teachers drawn afresh from the benchmark's class (make_task's construction with the
task's true Sigma: whitened-isotropic pair at Sigma-angle theta, unit Sigma-norms; two fresh pairs per data set),
at the true noise. python classteach.py I REPS OUT.json"""
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
lam, Qt = np.linalg.eigh(task.Sigma)
inv_half = (Qt / np.sqrt(lam)) @ Qt.T
rng = np.random.default_rng(500 + I + 1)
cap = {}
orig = AD.transfer_intervals
def ti(aniso, pe, predictions, n_at, region=None):
    cap.update(aniso=aniso, n_at=n_at); return orig(aniso, pe, predictions, n_at, region)
AD.transfer_intervals = ti
q = lambda st: np.quantile(st, [0.025, 0.5, 0.975]).tolist() + [float(st.std()), float(st.mean())]  # noqa: E731


def fresh(seed):
    r = np.random.default_rng(seed)
    u = r.standard_normal(d); u /= np.linalg.norm(u)
    v = r.standard_normal(d); v -= (v @ u) * u; v /= np.linalg.norm(v)
    return inv_half @ (np.cos(theta) * u + np.sin(theta) * v), inv_half @ u


rows = []
for rep in range(reps):
    X, y = task.sample(n, rng); U = task.sample(20 * d, rng)[0]
    prep = prepare(X, y, X @ task.beta_s, U); pe = estimate_parameters(prep); m = prep.X.shape[0]
    _, transf, *_ = predict(prep, pe, [m], m)
    a = cap["aniso"]; n_at = cap["n_at"]; Q = a._Q
    r = {"real": transf["linear_transfer"].value - truth["T_linear_transfer"]}
    for name, (bt, bsrc) in (("teach", (task.beta_t, task.beta_s)), ("fresh1", fresh([31, rep])), ("fresh2", fresh([32, rep]))):
        r[name] = q(fixed_world(PoolLaw(a, n_at, teachers=(Q.T @ (bt - bsrc), Q.T @ bsrc)), sigma ** 2))
    rows.append(r)
    if rep % 10 == 9:
        json.dump({"setting": I, "rows": rows}, open(out, "w"))
json.dump({"setting": I, "rows": rows}, open(out, "w"))
g = lambda k: np.array([r[k] for r in rows])  # noqa: E731
real = g("real")
print(I, len(rows), "real 2.5/50/97.5%", np.quantile(real, [0.025, 0.5, 0.975]).round(3), "sd", real.std().round(3), "mean", real.mean().round(3))
for k in ("teach", "fresh1", "fresh2"):
    v = g(k)
    print(f"  {k:7s} {v[:, :3].mean(0).round(3)} sd {v[:, 3].mean():.3f} mean {v[:, 4].mean():+.3f}; q2.5 over data sets 10/50/90% {np.quantile(v[:, 0], [0.1, 0.5, 0.9]).round(2)}")
