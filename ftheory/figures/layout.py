"""Layout checks for a drawn matplotlib figure: what a reader would send back.

:func:`problems` draws the figure and returns one line per defect:

* a legend or a colour bar that covers plotted data (line segments, markers, images, contour
  lines, shaded bands) of any axes, or overlaps another axes (its plotting area, title or axis labels);
  a legend cut off at the figure's edge;
* a marker (of a line, an error bar or a scatter) that lies outside its axes or is cut by its edge;
* a text of the figure (suptitle, ``fig.text``, titles, axis labels, tick labels, offset texts, texts
  and annotations placed in an axes, with their text boxes) that overlaps another text, a legend or
  a colour bar, covers plotted data, runs into another axes, or is cut off at the figure's edge or
  by its clip box; a suptitle that is not above every axes title. Tick labels of one axis may not even touch; an annotation's arrow and contour
  labels may point at or lie on data.

Everything is measured in display coordinates with the figure's own renderer
(``get_window_extent``, ``get_tightbbox``; :mod:`ftheory.figures.layout_scene`), so it holds for the
saved file. "The figure's edge" is its canvas (``figsize``): a text or legend outside it is cut
wherever the figure is shown or saved without ``bbox_inches="tight"``; ``style.save`` grows the
canvas to the drawing first (``style.fit_canvas``).

:func:`place_legend` lets the figures put a legend where these same checks find nothing under it,
whatever the numbers. :func:`check_output` (and ``python -m ftheory.figures.layout OUT``) draws
every figure of a ``reproduce`` output folder again from its stored numbers and checks it.
"""
from __future__ import annotations

from ftheory.figures.layout_scene import (TOL, covers_data, inside as _inside, is_3d as _is_3d,
                                          is_colorbar as _is_colorbar, name as _name, overlap as _overlap,
                                          scene as _scene, texts as _texts)


def _legend_problems(ax, leg, renderer, axes, marks, boxes, labels) -> list:
    """Defects of the legend ``leg`` of ``ax`` (``ax=None``: a figure legend): data, axes or texts under it."""
    box = leg.get_window_extent(renderer)
    what = "figure legend" if ax is None else f"legend of {_name(ax)}"
    found = covers_data(box, what, marks, boxes)
    if not _inside(box, ax.figure.bbox if ax is not None else leg.figure.bbox):
        found.append(f"{what} is cut off at the figure edge")
    for other in axes:
        if ax is None:
            if _overlap(box, boxes[other]):
                found.append(f"figure legend overlaps {_name(other)}")
            continue
        if other is not ax and not _is_3d(other) and _overlap(box, boxes[other]) and not _inside(box, boxes[ax]):
            found.append(f"{what} overlaps {_name(other)}")
    for lab in labels:
        if _overlap(box, lab.box):
            found.append(f"{what} overlaps the {lab.what} of {_name(lab.owner)}")
    return found


def _data_exempt(fig) -> set:
    """ids of texts that sit on data by design: contour labels."""
    out = set()
    for ax in fig.axes:
        for coll in ax.collections:
            out.update(id(t) for t in getattr(coll, "labelTexts", ()))
    return out


def _text_problems(fig, labels, plain, marks, boxes) -> list:
    """Texts apart from each other, from data and from other axes; inside the figure and their clip box."""
    found = []
    canvas = fig.bbox
    exempt = _data_exempt(fig)
    for lab in labels:
        of = f"the {lab.what} of {_name(lab.owner)}"
        if not _inside(lab.box, canvas):
            found.append(f"{of} is cut off at the figure edge")
        clip = lab.artist.get_clip_box() if lab.artist.get_clip_on() else None
        if clip is None and lab.artist.get_clip_on() and lab.artist.get_clip_path() is not None \
                and lab.owner is not None and lab.in_axes:
            clip = boxes[lab.owner]  # ax.text(..., clip_on=True) clips to the axes patch
        if clip is not None and not _inside(lab.box, clip):
            found.append(f"{of} is cut off by its clip box")
        if id(lab.artist) not in exempt:
            found += covers_data(lab.box, of, marks, boxes)
        owner = lab.owner
        if owner is not None and (_is_colorbar(owner) or _is_3d(owner)):
            continue  # a colour bar's texts: its own check below; a 3-D axes' box is mostly empty margin
        for other in plain:
            if other is owner or _is_3d(other):
                continue
            if owner is not None and (_inside(boxes[owner], boxes[other]) or _inside(boxes[other], boxes[owner])):
                continue  # an inset and its parent
            if _overlap(lab.box, boxes[other]):
                found.append(f"{of} runs into {_name(other)}")
    # the suptitle heads the figure: above every axes title, not level with them (crowded between them)
    sup = [lab for lab in labels if lab.owner is None and lab.what == "suptitle"]
    for lab in sup:
        for other in labels:
            if other.owner is not None and other.what in ("title", "left title", "right title") \
                    and other.box.y1 > lab.box.y0 + TOL:
                found.append(f"the suptitle is not above the {other.what} of {_name(other.owner)}")
    # every pair of texts apart: tick labels of one axis may not even touch, other texts by at most TOL
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            same_axis = a.group is not None and a.group == b.group
            if a.artist is b.artist or not _overlap(a.box, b.box, tol=0.0 if same_axis else TOL):
                continue
            if same_axis:
                found.append(f"{a.what} and {b.what} of {_name(a.owner)} overlap")
            else:
                found.append(f"the {a.what} of {_name(a.owner)} and the {b.what} of {_name(b.owner)} overlap")
    return found


def problems(fig) -> list:
    """Every layout defect of ``fig`` (see the module docstring); an empty list when it is clean."""
    renderer, axes, plain, marks, boxes = _scene(fig)
    labels = _texts(fig, renderer, axes)
    found = []

    # legends: no data of any axes under them, no other axes or text under them
    for ax in plain:
        leg = ax.get_legend()
        if leg is not None and leg.get_visible():
            found += _legend_problems(ax, leg, renderer, axes, marks, boxes, labels)
    for leg in fig.legends:
        found += _legend_problems(None, leg, renderer, axes, marks, boxes, labels)

    # legends apart from each other
    legs = [(f"legend of {_name(ax)}", ax.get_legend()) for ax in plain if ax.get_legend() is not None]
    legs += [("figure legend", leg) for leg in fig.legends]
    legs = [(w, leg.get_window_extent(renderer)) for w, leg in legs if leg.get_visible()]
    for i in range(len(legs)):
        for j in range(i + 1, len(legs)):
            if _overlap(legs[i][1], legs[j][1], tol=0.0):
                found.append(f"{legs[i][0]} and {legs[j][0]} overlap")

    # colour bars: no other axes and no text of another axes or of the figure under them
    for cb in (ax for ax in axes if _is_colorbar(ax)):
        box = cb.get_tightbbox(renderer)
        for other in axes:
            if other is not cb and _overlap(box, boxes[other]):
                found.append(f"colour bar {cb.get_ylabel()!r} overlaps {_name(other)}")
        for lab in labels:
            if lab.owner is not cb and _overlap(box, lab.box):
                found.append(f"colour bar {cb.get_ylabel()!r} overlaps the {lab.what} of {_name(lab.owner)}")

    # markers inside their axes, not cut by its edge
    for ax, (_segments, markers, _areas, _bands) in marks.items():
        b = boxes[ax]
        out = [(x, y, lab) for x, y, (rx, ry), lab in markers
               if not (b.x0 - TOL <= x - rx and x + rx <= b.x1 + TOL and b.y0 - TOL <= y - ry and y + ry <= b.y1 + TOL)]
        if out:
            labs = sorted({str(lab) for *_, lab in out})
            found.append(f"{len(out)} marker(s) of {_name(ax)} outside or cut by its edge ({', '.join(labs)[:80]})")

    found += _text_problems(fig, labels, plain, marks, boxes)
    return sorted(set(found))


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
    labels = _texts(ax.figure, renderer, axes)
    others = [a.get_legend().get_window_extent(renderer) for a in axes if a is not ax and a.get_legend() is not None]
    others += [leg.get_window_extent(renderer) for leg in ax.figure.legends]
    for loc in locs:
        leg = ax.legend(loc=loc, **kwargs)
        box = leg.get_window_extent(renderer)
        if _inside(box, boxes[ax]) and not _legend_problems(ax, leg, renderer, axes, marks, boxes, labels) \
                and not any(_overlap(box, o, tol=0.0) for o in others):
            return leg
        leg.remove()
    return None


def check_render(render, data) -> list:
    """Layout problems of every figure that ``render(data, path_stem)`` draws; nothing is written.

    ``style.write`` (the file writing of ``style.save``) is replaced for the call, so the figure is
    checked exactly as it would be saved (same drawing code, same numbers, canvas fitted by
    ``style.save``) and then closed.
    """
    import matplotlib.pyplot as plt

    from ftheory.figures import style

    found = []

    def check_instead_of_writing(fig, path_stem):
        found.extend(problems(fig))
        plt.close(fig)
        return []

    written = style.write
    style.write = check_instead_of_writing
    try:
        render(data, "layout-check")
    finally:
        style.write = written
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
                    "plotted data or another axes, no marker outside its axes, no text over another text, a legend, "
                    "a colour bar, plotted data or another axes, no text or legend cut off at the figure edge.")
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
