"""Figure 4: dataset similarity does not predict transfer (docs/background.md §9.4-§9.5, §11).

Three panels, unit target teacher, sigma = 0.2:

(a) Linear-transfer transferability against KL(p_s || p_t) at gamma = 0.5 as theta runs over
    [0, pi] (the paper's Fig. 4(a)): U-shaped, symmetric about theta = pi/2 - larger KL can mean
    better transfer. A second family (aligned source teachers of norm ``1 + t``, theta = 0) reaches
    the same KL values with positive transfer at every one of them: equal KL, opposite signs.
    Points: simulated scratch-minus-transfer differences at d = scale["d"].
(b) The same transferability against Wasserstein-1: the population bounds (§9.4, Euclidean ground
    metric; [lower, upper] as a horizontal bar) and the finite-sample estimate of the paper's
    Fig. 4(b) ([DEFAULT] of §9.4: exact optimal assignment between two independent samples of size
    250 in R^(d+1), d = 500, l1 ground metric), with the spread of the same estimate between two
    samples of the *same* law (theta = 0) as a band: the estimate is dominated by sampling noise.
(c) For one fixed task pair (theta = pi/4), transferability against gamma changes sign three times
    while KL, the W1 bounds and W2 stay fixed (§9.5): no function of (p_s, p_t) alone predicts
    the sign of transfer.
"""
from __future__ import annotations

import math
import os

import numpy as np

import ftheory
from ftheory.figures import layout, phase, style
from ftheory.figures.registry import Figure
from ftheory.mc.estimate import MCEstimate
from ftheory.simulate.keyed import simulate_scratch_and_transfer_at_gamma
from ftheory.simulate.linear_grid import grid_key, transfer_grid_estimates
from ftheory.simulate.sweeps import sweep
from ftheory.simulate.tasks import simulate_w1_estimate

ID = "similarity"
TITLE = "Dataset similarity does not predict transfer (Fig. 4)"
GAMMA, SIGMA = 0.5, 0.2
THETA_FIXED = math.pi / 4
W1_DIM, W1_SIZE = 500, 250          # docs/background.md §9.4 [DEFAULT] reproduction of Fig. 4(b)


def _angles(scale):
    stride = scale.get("theta_stride", 1)
    return [math.pi * k / 12 for k in range(0, 13, max(1, stride // 2))]


def compute(scale, seed, progress=None, store=None) -> dict:
    """Simulated linear-transfer transferability against theta (gamma = 0.5) and against gamma (theta = pi/4), and the
    empirical W1 estimate against theta; JSON-ready dict (``store``: resumable sweeps).
    """
    d = scale["d"]
    inst = scale.get("similarity_instances", 10 * scale["instances"])
    w1_inst = scale.get("w1_instances", max(2, scale["instances"] // 6))
    st = store and os.path.join(store, ID)
    thetas = _angles(scale)
    if progress:
        progress(f"{ID}: transferability against theta")
    # every theta from the same draws: one least-squares solve per instance (linear_grid)
    res = sweep(transfer_grid_estimates, {"gamma": [GAMMA]}, fixed={"d": d, "thetas": thetas, "sigma": SIGMA},
                instances=inst, seed=seed, store=st and os.path.join(st, "theta_grid"), progress=False)
    n, = res.values("n")                                   # n = round(GAMMA d)
    by_theta = []
    for j, theta in enumerate(thetas):
        est = res.estimate(grid_key("transferability", j, 0), n=n)
        by_theta.append({"theta": theta, "quantity": "transferability", "mean": est.mean, "sem": est.sem,
                         "std": est.std, "instances": est.instances, "converged": int(est.converged.sum())})
    if progress:
        progress(f"{ID}: transferability against gamma")
    gammas = [0.1, 0.3, 0.5, 0.7, 0.85, 1.2, 1.6, 2.5]
    res = sweep(simulate_scratch_and_transfer_at_gamma, {"gamma": gammas}, fixed={"d": d, "theta": THETA_FIXED, "sigma": SIGMA},
                instances=inst, seed=seed, store=st and os.path.join(st, "gamma"), progress=False)
    by_gamma = [r for r in res.rows if r["quantity"] == "transferability"]
    if progress:
        progress(f"{ID}: empirical W1 (d={W1_DIM}, {W1_SIZE} samples)")
    w1_dim = scale.get("w1_dim", W1_DIM)
    res = sweep(simulate_w1_estimate, {"theta": thetas}, fixed={"sigma": SIGMA, "d": w1_dim, "size": W1_SIZE},
                instances=w1_inst, seed=seed, store=st and os.path.join(st, "w1"), progress=False)
    w1 = [{"theta": r["theta"], "mean": r["mean"], "sem": r["sem"], "std": r["std"], "instances": r["instances"]}
          for r in res.rows]
    return {"d": d, "n": n, "instances": inst, "w1_instances": w1_inst, "w1_dim": w1_dim, "w1_size": W1_SIZE,
            "by_theta": by_theta, "by_gamma": by_gamma, "w1": w1}


def render(data, path_stem) -> list:
    """Draw the figure from ``compute``'s data; save PNG and PDF at ``path_stem`` and return the paths."""
    t_lt = ftheory.get("linear_transfer_transferability")
    t_fin = ftheory.get("linear_transfer_transferability_finite")
    kl = ftheory.get("kl_divergence_task")
    w1_low, w1_up = ftheory.get("wasserstein1_lower_bound"), ftheory.get("wasserstein1_upper_bound")
    w2 = ftheory.get("wasserstein2_task")
    d, n = data["d"], data["n"]
    fig, axes = style.new_figure(ncols=2, nrows=2, width=5.0, height=3.9)
    (ax_a, ax_b), (ax_e, ax_c) = axes
    theta = np.linspace(0, math.pi, 361)
    t_theta = t_lt(gamma=GAMMA, theta=theta, sigma=SIGMA)
    kl_theta = kl(theta=theta, sigma=SIGMA)
    half = theta <= math.pi / 2
    ax_a.plot(kl_theta[half], t_theta[half], color=style.THEORY_COLOR, lw=1.6, label=r"$\theta\in[0,\pi/2]$")
    ax_a.plot(kl_theta[~half], t_theta[~half], color=style.SIM_COLORS[1], lw=1.6, ls="--",
              label=r"$\theta\in[\pi/2,\pi]$")
    ax_a.plot(kl_theta, t_fin(n=n, d=d, theta=theta, sigma=SIGMA), color="#888888", lw=1.0, ls="-.",
              label=f"exact mean, n={n}, d={d}")
    # aligned source teachers (theta = 0) of norm 1 to 3: the same KL range, transfer independent of the norm (§4.3)
    norms = np.linspace(1, 3, 50)
    ax_a.plot(kl(theta=0.0, sigma=SIGMA, norm_s=norms), t_lt(gamma=GAMMA, theta=0.0, sigma=SIGMA, norm_s=norms)
              * np.ones_like(norms), color=style.SIM_COLORS[2], lw=1.4, ls=":",
              label=r"$\theta=0$, $\|\beta_s\|$ from 1 to 3")
    pts = data["by_theta"]
    ax_a.errorbar(kl(theta=np.array([p["theta"] for p in pts]), sigma=SIGMA), [p["mean"] for p in pts],
                  yerr=[p["sem"] for p in pts], fmt="o", ms=3.5, color="black", capsize=2,
                  label=f"simulation, d={d}")
    ax_a.axhline(0, color="#999999", lw=0.8)
    ax_a.set_xlabel(r"KL$(p_s\,\|\,p_t)$")
    ax_a.set_ylabel(r"$\mathcal{T}_{\rm lt}$")
    ax_a.set_title(rf"(a) against KL, $\gamma={GAMMA:g}$, $\sigma={SIGMA:g}$", fontsize=9)

    th = np.array([r["theta"] for r in data["w1"]])
    t_pts = t_lt(gamma=GAMMA, theta=th, sigma=SIGMA)
    lo, up = w1_low(theta=th, sigma=SIGMA, sigma_s=SIGMA), w1_up(theta=th, sigma=SIGMA, sigma_s=SIGMA)
    ax_b.errorbar((lo + up) / 2, t_pts, xerr=(up - lo) / 2, fmt="|", ms=6, color=style.THEORY_COLOR, lw=2.0,
                  label="population $W_1$: [lower, upper] bound")
    ax_b.plot(w2(theta=theta, sigma=SIGMA, sigma_s=SIGMA), t_theta, color=style.SIM_COLORS[1], lw=1.2,
              label="population $W_2$ (closed form)")
    ax_b.set_xlabel(r"population distance (Euclidean ground metric)")
    ax_b.set_ylabel(r"$\mathcal{T}_{\rm lt}$")
    ax_b.axhline(0, color="#999999", lw=0.8)
    ax_b.set_title(r"(b) against $W_1$ and $W_2$ of the task laws", fontsize=9)
    phase.fit_ylim(ax_b, [t_pts, t_theta], at_least=(0.0, 0.0))

    est = np.array([r["mean"] for r in data["w1"]])
    sd = np.array([r["std"] for r in data["w1"]])
    same = next(r for r in data["w1"] if r["theta"] == 0)
    ax_e.axvspan(same["mean"] - same["std"], same["mean"] + same["std"], color="#dddddd",
                 label=r"same law ($\theta=0$), $\pm$1 s.d.")
    ax_e.errorbar(est, t_pts, xerr=sd, fmt="o", ms=3.5, color="black", capsize=2, lw=0.8,
                  label=f"estimate, mean $\\pm$ 1 s.d. ({data['w1_instances']} pairs)")
    ax_e.axhline(0, color="#999999", lw=0.8)
    ax_e.set_xlabel(rf"empirical $W_1$: assignment, $\ell_1$, $d={data['w1_dim']}$, $n={data['w1_size']}$")
    ax_e.set_ylabel(r"$\mathcal{T}_{\rm lt}$")
    ax_e.set_title("(c) the paper's finite-sample estimate", fontsize=9)
    phase.fit_ylim(ax_e, [t_pts], at_least=(0.0, 0.0))

    gam = np.concatenate([np.linspace(0.02, 0.995, 300), np.linspace(1.005, 3.0, 300)])
    t_gam = t_lt(gamma=gam, theta=THETA_FIXED, sigma=SIGMA)
    ax_c.plot(gam[gam < 1], t_gam[gam < 1], color=style.THEORY_COLOR, lw=1.6, label="theory, eq. (11)")
    ax_c.plot(gam[gam > 1], t_gam[gam > 1], color=style.THEORY_COLOR, lw=1.6)
    ns = np.array([m for m in range(3, 3 * d + 1) if abs(m - d) > 1])
    fin = t_fin(n=ns, d=d, theta=THETA_FIXED, sigma=SIGMA)
    for side in (ns < d, ns > d):
        ax_c.plot(ns[side] / d, fin[side], color="#888888", lw=1.0, ls="-.")
    ax_c.plot([], [], color="#888888", lw=1.0, ls="-.", label=f"exact mean, d={d}")
    pts = data["by_gamma"]
    ax_c.errorbar([p["gamma"] for p in pts], [p["mean"] for p in pts], yerr=[p["sem"] for p in pts], fmt="o",
                  ms=3.5, color="black", capsize=2, label=f"simulation, d={d}")
    ax_c.axhline(0, color="#999999", lw=0.8)
    means, sems = np.array([p["mean"] for p in pts], float), np.array([p["sem"] for p in pts], float)
    phase.fit_ylim(ax_c, [means - sems, means + sems], at_least=(-0.7, 1.0), pad=0.03)  # every point shown
    ax_c.set_xlabel(r"$\gamma = n/d$")
    ax_c.set_ylabel(r"$\mathcal{T}_{\rm lt}$")
    ax_c.set_title(r"(d) one task pair ($\theta=\pi/4$) as $\gamma$ varies", fontsize=9)
    args = dict(theta=THETA_FIXED, sigma=SIGMA, sigma_s=SIGMA)
    ax_c.text(0.97, 0.97, "fixed for every $\\gamma$:\n"
              f"KL = {float(kl(theta=THETA_FIXED, sigma=SIGMA)):.3g}\n"
              f"$W_1\\in$ [{float(w1_low(**args)):.3f}, {float(w1_up(**args)):.3f}]\n"
              f"$W_2$ = {float(w2(**args)):.3f}", transform=ax_c.transAxes, ha="right", va="top", fontsize=7,
              bbox={"facecolor": "white", "edgecolor": "#cccccc"})
    fig.suptitle(TITLE, fontsize=10)
    fig.tight_layout()
    phase.legend_below(ax_c, ncol=3, fontsize=7)  # inside, it covered the curve
    for ax, ncol in ((ax_a, 1), (ax_b, 2), (ax_e, 2)):
        layout.place_legend(ax, fontsize=6.5, ncol=ncol)  # where it covers no data, whatever the data
    return style.save(fig, path_stem)


def _w1_max() -> float:
    """The largest population W1 upper bound over theta (at theta = pi; docs/background.md §9.4)."""
    return float(ftheory.get("wasserstein1_upper_bound")(theta=math.pi, sigma=SIGMA, sigma_s=SIGMA))


def caption(data) -> str:
    """The figure caption: setting, sizes and how to read the three panels."""
    same = next(r for r in data["w1"] if r["theta"] == 0)
    top = next(r for r in data["w1"] if r["theta"] == max(x["theta"] for x in data["w1"]))
    return (f"Transferability of linear transfer against distances between the source and target laws, unit target "
            f"teacher, sigma = {SIGMA:g} (docs/background.md §9.4-§9.5). (a) gamma = {GAMMA:g}: T_lt against KL = (1 - cos "
            f"theta)/sigma^2 for theta in [0, pi] is U-shaped (T depends on sin^2 theta only); aligned source teachers "
            f"(theta = 0) of norm 1 to 3 (dotted) reach the same KL with T > 0 (T_lt does not depend on ||beta_s||): equal KL, opposite "
            f"transfer. Points: simulated R_sc - R_lt at d = {data['d']}, n = {data['n']} ({data['instances']} "
            f"instances, +-1 s.e.). (b) Population W1 bounds and W2 (Euclidean ground metric); the paper's "
            f"finite-sample estimate (c): exact assignment between two independent samples of size {data['w1_size']} in "
            f"R^{data['w1_dim'] + 1} with an l1 ground metric ({data['w1_instances']} pairs per theta, +-1 s.d.). "
            f"It is {same['mean']:.4g} +- {same['std']:.2g} between two samples of the same law and {top['mean']:.4g} "
            f"at theta = pi, while the population distance is at most {_w1_max():.3f} (the W1 upper bound at "
            f"theta = pi): the estimate measures sampling noise. (d) One fixed pair (theta = pi/4): T_lt changes sign three times as gamma "
            f"varies while KL, W1 and W2 stay fixed, so no function of (p_s, p_t) predicts the sign of transfer.")


FIGURES = [Figure(ID, TITLE, compute, render, caption)]
