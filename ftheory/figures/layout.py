"""Layout checks for a drawn matplotlib figure: what a reader would send back.

:func:`problems` draws the figure and returns one line per defect:

* a legend or a colour bar that covers plotted data (line segments, markers, images, contour
  lines) of any axes, or overlaps another axes (its plotting area, title or axis labels);
* a marker (of a line, an error bar or a scatter) that lies outside its axes or is cut by its edge;
* tick labels of one axis that overlap each other, or texts of one axes (title, axis labels,
  tick labels) that run into another axes.

Everything is measured in display coordinates with the figure's own renderer
(``get_window_extent``, ``get_tightbbox``), so it holds for the saved file.

:func:`place_legend` lets the figures put a legend where these same checks find nothing under it,
whatever the numbers. :func:`check_output` (and ``python -m ftheory.figures.layout OUT``) draws
every figure of a ``reproduce`` output folder again from its stored numbers and checks it.
"""
from __future__ import annotations

import numpy as np
from matplotlib.container import ErrorbarContainer
from matplotlib.collections import LineCollection, PathCollection, QuadMesh
from matplotlib.image import AxesImage
from matplotlib.markers import MarkerStyle
from matplotlib.transforms import Bbox

TOL = 1.0  # pixels: touching is fine, overlapping by more than a pixel is not


def _overlap(a: Bbox, b: Bbox, tol=TOL) -> bool:
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > tol) and (min(a.y1, b.y1) - max(a.y0, b.y0) > tol)


def _shrink(b: Bbox, tol=TOL) -> Bbox:
    return Bbox.from_extents(b.x0 + tol, b.y0 + tol, b.x1 - tol, b.y1 - tol)


def _name(ax) -> str:
    title = ax.get_title() or ax.get_title(loc="left") or ax.get_ylabel() or ax.get_label()
    return f"axes {title!r}" if title else f"axes at {np.round(ax.get_position().bounds, 2).tolist()}"


def _is_colorbar(ax) -> bool:
    return getattr(ax, "_colorbar", None) is not None


def _is_3d(ax) -> bool:
    return getattr(ax, "name", "") == "3d"


def _visible_texts(ax, renderer):
    """Title, axis labels and visible tick labels of ``ax``: ``(what, bbox)``."""
    out = []
    for what, t in (("title", ax.title), ("left title", ax._left_title), ("right title", ax._right_title),
                    ("x label", ax.xaxis.label), ("y label", ax.yaxis.label)):
        if t.get_visible() and t.get_text():
            out.append((what, t.get_window_extent(renderer)))
    for axis, name in ((ax.xaxis, "x"), (ax.yaxis, "y")):
        for tick in axis.get_major_ticks() + axis.get_minor_ticks():
            for lab in (tick.label1, tick.label2):
                if lab.get_visible() and lab.get_text() and _tick_in_view(axis, tick):
                    out.append((f"{name} tick label {lab.get_text()!r}", lab.get_window_extent(renderer)))
    return out


def _tick_in_view(axis, tick) -> bool:
    lo, hi = sorted(axis.get_view_interval())
    loc = tick.get_loc()
    return loc is not None and lo - 1e-9 * (abs(lo) + abs(hi)) <= loc <= hi + 1e-9 * (abs(lo) + abs(hi))


def _data_marks(ax, renderer):
    """Display-space data of ``ax``: ``(segments, markers, areas)``.

    ``segments``: list of (N, 2) polylines (visible lines and contour lines); ``markers``: list of
    (x, y, (half width, half height) in pixels, artist label); ``areas``: bboxes of images / meshes.
    """
    segments, markers, areas = [], [], []
    dpi_scale = ax.figure.dpi / 72.0
    caps = set()  # error-bar caps: the end of a bar, not a plotted point (a long bar may leave the axes)
    for cont in ax.containers:
        if isinstance(cont, ErrorbarContainer):
            caps.update(id(c) for c in cont.lines[1])
    for line in ax.get_lines():
        if not line.get_visible() or line.get_transform() != ax.transData:
            continue  # axhline / axvline and other guides drawn partly in axes coordinates are not data
        xy = line.get_transform().transform(np.column_stack(line.get_data(orig=False)).astype(float))
        ok = np.all(np.isfinite(xy), axis=1)
        if line.get_linestyle() not in ("None", "", " ", "none") and line.get_linewidth() > 0:
            segments.append(xy)
        marker = line.get_marker()
        if id(line) not in caps and marker not in (None, "None", "", " ", "none") and line.get_markersize() > 0:
            ms = MarkerStyle(marker)
            ext = ms.get_path().transformed(ms.get_transform()).get_extents()
            scale = line.get_markersize() * dpi_scale  # marker paths are in units of the marker size
            rx = max(abs(ext.x0), abs(ext.x1)) * scale
            ry = max(abs(ext.y0), abs(ext.y1)) * scale
            every = line.get_markevery()
            pts = xy[ok] if every is None else xy[ok][::every] if isinstance(every, int) else xy[ok]
            markers += [(x, y, (rx, ry), line.get_label()) for x, y in pts]
    for coll in ax.collections:
        if not coll.get_visible():
            continue
        if isinstance(coll, QuadMesh):
            areas.append(coll.get_window_extent(renderer))
        elif isinstance(coll, PathCollection) and len(coll.get_offsets()):
            offs = coll.get_offset_transform().transform(np.asarray(coll.get_offsets(), float))
            sizes = coll.get_sizes()
            for i, (x, y) in enumerate(offs):
                if np.isfinite(x) and np.isfinite(y):
                    s = sizes[i % len(sizes)] if len(sizes) else 36.0
                    r = 0.5 * np.sqrt(s) * dpi_scale
                    markers.append((x, y, (r, r), coll.get_label()))
        elif isinstance(coll, LineCollection) or hasattr(coll, "get_paths"):
            if isinstance(coll, LineCollection) or type(coll).__name__ in ("ContourSet", "QuadContourSet"):
                tr = coll.get_transform()
                for p in coll.get_paths():
                    if len(p.vertices):
                        segments.append(tr.transform(p.vertices))
    for im in ax.images:
        if isinstance(im, AxesImage) and im.get_visible():
            areas.append(im.get_window_extent(renderer))
    return segments, markers, areas


def _segments_hit(segments, box: Bbox, clip: Bbox | None) -> bool:
    """Does any polyline pass through ``box`` (inside the part of it visible in ``clip``)?"""
    if clip is not None:
        inter = Bbox.intersection(box, clip)
        if inter is None or inter.width <= TOL or inter.height <= TOL:
            return False
        box = inter
    box = _shrink(box)
    for xy in segments:
        xy = xy[np.all(np.isfinite(xy), axis=1)]
        if len(xy) == 0:
            continue
        inside = (xy[:, 0] > box.x0) & (xy[:, 0] < box.x1) & (xy[:, 1] > box.y0) & (xy[:, 1] < box.y1)
        if inside.any():
            return True
        # segments crossing the box without a vertex inside: sample each segment finely
        a, b = xy[:-1], xy[1:]
        if len(a) == 0:
            continue
        t = np.linspace(0, 1, 9)[1:-1, None, None]
        pts = a[None] + t * (b - a)[None]
        inside = (pts[..., 0] > box.x0) & (pts[..., 0] < box.x1) & (pts[..., 1] > box.y0) & (pts[..., 1] < box.y1)
        if inside.any():
            return True
    return False


def _scene(fig):
    """Draw ``fig``; return ``(renderer, axes, plain axes, data marks per axes, window boxes per axes)``."""
    from ftheory.figures.style import draw_quietly

    draw_quietly(fig.canvas.draw)
    renderer = fig.canvas.get_renderer()
    axes = [ax for ax in fig.axes if ax.get_visible()]
    plain = [ax for ax in axes if not _is_colorbar(ax)]
    marks = {ax: _data_marks(ax, renderer) for ax in plain if not _is_3d(ax)}
    boxes = {ax: ax.get_window_extent(renderer) for ax in axes}
    return renderer, axes, plain, marks, boxes


def _covers_data(box, what, marks, boxes) -> list:
    """What of the plotted data (lines, markers, maps) of any axes lies under ``box``."""
    found = []
    for ax, (segments, markers, areas) in marks.items():
        clip = boxes[ax]
        if _segments_hit(segments, box, clip):
            found.append(f"{what} covers a line of {_name(ax)}")
        inter = Bbox.intersection(box, clip)
        if inter is not None and any(
                inter.x0 - rx < x < inter.x1 + rx and inter.y0 - ry < y < inter.y1 + ry and
                clip.x0 <= x <= clip.x1 and clip.y0 <= y <= clip.y1 for x, y, (rx, ry), _ in markers):
            found.append(f"{what} covers markers of {_name(ax)}")
        if any(_overlap(box, Bbox.intersection(a, clip) or a) for a in areas):
            found.append(f"{what} covers the map of {_name(ax)}")
    return found


def _legend_problems(ax, leg, renderer, axes, marks, boxes) -> list:
    """Defects of the legend ``leg`` of ``ax`` (``ax=None``: a figure legend): data, axes or texts under it."""
    box = leg.get_window_extent(renderer)
    what = "figure legend" if ax is None else f"legend of {_name(ax)}"
    found = _covers_data(box, what, marks, boxes)
    for other in axes:
        if ax is None:
            if _overlap(box, boxes[other]):
                found.append(f"figure legend overlaps {_name(other)}")
            continue
        if other is not ax and not _is_3d(other) and _overlap(box, boxes[other]) and not _inside(box, boxes[ax]):
            found.append(f"{what} overlaps {_name(other)}")
        for t, tb in _visible_texts(other, renderer):
            if _overlap(box, tb):
                found.append(f"{what} overlaps the {t} of {_name(other)}")
    return found


def problems(fig) -> list:
    """Every layout defect of ``fig`` (see the module docstring); an empty list when it is clean."""
    renderer, axes, plain, marks, boxes = _scene(fig)
    found = []

    # legends: no data of any axes under them, no other axes under them
    for ax in plain:
        leg = ax.get_legend()
        if leg is not None and leg.get_visible():
            found += _legend_problems(ax, leg, renderer, axes, marks, boxes)
    for leg in fig.legends:
        found += _legend_problems(None, leg, renderer, axes, marks, boxes)

    # legends apart from each other
    legs = [(f"legend of {_name(ax)}", ax.get_legend()) for ax in plain if ax.get_legend() is not None]
    legs += [("figure legend", leg) for leg in fig.legends]
    legs = [(w, leg.get_window_extent(renderer)) for w, leg in legs if leg.get_visible()]
    for i in range(len(legs)):
        for j in range(i + 1, len(legs)):
            if _overlap(legs[i][1], legs[j][1], tol=0.0):
                found.append(f"{legs[i][0]} and {legs[j][0]} overlap")

    # colour bars: no other axes (area, title, labels, tick labels) under them
    for cb in (ax for ax in axes if _is_colorbar(ax)):
        box = cb.get_tightbbox(renderer)
        for other in axes:
            if other is cb:
                continue
            if _overlap(box, boxes[other]):
                found.append(f"colour bar {cb.get_ylabel()!r} overlaps {_name(other)}")
            for t, tb in _visible_texts(other, renderer):
                if _overlap(box, tb):
                    found.append(f"colour bar {cb.get_ylabel()!r} overlaps the {t} of {_name(other)}")

    # markers inside their axes, not cut by its edge
    for ax, (_segments, markers, _areas) in marks.items():
        b = boxes[ax]
        out = [(x, y, lab) for x, y, (rx, ry), lab in markers
               if not (b.x0 - TOL <= x - rx and x + rx <= b.x1 + TOL and b.y0 - TOL <= y - ry and y + ry <= b.y1 + TOL)]
        if out:
            labels = sorted({str(lab) for *_, lab in out})
            found.append(f"{len(out)} marker(s) of {_name(ax)} outside or cut by its edge ({', '.join(labels)[:80]})")

    # texts: tick labels of one axis apart; an axes' texts clear of every other axes
    for ax in plain:
        texts = _visible_texts(ax, renderer)
        ticks = {"x": [], "y": []}
        for t, tb in texts:
            if "tick label" in t:
                ticks[t[0]].append((t, tb))
        for name, lst in ticks.items():
            for i in range(len(lst)):
                for j in range(i + 1, len(lst)):
                    if _overlap(lst[i][1], lst[j][1], tol=0.0):
                        found.append(f"{lst[i][0]} and {lst[j][0]} of {_name(ax)} overlap")
        if _is_3d(ax):
            continue
        for other in plain:
            if other is ax or _is_3d(other) or _inside(boxes[ax], boxes[other]) or _inside(boxes[other], boxes[ax]):
                continue
            for t, tb in texts:
                if _overlap(tb, boxes[other]):
                    found.append(f"the {t} of {_name(ax)} runs into {_name(other)}")
    return sorted(set(found))


def _inside(inner: Bbox, outer: Bbox) -> bool:
    return (inner.x0 >= outer.x0 - TOL and inner.x1 <= outer.x1 + TOL and inner.y0 >= outer.y0 - TOL
            and inner.y1 <= outer.y1 + TOL)


#: where :func:`place_legend` tries a legend inside its axes, in this order
INSIDE = ("upper right", "upper left", "lower left", "lower right", "upper center", "lower center")
#: tried after raising the upper y-limit failed (they tend to sit on the T = 0 line)
MIDDLE = ("center right", "center left")


def place_legend(ax, locs=INSIDE, ncol_below=None, grow=0.9, **kwargs):
    """The legend of ``ax`` where :func:`problems` finds nothing under it (no data of any axes, no other
    axes, text or legend): at the first of ``locs`` that is clear; else at the top of the axes after
    raising its upper y-limit step by step, by at most ``grow`` times the y range (log range on a log
    axis), so the legend gets empty room above the data; else at the middle of either side (:data:`MIDDLE`); else under the axes' x label
    (``phase.legend_below``, ``ncol_below`` columns; default those of ``kwargs``).

    Call it when the figure's layout is final (after ``tight_layout`` and after every artist is drawn),
    so the choice is made on what will be saved, whatever the data. ``kwargs`` go to ``ax.legend``.
    """
    from ftheory.figures.phase import legend_below

    if ax.get_legend() is not None:
        ax.get_legend().remove()
    leg = _first_clear(ax, locs, kwargs)
    if leg is not None or grow <= 0:
        return leg if leg is not None else legend_below(ax, ncol=ncol_below or kwargs.get("ncol", 1),
                                                        fontsize=kwargs.get("fontsize", 8))
    lo, hi = ax.get_ylim()
    log = ax.get_yscale() == "log"
    for k in range(1, 7):
        extra = grow * k / 6
        ax.set_ylim(lo, hi * (hi / lo) ** extra if log else hi + extra * (hi - lo))
        leg = _first_clear(ax, [loc for loc in locs if loc.startswith("upper")], kwargs)
        if leg is not None:
            return leg
    ax.set_ylim(lo, hi)
    leg = _first_clear(ax, MIDDLE, kwargs)
    return leg if leg is not None else legend_below(ax, ncol=ncol_below or kwargs.get("ncol", 1), fontsize=kwargs.get("fontsize", 8))


def _first_clear(ax, locs, kwargs):
    """The legend of ``ax`` at the first of ``locs`` with no layout problem, or None."""
    renderer, axes, _plain, marks, boxes = _scene(ax.figure)
    others = [a.get_legend().get_window_extent(renderer) for a in axes if a is not ax and a.get_legend() is not None]
    others += [leg.get_window_extent(renderer) for leg in ax.figure.legends]
    for loc in locs:
        leg = ax.legend(loc=loc, **kwargs)
        box = leg.get_window_extent(renderer)
        if _inside(box, boxes[ax]) and not _legend_problems(ax, leg, renderer, axes, marks, boxes) \
                and not any(_overlap(box, o, tol=0.0) for o in others):
            return leg
        leg.remove()
    return None


def check_render(render, data) -> list:
    """Layout problems of every figure that ``render(data, path_stem)`` draws; nothing is written.

    ``style.save`` is replaced for the call, so the figure is checked exactly as it would be saved
    (same drawing code, same numbers) and then closed.
    """
    import matplotlib.pyplot as plt

    from ftheory.figures import style

    found = []

    def check_instead_of_saving(fig, path_stem):
        found.extend(problems(fig))
        plt.close(fig)
        return []

    saved = style.save
    style.save = check_instead_of_saving
    try:
        render(data, "layout-check")
    finally:
        style.save = saved
    return found


def check_output(out, only=None) -> dict:
    """``{id: (scale, problems)}`` for every figure of a ``reproduce`` output folder ``out``.

    Each figure with stored numbers (``OUT/data/ID.json``) is drawn again from them with the current
    drawing code and checked with :func:`problems`; ``only`` restricts the ids. Numbers that cannot be
    read (a file still being written) or a drawing that fails are reported as that figure's problem.
    Raises ``ValueError`` when ``out`` holds no figure numbers or an id is unknown.
    """
    import json
    import os

    from ftheory.figures import figure_modules

    mods = figure_modules()
    wanted = list(mods) if only is None else list(only)
    unknown = [w for w in wanted if w not in mods]
    if unknown:
        raise ValueError(f"unknown figure {unknown[0]!r}; figures are {', '.join(mods)}")
    result = {}
    for fid in wanted:
        path = os.path.join(out, "data", f"{fid}.json")
        if not os.path.exists(path):
            continue
        try:
            with open(path) as fh:
                stored = json.load(fh)
            data = stored["data"]
        except (OSError, ValueError, KeyError, TypeError) as exc:  # e.g. a file still being written
            result[fid] = (None, [f"its stored numbers {path} cannot be read ({type(exc).__name__}: {exc})"])
            continue
        try:
            result[fid] = (stored.get("scale"), check_render(mods[fid].render, data))
        except Exception as exc:  # noqa: BLE001 - a figure that cannot be drawn is reported, the others still checked
            result[fid] = (stored.get("scale"), [f"drawing failed: {type(exc).__name__}: {exc}"])
    if not result:
        raise ValueError(f"out={out!r} holds no figure numbers (expected {os.path.join(out, 'data', 'ID.json')} "
                         "written by ftheory reproduce)")
    return result


def main(argv=None) -> int:
    """``python -m ftheory.figures.layout OUT [--only IDS]``: one line per figure, exit 1 on a defect."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(
        prog="python -m ftheory.figures.layout",
        description="Re-check the layout of every figure of an ftheory reproduce output folder: each figure is "
                    "drawn again from OUT/data/ID.json with the current drawing code; no legend or colour bar over "
                    "plotted data or another axes, no marker outside its axes, no overlapping tick labels.")
    parser.add_argument("out", help="output folder of ftheory reproduce (holds data/ID.json)")
    parser.add_argument("--only", help="comma-separated figure ids (default: every figure with stored numbers)")
    ns = parser.parse_args(argv)
    only = None if ns.only is None else [s.strip() for s in ns.only.split(",") if s.strip()]
    if only is not None and not only:
        print(f"error: --only={ns.only!r} names no figure", file=sys.stderr)
        return 2
    try:
        result = check_output(ns.out, only)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    bad = 0
    for fid, (scale, found) in result.items():
        if found:
            bad += 1
            print(f"FAIL {fid} ({scale}): " + "; ".join(found))
        else:
            print(f"ok   {fid} ({scale})")
    print(f"{len(result) - bad} of {len(result)} figures clean" + (f", {bad} with layout defects" if bad else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
