"""mn18: the estimated covariance's part of the min-norm estimates' law, paired: the same labeled data with
Sigma_hat from 20 d unlabeled rows (the benchmark's) and from 400 d rows (close to known), setting I."""
import sys
import numpy as np
sys.path.insert(0, "benchmarks")
from advisor_band_coverage import SETTINGS, SPECTRA, true_risks
from ftheory.advise.estimators import prepare
from ftheory.advise.synthetic import make_task
from ftheory.advise.aniso_predict import AnisotropicPredictor
from ftheory.advise.aniso_pool import pool_sd

idx, reps = int(sys.argv[1]), int(sys.argv[2])
seed = 500 + idx
d, gamma, theta, sigma, spec = SETTINGS[idx]
n = int(round(gamma * d)); ev = SPECTRA[spec](d)
task = make_task(d, theta, sigma, eigenvalues=ev, seed=seed)
truth = true_risks(task, ev, n - 1, d)
rng = np.random.default_rng([seed + 1, 78])
out = []
for rep in range(reps):
    X, y = task.sample(n, rng)
    U = task.sample(400 * d, rng)[0]
    row = []
    for w in ("scratch", "finetune"):
        R = truth[f"{w}_min_norm"]
        for N in (20, 400):
            ap = AnisotropicPredictor(prepare(X, y, X @ task.beta_s, U[:N * d]), n_lam=2, pivot_draws=0)
            m = ap.n
            row.append(float(ap.linear_risks(w, np.array([m]), [0.0])[0][0, 0]) / R)
        ap = AnisotropicPredictor(prepare(X, y, X @ task.beta_s, U[:20 * d]), n_lam=2, pivot_draws=0)
        row.append(float(pool_sd(ap, w, np.array([m]), np.array([0.0]), seed=0, paired=True)[0]) / R)
    out.append(row)
o = np.array(out)
for j, w in enumerate(("scratch", "finetune")):
    a, b, ps = o[:, 3 * j], o[:, 3 * j + 1], o[:, 3 * j + 2]
    dlt = a - b
    print(f"setting {idx} {w}: v/R sd with Sigma_hat(20d) {a.std():.3f}, (400d) {b.std():.3f}; var diff {a.var() - b.var():+.4f}; "
          f"difference sd {dlt.std():.3f}, corr(diff, v400) {np.corrcoef(dlt, b)[0,1]:+.3f}; pool_sd/R rms {np.sqrt(np.mean(ps**2)):.3f}; "
          f"q97.5 {np.quantile(a, .975):.3f} vs {np.quantile(b, .975):.3f}")
