"""cond24: the band benchmark's tuned columns (and T_lt) of candidate runs against the lead's base rows, per stream
and pooled over the streams present (coverage, misses below / above), and whether every other column is equal count
for count.

    python benchmarks/diagnostics/cond24/bench_table.py BASE_DIR CAND_DIR PREFIX
"""
import json
import os
import sys

COLS = ("scratch_ridge", "finetune_ridge", "T_linear_transfer")


def counts(row, k):
    c = row["counted"][k]
    return round(row["truth_below_band"][k] * c), round(row["truth_above_band"][k] * c), c


def fmt(b, a, c):
    return f"{1 - (b + a) / c:.3f} ({b} / {a})"


def main():
    base_dir, cand_dir, prefix = sys.argv[1:4]
    print("| setting, column | " + " | ".join(f"base s{s} | cand. s{s}" for s in (0, 1)) + " | base pooled | cand. pooled |")
    print("|---|" + "---|" * 6)
    for index in (8, 10, 12):
        rows = {}
        for s in (0, 1, 2):
            pc = os.path.join(cand_dir, f"{prefix}b{index}_s{s}.json")
            if os.path.exists(pc):
                rows[s] = (json.load(open(os.path.join(base_dir, f"b{index}_s{s}.json")))[0], json.load(open(pc))[0])
        if not rows:
            continue
        for k in COLS:
            cells, pb, pc_ = [], [0, 0, 0], [0, 0, 0]
            for s in (0, 1):
                if s in rows:
                    x, y = counts(rows[s][0], k), counts(rows[s][1], k)
                    cells += [fmt(*x), fmt(*y)]
                    pb = [u + v for u, v in zip(pb, x)]
                    pc_ = [u + v for u, v in zip(pc_, y)]
                else:
                    cells += ["-", "-"]
            print(f"| {index}, {k} | " + " | ".join(cells) + f" | {fmt(*pb)} | {fmt(*pc_)} |")
        for s, (b, c) in rows.items():
            other = [k for k in b["coverage"] if k not in COLS and counts(b, k) != counts(c, k)]
            print(f"<!-- {index} s{s}: other columns {'equal' if not other else 'MOVED ' + ', '.join(other)}; "
                  f"seconds base {b['seconds']:.0f}, cand {c['seconds']:.0f} -->")


if __name__ == "__main__":
    main()
