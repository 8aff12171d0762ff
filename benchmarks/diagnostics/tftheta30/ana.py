"""tftheta30: coverage of T_ft's band below n = d under probe.py's four worlds, per setting (misses below / above of
N) and pooled by the angle between the teachers; and, for the fitted world, the misses by the sign of the world's
distance error (its distance at the fitted fraction, floored as ``DifferenceLaw`` floors it, against the truth's).
First the check that the fitted world's band is the report's (probe.py's record of it): the data sets where they
differ are counted.

    python benchmarks/diagnostics/tftheta30/ana.py OUT.json [OUT.json ...]
"""
import json
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import advisor_band_coverage as b  # noqa: E402

WORLDS = ("fitted", "true_f", "true_D", "true")


def band(x, k):
    """The report's band from world ``k``'s pivot quantiles (widened to contain the value, as ``bands`` does)."""
    lo, hi = x["q"][k]
    v, Sy = x["T_hat"], x["Sy"]
    return min(v - hi * Sy, v), max(v - lo * Sy, v)


def cell(c):
    lo, hi, n = c
    return f"{1 - (lo + hi) / n:.3f} ({lo} / {hi})"


def main():
    groups = defaultdict(lambda: {k: [0, 0, 0] for k in WORLDS})
    by_err = defaultdict(lambda: [0, 0, 0])
    differ = total = 0
    for f in sys.argv[1:]:
        for x in json.load(open(f))["reps"]:
            differ += list(band(x, "fitted")) != list(x["band"])
            total += 1
    print(f"fitted band against the report's: {differ} of {total} data sets differ\n")
    print("| setting | θ | N | " + " | ".join(WORLDS) + " | world distance / true (median) |")
    print("|---|---|---|" + "---|" * (len(WORLDS) + 1))
    for f in sys.argv[1:]:
        r = json.load(open(f))
        T, th, D = r["truth"]["T_finetune"], r["setting"][2], r["truth"]["D"]
        per = {k: [0, 0, 0] for k in WORLDS}
        for x in r["reps"]:
            for k in WORLDS:
                lo, hi = band(x, k)
                per[k][0] += T < lo
                per[k][1] += T > hi
                per[k][2] += 1
            lo, hi = band(x, "fitted")
            e = by_err["world distance above the truth" if x["D_w"] > D else "world distance below the truth"]
            e[0] += T < lo
            e[1] += T > hi
            e[2] += 1
        g = "θ < 0.5" if th < 0.5 else ("θ 0.5-0.9" if th < 0.9 else "θ ≥ 0.9")
        for k in WORLDS:
            groups[g][k] = [a + c for a, c in zip(groups[g][k], per[k])]
        ratio = sorted(x["D_w"] / D for x in r["reps"])[len(r["reps"]) // 2]
        print(f"| {b.set_label(r['set'], r['index'])} | {th} | {len(r['reps'])} | "
              + " | ".join(cell(per[k]) for k in WORLDS) + f" | {ratio:.2f} |")
    print("\npooled by angle:\n")
    for g in sorted(groups):
        print(f"| {g} | " + " | ".join(cell(groups[g][k]) for k in WORLDS) + " |")
    every = {k: [sum(groups[g][k][i] for g in groups) for i in range(3)] for k in WORLDS}
    print("| all | " + " | ".join(cell(every[k]) for k in WORLDS) + " |")
    print("\nfitted world, by the world distance's error:\n")
    for k, c in sorted(by_err.items()):
        print(f"| {k} | {cell(c)} of {c[2]} |")


if __name__ == "__main__":
    main()
