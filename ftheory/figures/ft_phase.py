"""Fine-tuning phase diagram (docs/background.md §6, Figure 2; noiseless version: Figure 7).

Simulation: deep linear networks (depth 2, docs/background.md §1.2) trained by full-batch gradient descent
(:mod:`ftheory.simulate.deep_linear`): scratch from the small initialisation and fine-tuning of every
layer from the pretrained network, on the same data per instance, so ``T_ft = R_sc - R_ft`` is a
per-instance difference (§0.2 item 6). The pretrained network is the exactly balanced rank-one
network with end-to-end vector ``beta_s`` (``PRETRAINED = "balanced"``): the ``alpha -> 0`` limit of GD
pretraining from the small initialisation (§2.3-§2.4; at the default ``alpha = 1e-5`` the two give the
same ``T_ft`` samples to ~1e-7, docs/performance.md), which fine-tunes by the exact width-1 dynamics.
:func:`ftheory.simulate.paired_rows.simulate_finetune_rows` runs one row of angles per ``n``: per
instance one target task and one scratch run shared by every theta (only the source teacher depends on
theta), and it keeps the end-to-end vectors to compare each instance with the two closed-form
fine-tuned vectors

* paper (Theorem 3.9, §6.2): ``beta = X^+ y + (I - P) beta_pre``,
* gradient flow (§6.3-§6.4): ``beta = X^+ y + c (I - P) beta_pre`` with the per-instance root ``c`` of
  ``r^2 c^4 - a c^2 - b = 0``, ``a = ||(I - P) beta_pre||^2``, ``b = ||X^+ y||^2``, ``r = ||beta_pre||``,

and measures the scale that gradient descent actually applies to the frozen null-space part,
``c_GD = <(I-P) beta_ft, (I-P) beta_pre> / a``. These paired differences have a far smaller variance
than ``T_ft`` itself, which is what makes the (small) gradient-flow correction visible at CPU scale.
GD approaches gradient flow with an error proportional to the step (it lowers ``c_GD`` by ~0.005-0.02
at the automatic step, d = 40), so the slice runs divide the fine-tuning step by 4
(``SLICE_LR_FACTOR``); the coarse map uses the automatic step.

Theory: the paper's ``finetune_transferability`` (heat maps, sign map with the boundary theta = pi/3
for gamma < 1 and gamma = 1, 3-D surface) and the exact gradient-flow ``finetune_transferability_gf``
with its break-even angle ``finetune_break_even_theta_gf`` (sigma > 0). At sigma = 0 the two coincide
in the proportional limit (c = 1); at finite d the per-instance root c fluctuates around 1 by
O(d^{-1/2}) even at sigma = 0, because ``a + b`` is 1 only on average. GD points are never computed
at n = d, where GD does not converge; points where some instance did not meet the convergence
criterion are drawn hollow (heat map: hatched cell).
"""
from __future__ import annotations

import math
import os

import numpy as np

import ftheory
from ftheory.figures import phase, style
from ftheory.figures.jsonable import as_array, jsonable
from ftheory.figures.registry import Figure
from ftheory.simulate.paired_rows import ROW_QUANTITIES, simulate_finetune_rows
from ftheory.simulate.gamma import n_from_gamma
from ftheory.simulate.rowkeys import parse_row_key
from ftheory.simulate.stats import finite_mean, paired_gap_stats, pooled_mean_sem, theory_gap
from ftheory.simulate.sweeps import sweep

SLICES = (math.pi / 8, math.pi / 4, 3 * math.pi / 8)
SURFACE_SIZE = 80  # the surface is piecewise linear in gamma: 80 x 80 facets look the same as 200 x 200, draw faster


# ------------------------------------------------------------------------------------------
# grids and sweeps
# ------------------------------------------------------------------------------------------
def gd_settings(scale):
    """GD sizes: dimension (40 at default scale, 16 at tiny), instances per map / slice point."""
    return {"d": scale.get("gd_d", 40 if scale["d"] >= 80 else 16),
            "map_instances": scale.get("gd_map_instances", max(3, round(scale["instances"] / 5))),
            "slice_instances": scale.get("gd_slice_instances", max(4, round(scale["instances"] * 0.4)))}


def off_one(gammas, d):
    """The gammas whose ``n = round(gamma d)`` is not ``d`` (GD does not converge there), one per n, in the order of
    n."""
    by_n = {}
    for g in gammas:
        by_n.setdefault(n_from_gamma(g, d), g)
    return [g for n, g in sorted(by_n.items()) if n != d]


def map_axes(scale, d):
    """Coarse (theta, gamma) grid: theta_k = k pi/40, gamma = k/10 for every other k (never n = d).

    At the coarse strides of the "tiny" scale (gamma_stride >= 4): theta in {pi/20, pi/4, 9pi/20},
    gamma in {0.1, 0.5, 1.5}, away from gamma = 1 where GD needs many steps.
    """
    ts = scale.get("gd_theta_stride", max(2, scale.get("theta_stride", 1)))
    gs = scale.get("gd_gamma_stride", max(2, scale.get("gamma_stride", 1)))
    thetas = [k * math.pi / 40 for k in (range(1, 21, ts) if gs < 4 else (2, 10, 18))]
    ks = range(1, 21, gs) if gs < 4 else (1, 5, 15)
    return thetas, off_one([round(0.1 * k, 10) for k in ks], d)


def slice_gammas(scale, d):
    """gamma = 0.1, ..., 0.9 and 1.5 (tiny scale: 0.5 only)."""
    st = scale.get("gd_slice_stride", scale.get("gamma_stride", 1))
    ks = list(range(1, 10, st)) + [15] if st < 4 else [5]
    return off_one([round(0.1 * k, 10) for k in ks], d)


_jsonable = jsonable
_arr = as_array


PRETRAINED = "balanced"  # fine-tune from the alpha -> 0 limit of GD pretraining (width-1 dynamics, §2.3-§2.5)
MAX_STEPS = 30000  # near gamma = 1 (n = 0.9 d, 1.1 d) GD needs ~1.5e4 steps to meet the 1e-6 loss criterion
SLICE_LR_FACTOR = 0.25  # slices: fine-tuning step / 4, closer to gradient flow (paired comparison with §6.3)


def run_gd_grid(thetas, gammas, d, sigma, instances, seed, store, **fixed):
    """Sweep :func:`simulate_finetune_rows` over ``gammas`` (n = round(gamma d)) with the row of angles ``thetas``
    (extra ``fixed`` settings passed on); ``(ns, {quantity: {mean, sem, converged, instances}})``, the latter as
    (n, theta) nested lists.
    """
    fixed = {"d": d, "sigma": sigma, "thetas": [float(t) for t in thetas], "max_steps": MAX_STEPS,
             "pretrained": PRETRAINED, **fixed}
    res = sweep(simulate_finetune_rows, {"gamma": gammas}, fixed=fixed, instances=instances, seed=seed, store=store,
                progress=False)
    ns = res.values("n")
    return ns, _collect_rows(res, thetas, ns, ROW_QUANTITIES)


def _collect_rows(res, thetas, ns, quantities):
    """``{quantity: {"mean", "sem", "converged", "instances"}}`` as (n, theta) nested lists from a sweep
    of a row simulator whose points carry their ``n`` (quantities named ``row_key(q, j)``)."""
    shape = (len(ns), len(thetas))
    acc = {q: (np.full(shape, np.nan), np.full(shape, np.nan), np.zeros(shape, int), np.zeros(shape, int))
           for q in quantities}
    for r in res.rows:
        q, index = parse_row_key(r["quantity"])
        if q in acc and len(index) == 1:
            mean, sem, conv, inst = acc[q]
            i, j = ns.index(r["n"]), index[0]
            mean[i, j], sem[i, j], conv[i, j], inst[i, j] = r["mean"], r["sem"], r["converged"], r["instances"]
    return {q: {"mean": _jsonable(m), "sem": _jsonable(e), "converged": c.tolist(), "instances": k.tolist()}
            for q, (m, e, c, k) in acc.items()}


def compute_ft(scale, seed, sigma, store=None, progress=None, fid="ft-phase"):
    """Fine-tuning GD phase map and slices (depth 2, d from :func:`gd_settings`) at noise ``sigma`` with the paired gap
    statistics against the theories; JSON-ready dict.
    """
    g = gd_settings(scale)
    d = g["d"]
    thetas, gammas = map_axes(scale, d)
    if progress:
        progress(f"{fid}: GD map {len(thetas)}x{len(gammas)}")
    ns, grid = run_gd_grid(thetas, gammas, d, sigma, g["map_instances"], seed, store and os.path.join(store, "map"))
    if progress:
        progress(f"{fid}: GD slices")
    sns, sl = run_gd_grid(list(SLICES), slice_gammas(scale, d), d, sigma, g["slice_instances"], seed, store and os.path.join(store, "slices"),
                     ft_lr_factor=SLICE_LR_FACTOR, max_steps=int(MAX_STEPS / SLICE_LR_FACTOR))
    summary = _summary(sl, sns, d, sigma)
    return {"d": d, "sigma": sigma, "depth": 2, "pretrained": PRETRAINED, "thetas": thetas, "ns": ns, "gammas": [n / d for n in ns],
            "map_instances": g["map_instances"], "map": grid,
            "slice_thetas": list(SLICES), "slice_ns": sns, "slice_gammas": [n / d for n in sns],
            "slice_instances": g["slice_instances"], "slices": sl, "slice_lr_factor": SLICE_LR_FACTOR,
            "summary": summary, "paired": paired_gap_stats(
                [r["gap_gd_minus_paper"] for r in summary], [r["gap_sem"] for r in summary],
                [r["gap_cmodel"] for r in summary], [r["gap_asymptotic_gf"] for r in summary])}


def _summary(sl, sns, d, sigma):
    """Pooled (over the slice angles) paired gaps and scales for gamma < 1, with theory values."""
    rows = []
    paper = ftheory.get("finetune_transferability")
    gf = ftheory.get("finetune_transferability_gf")
    scale_c = ftheory.get("finetune_scale")
    for i, n in enumerate(sns):
        if n >= d:
            continue
        gam = n / d
        for j, th in enumerate(SLICES):
            gp = sl["gap_paper"]
            rows.append({"gamma": gam, "theta": th, "T_ft_gd": sl["T_ft"]["mean"][i][j],
                         "T_ft_gd_sem": sl["T_ft"]["sem"][i][j],
                         "T_paper": float(paper(gamma=gam, theta=th)),
                         "T_gf": float(gf(gamma=gam, theta=th, sigma=sigma)),
                         "gap_gd_minus_paper": gp["mean"][i][j], "gap_sem": gp["sem"][i][j],
                         "gap_cmodel": sl["gap_cmodel"]["mean"][i][j],
                         "gd_minus_gf": sl["gd_minus_gf"]["mean"][i][j],
                         "gd_minus_gf_sem": sl["gd_minus_gf"]["sem"][i][j],
                         "gap_asymptotic_gf": theory_gap(gf(gamma=gam, theta=th, sigma=sigma),
                                                         paper(gamma=gam, theta=th)),
                         "c_gd": sl["c_gd"]["mean"][i][j], "c_model": sl["c_model"]["mean"][i][j],
                         "c_asymptotic": float(scale_c(gamma=gam, sigma=sigma)),
                         "converged": sl["T_ft"]["converged"][i][j], "instances": sl["T_ft"]["instances"][i][j]})
    return rows


# ------------------------------------------------------------------------------------------
# drawing helpers (shared with finite_source)
# ------------------------------------------------------------------------------------------
def mark_unconverged(ax, thetas, gammas, converged, instances):
    """Hatch the cells of a coarse map in which some instance did not converge; return their number."""
    from matplotlib.patches import Rectangle

    conv, inst = np.asarray(converged), np.asarray(instances)
    te, ge = phase.cell_edges(thetas, gammas)
    bad = (conv < inst) & (inst > 0)
    for i, j in zip(*np.nonzero(bad)):
        ax.add_patch(Rectangle((te[j], ge[i]), te[j + 1] - te[j], ge[i + 1] - ge[i], fill=False, hatch="xxx",
                               lw=0, edgecolor="#555555"))
    return int(bad.sum())


def points(ax, x, mean, sem, conv, inst, color, marker="o"):
    """Error-bar points (+-1 s.e.); hollow where some instance did not converge."""
    x, mean, sem = np.asarray(x, float), np.asarray(mean, float), np.asarray(sem, float)
    ok = np.asarray(conv) == np.asarray(inst)
    for sel, face in ((ok, color), (~ok, "white")):
        if sel.any():
            ax.errorbar(x[sel], mean[sel], yerr=sem[sel], fmt=marker, ms=4, color=color, mfc=face, capsize=2,
                        elinewidth=0.8, zorder=3)


def rasterize_3d(ax3d):
    """Embed the 3-D surface as a bitmap in the PDF (10^4 polygons otherwise dominate the drawing time)."""
    for coll in ax3d.collections:
        coll.set_rasterized(True)


def ft_boundaries(ax, sigma, *, gf=True, labels=True):
    """theta = pi/3 for gamma < 1 and gamma = 1 (§6.2); the gradient-flow break-even curve (§6.3)."""
    ax.plot([math.pi / 3, math.pi / 3], [0, 1], color="#2a9d5c", lw=1.4, ls="--",
            label=r"$\theta=\pi/3$ (paper)" if labels else None)
    ax.plot([math.pi / 3, math.pi / 2], [1, 1], color="#2a9d5c", lw=1.4, ls="--")
    if gf and sigma > 0:
        g = np.linspace(1e-3, 1 - 1e-4, 600)
        th = ftheory.get("finetune_break_even_theta_gf")(gamma=g, sigma=sigma)
        ax.plot(th, g, color="#e09f3e", lw=1.4, ls="-.", label=r"$\theta^*_{\rm gf}(\gamma)$" if labels else None)


# ------------------------------------------------------------------------------------------
# the figure
# ------------------------------------------------------------------------------------------
def make(sigma, fid, title):
    """The fine-tuning phase-diagram :class:`Figure` ``fid`` at noise ``sigma`` (GD and theory maps, sign, 3-D surface,
    slices, gap and scale panels).
    """
    def compute(scale, seed, progress=None, store=None):
        return compute_ft(scale, seed, sigma, store=store and os.path.join(store, fid), progress=progress, fid=fid)

    def render(data, path_stem):
        import matplotlib.pyplot as plt

        sig = data["sigma"]
        fig = plt.figure(figsize=(18, 8.4))
        gs = fig.add_gridspec(2, 4, hspace=0.5, wspace=0.3)
        ax_sim, ax_th, ax_bin = (fig.add_subplot(gs[0, k]) for k in range(3))
        ax_3d = fig.add_subplot(gs[0, 3], projection="3d")
        ax_sl = fig.add_subplot(gs[1, :2])
        ax_gap, ax_c = fig.add_subplot(gs[1, 2]), fig.add_subplot(gs[1, 3])
        T = _arr(data["map"]["T_ft"]["mean"])
        phase.sim_heatmap(ax_sim, data["thetas"], data["gammas"], T,
                          title=f"GD simulation (d={data['d']}, {data['map_instances']} inst.)")
        nbad = mark_unconverged(ax_sim, data["thetas"], data["gammas"], data["map"]["T_ft"]["converged"],
                                data["map"]["T_ft"]["instances"])
        if nbad:
            ax_sim.set_title(ax_sim.get_title() + f"\nhatched: {nbad} cells not all converged", fontsize=8)
        theta, gamma, Tth = phase.theory_grid("finetune_transferability", size=400)
        im = phase.heatmap(ax_th, theta, gamma, Tth, title="theory, paper eq. (15)", contour=False)
        ft_boundaries(ax_th, sig)
        phase.legend_below(ax_th, ncol=2)
        phase.heatmap(ax_bin, theta, gamma, Tth, binary=True, contour=False,
                      title="sign of T (blue: fine-tuning helps)")
        ft_boundaries(ax_bin, sig, labels=False)
        fig.colorbar(im, ax=[ax_sim, ax_th, ax_bin], shrink=0.8, label=r"$\mathcal{T}_{\rm ft}$")
        th3, g3, T3 = phase.theory_grid("finetune_transferability", size=SURFACE_SIZE)
        phase.surface(ax_3d, th3, g3, T3, title="paper, eq. (15)")
        ax_3d.set_box_aspect(None, zoom=1.15)
        rasterize_3d(ax_3d)
        _slices(ax_sl, data)
        _gap_panel(ax_gap, data)
        _scale_panel(ax_c, data)
        fig.suptitle(f"{title} ($\\sigma={sig:g}$, depth 2)", fontsize=11)
        return style.save(fig, path_stem)

    def caption(data):
        s = data["sigma"]
        ps = data["paired"]
        gf_note = ("the gradient-flow correction vanishes at sigma = 0 in the proportional limit, c = 1; at finite "
                   "d the per-instance c still fluctuates around 1" if s == 0 else
                   "dash-dotted: the gradient-flow break-even angle (§6.3)")
        return (f"Fine-tuning, sigma = {s:g}, depth 2. Top: T_ft = R_sc - R_ft from full-batch gradient descent "
                f"on deep linear networks, scratch from the small initialisation and fine-tuning from the balanced "
                f"rank-one pretrained network (the alpha -> 0 limit of GD pretraining), instances shared along "
                f"each gamma row (d = {data['d']}, {data['map_instances']} instances per cell; gamma = 1 "
                f"is skipped because GD does not converge there), the paper's eq. (15) with the boundary theta = "
                f"pi/3 for gamma < 1 and gamma = 1 (dashed; {gf_note}), its sign, and the 3-D surface. Bottom: "
                f"slices at theta = pi/8, pi/4, 3pi/8 (solid: paper; dashed: exact gradient flow §6.3; points: GD "
                f"with the fine-tuning step divided by {1 / data['slice_lr_factor']:g} to approach gradient flow, "
                f"{data['slice_instances']} instances, +-1 standard error; hollow: not all converged); paired "
                f"difference between GD and the paper's fine-tuned vector on the same instance (points), with the "
                f"gradient-flow prediction (dashed: asymptotic; crosses: same instances); and the scale c that GD "
                f"applies to the frozen null-space part (§6.3). Paired gaps over {ps['points']} points: sum of "
                f"squared z-scores {ps['chi2_paper']:.0f} against the paper (gap 0); slope of the GD gaps on the "
                f"same-instance gradient-flow gaps {ps['slope']:.2f} +- {ps['slope_sem']:.2f} (1: gradient flow, "
                f"0: paper).")

    return Figure(fid, title, compute, render, caption)


def _slices(ax, data):
    sig, d = data["sigma"], data["d"]
    g_line = np.linspace(0.0, 2.0, 801)
    paper = ftheory.get("finetune_transferability")
    gf = ftheory.get("finetune_transferability_gf")
    T, S = _arr(data["slices"]["T_ft"]["mean"]), _arr(data["slices"]["T_ft"]["sem"])
    conv, inst = np.array(data["slices"]["T_ft"]["converged"]), np.array(data["slices"]["T_ft"]["instances"])
    x = np.array(data["slice_ns"]) / d
    shown = [np.array([-0.75, 0.75])]  # every curve and every point (with its error bar) stays in view
    for k, th in enumerate(data["slice_thetas"]):
        color = style.SIM_COLORS[k]
        lab = style.pi_label(th)[1:-1]
        y_paper = paper(gamma=g_line, theta=th)
        ax.plot(g_line, y_paper, color=color, lw=1.4, label=rf"$\theta={lab}$: paper")
        shown.append(y_paper)
        if sig > 0:
            y_gf = gf(gamma=g_line, theta=th, sigma=sig)
            ax.plot(g_line, y_gf, color=color, lw=1.1, ls="--", label="gradient flow" if k == 0 else None)
            shown.append(y_gf)
        points(ax, x, T[:, k], S[:, k], conv[:, k], inst[:, k], color)
        shown += [T[:, k] + np.nan_to_num(S[:, k]), T[:, k] - np.nan_to_num(S[:, k])]
    ax.axhline(0, color="black", lw=0.6)
    ax.axvline(1, color="#bbbbbb", lw=0.6, ls=":")
    ax.set_xlim(0, 2.04)
    phase.fit_ylim(ax, shown, at_least=(-0.75, 0.75))
    ax.set_xlabel(r"$\gamma = n/d$")
    ax.set_ylabel(r"$\mathcal{T}_{\rm ft}$")
    phase.legend_below(ax, ncol=4)
    extra = "" if sig == 0 else ", gradient flow (dashed)"
    ax.set_title(f"slices: paper eq. (15) (solid){extra}, GD d={d} (points, ±1 s.e.)", fontsize=9)


def _gap_panel(ax, data):
    """R_paper - R_ft on the same instance: 0 for the paper's vector, the c-model for gradient flow."""
    sig, d = data["sigma"], data["d"]
    sl = data["slices"]
    ns = np.array(data["slice_ns"])
    below = ns < d
    x = ns[below] / d
    g_line = np.linspace(0.005, 0.995, 400)
    paper = ftheory.get("finetune_transferability")
    gf = ftheory.get("finetune_transferability_gf")
    G, S = _arr(sl["gap_paper"]["mean"])[below], _arr(sl["gap_paper"]["sem"])[below]
    Gc = _arr(sl["gap_cmodel"]["mean"])[below]
    conv, inst = np.array(sl["gap_paper"]["converged"])[below], np.array(sl["gap_paper"]["instances"])[below]
    off = (np.arange(len(data["slice_thetas"])) - 1) * 0.008
    for k, th in enumerate(data["slice_thetas"]):
        color = style.SIM_COLORS[k]
        ax.plot(g_line, theory_gap(gf(gamma=g_line, theta=th, sigma=sig), paper(gamma=g_line, theta=th)),
                color=color, lw=1.1, ls="--")
        ax.plot(x + off[k], Gc[:, k], ls="none", marker="x", ms=5, color=color)
        points(ax, x + off[k], G[:, k], S[:, k], conv[:, k], inst[:, k], color)
    ax.axhline(0, color="black", lw=0.8, label="paper (c = 1)")
    ax.plot([], [], color="#555555", ls="--", lw=1.1, label="gradient flow, asymptotic")
    ax.plot([], [], color="#555555", ls="none", marker="x", label="gradient flow, same instances")
    ax.plot([], [], color="#555555", ls="none", marker="o", label="GD")
    ax.set_xlim(0, 1)
    ax.set_xlabel(r"$\gamma = n/d$")
    ax.set_ylabel(r"$\mathcal{T}_{\rm ft}^{\rm GD} - \mathcal{T}_{\rm ft}^{\rm paper}$ (paired)")
    phase.legend_below(ax, ncol=1, fontsize=7)
    ax.set_title("GD vs paper on the same instances", fontsize=9)


def _scale_panel(ax, data):
    sig, d = data["sigma"], data["d"]
    sl = data["slices"]
    ns = np.array(data["slice_ns"])
    below = ns < d
    x = ns[below] / d
    cg = _arr(sl["c_gd"]["mean"])[below]
    cm = _arr(sl["c_model"]["mean"])[below]
    cs = _arr(sl["c_gd"]["sem"])[below]
    g_line = np.linspace(0.005, 0.995, 400)
    ax.plot(g_line, ftheory.get("finetune_scale")(gamma=g_line, sigma=sig), color=style.THEORY_COLOR, lw=1.4,
            label=r"gradient flow $c(\gamma,\sigma)$, asymptotic")
    ax.axhline(1, color="#2a9d5c", lw=1.0, ls=":", label="paper: c = 1")
    # pooled over the slice angles (c does not depend on theta)
    m_gd, s_gd = pooled_mean_sem(cg, cs, axis=1)
    m_model = finite_mean(cm, axis=1)
    ax.plot(x, m_model, ls="none", marker="x", ms=6, color=style.SIM_COLORS[1],
            label="gradient flow, same instances")
    ax.errorbar(x, m_gd, yerr=s_gd, fmt="o", ms=4, color=style.SIM_COLORS[0], capsize=2,
                label=f"GD (d={d})")
    ax.set_xlim(0, 1)
    hi = max(1.3, float(np.nanmax(np.concatenate([m_gd, m_model]))) + 0.05)
    ax.set_ylim(0.85, hi)
    ax.set_xlabel(r"$\gamma = n/d$")
    ax.set_ylabel(r"scale $c$ of the frozen part $(I-P)\beta_s$")
    phase.legend_below(ax, ncol=1, fontsize=7)
    ax.set_title("fine-tuned null-space scale", fontsize=9)


FIGURES = [make(0.2, "ft-phase", "Fine-tuning: phase diagram"),
           make(0.0, "ft-phase-noiseless", "Fine-tuning without label noise")]
