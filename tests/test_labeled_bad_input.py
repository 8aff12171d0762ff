"""sweep_dataset on a path that does not exist is a ValueError naming it, not a FileNotFoundError."""
import pytest

from ftheory.labeled import sweep_dataset


def test_missing_sweep_file_is_a_value_error(tmp_path):
    missing = tmp_path / "no_such_sweep.json"
    with pytest.raises(ValueError, match=r"no_such_sweep\.json.*neither sweep JSON text nor an existing file"):
        sweep_dataset(str(missing))
    with pytest.raises(ValueError, match="neither sweep JSON"):
        sweep_dataset(missing)          # os.PathLike too


def test_a_grid_too_large_for_memory_is_refused_before_allocating():
    import numpy as np

    import ftheory
    from ftheory.labeled import MAX_GRID_POINTS

    r = ftheory.get("linear_transfer_transferability")
    big = np.linspace(0.0, 1.0, 10_000)
    with pytest.raises(ValueError, match=r"10000 x 10000 = 1e\+08 points .*MAX_GRID_POINTS"):
        r.grid(gamma=big * 2, theta=big, sigma=0.2)
    with pytest.raises(ValueError, match="MAX_GRID_POINTS"):
        r.plot(gamma=big * 2, theta=big, sigma=0.2)
    assert MAX_GRID_POINTS >= 2000 * 2000     # a fine phase diagram still fits
    assert r.grid(gamma=big[:300] * 2, theta=big[:200], sigma=0.2).shape == (300, 200)


def test_plot_with_something_that_is_not_axes_is_a_value_error():
    import numpy as np

    import ftheory

    r = ftheory.get("scratch_risk")
    with pytest.raises(ValueError, match=r"ax='x' is invalid: expected a matplotlib Axes or None"):
        r.plot(ax="x", gamma=np.linspace(0.1, 0.9, 5), sigma=0.2)
