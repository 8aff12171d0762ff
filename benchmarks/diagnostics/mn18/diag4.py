"""mn18: scratch min-norm at band setting I: the fitted profile exponent a (ScalePivot.a['scratch']) per
replication and the width of ScalePivot's law at the TRUE (L, sigma^2) with that profile, against the
real ratio's PIT; the true teacher's own exponent (fit_exponent on its per-direction energies)."""
import sys
import numpy as np
sys.path.insert(0, "benchmarks")
from advisor_band_coverage import SETTINGS, SPECTRA, true_risks
from ftheory.advise.estimators import prepare
from ftheory.advise.synthetic import make_task
from ftheory.advise.aniso_predict import AnisotropicPredictor
from ftheory.advise.aniso_pivot import ScalePivot, fit_exponent
from ftheory.advise.aniso_pool import pool_sd

idx, reps = int(sys.argv[1]), int(sys.argv[2])
seed = 500 + idx
d, gamma, theta, sigma, spec = SETTINGS[idx]
n = int(round(gamma * d)); ev = SPECTRA[spec](d)
task = make_task(d, theta, sigma, eigenvalues=ev, seed=seed)
truth = true_risks(task, ev, n - 1, d)
tr = task.truth()
rng = np.random.default_rng(seed + 1)
CAP = {}
orig = ScalePivot._prepivot
def cap(self, world, grid, i0, tot, alpha):
    CAP["ctx"] = (world, grid, i0, tot)
    return orig(self, world, grid, i0, tot, alpha)
ScalePivot._prepivot = cap
R = truth["scratch_min_norm"]
rows = []
for rep in range(reps):
    X, y = task.sample(n, rng)
    U = task.sample(20 * d, rng)[0]
    prep = prepare(X, y, X @ task.beta_s, U)
    ap = AnisotropicPredictor(prep)
    m = prep.X.shape[0]; ns = np.array([m])
    W, V = ap._weights(ns, np.array([0.0]))
    v = float(ap.linear_risks("scratch", ns, [0.0])[0][0, 0])
    ex = pool_sd(ap, "scratch", ns, np.array([0.0]), seed=ap.seed, paired=True)[:, None]
    pv = ap.pivot()
    b = ap._Q.T @ task.beta_t
    a_true = fit_exponent(ap.ev, ap.ev * b ** 2)
    pv.base = lambda w: (tr["signal"], sigma ** 2, 0.0)
    pv.bands("scratch", W, V, np.array([[v]]), np.array([0]), False, extra_sd=ex)
    world, grid, i0, tot = CAP["ctx"]
    st = world(grid[i0])[0][:, 0]
    rows.append([pv.a["scratch"], a_true, float(st.std()), float(np.quantile(st, 0.975)), float(np.mean(st < v / R)), v / R])
r = np.array(rows)
print(f"setting {idx}: reps {reps}; true teacher's exponent {r[0,1]:.2f}; fitted a: quartiles {np.quantile(r[:,0],[.1,.25,.5,.75,.9]).round(2)}")
for lo, hi in ((0, 0.75), (0.75, 1.25), (1.25, 2.0), (2.0, 3.01)):
    s = (r[:, 0] >= lo) & (r[:, 0] < hi)
    if s.any():
        print(f"  a in [{lo},{hi}): {s.sum()} reps, world sd med {np.median(r[s,2]):.3f}, q97.5 med {np.median(r[s,3]):.3f}; real v/R sd {r[s,5].std():.3f}; PIT>97.5 {np.mean(r[s,4]>0.975):.3f} <2.5 {np.mean(r[s,4]<0.025):.3f}")
print("corr(a, world sd)", np.corrcoef(r[:, 0], r[:, 2])[0, 1].round(3))
