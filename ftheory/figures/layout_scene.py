"""What a drawn figure shows and where, in display pixels: the raw material of :mod:`ftheory.figures.layout`.

:func:`scene` draws a figure and returns, per axes, its plotted data (:func:`data_marks`) and its
window box, and every visible text of the figure with the box it covers (:func:`texts`). The rules
that judge them live in :mod:`ftheory.figures.layout`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.collections import LineCollection, PathCollection, PolyCollection, QuadMesh
from matplotlib.container import ErrorbarContainer
from matplotlib.image import AxesImage
from matplotlib.markers import MarkerStyle
from matplotlib.text import Text
from matplotlib.transforms import Bbox

TOL = 1.0  # pixels: touching is fine, overlapping by more than a pixel is not


def overlap(a: Bbox, b: Bbox, tol=TOL) -> bool:
    """Do ``a`` and ``b`` share a region wider and taller than ``tol`` pixels?"""
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > tol) and (min(a.y1, b.y1) - max(a.y0, b.y0) > tol)


def inside(inner: Bbox, outer: Bbox, tol=TOL) -> bool:
    """Is ``inner`` within ``outer`` (up to ``tol`` pixels)?"""
    return (inner.x0 >= outer.x0 - tol and inner.x1 <= outer.x1 + tol and inner.y0 >= outer.y0 - tol
            and inner.y1 <= outer.y1 + tol)


def shrink(b: Bbox, tol=TOL) -> Bbox:
    """``b`` with ``tol`` pixels taken off every side."""
    return Bbox.from_extents(b.x0 + tol, b.y0 + tol, b.x1 - tol, b.y1 - tol)


def name(ax) -> str:
    """How a message names ``ax``: its title, else its y label, else its position; ``figure`` for None."""
    if ax is None:
        return "the figure"
    title = ax.get_title() or ax.get_title(loc="left") or ax.get_ylabel() or ax.get_label()
    return f"axes {title!r}" if title else f"axes at {np.round(ax.get_position().bounds, 2).tolist()}"


def is_colorbar(ax) -> bool:
    """Is ``ax`` the axes of a colour bar?"""
    return getattr(ax, "_colorbar", None) is not None


def is_3d(ax) -> bool:
    """Is ``ax`` a 3-D axes?"""
    return getattr(ax, "name", "") == "3d"


@dataclass(frozen=True)
class Label:
    """One visible text: ``owner`` (an axes, or None for the figure), ``what`` it is, the ``box`` it covers
    (with its bbox patch, without an annotation's arrow), the ``artist``, and ``group`` (tick labels of one
    axis share a group; None otherwise)."""
    owner: object
    what: str
    box: Bbox
    artist: object
    group: object = None

    @property
    def in_axes(self) -> bool:
        """A text placed inside an axes by the figure (``ax.text``, ``ax.annotate``), not a title or label."""
        return self.what.startswith("text ") or self.what.startswith("annotation ")


def _text_box(t, renderer) -> Bbox:
    box = Text.get_window_extent(t, renderer)  # the text itself: an annotation's arrow points at data on purpose
    patch = t.get_bbox_patch()
    if patch is not None and patch.get_visible():
        box = Bbox.union([box, patch.get_window_extent(renderer)])
    return box


def _quote(s: str) -> str:
    s = " ".join(s.split())
    return repr(s if len(s) <= 40 else s[:37] + "...")


def axes_texts(ax, renderer) -> list:
    """Title, axis labels, visible tick labels (within the view), offset texts and placed texts of ``ax``."""
    out = []
    for what, t in (("title", ax.title), ("left title", ax._left_title), ("right title", ax._right_title),
                    ("x label", ax.xaxis.label), ("y label", ax.yaxis.label),
                    ("x offset text", ax.xaxis.offsetText), ("y offset text", ax.yaxis.offsetText)):
        if t.get_visible() and t.get_text():
            out.append(Label(ax, what, _text_box(t, renderer), t))
    for axis, letter in ((ax.xaxis, "x"), (ax.yaxis, "y")):
        for tick in axis.get_major_ticks() + axis.get_minor_ticks():
            for lab in (tick.label1, tick.label2):
                if lab.get_visible() and lab.get_text() and tick_in_view(axis, tick):
                    out.append(Label(ax, f"{letter} tick label {lab.get_text()!r}", lab.get_window_extent(renderer),
                                     lab, group=(id(ax), letter)))
    for t in ax.texts:
        if t.get_visible() and t.get_text():
            kind = "annotation" if hasattr(t, "arrow_patch") else "text"
            out.append(Label(ax, f"{kind} {_quote(t.get_text())}", _text_box(t, renderer), t))
    return out


def texts(fig, renderer, axes) -> list:
    """Every visible text of ``fig`` as :class:`Label`: those of each of ``axes`` and the figure's own
    (suptitle, ``fig.text``)."""
    out = []
    for ax in axes:
        out += axes_texts(ax, renderer)
    for t in fig.texts:
        if t.get_visible() and t.get_text():
            what = "suptitle" if t is getattr(fig, "_suptitle", None) else f"figure text {_quote(t.get_text())}"
            out.append(Label(None, what, _text_box(t, renderer), t))
    return out


def tick_in_view(axis, tick) -> bool:
    """Is the tick's location within the view interval of ``axis`` (a tick outside it is not drawn)?"""
    lo, hi = sorted(axis.get_view_interval())
    loc = tick.get_loc()
    return loc is not None and lo - 1e-9 * (abs(lo) + abs(hi)) <= loc <= hi + 1e-9 * (abs(lo) + abs(hi))


def data_marks(ax, renderer):
    """Display-space data of ``ax``: ``(segments, markers, areas, bands)``.

    ``segments``: list of (N, 2) polylines (visible lines and contour lines); ``markers``: list of
    (x, y, (half width, half height) in pixels, artist label); ``areas``: bboxes of images / meshes;
    ``bands``: display-space paths of filled regions drawn in data coordinates (``fill_between``).
    """
    segments, markers, areas, bands = [], [], [], []
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
        elif isinstance(coll, PolyCollection) and coll.get_transform() == ax.transData:
            tr = coll.get_transform()
            bands += [p.transformed(tr) for p in coll.get_paths() if len(p.vertices)]
        elif isinstance(coll, LineCollection) or type(coll).__name__ in ("ContourSet", "QuadContourSet"):
            tr = coll.get_transform()
            for p in coll.get_paths():
                if len(p.vertices):
                    segments.append(tr.transform(p.vertices))
    for im in ax.images:
        if isinstance(im, AxesImage) and im.get_visible():
            areas.append(im.get_window_extent(renderer))
    return segments, markers, areas, bands


def segments_hit(segments, box: Bbox, clip: Bbox | None) -> bool:
    """Does any polyline pass through ``box`` (inside the part of it visible in ``clip``)?"""
    if clip is not None:
        inter = Bbox.intersection(box, clip)
        if inter is None or inter.width <= TOL or inter.height <= TOL:
            return False
        box = inter
    box = shrink(box)
    for xy in segments:
        xy = xy[np.all(np.isfinite(xy), axis=1)]
        if len(xy) == 0:
            continue
        hit = (xy[:, 0] > box.x0) & (xy[:, 0] < box.x1) & (xy[:, 1] > box.y0) & (xy[:, 1] < box.y1)
        if hit.any():
            return True
        # segments crossing the box without a vertex inside: sample each segment finely
        a, b = xy[:-1], xy[1:]
        if len(a) == 0:
            continue
        t = np.linspace(0, 1, 9)[1:-1, None, None]
        pts = a[None] + t * (b - a)[None]
        hit = (pts[..., 0] > box.x0) & (pts[..., 0] < box.x1) & (pts[..., 1] > box.y0) & (pts[..., 1] < box.y1)
        if hit.any():
            return True
    return False


def covers_data(box, what, marks, boxes) -> list:
    """What of the plotted data (lines, markers, maps, shaded bands) of any axes lies under ``box``."""
    found = []
    for ax, (segments, markers, areas, bands) in marks.items():
        clip = boxes[ax]
        if segments_hit(segments, box, clip):
            found.append(f"{what} covers a line of {name(ax)}")
        inter = Bbox.intersection(box, clip)
        if inter is not None and any(
                inter.x0 - rx < x < inter.x1 + rx and inter.y0 - ry < y < inter.y1 + ry and
                clip.x0 <= x <= clip.x1 and clip.y0 <= y <= clip.y1 for x, y, (rx, ry), _ in markers):
            found.append(f"{what} covers markers of {name(ax)}")
        if any(overlap(box, Bbox.intersection(a, clip) or a) for a in areas):
            found.append(f"{what} covers the map of {name(ax)}")
        if inter is not None and inter.width > 2 * TOL and inter.height > 2 * TOL and \
                any(p.intersects_bbox(shrink(inter), filled=True) for p in bands):
            found.append(f"{what} covers a shaded band of {name(ax)}")
    return found


def scene(fig):
    """Draw ``fig``; return ``(renderer, axes, plain axes, data marks per axes, window boxes per axes)``."""
    from ftheory.figures.style import draw_quietly

    draw_quietly(fig.canvas.draw)
    renderer = fig.canvas.get_renderer()
    axes = [ax for ax in fig.axes if ax.get_visible()]
    plain = [ax for ax in axes if not is_colorbar(ax)]
    marks = {ax: data_marks(ax, renderer) for ax in plain if not is_3d(ax)}
    boxes = {ax: ax.get_window_extent(renderer) for ax in axes}
    return renderer, axes, plain, marks, boxes
