"""Coverage (below/above) and median width of every band in screen.py's JSON: python ana_screen.py FILE..."""
import sys, json, numpy as np
for fn in sys.argv[1:]:
    j = json.load(open(fn)); rows = j["rows"]; T = j["T"]
    keys = [k for k in rows[0] if isinstance(rows[0][k], list)]
    print(f"{fn}: setting {j['setting']} stream {j.get('stream', 0)}, {len(rows)} reps, true f {j['fT']:.3f}")
    for k in keys:
        b = np.array([r[k] for r in rows]); lo, hi = int(np.sum(T < b[:, 0])), int(np.sum(T > b[:, 1]))
        print(f"  {k:12s} {1 - (lo + hi) / len(rows):.3f} ({lo}/{hi}) width {np.median(b[:, 1] - b[:, 0]):.2f}")
    for k in ("old_f", "pool_f", "even_f"):
        if k in rows[0]:
            f = np.array([r[k] for r in rows]); print(f"  {k}: f 10/50/90% {np.quantile(f, [0.1, 0.5, 0.9]).round(3)}")
    f0 = np.array([r["f0"] for r in rows]); print(f"  f_hat 10/50/90% {np.quantile(f0, [0.1, 0.5, 0.9]).round(3)}")
    for k in ("cpu_init", "cpu_old", "cpu_pool", "cpu_even"):
        if k in rows[0]:
            print(f"  {k} median {np.median([r[k] for r in rows]):.3f} s")
