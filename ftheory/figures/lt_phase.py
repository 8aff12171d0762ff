"""Linear-transfer phase diagram (docs/background.md §5, Figure 1; noiseless version: Figure 7).

Simulation: on the (theta, gamma) grid of §11.1 (theta_k = k pi/40, gamma = 0.1 ... 2.0), scratch
(minimum-norm interpolator) and linear transfer (read-out refit on the pretrained feature, §4.1)
on the same data for each instance, which is what gradient flow from small initialisation gives
(§3.1, §2.3); the transferability is the per-instance difference. Theory: eq. (11) with the
registered boundaries (§5.2); slices also show the exact finite-size mean at the simulated d (§5.5).
"""
from __future__ import annotations

import math
import os

import numpy as np

import ftheory
from ftheory.figures import layout, phase, style
from ftheory.figures.registry import Figure
from ftheory.simulate.linear_grid import grid_key, transfer_grid_estimates
from ftheory.simulate.sweeps import sweep

SLICES = (math.pi / 8, math.pi / 4, 3 * math.pi / 8)


def grid_axes(scale):
    """The (thetas, gammas) grid: theta_k = k pi/40 (k = 1..20) and gamma = 0.1..2.0, thinned by
    ``scale['theta_stride']`` / ``scale['gamma_stride']``.
    """
    thetas = [k * math.pi / 40 for k in range(1, 21, scale.get("theta_stride", 1))]
    gammas = [round(0.1 * k, 10) for k in range(1, 21, scale.get("gamma_stride", 1))]
    return thetas, gammas


def compute_lt_grid(scale, seed, sigma, store=None, progress=None):
    """Simulated T_lt = R_sc - R_lt (mean, sem) on the :func:`grid_axes` grid at d = scale['d'] (n = round(gamma d));
    JSON-ready dict with rows n and columns theta.

    One sweep point per n computes every theta from the same draws (:func:`~ftheory.simulate.linear_grid.simulate_transfer_grid`:
    one least-squares solve per instance for the whole row; each cell has the distribution of
    :func:`~ftheory.simulate.linear.simulate_scratch_and_transfer` at its theta).
    """
    d = scale["d"]
    thetas, gammas = grid_axes(scale)
    res = sweep(transfer_grid_estimates, {"gamma": gammas}, fixed={"d": d, "sigma": sigma, "thetas": thetas},
                instances=scale["instances"], seed=seed, store=store, progress=False)
    ns = res.values("n")                                   # n = round(gamma d), each once
    T = np.full((len(ns), len(thetas)), np.nan)
    S = np.full_like(T, np.nan)
    for i, n in enumerate(ns):
        for j in range(len(thetas)):
            est = res.estimate(grid_key("transferability", j, 0), n=n)
            T[i, j], S[i, j] = est.mean, est.sem
    return {"d": d, "sigma": sigma, "instances": scale["instances"], "thetas": thetas,
            "gammas": [n / d for n in ns], "ns": ns, "T": T.tolist(), "sem": S.tolist()}


def make(sigma, fid, title):
    """The linear-transfer phase-diagram :class:`Figure` ``fid`` at noise ``sigma`` (simulated and theory maps, sign,
    slices, 3-D surface).
    """
    def compute(scale, seed, progress=None, store=None):
        return compute_lt_grid(scale, seed, sigma, store=store and os.path.join(store, fid), progress=progress)

    def render(data, path_stem):
        import matplotlib.pyplot as plt

        sig = data["sigma"]
        fig = plt.figure(figsize=(15, 7.2))
        gs = fig.add_gridspec(2, 3, hspace=0.55, wspace=0.28)
        ax_sim, ax_th, ax_bin = (fig.add_subplot(gs[0, k]) for k in range(3))
        ax_sl = fig.add_subplot(gs[1, :2])
        ax_3d = fig.add_subplot(gs[1, 2], projection="3d")
        phase.sim_heatmap(ax_sim, data["thetas"], data["gammas"], np.array(data["T"], float),
                          title=f"simulation (d={data['d']}, {data['instances']} inst.)")
        theta, gamma, T = phase.theory_grid("linear_transfer_transferability", size=400, sigma=sig)
        im = phase.heatmap(ax_th, theta, gamma, T, title=r"theory, eq. (11), with boundaries")
        phase.lt_boundaries(ax_th, sig)
        phase.legend_below(ax_th)
        phase.heatmap(ax_bin, theta, gamma, T, binary=True, title="theory: sign of T (blue: transfer helps)")
        phase.lt_boundaries(ax_bin, sig, labels=False)
        fig.colorbar(im, ax=[ax_sim, ax_th, ax_bin], shrink=0.8, label=r"$\mathcal{T}_{\rm lt}$")
        _slices(ax_sl, data)
        th3, g3, T3 = phase.theory_grid("linear_transfer_transferability", size=200, sigma=sig)
        phase.surface(ax_3d, th3, g3, T3)
        ax_3d.set_box_aspect(None, zoom=1.25)
        fig.suptitle(f"{title} ($\\sigma={sig:g}$)", fontsize=11)
        layout.place_legend(ax_sl, fontsize=8, ncol=3)  # where it covers no data, whatever the data
        return style.save(fig, path_stem)

    def caption(data):
        return (f"Linear transfer, sigma = {data['sigma']:g}. Top: simulated transferability T_lt = R_sc - R_lt "
                f"(d = {data['d']}, {data['instances']} instances per point; min-norm scratch and read-out refit "
                f"on the same data), theory eq. (11) with the boundaries gamma_-, gamma_+, gamma_over of §5.2 "
                f"(dashed; dotted line: theta_min), and its sign. Bottom: slices at theta = pi/8, pi/4, 3pi/8 "
                f"(lines: asymptotic theory; thin dashed: exact finite-size mean at d = {data['d']}; points: "
                f"simulation, +-1 standard error; open triangles: a mean beyond the plotted range), and the 3-D surface.")

    return Figure(fid, title, compute, render, caption)


def _slices(ax, data):
    thetas = data["thetas"]
    T = np.array(data["T"], float)
    S = np.array(data["sem"], float)
    g_line = np.linspace(0.001, 2, 1500)
    r = ftheory.get("linear_transfer_transferability")
    fin = ftheory.get("linear_transfer_transferability_finite")
    ns = np.array(data["ns"])
    for k, th in enumerate(SLICES):
        color = style.SIM_COLORS[k]
        ax.plot(g_line, r(gamma=g_line, theta=th, sigma=data["sigma"]), color=color, lw=1.4,
                label=rf"$\theta={style.pi_label(th)[1:-1]}$")
        n_line = np.arange(1, 2 * data["d"] + 1)
        exact = fin(n=n_line, d=data["d"], theta=th, sigma=data["sigma"])
        ax.plot(n_line / data["d"], exact, color=color, lw=0.7, ls="--")
        j = int(np.argmin(np.abs(np.array(thetas) - th)))
        if abs(thetas[j] - th) < 1e-9:
            phase.errorbar_in_range(ax, ns / data["d"], T[:, j], S[:, j], (-1.1, 1.1), color=color, capsize=2)
    ax.axhline(0, color="black", lw=0.6)
    ax.set_ylim(-1.1, 1.1)
    ax.set_xlim(0, 2.04)
    ax.set_xlabel(r"$\gamma = n/d$")
    ax.set_ylabel(r"$\mathcal{T}_{\rm lt}$")
    ax.set_title("slices: theory (lines), exact finite d (dashed), simulation (points)", fontsize=9)


FIGURES = [make(0.2, "lt-phase", "Linear transfer: phase diagram"),
           make(0.0, "lt-phase-noiseless", "Linear transfer without label noise")]
