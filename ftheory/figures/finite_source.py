"""Finite source data: fine-tuning and linear transfer diagrams (docs/background.md §7, Appendix C, §11.3).

Two rows, gamma_s = 0.5 and 1.5, sigma_s = sigma = 0.2 (§11.1). The source estimate is the
minimum-norm (n_s < d) or least-squares (n_s > d) fit of ``round(gamma_s d)`` noisy source samples
(§2.5, §7.1).

Fine-tuning: deep linear networks (depth 2) pretrained on the finite source set - the balanced rank-one
network with end-to-end vector ``beta_hat_s``, the ``alpha -> 0`` limit of GD pretraining from the
small initialisation (§2.5; GD pretraining at the default ``alpha`` differs by an O(pretraining step)
imbalance, ~1e-3 in ``c_GD``, docs/performance.md) - then scratch and fine-tuning by GD on the same
target data (:func:`ftheory.simulate.paired_rows.simulate_finetune_rows`: per instance one target task,
one scratch run and one set of source inputs and noise, shared by every theta; the target draws are the same for both
gamma_s). Theory: the paper's
``finetune_transferability_finite_source`` (eq. (22), c = 1) with the break-even angle of eq. (23)
(``finetune_break_even_theta_finite_source``), and the gradient-flow scale of §6.4 with
``beta_pre = beta_hat_s`` (§7.2 [EXT]), registered as ``finetune_transferability_gf_finite_source`` (the composition
``finetune_transferability_gf(gamma, theta_eff, sigma, norm_s=r)`` with ``r^2 = finite_source_norm_sq``
and ``r cos(theta_eff) = finite_source_overlap``). Unlike the infinite-source case the scale c is far
from 1 even at small gamma (``||beta_hat_s|| != 1``), so the two theories differ visibly.

Linear transfer: closed form (read-out refit on the feature ``beta_hat_s``, §4.1) against the
minimum-norm scratch fit on the same target data
(:func:`ftheory.simulate.paired_rows.simulate_lt_finite_source_rows`, the quantities of
:func:`ftheory.simulate.paired.simulate_lt_finite_source_paired` along a row of angles on shared draws).
Theory: ``linear_transfer_transferability_finite_source`` (§7.3).
"""
from __future__ import annotations

import math
import os

import numpy as np

import ftheory
from ftheory.figures import phase, style
from ftheory.figures.ft_phase import MAX_STEPS, SLICE_LR_FACTOR, _arr, _collect_rows, mark_unconverged, \
    off_one, points, run_gd_grid
from ftheory.figures.lt_phase import grid_axes
from ftheory.figures.registry import Figure
from ftheory.simulate.paired_rows import simulate_lt_finite_source_rows
from ftheory.simulate.stats import agreement_where, chi2, finite_mean, paired_gap_stats, pooled_mean_sem, theory_gap
from ftheory.simulate.sweeps import sweep

ID = "finite-source"
TITLE = "Transfer from a finite source set"
GAMMA_S = (0.5, 1.5)
SIGMA = SIGMA_S = 0.2
SLICES = (math.pi / 8, math.pi / 4, 3 * math.pi / 8)


# ------------------------------------------------------------------------------------------
# theory: registered results (ftheory/theory/finite_source_gf.py)
# ------------------------------------------------------------------------------------------
def ft_gf_finite_source(gamma, theta, sigma, gamma_s, sigma_s):
    """``finetune_transferability_gf_finite_source`` (depth 2)."""
    return ftheory.get("finetune_transferability_gf_finite_source")(gamma=gamma, theta=theta, sigma=sigma,
                                                                     gamma_s=gamma_s, sigma_s=sigma_s)


def ft_gf_break_even_finite_source(gamma, sigma, gamma_s, sigma_s):
    """``finetune_break_even_theta_gf_finite_source`` (depth 2)."""
    return ftheory.get("finetune_break_even_theta_gf_finite_source")(gamma=gamma, sigma=sigma, gamma_s=gamma_s,
                                                                      sigma_s=sigma_s)


def ft_scale_finite_source(gamma, sigma, gamma_s, sigma_s):
    """``finetune_scale_finite_source`` (depth 2)."""
    return ftheory.get("finetune_scale_finite_source")(gamma=gamma, sigma=sigma, gamma_s=gamma_s, sigma_s=sigma_s)


# ------------------------------------------------------------------------------------------
# compute
# ------------------------------------------------------------------------------------------
def gd_axes(scale, d):
    """Fine-tuning GD grid: theta in {0, pi/8, ..., pi/2} (slices included), gamma avoiding n = d."""
    coarse = scale.get("theta_stride", 1) > 1 or scale.get("gamma_stride", 1) > 1
    t_ks = scale.get("fs_theta_ks", (0, 20) if coarse else (0, 5, 10, 15, 20))
    g_ks = scale.get("fs_gamma_ks", (1, 5) if coarse else (1, 3, 5, 7, 9, 13, 17))
    thetas = [k * math.pi / 40 for k in t_ks]
    return thetas, off_one([round(0.1 * k, 10) for k in g_ks], d)


def compute(scale, seed, progress=None, store=None) -> dict:
    """For gamma_s = 0.5 and 1.5: fine-tuning GD grid (T_ft, paired with scratch) and linear-transfer sweep (T_lt,
    cos^2 of the effective angle) with the theory checks; JSON-ready dict (``store``: resumable sweeps).
    """
    from ftheory.figures.ft_phase import gd_settings

    g = gd_settings(scale)
    d_gd = g["d"]
    gd_thetas, gd_gammas = gd_axes(scale, d_gd)
    d = scale["d"]
    lt_thetas, gammas = grid_axes(scale)
    lt_inst = scale.get("fs_lt_instances", max(4, round(scale["instances"] * 0.4)))
    st = store and os.path.join(store, ID)
    rows = []
    for gs in GAMMA_S:
        if progress:
            progress(f"{ID}: gamma_s={gs} fine-tuning GD")
        gd_ns, ft = run_gd_grid(gd_thetas, gd_gammas, d_gd, SIGMA, g["map_instances"], seed,
                         st and os.path.join(st, f"ft_{gs}"), gamma_s=gs, sigma_s=SIGMA_S,
                         ft_lr_factor=SLICE_LR_FACTOR, max_steps=int(MAX_STEPS / SLICE_LR_FACTOR))
        if progress:
            progress(f"{ID}: gamma_s={gs} linear transfer")
        res = sweep(simulate_lt_finite_source_rows, {"gamma": gammas},
                    fixed={"d": d, "sigma": SIGMA, "gamma_s": gs, "sigma_s": SIGMA_S,
                           "thetas": [float(t) for t in lt_thetas]},
                    instances=lt_inst, seed=seed, store=st and os.path.join(st, f"lt_{gs}"),
                    progress=False)
        lt_ns = res.values("n")                            # n = round(gamma d), each once
        coll = _collect_rows(res, lt_thetas, lt_ns, ("T_lt", "cos2_eff"))
        lt = {q: {"mean": coll[q]["mean"], "sem": coll[q]["sem"]} for q in coll}
        rows.append({"gamma_s": gs, "ft": ft, "lt": lt, "checks": _checks(gs, ft, gd_thetas, gd_ns, d_gd, lt,
                                                                         lt_thetas, lt_ns, d)})
    return {"sigma": SIGMA, "sigma_s": SIGMA_S, "gamma_s": list(GAMMA_S), "gd_d": d_gd,
            "gd_instances": g["map_instances"], "gd_lr_factor": SLICE_LR_FACTOR, "gd_thetas": gd_thetas, "gd_ns": gd_ns,
            "gd_gammas": [n / d_gd for n in gd_ns], "d": d, "instances": lt_inst,
            "lt_thetas": lt_thetas, "lt_ns": lt_ns, "lt_gammas": [n / d for n in lt_ns], "rows": rows}


def _checks(gs, ft, gd_thetas, gd_ns, d_gd, lt, lt_thetas, lt_ns, d):
    """Agreement of the simulations with each theory: chi^2 of the fine-tuning z-scores (gamma < 1), paired gaps,
    pooled scales, and the linear-transfer signs and rms difference away from gamma = 1
    (:mod:`ftheory.simulate.stats`)."""
    paper = ftheory.get("finetune_transferability_finite_source")
    T, S = _arr(ft["T_ft"]["mean"]), _arr(ft["T_ft"]["sem"])
    G = np.array(gd_ns)[:, None] / d_gd
    TH = np.array(gd_thetas)[None, :]
    below = np.broadcast_to(G < 1, T.shape)
    c_gd, c_sem = _arr(ft["c_gd"]["mean"]), _arr(ft["c_gd"]["sem"])
    c_model = _arr(ft["c_model"]["mean"])
    c_asym = ft_scale_finite_source(np.array(gd_ns) / d_gd, SIGMA, gs, SIGMA_S)
    lt_th = ftheory.get("linear_transfer_transferability_finite_source")
    Tl = _arr(lt["T_lt"]["mean"])
    Gl = np.array(lt_ns)[:, None] / d
    Tl_th = lt_th(gamma=Gl, theta=np.array(lt_thetas)[None, :], sigma=SIGMA, gamma_s=gs, sigma_s=SIGMA_S)
    far = np.broadcast_to(np.abs(Gl - 1) > 0.25, Tl.shape)
    c_pooled = [pooled_mean_sem(c_gd[i], c_sem[i]) if gd_ns[i] < d_gd else (None, None) for i in range(len(gd_ns))]
    G_p, G_ps, G_c = _arr(ft["gap_paper"]["mean"]), _arr(ft["gap_paper"]["sem"]), _arr(ft["gap_cmodel"]["mean"])
    lt_agree = agreement_where(Tl, Tl_th, far)
    return {"ft_chi2_paper": chi2(T, S, paper(gamma=G, theta=TH, gamma_s=gs, sigma_s=SIGMA_S), below),
            "ft_chi2_gf": chi2(T, S, ft_gf_finite_source(G, TH, SIGMA, gs, SIGMA_S), below),
            "ft_points": int(below.sum()),
            # paired null-space gaps R_paper - R_GD on the same instances (ftheory.simulate.stats.paired_gap_stats)
            "ft_paired": paired_gap_stats(G_p[below].tolist(), G_ps[below].tolist(), G_c[below].tolist()),
            # pooled over the angles (c does not depend on theta)
            "c_gd_by_gamma": [pooled[0] for pooled in c_pooled],
            "c_gd_sem_by_gamma": [pooled[1] for pooled in c_pooled],
            "c_model_by_gamma": [finite_mean(c_model[i]) if gd_ns[i] < d_gd else None
                                 for i in range(len(gd_ns))],
            "c_asymptotic_by_gamma": [float(c) if n < d_gd else None for c, n in zip(np.atleast_1d(c_asym), gd_ns)],
            "lt_sign_agree_far_from_1": lt_agree["sign_agree"], "lt_cells_far_from_1": lt_agree["cells"],
            "lt_rms_diff_far_from_1": lt_agree["rms_diff"]}


# ------------------------------------------------------------------------------------------
# render
# ------------------------------------------------------------------------------------------
def render(data, path_stem) -> list:
    """Draw the figure from ``compute``'s data; save PNG and PDF at ``path_stem`` and return the paths."""
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(26, 9.6))
    gs = fig.add_gridspec(2, 8, hspace=0.75, wspace=0.5, width_ratios=[1] * 7 + [0.08])
    ims = []
    for row, rd in enumerate(data["rows"]):
        gsv = rd["gamma_s"]
        axes = [fig.add_subplot(gs[row, k]) for k in range(7)]
        ft = rd["ft"]
        axes[0].annotate(rf"$\gamma_s={gsv:g}$", xy=(0, 0.5), xycoords="axes fraction", xytext=(-62, 0),
                         textcoords="offset points", rotation=90, fontsize=13, ha="center", va="center")
        phase.sim_heatmap(axes[0], data["gd_thetas"], data["gd_gammas"], _arr(ft["T_ft"]["mean"]),
                          title=f"fine-tuning: GD (d={data['gd_d']}, {data['gd_instances']} inst.)")
        mark_unconverged(axes[0], data["gd_thetas"], data["gd_gammas"], ft["T_ft"]["converged"],
                         ft["T_ft"]["instances"])
        theta, gamma, T = phase.theory_grid("finetune_transferability_finite_source", size=400, gamma_s=gsv,
                                            sigma_s=data["sigma_s"])
        ims.append(phase.heatmap(axes[1], theta, gamma, T, contour=False,
                                 title="fine-tuning: theory, eq. (22)"))
        _ft_boundaries(axes[1], data, gsv)
        _ft_slices(axes[2], data, rd)
        _scale(axes[3], data, rd)
        phase.sim_heatmap(axes[4], data["lt_thetas"], data["lt_gammas"], _arr(rd["lt"]["T_lt"]["mean"]),
                          title=f"linear transfer: sim. (d={data['d']}, {data['instances']} inst.)")
        theta, gamma, T = phase.theory_grid("linear_transfer_transferability_finite_source", size=400,
                                            sigma=data["sigma"], gamma_s=gsv, sigma_s=data["sigma_s"])
        phase.heatmap(axes[5], theta, gamma, T, title="linear transfer: theory (§7.3)")
        _lt_slices(axes[6], data, rd)
    cax = fig.add_subplot(gs[:, 7])  # its own column: the colour bar covers no panel or title
    fig.colorbar(ims[0], cax=cax, label=r"$\mathcal{T}$ (blue: transfer helps)")
    fig.suptitle(f"{TITLE} ($\\sigma_s=\\sigma={data['sigma']:g}$, depth 2)", fontsize=12)
    return style.save(fig, path_stem)


def _ft_boundaries(ax, data, gsv):
    th_p = float(ftheory.get("finetune_break_even_theta_finite_source")(gamma_s=gsv, sigma_s=data["sigma_s"]))
    ax.plot([th_p, th_p], [0, 1], color="#2a9d5c", lw=1.4, ls="--", label=r"$\theta^*$, eq. (23)")
    ax.plot([th_p, math.pi / 2], [1, 1], color="#2a9d5c", lw=1.4, ls="--")
    g = np.linspace(1e-3, 1 - 1e-4, 500)
    ax.plot(ft_gf_break_even_finite_source(g, data["sigma"], gsv, data["sigma_s"]), g, color="#e09f3e", lw=1.4,
            ls="-.", label="gradient flow (§6.4)")
    phase.legend_below(ax, ncol=1, fontsize=7)


def _ft_slices(ax, data, rd):
    gsv, ft = rd["gamma_s"], rd["ft"]
    paper = ftheory.get("finetune_transferability_finite_source")
    g_line = np.linspace(0, 2, 801)
    T, S = _arr(ft["T_ft"]["mean"]), _arr(ft["T_ft"]["sem"])
    conv, inst = np.array(ft["T_ft"]["converged"]), np.array(ft["T_ft"]["instances"])
    thetas = np.array(data["gd_thetas"])
    shown = []  # every curve and point (+- error bar) stays in view
    for k, th in enumerate(SLICES):
        color = style.SIM_COLORS[k]
        y_p = paper(gamma=g_line, theta=th, gamma_s=gsv, sigma_s=data["sigma_s"])
        y_gf = ft_gf_finite_source(g_line, th, data["sigma"], gsv, data["sigma_s"])
        ax.plot(g_line, y_p, color=color, lw=1.3, label=rf"$\theta={style.pi_label(th)[1:-1]}$")
        ax.plot(g_line, y_gf, color=color, lw=1.0, ls="--")
        shown += [y_p, y_gf]
        j = int(np.argmin(np.abs(thetas - th)))
        if abs(thetas[j] - th) < 1e-9:
            points(ax, data["gd_gammas"], T[:, j], S[:, j], conv[:, j], inst[:, j], color)
            shown += [T[:, j] + np.nan_to_num(S[:, j]), T[:, j] - np.nan_to_num(S[:, j])]
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xlim(0, 2.05)
    phase.fit_ylim(ax, shown, at_least=(-0.6, 0.6))
    ax.set_xlabel(r"$\gamma = n/d$")
    ax.set_ylabel(r"$\mathcal{T}_{\rm ft}$")
    phase.legend_below(ax, ncol=3, fontsize=7)
    ax.set_title("fine-tuning slices: eq. (22) solid,\ngradient flow dashed, GD points", fontsize=8)


def _scale(ax, data, rd):
    ch = rd["checks"]
    x = np.array(data["gd_gammas"])
    ok = x < 1
    g_line = np.linspace(0.005, 0.995, 300)
    ax.plot(g_line, ft_scale_finite_source(g_line, data["sigma"], rd["gamma_s"], data["sigma_s"]),
            color=style.THEORY_COLOR, lw=1.4, label="gradient flow, asymptotic")
    ax.axhline(1, color="#2a9d5c", lw=1.0, ls=":", label="paper: c = 1")
    cg = np.array([np.nan if v is None else v for v in ch["c_gd_by_gamma"]], float)
    cs = np.array([np.nan if v is None else v for v in ch["c_gd_sem_by_gamma"]], float)
    cm = np.array([np.nan if v is None else v for v in ch["c_model_by_gamma"]], float)
    ax.plot(x[ok], cm[ok], ls="none", marker="x", ms=6, color=style.SIM_COLORS[1], label="gradient flow, same inst.")
    ax.errorbar(x[ok], cg[ok], yerr=cs[ok], fmt="o", ms=4, color=style.SIM_COLORS[0], capsize=2, label="GD")
    ax.set_xlim(0, 1)
    ax.set_xlabel(r"$\gamma = n/d$")
    ax.set_ylabel(r"scale $c$ of $(I-P)\hat\beta_s$")
    phase.legend_below(ax, ncol=2, fontsize=7)
    ax.set_title("fine-tuning: scale of the frozen part", fontsize=8)


def _lt_slices(ax, data, rd):
    gsv = rd["gamma_s"]
    th_fn = ftheory.get("linear_transfer_transferability_finite_source")
    g_line = np.linspace(0.001, 2, 1500)
    T, S = _arr(rd["lt"]["T_lt"]["mean"]), _arr(rd["lt"]["T_lt"]["sem"])
    thetas = np.array(data["lt_thetas"])
    x = np.array(data["lt_gammas"])
    d = data["d"]
    n_line = np.arange(3, 2 * d + 1)
    th_eff_of = ftheory.get("finite_source_effective_angle")
    sc_fin = ftheory.get("scratch_risk_finite")(n=n_line, d=d, sigma=data["sigma"])
    lt_fin = ftheory.get("linear_transfer_risk_finite")
    for k, th in enumerate(SLICES):
        color = style.SIM_COLORS[k]
        ax.plot(g_line, th_fn(gamma=g_line, theta=th, sigma=data["sigma"], gamma_s=gsv, sigma_s=data["sigma_s"]),
                color=color, lw=1.3, label=rf"$\theta={style.pi_label(th)[1:-1]}$")
        # finite-d approximation: exact scratch mean (§3.3) minus the exact lt mean (§4.2) at the asymptotic theta_eff
        th_eff = float(th_eff_of(theta=th, gamma_s=gsv, sigma_s=data["sigma_s"]))
        ax.plot(n_line / d, theory_gap(sc_fin, lt_fin(n=n_line, theta=th_eff, sigma=data["sigma"])), color=color,
                lw=0.7, ls="--")
        j = int(np.argmin(np.abs(thetas - th)))
        if abs(thetas[j] - th) < 1e-9:
            phase.errorbar_in_range(ax, x, T[:, j], S[:, j], (-1.1, 1.1), color=color, ms=3, capsize=1.5)
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xlim(0, 2.05)
    ax.set_ylim(-1.1, 1.1)
    ax.set_xlabel(r"$\gamma = n/d$")
    ax.set_ylabel(r"$\mathcal{T}_{\rm lt}$")
    phase.legend_below(ax, ncol=3, fontsize=7)
    ax.set_title("linear-transfer slices: §7.3 (lines), finite d\n(dashed, approx.), simulation (points)", fontsize=8)


def caption(data) -> str:
    """The figure caption: setting, sizes, the theories drawn and the agreement checks."""
    parts = []
    for rd in data["rows"]:
        ch = rd["checks"]
        parts.append(f"gamma_s = {rd['gamma_s']:g}: fine-tuning, sum of squared z-scores over {ch['ft_points']} GD "
                     f"cells with gamma < 1: {ch['ft_chi2_paper']:.0f} against eq. (22), "
                     f"{ch['ft_chi2_gf']:.0f} against gradient flow; paired with the same instances: "
                     f"{ch['ft_paired']['chi2_paper']:.0f} against the paper, slope {ch['ft_paired']['slope']:.2f} "
                     f"+- {ch['ft_paired']['slope_sem']:.2f} on the gradient-flow gaps (1: gradient flow, 0: paper); "
                     f"linear-transfer sign agreement {ch['lt_sign_agree_far_from_1']}/{ch['lt_cells_far_from_1']} "
                     f"cells with |gamma - 1| > 0.25")
    return (f"Finite source set, sigma_s = sigma = {data['sigma']:g}; rows gamma_s = 0.5 and 1.5. Fine-tuning "
            f"(left four panels): depth-2 deep linear networks, scratch from the small initialisation and fine-tuning "
            f"from the balanced rank-one network with end-to-end vector beta_hat_s (the alpha -> 0 limit of GD "
            f"pretraining), both by gradient descent, instances shared along each gamma row "
            f"(d = {data['gd_d']}, {data['gd_instances']} instances per cell, fine-tuning step divided by "
            f"{1 / data['gd_lr_factor']:g} to approach gradient flow); theory eq. (22) with the break-even "
            f"angle of eq. (23) (dashed) and the gradient-flow correction of §6.4 with beta_pre = beta_hat_s "
            f"(dash-dotted; docs/background.md §7.2 [EXT]); slices at theta = pi/8, pi/4, 3pi/8 (+-1 s.e.; hollow: not all "
            f"converged); the scale c that GD applies to the frozen part (I - P) beta_hat_s. Linear transfer "
            f"(right three panels): closed-form read-out refit on beta_hat_s against min-norm scratch on the same "
            f"data (d = {data['d']}, {data['instances']} instances), theory §7.3 with its zero contour; "
            f"in the slices, "
            f"dashed: exact finite-d scratch mean minus the exact finite-n linear-transfer mean at the asymptotic "
            f"effective angle (an approximation: the effective angle fluctuates with the source data). "
            + "; ".join(parts) + ".")


FIGURES = [Figure(ID, TITLE, compute, render, caption)]
