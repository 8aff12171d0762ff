"""clip21: the band benchmark's rows of this branch against docs/advisor_band_coverage.json (same setting and
stream): every column's coverage (misses below / above), the columns that differ marked, and T_lt pooled.

    python benchmarks/diagnostics/clip21/table.py RESULTS_DIR
"""
import glob
import json
import os
import sys

DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "docs", "advisor_band_coverage.json")


def counts(r, k):
    n = r["counted"][k]
    return round(r["truth_below_band"][k] * n), round(r["truth_above_band"][k] * n), n


def main():
    docs = {(tuple(r["setting"]), r["stream"]): r for r in json.load(open(DOCS))}
    pooled = {}
    for path in sorted(glob.glob(os.path.join(sys.argv[1], "band_*_s*.json"))):
        for r in json.load(open(path)):
            key = (tuple(r["setting"]), r["stream"])
            base = docs.get(key)
            print(f"{os.path.basename(path)}: setting {list(key[0])}, stream {key[1]}")
            for k in r["coverage"]:
                b, a, n = counts(r, k)
                line = f"  {k:18s} {1 - (a + b) / n:.3f} ({b:2d} / {a:2d})"
                if base is not None:
                    b0, a0, n0 = counts(base, k)
                    line += f"   docs {1 - (a0 + b0) / n0:.3f} ({b0:2d} / {a0:2d})" + ("" if (b, a) == (b0, a0) else "   MOVED")
                print(line)
            b, a, n = counts(r, "T_linear_transfer")
            s = pooled.setdefault((key[0], key[1] < 2), [0, 0, 0, 0, 0, 0])
            s[0] += b; s[1] += a; s[2] += n
            if base is not None:
                b0, a0, n0 = counts(base, "T_linear_transfer")
                s[3] += b0; s[4] += a0; s[5] += n0
    for (setting, s01), s in sorted(pooled.items()):
        tag = "streams 0 + 1" if s01 else "stream 2"
        line = f"T_lt {list(setting)} {tag}: {1 - (s[0] + s[1]) / s[2]:.3f} ({s[0]} / {s[1]}) of {s[2]}"
        if s[5]:
            line += f"; docs {1 - (s[3] + s[4]) / s[5]:.3f} ({s[3]} / {s[4]}) of {s[5]}"
        print(line)


if __name__ == "__main__":
    main()
