"""Layout of the four ReLU figures: no legend or colour bar over data or another axes, no point outside its axes."""
import json

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from ftheory.figures import relu as relu_fig  # noqa: E402
from ftheory.figures import style  # noqa: E402


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    """Each ReLU figure drawn from tiny-scale numbers, captured before it is saved and closed."""
    out = tmp_path_factory.mktemp("relu_layout")
    captured = {}
    original = style.save

    def keep(fig, path_stem):
        fig.canvas.draw()
        captured[path_stem.rsplit("/", 1)[-1]] = fig
        return []

    style.save = keep
    try:
        for f in relu_fig.FIGURES:
            data = json.loads(json.dumps(f.compute({"relu": "tiny"}, 1, store=str(out / "store"))))
            f.render(data, str(out / f.id))
    finally:
        style.save = original
    return captured


def _boxes(fig):
    r = fig.canvas.get_renderer()
    axes = [(ax, ax.get_window_extent(r)) for ax in fig.axes]
    legends = [lg for lg in [ax.get_legend() for ax in fig.axes] + list(fig.legends) if lg is not None]
    return r, axes, [(lg, lg.get_window_extent(r)) for lg in legends]


def _overlap(a, b, tol=1.0):
    return a.x0 < b.x1 - tol and b.x0 < a.x1 - tol and a.y0 < b.y1 - tol and b.y0 < a.y1 - tol


@pytest.mark.slow
@pytest.mark.parametrize("fid", [f.id for f in relu_fig.FIGURES])
def test_no_legend_or_colour_bar_over_data_or_other_axes(figures, fid):
    fig = figures[fid]
    r, axes, legends = _boxes(fig)
    for lg, box in legends:
        for ax, abox in axes:
            assert not _overlap(box, abox), (fid, "legend over axes", [t.get_text() for t in lg.get_texts()][:2])
    for i, (a, abox) in enumerate(axes):
        for b, bbox in axes[i + 1:]:
            assert not _overlap(abox, bbox), (fid, "axes overlap", a.get_label(), b.get_label())


@pytest.mark.slow
@pytest.mark.parametrize("fid", [f.id for f in relu_fig.FIGURES])
def test_every_plotted_point_lies_inside_its_axes(figures, fid):
    """Whole markers: every marker centre lies at least half a marker size inside its axes (none is cut)."""
    fig = figures[fid]
    r = fig.canvas.get_renderer()
    for ax in fig.axes:
        box = ax.get_window_extent(r)
        for line in ax.get_lines():
            x, y = (np.asarray(v, float) for v in line.get_data())
            if x.size == 0 or line.get_marker() in (None, "None", "", " "):
                continue
            ok = np.isfinite(x) & np.isfinite(y)
            px = ax.transData.transform(np.column_stack([x[ok], y[ok]]))
            half = 0.5 * line.get_markersize() * fig.dpi / 72.0
            inside = ((px[:, 0] >= box.x0 + half - 0.5) & (px[:, 0] <= box.x1 - half + 0.5)
                      & (px[:, 1] >= box.y0 + half - 0.5) & (px[:, 1] <= box.y1 - half + 0.5))
            assert np.all(inside), (fid, line.get_label(), px[~inside][:3], box)
