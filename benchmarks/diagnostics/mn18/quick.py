"""mn18 quick coverage of the min-norm bands below n = d (scratch, fine-tuning) at band setting I, stream S,
on the benchmark's samples, for ScalePivot variants given as attr=value pairs."""
import sys, json
import numpy as np
sys.path.insert(0, "benchmarks")
from advisor_band_coverage import SETTINGS, SPECTRA, true_risks
from ftheory.advise.estimators import prepare
from ftheory.advise.synthetic import make_task
from ftheory.advise.aniso_predict import AnisotropicPredictor
from ftheory.advise.aniso_pivot import ScalePivot

idx, reps, stream, tag = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
for kv in sys.argv[5:]:
    k, v = kv.split("=")
    setattr(ScalePivot, k, eval(v))
seed = 500 + idx
d, gamma, theta, sigma, spec = SETTINGS[idx]
n = int(round(gamma * d)); ev = SPECTRA[spec](d)
task = make_task(d, theta, sigma, eigenvalues=ev, seed=seed)
truth = true_risks(task, ev, n - 1, d)
rng = np.random.default_rng(seed + 1 if stream == 0 else [seed + 1, stream])
out = {w: [] for w in ("scratch_min_norm", "finetune_min_norm")}
for rep in range(reps):
    X, y = task.sample(n, rng)
    U = task.sample(20 * d, rng)[0]
    prep = prepare(X, y, X @ task.beta_s, U)
    ap = AnisotropicPredictor(prep)
    m = prep.X.shape[0]
    for w in out:
        val, lo, hi = ap.bands(w, [m])
        out[w].append([float(val[0]), float(lo[0]), float(hi[0])])
res = {}
for w, b in out.items():
    b = np.array(b); R = truth[w]
    res[w] = {"cov": float(np.mean((b[:, 1] <= R) & (R <= b[:, 2]))), "below": int(np.sum(R < b[:, 1])), "above": int(np.sum(R > b[:, 2]))}
print(idx, stream, tag, reps, json.dumps(res))
json.dump({"setting": idx, "stream": stream, "tag": tag, "res": res, "bands": out, "truth": truth},
          open(f"q_{tag}_{idx}_s{stream}.json", "w"))
