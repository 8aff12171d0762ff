"""(theta, gamma) phase maps and their registered boundaries, drawn from results handed in.

This module imports no registry: callers pass ``lookup`` (usually :func:`ftheory.get`), so both
:mod:`ftheory.figures.phase` and :mod:`ftheory.plotting` (reached from ``Result.plot``) can use it.
"""
from __future__ import annotations

import math

import numpy as np

from ftheory.figures import style

__all__ = ["THETA_MAX", "GAMMA_MAX", "BOUNDARIES", "heatmap", "lt_boundaries", "draw_boundaries"]

THETA_MAX = math.pi / 2
GAMMA_MAX = 2.0

#: result -> what :func:`draw_boundaries` overlays on its (theta, gamma) map
BOUNDARIES = {
    "linear_transfer_transferability": "gamma_-, gamma_+ and gamma_over (lt_boundary_*; at lam = 0)",
    "linear_transfer_transferability_tuned": "gamma_b (lt_boundary_tuned)",
    "finetune_transferability": "theta* (finetune_break_even_theta), for gamma < 1",
    "finetune_transferability_gf": "theta*(gamma) (finetune_break_even_theta_gf), for gamma < 1",
    "finetune_transferability_finite_source": "theta* (finetune_break_even_theta_finite_source), for gamma < 1",
}


def _axes(ax, theta_max=THETA_MAX, gamma_max=GAMMA_MAX):
    ax.set_xlim(0, theta_max)
    ax.set_ylim(0, gamma_max)
    style.pi_ticks(ax.xaxis, 0, theta_max, theta_max / 4)
    ax.set_xlabel(r"$\theta$")
    ax.set_ylabel(r"$\gamma = n/d$")


def heatmap(ax, theta, gamma, values, *, title=None, binary=False, contour=True):
    """Draw a (theta, gamma) map: shaded (limits +-1) or sign only; zero contour in black."""
    clipped = np.clip(np.nan_to_num(values, nan=0.0, posinf=1.0, neginf=-1.0), -1, 1)
    shown = np.sign(clipped) * (np.abs(clipped) > 0) if binary else clipped
    extent = [theta[0], theta[-1], gamma[0], gamma[-1]]
    im = ax.imshow(shown, origin="lower", extent=extent, aspect="auto", cmap=style.TRANSFER_CMAP,
                   vmin=-1, vmax=1, interpolation="nearest")
    if contour and np.nanmin(clipped) < 0 < np.nanmax(clipped):
        ax.contour(theta, gamma, clipped, levels=[0], colors="black", linewidths=0.9)
    _axes(ax, theta[-1], gamma[-1])
    if title:
        ax.set_title(title, fontsize=9)
    return im


def lt_boundaries(ax, sigma, *, lookup, theta_max=THETA_MAX, size=400, labels=True):
    """Overlay the registered linear-transfer boundaries (§5.2, or §5.4 at sigma = 0); ``lookup(name)``
    returns a registered result (:func:`ftheory.get`)."""
    theta = np.linspace(1e-3, theta_max, size)
    if sigma == 0:
        ax.plot(theta, lookup("lt_boundary_noiseless")(theta=theta), color="#2a9d5c", lw=1.3, ls="--",
                label=r"$\gamma=\cos^2\theta$" if labels else None)
        return
    t_min = float(lookup("lt_theta_min")(sigma=sigma))
    lobe = theta > t_min
    lower = lookup("lt_boundary_lower")(theta=theta, sigma=sigma)
    upper = lookup("lt_boundary_upper")(theta=theta, sigma=sigma)
    over = lookup("lt_boundary_over")(theta=theta, sigma=sigma)
    ax.plot(theta[lobe], lower[lobe], color="#2a9d5c", lw=1.3, ls="--", label=r"$\gamma_-$" if labels else None)
    ax.plot(theta[lobe], upper[lobe], color="#e09f3e", lw=1.3, ls="--", label=r"$\gamma_+$" if labels else None)
    ax.plot(theta, over, color="#8a4fbf", lw=1.3, ls="--", label=r"$\gamma_{\rm over}$" if labels else None)
    ax.axvline(t_min, color="#777777", lw=0.7, ls=":", label=r"$\theta_{\min}$" if labels else None)


def draw_boundaries(ax, result: str, params: dict, *, lookup, theta_max=None, gamma_max=None, size=400) -> bool:
    """Overlay the registered boundaries of ``result`` (see :data:`BOUNDARIES`) on a (theta, gamma)
    map drawn with theta horizontal. ``params`` are the fixed parameters of the map. Returns
    whether anything was drawn (e.g. nothing for linear transfer at ``lam > 0``). ``lookup(name)``
    returns a registered result (:func:`ftheory.get`)."""

    theta_max = THETA_MAX if theta_max is None else theta_max
    gamma_max = GAMMA_MAX if gamma_max is None else gamma_max
    theta = np.linspace(1e-3, theta_max, size)
    style = {"lw": 1.3, "ls": "--"}

    def of(name, **kw):
        r = lookup(name)
        return r(**{k: v for k, v in {**params, **kw}.items() if k in r.params})

    if result == "linear_transfer_transferability":
        if params.get("lam", 0) != 0:
            return False
        lt_boundaries(ax, params.get("sigma", 0.0) / params.get("norm_t", 1.0), lookup=lookup, theta_max=theta_max,
                      size=size)
        return True
    if result == "linear_transfer_transferability_tuned":
        ax.plot(theta, np.minimum(of("lt_boundary_tuned", theta=theta), 10 * gamma_max), color="#2a9d5c",
                label=r"$\gamma_b$", **style)
        return True
    if result in ("finetune_transferability", "finetune_transferability_finite_source"):
        name = "finetune_break_even_theta" + ("_finite_source" if result.endswith("finite_source") else "")
        t_star = float(of(name))
        ax.plot([t_star, t_star], [0, min(1.0, gamma_max)], color="#2a9d5c", label=r"$\theta^*$", **style)
        return True
    if result == "finetune_transferability_gf":
        gamma = np.linspace(0, min(1.0, gamma_max), size, endpoint=False)
        ax.plot(of("finetune_break_even_theta_gf", gamma=gamma), gamma, color="#2a9d5c",
                label=r"$\theta^*(\gamma)$", **style)
        return True
    return False
