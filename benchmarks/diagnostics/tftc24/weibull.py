"""tftc24: conditional_ends at the Weibull plotting position (the order statistic at alpha (k + 1), interpolated:
expected miss alpha per side) against the floor order statistic (at most alpha), on dump.py's worlds.

    python benchmarks/diagnostics/tftc24/weibull.py DUMP.npz [...]
"""
import sys

import numpy as np

import conditional


def weibull(x, alpha):
    s = np.sort(np.asarray(x, float), 0)
    pos = alpha * (s.shape[0] + 1) - 1                      # 0-based
    i = int(np.floor(pos))
    fr = pos - i
    return s[i] * (1 - fr) + s[i + 1] * fr, s[-1 - i] * (1 - fr) + s[-2 - i] * fr


def main():
    for path in sys.argv[1:]:
        z = np.load(path)
        rows, st, fh = z["rows"], z["st"].astype(float), z["fh"].astype(float)
        for name, ends in (("floor", conditional.order_ends), ("weibull", weibull)):
            conditional.order_ends, keep = ends, conditional.order_ends
            b = a = 0
            for r in range(rows.shape[0]):
                lo, hi = conditional.conditional_ends(st[r, -1][:, None], fh[r, -1], rows[r, 5], 0.025, 256)
                t = rows[r, 6]
                b += t > max(hi[0], 0)
                a += t < min(lo[0], 0)
            conditional.order_ends = keep
            print(f"{path.split('/')[-1]} {name}: {b} / {a}, {100 * (1 - (a + b) / rows.shape[0]):.1f}%")


if __name__ == "__main__":
    main()
