"""Phase diagrams over (theta, gamma): theory heat maps, sign maps, simulated maps, slices, surfaces.

Conventions (docs/background.md §11.2): theta on the horizontal axis in radians with pi-fraction ticks,
gamma = n/d vertical; diverging colour map red (transfer hurts) -> white (T = 0) -> blue (transfer
helps), colour limits +-1; zero contour in black. Theory grids are evaluated on open grids
(``gamma[:, None]``, ``theta[None, :]``), which the generated evaluators exploit when the formula
separates.
"""
from __future__ import annotations


import numpy as np

from ftheory.figures import phasemap, style
from ftheory.figures.phasemap import GAMMA_MAX, THETA_MAX, _axes, heatmap  # noqa: F401  (re-exported)
from ftheory.registry import get



def theory_grid(result, size=400, theta_max=THETA_MAX, gamma_max=GAMMA_MAX, **params):
    """``(theta, gamma, T)`` with ``T[i, j] = result(gamma=gamma[i], theta=theta[j], **params)``."""
    theta = np.linspace(0, theta_max, size)
    gamma = np.linspace(0, gamma_max, size)
    values = get(result)(gamma=gamma[:, None], theta=theta[None, :], **params)
    return theta, gamma, np.asarray(values, dtype=float)


def sim_heatmap(ax, thetas, gammas, means, *, title=None):
    """Simulated transferability on a coarse (theta, gamma) grid (cells centred on the points)."""
    thetas, gammas = np.asarray(thetas), np.asarray(gammas)
    means = np.clip(np.nan_to_num(np.asarray(means, float), nan=0.0, posinf=1.0, neginf=-1.0), -1, 1)
    te, ge = cell_edges(thetas, gammas)
    im = ax.pcolormesh(te, ge, means, cmap=style.TRANSFER_CMAP, vmin=-1, vmax=1, shading="flat")
    _axes(ax, max(THETA_MAX, thetas[-1]), max(GAMMA_MAX, gammas[-1]))
    if ge[-1] < ax.get_ylim()[1] - 1e-9:  # not simulated above the last cell: say so rather than leave it blank
        from matplotlib.patches import Rectangle

        top = ax.get_ylim()[1]
        ax.add_patch(Rectangle((te[0], ge[-1]), te[-1] - te[0], top - ge[-1], facecolor="#eeeeee", hatch="///",
                               edgecolor="#bbbbbb", lw=0))
        ax.text((te[0] + te[-1]) / 2, (ge[-1] + top) / 2, "not simulated", ha="center", va="center", fontsize=8,
                color="#555555")
    if title:
        ax.set_title(title, fontsize=9)
    return im


def _edges(centres, lo=None, hi=None):
    """Cell edges around ``centres`` (nearest-neighbour cells); the outer cells reach the axis limits
    ``lo``/``hi`` when those are less than one cell away, so a coarse map leaves no blank strip."""
    c = np.asarray(centres, float)
    if c.size == 1:
        return np.array([c[0] - 0.5, c[0] + 0.5]) if lo is None or hi is None else np.array([lo, hi])
    mid = (c[1:] + c[:-1]) / 2
    e = np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])
    if lo is not None and e[0] > lo and e[0] - lo < e[1] - e[0]:
        e[0] = lo
    if hi is not None and e[-1] < hi and hi - e[-1] < e[-1] - e[-2]:
        e[-1] = hi
    return e


def cell_edges(thetas, gammas):
    """``(theta_edges, gamma_edges)`` of a simulated map on the standard axes (see :func:`sim_heatmap`)."""
    return (_edges(thetas, 0.0, max(THETA_MAX, thetas[-1])), _edges(gammas, 0.0, max(GAMMA_MAX, gammas[-1])))


def errorbar_in_range(ax, x, y, yerr, ylim, *, color, ms=3.5, fmt="o", **kwargs):
    """Error-bar points on ``ax`` with y-limits ``ylim``; a mean outside them (near the interpolation
    peak) is drawn as an open triangle at that edge instead of being cut off."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    yerr = None if yerr is None else np.asarray(yerr, float)
    lo, hi = ylim
    pad = 0.03 * (hi - lo)
    ok = np.isfinite(y) & (y >= lo + pad) & (y <= hi - pad)
    ax.set_ylim(lo, hi)
    if ok.any():
        ax.errorbar(x[ok], y[ok], yerr=None if yerr is None else yerr[ok], fmt=fmt, ms=ms, color=color, **kwargs)
    for side, where, marker in ((y > hi - pad, hi - pad, "^"), (y < lo + pad, lo + pad, "v")):
        if side.any():
            ax.plot(x[side], np.full(side.sum(), where), ls="none", marker=marker, ms=ms + 1.5, mfc="white",
                    color=color)


def fit_ylim(ax, arrays, at_least=(-1.0, 1.0), pad=0.06):
    """y-limits that hold every finite value of ``arrays`` (curves, points +- error bars) and ``at_least``."""
    vals = np.concatenate([np.ravel(np.asarray(a, float)) for a in arrays] + [np.asarray(at_least, float)])
    vals = vals[np.isfinite(vals)]
    lo, hi = float(vals.min()), float(vals.max())
    ax.set_ylim(lo - pad * (hi - lo), hi + pad * (hi - lo))


def lt_boundaries(ax, sigma, *, theta_max=THETA_MAX, size=400, labels=True):
    """Overlay the registered linear-transfer boundaries (§5.2, or §5.4 at sigma = 0)."""
    phasemap.lt_boundaries(ax, sigma, lookup=get, theta_max=theta_max, size=size, labels=labels)


def legend_below(ax, ncol=4, fontsize=8, gap=0.04):
    """The legend of ``ax`` under its x label (``gap`` inches below it), off the plotted data.

    The offset is measured from the axes' tick and axis labels in inches, so it does not depend on
    the axes' size (colour bars added later shrink the axes but not their labels).
    """
    from matplotlib.transforms import ScaledTranslation

    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    below = (ax.get_window_extent(renderer).y0 - ax.get_tightbbox(renderer).y0) / fig.dpi  # inches
    where = ax.transAxes + ScaledTranslation(0, -(below + gap), fig.dpi_scale_trans)
    return ax.legend(fontsize=fontsize, loc="upper center", bbox_to_anchor=(0.5, 0.0), bbox_transform=where,
                     ncol=ncol, frameon=False, handlelength=1.8, columnspacing=1.2, borderaxespad=0.0)


def surface(ax3d, theta, gamma, values, *, title=None):
    """3-D surface of T over (theta, gamma), z clipped to [-1, 1], elevation 10, azimuth 45 (§11.2)."""
    TH, G = np.meshgrid(theta, gamma)
    z = np.clip(np.nan_to_num(values, nan=0.0, posinf=1.0, neginf=-1.0), -1, 1)
    ax3d.plot_surface(TH, G, z, cmap=style.TRANSFER_CMAP, vmin=-1, vmax=1, linewidth=0, antialiased=True,
                      rcount=100, ccount=100)
    ax3d.set_zlim(-1, 1)
    ax3d.view_init(elev=10, azim=45)
    style.pi_ticks(ax3d.xaxis, 0, theta[-1], theta[-1] / 2)
    ax3d.set_yticks([gamma[0], (gamma[0] + gamma[-1]) / 2, gamma[-1]])  # few ticks: the box is small
    ax3d.set_zticks([-1, 0, 1])
    ax3d.set_xlabel(r"$\theta$")
    ax3d.set_ylabel(r"$\gamma$")
    ax3d.set_zlabel(r"$\mathcal{T}$")
    if title:
        ax3d.set_title(title, fontsize=9)


def phase_diagram(result, out, *, size=400, binary=False, **params) -> list:
    """Theory phase diagram of any registered result with ``gamma`` and ``theta`` (PNG + PDF).

    Results with registered boundaries (:data:`ftheory.plotting.BOUNDARIES`) get them drawn on top.
    """
    r = get(result)
    if "gamma" not in r.params or "theta" not in r.params:
        raise ValueError(f"result={result!r} has no (gamma, theta) plane: its parameters are {', '.join(r.params)}")
    theta, gamma, values = theory_grid(result, size=size, **params)
    fig, axes = style.new_figure(width=5.0, height=4.0)
    ax = axes[0][0]
    im = heatmap(ax, theta, gamma, values, binary=binary,
                 title=f"{result}(" + ", ".join(f"{k}={v:g}" for k, v in params.items()) + ")")
    if phasemap.draw_boundaries(ax, result, params, lookup=get):  # the registered boundaries, if any
        legend_below(ax)
    fig.colorbar(im, ax=ax, label=r"$\mathcal{T}$ (blue: transfer helps)")
    stem = out[:-4] if out.endswith((".png", ".pdf")) else out
    return style.save(fig, stem)
