"""`reproduce` at a tiny scale: every figure renders, numbers are stored and reused."""
import json
import os

import pytest

from ftheory.cli import main
from ftheory.figures import figure_modules, reproduce


LAYOUT = {}  # PNG file name -> layout problems of the figure when it was saved (filled by `tiny`)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Every figure at the tiny scale; each figure's layout is checked as it is saved."""
    import matplotlib.figure

    from ftheory.figures import layout

    out = tmp_path_factory.mktemp("figs")
    savefig = matplotlib.figure.Figure.savefig

    def checked_savefig(self, fname, *args, **kwargs):
        if str(fname).endswith(".png"):
            LAYOUT[os.path.basename(str(fname))] = layout.problems(self)
        return savefig(self, fname, *args, **kwargs)

    matplotlib.figure.Figure.savefig = checked_savefig
    try:
        report = reproduce(out=str(out), scale="tiny", seed=3, quiet=True)
    finally:
        matplotlib.figure.Figure.savefig = savefig
    return out, report


@pytest.mark.parametrize("fid", list(figure_modules()))
def test_layout_legends_colour_bars_and_markers(tiny, fid):
    """No legend or colour bar over plotted data or another axes, no marker outside its axes, no
    overlapping tick labels (ftheory.figures.layout), for every registered figure."""
    _, report = tiny
    png = os.path.basename([f for f in report[fid]["files"] if f.endswith(".png")][0])
    assert png in LAYOUT, "the figure was not drawn by this run"
    assert LAYOUT[png] == [], "\n".join(LAYOUT[png])


def test_every_figure_renders_png_pdf_and_numbers(tiny):
    out, report = tiny
    assert set(report) == set(figure_modules())
    for fid, info in report.items():
        for f in info["files"]:
            assert os.path.getsize(f) > 1000
        data = json.loads((out / "data" / f"{fid}.json").read_text())
        assert data["scale"] == "tiny" and data["seed"] == 3 and data["data"]
    page = (out / "index.html").read_text()
    assert all(f'id="{fid}"' in page for fid in report)


def test_index_has_contents_and_the_papers_figure_numbers(tiny):
    import html

    from ftheory.figures.catalogue import PAPER, paper_figure

    out, report = tiny
    page = (out / "index.html").read_text()
    nav = page[page.index("<nav id='contents'>"):page.index("</nav>")]
    assert [fid for fid in report if f'href="#{fid}"' in nav] == list(report)
    for fid in report:
        assert fid in PAPER, f"say where {fid} is in the paper (or that it is an extension) in figures/catalogue.py"
        assert page.count(html.escape(paper_figure(fid))) == 2  # in the contents and above the figure
    assert "Fig. 1" in PAPER["lt-phase"] and "Fig. 4" in PAPER["similarity"] and "Fig. 3" in PAPER["relu-phase"]


def test_cli_prints_where_the_index_is_and_help_lists_the_figures(tiny, capsys):
    out, report = tiny
    assert main(["reproduce", "--out", str(out), "--only", "lt-ridge", "--scale", "tiny", "--seed", "3"]) == 0
    printed = capsys.readouterr().out
    assert str(out / "index.html") in printed
    with pytest.raises(SystemExit):
        main(["reproduce", "--help"])
    helptext = capsys.readouterr().out
    assert all(f"  {fid} " in helptext for fid in report) and "Fig. 5" in helptext


def test_rerun_reuses_stored_numbers(tiny):
    out, report = tiny
    before = {fid: (out / "data" / f"{fid}.json").stat().st_mtime_ns for fid in report}
    reproduce(out=str(out), scale="tiny", seed=3, quiet=True)
    after = {fid: (out / "data" / f"{fid}.json").stat().st_mtime_ns for fid in report}
    assert before == after


def test_rerun_with_nothing_to_do_does_not_redraw(tiny, tmp_path):
    out, report = tiny
    pngs = {fid: [f for f in info["files"] if f.endswith(".png")][0] for fid, info in report.items()}
    before = {fid: os.stat(p).st_mtime_ns for fid, p in pngs.items()}
    reproduce(out=str(out), scale="tiny", seed=3, quiet=True)
    assert {fid: os.stat(p).st_mtime_ns for fid, p in pngs.items()} == before
    # a missing file, or redraw=True, draws again; docs= writes the markdown page and copies the images
    os.remove(pngs["scratch-dd"])
    reproduce(out=str(out), only=["scratch-dd", "lt-ridge"], scale="tiny", seed=3, quiet=True,
              redraw=False, docs=str(tmp_path / "docs"))
    assert os.path.exists(pngs["scratch-dd"]) and os.stat(pngs["lt-ridge"]).st_mtime_ns == before["lt-ridge"]
    reproduce(out=str(out), only=["lt-ridge"], scale="tiny", seed=3, quiet=True, redraw=True)
    assert os.stat(pngs["lt-ridge"]).st_mtime_ns != before["lt-ridge"]
    page = (tmp_path / "docs" / "figures.md").read_text()
    assert "(`scratch-dd`)" in page and "images/lt_ridge.png" in page
    assert (tmp_path / "docs" / "images" / "scratch_dd.png").stat().st_size > 1000


def test_scratch_dd_numbers_agree_with_exact_finite_mean(tiny):
    """Student-t test per point (few instances at tiny scale), Bonferroni over the points at 1e-3."""
    from scipy import stats

    out, _ = tiny
    rows = json.loads((out / "data" / "scratch-dd.json").read_text())["data"]["rows"]
    testable = [r for r in rows if abs(r["n"] - r["d"]) >= 6]
    for r in testable:
        if r["sigma"] == 0 and r["n"] > r["d"]:
            # exact recovery up to rounding: |b - beta_t| <= c eps kappa(X) |beta_t| (kappa ~ Marchenko-Pastur
            # edge ratio, c = 10 d for the solver constant and the condition number's tail)
            n, d = r["n"], r["d"]
            kappa = (n ** 0.5 + d ** 0.5) / (n ** 0.5 - d ** 0.5)
            assert r["theory_finite"] == 0 and r["mean"] < (10 * d * 2.220446049250313e-16 * kappa) ** 2 * r.get("norm_t", 1.0) ** 2
            continue
        t_crit = stats.t.ppf(1 - 1e-3 / (2 * len(testable)), r["instances"] - 1)
        assert abs(r["mean"] - r["theory_finite"]) < t_crit * r["sem"], r


def test_bad_arguments(tmp_path, capsys):
    with pytest.raises(ValueError, match="unknown figure 'nope'"):
        reproduce(out=str(tmp_path), only=["nope"], quiet=True)
    with pytest.raises(ValueError, match="scale="):
        reproduce(out=str(tmp_path), scale="huge", quiet=True)
    assert main(["reproduce", "--out", str(tmp_path), "--only", "nope"]) == 2
    assert "unknown figure" in capsys.readouterr().err


def _stored(out, fid):
    return json.loads((out / "data" / f"{fid}.json").read_text())["data"]


@pytest.mark.parametrize("case", ["above", "below", "none", "huge risks"])
def test_relu_phase_layout_holds_wherever_the_boundaries_and_risks_fall(tiny, case):
    """Boundaries beyond the simulated n range sit whole in the grey bands, risks far above the usual range stay in
    view: the layout does not rely on the numbers happening to fit (numbers altered on purpose)."""
    import copy

    from ftheory.figures import layout
    from ftheory.figures.relu import render_phase

    out, _ = tiny
    data = copy.deepcopy(_stored(out, "relu-phase"))
    k = len(data["mus"])
    if case == "above":
        data["n_star_teacher"] = data["n_star_student"] = ["inf"] + [1e9] * (k - 1)
    elif case == "below":
        data["n_star_teacher"] = data["n_star_student"] = [1e-3] * k
        for c in data["crossing"] + data["crossing_student"]:
            c["upper"] = 0.5
    elif case == "none":
        data["n_star_teacher"] = data["n_star_student"] = [None] * k
        for c in data["crossing"] + data["crossing_student"]:
            c["upper"] = None
    else:
        for sl in data["slices"]:
            sl["lt_mean"] = [100 * v for v in sl["lt_mean"]]
            sl["sc_mean"] = [1e-5 * v for v in sl["sc_mean"]]
    assert layout.check_render(render_phase, data) == []


def test_scratch_dd_legend_moves_off_data_in_its_usual_corner(tiny):
    """Simulated means put where the legend used to sit (upper right of the sigma = 0 panel): it moves elsewhere."""
    import copy

    from ftheory.figures import layout
    from ftheory.figures.scratch_dd import render

    out, _ = tiny
    data = copy.deepcopy(_stored(out, "scratch-dd"))
    for r in data["rows"]:
        if r["sigma"] == 0 and r["gamma"] > 1:
            r["mean"] = 0.95
    assert layout.check_render(render, data) == []
