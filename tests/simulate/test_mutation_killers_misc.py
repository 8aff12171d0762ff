"""Small contracts found by mutmut survivors: integer step counters on every GD path, the sweep store's file
layout and the rank-k read-out's shape check."""
import json
import os

import numpy as np
import pytest

from ftheory.simulate.deep_linear import finetune, pretrained_state
from ftheory.simulate.linear import rank_k_readout, simulate_min_norm_risk
from ftheory.simulate.sweeps import sweep


@pytest.mark.parametrize("depth", [2, 3])
def test_width1_fine_tuning_counts_steps_in_integers(depth):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((2, 3, 6)), rng.standard_normal((2, 3))
    res = finetune(pretrained_state(rng.standard_normal((2, 6)), depth=depth, seed=1), X, y, max_steps=4)
    assert res.path.startswith("reduced-width1")
    assert res.steps.dtype == np.int64 and res.steps.shape == (2,)
    assert np.all((res.steps >= 1) & (res.steps <= 4))


def test_sweep_store_holds_one_json_file_per_point(tmp_path):
    res = sweep(simulate_min_norm_risk, {"n": [3, 4], "sigma": [0.0]}, fixed={"d": 5}, instances=2, seed=1,
                store=str(tmp_path), progress=False)
    files = sorted(os.listdir(tmp_path))
    assert len(files) == 2 and all(f.endswith(".json") for f in files)
    records = [json.loads((tmp_path / f).read_text()) for f in files]
    assert len(records) == 2 and res.computed == 2
    again = sweep(simulate_min_norm_risk, {"n": [3, 4], "sigma": [0.0]}, fixed={"d": 5}, instances=2, seed=1,
                  store=str(tmp_path), progress=False)
    assert (again.loaded, again.computed) == (2, 0)


@pytest.mark.parametrize("shape", [(7, 2), (2, 7, 2), (3, 6, 2), (6,)])
def test_rank_k_readout_rejects_a_basis_of_the_wrong_shape(shape):
    X, y = np.ones((2, 4, 6)), np.ones((2, 4))
    with pytest.raises(ValueError, match=r"^U has shape .*expected \(2, 6, k\) or \(6, k\)"):
        rank_k_readout(X, y, np.ones(shape))
