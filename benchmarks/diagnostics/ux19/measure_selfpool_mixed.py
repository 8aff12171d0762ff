"""Is a pool that contains the labelled rows wrong enough to refuse from 3 d rows on? (ux19, item c)

d = 20, features AR(rho) for rho in 0.8, 0.5, 0 (Sigma_ij = rho^|i-j|); 10 seeds per cell. Tuned scratch risk at the
user's n predicted by ``ftheory.advise`` against the exact truth (``ftheory.aniso.scratch_risk`` at n - 1 effective
rows, minimised over 200 penalties), for four pools:

* ``self``: the labelled X itself (N = n = k d, k = 3, 5, 10, 20);
* ``indep``: an independent pool of the same size;
* ``mixed``: X stacked on M = 10 d independent rows (the user who passes "all my inputs"), n = k d;
* ``other``: those M = 10 d independent rows alone.

Usage: ``python measure_selfpool_mixed.py OUT.json [rho ...]``; environment ``KS=10,20`` (the k list) and
``SEED0=7000`` (the seeds' base: seed = SEED0 + 100 k + s)."""
import os
import json
import sys
import warnings

import numpy as np

import ftheory
from ftheory import aniso

warnings.simplefilter("ignore")
d, M = 20, 200
lams = np.logspace(-4, 3, 200)
rhos = [float(r) for r in sys.argv[2:]] or [0.8, 0.5, 0.0]
out = []
for rho in rhos:
    S = rho ** np.abs(np.subtract.outer(np.arange(d), np.arange(d)))
    L = np.linalg.cholesky(S)
    ev, V = np.linalg.eigh(S)
    for k in [int(v) for v in os.environ.get("KS", "3,5,10,20").split(",")]:
        n = k * d
        for s in range(10):
            g = np.random.default_rng(int(os.environ.get("SEED0", 7000)) + 100 * k + s)
            bt = g.standard_normal(d) / np.sqrt(d)
            bs = bt + 0.3 * g.standard_normal(d) / np.sqrt(d)
            truth = min(aniso.scratch_risk(ev, V.T @ bt, np.array([n - 1]), 0.5, lam=lam)[0] for lam in lams)
            X = g.standard_normal((n, d)) @ L.T
            y = X @ bt + 0.5 * g.standard_normal(n)
            U = g.standard_normal((n, d)) @ L.T
            W = g.standard_normal((M, d)) @ L.T
            row = dict(rho=rho, k=k, seed=s, truth=truth)
            pools = [("self", X), ("indep", U), ("mixed", np.vstack([X, W])), ("other", W)]
            for name, pool in pools:
                try:
                    r = ftheory.advise(X, y, source_weights=bs, unlabeled=pool, grid_size=0)
                    p = r.predictions["scratch_ridge"]
                    row[name] = [p.value, p.low, p.high, r.recommendation]
                except ValueError as e:
                    row[name] = "VE: " + str(e)[:80]
            out.append(row)
            print(row, flush=True)
            json.dump(out, open(sys.argv[1], "w"), indent=0)
