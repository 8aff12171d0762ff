"""cor20: main's bands on the fresh stream 2 (records of diag.py): coverage of the recorded columns and T_lt, split
by the clipped noise estimate.  python stream2.py diag_8_s2.pkl diag_10_s2.pkl diag_12_s2.pkl"""
import pickle
import sys

import numpy as np

for path in sys.argv[1:]:
    d = pickle.load(open(path, "rb"))
    rows, tr = d["rows"], d["truth"]
    cells = []
    for k in ("scratch_min_norm", "scratch_ridge", "linear_transfer", "finetune_min_norm", "finetune_ridge", "T_lt"):
        B = np.array([r["T_lt"] if k == "T_lt" else r["bands"][k] for r in rows])
        t = tr["T_linear_transfer" if k == "T_lt" else k]
        cells.append(f"{k} {1 - np.mean((t < B[:, 1]) | (t > B[:, 2])):.3f} ({np.sum(t < B[:, 1])} / {np.sum(t > B[:, 2])})")
    print(f"setting {d['index']} stream {d['stream']} ({len(rows)}): " + "; ".join(cells))
    z = np.array([r["p"][1] for r in rows]) <= 1e-9
    rho = np.array([r["rho_lt"] for r in rows])
    T = np.array([r["T_lt"] for r in rows])
    t = tr["T_linear_transfer"]
    for name, m in (("noise clipped", z), ("noise > 0", ~z)):
        if m.any():
            print(f"  {name}: {m.sum()} data sets, rho_lt < 0 in {np.mean(rho[m] < 0):.3f}; T_lt "
                  f"{np.mean((t >= T[m, 1]) & (t <= T[m, 2])):.3f} ({np.sum(t < T[m, 1])} / {np.sum(t > T[m, 2])})")
    for name, m in (("noise clipped", z), ("noise > 0", ~z)):
        out = []
        for k in ("scratch_ridge", "linear_transfer"):
            B = np.array([r["bands"][k] for r in rows])[m]
            t = tr[k]
            out.append(f"{k} {np.mean((t >= B[:, 1]) & (t <= B[:, 2])):.3f} ({np.sum(t < B[:, 1])} / {np.sum(t > B[:, 2])})")
        print(f"  components where {name}: " + "; ".join(out) + f"; rho_lt median {np.median(rho[m]):.3f}")
