"""Tuned scratch risk predicted vs truth when the pool is the labelled X itself vs an independent pool of the
same size, at N = n = 3 d, 5 d, 10 d (d = 20; isotropic and AR(0.8) features; 10 seeds each)."""
import sys, json, numpy as np, ftheory, warnings
from ftheory import aniso
warnings.simplefilter("ignore")
d = 20
lams = np.logspace(-4, 3, 200)
out = []
for feat in ["iso", "ar0.8"]:
    S = np.eye(d) if feat == "iso" else 0.8 ** np.abs(np.subtract.outer(np.arange(d), np.arange(d)))
    L = np.linalg.cholesky(S); ev, V = np.linalg.eigh(S)
    for k in [2, 3, 5, 10]:
        n = k * d
        for s in range(10):
            g = np.random.default_rng(1000 * k + s)
            bt = g.standard_normal(d) / np.sqrt(d); bs = bt + 0.3 * g.standard_normal(d) / np.sqrt(d)
            truth = min(aniso.scratch_risk(ev, V.T @ bt, np.array([n - 1]), 0.5, lam=l)[0] for l in lams)
            X = g.standard_normal((n, d)) @ L.T; y = X @ bt + 0.5 * g.standard_normal(n)
            U = g.standard_normal((n, d)) @ L.T
            row = dict(feat=feat, k=k, seed=s, truth=truth)
            for name, pool in [("self", X), ("indep", U)]:
                try:
                    r = ftheory.advise(X, y, source_weights=bs, unlabeled=pool, grid_size=0)
                    p = r.predictions["scratch_ridge"]
                    row[name] = [p.value, p.low, p.high, r.recommendation]
                except ValueError as e:
                    row[name] = "VE"
            out.append(row); print(row, flush=True)
json.dump(out, open(sys.argv[1], "w"), indent=0)
