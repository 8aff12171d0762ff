"""orth30: coverage (misses below / above) and median width of the noise variance's 95% interval, in use against the
rotated data's (screen.py records), per setting, with the estimate's spread (standard deviation of the unbiased
estimate p[1]) and the share of the target signal left after rotation (sin^2 theta).

    python benchmarks/diagnostics/orth30/ana.py REC.json [REC.json ...]
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import advisor_band_coverage as b  # noqa: E402


def main():
    print("| setting | d, γ, θ, σ, spectrum | N | sin²θ | in use: coverage (below / above), median width, sd | "
          "rotated: coverage (below / above), median width, sd |")
    print("|---|---|---|---|---|---|")
    tot = {k: np.zeros(3, int) for k in ("in_use", "orth")}
    for f in sys.argv[1:]:
        r = json.load(open(f))
        s2, cos = r["truth"]["noise_variance"], r["truth"]["overlap"]
        cells = []
        for k in ("in_use", "orth"):
            a = np.array([x[k] for x in r["reps"]])          # p1, value, low, high
            lo, hi = int(np.sum(s2 < a[:, 2])), int(np.sum(s2 > a[:, 3]))
            tot[k] += [lo, hi, len(a)]
            cells.append(f"{1 - (lo + hi) / len(a):.3f} ({lo} / {hi}), {np.median(a[:, 3] - a[:, 2]):.3g}, "
                         f"{np.std(a[:, 0]):.3g}")
        st = ", ".join(str(v) for v in r["setting"][:4]) + f", {r['setting'][4] or 'identity'}"
        print(f"| {b.set_label(r['set'], r['index'])} | {st} | {len(r['reps'])} | {1 - cos * cos:.2f} | "
              + " | ".join(cells) + " |")
    for k, (lo, hi, n) in tot.items():
        print(f"pooled {k}: {1 - (lo + hi) / n:.4f} ({lo} / {hi} of {n})")


if __name__ == "__main__":
    main()
