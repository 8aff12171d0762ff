"""Simulated crossings of T(n) and their ratio to a predicted boundary (ftheory.relu.boundary)."""
import math

import numpy as np
import pytest

from ftheory.relu.boundary import crossing_ratio_summary, empirical_crossing


def test_crossing_is_the_zero_of_the_log_linear_interpolation():
    ns = [10, 100, 1000]
    # T = 1 - log10(n / 300) / log10(1000 / 300) * 2 ... any line in log n: zero exactly recovered
    x = np.log(ns)
    T = 2.0 - (x - x[0]) * (2.0 + 1.0) / (x[-1] - x[0])        # 2 at n = 10, -1 at n = 1000, linear in log n
    zero = math.exp(x[0] + 2.0 / 3.0 * (x[-1] - x[0]))
    assert math.isclose(float(empirical_crossing(ns, T)), zero, rel_tol=1e-12)


def test_last_sign_change_counts_and_out_of_range_codes():
    ns = [10, 20, 40, 80, 160]
    T = np.array([[1.0, -1.0, 1.0, 1.0, -1.0],     # dips at the interpolation peak, crosses again later
                  [1.0, 1.0, 1.0, 1.0, 1.0],       # still positive at the largest n
                  [-1.0, -1.0, -1.0, -1.0, -1.0]])  # negative everywhere
    c = empirical_crossing(ns, T)
    assert math.isclose(c[0], math.sqrt(80 * 160), rel_tol=1e-12)
    assert c[1] == math.inf and c[2] == 0.0
    s = crossing_ratio_summary(c, np.array([math.sqrt(80 * 160) / 2, 50.0, 50.0]))
    assert all(math.isclose(s[k], 2.0, rel_tol=1e-12) for k in ("median", "low", "high"))
    assert (s["count"], s["below"], s["above"]) == (1, 1, 1)


@pytest.mark.parametrize("ns, T", [([10], [1.0]), ([10, 5], [1.0, -1.0]), ([0, 10], [1.0, -1.0]),
                                   ([10, 20], [1.0, np.nan]), ([10, 20], [1.0, 2.0, 3.0])])
def test_bad_input_raises(ns, T):
    with pytest.raises(ValueError):
        empirical_crossing(ns, T)


def test_summary_rejects_mismatched_shapes_and_handles_no_crossing():
    with pytest.raises(ValueError):
        crossing_ratio_summary([1.0, 2.0], [1.0])
    s = crossing_ratio_summary([math.inf, 0.0], [10.0, 10.0])
    assert s["median"] is None and s["count"] == 0 and s["above"] == 1 and s["below"] == 1
