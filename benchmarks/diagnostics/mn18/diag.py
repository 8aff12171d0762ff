"""mn18 diagnosis: per replication of band settings 8/10/12 (benchmark's task, seeds, stream), the real
ratio v/R (min-norm scratch and fine-tuning) and its rank (PIT) in ScalePivot's simulated law of R_hat/R at
(a) the fitted world (data's base), (b) the true world (true L, sigma^2, r^2; fitted profile), each with
the pool term as is ('pool'), without it ('nopool'), and with it scaled on the ray ('scaled')."""
import sys, json, math
import numpy as np
sys.path.insert(0, "benchmarks")
from advisor_band_coverage import SETTINGS, SPECTRA, true_risks
from ftheory.advise.estimators import prepare
from ftheory.advise.synthetic import make_task
from ftheory.advise.aniso_predict import AnisotropicPredictor
from ftheory.advise.aniso_pivot import ScalePivot
from ftheory.advise.aniso_pool import pool_sd

idx, reps, stream = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
seed = 500 + idx
d, gamma, theta, sigma, spec = SETTINGS[idx]
n = int(round(gamma * d)); ev = SPECTRA[spec](d)
task = make_task(d, theta, sigma, eigenvalues=ev, seed=seed)
truth = true_risks(task, ev, n - 1, d)
tr = task.truth()
rng = np.random.default_rng(seed + 1 if stream == 0 else [seed + 1, stream])
CAP = {}
orig = ScalePivot._prepivot
def cap(self, world, grid, i0, tot, alpha):
    CAP["ctx"] = (world, grid, i0, tot)
    return orig(self, world, grid, i0, tot, alpha)
ScalePivot._prepivot = cap
rows = []
for rep in range(reps):
    X, y = task.sample(n, rng)
    U = task.sample(20 * d, rng)[0]
    prep = prepare(X, y, X @ task.beta_s, U)
    ap = AnisotropicPredictor(prep)
    m = prep.X.shape[0]
    ns = np.array([m])
    pv = ap.pivot()
    rec = {"rep": rep}
    for which in ("scratch", "finetune"):
        R = truth[f"{which}_min_norm"]
        W, V = ap._weights(ns, np.array([0.0]))
        v, _, lo, hi = ap.linear_risks(which, ns, [0.0])
        v = float(v[0, 0])
        ex = pool_sd(ap, which, ns, np.array([0.0]), seed=ap.seed, paired=True)[:, None]
        val, blo, bhi = ap.bands(f"{which}_min_norm", ns)
        r = {"v": v, "R": R, "lo": float(blo[0]), "hi": float(bhi[0]), "ex": float(ex[0, 0]),
             "base": list(pv.base(which)), "levels": [float(pv.levels[0][0]), float(pv.levels[1][0])]}
        world, grid, i0, tot = CAP["ctx"]
        st = world(grid[i0])[0][:, 0]
        r["fit_q"] = np.quantile(st, [0.025, 0.5, 0.975]).tolist()
        r["fit_pit"] = float(np.mean(st < v / R))
        r["fit_sd"] = float(np.std(st))
        # true world
        Lt = tr["signal"] if which == "scratch" else tr["distance"]
        r2t = 0.0 if which == "scratch" else tr["source_signal"]
        keep = pv.base
        for name, exs in (("pool", ex), ("nopool", np.zeros_like(ex))):
            pv.base = lambda w, _L=Lt, _r=r2t: (_L, sigma ** 2, _r)
            pv.bands(which, W, V, np.array([[v]]), np.array([0]), False, extra_sd=exs)
            world2, grid2, i02, tot2 = CAP["ctx"]
            st2 = world2(grid2[i02])[0][:, 0]
            r[f"true_{name}_q"] = np.quantile(st2, [0.025, 0.5, 0.975]).tolist()
            r[f"true_{name}_pit"] = float(np.mean(st2 < v / R))
            r[f"true_{name}_sd"] = float(np.std(st2))
            pv.base = keep
        if which == "scratch":
            pass
        rec[which] = r
    rows.append(rec)
    if rep % 25 == 0:
        print(rep, file=sys.stderr, flush=True)
json.dump({"setting": idx, "stream": stream, "truth": truth, "rows": rows}, open(f"d{idx}_s{stream}.json", "w"))
