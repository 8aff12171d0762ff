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


def test_text_values_are_read_alike_by_a_call_and_by_grid():
    """"pi/4" (as on the command line) is accepted by result(...) and .grid(...), fixed or as an axis element,
    and bad text gets the same message from both."""
    import math

    import numpy as np

    import ftheory

    r = ftheory.get("finetune_transferability")
    exact = float(r(theta=math.pi / 4, gamma=0.5))
    assert float(r(theta="pi/4", gamma=0.5)) == exact
    assert float(r.grid(theta="pi/4", gamma=[0.5, 2.0]).sel(gamma=0.5)) == exact
    da = r.grid(theta=["pi/4", 0.5], gamma="1/2")
    assert np.array_equal(da.coords["theta"].values, [math.pi / 4, 0.5]) and float(da[0]) == exact
    assert da.attrs["gamma"] == 0.5
    n = ftheory.get("scratch_risk_finite").grid(n=["10", "20"], d="5", sigma=0.2).coords["n"]
    assert n.dtype == np.int64 and list(n.values) == [10, 20]
    for bad, match in [("x", r"theta='x' is not a number \(cannot parse 'x'\)"), ("4", r"theta='4' \(= 4\) is out")]:
        with pytest.raises(ValueError, match=match):
            r(theta=bad, gamma=0.5)
        with pytest.raises(ValueError, match=match):
            r.grid(theta=bad, gamma=[0.5, 2.0])
        with pytest.raises(ValueError, match=match):
            r.grid(theta=["pi/4", bad], gamma=0.5)
