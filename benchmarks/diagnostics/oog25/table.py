"""oog25: markdown table of sweep.py's runs: coverage (below/above) per column, all data sets and split by the
clipped noise estimate.

    python benchmarks/diagnostics/oog25/table.py A.json B.json ...
"""
import json
import sys

COLS = ("scratch_min_norm", "scratch_ridge", "linear_transfer", "finetune_min_norm", "finetune_ridge",
        "T_linear_transfer", "T_finetune")


def cell(c):
    return f"{c[0]:.3f} ({c[1]}/{c[2]})"


def main(paths):
    print("| setting (d, gamma, theta, sigma, spectrum) | f | reps | " + " | ".join(COLS) + " |")
    print("|---" * (len(COLS) + 3) + "|")
    for p in paths:
        r = json.load(open(p))
        tp = r["true_p"]
        s = r["summary"]
        print(f"| {tuple(r['setting'])} | {tp[1] / (tp[0] + tp[1]):.3f} | {r['reps']} | "
              + " | ".join(cell(s["all"][k]) for k in COLS) + " |")
    print()
    print("| setting | subset | count | scratch_min_norm | T_linear_transfer | T_finetune |")
    print("|---|---|---|---|---|---|")
    for p in paths:
        r = json.load(open(p))
        for sub in ("clipped", "unclipped"):
            s = r["summary"][sub]
            print(f"| {tuple(r['setting'])} | {sub} | {s['count']} | "
                  + " | ".join(cell(s[k]) if k in s else "-" for k in ("scratch_min_norm", "T_linear_transfer", "T_finetune")) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
