"""Shared look of every figure (docs/background.md §11.2): diverging map, pi-fraction ticks, colours."""
from __future__ import annotations

import math
import sys
from fractions import Fraction

import matplotlib

if "ipykernel" not in sys.modules:  # inside Jupyter keep the notebook's backend, so plots still show
    matplotlib.use("Agg")  # files only; no display needed
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap  # noqa: E402

RED, WHITE, BLUE = "#c6423c", "#fafafa", "#4454c2"
#: red (transfer hurts) -> white (T = 0) -> blue (transfer helps), limits +-1 (§11.2)
TRANSFER_CMAP = LinearSegmentedColormap.from_list("ftheory_transfer", [RED, WHITE, BLUE])
THEORY_COLOR = "#222222"
SIM_COLORS = ["#4454c2", "#c6423c", "#2a9d5c", "#8a4fbf"]


def pi_label(x: float, max_denominator: int = 16) -> str:
    """``3*pi/8`` -> ``$3\\pi/8$`` (falls back to a decimal)."""
    frac = Fraction(x / math.pi).limit_denominator(max_denominator)
    if abs(float(frac) * math.pi - x) > 1e-9:
        return f"{x:.3g}"
    if frac == 0:
        return "$0$"
    num = "" if frac.numerator == 1 else ("-" if frac.numerator == -1 else str(frac.numerator))
    return f"${num}\\pi$" if frac.denominator == 1 else f"${num}\\pi/{frac.denominator}$"


def pi_ticks(axis, lo=0.0, hi=math.pi / 2, step=math.pi / 8):
    """Put ticks at multiples of ``step`` labelled as pi fractions on ``axis`` (ax.xaxis/ax.yaxis)."""
    n = int(round((hi - lo) / step))
    ticks = [lo + k * step for k in range(n + 1)]
    axis.set_ticks(ticks)
    axis.set_ticklabels([pi_label(t) for t in ticks])


def new_figure(ncols=1, nrows=1, width=4.2, height=3.3, **kwargs):
    """``(fig, axes)`` with a 2-D array of ``nrows x ncols`` axes, each ``width x height`` inches; ``kwargs`` go to
    ``plt.subplots``.
    """
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False, **kwargs)
    return fig, axes


def draw_quietly(draw):
    """Run ``draw()`` (a canvas draw or savefig) without mplot3d's spurious "overflow encountered in dot".

    The 3-D projection of matplotlib's surface plots multiplies clipped, finite data by its view
    matrix; on a clean clone the whole test session once reported an overflow there (a floating-point
    flag left set inside BLAS, not a value of ours: the surface data are clipped to [-1, 1] and the
    drawing is unchanged), which the suite turns into an error. Only that warning is ignored.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="overflow encountered in dot", category=RuntimeWarning)
        return draw()


def fit_canvas(fig, pad=0.05):
    """Grow the canvas of ``fig`` where its drawn content (legends under the axes, labels, titles) spills
    over, by that much plus ``pad`` inches, keeping every axes and figure text where it was in inches
    relative to the others; never shrinks. Returns the growth ``(left, bottom, right, top)`` in inches.

    ``savefig(bbox_inches="tight")`` would rescue the saved file anyway, but a figure shown or saved any
    other way would be cut; after this call nothing is outside the canvas.
    """
    draw_quietly(fig.canvas.draw)
    tight = fig.get_tightbbox(fig.canvas.get_renderer())  # inches
    W, H = fig.get_size_inches()
    left, bottom = max(0.0, pad - tight.x0), max(0.0, pad - tight.y0)
    right, top = max(0.0, tight.x1 + pad - W), max(0.0, tight.y1 + pad - H)
    if left == bottom == right == top == 0.0:
        return 0.0, 0.0, 0.0, 0.0
    W2, H2 = W + left + right, H + bottom + top

    def moved(box):
        return [(box.x0 * W + left) / W2, (box.y0 * H + bottom) / H2, box.width * W / W2, box.height * H / H2]

    for ax in fig.axes:
        original, active = ax.get_position(original=True), ax.get_position(original=False)
        ax.set_position(moved(original), which="original")
        ax.set_position(moved(active), which="active")
    for t in fig.texts:  # suptitle, fig.text in figure fractions
        if t.get_transform() == fig.transFigure:
            x, y = t.get_position()
            t.set_position(((x * W + left) / W2, (y * H + bottom) / H2))
    fig.set_size_inches(W2, H2)
    return left, bottom, right, top


def save(fig, path_stem) -> list:
    """Fit the canvas to the drawing (:func:`fit_canvas`), save PNG and PDF (:func:`write`); return the paths."""
    fit_canvas(fig)
    return write(fig, path_stem)


def write(fig, path_stem) -> list:
    """Save PNG and PDF of ``fig`` as drawn and close it; return the paths."""
    paths = []
    for ext in ("png", "pdf"):
        p = f"{path_stem}.{ext}"
        draw_quietly(lambda: fig.savefig(p, dpi=130 if ext == "png" else None, bbox_inches="tight"))
        paths.append(p)
    plt.close(fig)
    return paths
