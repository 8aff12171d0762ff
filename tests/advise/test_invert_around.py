"""``intervals.invert(..., around=v)``: the kept run through the estimate instead of the hull (exact on a test
with a known kept set), and the U-statistic signal interval built with it (docs/advisor_validation.md)."""
import numpy as np
import pytest

from ftheory.advise.intervals import hull, invert


def _two_pieces(t):
    """Kept (``<= 0``) exactly on [0.5, 1.5] and [2.5, 3.0]."""
    return -1.0 if (0.5 <= t <= 1.5 or 2.5 <= t <= 3.0) else 1.0


@pytest.mark.parametrize("around, expected", [(None, (0.5, 3.0)), (1.0, (0.5, 1.5)), (2.7, (2.5, 3.0)),
                                              (1.9, (0.5, 1.5)), (2.2, (2.5, 3.0))])
def test_invert_around_returns_the_kept_run_nearest_the_estimate(around, expected):
    """Hull without ``around``; with it, the run containing (or the kept grid point nearest to) ``around``. The
    edges are bisected to (4 / 40) / 2^20 of the exact ends."""
    lo, hi = invert(_two_pieces, 0.0, 4.0, grid=41, extra=[] if around is None else [around], steps=20,
                    around=around)
    assert abs(lo - expected[0]) <= 1e-6 and abs(hi - expected[1]) <= 1e-6, (lo, hi)


def test_invert_around_a_single_interval_is_the_hull():
    """When the kept set is an interval, ``around`` changes nothing (bitwise)."""
    test = lambda t: (t - 1.2) ** 2 - 0.25  # noqa: E731  (kept on [0.7, 1.7])
    assert invert(test, 0.0, 3.0, grid=25, extra=[1.1], around=1.1) == invert(test, 0.0, 3.0, grid=25, extra=[1.1])
    assert hull(5.0, invert(test, 0.0, 3.0, grid=25, around=5.0), 0.1).high == 5.0  # the value outside: hull() widens


def test_u_signal_interval_stops_at_the_rejected_stretch():
    """Sample 284 of estimate index 6's stream 0 (benchmarks/advisor_coverage.py: d = 60, n = 30, spectrum 1/i,
    N = 20 d): U_y < 0, and the signal test keeps [0, ~0.8] and again ~[1.3, 1.45] (the fitted noise reaches 0
    and the 95% quantile jumps back to its boundary value). The true signal 1 is rejected; the former hull
    [0, 1.41] covered it, the kept run through the estimate stops below it."""
    from ftheory.advise.estimators import estimate_parameters, prepare
    from ftheory.advise.signal_noise import u_test
    from ftheory.advise.synthetic import make_task
    d = 60
    task = make_task(d, 0.7, 0.5, eigenvalues=np.arange(1, d + 1) ** -1.0, seed=106)
    rng = np.random.default_rng(107)
    for _ in range(285):
        X, y = task.sample(30, rng)
        U = task.sample(20 * d, rng)[0]
    pe = estimate_parameters(prepare(X, y, X @ task.beta_s, U))
    test = u_test(pe, 0)
    assert pe.p[0] < 0 and test(1.0) > 0 and test(1.35) <= 0          # the island above the rejected truth
    iv = pe.interval("signal")
    assert iv.low == 0.0 and 0.7 < iv.high < 0.9 and not iv.covers(1.0), iv
    assert test(iv.high - 1e-3) <= 0 < test(iv.high + 1e-2)


def test_u_noise_interval_keeps_the_hull():
    """The noise interval keeps the hull (its test under-accepts at n = 11: docs/advisor_validation.md, sig19).
    Sample 71 of estimate index 11's stream 0 (d = 60, n = 12): the test rejects the true noise 1, the hull
    [0, ~2.2] covers it."""
    from ftheory.advise.estimators import estimate_parameters, prepare
    from ftheory.advise.signal_noise import u_test
    from ftheory.advise.synthetic import make_task
    d = 60
    task = make_task(d, 0.9, 1.0, eigenvalues=np.arange(1, d + 1) ** -1.0, seed=111)
    rng = np.random.default_rng(112)
    for _ in range(72):
        X, y = task.sample(12, rng)
        U = task.sample(20 * d, rng)[0]
    pe = estimate_parameters(prepare(X, y, X @ task.beta_s, U))
    iv = pe.interval("noise_moment")
    assert u_test(pe, 1)(1.0) > 0 and iv.low == 0.0 and 2.0 < iv.high < 2.5, iv
