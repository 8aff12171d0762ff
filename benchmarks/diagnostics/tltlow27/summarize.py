"""tltlow27: per record of paths.py, the unclipped data sets' T_lt errors: the bias of T_hat, of the two risk
estimates behind it, their real correlation against the plug-in one the concordant combination uses, and the
coverage of the concordant band, of ``combine``'s and of the concordant band re-centred by the median error.

    python benchmarks/diagnostics/tltlow27/summarize.py RECORD.json...
"""
import json
import sys

import numpy as np

for path in sys.argv[1:]:
    D = json.load(open(path))
    rows = [r for r in D["rows"] if not r["clipped"]]
    t = rows[0]["truth"]
    s_true, p_true = rows[0]["scratch"][1], rows[0]["probe"][1]
    v = np.array([r["value"] for r in rows])
    lo, hi = np.array([r["low"] for r in rows]), np.array([r["high"] for r in rows])
    c = np.array([r["combine"] for r in rows])
    es = np.array([r["scratch"][0] for r in rows]) - s_true
    ep = np.array([r["probe"][0] for r in rows]) - p_true
    rho = np.array([r["rho_lt"][0] if isinstance(r["rho_lt"], list) else r["rho_lt"] for r in rows])
    rho_hat = np.array([r["p_hat"][2] for r in rows])
    miss = t < lo
    shift = np.median(v - t)
    print(f"{D['setting']} (n = {round(D['setting'][0] * D['setting'][1])}): T {t:.3f}, R_s {s_true:.3f}, "
          f"R_p {p_true:.3f}; {len(rows)} unclipped of {len(D['rows'])}")
    print(f"  errors, median: T_hat {shift:+.3f}, scratch {np.median(es):+.3f}, probe {np.median(ep):+.3f}; "
          f"sd of T_hat {np.std(v - t):.3f}; real corr of the two risk errors {np.corrcoef(es, ep)[0, 1]:.2f}, "
          f"plug-in median {np.median(rho):.2f}")
    print(f"  concordant: below {np.sum(miss)}, above {np.sum(t > hi)}, median width {np.median(hi - lo):.3f}; "
          f"combine: below {np.sum(t < c[:, 1])}, above {np.sum(t > c[:, 2])}, median width "
          f"{np.median(c[:, 2] - c[:, 1]):.3f}; concordant less the median error: below "
          f"{np.sum(t < lo - shift)}, above {np.sum(t > hi - shift)}")
    print(f"  misses: median probe error {np.median(ep[miss]):+.3f}, scratch {np.median(es[miss]):+.3f}, "
          f"overlap estimate {np.median(rho_hat[miss]):.3f} (all unclipped: {np.median(rho_hat):.3f})")
