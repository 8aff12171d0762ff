"""Bands of the exact-cut region (isotropic path, n <= 100): each prediction calibrated by its own exact test
(bands.ScoreRegion.band); the regression region's one predicate (bands.regression_applies)."""
import numpy as np
import pytest

from ftheory.advise.bands import _ALPHA, ScoreRegion, feasible_rows, param_cov_rows, regression_applies, score_region
from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.predict import isotropic_risk
from ftheory.advise.own_test import studentized_margin
from ftheory.advise.report import STUDENTIZED, _region
from ftheory.advise.synthetic import make_task


@pytest.fixture(scope="module")
def small():
    """The estimates and exact-cut region of a sample with n = 20 < d = 50 (as in settings 0, 7)."""
    task = make_task(50, 0.6, 0.8, seed=3)
    X, y = task.sample(20, np.random.default_rng(4))
    pe = estimate_parameters(prepare(X, y, X @ task.beta_s, None))
    reg = _region(pe)
    assert reg.cut.kind == "exact"
    return pe, reg


def _union(reg, f, linear):
    """The band as the range over the whole region (cloud and aimed rays): what the bands were before."""
    P = reg.raw if linear else reg.points
    v = np.asarray(f(P), float)
    va = reg.aimed_rays(f, linear, v)[1]
    return float(np.min(np.r_[v, va])), float(np.max(np.r_[v, va]))


@pytest.mark.parametrize("proc", ["scratch_ridge", "linear_transfer", "finetune_ridge", "scratch_min_norm",
                                  "finetune_min_norm", "T_finetune"])
def test_band_ends_are_accepted_by_the_predictions_own_test(small, proc):
    """A prediction's band lies within its range over the region, and each end is a point of the region that
    ``f``'s own exact test accepts on that side (or the region's end where none is accepted), every point beyond
    it rejected; for fine-tuning min-norm and the tuned scratch risk the studentized test
    (own_test.studentized_margin)."""
    pe, reg = small
    linear = proc.endswith("min_norm")

    def f(P):
        if proc == "T_finetune":
            return isotropic_risk("scratch_ridge", pe.n, pe.d, P) - isotropic_risk("finetune_ridge", pe.n, pe.d, P)
        return isotropic_risk(proc, pe.n, pe.d, P)

    stud = proc in STUDENTIZED
    value, lo, hi = reg.band(f, linear=linear, studentize=stud)
    ulo, uhi = _union(reg, f, linear)
    if linear:
        ulo = max(ulo, 0.0)
        value = float(f(reg.raw[0]))  # the test's statistic: the unclipped plug-in
    assert ulo <= lo <= hi <= uhi
    ev = ScoreRegion._evaluator(f, linear)
    P = np.concatenate([reg.raw, reg.aimed_rays(f, linear)[0]])
    v = ev(P)
    margin = reg.cut.stat_margin
    if stud:
        margin = studentized_margin(reg.cut, ev, reg.raw[0], lambda Q: param_cov_rows(pe.n, pe.d, feasible_rows(Q)),
                                    _ALPHA, linear=linear)
    for end, sign in ((hi, 1.0), (lo, -1.0)):
        if linear and sign < 0 and end == 0.0:
            continue  # clipped at 0
        at = P[np.flatnonzero(v == end)]
        ok = margin(at, ev, value, sign) > 0
        union_end = uhi if sign > 0 else ulo
        assert ok.any() or end == union_end
        # every point beyond the end is rejected on that side
        beyond = P[sign * (v - end) > 0]
        if len(beyond):
            assert not np.any(margin(beyond, ev, value, sign) > 0) or not ok.any()


def test_the_gaussian_and_regression_regions_keep_the_range():
    """Without the exact cut (Gaussian cut, n > 100) the band is still the range over the region."""
    p, n, d = np.array([0.9, 1.0, 0.6, 1.0]), 150, 60
    reg = score_region(p, n, d)
    assert reg.cut.kind == "gauss"
    f = lambda P: isotropic_risk("finetune_min_norm", n, d, P)  # noqa: E731
    _, lo, hi = reg.band(f, linear=True)
    ulo, uhi = _union(reg, f, True)
    assert (lo, hi) == (max(ulo, 0.0), uhi)


def test_regression_applies_is_the_one_predicate():
    n = 30
    assert [regression_applies(n, k) for k in (0, 1, 28, 29, 2.5, float("nan"), None)] == \
        [False, True, True, False, False, False, False]
    p = np.array([0.9, 1.0, 0.6, 1.0])
    score_region(p, n, 10, residual=(1.0, 28))
    with pytest.raises(ValueError, match="residual"):
        score_region(p, n, 10, residual=(1.0, 29))


def test_the_regions_tips_are_rejected(small):
    """The test trims the tips that the union of per-direction cuts reaches: on this sample the probe's upper
    end (measured 1.72 against the region's 2.19) and fine-tuning min-norm's ends (0.36-1.45 against 0.32-1.59)."""
    pe, reg = small
    for proc, linear in (("linear_transfer", False), ("finetune_min_norm", True)):
        def f(P):
            return isotropic_risk(proc, pe.n, pe.d, P)
        _, lo, hi = reg.band(f, linear=linear, studentize=linear)
        ulo, uhi = _union(reg, f, linear)
        assert (uhi - max(ulo, 0.0)) - (hi - lo) > 0.05 * (uhi - max(ulo, 0.0))


def test_the_studentized_test_trims_fine_tuning_min_norms_upper_tip():
    """n = 20, d = 100 (as setting 0): the plain test accepts the upper tip whose nuisance widens the law of
    ``f(p_hat)``; the studentized one stops lower (measured 0.660 against 0.868) and keeps the lower end."""
    task = make_task(100, 0.4, 0.5, seed=3)
    X, y = task.sample(20, np.random.default_rng(4))
    pe = estimate_parameters(prepare(X, y, X @ task.beta_s, None))
    reg = _region(pe)
    assert reg.cut.kind == "exact"

    def f(P):
        return isotropic_risk("finetune_min_norm", pe.n, pe.d, P)

    value, lo, hi = reg.band(f, linear=True)
    value_s, lo_s, hi_s = reg.band(f, linear=True, studentize=True)
    assert value_s == value and lo_s == lo
    assert value <= hi_s < hi - 0.1 * (hi - lo)
