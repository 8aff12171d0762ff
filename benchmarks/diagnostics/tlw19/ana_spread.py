"""Summarise spread.py's JSON: python ana_spread.py FILE..."""
import sys, json, numpy as np
for fn in sys.argv[1:]:
    j = json.load(open(fn)); rows = j["rows"]
    g = lambda k: np.array([r[k] for r in rows])  # noqa: E731
    real = g("real")
    print(f"setting {j['setting']} ({len(rows)} data sets): real T_hat - T 2.5/50/97.5% {np.quantile(real, [0.025, 0.5, 0.975]).round(3)} "
          f"sd {real.std():.3f} mean {real.mean():+.3f} (se {real.std() / np.sqrt(len(real)):.3f}); PoolLaw init {j.get('pool_init_cpu', 0):.2f} s")
    for k in ("old_truth", "pool_truth", "old_ftrue", "pool_ftrue", "old_fitted", "pool_fitted"):
        q = g(k)
        print(f"  {k:12s} 2.5/50/97.5% {q[:, :3].mean(0).round(3)} sd {q[:, 3].mean():.3f} mean {q[:, 4].mean():+.3f};"
              f" real inside own 95% {np.mean((real >= q[:, 0]) & (real <= q[:, 2])):.3f} (below {np.mean(real < q[:, 0]):.3f}, above {np.mean(real > q[:, 2]):.3f})")
