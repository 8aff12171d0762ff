"""cor20: T_lt below n = d recombined from the records with other correlations, per stream and pooled.
python table.py RESULTS_DIR (reads diag_{8,10,12}_s0.pkl + _s0b.pkl, diag_*_s1.pkl)."""
import os
import pickle
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ana import conc  # noqa: E402

R = sys.argv[1]
FILES = {0: ("diag_{}_s0.pkl", "diag_{}_s0b.pkl"), 1: ("diag_{}_s1.pkl",)}


def load(i, s):
    rows, tr = [], None
    for f in FILES[s]:
        p = os.path.join(R, f.format(i))
        if os.path.exists(p):
            d = pickle.load(open(p, "rb"))
            rows += d["rows"]
            tr = d["truth"]
    return rows, tr


def rules(rows, tr):
    S = np.array([r["bands"]["scratch_ridge"] for r in rows])
    P = np.array([r["bands"]["linear_transfer"] for r in rows])
    rho = np.array([r["rho_lt"] for r in rows])
    sc = np.array([r.get("sim_corr", np.nan) for r in rows])
    sc = np.where(np.isfinite(sc), sc, rho)
    es, ep = S[:, 0] - tr["scratch_ridge"], P[:, 0] - tr["linear_transfer"]
    return S, P, {"plug-in rho_lt (main)": rho, "simulated (DifferenceLaw, fitted world)": sc,
                  "realised over these replications (oracle constant)": np.corrcoef(es, ep)[0, 1],
                  "max(plug-in, simulated)": np.maximum(rho, sc)}


def main():
    for i in (8, 10, 12):
        per = {}
        for s in (0, 1):
            rows, tr = load(i, s)
            if rows:
                per[s] = (rows, tr)
        if not per:
            continue
        allrows = [r for s in per for r in per[s][0]]
        tr = next(iter(per.values()))[1]
        Tt = tr["T_linear_transfer"]
        print(f"setting {i}: streams {sorted(per)} ({', '.join(str(len(per[s][0])) for s in sorted(per))} replications)")
        names = list(rules(allrows, tr)[2])
        for name in names:
            cells = []
            for s, rs in list(per.items()) + [("pooled", allrows)]:
                rows = rs[0] if s != "pooled" else rs
                S, P, rr = rules(rows, tr)
                lo, hi = conc(S, P, rr[name])
                b, a = int(np.sum(Tt < lo)), int(np.sum(Tt > hi))
                cells.append(f"{s}: {1 - (a + b) / len(rows):.3f} ({b} / {a}) w {np.median(hi - lo):.3f}")
            print(f"  {name}: " + "; ".join(cells))


if __name__ == "__main__":
    main()
