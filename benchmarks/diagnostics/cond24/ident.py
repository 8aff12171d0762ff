"""cond24: how well the data's noise fraction f0 places the world, for the data sets of a band setting whose f0 is
below 0.15: per grid world the share of its draws with f_hat within 0.03 of f0 (the likelihood, up to a constant),
its marginal 97.5% point of t = min R_hat*/min R* and the 97.5% point given f_hat near f0 (256 nearest draws), for
the tuned band's fitted profile; the real t = v / R. Runs at commit b2531fe (cond24's screening switch
ScalePivot.tuned_rule and its keep_draws hook, removed afterwards).

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/cond24/ident.py INDEX STREAM REPS COLUMN
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from advisor_band_coverage import SETTINGS, SPECTRA, advisor_seed, true_risks  # noqa: E402
from ftheory.advise.aniso_pivot import ScalePivot, cond_quantile  # noqa: E402
from ftheory.advise.aniso_predict import AnisotropicPredictor  # noqa: E402
from ftheory.advise.estimators import estimate_parameters, prepare  # noqa: E402
from ftheory.advise.synthetic import make_task  # noqa: E402


def main():
    index, stream, reps, col = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    d, gamma, theta, sigma, spec = SETTINGS[index]
    n = int(round(gamma * d))
    seed = 500 + index
    ev = SPECTRA[spec](d)
    task = make_task(d, theta, sigma, eigenvalues=ev, seed=seed)
    truth = true_risks(task, ev, n - 1, d)[col]
    rng = np.random.default_rng(seed + 1 if stream == 0 else [seed + 1, stream])
    np.set_printoptions(precision=2, suppress=True, linewidth=220)
    ScalePivot.keep_draws = True
    lik, mq, cq, kept = [], [], [], 0
    for rep in range(reps):
        X, y = task.sample(n, rng)
        U = task.sample(20 * d, rng)[0]
        prep = prepare(X, y, X @ task.beta_s, U)
        pe = estimate_parameters(prep, seed=advisor_seed(seed, stream, rep))
        a = AnisotropicPredictor(prep, seed=pe.seed)
        v, lo, hi = (float(x[0]) for x in a.bands(col, np.array([prep.X.shape[0]])))
        D = a.pivot().kept_draws
        f0 = a.pivot().last["f0"]
        if f0 >= 0.15:
            continue
        g = D["grid"]
        sel = np.isin(g, np.r_[0.02, 0.2, 0.5, 0.8, 0.98]) | (np.arange(g.size) == D["i0"])
        L = np.mean(np.abs(D["fg"] - f0) < 0.03, 0)
        c = cond_quantile(D["stat"], D["fg"], f0, 256, 0.975)[:, 0]
        print(f"rep {rep}: f0 {f0:.3f}, real t {v / truth:.2f}, base 97.5% point {D['qb0'][0]:.2f} (beta "
              f"{D['beta'][0]}), lower end {lo:.3f}, truth {truth:.3f}")
        print("   world f   ", g[sel]); print("   lik       ", L[sel]); print("   marg 97.5%", D["qb"][sel, 0])
        print("   cond 97.5%", c[sel])
        kept += 1
        lik.append(L[[0, -1]]), mq.append(D["qb"][[0, -1], 0]), cq.append(c[[0, -1]])
    lik, mq, cq = np.array(lik), np.array(mq), np.array(cq)
    print(f"{kept} data sets with f0 < 0.15; medians at f = 0.02 / 0.98: likelihood {np.median(lik, 0)}, "
          f"marginal 97.5% point {np.median(mq, 0)}, conditional {np.median(cq, 0)}")


if __name__ == "__main__":
    main()
