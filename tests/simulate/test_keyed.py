"""ftheory.simulate.keyed: the row simulators that figures sweep, moved out of the figure modules.

Two things are checked: (1) each gives the samples of the simulators it composes, computed here
independently (the same seed through the one-point or grid simulator, or the documented seed stream), and
(2) its store name and hence the store key of a point are those the figure modules used before the move
(keys computed with the pre-move code at commit 2ee483d and written here), so existing stores still load.
Tolerance for least-squares comparisons: that of tests/simulate/test_linear_grid.py (relative 1e-9: condition
number of a Gaussian design at these sizes times float64 epsilon, with margin; absolute 1e-12 for zero risks).
"""
import math

import numpy as np
import pytest

from ftheory.simulate.deep_linear import simulate_deep_linear
from ftheory.simulate.gamma import maps_gamma, n_from_gamma
from ftheory.simulate.keyed import (simulate_deep_lt_lam_rows, simulate_min_norm_sigma_rows, simulate_ridge_lam_rows,
                                    simulate_scratch_and_transfer_at_gamma)
from ftheory.simulate.linear import simulate_min_norm_risk, simulate_ridge_risk, simulate_scratch_and_transfer
from ftheory.simulate.sweeps import _function_name, _key, point_seed, sweep

RTOL, ATOL = 1e-9, 1e-12

#: (function, store name, point, fixed, instances, seed, key written by the pre-move figure code)
LEGACY_KEYS = [
    (simulate_min_norm_sigma_rows, "ftheory.figures.scratch_dd._sigma_point", {"n": 20},
     {"d": 40, "sigmas": [0.0, 0.2]}, 8, 1, "470a962e3be6e51d839a48a8"),
    (simulate_deep_lt_lam_rows, "ftheory.figures.lt_ridge._deep_lt", {"n": 20},
     {"d": 40, "theta": 0.39269908169872414, "sigma": 0.2, "lams": [0.0, 0.1]}, 32, 1, "9df8fad5f342584a96a70c4d"),
    (simulate_ridge_lam_rows, "ftheory.figures.tuned._ridge_point", {"n": 20},
     {"d": 40, "sigma": 0.2, "lams": [0.0, 0.1], "root": 1}, 32, 1, "60c65307d1b858d0134edcb8"),
    (simulate_scratch_and_transfer_at_gamma, "ftheory.figures.similarity._pair_at_gamma", {"gamma": 0.5},
     {"d": 40, "theta": 0.7853981633974483, "sigma": 0.2}, 80, 1, "14e5818741804a22e6a9608e"),
]


@pytest.mark.parametrize("fn, name, point, fixed, instances, seed, key", LEGACY_KEYS)
def test_store_keys_are_those_of_the_figure_functions_before_the_move(fn, name, point, fixed, instances, seed, key):
    assert _function_name(fn) == name
    assert _key(_function_name(fn), point, fixed, instances, seed) == key


def test_a_function_without_a_store_name_is_named_by_module_and_qualname():
    assert _function_name(simulate_min_norm_risk).endswith("simulate.linear.simulate_min_norm_risk")


def test_a_sweep_over_gamma_writes_the_legacy_file_name(tmp_path):
    res = sweep(simulate_min_norm_sigma_rows, {"gamma": [0.5]}, fixed={"d": 40, "sigmas": [0.0, 0.2]}, instances=8,
                seed=1, store=str(tmp_path), progress=False)
    assert res.values("n") == [20]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["470a962e3be6e51d839a48a8.json"]


@pytest.mark.parametrize("gamma", [0.5, 1.5])
def test_sigma_rows_are_the_min_norm_samples_at_every_noise_level(gamma):
    d, sigmas = 20, [0.0, 0.2, 1.0]
    rows = simulate_min_norm_sigma_rows(gamma=gamma, d=d, sigmas=sigmas, instances=5, seed=3)
    n = n_from_gamma(gamma, d)
    assert sorted(rows) == ["risk:0", "risk:1", "risk:2"]
    for j, s in enumerate(sigmas):
        one = simulate_min_norm_risk(n, d, s, instances=5, seed=3)
        np.testing.assert_allclose(rows[f"risk:{j}"].samples, one.samples, rtol=RTOL, atol=ATOL)


def test_ridge_rows_draw_from_the_named_stream_and_ignore_seed():
    n, d, lams = 12, 20, [0.0, 0.05, 0.5]
    a = simulate_ridge_lam_rows(n, d, 0.2, lams, 7, instances=4, seed=0)
    b = simulate_ridge_lam_rows(n, d, 0.2, lams, 7, instances=4, seed=99)
    other = simulate_ridge_lam_rows(n, d, 0.2, lams, 7, instances=4, seed=0, stream="elsewhere")
    for j, lam in enumerate(lams):
        np.testing.assert_array_equal(a[f"ridge:{j}"].samples, b[f"ridge:{j}"].samples)
        one = simulate_ridge_risk(n, d, 0.2, lam, instances=4, seed=point_seed(7, {"figure": "tuned-baseline", "n": n}))
        np.testing.assert_allclose(a[f"ridge:{j}"].samples, one.samples, rtol=RTOL, atol=ATOL)
        assert not np.allclose(other[f"ridge:{j}"].samples, a[f"ridge:{j}"].samples)


@pytest.mark.parametrize("gamma", [0.3, 1.6])
def test_scratch_and_transfer_at_gamma_is_the_one_point_simulator(gamma):
    d, theta = 25, 0.7
    got = simulate_scratch_and_transfer_at_gamma(gamma, d, theta, 0.2, instances=6, seed=4)
    one = simulate_scratch_and_transfer(n_from_gamma(gamma, d), d, theta, 0.2, instances=6, seed=4)
    assert sorted(got) == ["linear_transfer", "scratch", "transferability"]
    for k in got:
        np.testing.assert_allclose(got[k].samples, one[k].samples, rtol=RTOL, atol=ATOL)
    assert not maps_gamma(simulate_scratch_and_transfer_at_gamma)    # its own gamma: a sweep seeds by gamma


def test_deep_lt_rows_are_the_deep_linear_simulator_at_every_lam():
    n, d, lams = 8, 6, [0.0, 0.3]
    rows = simulate_deep_lt_lam_rows(gamma=n / d, d=d, theta=0.5, sigma=0.2, lams=lams, instances=2, seed=2)
    assert sorted(rows) == ["lt:0", "lt:1"]
    for k, lam in enumerate(lams):
        one = simulate_deep_linear("lt", n, d, 0.5, 0.2, lam=lam, instances=2, seed=2)
        np.testing.assert_allclose(rows[f"lt:{k}"].samples, one.samples, rtol=RTOL)
        np.testing.assert_array_equal(rows[f"lt:{k}"].converged, one.converged)


def test_gamma_and_n_together_are_refused():
    with pytest.raises(ValueError, match="not both"):
        simulate_min_norm_sigma_rows(10, 20, [0.0], instances=2, seed=0, gamma=0.5)
    with pytest.raises(ValueError, match="gamma"):
        simulate_scratch_and_transfer_at_gamma(math.nan, 20, 0.3, 0.2, instances=2, seed=0)
