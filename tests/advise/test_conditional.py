"""The law of a simulated statistic given a simulated nuisance estimate (ftheory.advise.conditional) and its use in
DifferenceLaw's T_ft band below n = d."""
import math

import numpy as np
import pytest

from ftheory.advise.conditional import conditional_ends, order_ends

Z = 1.959964


def test_order_ends_are_the_stated_order_statistics():
    """Exact: p = alpha (k + 1) from each end, interpolated: k = 256, alpha = 0.025 gives 0.575 of the 6th smallest
    (largest) and 0.425 of the 7th (p = 6.425), the 6th alone without interpolation; k = 39 the smallest and largest (p = 1); k = 20 infinite ends
    (p < 1)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 2))
    lo, hi = order_ends(x, 0.025)
    s = np.sort(x, 0)
    np.testing.assert_allclose(lo, 0.575 * s[5] + 0.425 * s[6], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(hi, 0.575 * s[250] + 0.425 * s[249], rtol=1e-12, atol=1e-15)
    lo, hi = order_ends(x, 0.025, interpolate=False)          # the 6th alone: at most alpha (6 / 257)
    np.testing.assert_array_equal(lo, s[5])
    np.testing.assert_array_equal(hi, s[250])
    lo, hi = order_ends(x[:39], 0.025)
    np.testing.assert_array_equal(lo, x[:39].min(0))
    np.testing.assert_array_equal(hi, x[:39].max(0))
    lo, hi = order_ends(x[:20], 0.025)
    assert np.all(lo == -np.inf) and np.all(hi == np.inf)


@pytest.mark.parametrize("law", ["uniform", "exponential"])
def test_order_ends_hold_a_new_exchangeable_draw_at_the_stated_rate(law):
    """Monte Carlo over 20000 sets of k = 128 draws: a new draw from the same law falls below (above) the ends with
    probability E F(lo) (E[1 - F(hi)]), averaged exactly given each set (no Bernoulli noise). For a uniform law it
    is alpha = 0.025 (E U_(j) = j / (k + 1), p = 3.225); for a skewed one it lies between j / (k + 1) = 3 / 129
    and 4 / 129. Within 4 standard errors; the plain linear 2.5% point of the 128 draws (position 4.175) falls
    below it more often."""
    rng = np.random.default_rng(1)
    reps, k = 20000, 128
    if law == "uniform":
        x, cdf = rng.random((reps, k)), (lambda v: v)
    else:
        x, cdf = rng.standard_exponential((reps, k)), (lambda v: -np.expm1(-v))
    lo, hi = order_ends(x.T, 0.025)
    below, above = cdf(lo), 1 - cdf(hi)
    plain = cdf(np.quantile(x, 0.025, axis=1))
    for v in (below, above):
        m, se = v.mean(), v.std() / math.sqrt(reps)
        if law == "uniform":
            assert abs(m - 0.025) < 4 * se, (m, se)
        else:
            assert 3 / (k + 1) - 4 * se < m < 4 / (k + 1) + 4 * se, (m, se)
    assert plain.mean() > below.mean() + 4 * below.std() / math.sqrt(reps)


def test_conditional_ends_recover_the_conditional_law():
    """Monte Carlo: t = 3 fh + s Z with fh uniform on (0, 1) and s = 0.5: given fh = 0.3 the ends are the 2.5 /
    97.5% points of N(0.9, 0.25) (the line through the window's draws removes the trend within it), within 4
    standard errors of an order statistic of the k draws; without the move along the line the window's spread
    of fh widens them."""
    rng = np.random.default_rng(2)
    B, k, s = 8000, 2000, 0.5
    fh = rng.random(B)
    t = (3 * fh + s * rng.standard_normal(B))[:, None]
    lo, hi = conditional_ends(t, fh, 0.3, 0.025, k)
    se = s * math.sqrt(0.025 * 0.975 / k) / (math.exp(-Z * Z / 2) / math.sqrt(2 * math.pi))
    assert abs(lo[0] - (0.9 - Z * s)) < 4 * se and abs(hi[0] - (0.9 + Z * s)) < 4 * se, (lo, hi, se)
    near = np.argsort(np.abs(fh - 0.3))[:k]
    plo, phi = order_ends(t[near], 0.025)
    assert phi[0] - plo[0] > hi[0] - lo[0] + 4 * se


def test_conditional_ends_keep_every_draw_at_a_clip():
    """Exact: where more than k draws share the data's value (a clipped estimate) all of them are the window and
    none is moved: the ends are order_ends of their t; elsewhere the window is the k nearest."""
    rng = np.random.default_rng(3)
    fh = np.where(rng.random(1000) < 0.6, 0.95, rng.random(1000) * 0.9)
    t = rng.standard_normal((1000, 2))
    at = fh == 0.95
    lo, hi = conditional_ends(t, fh, 0.95, 0.025, 250)
    want = order_ends(t[at], 0.025)
    np.testing.assert_array_equal(lo, want[0])
    np.testing.assert_array_equal(hi, want[1])
    f0 = 0.4
    idx = np.argsort(np.abs(fh - f0), kind="stable")[:250]
    dx = fh[idx] - f0
    c = dx - dx.mean()
    x = t[idx] - np.outer(dx, c @ (t[idx] - t[idx].mean(0)) / (c @ c))
    for a, b in zip(conditional_ends(t, fh, f0, 0.025, 250), order_ends(x, 0.025)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_difference_law_is_the_fitted_worlds_conditional_law():
    """Exact: DifferenceLaw's quantiles (mode "conditional", the default) are conditional_ends of the fitted world's
    draws (statistic and estimated fraction) at the data's fraction over COND_SHARE of the draws."""
    from ftheory.advise.aniso_difference import COND_SHARE, DifferenceLaw
    from ftheory.advise.aniso_predict import AnisotropicPredictor
    from tests.advise._aniso_tasks import small_prep

    ap = AnisotropicPredictor(small_prep(8), pivot_draws=400, seed=3)
    law = DifferenceLaw(ap, 8)
    assert law.mode == "conditional"
    args = (2.0, 1.2, 0.6, 0.9, 2.0 - 1.2 + 0.9)
    lo, hi = law.quantiles(*args)
    f0 = law.last["f0"]
    assert f0 == pytest.approx(0.8 / 2.0)
    stat, fh, _ = law.world(f0, args[0], *args[2:])
    want = conditional_ends(stat, fh, f0, (1 - 0.95) / 2, 100)       # the level's alpha, as quantiles forms it
    assert round(COND_SHARE * 400) == 100
    np.testing.assert_array_equal(lo, want[0])
    np.testing.assert_array_equal(hi, want[1])
