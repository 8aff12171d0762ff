"""Notebook display, labeled grids and datasets, quick plots, and `ftheory show` branch lines."""
import json
import math

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import ftheory  # noqa: E402
from ftheory.display import html_card, labels, piecewise_lines, unicode_names  # noqa: E402
from ftheory.labeled import reproduce_dataset, store_dataset, sweep_dataset, to_dataset  # noqa: E402
from ftheory.simulate.estimate import MCEstimate  # noqa: E402

# -- display ------------------------------------------------------------------------------------


def test_repr_latex_is_display_math_of_the_formula():
    r = ftheory.get("scratch_risk")
    tex = r._repr_latex_()
    assert tex.startswith("$$") and tex.endswith("$$")
    assert r.latex() in tex and r"\mathtt{scratch\_risk}" in tex


def test_repr_latex_of_a_long_formula_uses_named_subexpressions():
    tex = ftheory.get("wasserstein1_lower_bound")._repr_latex_()
    assert r"\begin{aligned}" in tex and r"\text{where } A_{1} &=" in tex and "A_{2} &=" in tex


def test_html_card_lists_parameters_domains_reference_and_labels():
    r = ftheory.get("scratch_ridge_risk")
    card = r._repr_html_()
    for p in r.params:
        assert f"<code>{p}</code>" in card
    assert "[0, inf)" in card and "docs/background.md §3.5" in card and "THEORY.md" not in card
    assert ">approximate</span>" in card and ">extension</span>" in card
    assert "$$" in card  # the formula, typeset by the notebook's MathJax
    assert "$$" not in html_card(r, formula=False)


@pytest.mark.parametrize("name, badges", [("scratch_risk", ["approximate"]),
                                          ("scratch_risk_finite", ["exact", "extension"]),
                                          ("wasserstein1_upper_bound", ["bound"]),
                                          ("lt_boundary_lower", ["approximate"]),
                                          ("relu_arccos_kernel", ["exact"])])
def test_labels(name, badges):
    assert labels(ftheory.get(name))["badges"] == badges


def test_piecewise_lines_one_line_per_branch():
    r = ftheory.get("scratch_ridge_risk")
    lines = piecewise_lines(r.expr, unicode_names(r.params))
    assert len(lines) == len(r.expr.args)
    assert lines[0] == "λ = 0 ∧ γ < 1: -γ*σ^2/(γ - 1) + ‖βₜ‖^2*(1 - γ)"
    assert lines[-1].startswith("otherwise: ")
    assert all("\n" not in line and "↪" not in line for line in lines)


def test_cli_show_prints_branch_lines(capsys):
    from ftheory.cli import main

    assert main(["show", "scratch_ridge_risk"]) == 0
    out = capsys.readouterr().out
    # each branch with the condition under which it is taken (tests/test_piecewise_text.py)
    assert "↪" not in out and "λ = 0 ∧ γ < 1: " in out and "\nγ = 1 ∧ λ > 0: " in out
    assert "docs/background.md §3.5" in out
    assert main(["show", "wasserstein2_task"]) == 0
    out = capsys.readouterr().out
    assert "↪" not in out and "\nwhere\n  A_1 = " in out
    assert max(len(line) for line in out.splitlines()) < 260  # was one 7000-character expression


# -- labeled grids ------------------------------------------------------------------------------

def test_grid_is_labeled_and_matches_the_evaluator():
    r = ftheory.get("linear_transfer_transferability")
    gamma, theta = np.linspace(0.1, 2, 7), np.array([0.2, 0.7, 1.3])
    da = r.grid(gamma=gamma, theta=theta, sigma=0.2)
    assert da.dims == ("gamma", "theta") and da.name == r.name
    np.testing.assert_array_equal(da.values, r(gamma=gamma[:, None], theta=theta[None, :], sigma=0.2))
    np.testing.assert_array_equal(da.gamma.values, gamma)
    assert da.attrs["result"] == r.name and da.attrs["sigma"] == 0.2 and da.attrs["depth"] == 2
    assert da.attrs["latex"].startswith(r"\mathtt{linear\_transfer\_transferability}")
    assert da.attrs["fixed"] == "sigma=0.2, lam=0, norm_t=1, norm_s=1, depth=2"
    assert da.gamma.attrs["latex"] == r"\gamma" and da.theta.attrs["domain"] == "[0, pi]"
    # order of the keyword arguments decides the order of the dimensions
    assert r.grid(theta=theta, gamma=gamma, sigma=0.2).dims == ("theta", "gamma")
    frame = da.to_dataframe()
    assert len(frame) == gamma.size * theta.size


@pytest.mark.parametrize("kwargs, message", [
    ({"gamma": 0.5, "sigma": 0.2}, "at least one parameter as a one-dimensional array"),
    ({"gamma": [[0.5]], "sigma": 0.2}, "shape (1, 1)"),
    ({"gamma": [0.5], "sigma": -1.0}, "sigma=-1.0 is out of its domain"),
    ({"gamma": [-0.5], "sigma": 0.2}, "gamma=-0.5 is out of its domain"),
    ({"gamma": [0.5], "theta": [0.1]}, "unknown parameter 'theta'"),
    ({"gamma": []}, "empty"),
])
def test_grid_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=__import__("re").escape(message)):
        ftheory.get("scratch_risk").grid(**kwargs)


def test_numeric_path_does_not_import_xarray_or_sympy():
    import subprocess
    import sys

    code = ("import sys, ftheory; ftheory.get('scratch_risk')(gamma=0.5, sigma=0.2); "
            "from ftheory.cli import main; main(['eval', 'scratch_risk', 'gamma=0.5', 'sigma=0.2']); "
            "print(sorted(m for m in ('xarray', 'pandas', 'sympy', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


# -- datasets -----------------------------------------------------------------------------------

def _est(values, converged=None):
    return MCEstimate(np.asarray(values, float), None if converged is None else np.asarray(converged, bool))


def test_to_dataset_of_one_estimate_and_of_a_dict():
    e = _est([1.0, 2.0, 3.0, 6.0], [True, True, False, True])
    ds = to_dataset(e)
    assert float(ds["mean"]) == 3.0 and float(ds["sem"]) == pytest.approx(math.sqrt(14 / 3) / 2, rel=1e-15)
    assert int(ds["instances"]) == 4 and int(ds["converged"]) == 3
    both = to_dataset({"sc": e, "lt": _est([0.5, 0.5])})
    assert list(both["quantity"].values) == ["sc", "lt"] and float(both["mean"].sel(quantity="lt")) == 0.5


def test_to_dataset_over_a_grid_adds_gamma():
    ests = [_est([k, k + 1.0]) for k in range(6)]
    ds = to_dataset(ests, {"n": [10, 20, 30], "theta": [0.1, 0.2]}, attrs={"d": 20})
    assert ds["mean"].dims == ("n", "theta")
    assert float(ds["mean"].sel(n=20, theta=0.2)) == 3.5  # row-major: the 4th estimate
    np.testing.assert_array_equal(ds.gamma.values, [0.5, 1.0, 1.5])
    with pytest.raises(ValueError, match="3 estimates for a grid of shape"):
        to_dataset(ests[:3], {"n": [1, 2], "theta": [0.1, 0.2]})
    with pytest.raises(ValueError, match="needs coords"):
        to_dataset(ests)


@pytest.fixture(scope="module")
def small_sweep(tmp_path_factory):
    from ftheory.cli import main

    store = tmp_path_factory.mktemp("store")
    out = tmp_path_factory.mktemp("json") / "sweep.json"
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["sweep", "scratch-and-transfer", "--grid", "n=10,30", "--grid", "theta=0.3,1.2",
                     "--set", "d=20", "--set", "sigma=0.1", "--instances", "4", "--store", str(store), "--json"]) == 0
    out.write_text(buf.getvalue())
    return store, out


def test_sweep_json_and_store_read_back_to_the_same_dataset(small_sweep):
    store, out = small_sweep
    from_json = sweep_dataset(str(out))
    from_store = sweep_dataset(store)
    assert from_json["mean"].dims == ("n", "theta", "quantity")
    assert set(from_json["quantity"].values) == {"scratch", "linear_transfer", "transferability"}
    for v in ("mean", "sem", "std", "instances", "converged"):
        np.testing.assert_array_equal(from_json[v].values, from_store[v].values)
    assert from_json.attrs["d"] == 20 and from_store.attrs["d"] == 20
    np.testing.assert_array_equal(from_json.gamma.values, [0.5, 1.5])
    rows = json.loads(out.read_text())["rows"]
    row = rows[0]
    assert float(from_json["mean"].sel(n=row["n"], theta=row["theta"], quantity=row["quantity"])) == row["mean"]
    frame = from_json.to_dataframe()
    assert len(frame) == len(rows)
    assert sweep_dataset(json.loads(out.read_text()))["mean"].equals(from_json["mean"])


def test_reproduce_dataset_reads_each_store_folder(small_sweep, tmp_path):
    import shutil

    store, _ = small_sweep
    shutil.copytree(store, tmp_path / "store" / "tiny" / "1" / "lt-phase")
    found = reproduce_dataset(tmp_path)
    assert list(found) == ["tiny/1/lt-phase"]
    assert found["tiny/1/lt-phase"]["mean"].equals(store_dataset(store)["mean"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="holds no simulation store"):
        reproduce_dataset(tmp_path / "empty")
    with pytest.raises(ValueError, match="not sweep JSON"):
        sweep_dataset("{not json")


# -- plots --------------------------------------------------------------------------------------

def test_line_plot_and_simulation_overlay():
    from ftheory.plotting import plot_simulation

    r = ftheory.get("scratch_risk")
    gamma = np.linspace(0.05, 3, 50)
    ax = r.plot(gamma=gamma, sigma=0.2)
    (line,) = ax.get_lines()
    x, y = line.get_data()
    np.testing.assert_array_equal(x, gamma)
    want = r(gamma=gamma, sigma=0.2)
    np.testing.assert_array_equal(y[np.isfinite(want)], want[np.isfinite(want)])
    assert "sigma" not in ax.get_xlabel() and ax.get_xlabel() == r"$\gamma$"
    ds = to_dataset([_est([0.5, 0.7]), _est([0.2, 0.2])], {"n": [10, 30]}, attrs={"d": 20})
    plot_simulation(ax, ds, x="gamma")
    bars = ax.containers[-1]
    np.testing.assert_array_equal(bars.lines[0].get_xdata(), [0.5, 1.5])
    np.testing.assert_allclose(bars.lines[0].get_ydata(), [0.6, 0.2], rtol=0, atol=1e-15)
    with pytest.raises(ValueError, match="x='theta' is not a coordinate"):
        plot_simulation(ax, ds, x="theta")
    import matplotlib.pyplot as plt

    plt.close("all")


def test_phase_map_draws_the_registered_boundaries():
    import matplotlib.pyplot as plt

    r = ftheory.get("linear_transfer_transferability")
    ax = r.plot(gamma=np.linspace(0.01, 2, 40), theta=np.linspace(0, np.pi / 2, 30), sigma=0.2)
    labels_drawn = [line.get_label() for line in ax.get_lines()]
    assert {r"$\gamma_-$", r"$\gamma_+$", r"$\gamma_{\rm over}$"} <= set(labels_drawn)
    assert ax.get_xlabel() == r"$\theta$"
    ax = ftheory.get("finetune_transferability_gf").plot(gamma=np.linspace(0.01, 2, 20),
                                                          theta=np.linspace(0, np.pi / 2, 20), sigma=0.2)
    assert r"$\theta^*(\gamma)$" in [line.get_label() for line in ax.get_lines()]
    ax = ftheory.get("scratch_ridge_risk").plot(gamma=np.linspace(0.1, 2, 10), lam=np.linspace(0.01, 1, 5), sigma=0.2)
    assert ax.get_xlabel() == r"$\gamma$" and ax.get_ylabel() == r"$\lambda$"
    with pytest.raises(ValueError, match="one or two parameters"):
        ftheory.get("scratch_ridge_risk").plot(gamma=[0.5, 1.5], lam=[0.1, 0.2], sigma=[0.1, 0.2])
    plt.close("all")


def test_docstring_examples_run():
    import doctest

    import ftheory.labeled

    assert doctest.testmod(ftheory.labeled).failed == 0


def test_a_store_shared_by_two_runs_names_the_folder_and_the_cause(tmp_path):
    """A rerun with more --instances into the same --store (each point's file is keyed on instances and seed)
    left records that store_dataset refused with 'records repeat a point of (n, quantity)'; the message now
    names the folder, the point, the instance counts and the remedy."""
    from ftheory.simulate.linear import simulate_min_norm_risk
    from ftheory.simulate.sweeps import sweep

    for instances in (4, 6):
        sweep(simulate_min_norm_risk, {"n": [10, 30]}, fixed={"d": 20, "sigma": 0.1}, instances=instances, seed=0,
              store=str(tmp_path), progress=False)
    with pytest.raises(ValueError, match=r"folder='.*' holds 2 records of the point n=(10|30) \(quantity 'risk'\) "
                                         r"with 4, 6 instances: .*one --store folder per run"):
        store_dataset(tmp_path)


def test_repeated_points_outside_a_store_are_refused_by_the_same_check():
    """One duplicate check serves both paths (store_dataset checked twice before): sweep JSON whose rows repeat a
    point is refused without a folder to name, a store's repeats name it (test above)."""
    from ftheory.simulate.linear import simulate_min_norm_risk
    from ftheory.simulate.sweeps import sweep

    r = sweep(simulate_min_norm_risk, {"n": [10, 30]}, fixed={"d": 20, "sigma": 0.1}, instances=4, seed=0,
              progress=False)
    assert sweep_dataset({"grid": r.grid, "rows": r.rows})["mean"].shape == (2, 1)
    with pytest.raises(ValueError, match=r"^records repeat a point of \(n, quantity\); they do not form one grid$"):
        sweep_dataset({"grid": r.grid, "rows": r.rows + r.rows})
