"""Is the worlds' remaining location gap the design covariance's spectrum? True teachers and noise in PoolLaw worlds
whose design covariance is (a) Sigma_hat, (b) Sigma_hat's eigenvectors with the TRUE spectrum (sorted alike),
(c) the true Sigma; raw T_hat - T and the pivot z. Same samples as pivotlaw.py. python spectrum.py I REPS OUT.json"""
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
lam_true = np.sort(np.linalg.eigvalsh(task.Sigma))
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
    a = cap["aniso"]; n_at = cap["n_at"]
    raw = transf["linear_transfer"].value - truth["T_linear_transfer"]
    r = {"real": raw, "real_z": raw / float(a.S_raw[0, 0])}
    Nn = prep.n_unlabeled
    Qh = a._Q
    designs = {"hat": None, "hatvec_truespec": (Qh * lam_true) @ Qh.T, "true": task.Sigma}
    for name, S in designs.items():
        if S is None:
            aw = a
        else:
            pw = dataclasses.replace(prep, Sigma=S.copy(), Sigma_inv=(Nn - d - 1) / Nn * np.linalg.inv(S))
            aw = AnisotropicPredictor(pw, pivot_draws=a.pivot_draws, seed=a.seed)
        Q = aw._Q
        L = PoolLaw(aw, n_at, teachers=(Q.T @ (task.beta_t - task.beta_s), Q.T @ task.beta_s))
        r[name] = q(fixed_world(L, sigma ** 2))
        r[name + "_z"] = q(fixed_world(L, sigma ** 2, pivot=True))
    rows.append(r)
    if rep % 10 == 9:
        json.dump({"setting": I, "rows": rows}, open(out, "w"))
json.dump({"setting": I, "rows": rows}, open(out, "w"))
g = lambda k: np.array([r[k] for r in rows])  # noqa: E731
for real_k, sfx in (("real", ""), ("real_z", "_z")):
    real = g(real_k)
    print(I, len(rows), real_k, "2.5/50/97.5%", np.quantile(real, [0.025, 0.5, 0.975]).round(3), "sd", real.std().round(3), "mean", real.mean().round(3))
    for k in ("hat", "hatvec_truespec", "true"):
        v = g(k + sfx)
        print(f"  {k + sfx:18s} {v[:, :3].mean(0).round(3)} sd {v[:, 3].mean():.3f} mean {v[:, 4].mean():+.3f} below {np.mean(real < v[:, 0]):.3f} above {np.mean(real > v[:, 2]):.3f}")
