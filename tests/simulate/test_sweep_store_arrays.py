"""A sweep of a spectrum simulator with NumPy arrays as fixed values can use a store (docs/cluster.md)."""
import numpy as np
import pytest

from ftheory import aniso as A
from ftheory.simulate.aniso import simulate_aniso_transfer
from ftheory.simulate.sweeps import sweep


def test_a_spectrum_sweep_with_numpy_arrays_can_use_a_store(tmp_path):
    """sweep(simulate_aniso_transfer, ..., fixed={"eigenvalues": ev, ...}, store=DIR) with NumPy arrays was refused
    with a many-line message (the array's repr); the arrays are stored as lists, the numbers are those of the run
    without a store, and a rerun loads every point."""
    ev = A.power_law_spectrum(30, 1.0)
    bs, bt = A.window_pair(ev, 1.0)
    fixed = {"eigenvalues": ev, "beta_s": bs, "beta_t": bt, "sigma": 0.2}
    args = dict(fixed=fixed, instances=3, seed=4, progress=False)
    stored = sweep(simulate_aniso_transfer, {"n": [10, 20]}, store=str(tmp_path), **args)
    plain = sweep(simulate_aniso_transfer, {"n": [10, 20]}, **args)
    for q in ("T_lt", "T_ft"):
        assert np.array_equal(stored.estimate(q, n=20).samples, plain.estimate(q, n=20).samples)
    again = sweep(simulate_aniso_transfer, {"n": [10, 20]}, store=str(tmp_path), **{**args, "fixed": {
        k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in fixed.items()}})
    assert again.loaded == 2 and again.computed == 0
    assert np.array_equal(again.estimate("T_ft", n=10).samples, plain.estimate("T_ft", n=10).samples)
    with pytest.raises(ValueError) as err:
        sweep(simulate_aniso_transfer, {"n": [10]}, store=str(tmp_path),
              **{**args, "fixed": {**fixed, "sigma": object()}})
    assert "\n" not in str(err.value) and str(err.value).startswith("sigma=<object")
