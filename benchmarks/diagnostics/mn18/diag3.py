"""mn18: scratch min-norm at band setting I: real law of v/R vs ScalePivot's law at the TRUE (L, sigma^2),
with the fitted profile or the true teacher's profile (in Sigma_hat's eigenbasis), pool term from pool_sd
or none; unlabeled rows PF*d (PF=20 is the benchmark's)."""
import sys, json
import numpy as np
sys.path.insert(0, "benchmarks")
from advisor_band_coverage import SETTINGS, SPECTRA, true_risks
from ftheory.advise.estimators import prepare
from ftheory.advise.synthetic import make_task
from ftheory.advise.aniso_predict import AnisotropicPredictor
from ftheory.advise.aniso_pivot import ScalePivot
from ftheory.advise.aniso_pool import pool_sd

idx, reps, PF = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
seed = 500 + idx
d, gamma, theta, sigma, spec = SETTINGS[idx]
n = int(round(gamma * d)); ev = SPECTRA[spec](d)
task = make_task(d, theta, sigma, eigenvalues=ev, seed=seed)
truth = true_risks(task, ev, n - 1, d)
tr = task.truth()
rng = np.random.default_rng([seed + 1, 77])
CAP = {}
orig = ScalePivot._prepivot
def cap(self, world, grid, i0, tot, alpha):
    CAP["ctx"] = (world, grid, i0, tot)
    return orig(self, world, grid, i0, tot, alpha)
ScalePivot._prepivot = cap
out = {k: [] for k in ("real", "fit_pool", "fit_nopool", "truep_pool", "truep_nopool")}
pits = {k: [] for k in out if k != "real"}
R = truth["scratch_min_norm"]
for rep in range(reps):
    X, y = task.sample(n, rng)
    U = task.sample(PF * d, rng)[0]
    prep = prepare(X, y, X @ task.beta_s, U)
    ap = AnisotropicPredictor(prep)
    m = prep.X.shape[0]; ns = np.array([m])
    W, V = ap._weights(ns, np.array([0.0]))
    v = float(ap.linear_risks("scratch", ns, [0.0])[0][0, 0])
    out["real"].append(v / R)
    ex = pool_sd(ap, "scratch", ns, np.array([0.0]), seed=ap.seed, paired=True)[:, None]
    pv = ap.pivot()
    b = ap._Q.T @ task.beta_t
    p_true = ap.ev ** 2 * b ** 2
    p_true = p_true / np.sum(p_true / ap.ev)
    P_fit = pv.P.copy()
    pv.base = lambda w: (tr["signal"], sigma ** 2, 0.0)
    for prof in ("fit", "truep"):
        P = P_fit.copy()
        if prof == "truep":
            P[0] = p_true
        pv.P, pv._pr = P, None
        for pool in ("pool", "nopool"):
            pv.bands("scratch", W, V, np.array([[v]]), np.array([0]), False, extra_sd=ex if pool == "pool" else 0 * ex)
            world, grid, i0, tot = CAP["ctx"]
            st = world(grid[i0])[0][:, 0]
            out[f"{prof}_{pool}"].append(np.quantile(st, [0.025, 0.5, 0.975]).tolist() + [float(st.std())])
            pits[f"{prof}_{pool}"].append(float(np.mean(st < v / R)))
r = np.array(out["real"])
print(f"setting {idx} PF {PF} reps {reps}: real v/R q {np.quantile(r, [0.025, 0.5, 0.975]).round(3)} sd {r.std():.3f}")
for k in pits:
    q = np.median(np.array(out[k]), 0); p = np.array(pits[k])
    print(f"  {k:13s} med q {q[:3].round(3)} med sd {q[3]:.3f} PIT>97.5 {np.mean(p > 0.975):.3f} <2.5 {np.mean(p < 0.025):.3f}")
