"""The min-norm bands below n = d: quantiles at prepivoted levels (ftheory.advise.aniso_pivot.calibrated_level,
ScalePivot._prepivot)."""
import math

import numpy as np
import pytest

from ftheory.advise.aniso_pivot import PP_LEVELS, ScalePivot, calibrated_level
from ftheory.advise.aniso_predict import AnisotropicPredictor
from ftheory.advise.estimators import prepare
from ftheory.advise.synthetic import make_task

ALPHA = 0.025


def _normal_quantile(p):
    """Standard normal quantile (bisection on erf; tests only)."""
    lo, hi = -10.0, 10.0
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if 0.5 * (1 + math.erf(mid / math.sqrt(2))) < p:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@pytest.mark.parametrize("upper", [False, True])
def test_calibrated_level_recovers_the_nominal_level_and_the_shift(upper):
    """Draws t ~ N(0, 1) with their own quantiles exact: the level at which 2.5% exceed them is 2.5% within
    Monte Carlo error (binomial, 4 standard errors, 20000 draws). Own quantiles shifted inwards by a constant
    ``s`` (a world narrower than the draws' law): the level is the normal tail probability at ``z + s``."""
    rng = np.random.default_rng(7)
    B = 20000
    t = rng.standard_normal((B, 1))
    lev = ALPHA * PP_LEVELS
    z = np.array([_normal_quantile(1 - a) for a in lev])          # upper-tail quantiles, decreasing in level
    own = np.broadcast_to((z if upper else -z)[:, None, None], (lev.size, B, 1))
    a = calibrated_level(t, own, lev, ALPHA, upper)
    se = math.sqrt(ALPHA * (1 - ALPHA) / B)
    # the level's error: the miss rate's error divided by its slope in the level (1 here, up to interpolation)
    assert abs(a[0] - ALPHA) < 4 * se + 2e-4
    s = 0.3
    own_s = own - s if upper else own + s
    a_s = calibrated_level(t, own_s, lev, ALPHA, upper)
    # miss rate at level l: P(Z > z(l) - s) = alpha  <=>  z(l) = z(alpha) + s
    want = 1 - 0.5 * (1 + math.erf((_normal_quantile(1 - ALPHA) + s) / math.sqrt(2)))
    # slope of the miss rate in the level there: phi(z(alpha)) / phi(z(alpha) + s) > 1.5
    assert abs(a_s[0] - want) < 4 * se / 1.5 + 3e-4 and a_s[0] < 0.02


def _aniso(seed=3, n=14, d=30):
    t = make_task(d, 0.5, 0.7, eigenvalues=1.0 / np.arange(1, d + 1), seed=seed)
    rng = np.random.default_rng(seed + 1)
    X, y = t.sample(n, rng)
    return AnisotropicPredictor(prepare(X, y, X @ t.beta_s, t.sample(20 * d, rng)[0]), pivot_draws=128, seed=1)


def test_prepivot_ends_are_the_fitted_worlds_quantiles_at_the_calibrated_levels():
    """Each min-norm end is ``R_hat/q`` with ``q`` the fitted world's quantile of ``R_hat/R`` at the calibrated
    level (recorded in ``ScalePivot.last``), and that level lies within the candidates ``alpha PP_LEVELS``; the
    tuned bands do not use the prepivot (equal under ``minnorm = "set"``)."""
    ap = _aniso()
    ns = [6, 13, 40]
    for proc in ("scratch_min_norm", "finetune_min_norm"):
        v, lo, hi = ap.bands(proc, ns)
        last = ap.pivot().last
        for key in ("level_a", "level_b"):
            lv = last[key]
            assert lv.ndim == 1 and lv.size >= 2 and np.all(lv >= ALPHA * PP_LEVELS[0] - 1e-15)
            assert np.all(lv <= ALPHA * PP_LEVELS[-1] + 1e-15)
        assert np.all(lo <= v) and np.all(v <= hi) and np.all(lo >= 0)
    tuned = {p: ap.bands(p, ns) for p in ("scratch_ridge", "finetune_ridge")}
    try:
        ScalePivot.minnorm = "set"
        for p, b in tuned.items():
            for x, y in zip(b, ap.bands(p, ns)):
                np.testing.assert_array_equal(x, y)
        set_band = ap.bands("scratch_min_norm", ns)
    finally:
        ScalePivot.minnorm = "prepivot"
    pp_band = ap.bands("scratch_min_norm", ns)
    assert not all(np.array_equal(x, y) for x, y in zip(set_band, pp_band))
