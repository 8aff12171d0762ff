"""The explorer on a real ``ftheory reproduce`` store (tiny scale), in headless Chromium.

Every simulation point a widget plots must have been simulated at that widget's parameters: the
test reads each plotted point's own store file (every argument of the simulator call plus the
quantity's info) and compares it with the widget's sliders, independently of the page's matching
code. Finite-source runs may only appear where the widget has a finite source (their gamma_s and
sigma_s), and points from an older store, which do not list every parameter of their run, are not
plotted as population-source points.
"""
import json
import math
import os
import shutil
import time

import pytest

from ftheory.explore.browser import BrowserUnavailable, find_browser

try:
    find_browser()
except BrowserUnavailable as exc:  # pragma: no cover - depends on the machine
    pytest.skip(f"no headless browser: {exc}", allow_module_level=True)

pytestmark = pytest.mark.slow

#: simulation parameters a widget can filter on (gamma, n, d are the plotted axis, not a filter)
FILTERS = ("theta", "sigma", "lam", "depth", "gamma_s", "sigma_s", "norm_s", "norm_t")
#: defaults of the simulators for parameters a store may not list
DEFAULTS = {"lam": 0.0, "depth": 2, "norm_s": 1.0, "norm_t": 1.0}
FIGURES = ["lt-phase", "ft-phase", "finite-source", "tuned-baseline", "scratch-dd"]


@pytest.fixture(scope="module")
def reproduced(tmp_path_factory):
    from ftheory.figures import reproduce

    out = tmp_path_factory.mktemp("reproduce")
    reproduce(out=str(out), only=FIGURES, scale="tiny", seed=3, quiet=True)
    return out


@pytest.fixture(scope="module")
def driver():
    from ftheory.explore.browser import headless_chromium

    with headless_chromium(width=1280, height=1000) as drv:
        drv.set_script_timeout(60)
        yield drv


def _open(driver, page_path):
    driver.get(page_path.as_uri())
    deadline = time.time() + 20
    while not driver.execute_script("return !!(window.ftheory && window.ftheory.ready)"):
        assert time.time() < deadline, "the page did not finish loading"
        time.sleep(0.05)
    assert driver.execute_script("return ftheory.errors") == []


def _page(tmp_path, store):
    from ftheory.explore.page import write_page

    path = tmp_path / "explorer.html"
    write_page(path, data_dir=store)
    return path


def _raw_parameters(store, rec):
    """Every parameter of the run behind a plotted record, read from its store file."""
    with open(os.path.join(store, rec["file"])) as fh:
        stored = json.load(fh)
    q = stored["quantities"][rec["quantity"]]
    params = {**stored.get("fixed", {}), **stored["point"], **{k: v for k, v in q["info"].items()
                                                               if isinstance(v, (int, float))}}
    samples = [s for s in q["samples"] if s is not None and math.isfinite(s)]
    return params, sum(samples) / len(samples), "fixed" in stored


PLOTTED = """
const w = ftheory.widgets[arguments[0]];
const buttons = Array.from(document.querySelectorAll('#' + arguments[0] + '-data button'));
const out = [];
for (const i of arguments[1]) {
  if (i >= buttons.length) break;
  buttons[i].click();
  w.render();
  out.push({values: w.values(), plotted: w.plotted.map(p => ({label: p.label, records: p.records.map(
    r => ({file: r.file, quantity: r.quantity, kind: r.kind, params: r.params, mean: r.mean}))}))});
}
return {buttons: buttons.length, states: out};
"""


def _walk_widgets(driver, picks=8):
    """For every widget with data buttons, press up to ``picks`` of them (spread over the list)."""
    states = {}
    for wid in driver.execute_script("return Object.keys(ftheory.widgets)"):
        n = driver.execute_script(f"return document.querySelectorAll('#{wid}-data button').length")
        if not n:
            continue
        idx = sorted({round(k * (n - 1) / max(1, picks - 1)) for k in range(min(picks, n))})
        states[wid] = driver.execute_script(PLOTTED, wid, idx)["states"]
    return states


def _check_point(store, wid, values, rec):
    params, mean, complete = _raw_parameters(store, rec)
    where = f"{wid} at {values}: {rec['file']} ({rec['quantity']}) with {params}"
    for key in FILTERS:
        if key not in values:
            if key in ("gamma_s", "sigma_s"):  # a population-source widget: no finite-source run
                assert params.get(key) is None, "finite-source point plotted as population source: " + where
            continue
        have = params.get(key, DEFAULTS.get(key))
        if key in ("gamma_s", "sigma_s") and rec["kind"] in ("T_lt", "T_ft", "lt_risk", "ft_risk"):
            assert have is not None, "population-source point plotted in a finite-source widget: " + where
        if have is not None and key in params:
            assert abs(have - values[key]) <= 1e-6 * (1 + abs(values[key])), f"{key} differs: " + where
    # a point whose file does not list every parameter of its run can only be checked where its
    # source is matched positively (finite-source widgets); anywhere else it must not be plotted
    assert complete or ("gamma_s" in values and params.get("gamma_s") is not None), "unverifiable: " + where
    assert rec["params"]["gamma"] == pytest.approx(params["n"] / params["d"], rel=1e-12), where
    assert rec["mean"] == pytest.approx(mean, rel=1e-9, abs=1e-12), where


def test_every_plotted_point_was_simulated_at_its_widgets_parameters(reproduced, driver, tmp_path):
    store = reproduced / "store"
    _open(driver, _page(tmp_path, store))
    states = _walk_widgets(driver)
    assert {"lt-phase", "finite-source"} <= set(states), states.keys()
    counts = {}
    for wid, shots in states.items():
        for shot in shots:
            for p in shot["plotted"]:
                for rec in p["records"]:
                    _check_point(str(store), wid, shot["values"], rec)
                    counts[(wid, rec["kind"])] = counts.get((wid, rec["kind"]), 0) + 1
    # the widgets really plotted the reproduce store, including the finite-source GD fine-tuning runs
    print(counts)
    assert counts.get(("lt-phase", "T_lt"), 0) >= 5, counts
    assert counts.get(("finite-source", "T_ft"), 0) >= 3 and counts.get(("finite-source", "T_lt"), 0) >= 3, counts
    assert sum(v for (w, k), v in counts.items() if k == "T_ft" and w != "finite-source") >= 3, counts


def test_points_of_an_older_store_are_not_placed_as_population_source(reproduced, driver, tmp_path):
    """A store written before the full call parameters were recorded: the finite-source GD runs
    there list neither gamma_s nor sigma_s, so the page must not plot them as population-source points."""
    old = tmp_path / "old_store"
    shutil.copytree(reproduced / "store", old)
    stripped = 0
    for base, _dirs, files in os.walk(old):
        for name in files:
            path = os.path.join(base, name)
            with open(path) as fh:
                rec = json.load(fh)
            if rec.pop("fixed", None) is not None:
                stripped += 1
            with open(path, "w") as fh:
                json.dump(rec, fh)
    assert stripped > 50
    _open(driver, _page(tmp_path, old))
    assert "older store" in driver.execute_script("return document.getElementById('ft-data-line').textContent")
    for wid, shots in _walk_widgets(driver).items():
        for shot in shots:
            for p in shot["plotted"]:
                for rec in p["records"]:
                    assert "finite-source" not in rec["file"] or wid == "finite-source", (wid, rec["file"])
                    if "gamma_s" not in shot["values"]:
                        with open(os.path.join(old, rec["file"])) as fh:
                            assert "gamma_s" not in json.dumps(json.load(fh)["point"])
