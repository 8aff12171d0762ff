"""relu-powerlaw figure data: the Hermite-degree content of the target and the staircase caption."""
import math

import numpy as np
import pytest

from ftheory.figures import SCALES
from ftheory.figures.relu import caption_power, compute_power, render_power
from ftheory.relu.hermite import degree_norms


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return compute_power(SCALES["tiny"], 3, store=str(tmp_path_factory.mktemp("store")))


def test_target_degrees_are_fractions_of_the_target_norm(data):
    deg = np.array(data["target_degrees"])
    assert deg.shape == (4,) and np.all(deg >= 0)
    assert deg.sum() == pytest.approx(1.0, abs=1e-12)
    # a ReLU teacher is not a polynomial of degree <= 1: the degree-2 share is positive
    assert deg[2] > 0 and deg[0] + deg[1] < 1
    d = data["params"]["d"]
    assert data["hermite_dims"] == [d, d * (d + 1) // 2]


def test_target_degrees_match_a_direct_split():
    # the same numbers from degree_norms on one teacher, independently of the figure code
    from ftheory.simulate.relu import draw_teacher
    t = draw_teacher(6, 5, instances=1, seed=1).target
    parts = degree_norms(t.weights[0], t.coef[0], kmax=2)
    W, c = t.weights[0], t.coef[0]
    assert parts[1] == pytest.approx(np.sum((c @ W) ** 2) / 4, rel=1e-12)
    assert parts[0] == pytest.approx((c @ np.linalg.norm(W, axis=1)) ** 2 / (2 * math.pi), rel=1e-12)


def test_caption_states_the_staircase_and_old_data_still_render(data, tmp_path):
    cap = caption_power(data)
    assert "Hermite degree >= 2" in cap and "depends on the range of n fitted" in cap
    d = data["params"]["d"]
    assert f"d(d+1)/2 = {d * (d + 1) // 2}" in cap
    old = {k: v for k, v in data.items() if k not in ("target_degrees", "hermite_dims")}
    assert "Hermite" not in caption_power(old)
    for stem, dat in (("new", data), ("old", old)):
        files = render_power(dat, str(tmp_path / stem))
        assert all(f.endswith((".png", ".pdf")) for f in files)
