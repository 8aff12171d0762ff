"""Figure S-ridge: linear-transfer risk against the read-out ridge penalty (docs/background.md §4.4, §11.3).

At gamma = 0.5, theta = pi/8, sigma = 0.2 (unit teachers): the asymptotic risk (Theorem 3.8, eq. (13),
``linear_transfer_risk``), the exact finite-n mean at the simulated n (``linear_transfer_risk_finite``,
one-dimensional chi-square quadrature, §4.4 [EXT]), and simulations at lam in {0, 0.1, ..., 0.5}:

* closed-form read-out refit on the pretrained feature (the distribution of
  :func:`~ftheory.simulate.linear.simulate_linear_transfer_risk`, §4.1),
* deep linear network (depth 2) pretrained by gradient descent on the source population loss, then
  ridge refit of the read-out on its features (that of :func:`~ftheory.simulate.deep_linear.simulate_deep_linear`
  with ``"lt"``).

Every lam is computed from the same draws (common random numbers across lam; one pretraining per
instance for the deep network): :mod:`ftheory.simulate.linear_grid`, :mod:`ftheory.simulate.deep_linear.lam_grid`.

lam = 0 is computed as it is (scalar least squares / SVD, §4.1): the authors' substitute 1e-5 for an
unstable explicit inverse [CODE] is not needed. A second panel shows small n, where the exact mean is
no longer monotone in lam (a small ridge damps the variance term, §4.4).
"""
from __future__ import annotations

import math
import os

import numpy as np

import ftheory
from ftheory.figures import phase, style
from ftheory.figures.registry import Figure
from ftheory.mc.estimate import MCEstimate
from ftheory.simulate.keyed import simulate_deep_lt_lam_rows
from ftheory.simulate.linear_grid import grid_key, simulate_transfer_grid, transfer_grid_estimates
from ftheory.simulate.sweeps import sweep

ID = "lt-ridge"
TITLE = "Linear transfer with a ridge read-out"
GAMMA, THETA, SIGMA = 0.5, math.pi / 8, 0.2
LAMS = [round(0.1 * k, 10) for k in range(6)]
SMALL_NS = (5, 10)
SMALL_LAMS = [0.0, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5]


def _rows(rows, n):
    rows = [{"n": n, **r} for r in rows]
    lams = np.array([r["lam"] for r in rows])
    fin = ftheory.get("linear_transfer_risk_finite")(n=n, theta=THETA, sigma=SIGMA, lam=lams)
    asym = ftheory.get("linear_transfer_risk")(theta=THETA, lam=lams)
    for r, f, a in zip(rows, np.atleast_1d(fin), np.atleast_1d(asym)):
        r["theory_finite"], r["theory_asymptotic"] = float(f), float(a)
    return rows


def compute(scale, seed, progress=None, store=None) -> dict:
    """Linear-transfer risk against lam at gamma = 0.5: closed-form refit and deep-linear GD sweeps at n = gamma d, and
    the small-n exact means and simulations; JSON-ready dict (``store``: resumable sweeps).
    """
    d = scale["d"]
    mc = scale.get("ridge_instances", 50 * scale["instances"])
    gd = scale.get("ridge_gd_instances", 4 * scale["instances"])
    st = store and os.path.join(store, ID)
    if progress:
        progress(f"{ID}: closed form")
    # every lam from the same draws: one read-out per instance serves the grid (linear_grid), and one
    # GD pretraining and one SVD of the features per instance serve it for the deep network (lam_grid)
    res = sweep(transfer_grid_estimates, {"gamma": [GAMMA]}, fixed={"d": d, "thetas": [THETA], "sigma": SIGMA,
                                                                     "lams": LAMS, "scratch": False},
                instances=mc, seed=seed, store=st and os.path.join(st, "closed"), progress=False)
    n, = res.values("n")                                   # n = round(GAMMA d)
    closed = _rows([{"lam": lam, **_summary(res.estimate(grid_key("linear_transfer", 0, k), n=n))}
                    for k, lam in enumerate(LAMS)], n)
    if progress:
        progress(f"{ID}: deep linear GD")
    res = sweep(simulate_deep_lt_lam_rows, {"gamma": [GAMMA]}, fixed={"d": d, "theta": THETA, "sigma": SIGMA, "lams": LAMS}, instances=gd,
                seed=seed, store=st and os.path.join(st, "gd"), progress=False)
    gd_rows = _rows([{"lam": lam, **_summary(res.estimate(grid_key("lt", k), n=n))} for k, lam in enumerate(LAMS)],
                    n)
    if progress:
        progress(f"{ID}: small n")
    small = []
    fin = ftheory.get("linear_transfer_risk_finite")
    for n_small in SMALL_NS:
        exact = fin(n=n_small, theta=THETA, sigma=SIGMA, lam=np.array(SMALL_LAMS))
        # common random numbers across lam (same draws): the dip below lam = 0 is a paired comparison
        g = simulate_transfer_grid(n_small, d, [THETA], SIGMA, lams=SMALL_LAMS, scratch=False, instances=mc,
                                   seed=np.random.SeedSequence([seed, 7, n_small]))
        for k, (lam, ex) in enumerate(zip(SMALL_LAMS, exact)):
            est = MCEstimate(g["linear_transfer"][:, 0, k])
            small.append({"n": n_small, "lam": lam, "mean": est.mean, "sem": est.sem, "std": est.std,
                          "instances": est.instances, "theory_finite": float(ex)})
    return {"d": d, "n": n, "gamma": GAMMA, "theta": THETA, "sigma": SIGMA, "instances": mc,
            "gd_instances": gd, "closed_form": closed, "deep_linear": gd_rows, "small_n": small,
            "small_ns": list(SMALL_NS), "small_instances": mc}


def _summary(est):
    return {"mean": est.mean, "sem": est.sem, "std": est.std, "instances": est.instances,
            "converged": int(est.converged.sum())}


def render(data, path_stem) -> list:
    """Draw the figure from ``compute``'s data; save PNG and PDF at ``path_stem`` and return the paths."""
    fig, axes = style.new_figure(ncols=2, width=5.0, height=3.8)
    ax, ax2 = axes[0]
    lam_line = np.linspace(0, 0.6, 121)
    asym = ftheory.get("linear_transfer_risk")
    fin = ftheory.get("linear_transfer_risk_finite")
    ax.plot(lam_line, asym(theta=THETA, lam=lam_line), color=style.THEORY_COLOR, lw=1.6,
            label="asymptotic, eq. (13)")
    ax.plot(lam_line, fin(n=data["n"], theta=THETA, sigma=SIGMA, lam=lam_line), color="#888888", lw=1.2,
            ls="--", label=f"exact mean, n={data['n']}")
    cf, gd = data["closed_form"], data["deep_linear"]
    ax.errorbar([r["lam"] - 0.006 for r in cf], [r["mean"] for r in cf], yerr=[r["sem"] for r in cf], fmt="o",
                ms=4, color=style.SIM_COLORS[0], capsize=2,
                label=f"read-out refit ({data['instances']} inst.)")
    conv = [r["converged"] == r["instances"] for r in gd]
    ax.errorbar([r["lam"] + 0.006 for r in gd], [r["mean"] for r in gd], yerr=[r["sem"] for r in gd], fmt="s",
                ms=4, color=style.SIM_COLORS[1], mfc=style.SIM_COLORS[1] if all(conv) else "white", capsize=2,
                label=f"deep linear, GD-pretrained ({data['gd_instances']} inst.)")
    ax.set_xlim(-0.02, 0.62)
    ax.set_xlabel(r"read-out ridge $\lambda$")
    ax.set_ylabel(r"$R^\lambda_{\rm lt}$")
    ax.set_title(rf"$\gamma={GAMMA:g}$ (d={data['d']}), $\theta=\pi/8$, $\sigma={SIGMA:g}$", fontsize=9)
    for k, n in enumerate(data["small_ns"]):
        color = style.SIM_COLORS[k]
        ax2.plot(lam_line, fin(n=n, theta=THETA, sigma=SIGMA, lam=lam_line), color=color, lw=1.3,
                 label=f"exact mean, n={n}")
        pts = [r for r in data["small_n"] if r["n"] == n]
        ax2.errorbar([r["lam"] for r in pts], [r["mean"] for r in pts], yerr=[r["sem"] for r in pts], fmt="o",
                     ms=3.5, color=color, capsize=2)
    ax2.plot(lam_line, asym(theta=THETA, lam=lam_line), color=style.THEORY_COLOR, lw=1.0, ls=":",
             label="asymptotic")
    ax2.set_xlim(-0.02, 0.62)
    ax2.set_xlabel(r"read-out ridge $\lambda$")
    ax2.set_ylabel(r"$R^\lambda_{\rm lt}$")
    ax2.set_title("small n: ridge can help (finite-n effect)", fontsize=9)
    fig.suptitle(TITLE, fontsize=10)
    fig.tight_layout()
    phase.legend_below(ax, ncol=2, fontsize=7)  # under the axes: a legend inside hid points
    phase.legend_below(ax2, ncol=3, fontsize=7)
    return style.save(fig, path_stem)


def caption(data) -> str:
    """The figure caption: setting, sizes and what the lines and points are."""
    return (f"Linear-transfer risk against the read-out ridge penalty lambda at gamma = {GAMMA:g} (n = {data['n']}, "
            f"d = {data['d']}), theta = pi/8, sigma = {SIGMA:g}. Solid: asymptotic eq. (13) (docs/background.md §4.4); dashed: "
            f"exact finite-n mean (§4.4, quadrature); points: read-out refit on the pretrained feature "
            f"({data['instances']} instances) and a depth-2 deep linear network pretrained by gradient descent "
            f"({data['gd_instances']} instances), +-1 standard error. lambda = 0 is computed exactly (no 1e-5 "
            f"substitute is needed). Right: at small n ({', '.join(map(str, data['small_ns']))}) the exact mean "
            f"first decreases with lambda; points: read-out refit simulation.")


FIGURES = [Figure(ID, TITLE, compute, render, caption)]
