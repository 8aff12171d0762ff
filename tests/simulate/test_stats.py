"""ftheory.simulate.stats against values computed independently (statistics module, explicit loops, hand
examples). Tolerances: float64 rounding of sums of a few terms (relative 1e-13)."""
import math
import statistics

import numpy as np
import pytest

from ftheory.simulate.stats import (agreement_where, chi2, finite_mean, first_below, independent_difference,
                                    instance_mean, mean_abs_difference, mean_ratio, mean_sem, median_inf,
                                    paired_gap_stats, pooled_mean_sem, rms, sign_agreement, theory_gap, z_scores,
                                    best_by_mean)

RTOL = 1e-13


def test_mean_sem_is_the_sample_mean_and_standard_error():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(7, 3))
    m, s = mean_sem(a)
    for j in range(3):
        col = a[:, j].tolist()
        assert m[j] == pytest.approx(statistics.fmean(col), rel=RTOL)
        assert s[j] == pytest.approx(statistics.stdev(col) / math.sqrt(7), rel=RTOL)
    m, s = mean_sem(a, axis=1)
    assert m.shape == s.shape == (7,)
    m, s = mean_sem([[2.0, 4.0]])                        # one sample: no standard error
    assert m.tolist() == [2.0, 4.0] and np.isnan(s).all()


def test_independent_difference_adds_errors_in_quadrature():
    assert independent_difference(1.0, 0.3, 0.5, 0.4) == pytest.approx((0.5, 0.5), rel=RTOL)
    d, s = independent_difference(np.array([[1.0], [2.0]]), np.array([[0.1], [0.2]]), np.array([0.5, 1.0, 1.5]),
                                  np.array([0.0, 0.1, 0.2]))
    assert d.shape == s.shape == (2, 3)
    assert d[1, 2] == pytest.approx(0.5, rel=RTOL) and s[1, 2] == pytest.approx(math.hypot(0.2, 0.2), rel=RTOL)


def test_pooled_mean_sem_skips_nans_and_pools_by_row():
    means = [[1.0, 3.0, math.nan], [2.0, 2.0, 5.0]]
    sems = [[0.3, 0.4, math.nan], [0.1, 0.2, 0.2]]
    assert pooled_mean_sem(means[0], sems[0]) == pytest.approx((2.0, 0.25), rel=RTOL)
    m, s = pooled_mean_sem(means, sems, axis=1)
    assert m.tolist() == pytest.approx([2.0, 3.0], rel=RTOL)
    assert s.tolist() == pytest.approx([0.25, math.sqrt(0.01 + 0.04 + 0.04) / 3], rel=RTOL)


def test_rms_and_sign_agreement_on_a_hand_map():
    assert rms([3.0, -4.0, math.nan]) == pytest.approx(math.sqrt(12.5), rel=RTOL)
    T = np.array([[0.5, -0.2], [0.01, math.nan]])
    S = np.array([[0.1, 0.1], [0.1, 0.1]])
    R = np.array([[0.4, 0.2], [-0.02, 0.3]])
    a = sign_agreement(T, S, R)
    # clear of the boundary (|R| > 3 S): (0,0) only; same sign: (0,0) only (NaN compares unequal)
    assert a == {"cells": 4, "cells_clear_of_boundary": 1, "sign_agree_clear": 1, "sign_agree_all": 1,
                 "max_abs_diff": pytest.approx(0.4, rel=RTOL),
                 "rms_diff": pytest.approx(math.sqrt((0.01 + 0.16 + 0.03 ** 2) / 3), rel=RTOL)}
    with pytest.raises(ValueError, match="one shape"):
        sign_agreement(T, S, R[0])


def test_paired_gap_stats_slope_and_chi2():
    pred = [0.1, -0.2, 0.3, None, 0.05]
    sem = [0.01, 0.02, 0.01, 0.01, 0.0]                  # sem 0: excluded; None: excluded
    gap = [2 * p if p is not None else 1.0 for p in pred]
    out = paired_gap_stats(gap, sem, pred, pred_asym=[0.0] * 5)
    assert out["points"] == 3
    chi2 = sum((g / s) ** 2 for g, s in zip([0.2, -0.4, 0.6], [0.01, 0.02, 0.01]))
    assert out["chi2_paper"] == pytest.approx(chi2, rel=RTOL) and out["chi2_gf_asymptotic"] == pytest.approx(chi2)
    assert out["slope"] == pytest.approx(2.0, rel=RTOL)
    sxx = sum(p * p / s ** 2 for p, s in zip([0.1, -0.2, 0.3], [0.01, 0.02, 0.01]))
    assert out["slope_sem"] == pytest.approx(1 / math.sqrt(sxx), rel=RTOL)
    assert paired_gap_stats([1.0], [0.0], [1.0]) == {"points": 0, "chi2_paper": 0.0, "slope": None,
                                                     "slope_sem": None}


def test_instance_and_finite_means_by_explicit_sums():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(5, 3, 4))
    m = instance_mean(a)
    assert m.shape == (3, 4)
    for j in range(3):
        for k in range(4):
            assert m[j, k] == pytest.approx(math.fsum(a[:, j, k]) / 5, rel=RTOL, abs=1e-15)
    assert float(instance_mean([1.0, 2.0, 6.0])) == 3.0
    assert finite_mean([1.0, math.nan, 4.0]) == 2.5
    rows = finite_mean([[1.0, math.nan, 3.0], [math.nan, 5.0, math.nan]], axis=1)
    assert rows.tolist() == [2.0, 5.0]


def test_median_inf_and_first_below_on_hand_examples():
    assert median_inf([5.0, 1.0, 3.0]) == 3.0
    assert median_inf([1.0, math.nan, math.nan]) == math.inf            # two of three never cross
    assert median_inf([1.0, 2.0, math.inf, math.nan]) == math.inf        # even count: mean of inf and inf
    assert median_inf([4.0, 2.0, math.nan, 1.0]) == 3.0                  # sorted 1, 2, 4, inf: (2 + 4) / 2
    assert first_below([10, 20, 40, 80], [0.5, 0.1, -0.1, 0.2]) == 40.0
    assert first_below([10, 20], [0.5, math.nan]) is None                # NaN is not below
    assert first_below([10, 20], [1.0, 0.5], level=0.7) == 20.0
    with pytest.raises(ValueError, match="one length"):
        first_below([1, 2, 3], [0.0, 1.0])


def test_theory_gap_z_scores_and_chi2_against_loops():
    assert theory_gap(0.75, 0.5) == 0.25 and isinstance(theory_gap(0.75, 0.5), float)
    assert theory_gap(np.array([1.0, 2.0]), np.array([0.5, 3.0])).tolist() == [0.5, -1.0]
    T = np.array([[0.3, 0.1], [math.nan, -0.2]])
    S = np.array([[0.1, 0.05], [0.1, 0.1]])
    ref = np.array([[0.1], [0.0]])                                       # broadcasts over the columns
    z = z_scores(T, S, ref)
    expect = [[(T[i, j] - ref[i, 0]) / S[i, j] for j in range(2)] for i in range(2)]
    assert np.allclose(z, expect, rtol=RTOL, equal_nan=True)
    where = np.array([[True, True], [True, False]])
    by_hand = sum(v * v for i, row in enumerate(expect) for j, v in enumerate(row) if where[i, j] and v == v)
    assert chi2(T, S, ref, where) == pytest.approx(by_hand, rel=RTOL)   # (0.2/0.1)^2 + 0 = 4, NaN skipped
    assert chi2(T, S, ref, where) == pytest.approx(4.0, rel=RTOL)
    assert chi2(T, S, ref) == pytest.approx(4.0 + 4.0, rel=RTOL)        # + (-0.2/0.1)^2
    assert z_scores(1.5, 0.25, 1.0) == 2.0


def test_mean_ratio_and_mean_abs_difference():
    assert mean_ratio([1.0, 3.0, 7.0], [2.0, 3.0, 1e-12]) == pytest.approx((0.5 + 1.0) / 2, rel=RTOL)
    assert mean_ratio([1.0], [0.0]) is None
    with pytest.raises(ValueError, match="one shape"):
        mean_ratio([1.0, 2.0], [1.0])
    assert mean_abs_difference([0.1, 0.5, -0.2], [0.3, 0.1, -0.2]) == pytest.approx((0.2 + 0.4 + 0.0) / 3, rel=RTOL)


def test_agreement_where_counts_signs_and_rms_on_the_selected_cells():
    T = np.array([[0.5, -0.2], [0.01, 0.3]])
    R = np.array([[0.4, 0.2], [-0.02, 0.1]])
    far = np.array([[True], [False]])                                   # first row only
    a = agreement_where(T, R, far)
    assert a == {"sign_agree": 1, "cells": 2,
                 "rms_diff": pytest.approx(math.sqrt((0.1 ** 2 + 0.4 ** 2) / 2), rel=RTOL)}


def test_best_by_mean_picks_the_lowest_candidate_by_a_loop():
    rng = np.random.default_rng(2)
    means, sems = rng.uniform(size=9), rng.uniform(0.01, 0.1, size=9)
    for cand in ([0, 3, 5, 8], [1, 2], [7]):
        j_loop = cand[0]
        for k in cand[1:]:
            if means[k] < means[j_loop]:
                j_loop = k
        assert best_by_mean(means, sems, cand) == (j_loop, means[j_loop], sems[j_loop])
    assert best_by_mean([0.3, 0.1, 0.1], [1.0, 2.0, 3.0], [0, 1, 2]) == (1, 0.1, 2.0)   # first on a tie
    with pytest.raises(ValueError, match="candidates"):
        best_by_mean([0.1], [0.1], [])
