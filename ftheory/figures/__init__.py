"""Reproduce the paper's figures, theory and simulation side by side (docs/background.md §11).

Each figure module lists :class:`~ftheory.figures.registry.Figure` objects in ``FIGURES``: an id, a
title, ``compute(scale, seed, progress, store)`` (the numbers, JSON-serialisable),
``render(data, path_stem)`` (PNG + PDF) and ``caption(data)``.
:func:`reproduce` runs them, stores the numbers in ``OUT/data/ID.json`` (reused when the
scale and seed match, so a rerun only redraws), and writes a static ``OUT/index.html``.
"""
from __future__ import annotations

import html
import importlib
import json
import os
import time

FIGURE_MODULES = ["scratch_dd", "lt_phase", "ft_phase", "lt_ridge", "tuned", "finite_source", "similarity", "relu",
                  "aniso_phase"]  # in the order of the paper's catalogue (§11.3), then the extensions

SCALES = {
    # d: input dimension of the simulations; instances: independent repetitions per point
    "tiny": {"d": 40, "instances": 8, "theta_stride": 5, "gamma_stride": 4, "relu": "tiny"},
    "default": {"d": 100, "instances": 30, "relu": "cpu"},  # relu: preset of ftheory.figures.relu.CONFIGS
    # the authors' protocol (docs/background.md §11): d = 500, 20 instances per point, gradient descent at d = 500
    "paper": {"d": 500, "instances": 20, "gd_d": 500, "gd_map_instances": 5, "gd_slice_instances": 20,
              "relu": "paper"},
}


def figure_modules() -> dict:
    """``id -> Figure`` for every reproducible figure, in catalogue order."""
    figs = {}
    for name in FIGURE_MODULES:
        for fig in importlib.import_module(f"ftheory.figures.{name}").FIGURES:
            figs[fig.id] = fig
    return figs


def reproduce(out="figures", only=None, scale="default", seed=1, quiet=False, redraw=False, docs=None) -> dict:
    """Compute and draw the figures; return ``{id: {"files": [...], "caption": str, "seconds": float}}``.

    Work already done is reused: the numbers of a figure (``OUT/data/ID.json``) when the scale and
    seed match, each finished simulation point of an interrupted run (``OUT/store/``), and the
    drawn files when neither the numbers nor the drawing code changed since they were drawn (a
    stamp in ``OUT/data/ID.render``), so a rerun with nothing to do takes a few seconds.

    Parameters
    ----------
    out : str
        Output folder (created).
    only : list of str or None
        Figure ids to make (default: all). Unknown ids raise ``ValueError`` listing the known ones.
    scale : {"tiny", "default", "paper"}
        Simulation size (:data:`SCALES`).
    seed : int
        Root seed; each figure point derives its own stream from it.
    quiet : bool
        No progress bar.
    redraw : bool
        Draw every figure again even when its files are up to date.
    docs : str or None
        A documentation folder (e.g. ``"docs"``): copy the PNGs to ``DOCS/images/`` and write
        ``DOCS/figures.md`` with every figure and its caption.
    """
    from ftheory.simulate.sweeps import shared_progress, tqdm_for

    if scale not in SCALES:
        raise ValueError(f"scale={scale!r} is invalid: expected one of {', '.join(SCALES)}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed={seed!r} is invalid: expected an integer >= 0")
    mods = figure_modules()
    wanted = list(mods) if only is None else list(only)
    unknown = [w for w in wanted if w not in mods]
    if unknown:
        raise ValueError(f"unknown figure {unknown[0]!r}; figures are {', '.join(mods)}")
    os.makedirs(os.path.join(out, "data"), exist_ok=True)
    report = {}
    bar = tqdm_for(not quiet)(wanted, desc="figures", disable=quiet, unit="fig")
    with shared_progress(disable=quiet):      # one bar over every simulation point of every figure
        _reproduce_figures(bar, mods, out, scale, seed, quiet, redraw, report)
    _write_index(out, report, scale, seed)
    if docs is not None:
        _write_docs(docs, report, scale)
    return report


def _reproduce_figures(bar, mods, out, scale, seed, quiet, redraw, report):
    for fid in bar:
        fig = mods[fid]
        start = time.perf_counter()
        bar.set_postfix_str(fid)
        data_path = os.path.join(out, "data", f"{fid}.json")
        data = _load(data_path, scale, seed)
        if data is None:
            data = fig.compute(SCALES[scale], seed,
                               progress=None if quiet else (lambda msg: bar.set_postfix_str(msg)),
                               store=os.path.join(out, "store", scale, str(seed)))
            with open(data_path, "w") as fh:
                json.dump({"scale": scale, "seed": seed, "data": data}, fh, indent=1)
        stem = os.path.join(out, fid.replace("-", "_"))
        stamp = _render_stamp(fig, data_path)
        stamp_path = os.path.join(out, "data", f"{fid}.render")
        files = [stem + ".png", stem + ".pdf"]
        if redraw or not _up_to_date(stamp_path, stamp, files):
            files = fig.render(data, stem)
            with open(stamp_path, "w") as fh:
                fh.write(stamp)
        report[fid] = {"files": files, "caption": fig.caption(data), "title": fig.title,
                       "seconds": time.perf_counter() - start}


def _render_stamp(fig, data_path) -> str:
    """Hash of the figure's numbers and of the code that draws it (its module, style and helpers)."""
    import hashlib
    import sys

    h = hashlib.sha256()
    module = sys.modules[fig.render.__module__]
    here = os.path.dirname(__file__)
    for path in (data_path, module.__file__, os.path.join(here, "style.py"), os.path.join(here, "phase.py"),
                 os.path.join(here, "layout.py"), os.path.join(here, "layout_scene.py"),
                 os.path.join(here, "__init__.py")):
        if os.path.exists(path):
            with open(path, "rb") as fh:
                h.update(fh.read())
    from importlib.metadata import PackageNotFoundError, version

    try:
        h.update(version("ftheory").encode())
    except PackageNotFoundError:  # a source tree that is not installed
        pass
    return h.hexdigest()


def _up_to_date(stamp_path, stamp, files) -> bool:
    try:
        with open(stamp_path) as fh:
            if fh.read() != stamp:
                return False
    except OSError:
        return False
    return all(os.path.exists(f) for f in files)


def _write_docs(docs, report, scale):
    """``DOCS/figures.md`` with every figure of ``report`` and its caption; PNGs into ``DOCS/images/``."""
    import shutil

    os.makedirs(os.path.join(docs, "images"), exist_ok=True)
    lines = ["# Figures", "",
             "`ftheory reproduce --out figures` computes every figure below (theory and simulation side by side), "
             "writes PNG and PDF files, the numbers as JSON (`figures/data/ID.json`) and a static page "
             "`figures/index.html`. `--only ID,ID` makes a subset; `--scale tiny` runs in seconds (what the tests "
             "use), `--scale paper` follows the authors' protocol (d = 500, 20 instances; see "
             "docs/performance.md for the times). Simulations are stored per point (`figures/store/`), so an "
             "interrupted run resumes, and a rerun with nothing to do takes a few seconds. "
             "`python -m ftheory.figures.layout figures` draws every figure of an output folder again from its "
             "stored numbers and checks its layout (no legend or colour bar over data or another panel, no point "
             "outside its panel, no overlapping tick labels): one line per figure, exit status 1 on a defect.",
             "", f"The images below are the `{scale}` scale, written by `ftheory reproduce --docs docs`.", "",
             "Colours: blue = transfer helps (T > 0), red = it hurts; theta in radians. Figure numbers are the "
             "paper's (arXiv:2410.08194 v2); [EXT] marks what the toolkit adds; section numbers (§) refer to "
             "[the theory reference](background.md).", ""]
    from ftheory.figures.catalogue import paper_figure

    for fid, info in report.items():
        png = [f for f in info["files"] if f.endswith(".png")][0]
        name = os.path.basename(png)
        shutil.copyfile(png, os.path.join(docs, "images", name))
        lines += [f"## {info['title']} (`{fid}`)", "", f"Paper: {paper_figure(fid)}.", "",
                  f"![{fid}](images/{name})", "", info["caption"], ""]
    with open(os.path.join(docs, "figures.md"), "w") as fh:
        fh.write("\n".join(lines))


def _load(path, scale, seed):
    try:
        with open(path) as fh:
            stored = json.load(fh)
    except (OSError, ValueError):
        return None
    if stored.get("scale") != scale or stored.get("seed") != seed:
        return None
    return stored["data"]


def _write_index(out, report, scale, seed):
    from ftheory.figures.catalogue import paper_figure

    toc, items = [], []
    for fid, info in report.items():
        png = [f for f in info["files"] if f.endswith(".png")][0]
        pdf = [f for f in info["files"] if f.endswith(".pdf")][0]
        where = html.escape(paper_figure(fid))
        toc.append(f'<li><a href="#{html.escape(fid)}">{html.escape(info["title"])}</a> '
                   f'<code>{html.escape(fid)}</code> &middot; <span class="paper">{where}</span></li>')
        items.append(f'<figure id="{html.escape(fid)}"><h2>{html.escape(info["title"])} '
                     f'<code>{html.escape(fid)}</code></h2>'
                     f'<p class="paper">Paper: {where}</p>'
                     f'<img src="{html.escape(os.path.basename(png))}" alt="{html.escape(fid)}">'
                     f'<figcaption>{html.escape(info["caption"])} '
                     f'<a href="{html.escape(os.path.basename(pdf))}">PDF</a> · '
                     f'<a href="data/{html.escape(fid)}.json">numbers</a> · '
                     f'<a href="#contents">contents</a></figcaption></figure>')
    page = ("<!doctype html><html><head><meta charset='utf-8'><title>ftheory figures</title>"
            "<style>body{font-family:sans-serif;max-width:1000px;margin:auto}img{max-width:100%}"
            "figure{margin:2em 0}figcaption{font-size:0.9em;color:#333}.paper{color:#555;font-size:0.9em}"
            "nav li{margin:0.3em 0}</style></head><body>"
            f"<h1>Features are fate: reproduced figures</h1><p>Scale: {html.escape(scale)}, seed {seed}. "
            "Generated by <code>ftheory reproduce</code>. Figure numbers are those of the paper (Tahir, Ganguli "
            "&amp; Rotskoff, arXiv:2410.08194 v2); [EXT] marks what the toolkit adds to the paper; section "
            "numbers (&sect;) refer to docs/background.md in the ftheory repository.</p>"
            "<nav id='contents'><h2>Contents</h2><ol>" + "".join(toc) + "</ol></nav>"
            + "".join(items) + "</body></html>\n")
    with open(os.path.join(out, "index.html"), "w") as fh:
        fh.write(page)


def add_figure_list(parser) -> None:
    """Make ``parser --help`` end with every figure id and its paper figure (imported only on --help)."""
    base = parser.format_help

    def format_help():
        import textwrap

        from ftheory.figures.catalogue import paper_figure as _paper_figure

        lines = ["", "figure ids (for --only), with the paper's figure:"]
        for fid, fig in figure_modules().items():
            lines.append(f"  {fid:<20} {fig.title}")
            lines += textwrap.wrap("paper: " + _paper_figure(fid), width=78, initial_indent=" " * 25,
                                   subsequent_indent=" " * 27)
        return base() + "\n".join(lines) + "\n"

    parser.format_help = format_help
