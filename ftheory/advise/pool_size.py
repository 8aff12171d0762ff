"""The anisotropic bands' coverage measured against the unlabeled pool's size ``N/d``, and the flag
(:func:`pool_flag`) that :func:`ftheory.advise.prepared.prepare` raises below :data:`FLAG_BELOW` rows per
feature (docs/advisor.md, What is not done: few unlabeled rows).

Measured with ``benchmarks/advisor_band_coverage.py --only I --unlabeled K`` (I = 8, 9, 12, 13: d = 60, n = d/2
and n = 2 d, spectra 1/i and two-level; 150 replications, at K = 20 the 1000 of the pooled table
docs/advisor_band_coverage.json) with the default bias weights at that pool size (the resolvent weights from 3 d
to below 10 d, :func:`ftheory.advise.sigma_debias.resolvent_default`): for each ``K`` the lowest coverage over the
seven band columns and both spectra, with its column and spectrum, at n = d/2 and at n = 2 d (K < 20: every cell
re-measured at main b0deb6f, 5 December 2026, after the band-rule tails of the min-norm prepivot and the noise
disc at 256 directions; n = d/2 again at 1b022cc, after the min-norm worlds' covariance term was scaled along the
ray: 3 d at n = d/2 moved from 92.0% to 90.7%, the rest as before).
"""
from __future__ import annotations

import math

__all__ = ["MEASURED", "FLAG_BELOW", "pool_flag"]

#: N/d -> ((coverage, column, spectrum) at n = d/2, the same at n = 2 d): the worst band column
MEASURED = {
    3: ((0.907, "finetune_min_norm", "1/i"), (0.913, "scratch_min_norm", "two-level")),
    5: ((0.907, "finetune_min_norm", "two-level"), (0.947, "scratch_min_norm", "two-level")),
    10: ((0.933, "finetune_min_norm", "1/i"), (0.933, "scratch_min_norm", "1/i")),
    20: ((0.946, "T_finetune", "1/i"), (0.940, "scratch_min_norm", "1/i")),
}
#: the smallest measured N/d from which every band column covered at least 92% (both sample sizes): the one-sided
#: 5% sampling limit of a 95% band over 150 replications (95 - 1.645 x 1.78 points)
FLAG_BELOW = 10


def pool_flag(rows, d):
    """The flag for an anisotropic report whose covariance comes from ``rows`` unlabeled rows (as passed,
    before centring) and ``d`` features, or None from ``FLAG_BELOW d`` rows on. It quotes the measurement at
    the largest measured ``N/d`` not above the user's (the smallest measured one below it)."""
    ratio = rows / d
    if ratio >= FLAG_BELOW:
        return None
    k = max((k for k in MEASURED if k <= ratio), default=min(MEASURED))
    (c1, col1, sp1), (c2, col2, sp2) = MEASURED[k]
    c20 = min(MEASURED[20][0][0], MEASURED[20][1][0])
    fewer = "" if k <= ratio else " (fewer rows than that: expect worse)"
    shown = math.floor(10 * ratio) / 10                 # 599 rows for d = 60: 9.9, not 10.0
    return (f"only {shown:.1f} unlabeled rows per feature (N = {rows}, d = {d}): the covariance estimated from "
            "so few rows makes the anisotropic risk estimates noisier, and some 95% bands "
            f"cover the truth less often. Measured (d = 60) at N = {k} d{fewer}: the worst band covered "
            f"{c1:.0%} ({col1}, n = d/2, spectrum {sp1}) and {c2:.0%} ({col2}, n = 2 d, spectrum {sp2}), against "
            f"at least {c20:.0%} at N = 20 d. Read the bands as approximate, or pass more "
            f"unlabeled rows, {FLAG_BELOW} d = {FLAG_BELOW * d} or more (docs/advisor.md, What is not done)")
