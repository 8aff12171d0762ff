"""gamma = n/d in the simulators (ftheory/simulate/gamma.py) and the one row-index convention of row
records (ftheory/simulate/rowkeys.py), with the legacy ``T_ft@2`` names of older stores."""

import inspect
import json
import os

import numpy as np
import pytest

from ftheory.simulate import aniso, linear, linear_grid, linear_ridge, paired, paired_rows
from ftheory.simulate.deep_linear import lam_grid
from ftheory.simulate.gamma import maps_gamma, n_from_gamma
from ftheory.simulate.rowkeys import parse_row_key, row_key, row_quantity, upgrade_record
from ftheory.simulate.sweeps import point_seed, sweep


def test_n_from_gamma_is_round_gamma_d_and_names_gamma_its_value_and_domain():
    assert [n_from_gamma(g, 40) for g in (0.025, 0.1, 0.5, 1.5, 2.0)] == [1, 4, 20, 60, 80]
    assert n_from_gamma(0.3, 40) == int(round(0.3 * 40)) and n_from_gamma(0.5, 5) == 2   # Python's round: half to even
    assert n_from_gamma(0.5, np.int64(40)) == 20 and n_from_gamma(np.float64(0.5), 40.0) == 20
    with pytest.raises(ValueError, match=r"^gamma=0.01 is invalid at d=40: n = round\(gamma d\) = 0, expected n >= 1 "
                                         r"\(domain at this d: round\(gamma d\) >= 1; gamma >= 0.025 suffices\)$"):
        n_from_gamma(0.01, 40)
    with pytest.raises(ValueError, match=r"^gamma=0.1 is invalid at d=40: .* = 4, expected n >= 5"):
        n_from_gamma(0.1, 40, min_n=5)
    for bad in (float("nan"), float("inf"), "x", None, True):
        with pytest.raises(ValueError, match=rf"^gamma={bad!r} is invalid: expected a finite number"):
            n_from_gamma(bad, 40)
    for bad in (0, 2.5, -3, "40", True):
        with pytest.raises(ValueError, match=rf"^d={bad!r} is invalid: expected an integer >= 1"):
            n_from_gamma(0.5, bad)


EV = np.linspace(2.0, 0.5, 12) * 12 / np.linspace(2.0, 0.5, 12).sum()
B_T = np.ones(12) / np.sqrt(12)
B_S = np.r_[np.ones(6), np.zeros(6)] / np.sqrt(6)
CASES = [  # (simulator, call with n, the same call with gamma), d = 12 (gamma 0.5 -> n = 6)
    (linear.simulate_min_norm_risk, dict(n=6, d=12, sigma=0.2), dict(gamma=0.5, d=12, sigma=0.2)),
    (linear.simulate_scratch_and_transfer, dict(n=6, d=12, theta=0.4, sigma=0.2), dict(gamma=0.5, d=12, theta=0.4, sigma=0.2)),
    (linear_ridge.simulate_ridge_risk, dict(n=6, d=12, sigma=0.2, lam=0.1), dict(gamma=0.5, d=12, sigma=0.2, lam=0.1)),
    (linear_grid.transfer_grid_estimates, dict(n=6, d=12, thetas=[0.3, 1.0], sigma=0.2),
     dict(gamma=0.5, d=12, thetas=[0.3, 1.0], sigma=0.2)),
    (paired_rows.simulate_lt_finite_source_rows, dict(n=6, d=12, sigma=0.2, gamma_s=0.5, sigma_s=0.1, thetas=[0.3]),
     dict(gamma=0.5, d=12, sigma=0.2, gamma_s=0.5, sigma_s=0.1, thetas=[0.3])),
    (paired.simulate_lt_finite_source_paired, dict(n=6, d=12, theta=0.3, sigma=0.2, gamma_s=0.5, sigma_s=0.1),
     dict(gamma=0.5, d=12, theta=0.3, sigma=0.2, gamma_s=0.5, sigma_s=0.1)),
    (aniso.simulate_aniso_transfer, dict(eigenvalues=EV, beta_s=B_S, beta_t=B_T, n=6, sigma=0.2),
     dict(eigenvalues=EV, beta_s=B_S, beta_t=B_T, gamma=0.5, sigma=0.2)),
]


@pytest.mark.parametrize("fn, by_n, by_gamma", CASES, ids=[c[0].__name__ for c in CASES])
def test_simulators_take_gamma_and_give_the_numbers_of_their_n(fn, by_n, by_gamma):
    assert "gamma" in inspect.signature(fn).parameters and maps_gamma(fn)
    a, b = fn(**by_n, instances=3, seed=5), fn(**by_gamma, instances=3, seed=5)
    a, b = (a, b) if isinstance(a, dict) else ({"risk": a}, {"risk": b})
    assert list(a) == list(b)
    for q in a:
        assert np.array_equal(a[q].samples, b[q].samples), q
    with pytest.raises(ValueError, match=rf"^{fn.__name__}: give n or gamma"):
        fn(**by_n, gamma=0.5, instances=2)
    with pytest.raises(ValueError, match=r"^gamma=0.01 is invalid at d=12: n = round\(gamma d\) = 0"):
        fn(**{**by_gamma, "gamma": 0.01}, instances=2)


def test_every_simulator_that_takes_n_and_d_takes_gamma():
    from ftheory.simulate import linear_source
    from ftheory.simulate.deep_linear import montecarlo

    for mod in (linear, linear_grid, linear_ridge, linear_source, paired, paired_rows, lam_grid, montecarlo, aniso):
        for name in mod.__all__:
            fn = getattr(mod, name)
            if not callable(fn) or inspect.isclass(fn):
                continue
            params = inspect.signature(fn).parameters
            if "n" in params and ("d" in params or "eigenvalues" in params):
                assert "gamma" in params and maps_gamma(fn), f"{mod.__name__}.{name}"


def test_a_gamma_sweep_of_a_spectrum_simulator_takes_d_from_the_spectrum(tmp_path):
    fixed = {"eigenvalues": EV.tolist(), "beta_t": B_T.tolist(), "sigma": 0.2}
    res = sweep(aniso.simulate_aniso_scratch_risk, {"gamma": [0.25, 1.5]}, fixed=fixed, instances=3, seed=2,
                progress=False)
    assert res.values("n") == [3, 18] and [r["n"] for r in res.rows] == [3, 18]
    direct = aniso.simulate_aniso_scratch_risk(EV, B_T, 18, 0.2, instances=3, seed=point_seed(2, {"n": 18}))
    assert np.array_equal(res.estimate("risk", gamma=1.5).samples, direct.samples)
    with pytest.raises(ValueError, match=r"^gamma=0.01 is invalid at d=12"):
        sweep(aniso.simulate_aniso_scratch_risk, {"gamma": [0.5, 0.01]}, fixed=fixed, instances=2, progress=False)


def test_gamma_sweeps_label_points_by_gamma_and_n_and_share_the_point_of_one_n():
    res = sweep(linear.simulate_min_norm_risk, {"gamma": [0.1, 0.12, 0.5], "sigma": [0.0, 0.2]}, fixed={"d": 10},
                instances=3, seed=1, progress=False)
    ds = res.to_xarray()
    assert ds.n.dims == ("gamma", "sigma") and ds.n.values.tolist() == [[1, 1], [1, 1], [5, 5]]
    assert res.values("n") == [1, 5]
    # gamma = 0.1 and 0.12 both run at n = 1: one experiment, the same draws
    assert np.array_equal(res.estimate("risk", gamma=0.1, sigma=0.2).samples,
                          res.estimate("risk", gamma=0.12, sigma=0.2).samples)
    pytest.importorskip("xarray")
    from ftheory.labeled import sweep_dataset

    assert sweep_dataset(res)["n"].sel(gamma=0.5, sigma=0.2).item() == 5 and sweep_dataset(res)["n"].dims == ("gamma", "sigma")
    fixed_gamma = sweep(linear.simulate_min_norm_risk, {"sigma": [0.2]}, fixed={"d": 10, "gamma": 0.5}, instances=3,
                        seed=1, progress=False)
    assert np.array_equal(fixed_gamma.estimate("risk", sigma=0.2).samples,
                          linear.simulate_min_norm_risk(5, 10, 0.2, instances=3, seed=point_seed(1, {"sigma": 0.2})).samples)


def test_row_keys_have_one_convention_and_read_the_legacy_one():
    assert row_key("T_ft", 2) == "T_ft:2" and row_key("transferability", 1, 0) == "transferability:1:0"
    assert linear_grid.grid_key is row_key and paired_rows.row_key is row_key
    assert parse_row_key("T_ft:2") == ("T_ft", (2,)) and parse_row_key("transferability:1:0") == ("transferability", (1, 0))
    assert parse_row_key("T_ft@2") == ("T_ft", (2,)) and parse_row_key("risk") == ("risk", ())
    assert row_quantity("c_gd@11") == ("c_gd", True) and row_quantity("scratch - linear_transfer") == \
        ("scratch - linear_transfer", False)
    rec = {"point": {"n": 4}, "quantities": {"T_lt@0": 1, "T_lt@1": 2, "risk": 3}}
    assert list(upgrade_record(rec)["quantities"]) == ["T_lt:0", "T_lt:1", "risk"]
    assert upgrade_record({"point": {}, "quantities": {"a:1": 1}})["quantities"] == {"a:1": 1}


def test_a_store_filled_by_a_gamma_sweep_reads_back_along_n_with_gamma_a_swap_away(tmp_path):
    """A store is read along n (the sample size each point ran at; a gamma point is stored as its n point), with
    gamma = n/d as a coordinate, so that its dimensions do not depend on which sweeps filled it; swap_dims gives the
    gamma sweep's own indexing (docs/index.md). Indexing by gamma when every point was asked as gamma was tried on
    5 December 2026 and reverted: the dimensions then changed with the store's history and broke reproduce_dataset's
    readers."""
    pytest.importorskip("xarray")
    from ftheory.labeled import store_dataset, sweep_dataset

    kw = dict(fixed={"d": 10, "sigma": 0.2}, instances=3, seed=1, progress=False, store=str(tmp_path))
    res = sweep(linear.simulate_min_norm_risk, {"gamma": [0.5, 2.0]}, **kw)
    ds = store_dataset(str(tmp_path))
    assert ds["mean"].dims == ("n", "quantity") and ds["gamma"].values.tolist() == [0.5, 2.0]
    by_gamma, expected = ds.swap_dims(n="gamma"), sweep_dataset(res)
    assert by_gamma["mean"].dims == ("gamma", "quantity") and by_gamma["n"].values.tolist() == [5, 20]
    np.testing.assert_array_equal(by_gamma["mean"].values, expected["mean"].values)
    sweep(linear.simulate_min_norm_risk, {"n": [5, 20, 30]}, **kw)
    assert store_dataset(str(tmp_path))["mean"].dims == ("n", "quantity")


def test_a_store_written_with_legacy_row_names_resumes_and_reads_the_same(tmp_path):
    """Stores from before the one convention name rows ``T_lt@j``: a resumed sweep loads them (no point
    recomputed) under the names ``T_lt:j``, and store_dataset gives the same labeled data."""
    pytest.importorskip("xarray")
    from ftheory.labeled import store_dataset

    kw = dict(fixed={"d": 12, "sigma": 0.2, "gamma_s": 0.5, "sigma_s": 0.1, "thetas": [0.3, 1.1]}, instances=3, seed=4,
              progress=False)
    new, old = tmp_path / "new", tmp_path / "old"
    fresh = sweep(paired_rows.simulate_lt_finite_source_rows, {"n": [4, 8]}, store=str(new), **kw)
    os.makedirs(old)
    for f in os.listdir(new):
        rec = json.loads((new / f).read_text())
        rec["quantities"] = {q.replace(":", "@"): v for q, v in rec["quantities"].items()}   # as stores were written
        (old / f).write_text(json.dumps(rec))
    resumed = sweep(paired_rows.simulate_lt_finite_source_rows, {"gamma": [4 / 12, 8 / 12]}, store=str(old), **kw)
    assert (resumed.loaded, resumed.computed) == (2, 0)
    for n in (4, 8):
        for j in range(2):
            assert np.array_equal(resumed.estimate(row_key("T_lt", j), n=n).samples,
                                  fresh.estimate(row_key("T_lt", j), n=n).samples)
    a, b = store_dataset(str(new)), store_dataset(str(old))
    assert a.sizes == b.sizes and a["theta"].values.tolist() == [0.3, 1.1]
    np.testing.assert_array_equal(a["mean"].values, b["mean"].values)


@pytest.mark.parametrize("fn, kw", [
    (paired.simulate_lt_finite_source_paired, dict(n=6, d=12, theta=0.3, sigma=0.2, gamma_s=0.01, sigma_s=0.1)),
    (paired_rows.simulate_lt_finite_source_rows, dict(n=6, d=12, sigma=0.2, gamma_s=0.01, sigma_s=0.1, thetas=[0.3])),
    (paired_rows.simulate_finetune_rows, dict(n=6, d=12, sigma=0.2, gamma_s=0.01, thetas=[0.3])),
])
def test_the_source_count_uses_the_same_conversion(fn, kw):
    """n_s = round(gamma_s d) through n_from_gamma too, with the message naming gamma_s at this d."""
    with pytest.raises(ValueError, match=r"^gamma_s=0.01 is invalid at d=12: n_s = round\(gamma_s d\) = 0, expected "
                                         r"n_s >= 1 \(domain at this d: round\(gamma_s d\) >= 1; gamma_s >= 0.0833333"):
        fn(**kw, instances=2, seed=0)
