"""Figure S-DD: double descent of training from scratch (docs/background.md §3, §11.3).

Theory: the asymptotic risk eq. (8) (``scratch_risk``) and the exact finite-size mean
(``scratch_risk_finite``) at the simulated ``d``. Simulation: the minimum-norm interpolator,
which is what gradient flow from a small initialisation converges to (Theorem 3.5, §3.1);
points are means over instances with +-1 standard deviation (the paper's error bars) and the
standard error is recorded in the numbers file.
"""
from __future__ import annotations

import os

import numpy as np

import ftheory
from ftheory.figures import layout, style
from ftheory.figures.registry import Figure
from ftheory.simulate.keyed import simulate_min_norm_sigma_rows
from ftheory.simulate.rowkeys import row_key
from ftheory.simulate.sweeps import sweep

ID = "scratch-dd"
TITLE = "Double descent of training from scratch"


def compute(scale, seed, progress=None, store=None) -> dict:
    """Minimum-norm scratch risk (mean, std, sem) for gamma = 0.1 .. 2 at sigma = 0 and 0.2, with the asymptotic and
    finite-size theory; JSON-ready dict (``store``: resumable sweep).
    """
    d = scale["d"]
    gammas = np.round(np.arange(0.1, 2.0001, 0.1), 10).tolist()
    sigmas = [0.0, 0.2]
    # one sweep point per gamma (n = round(gamma d)): both noise levels from the same draws, one QR per instance
    res = sweep(simulate_min_norm_sigma_rows, {"gamma": gammas}, fixed={"d": d, "sigmas": sigmas}, instances=scale["instances"],
                seed=seed, store=store and os.path.join(store, ID), progress=False)
    ns = [res.records[i]["point"]["n"] for i in range(len(gammas))]
    rows = []
    for j, sigma in enumerate(sigmas):
        for n in ns:
            est = res.estimate(row_key("risk", j), n=n)
            rows.append({"sigma": sigma, "gamma": float(n / d), "n": n, "d": d, "mean": est.mean,
                         "std": est.std, "sem": est.sem, "instances": est.instances,
                         "theory_finite": float(ftheory.get("scratch_risk_finite")(n=n, d=d, sigma=sigma)),
                         "theory_asymptotic": float(ftheory.get("scratch_risk")(gamma=n / d, sigma=sigma))})
    return {"rows": rows, "d": d, "instances": scale["instances"]}


def render(data, path_stem) -> list:
    """Draw the figure from ``compute``'s data; save PNG and PDF at ``path_stem`` and return the paths."""
    fig, axes = style.new_figure(ncols=2, width=4.4)
    rows = data["rows"]
    grid = np.linspace(0, 2, 2001)
    for ax, sigma in zip(axes[0], (0.0, 0.2)):
        ax.plot(grid, ftheory.get("scratch_risk")(gamma=grid, sigma=sigma), color=style.THEORY_COLOR,
                lw=1.6, label="theory, eq. (8)")
        pts = [r for r in rows if r["sigma"] == sigma]
        g = np.array([r["gamma"] for r in pts])
        finite = np.array([r["theory_finite"] for r in pts])
        ok = np.isfinite(finite)
        ax.plot(g[ok], finite[ok], ls="none", marker="_", ms=12, color="#888888",
                label=f"exact mean, d={data['d']}")
        mean = np.array([r["mean"] for r in pts], float)
        top = 1.1
        on = mean <= top - 0.02
        ax.errorbar(g[on], mean[on], yerr=np.array([r["std"] for r in pts])[on], fmt="o", ms=3.5,
                    color=style.SIM_COLORS[0], ecolor=style.SIM_COLORS[0], elinewidth=0.8, capsize=2,
                    label=f"min-norm simulation ({data['instances']} inst.)")
        if (~on).any():  # the mean near the interpolation peak is off the scale: an arrow at the top edge
            ax.plot(g[~on], np.full((~on).sum(), top - 0.035), ls="none", marker="^", ms=5, mfc="white",
                    color=style.SIM_COLORS[0], label=f"simulation mean > {top:g}")
        ax.set_ylim(-0.1, top)
        ax.set_xlim(0, 2.06)  # room for the markers at gamma = 2
        ax.axvline(1, color="#bbbbbb", lw=0.6, ls=":")
        ax.set_xlabel(r"$\gamma = n/d$")
        ax.set_ylabel(r"$R_{\rm sc}$")
        ax.set_title(rf"$\sigma = {sigma:g}$")
    fig.suptitle(TITLE, fontsize=10)
    fig.tight_layout()  # room for the suptitle above the panel titles (it sat level with them) and the x labels
    layout.place_legend(axes[0][0], fontsize=7)  # where it covers no data, whatever the data
    return style.save(fig, path_stem)


def caption(data) -> str:
    """The figure caption: setting, sizes and what the lines and points are."""
    return (f"Scratch risk against gamma = n/d at sigma = 0 (left) and 0.2 (right). Line: eq. (8); "
            f"grey ticks: exact finite-size mean at d = {data['d']} (docs/background.md §3.3); points: minimum-norm "
            f"interpolator (the small-initialisation limit of gradient flow, §3.1), mean +- 1 sd over "
            f"{data['instances']} instances; an open triangle at the top edge marks a mean above the plotted range "
            f"(near the interpolation peak).")


FIGURES = [Figure(ID, TITLE, compute, render, caption)]
