"""Screenshots of the explorer for docs/explorer.md: ``python -m ftheory.explore.screenshots``.

Builds the page with a small Monte Carlo sweep of its own (min-norm scratch and linear transfer at
d = 100, sigma = 0.2, theta in {pi/8, pi/4, 3pi/8}; a few seconds) so that the phase-diagram slice
shows simulation points with error bars, opens it in headless Chromium and saves one PNG per
widget as ``OUT/explorer_<widget>.png`` (default ``docs/images``). ``--relu FIGURES_DIR`` loads the
ReLU power-law fit and residuals of an ``ftheory reproduce`` output folder into the boundary widget
(as ``ftheory explore --data`` does); ``--only`` limits the widgets. Needs Chromium, ChromeDriver
and selenium (see :mod:`ftheory.explore.browser`).
"""
from __future__ import annotations

import argparse
import math
import pathlib
import sys
import tempfile
import time

__all__ = ["take_screenshots", "main"]

WIDGETS = ("lt-phase", "risks", "finetune", "finite-source", "tuned", "similarity", "aniso", "relu-kernel", "relu-mercer",
           "relu-boundary", "all-results")


def _sample_store(folder):
    from ftheory.simulate import sweep
    from ftheory.simulate.linear import simulate_scratch_and_transfer

    sweep(simulate_scratch_and_transfer, {"theta": [math.pi / 8, math.pi / 4, 3 * math.pi / 8],
                                          "n": [10 * k for k in range(1, 21) if k != 10]},
          fixed={"d": 100, "sigma": 0.2}, instances=40, seed=1, store=str(folder), progress=False)
    return folder


def take_screenshots(out="docs/images", data=None, width=1240, relu=None, only=None) -> list:
    """Write ``explorer_<widget>.png`` for every widget (or those in ``only``) into ``out``; return
    the paths. ``relu``: an ``ftheory reproduce`` output folder whose ReLU fit the page loads."""
    from ftheory.explore.browser import headless_chromium
    from ftheory.explore.page import build_page, load_data
    from ftheory.explore.relu import load_reproduce_relu

    widgets = WIDGETS if only is None else tuple(only)
    unknown = sorted(set(widgets) - set(WIDGETS))
    if unknown:
        raise ValueError(f"--only: unknown widget(s) {', '.join(unknown)}; expected some of {', '.join(WIDGETS)}")
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        store = data or _sample_store(pathlib.Path(tmp) / "store")
        records, summary, relu_run = load_data(store)
        if relu is not None:
            relu_run = load_reproduce_relu(relu)
            if relu_run is None:
                raise ValueError(f"--relu {relu!r} holds no ReLU figure data of `ftheory reproduce`")
        page = pathlib.Path(tmp) / "explorer.html"
        page.write_text(build_page(records=records, summary=summary, relu_run=relu_run), encoding="utf-8")
        paths = []
        with headless_chromium(width=width, height=1700) as driver:  # tall enough for four plots
            from selenium.webdriver.common.by import By

            driver.get(page.as_uri())
            deadline = time.time() + 30
            while not driver.execute_script("return !!(window.ftheory && window.ftheory.ready)"):
                if time.time() > deadline:
                    raise RuntimeError("the explorer did not finish loading")
                time.sleep(0.05)
            # show the simulation points: the theta = pi/4 button of the phase-diagram widget
            for button in driver.find_elements(By.CSS_SELECTOR, "#lt-phase-data button"):
                if "θ" in button.text or "theta=π/4" in button.text:
                    button.click()
                    break
            time.sleep(0.3)
            for wid in widgets:
                element = driver.find_element(By.ID, wid)
                driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", element)
                time.sleep(0.1)
                path = out / f"explorer_{wid.replace('-', '_')}.png"
                element.screenshot(str(path))
                paths.append(path)
            errors = driver.execute_script("return ftheory.errors")
            if errors:
                raise RuntimeError(f"the explorer reported errors: {errors}")
    return paths


def main(argv=None) -> int:
    """Write the explorer screenshots of the docs; exit status."""
    parser = argparse.ArgumentParser(prog="python -m ftheory.explore.screenshots", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/images", help="folder for the PNG files (default docs/images)")
    parser.add_argument("--data", help="a sweep store to overlay instead of the built-in small sweep")
    parser.add_argument("--relu", metavar="FIGURES_DIR", help="an ftheory reproduce output folder with the ReLU figures")
    parser.add_argument("--only", help="comma-separated widget ids (default: all)")
    ns = parser.parse_args(argv)
    only = [w.strip() for w in ns.only.split(",")] if ns.only else None
    for path in take_screenshots(ns.out, ns.data, relu=ns.relu, only=only):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
