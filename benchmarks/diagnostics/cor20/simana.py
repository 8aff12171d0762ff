"""cor20: simband.py's records: the report's T_lt and DifferenceLaw's T_lt band, split by the clipped noise.
python simana.py sim_I_s0.pkl ..."""
import pickle
import sys

import numpy as np

for path in sys.argv[1:]:
    d = pickle.load(open(path, "rb"))
    rows, t = d["rows"], d["truth"]["T_linear_transfer"]
    ok = [r for r in rows if "sim" in r]
    T = np.array([r["T_lt"] for r in ok])
    S = np.array([r["sim"] for r in ok])
    z = np.array([r["noise"] for r in ok]) <= 1e-9
    f = lambda B, m: (f"{np.mean((t >= B[m, 1]) & (t <= B[m, 2])):.3f} ({np.sum(t < B[m, 1])} / {np.sum(t > B[m, 2])}) "  # noqa: E731
                      f"w {np.median(B[m, 2] - B[m, 1]):.3f}")
    H = np.where(z[:, None], S, T)
    allm = np.ones(len(ok), bool)
    print(f"setting {d['index']} stream {d['stream']} ({len(ok)} of {len(rows)}; noise clipped in {z.mean():.3f})")
    for name, m in (("all", allm), ("clipped", z), ("noise > 0", ~z)):
        print(f"  {name}: report {f(T, m)}; DifferenceLaw {f(S, m)}")
    print(f"  DifferenceLaw where clipped, report elsewhere: {f(H, allm)}")
