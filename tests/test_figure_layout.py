"""The layout checker (ftheory.figures.layout) finds each defect it is meant to find, and passes a
clean figure; tests/test_figures.py runs it on every registered figure."""
import numpy as np
import pytest

from ftheory.figures import layout, phase, style


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
