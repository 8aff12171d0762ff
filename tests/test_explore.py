"""The explorer on the Python side: generated JavaScript, page assembly, sweep data, CLI.

The browser half (values computed by the page, sliders, screenshots) is tests/test_explore_browser.py.
"""
import json
import math
import os
import re

import numpy as np
import pytest
import sympy as sp

import ftheory
from ftheory.cli import main
from ftheory.explore import data as explore_data
from ftheory.explore import jsgen, page
from ftheory.params import PARAMS


# -- generated evaluators ----------------------------------------------------------------------

@pytest.mark.slow  # builds and prints every expression: ~15 s alone, less after tests/test_codegen.py
def test_generated_js_is_up_to_date():
    """Fails when a result changed and `python -m ftheory.explore.jsgen` was not rerun."""
    assert jsgen.TARGET.read_text() == jsgen.generate_source(), \
        "ftheory/explore/assets/evaluators.js is stale: run `python -m ftheory.generate`"


def test_every_result_is_generated_or_listed_with_a_reason():
    text = jsgen.TARGET.read_text()
    unsupported = json.loads(re.search(r"^  unsupported: (.*),$", text, re.M).group(1))
    hashes = page.read_hashes(text)
    names = {r.name for r in ftheory.results()}
    assert set(hashes) == names
    for name in names:
        assert (f"R.{name} = " in text) != (name in unsupported), name
    assert all(len(reason) > 20 for reason in unsupported.values())
    # the results the widgets rely on that need the runtime (quadrature, implicit root) are generated
    for name in ("linear_transfer_risk_finite", "finetune_transferability_gf", "finetune_scale",
                 "finetune_break_even_theta_gf"):
        assert name not in unsupported
    # ... and so are the ReLU Mercer results built on the Beta function (runtime beta)
    for name in ("relu_funk_hecke", "relu_gaussian_eigenvalue", "relu_hermite_coefficient_sq", "relu_sphere_eigenvalue",
                 "relu_uniform_kernel_eigenvalue", "sphere_harmonic_multiplicity", "step_funk_hecke",
                 "step_sphere_eigenvalue"):
        assert name in hashes and name not in unsupported and "beta(" in text.split(f"// {name}:")[1].split("R.")[0]


def test_hashes_match_the_numpy_evaluators():
    """The page's staleness check compares these tables; they must agree for a fresh file."""
    assert page.read_hashes(jsgen.TARGET.read_text()) == page._registry_hashes()


def _js(expr, **symbols):
    return jsgen.JSPrinter().doprint(expr)


def test_printer_powers_match_numpy_conventions():
    x, y = sp.symbols("x y", positive=True)
    assert _js(x ** 2) == "sq(x)"
    assert _js(x ** -2) == "1/sq(x)"
    assert _js(sp.sqrt(x)) == "Math.sqrt(x)"
    assert _js(1 / (x - 1)) == "1/(x - 1)"
    assert _js(x ** y) == "Math.pow(x, y)"
    assert _js(sp.Min(x, 1)) == "Math.min(1, x)"
    assert _js(sp.oo) == "Number.POSITIVE_INFINITY"


def test_printer_integral_and_custom_functions():
    x, v = sp.symbols("x v", positive=True)
    assert _js(sp.Integral(sp.exp(-x * v), (v, 0, sp.oo))) == "quad((v) => Math.exp(-v*x), 0, Number.POSITIVE_INFINITY)"
    from ftheory.theory.finetune import PositiveRoot

    assert _js(PositiveRoot(3, x, 2 * x)) == "positiveRoot(3, x, 2*x)"

    from ftheory.theory.relu import Beta

    assert _js(Beta(x / 2, v + sp.Rational(1, 2))) == "beta((1/2)*x, v + 1/2)"

    class WithHook(sp.Function):
        def _javascript_code(self, printer):
            return f"hook({printer.doprint(self.args[0])})"

    assert _js(WithHook(x) + 1) == "hook(x) + 1"


def test_unsupported_functions_are_refused_not_guessed():
    x = sp.Symbol("x", positive=True)
    with pytest.raises(jsgen.Unsupported, match="besselj"):
        jsgen.result_source("probe", sp.besselj(0, x), ("gamma",))

    class Mystery(sp.Function):
        pass

    with pytest.raises(jsgen.Unsupported, match="Mystery"):
        _js(Mystery(x))
    with pytest.raises(jsgen.Unsupported, match="oo"):
        _js(sp.Integral(sp.exp(x), (x, -sp.oo, 0)))


def test_piecewise_becomes_a_branch_chain_in_numpy_order():
    g = PARAMS["gamma"].symbol
    expr = sp.Piecewise((1 / (1 - g), g < 1), (1 / (g - 1), g > 1), (sp.oo, True))
    src = jsgen.result_source("probe", expr, ("gamma",))
    lines = [line.strip() for line in src.splitlines()]
    assert lines[1] == "if (gamma < 1) return 1/(1 - gamma);"
    assert lines[2] == "if (gamma > 1) return 1/(gamma - 1);"
    assert lines[3] == "return Number.POSITIVE_INFINITY;"
    no_default = sp.Piecewise((g, g < 1))
    assert "return NaN;" in jsgen.result_source("probe", no_default, ("gamma",))


def test_separable_results_are_split_like_the_numpy_evaluator():
    # linear_transfer_transferability itself now has a cancellation-free stable form (ftheory.stable)
    r = ftheory.get("linear_transfer_transferability_tuned")
    src = jsgen.result_source(r.name, r.expr, r.params)
    assert "const shared = " in src and "sq(Math.sin(theta))" in src.split("const shared = ")[1]


def test_quadrature_nodes_are_numpy_gauss_legendre():
    text = jsgen.TARGET.read_text()
    xs = json.loads(re.search(r"^  GL_X: (\[.*\]),$", text, re.M).group(1))
    ws = json.loads(re.search(r"^  GL_W: (\[.*\]),$", text, re.M).group(1))
    x, w = np.polynomial.legendre.leggauss(jsgen.QUAD_ORDER)
    assert xs == x.tolist() and ws == w.tolist()


# -- page --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def html_text():
    return page.build_page()


def test_page_is_self_contained(html_text):
    assert html_text.startswith("<!doctype html>")
    # no external resources of any kind: no src/href to another document, no @import or url()
    assert not re.search(r"\b(src|href)\s*=", html_text.replace('href="#', ""), re.I), "page references a resource"
    assert "@import" not in html_text and "url(" not in html_text
    assert not re.search(r"https?://", html_text), "page mentions a remote URL"
    for name in page._SCRIPTS:
        assert f"// ---- {name} ----" in html_text
    assert html_text.count("<script") == len(page._SCRIPTS) + 1  # + the JSON data block


def test_page_data_block(html_text):
    block = html_text.split('id="ft-page-data">', 1)[1].split("</script>", 1)[0]
    data = json.loads(block)
    assert {s["name"] for s in data["specs"]} == {r.name for r in ftheory.results()}
    assert data["params"]["theta"]["high"] == pytest.approx(math.pi) and data["params"]["gamma"]["high"] is None
    assert data["data"] == [] and data["dataSummary"] is None
    assert data["relu"]["reproduce"] is None and data["relu"]["defaults"]["nu"] == 1.18


def test_building_the_page_does_not_import_sympy(tmp_path):
    """With an up-to-date evaluators.js the page is assembled from files (0.4 s, no SymPy)."""
    import subprocess
    import sys

    code = ("import sys; from ftheory.explore.page import write_page; "
            f"write_page({str(tmp_path / 'e.html')!r}); print('sympy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr


def test_stale_evaluators_are_regenerated_with_a_warning(monkeypatch):
    monkeypatch.setattr(page, "_registry_hashes", lambda: {"some_new_result": "0" * 16})
    told = []
    text = page.evaluators_source(warn=told.append)
    assert told and "python -m ftheory.explore.jsgen" in told[0]
    assert text == jsgen.generate_source()


def test_inline_scripts_cannot_close_early():
    with pytest.raises(ValueError, match="</script"):
        page._script("var s = '</script>';", "probe.js")
    assert page._json_for_script({"a": "</script><!--"}) == '{"a": "<\\/script><\\!--"}'


# -- ReLU numbers (THEORY.md §10.3-§10.5) -----------------------------------------------------------

def test_default_residual_curve_is_the_seeded_teacher_projection(html_text):
    """The embedded curve: every mu = k/100 of the default teacher (d = m* = 100, seed 0), exact."""
    from ftheory.relu.projection import project_onto_span
    from ftheory.simulate.relu import draw_teacher

    block = json.loads(html_text.split('id="ft-page-data">', 1)[1].split("</script>", 1)[0])
    curve = block["relu"]["default"]
    assert (curve["d"], curve["m_star"], curve["seed"]) == (100, 100, 0)
    assert curve["mus"] == [k / 100 for k in range(100)] and curve["kept"] == [100 - k for k in range(100)]
    rel, ab = np.array(curve["relative"]), np.array(curve["absolute"])
    assert rel[0] == 0 and np.all((rel >= 0) & (rel <= 1)) and rel[-1] > 0.5
    assert np.all(np.diff(rel) >= -1e-12)  # the removed sets are nested: the residual grows with mu
    np.testing.assert_allclose(ab, rel * curve["norm_sq"], rtol=1e-12, atol=0)
    # an independent route: the span of the kept neurons as a basis of its own (project_onto_span)
    teacher = draw_teacher(100, 100, instances=1, seed=0)
    for k in (1, 30, 70, 99):
        keep = teacher.keep(k / 100)[0]
        p = project_onto_span(teacher.weights[0], teacher.coef[0], teacher.weights[0][keep])
        assert len(keep) == 100 - k
        assert p.outside_sq == pytest.approx(ab[k], rel=1e-8, abs=1e-12 * p.norm_sq)
    assert block["relu"]["defaults"]["A"] == pytest.approx(100 ** 1.18, rel=1e-15)


def test_load_reproduce_relu_reads_the_figure_data(tmp_path):
    from ftheory.explore.relu import load_reproduce_relu
    from ftheory.relu.powerlaw import boundary_n
    from tests._relu_figure_data import FIT, MUS, RELATIVE, write_reproduce_relu

    assert load_reproduce_relu(tmp_path) is None and load_reproduce_relu(tmp_path / "missing") is None
    run = load_reproduce_relu(write_reproduce_relu(str(tmp_path / "figs")))
    assert run["fit"]["A"] == FIT["A"] and run["fit"]["nu"] == FIT["nu"] and run["fit"]["A_ci"] == FIT["A_ci"]
    assert (run["scale"], run["seed"], run["d"], run["m_star"], run["fit_n_min"]) == ("default", 1, 20, 20, 80)
    assert run["n_star"]["mus"] == MUS and run["n_star"]["relative"] == RELATIVE
    assert run["n_star"]["n_star"][0] is None  # "inf": nothing outside at mu = 0
    np.testing.assert_allclose(run["n_star"]["n_star"][1:], boundary_n(FIT["A"], FIT["nu"], RELATIVE[1:]), rtol=1e-15)
    assert len(run["residual"]["mus"]) == 20 and run["residual"]["teachers"] == 200
    assert run["files"]["relu-phase.json"] == "data/relu-phase.json"
    # a broken or implausible fit is ignored, the rest is kept
    phase = tmp_path / "figs" / "data" / "relu-phase.json"
    stored = json.loads(phase.read_text())
    stored["data"]["fit"]["A"] = -1.0
    phase.write_text(json.dumps(stored))
    (tmp_path / "figs" / "data" / "relu-powerlaw.json").write_text("{")
    run = load_reproduce_relu(tmp_path / "figs")
    assert "fit" not in run and run["n_star"]["mus"] == MUS and "residual" in run


def test_load_data_accepts_a_folder_with_only_relu_figures(tmp_path):
    from tests._relu_figure_data import FIT, write_reproduce_relu

    records, summary, relu_run = page.load_data(write_reproduce_relu(str(tmp_path / "figs")))
    assert records == [] and summary is None and relu_run["fit"]["A"] == FIT["A"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="holds no sweep records.*nor the ReLU figure data"):
        page.load_data(tmp_path / "empty")


@pytest.mark.slow  # runs the tiny ReLU experiment of `ftheory reproduce` (~8 s)
def test_load_reproduce_relu_on_a_real_reproduce_run(tmp_path):
    """The loader against what `ftheory reproduce` really writes (catches a change of its format)."""
    from ftheory.explore.relu import load_reproduce_relu
    from ftheory.figures import reproduce
    from ftheory.relu.powerlaw import boundary_n

    reproduce(out=str(tmp_path), only=["relu-phase", "relu-powerlaw", "relu-projection"], scale="tiny", quiet=True)
    run = load_reproduce_relu(tmp_path)
    phase = json.loads((tmp_path / "data" / "relu-phase.json").read_text())["data"]
    assert run["fit"]["A"] == phase["fit"]["A"] and run["fit"]["nu"] == phase["fit"]["nu"]
    assert run["scale"] == "tiny" and run["d"] == phase["config"]["d"]
    rel = np.array(run["n_star"]["relative"])
    expected = boundary_n(run["fit"]["A"], run["fit"]["nu"], rel)
    got = np.array([np.inf if v is None else v for v in run["n_star"]["n_star"]])
    np.testing.assert_allclose(got[np.isfinite(expected)], expected[np.isfinite(expected)], rtol=1e-12)
    assert run["residual"]["teachers"] >= 1 and len(run["residual"]["relative"]) == len(run["residual"]["mus"])


# -- sweep data --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from ftheory.simulate import sweep
    from ftheory.simulate.linear import simulate_min_norm_risk, simulate_scratch_and_transfer

    root = tmp_path_factory.mktemp("store")
    sweep(simulate_scratch_and_transfer, {"n": [10, 30]}, fixed={"d": 20, "theta": math.pi / 4, "sigma": 0.2},
          instances=6, seed=3, store=str(root / "lt"), progress=False)
    sweep(simulate_min_norm_risk, {"n": [10]}, fixed={"d": 20, "sigma": 0.2}, instances=6, seed=3,
          store=str(root / "sc"), progress=False)
    (root / "notes.json").write_text('{"not": "a sweep record"}')
    (root / "broken.json").write_text("{")
    return root


def test_load_store_classifies_and_summarises(store):
    records, summary = explore_data.load_store(store)
    assert summary["files"] == 3 and summary["unreadable_files"] == 2
    assert summary["by_kind"] == {"scratch_risk": 3, "lt_risk": 2, "T_lt": 2}
    t = next(r for r in records if r["kind"] == "T_lt" and r["params"]["n"] == 30)
    assert t["params"]["gamma"] == 1.5 and t["params"]["theta"] == math.pi / 4 and t["instances"] == 6
    # mean and standard error are those of the stored samples
    stored = json.loads((store / t["file"]).read_text())["quantities"]["transferability"]["samples"]
    assert t["mean"] == pytest.approx(np.mean(stored), rel=1e-15)
    assert t["sem"] == pytest.approx(np.std(stored, ddof=1) / math.sqrt(6), rel=1e-14)


def _only_fixed_knows(n, d, theta, sigma, gamma_s=None, instances=4, seed=None):
    """A simulator whose info omits gamma_s (like the deep-linear fine-tuning twin used to)."""
    from ftheory.simulate.estimate import MCEstimate

    rng = np.random.default_rng(seed)
    return {"T_ft": MCEstimate(rng.normal(size=instances), np.ones(instances, bool),
                               {"n": n, "d": d, "theta": theta, "sigma": sigma})}


def test_records_carry_every_parameter_of_the_call(tmp_path):
    """gamma_s given only as a fixed sweep parameter reaches the record; a record without the
    call's parameters (an older store) is marked incomplete and counted."""
    from ftheory.simulate import sweep

    sweep(_only_fixed_knows, {"n": [8]}, fixed={"d": 16, "theta": 0.5, "sigma": 0.2, "gamma_s": 1.5},
          instances=4, seed=1, store=str(tmp_path / "fs"), progress=False)
    sweep(_only_fixed_knows, {"n": [8]}, fixed={"d": 16, "theta": 0.5, "sigma": 0.2},
          instances=4, seed=1, store=str(tmp_path / "pop"), progress=False)
    records, summary = explore_data.load_store(tmp_path)
    fs = next(r for r in records if r["file"].startswith("fs"))
    pop = next(r for r in records if r["file"].startswith("pop"))
    assert fs["params"]["gamma_s"] == 1.5 and fs["complete"] and summary["incomplete"] == 0
    assert "gamma_s" not in pop["params"] and pop["complete"]
    old = tmp_path / pop["file"]
    rec = json.loads(old.read_text())
    del rec["fixed"]
    old.write_text(json.dumps(rec))
    records, summary = explore_data.load_store(tmp_path)
    assert summary["incomplete"] == 1
    assert not next(r for r in records if r["file"].startswith("pop"))["complete"]


def test_structured_covariance_runs_are_not_drawn_as_isotropic_points(tmp_path):
    """A store of simulate_aniso_transfer (a power-law spectrum) was drawn on the isotropic risks widget: its scratch
    risk 0.17 at gamma = 0.6 beside the isotropic theory's 0.46. Records of a call with a spectrum or teacher
    vectors belong to no widget (the structured widget is the two-level closed form): they are counted as not shown."""
    from ftheory import aniso as A
    from ftheory.simulate import sweep
    from ftheory.simulate.aniso import simulate_aniso_transfer

    ev = A.power_law_spectrum(20, 1.0)
    bs, bt = A.window_pair(ev, 1.0)
    sweep(simulate_aniso_transfer, {"n": [8, 12]}, fixed={"eigenvalues": ev, "beta_s": bs, "beta_t": bt, "sigma": 0.2},
          instances=3, seed=1, store=str(tmp_path / "aniso"), progress=False)
    sweep(_only_fixed_knows, {"n": [8]}, fixed={"d": 16, "theta": 0.5, "sigma": 0.2},
          instances=4, seed=1, store=str(tmp_path / "iso"), progress=False)
    records, summary = explore_data.load_store(tmp_path)
    assert records and all(r["file"].startswith("iso") for r in records)
    assert summary["skipped_quantities"] == {f"{q} (structured covariance)": 2
                                             for q in ("scratch", "linear_transfer", "finetune", "T_lt", "T_ft")}


@pytest.mark.parametrize("quantity, info, kind", [
    ("T_lt", {}, "T_lt"), ("transferability", {}, "T_lt"), ("T_ft", {}, "T_ft"),
    ("risk", {"estimator": "min_norm"}, "scratch_risk"), ("risk", {"estimator": "ridge"}, "ridge_risk"),
    ("risk", {"procedure": "ft"}, "ft_risk"), ("sc", {"wd": 1e-3}, None), ("c_gd", {}, None),
    ("risk", {"estimator": "something else"}, None)])
def test_classify(quantity, info, kind):
    assert explore_data.classify(quantity, info) == kind


def test_load_store_errors(tmp_path):
    with pytest.raises(ValueError, match="not a directory"):
        explore_data.load_store(tmp_path / "missing")
    with pytest.raises(ValueError, match="holds no sweep records"):
        explore_data.load_store(tmp_path)


# -- CLI ---------------------------------------------------------------------------------------

def test_cli_explore_writes_the_page(tmp_path, store, capsys):
    out = tmp_path / "explorer.html"
    assert main(["explore", "--out", str(out), "--data", str(store)]) == 0
    text = out.read_text()
    assert "7 simulation points" in capsys.readouterr().out
    block = json.loads(text.split('id="ft-page-data">', 1)[1].split("</script>", 1)[0])
    assert len(block["data"]) == 7 and block["dataSummary"]["records"] == 7


def test_cli_explore_with_a_reproduce_folder(tmp_path, capsys):
    from tests._relu_figure_data import FIT, write_reproduce_relu

    out = tmp_path / "explorer.html"
    assert main(["explore", "--out", str(out), "--data", write_reproduce_relu(str(tmp_path / "figs"))]) == 0
    assert "ReLU scratch power law A = 33.27, nu = 1.063" in capsys.readouterr().out
    block = json.loads(out.read_text().split('id="ft-page-data">', 1)[1].split("</script>", 1)[0])
    assert block["relu"]["reproduce"]["fit"]["A"] == FIT["A"] and block["data"] == []


@pytest.mark.parametrize("argv, message", [
    (["explore", "--out", "/nonexistent-folder/x.html"], "does not exist"),
    (["explore", "--out", "x.html", "--data", "/nonexistent-folder"], "not a directory"),
    (["explore", "--bogus"], "unrecognized arguments"),
    (["explore", "--out", "folder"], "--out 'folder' is a folder: expected a file name"),
    pytest.param(["explore", "--out", "/proc/ftheory-x.html"], "--out '/proc/ftheory-x.html' cannot be written",
                 marks=pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux /proc"))])
def test_cli_explore_errors_are_one_line(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_row_records_are_classified_by_their_base_quantity():
    """Row simulators store one record per n with a quantity per angle (``T_ft:2``, ``transferability:1:0``);
    stores written before the one convention say ``T_ft@2`` and still load."""
    from ftheory.explore.data import classify

    assert classify("T_ft:3", {}) == "T_ft" and classify("T_lt:0", {}) == "T_lt"
    assert classify("transferability:1:0", {}) == "T_lt" and classify("scratch:2", {}) == "scratch_risk"
    assert classify("c_gd:1", {}) is None
    assert classify("T_ft@3", {}) == "T_ft" and classify("T_lt@0", {}) == "T_lt" and classify("c_gd@1", {}) is None
