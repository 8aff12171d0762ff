"""Coverage with below / above miss counts per stream and pooled: benchmark JSON outputs (advisor_coverage.py)
against the docs rows of the same (index, stream) (docs/advisor_coverage_current.json).

    python benchmarks/diagnostics/sig19/compare.py docs/advisor_coverage_current.json NEW.json ...
"""
import json
import sys

docs = {(r["index"], r["stream"]): r for r in json.load(open(sys.argv[1]))}
new = [r for f in sys.argv[2:] for r in json.load(open(f)) if not r.get("partial")]


def counts(r, k):
    n = r["reps"]
    miss = round((1 - r["coverage"][k]) * n)
    above = round(r["coverage"]["above_" + k] * n)
    return n - miss, miss - above, above, n


for k in ("signal", "noise_variance"):
    for i in sorted({r["index"] for r in new}):
        rows = [r for r in new if r["index"] == i]
        tot = {"new": [0, 0, 0, 0], "docs": [0, 0, 0, 0]}
        parts = []
        for r in sorted(rows, key=lambda r: r["stream"]):
            s = r["stream"]
            cn = counts(r, k)
            tot["new"] = [a + b for a, b in zip(tot["new"], cn)]
            txt = f"s{s}: {cn[0] / cn[3]:.3f} ({cn[1]}/{cn[2]})"
            if (i, s) in docs:
                cd = counts(docs[(i, s)], k)
                tot["docs"] = [a + b for a, b in zip(tot["docs"], cd)]
                txt += f" [docs {cd[0] / cd[3]:.3f} ({cd[1]}/{cd[2]})]"
            parts.append(txt)
        pooled = " ".join(f"{w}: {t[0] / t[3]:.3f} ({t[1]}/{t[2]}, {t[3]})" for w, t in tot.items() if t[3])
        print(f"index {i} {k}: " + "; ".join(parts) + f" | pooled {pooled}")
