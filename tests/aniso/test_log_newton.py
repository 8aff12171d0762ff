"""The shared safeguarded Newton iteration (ftheory.aniso.log_newton)."""
import numpy as np

from ftheory.aniso.log_newton import log_newton


def test_roots_of_increasing_functions():
    c = np.array([-30.0, -1.0, 0.0, 0.3, 25.0])
    t_lo, t_hi = c - 40.0, c + 3.0
    t = t_hi.copy()
    # F = exp(t - c) - 1: increasing, root t = c; Newton from the upper end converges, a few ulp
    out = log_newton(lambda tt, idx: (np.expm1(tt - c[idx]), np.exp(tt - c[idx])), t, t_lo, t_hi,
                     np.arange(c.size))
    assert out is t
    np.testing.assert_allclose(t, c, rtol=0, atol=1e-14 * 40)
    assert np.all(t_lo <= t) and np.all(t <= t_hi)


def test_bad_newton_steps_fall_back_to_bisection():
    c = np.array([0.7, -2.0, 5.0])
    t_lo, t_hi = np.full(3, -10.0), np.full(3, 10.0)
    t = np.zeros(3)
    # a wrong slope (negative: every Newton step leaves the bracket) still converges by bisection
    log_newton(lambda tt, idx: (tt - c[idx], -np.ones(idx.size)), t, t_lo, t_hi, np.arange(3))
    np.testing.assert_allclose(t, c, rtol=0, atol=1e-13)


def test_indices_outside_todo_untouched_and_cap():
    t, t_lo, t_hi = np.array([1.0, 2.0, 3.0]), np.full(3, -5.0), np.full(3, 5.0)
    calls = []

    def residual(tt, idx):
        calls.append(idx.copy())
        return tt, np.ones(idx.size)

    log_newton(residual, t, t_lo, t_hi, np.array([1]))
    assert t[0] == 1.0 and t[2] == 3.0 and t[1] == 0.0
    assert all(list(i) == [1] for i in calls)
    t2 = np.array([3.0])
    log_newton(lambda tt, idx: (tt, -np.ones(1)), t2, np.array([-5.0]), np.array([5.0]), np.array([0]), max_iter=2)
    assert t2[0] == 1.0          # two bisection steps only: 3 -> (-5 + 3)/2 = -1 -> (-1 + 3)/2 = 1
