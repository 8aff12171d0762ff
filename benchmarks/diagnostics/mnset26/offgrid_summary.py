"""Counts behind the off-grid section of docs/advisor_validation.md: per kind of setting (OFFGRID_DRAWS) the cells
outside 93-97%, the chance count for calibrated cells at the runs' replications (exact binomial at 95%), and per
column the pooled coverage and miss sides.

    PYTHONPATH=. python benchmarks/diagnostics/mnset26/offgrid_summary.py docs/advisor_band_coverage_offgrid.json
    PYTHONPATH=. python benchmarks/diagnostics/mnset26/offgrid_summary.py docs/advisor_band_coverage_heldout.json
"""
import json
import sys

from scipy.stats import binom

sys.path.insert(0, "benchmarks")
import advisor_band_coverage as b  # noqa: E402


def p_out(n):
    """Chance that a cell covering exactly 95% lands outside 93-97% (rounded to 0.1 point) at n replications."""
    ks = range(n + 1)
    inside = [k for k in ks if 0.93 <= round(1 - k / n, 3) <= 0.97]
    return float(binom.cdf(min(inside) - 1, n, 0.05) + binom.sf(max(inside), n, 0.05))


rows = json.load(open(sys.argv[1]))
kinds, start = {}, 0
for kind, k, _ in b.OFFGRID_DRAWS:
    for i in range(start, start + k):
        kinds[tuple(b.OFFGRID[i])] = kind
    start += k
kinds.update({tuple(s): "held out (below n = d)" for s in b.HELDOUT})
for kind in [k for k, _, _ in b.OFFGRID_DRAWS] + ["held out (below n = d)"]:
    rs = [r for r in rows if kinds[tuple(r["setting"])] == kind]
    if not rs:
        continue
    cells = [(r, c) for r in rs for c in b.COLS if r["coverage"].get(c) is not None]
    out = [(r, c) for r, c in cells if not 0.93 <= round(r["coverage"][c], 3) <= 0.97]
    chance = sum(p_out(r["counted"][c]) for r, c in cells)
    print(f"{kind}: {len(rs)} settings, {len(cells)} cells, {len(out)} outside 93-97% "
          f"({sum(r['coverage'][c] < 0.93 for r, c in out)} below, {sum(r['coverage'][c] > 0.97 for r, c in out)} above); "
          f"calibrated cells would put {chance:.1f} outside by chance")
    for c in b.COLS:
        n = sum(r["counted"][c] for r in rs)
        lo = sum(b.miss_counts(r, c)[0] for r in rs)
        hi = sum(b.miss_counts(r, c)[1] for r in rs)
        cov = sorted(round(100 * r["coverage"][c], 1) for r in rs)
        print(f"  {c}: pooled {100 * (1 - (lo + hi) / n):.1f}% ({lo} / {hi} of {n}), range {cov[0]}-{cov[-1]}%")
