"""The layout checker (ftheory.figures.layout) finds each defect it is meant to find, and passes a
clean figure; tests/test_figures.py runs it on every registered figure."""
import numpy as np
import pytest

from ftheory.figures import figure_modules, layout, phase, style


@pytest.fixture
def fig_ax():
    fig, axes = style.new_figure(ncols=2, width=4.0, height=3.0)
    yield fig, axes[0]
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_clean_figure_has_no_problem(fig_ax):
    fig, (a, b) = fig_ax
    x = np.linspace(0, 1, 50)
    a.plot(x, x ** 2, label="curve")
    a.plot([0.5], [0.25], "o", label="point")
    a.set_xlim(-0.05, 1.05)
    a.set_ylim(-0.1, 1.1)
    a.axvline(0.5, ls=":")  # a guide line under the legend is not data
    a.legend(loc="upper left")
    b.plot(x, np.sin(3 * x))
    fig.tight_layout()
    assert layout.problems(fig) == []


def test_legend_over_a_line_and_over_markers(fig_ax):
    fig, (a, _) = fig_ax
    x = np.linspace(0, 1, 5)
    a.plot(x, np.full_like(x, 0.9), label="flat line near the top")
    a.plot([0.9], [0.95], "s", label="a point")
    a.set_ylim(0, 1)
    a.legend(loc="upper right")
    found = " | ".join(layout.problems(fig))
    assert "covers a line" in found and "covers markers" in found


def test_legend_over_a_heat_map(fig_ax):
    fig, (a, _) = fig_ax
    theta, gamma, T = phase.theory_grid("linear_transfer_transferability", size=40, sigma=0.2)
    phase.heatmap(a, theta, gamma, T)
    phase.lt_boundaries(a, 0.2)
    a.legend(loc="upper right")
    assert any("covers the map" in p for p in layout.problems(fig))
    a.get_legend().remove()
    phase.legend_below(a)
    assert any("legend of" in p and "cut off at the figure edge" in p for p in layout.problems(fig))
    style.fit_canvas(fig)  # as style.save does
    assert layout.problems(fig) == []


def test_marker_cut_by_the_edge_and_marker_outside(fig_ax):
    fig, (a, _) = fig_ax
    a.plot([0.0, 0.5, 2.0], [0.5, 0.5, 0.5], "o", ms=8)
    a.set_xlim(0, 1)
    found = layout.problems(fig)
    assert any("2 marker(s)" in p and "outside or cut" in p for p in found), found


def test_error_bar_caps_may_leave_the_axes_but_points_may_not(fig_ax):
    fig, (a, _) = fig_ax
    a.errorbar([0.5], [0.5], yerr=[2.0], fmt="o", capsize=3)
    a.set_xlim(0, 1)
    a.set_ylim(0, 1)
    assert layout.problems(fig) == []


def test_colour_bar_over_another_axes_title(fig_ax):
    fig, (a, b) = fig_ax
    im = a.imshow(np.random.default_rng(0).random((4, 4)))
    b.set_title("a title that the colour bar must not cover")
    cax = fig.add_axes([0.55, 0.5, 0.05, 0.45])  # sits on the right panel
    fig.colorbar(im, cax=cax)
    found = " | ".join(layout.problems(fig))
    assert "colour bar" in found


def test_overlapping_tick_labels(fig_ax):
    fig, (a, _) = fig_ax
    a.set_xticks(np.linspace(0, 1, 40))
    assert any("tick label" in p and "overlap" in p for p in layout.problems(fig))


# ---------------------------------------------------------------------------------------------
# place_legend: the checker's own criteria decide where a legend goes
# ---------------------------------------------------------------------------------------------
def test_place_legend_finds_a_free_corner(fig_ax):
    fig, (a, _) = fig_ax
    x = np.linspace(0, 1, 60)
    a.plot(x, 0.9 + 0 * x, label="flat near the top")        # the upper corners are taken
    a.plot(x, 0.5 - 0.45 * x, "o", ms=3, label="falling points")  # and the lower right
    a.set_ylim(0, 1)
    fig.tight_layout()
    leg = layout.place_legend(a, fontsize=7)
    assert leg._loc == 3  # lower left, the first free place in INSIDE
    assert layout.problems(fig) == []


def test_place_legend_raises_the_top_when_no_corner_is_free(fig_ax):
    fig, (a, _) = fig_ax
    x = np.linspace(0, 1, 200)
    for c in (0.1, 0.3, 0.5, 0.7, 0.9):
        a.plot(x, c + 0 * x, label=f"level {c}")  # lines across the whole axes at every height
    a.set_ylim(0, 1)
    fig.tight_layout()
    leg = layout.place_legend(a, fontsize=6)
    assert a.get_ylim()[1] > 1.0 and leg in a.get_children()
    assert layout.problems(fig) == []


def test_place_legend_falls_back_below_the_axes(fig_ax):
    fig, (a, _) = fig_ax
    xx, yy = np.meshgrid(np.linspace(0, 1, 30), np.linspace(0, 1, 30))
    a.plot(xx.ravel(), yy.ravel(), "o", ms=2, label="points everywhere")
    fig.tight_layout()
    leg = layout.place_legend(a, fontsize=7, grow=0)
    box, axbox = leg.get_window_extent(), a.get_window_extent()
    assert box.y1 < axbox.y0  # under the axes (and under its x label: problems() finds nothing)
    style.fit_canvas(fig)  # as style.save does: the legend hangs below the canvas
    assert layout.problems(fig) == []


# ---------------------------------------------------------------------------------------------
# python -m ftheory.figures.layout OUT: re-checks a reproduce output folder
# ---------------------------------------------------------------------------------------------
def _fake_output(tmp_path, monkeypatch):
    """An output folder with two figures' numbers; one draws a clean figure, the other a legend over its line."""
    import json

    import ftheory.figures
    from ftheory.figures.registry import Figure

    def good(data, stem):
        fig, axes = style.new_figure()
        axes[0][0].plot([0, 1], [0, 1], label="line")
        axes[0][0].legend(loc="upper left")
        return style.save(fig, stem)

    def bad(data, stem):
        fig, axes = style.new_figure()
        axes[0][0].plot([0, 1], [data["level"]] * 2, label="line under the legend")
        axes[0][0].set_ylim(0, 1)
        axes[0][0].legend(loc="upper right")
        return style.save(fig, stem)

    figs = {"good": Figure("good", "", None, good, None), "bad": Figure("bad", "", None, bad, None)}
    monkeypatch.setattr(ftheory.figures, "figure_modules", lambda: figs)
    (tmp_path / "data").mkdir()
    for fid in figs:
        (tmp_path / "data" / f"{fid}.json").write_text(json.dumps({"scale": "tiny", "seed": 1, "data": {"level": 0.95}}))
    return tmp_path


def test_check_output_and_its_command_line(tmp_path, monkeypatch, capsys):
    out = _fake_output(tmp_path, monkeypatch)
    result = layout.check_output(str(out))
    assert result["good"] == ("tiny", []) and any("covers a line" in p for p in result["bad"][1])
    assert list(out.iterdir()) == [out / "data"]  # checking writes nothing
    assert layout.main([str(out)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "ok   good (tiny)" and lines[1].startswith("FAIL bad (tiny): legend of") and len(lines) == 3
    assert layout.main([str(out), "--only", "good"]) == 0
    (out / "data" / "bad.json").write_text('{"scale": "tiny", "da')  # a file still being written
    assert "cannot be read" in layout.check_output(str(out))["bad"][1][0]

    import ftheory.figures
    from ftheory.figures.registry import Figure

    def broken(data, stem):
        raise KeyError("level")

    monkeypatch.setattr(ftheory.figures, "figure_modules", lambda: {"good": Figure("good", "", None, broken, None)})
    assert layout.check_output(str(out))["good"][1] == ["drawing failed: KeyError: 'level'"]
    capsys.readouterr()
    for argv in ([str(out / "nowhere")], [str(out), "--only", "nope"], [str(out), "--only", ","]):
        assert layout.main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and len(err.splitlines()) == 1


# ---------------------------------------------------------------------------------------------
# every figure at the default scale (tests/test_figures.py checks every figure at the tiny scale)
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def default_store(tmp_path_factory):
    """One simulation store for the module: the four relu-* figures share one experiment, as in ``reproduce``."""
    return str(tmp_path_factory.mktemp("default-store"))


@pytest.mark.slow
@pytest.mark.parametrize("fid", list(figure_modules()))
def test_layout_at_default_scale(fid, default_store):
    """Every figure drawn from default-scale numbers (seed 1, as ``ftheory reproduce``; the numbers go through
    JSON as in a stored output) has no layout problem."""
    import json

    from ftheory.figures import SCALES

    fig = figure_modules()[fid]
    data = json.loads(json.dumps(fig.compute(SCALES["default"], 1, store=default_store)))
    found = layout.check_render(fig.render, data)
    assert found == [], "\n".join(found)


# ---------------------------------------------------------------------------------------------
# texts: titles, suptitle, placed texts and text boxes, annotations, axis and tick labels
# ---------------------------------------------------------------------------------------------
def test_clean_figure_with_texts_has_no_problem(fig_ax):
    """Suptitle, titles, a panel label outside the axes, a statistics box and an annotation whose arrow
    points at the data (the arrow may, the text may not): nothing to report."""
    fig, (a, b) = fig_ax
    x = np.linspace(0, 1, 50)
    a.plot(x, x ** 2)
    a.set_title("left")
    a.set_xlabel("x")
    a.text(-0.12, 1.04, "(a)", transform=a.transAxes, fontweight="bold")
    a.text(0.05, 0.95, "mean 0.33", transform=a.transAxes, va="top", bbox={"facecolor": "white"})
    a.annotate("peak", xy=(1.0, 1.0), xytext=(0.55, 0.15), arrowprops={"arrowstyle": "->"})
    b.plot(x, np.sin(3 * x))
    b.set_title("right")
    fig.suptitle("a suptitle")
    fig.tight_layout()
    assert layout.problems(fig) == []


def test_suptitle_over_an_axes_title(fig_ax):
    fig, (a, b) = fig_ax
    a.set_title("a title under the suptitle")
    fig.tight_layout()
    fig.suptitle("a suptitle pushed down onto the titles", y=a.title.get_window_extent(
        fig.canvas.get_renderer()).y0 / fig.bbox.height + 0.01, va="bottom")
    found = " | ".join(layout.problems(fig))
    assert "the title of axes 'a title under the suptitle' and the suptitle of the figure overlap" in found, found


def test_suptitle_level_with_the_axes_titles(fig_ax):
    """Without room made for it, a short suptitle sits between two panel titles: no box overlaps, but it is
    not above them."""
    fig, (a, b) = fig_ax
    a.set_title("left", loc="left")
    b.set_title("right", loc="right")
    fig.suptitle("short", y=0.93)
    found = layout.problems(fig)
    assert "the suptitle is not above the left title of axes 'left'" in found, found
    fig.suptitle("short")
    fig.tight_layout()
    assert layout.problems(fig) == []


def test_text_box_over_a_line_and_its_patch_counts(fig_ax):
    """A statistics box over a line is reported, also when only the box's padding (not a glyph) covers the line."""
    fig, (a, _) = fig_ax
    a.plot([0, 1], [0.5, 0.5])
    a.set_ylim(0, 1)
    fig.tight_layout()
    t = a.text(0.5, 0.56, "stats", ha="center", va="bottom", transform=a.transAxes)
    assert layout.problems(fig) == []  # the glyphs sit just above the line
    t.set_bbox({"facecolor": "white", "pad": 12})  # the box hangs over it
    found = layout.problems(fig)
    assert any("the text 'stats'" in p and "covers a line" in p for p in found), found


def test_annotation_text_over_markers(fig_ax):
    fig, (a, _) = fig_ax
    a.plot([0.2, 0.5, 0.8], [0.5, 0.5, 0.5], "o")
    a.set_xlim(0, 1)
    a.set_ylim(0, 1)
    a.annotate("middle point", xy=(0.5, 0.5), xytext=(0.3, 0.5), va="center", arrowprops={"arrowstyle": "->"})
    found = layout.problems(fig)
    assert any("annotation 'middle point'" in p and "covers markers" in p for p in found), found


def test_tick_labels_running_into_the_neighbour():
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2, figsize=(6, 3), gridspec_kw={"wspace": 0.02})
    b.set_yticks([0, 1])
    b.set_yticklabels(["zero point zero", "one point zero"])
    found = layout.problems(fig)
    plt.close(fig)
    assert any(p.startswith("the y tick label 'zero point zero'") and "runs into" in p for p in found), found


def test_x_label_over_the_title_below_and_text_over_a_colour_bar():
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 1, figsize=(4, 4), gridspec_kw={"hspace": 0.05})
    axes[0].set_xlabel("upper x label")
    axes[1].set_title("lower title")
    im = axes[1].imshow(np.zeros((3, 3)))
    cb = fig.colorbar(im, ax=axes[1], label="value")
    cbox = cb.ax.get_window_extent(fig.canvas.get_renderer())
    fig.text(cbox.x0 / fig.bbox.width, 0.3, "a note on the bar", fontsize=9)
    found = " | ".join(layout.problems(fig))
    plt.close(fig)
    assert "the x label of axes 'upper x label' and the title of axes 'lower title' overlap" in found \
        or "the x label of axes" in found and "runs into" in found, found
    assert "colour bar 'value' overlaps the figure text 'a note on the bar'" in found, found


def test_text_over_a_legend(fig_ax):
    fig, (a, _) = fig_ax
    a.plot([0, 1], [0, 0.2], label="low line")
    a.set_ylim(0, 1)
    a.legend(loc="upper right")
    fig.tight_layout()
    a.text(0.97, 0.95, "n = 100", transform=a.transAxes, ha="right", va="top", fontsize=12)
    found = layout.problems(fig)
    assert any("overlaps the text 'n = 100'" in p for p in found), found


def test_text_cut_off_at_the_figure_edge_and_by_its_clip_box(fig_ax):
    fig, (a, b) = fig_ax
    fig.tight_layout()
    fig.text(0.97, 0.5, "a note running off the right edge")
    b.text(0.9, 0.5, "clipped inside the axes", transform=b.transAxes, clip_on=True)
    found = " | ".join(layout.problems(fig))
    assert "the figure text 'a note running off the right edge' of the figure is cut off at the figure edge" in found
    assert "the text 'clipped inside the axes'" in found and "cut off by its clip box" in found, found


def test_legend_over_a_shaded_band(fig_ax):
    fig, (a, _) = fig_ax
    x = np.linspace(0, 1, 20)
    a.fill_between(x, 0.75, 0.95, alpha=0.3, label="band")
    a.plot(x, 0.1 + 0 * x, label="line")
    a.set_ylim(0, 1)
    fig.tight_layout()
    a.legend(loc="upper left")
    assert any("covers a shaded band" in p for p in layout.problems(fig))
    a.legend(loc="center left")
    assert layout.problems(fig) == []


def test_contour_labels_may_sit_on_their_lines(fig_ax):
    fig, (a, _) = fig_ax
    xx, yy = np.meshgrid(np.linspace(-1, 1, 40), np.linspace(-1, 1, 40))
    cs = a.contour(xx, yy, xx ** 2 + yy ** 2, levels=[0.25, 0.5])
    a.clabel(cs, fontsize=7)
    fig.tight_layout()
    assert layout.problems(fig) == []


def test_fit_canvas_takes_in_what_hangs_over_and_keeps_the_layout(fig_ax):
    """style.fit_canvas grows the canvas over a legend under the axes and a text past the edge; axes keep
    their size and distance in inches, and nothing is left to report."""
    fig, (a, b) = fig_ax
    a.plot([0, 1], [0, 1], label="a line")
    fig.tight_layout()
    phase.legend_below(a, ncol=1)
    fig.text(0.97, 0.5, "a note past the edge")
    assert any("cut off at the figure edge" in p for p in layout.problems(fig))
    r = fig.canvas.get_renderer()
    before = [ax.get_window_extent(r).frozen() for ax in (a, b)]
    grown = style.fit_canvas(fig)
    assert grown[1] > 0 and grown[2] > 0 and grown[0] == grown[3] == 0
    assert layout.problems(fig) == []
    r = fig.canvas.get_renderer()
    after = [ax.get_window_extent(r) for ax in (a, b)]
    shift = np.array([grown[0], grown[1]]) * fig.dpi
    for p, q in zip(before, after):
        np.testing.assert_allclose(q.get_points(), p.get_points() + shift, atol=1e-6)
