"""Bands of the exact-cut region (isotropic path, n <= 100): each prediction calibrated by its own exact test
(bands.ScoreRegion.band); the regression region's one predicate (bands.regression_applies)."""
import numpy as np
import pytest

from ftheory.advise.bands import ScoreRegion, regression_applies, score_region
from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.predict import isotropic_risk
from ftheory.advise.report import _region
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


@pytest.mark.parametrize("a", [np.array([1.0, 0.2, 0.0, 0.0]), np.array([1.0, 0.3, -2.0, 1.0])])
def test_linear_band_is_the_inversion_of_its_own_exact_test(small, a):
    """For ``f = a . p`` the band's ends are where ``f``'s own exact test (the plug-in ``a . p_hat`` against the
    2.5% points of its law at the candidate, ``_RayCut.stat_margin``) rejects along the ray ``L L' a``: found here
    by bisection of that test, there by the rays' cut (linear interpolation of the margin between the grid's
    radii, which are 17% apart; measured 0.07% of the band's width at most: the tolerance is 1%)."""
    pe, reg = small
    cut = reg.cut

    def f(P):  # offset: both ends away from the clip at 0
        return P @ a + 10.0

    value, lo, hi = reg.band(f, linear=True)
    stat = float(pe.p @ a) + 10.0
    u = cut.Lm.T @ a
    u /= np.linalg.norm(u)
    ends = []
    for sign in (1.0, -1.0):
        s_in, s_out = 0.0, cut.z * cut.grid[-1]
        step = sign * (cut.Lm @ u)
        assert cut.stat_margin((cut.centre + s_out * step)[None], f, stat, sign)[0] < 0
        for _ in range(40):
            mid = 0.5 * (s_in + s_out)
            inside = cut.stat_margin((cut.centre + mid * step)[None], f, stat, sign)[0] > 0
            s_in, s_out = (mid, s_out) if inside else (s_in, mid)
        ends.append(float(f(cut.centre + s_in * step)))
    width = ends[0] - ends[1]
    assert abs(hi - ends[0]) <= 0.01 * width
    assert abs(lo - ends[1]) <= 0.01 * width
    # the union of the per-direction cuts reaches beyond (the over-coverage of each single prediction)
    ulo, uhi = _union(reg, f, True)
    assert uhi - ulo > 1.05 * (hi - lo)


@pytest.mark.parametrize("proc", ["scratch_ridge", "linear_transfer", "finetune_ridge"])
def test_nonlinear_band_ends_are_accepted_by_its_own_test(small, proc):
    """A nonlinear prediction's band lies within its range over the region, and each end is a point of the
    region that ``f``'s own exact test accepts on that side (or the region's end where none is accepted)."""
    pe, reg = small

    def f(P):
        return isotropic_risk(proc, pe.n, pe.d, P)

    value, lo, hi = reg.band(f)
    ulo, uhi = _union(reg, f, False)
    assert ulo <= lo <= value <= hi <= uhi
    ev = ScoreRegion._evaluator(f, False)
    P = np.concatenate([reg.raw, reg.aimed_rays(f)[0]])
    v = ev(P)
    for end, sign in ((hi, 1.0), (lo, -1.0)):
        at = P[np.flatnonzero(v == end)]
        ok = reg.cut.stat_margin(at, ev, value, sign) > 0
        union_end = uhi if sign > 0 else ulo
        assert ok.any() or end == union_end or end == value
        # every point beyond the end is rejected on that side
        beyond = P[sign * (v - end) > 0]
        if len(beyond):
            assert not np.any(reg.cut.stat_margin(beyond, ev, value, sign) > 0) or not ok.any()


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
