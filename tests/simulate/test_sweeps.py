"""Sweeps: same numbers whatever the executor or grid order; a killed sweep resumes losing nothing."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from ftheory.simulate import sweep
from ftheory.simulate.linear import simulate_min_norm_risk, simulate_scratch_and_transfer

GRID = {"n": [20, 60], "sigma": [0.0, 0.2]}


def _run(**kw):
    return sweep(simulate_min_norm_risk, GRID, fixed={"d": 40}, instances=12, seed=5, progress=False, **kw)


def test_rows_and_estimates():
    res = _run()
    assert len(res.rows) == 4 and res.computed == 4 and res.loaded == 0
    est = res.estimate(n=20, sigma=0.2)
    direct = simulate_min_norm_risk(20, 40, 0.2, instances=12, seed=__import__(
        "ftheory.simulate.sweeps", fromlist=["point_seed"]).point_seed(5, {"n": 20, "sigma": 0.2}))
    np.testing.assert_array_equal(est.samples, direct.samples)
    with pytest.raises(ValueError, match="no grid point"):
        res.estimate(n=21, sigma=0.2)


def test_multiple_quantities_are_tidy_rows():
    res = sweep(simulate_scratch_and_transfer, {"theta": [0.3]}, fixed={"n": 20, "d": 40, "sigma": 0.2},
                instances=6, seed=1, progress=False)
    assert {r["quantity"] for r in res.rows} == {"scratch", "linear_transfer", "transferability"}


def test_point_seeds_do_not_depend_on_grid_order_or_size():
    a = _run()
    b = sweep(simulate_min_norm_risk, {"sigma": [0.2, 0.0, 0.5], "n": [60, 40, 20]}, fixed={"d": 40},
              instances=12, seed=5, progress=False)
    for n in (20, 60):
        for s in (0.0, 0.2):
            np.testing.assert_array_equal(a.estimate(n=n, sigma=s).samples, b.estimate(n=n, sigma=s).samples)


def test_process_pool_equals_serial_bit_for_bit():
    assert _run().records == _run(executor="processes", workers=2).records


@pytest.mark.slow
def test_dask_local_cluster_equals_serial_bit_for_bit():
    pytest.importorskip("distributed")
    assert _run().records == _run(executor="dask", workers=2).records


def test_store_resumes(tmp_path):
    first = sweep(simulate_min_norm_risk, {"n": [20], "sigma": [0.0, 0.2]}, fixed={"d": 40}, instances=12,
                  seed=5, store=str(tmp_path), progress=False)
    assert first.computed == 2
    full = _run(store=str(tmp_path))
    assert (full.loaded, full.computed) == (2, 2)
    again = _run(store=str(tmp_path))
    assert (again.loaded, again.computed) == (4, 0)
    assert again.records == _run().records


@pytest.mark.parametrize("kwargs,match", [
    ({"grid": {}}, "grid="), ({"executor": "gpu"}, "executor="), ({"instances": 0}, "instances="),
    ({"seed": -1}, "seed="), ({"fixed": {"d": 40, "n": 3}}, "both swept and fixed"),
])
def test_bad_arguments(kwargs, match):
    args = {"grid": GRID, "fixed": {"d": 40}, "instances": 5, "seed": 0, "progress": False, **kwargs}
    grid = args.pop("grid")
    with pytest.raises(ValueError, match=match):
        sweep(simulate_min_norm_risk, grid, **args)


@pytest.mark.slow
def test_killed_sweep_resumes_and_recomputes_nothing_finished(tmp_path):
    """Kill the CLI sweep with SIGKILL mid-way; rerun: finished points are loaded, not recomputed."""
    store = tmp_path / "store"
    cmd = [sys.executable, "-m", "ftheory.cli", "sweep", "scratch", "--grid", "n=20:240:20", "--set", "d=120",
           "--set", "sigma=0.2", "--instances", "200", "--seed", "7", "--store", str(store), "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:
        done = [f for f in os.listdir(store)] if store.exists() else []
        if len([f for f in done if f.endswith(".json") and not f.startswith(".tmp")]) >= 3:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    finished = {f: (store / f).stat().st_mtime_ns for f in os.listdir(store) if not f.startswith(".tmp")}
    assert 3 <= len(finished) < 12, "the sweep must be killed mid-way for this test to mean anything"
    for f in finished:  # every stored point is complete, valid JSON
        json.loads((store / f).read_text())
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    assert data["loaded"] == len(finished) and data["computed"] == 12 - len(finished)
    assert {f: (store / f).stat().st_mtime_ns for f in finished} == finished  # not rewritten
    fresh = subprocess.run(cmd[:-3] + ["--store", str(tmp_path / "fresh"), "--json"], capture_output=True,
                           text=True, check=True)
    assert json.loads(fresh.stdout)["rows"] == data["rows"]
