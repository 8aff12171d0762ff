"""tftc24: compare band-benchmark rows with the base's (same setting, stream, advisor seeds): every column but
T_finetune must agree count for count; print T_finetune's coverage and misses below / above, per stream and pooled.

    python benchmarks/diagnostics/tftc24/compare.py NEW_DIR BASE_DIR I [I ...]
"""
import json
import os
import sys


def load(path):
    with open(path) as fh:
        return json.load(fh)[0]


def main():
    new, base, idx = sys.argv[1], sys.argv[2], sys.argv[3:]
    for i in idx:
        pooled = {"new": [0, 0, 0], "base": [0, 0, 0]}
        for s in (0, 1, 2):
            f = f"b{i}_s{s}.json"
            if not os.path.exists(os.path.join(new, f)):
                continue
            a, b = load(os.path.join(new, f)), load(os.path.join(base, f))
            assert a["setting"] == b["setting"] and a["reps"] == b["reps"] and a["advisor_seeds"] == b["advisor_seeds"]
            assert a["pivot_draws"] == b["pivot_draws"]
            n = a["reps"]
            diff = [k for k in a["coverage"] if k != "T_finetune" and any(
                round(a[m][k] * n) != round(b[m][k] * n) for m in ("truth_below_band", "truth_above_band", "counted"))]
            row = []
            for name, r in (("new", a), ("base", b)):
                lo, hi = round(r["truth_below_band"]["T_finetune"] * n), round(r["truth_above_band"]["T_finetune"] * n)
                row.append(f"{name} {100 * r['coverage']['T_finetune']:.1f}% ({lo} / {hi})")
                if s < 2:
                    pooled[name][0] += lo
                    pooled[name][1] += hi
                    pooled[name][2] += n
            print(f"setting {i} stream {s}: {'; '.join(row)}; seconds {a['seconds']:.0f} vs {b['seconds']:.0f}; "
                  f"other columns {'AGREE' if not diff else 'DIFFER ' + str(diff)}")
        for name, (lo, hi, n) in pooled.items():
            if n:
                print(f"setting {i} streams 0+1 {name}: {100 * (1 - (lo + hi) / n):.1f}% ({lo} / {hi}) of {n}")


if __name__ == "__main__":
    main()
