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

import numpy as np

__all__ = ["MEASURED", "FLAG_BELOW", "SELF_POOL_FROM", "pool_flag", "shared_rows", "repeated_rows", "pool_overlap",
           "check_self_pool", "check_not_degenerate"]

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
    worst = (f"the worst band covered {c1:.0%} ({col1}, n = d/2, spectrum {sp1}) and {c2:.0%} ({col2}, n = 2 d, "
             f"spectrum {sp2}), against at least {c20:.0%} at N = 20 d")
    shown = math.floor(10 * ratio) / 10                 # 599 rows for d = 60: 9.9, not 10.0
    head = (f"only {shown:.1f} unlabeled rows per feature (N = {rows}, d = {d}): the covariance estimated from "
            "so few rows makes the anisotropic risk estimates noisier, and some 95% bands cover the truth less often. ")
    more = f"pass more unlabeled rows, {FLAG_BELOW} d = {FLAG_BELOW * d} or more (docs/advisor.md, What is not done)"
    if k <= ratio:
        return head + f"Measured (d = 60) at N = {k} d: {worst}. Read the bands as approximate, or {more}"
    return (head + f"This pool is smaller than any measured on synthetic data (the smallest, N = {k} d at d = 60: "
            f"{worst}); expect worse: on real data, wine with d = 12 and 2.3 d rows, the tuned bands held the "
            f"realised risk in 0 of 15 subsamples. Do not rely on the bands; {more}")


def shared_rows(X, U) -> int:
    """How many rows of ``X`` occur (exactly) among the rows of ``U``: a pool that contains the labelled inputs
    is not independent of them, which the anisotropic estimates assume."""
    return _shared(_keys(X), _keys(U))


def pool_overlap(X, U) -> tuple[int, int]:
    """``(shared_rows(X, U), repeated_rows(U, X))``, the second 0 when the first is, with each row's key
    computed once."""
    xk, uk = _keys(X), _keys(U)
    shared = _shared(xk, uk)
    return shared, (_repeated(uk, xk) if shared else 0)


def _shared(xk, uk) -> int:
    """:func:`shared_rows` on row keys (:func:`_keys`)."""
    pool = set(uk)
    return sum(k in pool for k in xk)


def _keys(A):
    """The rows of ``A`` (as float64) as bytes, for exact row matching."""
    return [r.tobytes() for r in np.ascontiguousarray(A, float)]


def _rows(k, centred):
    """``k`` rows as the user counts them, with the effective number after centring."""
    return f"{k} rows ({k - 1} after centring)" if centred else f"{k} rows"


def check_not_degenerate(bands, at, ns, d, rows, noise_low, centred=True, shared=0, units=None, repeats=0):
    """``ValueError`` naming ``unlabeled`` when an anisotropic band's upper end at the user's sample size (index
    ``at`` of ``ns``, effective samples) is NaN, or ``<= 0`` although the noise variance's interval excludes 0 (noise
    makes every risk at a finite n positive). ``rows``: the pool's rows as passed; ``shared``: how many labelled rows
    it contains. With few rows (e.g. ``N <= 2 d``) the Sigma^-1-weighted signal statistics swing negative at some
    penalty; with ``FLAG_BELOW d`` rows or more the pool's covariance does not describe ``X`` (columns in another
    order or units, another population), or, ``units`` given (the columns' scale spread, a phrase), the spread itself
    made them swing negative at the smallest penalties (ux20: sds 1/30 to 30, N = 400 d). ``repeats``: how many rows
    repeat an earlier one (:func:`repeated_rows`); with ``shared`` rows too, those may
    coincide with X's by chance (discrete features), and the message does not blame X's rows (trial21: iris, d = 3)."""
    for proc, b in bands.items():
        hi = np.asarray(b[2], float)[at:at + 1]
        bad = np.isnan(hi) | ((hi <= 0) & (noise_low > 0))
        if not bad.any():
            continue
        m = int(ns[at]) + int(centred)
        what = (f"the {proc} estimate is degenerate (95% band [.., {hi[bad][0]:.3g}] at n = {_rows(m, centred)})")
        if shared and repeats:  # discrete features: the labelled rows found in the pool are no evidence that it holds X
            raise ValueError(
                f"unlabeled: {what} with N = {_rows(rows, centred)}. {shared} of them equal labelled rows of X, but "
                f"{repeats} other rows (of the pool, or of X among themselves) repeat an earlier one too (discrete "
                "features?), so they may coincide by chance; the anisotropic estimates assume continuous, roughly "
                "Gaussian inputs (docs/advisor.md, Model and what is estimated), and with few distinct rows they can "
                "fail so. Pass no pool (isotropic theory, with a flag if the features are correlated)")
        if rows >= FLAG_BELOW * d and shared:  # X's own rows: the pool describes X, but is not independent of it
            raise ValueError(
                f"unlabeled: {what} with N = {rows} rows, {shared} of them labelled rows of X: the anisotropic estimates "
                "assume a pool independent of X, and with X's rows in the pool and strongly correlated features they "
                "can fail so (docs/advisor.md, What is not done). Pass unlabeled rows other than X's"
                + (f" (drop X's rows: {rows - shared} would remain)" if rows > shared else "")
                + ", or no pool (isotropic theory, with a flag if the features are correlated)")
        if rows >= FLAG_BELOW * d:  # enough rows: the units' spread (if wide) or a pool that does not describe X
            why = (f", and {units}: at such a spread the tuned risks' signal statistics can swing negative at the "
                   "smallest penalties. Standardise the columns of X and unlabeled (and multiply source_weights by the "
                   "same sds; ridge then penalises the rescaled coefficients), and check that unlabeled has X's columns "
                   "in the same order and units" if units else
                   ": its covariance does not describe X. Check that unlabeled has X's columns in the same order and "
                   "units (a NumPy array is matched by position)")
            raise ValueError(
                f"unlabeled: {what} although its N = {rows} rows are enough for d = {d} features in our measurements "
                f"(from {FLAG_BELOW} d = {FLAG_BELOW * d} on){why} and comes from the same population as X")
        alone = (f" ({shared} of them the labelled rows: a pool containing X counts like any other pool)"
                 if shared else "")
        raise ValueError(
            f"unlabeled: N = {_rows(rows, centred)}{alone} are too few for the anisotropic predictions with "
            f"d = {d} features: {what}; pass more unlabeled rows (every band covered at least 92% from "
            f"{FLAG_BELOW} d = {FLAG_BELOW * d} on in our measurements; docs/advisor.md, What is not done) or none "
            "(isotropic theory, with a flag if the features are correlated)")


#: a pool containing labelled rows is refused below this many rows per feature (docs/advisor_validation.md, ux19). With
#: the labelled X itself as the pool (d = 20, N = n, 10-20 seeds per cell) the tuned scratch risk's 95% band lay
#: below the truth, with AR(0.8) features, in 8 of 19 seeds at 3 d, 3 of 17 at 5 d, 7 of 18 at 10 d, 0 of 19 at 20 d
#: and 0 of 10 at 50 d; with AR(0.9) in 3 of 9 at 20 d and 0 of 9 at 50 d (independent pools of the same size: 0-2 of
#: 20 in every cell); scratch was recommended wrongly in up to half of the missed cells. At N = 2 d it came out 0.0
#: in 10 of 10 seeds. With AR(0.5) or independent features it agreed with an independent pool from 3 d on, but the
#: data do not tell the cases apart, so every such pool is held to the size measured safe for both correlations.
SELF_POOL_FROM = 50


def repeated_rows(U, X=None) -> int:
    """How many rows repeat an earlier row, as evidence of discrete features (few values per column make rows
    coincide, so a row of X found in such a pool is no evidence that the pool contains X): the rows of ``U`` that are
    not rows of ``X`` (if given), plus X's repeats among its own rows when fewer than half of X's distinct rows are
    in ``U`` (iris at 0.1 cm, n = 30, a 20-row pool: 1-3 chance matches, no repeat in the pool, repeats in X;
    trial21). A repeat of one of X's rows inside ``U`` (X stacked twice, a duplicated record) is no evidence, nor
    X's own repeats when ``U`` holds half of X or more."""
    return _repeated(_keys(U), [] if X is None else _keys(X))


def _repeated(pool, xk) -> int:
    """:func:`repeated_rows` on row keys (:func:`_keys`); ``xk`` empty for no ``X``."""
    own = set(xk)
    rows = [k for k in pool if k not in own]
    out = len(rows) - len(set(rows))
    if own and 2 * len(own & set(pool)) < len(own):
        out += len(xk) - len(own)
    return out


def check_self_pool(shared, rows, n, d, repeats=0):
    """``ValueError`` naming ``unlabeled`` when the pool (``rows`` rows as passed) contains ``shared > 0`` of the
    ``n`` labelled rows and has fewer than ``SELF_POOL_FROM d`` rows, unless rows repeat (``repeats > 0``,
    :func:`repeated_rows`: discrete features, the rows may coincide by chance); else the flag's text for a pool
    containing labelled rows (None when it contains none)."""
    if not shared:
        return None
    which = f"{shared} of the n = {n} labelled rows of X"
    if repeats:
        return (f"the unlabeled pool contains {which}, and {repeats} other rows (of the pool, or of X among "
                "themselves) repeat an earlier one (discrete features?), so they may coincide by chance. If the pool "
                "contains X itself, pass it without X's rows: the anisotropic estimates assume a pool independent of "
                "X, and with X as the pool and correlated "
                f"features they came out far too low below {SELF_POOL_FROM} d rows (docs/advisor.md, What is not done)")
    if rows < SELF_POOL_FROM * d:
        rest = rows - shared
        raise ValueError(
            f"unlabeled: N = {rows} rows with {which} among them: expected a pool without X's rows, or at least "
            f"{SELF_POOL_FROM} d = {SELF_POOL_FROM * d} rows for d = {d} features when it contains them. The "
            "anisotropic estimates assume a pool independent of X; with X itself as the pool and correlated features "
            "(d = 20) the tuned scratch risk's 95% band lay below the truth in 8 of 19 seeds at 3 d and 7 of 18 at "
            "10 d rows with AR(0.8) features, 3 of 9 at 20 d with AR(0.9) (independent pools: 0-2 of 20), and scratch "
            "was recommended wrongly. "
            + (f"Drop X's rows from the pool ({rest} would remain)" if rest else "Pass unlabeled rows other than X's")
            + ", or no pool (isotropic theory, with a flag if the features are correlated)")
    return (f"the unlabeled pool contains {which}: the anisotropic estimates assume a pool independent of X. Accepted "
            f"from {SELF_POOL_FROM} d rows, where with X itself as the pool (d = 20, AR(0.8) and AR(0.9) features, 10 "
            "seeds each) the tuned scratch risk came out at a median 1.01-1.02 of the truth, its band below the truth "
            f"in 0 seeds (below {SELF_POOL_FROM} d: up to 8 of 19). Prefer unlabeled rows other than the "
            "labelled ones (docs/advisor.md, What is not done)")
