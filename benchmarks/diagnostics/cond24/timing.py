"""CPU seconds of the two tuned bands (M = 1, after the pivot's cache) per rule, same data sets."""
import sys, time, numpy as np
sys.path.insert(0, "benchmarks")
from advisor_band_coverage import SETTINGS, SPECTRA, advisor_seed
from ftheory.advise.aniso_pivot import ScalePivot
from ftheory.advise.aniso_predict import AnisotropicPredictor
from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.synthetic import make_task
for index in (8, 10):
    d, gamma, theta, sigma, spec = SETTINGS[index]; n = int(round(gamma * d)); seed = 500 + index
    ev = SPECTRA[spec](d); task = make_task(d, theta, sigma, eigenvalues=ev, seed=seed)
    rng = np.random.default_rng(seed + 1)
    sec = {"set": 0.0, "cu": 0.0}
    for rep in range(int(sys.argv[1])):
        X, y = task.sample(n, rng); U = task.sample(20 * d, rng)[0]
        prep = prepare(X, y, X @ task.beta_s, U); pe = estimate_parameters(prep, seed=advisor_seed(seed, 0, rep))
        a = AnisotropicPredictor(prep, seed=pe.seed); m = np.array([prep.X.shape[0]])
        a.pivot().pairs()
        for r in ("set", "cu", "set", "cu"):
            ScalePivot.tuned_rule = r
            t0 = time.process_time()
            for k in ("scratch_ridge", "finetune_ridge"):
                a.bands(k, m)
            sec[r] += (time.process_time() - t0) / 2
    ScalePivot.tuned_rule = "set"
    print(index, {k: round(v / int(sys.argv[1]), 3) for k, v in sec.items()})
