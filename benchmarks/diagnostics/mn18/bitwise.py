"""mn18: the final aniso_pivot.py against the measured one (runA) and main's (old): report bands on the first
replications of band settings 8, 10, 12 (the benchmark's samples), loaded module by module."""
import sys, importlib.util
import numpy as np
sys.path.insert(0, "benchmarks")
from advisor_band_coverage import SETTINGS, SPECTRA
from ftheory.advise.estimators import prepare
from ftheory.advise.synthetic import make_task
from ftheory.advise.aniso_predict import AnisotropicPredictor

def load(path):
    spec = importlib.util.spec_from_file_location("ftheory.advise.aniso_pivot", path)
    m = importlib.util.module_from_spec(spec); sys.modules["ftheory.advise.aniso_pivot"] = m
    spec.loader.exec_module(m)
    return m

paths = sys.argv[1:]
procs = ("scratch_min_norm", "scratch_ridge", "finetune_min_norm", "finetune_ridge")
res = {p: [] for p in paths}
for idx in (8, 10, 12):
    d, gamma, theta, sigma, spec = SETTINGS[idx]
    n = int(round(gamma * d)); ev = SPECTRA[spec](d)
    task = make_task(d, theta, sigma, eigenvalues=ev, seed=500 + idx)
    rng = np.random.default_rng(500 + idx + 1)
    for rep in range(2):
        X, y = task.sample(n, rng); U = task.sample(20 * d, rng)[0]
        prep = prepare(X, y, X @ task.beta_s, U)
        for p in paths:
            load(p)
            ap = AnisotropicPredictor(prep)
            m = ap.n
            res[p].append(np.concatenate([np.concatenate(ap.bands(q, [m - 5, m])) for q in procs]))
a = np.array(res[paths[0]])
for p in paths[1:]:
    b = np.array(res[p])
    print(p, "bitwise equal to", paths[0], ":", np.array_equal(a, b), "; max abs diff", np.nanmax(np.abs(a - b)))
    per = (a != b).reshape(6, 4, -1).any(-1).any(0)
    print("   procs differing:", [q for q, x in zip(procs, per) if x])
