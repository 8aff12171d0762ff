"""Figure 3 of the paper: two-layer ReLU networks (docs/background.md §10, §11.3).

One shared experiment (:func:`ftheory.simulate.relu.simulate_relu_transfer`, computed once per scale
and seed and stored under ``store/relu``) feeds four figures:

* ``relu-phase``: empirical transferability ``T_lt = R_sc - R_lt`` over ``(mu, n)`` (relative to
  ``||f_t||^2`` per instance, mean over instances), with the predicted boundary
  ``n*(mu) = (A / ||P^perp f_t||^2)^{1/nu}`` (§10.5) from the fitted scratch power law, for the
  source-teacher span (paper, grey circles) and the pretrained-student span, and the
  ``C(n)``-corrected crossing (§10.4 [EXT], ``k = |S|``).
* ``relu-powerlaw``: scratch risk against ``n`` with the power-law fit, ``nu`` and its bootstrap CI.
* ``relu-gram``: kernel Gram matrices of the pretrained network and of the source teacher on random
  inputs, the initial network for contrast, and the student-teacher neuron cosines (§10.1 claim,
  Fig. 3a-b), with exact kernel diagnostics (alignment, part outside the source span).
* ``relu-projection``: ``||P^perp f_t||^2`` against ``mu``, absolute and relative, onto the source
  teacher's span (exact, many teachers) and onto the pretrained student's span (§10.3, Fig. 3d).

Scales: ``default`` uses the ``cpu`` preset (d = 20, m = 100, m* = 20: the paper's m*/d = 1; a few
minutes for the four figures on 2 shared cores), ``paper`` the paper's d = 100, m = 1000, m* = 100
(:data:`ftheory.simulate.relu.RELU_SCALES`; docs/performance.md gives the measured cost), ``tiny`` a toy
size for the test suite. The scratch power law pools the shared experiment with scratch runs of further
seeds (``nu_seeds``), so its interval includes the spread over seeds. Every setting is stored with the
numbers and stated in the captions.
"""
from __future__ import annotations


import numpy as np
from matplotlib.ticker import NullFormatter

from ftheory.figures import style
from ftheory.figures.registry import Figure
from ftheory.figures.relu_experiment import (CONFIGS, PROJECTION_MUS, clean, experiment, fit, jsonable, mean_sem,
                                             num, pooled_scratch, settings_text)
from ftheory.relu.boundary import crossing_ratio_summary, empirical_crossing
from ftheory.relu.powerlaw import PAPER_NU, boundary_crossings, boundary_n
from ftheory.relu.projection import teacher_projection
from ftheory.relu.readout import readout_risk_estimate, readout_spectrum
from ftheory.simulate.data import sphere_inputs
from ftheory.simulate.relu import draw_teacher, kernel_alignment, kernel_outside_fraction

__all__ = ["CONFIGS", "FIGURES"]

# ------------------------------------------------------------------------------------------
# (a) phase diagram
# ------------------------------------------------------------------------------------------
PHASE_ID = "relu-phase"
PHASE_TITLE = "ReLU networks: transferability over (mu, n) and the predicted boundary"


def compute_phase(scale, seed, progress=None, store=None) -> dict:
    cfg, res = experiment(scale, seed, store, progress)
    T = res.transferability("lt")
    T_mean, T_sem = mean_sem(T)
    R_pool, _, _ = pooled_scratch(cfg, res, seed, store, progress)
    pfit = fit(cfg, seed, R_pool, res.ns)
    t_res = clean(res.relative("teacher_outside").mean(0))
    s_res = clean(res.relative("student_outside").mean(0))
    n_star_teacher = boundary_n(pfit.A, pfit.nu, t_res)
    n_star_student = boundary_n(pfit.A, pfit.nu, s_res)
    # label noise in units of ||f_t||: sqrt of the instance mean of sigma^2 / ||f_t||^2
    sig_rel = float(np.sqrt(np.mean(res.params["sigma"] ** 2 / res.norm_sq)))

    def crossings(residuals, ks):
        out = []
        for mu, rho, k in zip(res.mus, residuals, ks):
            try:
                c = boundary_crossings(pfit.A, pfit.nu, float(rho), int(k), sig_rel)
                out.append({"mu": float(mu), "k": int(k), "lower": c.lower, "upper": c.upper})
            except ValueError as exc:
                out.append({"mu": float(mu), "k": int(k), "lower": None, "upper": None, "error": str(exc)})
        return out

    # per instance: the simulated crossing of T_lt against the student-span and teacher-span formulas
    emp = empirical_crossing(res.ns, T)                                         # (I, M)
    per_instance = []
    for j, mu in enumerate(res.mus):
        pred_s = boundary_n(pfit.A, pfit.nu, clean(res.relative("student_outside")[:, j]))
        pred_t = boundary_n(pfit.A, pfit.nu, clean(res.relative("teacher_outside")[:, j]))
        neg = T[:, j, :].mean(0) < 0
        per_instance.append({"mu": float(mu), "crossing": emp[:, j], "student": crossing_ratio_summary(emp[:, j], pred_s),
                             "teacher": crossing_ratio_summary(emp[:, j], pred_t),
                             "first_negative_n": float(res.ns[np.argmax(neg)]) if neg.any() else None})
    crossing = crossings(t_res, res.kept)
    crossing_student = crossings(s_res, [res.params["m"]] * len(res.mus))
    slices = _heuristic_slices(res, cfg)
    predicted = _predicted_map(res, pfit, cfg["fit_n_min"])
    return jsonable({
        "config": cfg, "params": res.params, "settings": settings_text(cfg, res), "slices": slices,
        "ns": res.ns, "mus": res.mus, "kept": res.kept, "T_mean": T_mean, "T_sem": T_sem,
        "scratch_converged": res.scratch_converged.sum(0), "pretrain_converged": res.pretrain_converged.sum(0),
        "pretrain_rel_risk": (res.pretrain_risk / res.source_norm_sq).mean(0),
        "fit": pfit.as_dict(), "teacher_residual": t_res, "student_residual": s_res,
        "n_star_teacher": n_star_teacher, "n_star_student": n_star_student, "crossing": crossing,
        "crossing_student": crossing_student, "predicted": predicted, "per_instance": per_instance,
        "lt_rel_mean": res.relative("lt").mean(0), "scratch_rel_mean": res.relative("scratch").mean(0)})


def _heuristic_slices(res, cfg) -> list:
    """Linear-transfer risk against n at a few mu with the rank-k heuristic ``linear_transfer_risk_rank_k``
    (§4.5 [EXT], in units of ||f_t||^2, sigma = 0): k = |S| with the source-teacher residual (the paper's
    reading, §10.4) and k = m with the pretrained-student residual (all m read-out features are refit)."""
    import ftheory

    rank_k = ftheory.get("linear_transfer_risk_rank_k")
    m = res.params["m"]
    sig = res.params["sigma"]
    grid = np.unique(np.round(np.geomspace(res.ns.min(), res.ns.max(), 160)).astype(int))
    out = []
    for mu in cfg.get("slice_mus", [0.2, 0.6]):
        j = int(np.argmin(np.abs(res.mus - mu)))
        k = int(res.kept[j])
        t_rel = clean(res.relative("teacher_outside")[:, j])
        s_rel = clean(res.relative("student_outside")[:, j])
        sig_rel = sig / np.sqrt(res.norm_sq)
        curves = {}
        for name, kk, rho in (("teacher_k_S", k, t_rel), ("student_k_m", m, s_rel)):
            vals = np.mean([rank_k(n=grid, k=kk, residual=float(r), sigma=float(sr)) for r, sr in zip(rho, sig_rel)],
                           axis=0)
            at_ns = np.mean([rank_k(n=res.ns, k=kk, residual=float(r), sigma=float(sr)) for r, sr in zip(rho, sig_rel)],
                            axis=0)
            curves[name] = {"k": kk, "n": grid, "risk": vals, "at_ns": at_ns}
        de = _readout_estimates(res, j, np.concatenate([grid, res.ns]))
        curves["kernel_estimate"] = {"k": m, "n": grid, "risk": de[:grid.size], "at_ns": de[grid.size:]}
        lt_m, lt_s = mean_sem(res.relative("lt")[:, j])
        sc_m, sc_s = mean_sem(res.relative("scratch"))
        out.append({"mu": float(res.mus[j]), "kept": k, "lt_mean": lt_m, "lt_sem": lt_s, "sc_mean": sc_m,
                    "sc_sem": sc_s, "curves": curves})
    return out


def _readout_estimates(res, j, ns) -> np.ndarray:
    """Instance mean of the kernel-regression estimate of R_lt / ||f_t||^2 (ftheory.relu.readout, EXT)."""
    sig = res.params["sigma"]
    vals = []
    for i in range(res.params["instances"]):
        spec = readout_spectrum(res.pretrained_weights[i, j], res.teacher.weights[i], res.teacher.coef[i])
        vals.append(readout_risk_estimate(spec, ns, sigma=sig) / spec.norm_sq)
    return np.mean(vals, axis=0)


def _predicted_map(res, fit, n_min) -> dict:
    """``A n^-nu - E[R_lt]/||f_t||^2`` (kernel estimate) on a dense n grid, for the zero contour."""
    grid = np.unique(np.round(np.geomspace(n_min, res.ns.max(), 120)).astype(int))
    T = np.array([fit(grid) - _readout_estimates(res, j, grid) for j in range(res.mus.size)])
    return {"n": grid, "T": T}


def _edges(v, log):
    """Cell edges: midpoints (geometric midpoints when ``log``) with half-cells at the ends."""
    v = np.log(v) if log else np.asarray(v, float)
    mid = (v[1:] + v[:-1]) / 2
    e = np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]]) if v.size > 1 else \
        np.array([v[0] - 0.5, v[0] + 0.5])
    return np.exp(e) if log else e


def _colour_limit(T) -> float:
    """Symmetric colour limit: the 95th percentile of |T| (larger values saturate, colour bar extended)."""
    a = np.abs(T[np.isfinite(T)])
    return max(float(np.quantile(a, 0.95)) if a.size else 0.0, 1e-12)


def render_phase(data, path_stem) -> list:
    fig, axes = style.new_figure(ncols=2, width=5.0, height=4.2)
    ax = axes[0][0]
    mus, ns = np.array(data["mus"], float), np.array(data["ns"], float)
    T = np.array([[num(v) for v in row] for row in data["T_mean"]], float)
    lim = _colour_limit(T)
    x_e, y_e = _edges(mus, False), _edges(ns, True)
    mesh = ax.pcolormesh(x_e, y_e, T.T, cmap=style.TRANSFER_CMAP, vmin=-lim, vmax=lim, shading="flat")
    cb = fig.colorbar(mesh, ax=ax, extend="both")
    cb.set_label(r"$\mathcal{T}_{\rm lt}/\|f_t\|^2$ (blue: transfer helps)")
    ax.set_yscale("log")
    y_lo, y_hi = y_e[[0, -1]]
    # boundaries outside the simulated n range go to bands below/above the map (whole markers, inside the axes)
    band_lo, band_hi = y_lo / 1.9, y_hi * 1.9
    lo_mark, hi_mark = y_lo / 1.38, y_hi * 1.38

    def place(v):
        return np.where(v > y_hi, hi_mark, np.where(v < y_lo, lo_mark, v))

    dx = 0.012 * (x_e[-1] - x_e[0])
    series = [("n_star_teacher", None, "o", dict(ms=7, mfc="#9a9a9a", mec="#444444"), -1.5,
               r"$n^*(\mu)$, source-teacher span (paper)"),
              ("n_star_student", None, "s", dict(ms=5.5, mfc="white", mec="#111111"), -0.5,
               r"$n^*(\mu)$, pretrained-student span"),
              ("crossing", "upper", "^", dict(ms=5, color="#2a9d5c"), 0.5,
               r"with $C(n)$: $k=|S|$, teacher span (EXT)"),
              ("crossing_student", "upper", "D", dict(ms=4.5, color="#8a4fbf"), 1.5,
               r"with $C(n)$: $k=m$, student span (EXT)")]
    for key, field, marker, style_kw, shift, label in series:
        if field is None:
            vals = np.array([num(v) for v in data[key]], float)
        else:
            vals = np.array([num(c[field]) if c.get(field) is not None else np.nan for c in data.get(key, [])], float)
        ok = np.isfinite(vals) | (vals == np.inf)
        if ok.any():
            ax.plot(mus[ok] + shift * dx, place(vals[ok]), marker, ls="none", label=label, zorder=4, **style_kw)
    pred = data.get("predicted")
    if pred and len(mus) > 1:
        Tp = np.array([[num(v) for v in row] for row in pred["T"]], float)
        Tp = np.where(np.isfinite(Tp), Tp, -1.0)  # +inf risk (n = m) -> scratch wins
        cs = ax.contour(mus, np.array(pred["n"], float), Tp.T, levels=[0.0], colors="k", linewidths=1.2)
        if cs.allsegs and any(len(seg) for seg in cs.allsegs[0]):
            ax.plot([], [], "k-", lw=1.2, label="zero of $An^{-\\nu}-$ kernel estimate of $R_{\\rm lt}$ (EXT)")
    ax.axhspan(band_lo, y_lo, color="#f2f2f2", zorder=0)
    ax.axhspan(y_hi, band_hi, color="#f2f2f2", zorder=0)
    ax.text(x_e[-1], hi_mark, r"$>$ range ", ha="right", va="center", fontsize=6, color="#555555")
    ax.text(x_e[-1], lo_mark, r"$<$ range ", ha="right", va="center", fontsize=6, color="#555555")
    ax.set_ylim(band_lo, band_hi)
    ax.set_xlim(x_e[0], x_e[-1])
    ax.set_xlabel(r"removed fraction $\mu$")
    ax.set_ylabel(r"target samples $n$")
    f = data["fit"]
    n_min = data["config"]["fit_n_min"]
    ax.set_title(rf"$R_{{\rm sc}}\approx {f['A']:.3g}\,n^{{-{f['nu']:.2f}}}$ (fit $n\geq{n_min}$)",
                 fontsize=9)
    ax.legend(fontsize=6.5, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=1, frameon=False)
    ax2 = axes[0][1]
    for c, sl in enumerate(data.get("slices", [])):
        color = style.SIM_COLORS[c % len(style.SIM_COLORS)]
        ax2.errorbar(ns, sl["lt_mean"], yerr=sl["lt_sem"], fmt="o", ms=4, color=color, capsize=2,
                     label=rf"$R_{{\rm lt}}$, $\mu={sl['mu']:g}$ ($|S|={sl['kept']}$)")
        for name, ls in (("teacher_k_S", ":"), ("student_k_m", "-"), ("kernel_estimate", "--")):
            cur = sl["curves"][name]
            r = np.array([num(v) for v in cur["risk"]], float)
            ax2.plot(np.array(cur["n"], float), np.where(np.isfinite(r), r, np.nan), ls=ls, color=color, lw=1.1)
    if data.get("slices"):
        sl = data["slices"][0]
        ax2.errorbar(ns, sl["sc_mean"], yerr=sl["sc_sem"], fmt="s", ms=4, color="#444444", capsize=2,
                     label=r"$R_{\rm sc}$")
        ax2.plot([], [], ":", color="#666666", label=r"rank-$k$ heuristic, $k=|S|$, teacher span")
        ax2.plot([], [], "-", color="#666666", label=r"rank-$k$ heuristic, $k=m$, student span")
        ax2.plot([], [], "--", color="#666666", label="kernel-regression estimate (EXT)")
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_ylim(1e-3, 3)
    ax2.set_xlabel(r"target samples $n$")
    ax2.set_ylabel(r"risk$/\|f_t\|^2$")
    ax2.set_title("linear transfer: simulation vs estimates", fontsize=9)
    ax2.xaxis.set_minor_formatter(NullFormatter())
    ax2.legend(fontsize=6.5, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=1, frameon=False)
    fig.suptitle(PHASE_TITLE, fontsize=9.5)
    fig.tight_layout()
    return style.save(fig, path_stem)


def caption_phase(data) -> str:
    f = data["fit"]
    return (f"Empirical linear-transfer transferability T_lt = R_sc - R_lt (docs/background.md §10, paper Fig. 3e), "
            f"relative to ||f_t||^2 per instance and averaged; blue: transfer helps (colour scale: 95th percentile of "
            f"|T_lt|, larger values saturate). Source = target teacher with a fraction mu of its neurons removed "
            f"(|S| = {', '.join(str(k) for k in data['kept'])}). Markers: predicted boundary "
            f"n*(mu) = (A/||P^perp f_t||^2)^(1/nu) (§10.5) with the scratch power law pooled over "
            f"{f['instances']} instances of several seeds, A = {f['A']:.3g}, nu = {f['nu']:.3f} "
            f"[{f['nu_ci'][0]:.3f}, {f['nu_ci'][1]:.3f}] (relu-powerlaw), and the residual onto the source "
            f"teacher's span (grey circles, the paper's construction) or onto the pretrained student's span "
            f"(open squares); triangles and diamonds: upper crossing of A n^-nu = C(n) + rho with the estimation term "
            f"C(n) = (sigma^2 + rho) k/(n-k-1) (§10.4, EXT), for k = |S| with the teacher-span rho and for k = m with "
            f"the student-span rho ({_no_cross_text(data)}). Markers are offset slightly in mu so that none hides "
            f"another; boundaries outside the simulated n range sit in the grey bands. {_boundary_text(data)} "
            f"Near n = m = {data['params']['m']} the least-squares read-out on all m features interpolates, so its risk "
            f"peaks there (double descent). Right: relative linear-transfer risk against n "
            f"(points, mean +- s.e.) with the registered rank-k heuristic linear_transfer_risk_rank_k (§4.5, exact for "
            f"Gaussian features) averaged over instances, for k = |S| with the source-teacher residual (dotted) and "
            f"for k = m with the pretrained-student residual (solid), and the toolkit's kernel-regression estimate "
            f"(dashed; deterministic equivalent of min-norm regression on the learned features' exact kernel spectrum, "
            f"ftheory.relu.readout, EXT), whose zero crossing with the scratch fit is the black contour on the left "
            f"(drawn for n >= {data['config']['fit_n_min']}, where the power law was fitted); squares: scratch. "
            f"Settings: {data['settings']}.")


def _fmt_ratio(summary) -> str:
    if summary["median"] is None:
        return "none"
    return f"{summary['median']:.2f} [{summary['low']:.2f}, {summary['high']:.2f}]"


def _boundary_text(data) -> str:
    """Where the student-span formula matches the simulated crossing, per instance (not a general n*(mu))."""
    rows = data.get("per_instance") or []
    if not rows:
        return ""
    m = data["params"]["m"]
    holds, fails, parts = [], [], []
    for r in rows:
        s_, t_ = r["student"], r["teacher"]
        if s_["count"] == 0 and s_["below"] == 0:
            continue
        parts.append(f"mu = {r['mu']:g}: {_fmt_ratio(s_)} (paper's teacher span: {_fmt_ratio(t_)}"
                     + (f"; {s_['below']} below the n range" if s_["below"] else "")
                     + (f"; {s_['above']} above" if s_["above"] else "") + ")")
        med = s_["median"]
        early = r.get("first_negative_n") is not None and r["first_negative_n"] <= 2 * m
        (holds if med is not None and 2 / 3 <= med <= 1.5 and not early else fails).append(r)
    text = ("Simulated crossing of T_lt per instance (last sign change, log-interpolated between grid points) "
            "divided by the student-span formula for that instance, median [range] over instances: "
            + "; ".join(parts) + ". ")
    if holds:
        text += ("The student-span formula matches the simulated crossing (median ratio within a factor 1.5) at mu = "
                 + ", ".join(f"{r['mu']:g}" for r in holds) + ". ")
    if fails:
        early = [r for r in fails if r.get("first_negative_n") is not None and r["first_negative_n"] <= 2 * m]
        text += ("It does not hold at mu = " + ", ".join(f"{r['mu']:g}" for r in fails))
        if early:
            text += ("; there the mean T_lt is already negative from n = "
                     + ", ".join(f"{r['first_negative_n']:g} (mu = {r['mu']:g})" for r in early)
                     + f", at the read-out's interpolation peak n ~ m = {m}, which no power-law formula describes")
        text += ". The formula is therefore no general n*(mu); the crossing's absolute n varies strongly between " \
                "teachers, the ratio much less."
    return text


def _no_cross_text(data) -> str:
    none = [c["mu"] for c in data.get("crossing_student", []) if c.get("upper") is None]
    if not none:
        return "a crossing exists at every mu"
    return ("no crossing, i.e. scratch wins for every n > m + 1 under this model, at mu = "
            + ", ".join(f"{mu:g}" for mu in none))


# ------------------------------------------------------------------------------------------
# (b) scratch power law
# ------------------------------------------------------------------------------------------
POWER_ID = "relu-powerlaw"
POWER_TITLE = "ReLU networks: scratch risk power law"


def compute_power(scale, seed, progress=None, store=None) -> dict:
    cfg, res = experiment(scale, seed, store, progress)
    R, group, conv = pooled_scratch(cfg, res, seed, store, progress)
    mean, sem = mean_sem(R)
    pooled = fit(cfg, seed, R, res.ns)
    fixed = fit(cfg, seed, R, res.ns, nu=PAPER_NU)
    full = fit(cfg, seed, R, res.ns, all_n=True)
    per_seed = [fit(cfg, seed, R[group == k], res.ns).as_dict() for k in np.unique(group)]
    local = -np.diff(np.log(mean)) / np.diff(np.log(res.ns.astype(float)))
    return jsonable({"config": cfg, "params": res.params, "settings": settings_text(cfg, res),
                     "ns": res.ns, "risk": R, "group": group, "mean": mean, "sem": sem,
                     "converged": conv.sum(0), "seeds": int(group.max()) + 1,
                     "train_loss_rel": (res.scratch_loss / res.norm_sq[:, None]).mean(0),
                     "fit": pooled.as_dict(), "fit_fixed": fixed.as_dict(), "fit_all": full.as_dict(),
                     "fit_per_seed": per_seed, "local_slopes": local})


def render_power(data, path_stem) -> list:
    fig, axes = style.new_figure(width=5.0, height=3.8)
    ax = axes[0][0]
    ns = np.array(data["ns"], float)
    R = np.array(data["risk"], float)
    for row in R:
        ax.plot(ns, row, "-", color="#bbbbbb", lw=0.7, zorder=1)
    conv = np.array(data["converged"]) == R.shape[0]
    mean, sem = np.array(data["mean"]), np.array(data["sem"])
    ax.errorbar(ns, mean, yerr=sem, fmt="none", ecolor=style.SIM_COLORS[0], capsize=2, zorder=3)
    ax.plot(ns[conv], mean[conv], "o", color=style.SIM_COLORS[0], ms=5, zorder=4,
            label=f"mean over {R.shape[0]} instances ({data.get('seeds', 1)} seeds)")
    if (~conv).any():
        ax.plot(ns[~conv], mean[~conv], "o", mfc="white", mec=style.SIM_COLORS[0], ms=5, zorder=4,
                label="not all runs interpolated")
    f, ff = data["fit"], data["fit_fixed"]
    grid = np.geomspace(ns.min(), ns.max(), 100)
    ax.plot(grid, f["A"] * grid ** -f["nu"], color=style.THEORY_COLOR, lw=1.4,
            label=rf"fit $n\geq{data['config']['fit_n_min']}$: $\nu={f['nu']:.2f}$ "
                  rf"[{f['nu_ci'][0]:.2f}, {f['nu_ci'][1]:.2f}] (pooled seeds)")
    ax.plot(grid, ff["A"] * grid ** -ff["nu"], color="#888888", lw=1.0, ls="--",
            label=rf"$\nu={PAPER_NU}$ fixed (paper)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("target samples $n$")
    ax.set_ylabel(r"$R_{\rm sc}/\|f_t\|^2$")
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False)
    ax.set_title(POWER_TITLE, fontsize=9.5)
    fig.tight_layout()
    return style.save(fig, path_stem)


def caption_power(data) -> str:
    f, ff, fa = data["fit"], data["fit_fixed"], data["fit_all"]
    seeds = data.get("fit_per_seed", [])
    per = ", ".join(f"{s['nu']:.3f} [{s['nu_ci'][0]:.3f}, {s['nu_ci'][1]:.3f}]" for s in seeds)
    return (f"Scratch training of the mean-field ReLU network (docs/background.md §10.4): exact population risk "
            f"relative to ||f_t||^2 (grey: {f['instances']} instances from {len(seeds) or 1} seeds; points: mean +- "
            f"standard error; open points: some runs did not reach the interpolation tolerance). Least-squares fit of "
            f"log R vs log n for n >= {data['config']['fit_n_min']}, pooled over all instances of all seeds: "
            f"A = {f['A']:.3g}, nu = {f['nu']:.3f} with {100 * f['level']:.0f}% bootstrap interval "
            f"[{f['nu_ci'][0]:.3f}, {f['nu_ci'][1]:.3f}] (instances resampled across seeds, so the interval includes "
            f"the spread between seeds); each seed alone ({seeds[0]['instances'] if seeds else f['instances']} "
            f"instances): nu = {per}. All n: nu = {fa['nu']:.3f} [{fa['nu_ci'][0]:.3f}, {fa['nu_ci'][1]:.3f}]; dashed: "
            f"nu fixed at the paper's {PAPER_NU} (A = {ff['A']:.3g}). Local slopes of the mean: "
            f"{', '.join(f'{s:.2f}' for s in data['local_slopes'])}. Settings: {data['settings']}.")


# ------------------------------------------------------------------------------------------
# (c) Gram matrices
# ------------------------------------------------------------------------------------------
GRAM_ID = "relu-gram"
GRAM_TITLE = "ReLU networks: kernel of the pretrained network vs the source teacher"


def _feature_kernel(W, weights, X):
    """``K(x, x') = sum_i weights_i relu(w_i.x) relu(w_i.x')`` on the rows of ``X``."""
    F = np.maximum(X @ W.T, 0.0)
    return (F * weights) @ F.T


def compute_gram(scale, seed, progress=None, store=None) -> dict:
    cfg, res = experiment(scale, seed, store, progress)
    j = int(np.argmin(np.abs(res.mus - cfg["gram_mu"])))
    mu = float(res.mus[j])
    m, ms = res.params["m"], res.params["m_star"]
    inst = []
    for i in range(res.params["instances"]):
        keep = res.teacher.keep(mu)[i]
        Ws, cs = res.teacher.weights[i, keep], res.teacher.coef[i, keep]
        nets = {"trained": (res.pretrained_weights[i, j], res.pretrained_readout[i, j]),
                "init": (res.init_weights[i], res.init_readout[i])}
        row = {}
        for tag, (W, a) in nets.items():
            # read-out weighted: student a_i^2/m vs teacher c_j^2/m* (each network's own kernel);
            # uniform: the plain feature kernels 1/m and 1/|S|
            row[f"align_{tag}_readout"] = kernel_alignment(W, a ** 2 / m, Ws, cs ** 2 / ms)
            row[f"align_{tag}_uniform"] = kernel_alignment(W, np.full(m, 1.0 / m), Ws,
                                                           np.full(len(keep), 1.0 / len(keep)))
            row[f"outside_{tag}_readout"] = kernel_outside_fraction(W, a ** 2 / m, Ws)
            row[f"outside_{tag}_uniform"] = kernel_outside_fraction(W, np.full(m, 1.0 / m), Ws)
        inst.append(row)
    summary = {k: mean_sem([r[k] for r in inst]) for k in inst[0]}
    # panels for instance 0; inputs uniform on the sphere of radius sqrt(d) (relu is 1-homogeneous, so
    # this removes the |x||x'| factor and shows the kernel on the sphere, §10.2 route 3)
    i = 0
    keep = res.teacher.keep(mu)[i]
    removed = np.setdiff1d(np.arange(ms), keep)
    Ws, cs = res.teacher.weights[i, keep], res.teacher.coef[i, keep]
    W, a = res.pretrained_weights[i, j], res.pretrained_readout[i, j]
    W0, a0 = res.init_weights[i], res.init_readout[i]
    X = sphere_inputs(cfg["gram_inputs"], res.params["d"], seed=np.random.SeedSequence([seed, 13]))
    X = X[np.argsort(np.maximum(X @ Ws.T, 0.0) @ cs)]
    K_tr = _feature_kernel(W, a ** 2 / m, X)
    K_s = _feature_kernel(Ws, cs ** 2 / ms, X)
    K_0 = _feature_kernel(W0, a0 ** 2 / m, X)
    Wt_hat = res.teacher.weights[i, np.concatenate([keep, removed])]
    cos_tr = (W / np.linalg.norm(W, axis=1, keepdims=True)) @ Wt_hat.T
    order_s = np.lexsort((-cos_tr.max(1), np.argmax(cos_tr, axis=1)))
    return jsonable({"config": cfg, "params": res.params, "settings": settings_text(cfg, res), "mu": mu,
                      "kept": len(keep), "K_trained": K_tr, "K_source": K_s, "K_init": K_0,
                      "cos_trained": cos_tr[order_s], "summary": {k: [v[0], v[1]] for k, v in summary.items()},
                      "pretrain_rel_risk": float((res.pretrain_risk[:, j] / res.source_norm_sq[:, j]).mean())})


def _claim_text(s) -> str:
    closer = s["align_trained_readout"][0] > s["align_init_readout"][0] and \
        s["outside_trained_readout"][0] < s["outside_init_readout"][0]
    plain = s["outside_trained_uniform"][0]
    return ("Pretraining " + ("moves" if closer else "does not move") + " the read-out-weighted kernel towards the "
            "source teacher's kernel and span (the §10.1 claim" + (" holds in this sense" if closer else " fails") +
            f"); the span of all m features keeps {plain:.0%} of its trace outside the source span, and that "
            "larger span is what linear transfer uses (relu-projection).")


def render_gram(data, path_stem) -> list:
    fig, axes = style.new_figure(ncols=4, width=3.0, height=3.4, layout="constrained")
    ax = axes[0]
    mats = [("pretrained network", data["K_trained"]), (r"source teacher ($|S|=%d$)" % data["kept"], data["K_source"]),
            ("network at initialisation", data["K_init"])]
    mats = [(title, np.array(K, float) / np.mean(np.diag(np.array(K, float)))) for title, K in mats]
    vmax = max(float(np.quantile(K, 0.99)) for _, K in mats)   # one colour scale for the three kernels
    p = mats[0][1].shape[0]
    ticks = [0, p // 2, p - 1]
    for a_, (title, K) in zip(ax[:3], mats):
        im_k = a_.imshow(K, cmap="viridis", vmin=0, vmax=vmax, interpolation="nearest")
        a_.set_title(title, fontsize=8)
        a_.set_xticks(ticks)
        a_.set_yticks(ticks)
        a_.tick_params(labelsize=6.5)
        a_.set_xlabel("input index", fontsize=7)
    ax[0].set_ylabel("input index (sorted by $f_s$)", fontsize=7)
    cb = fig.colorbar(im_k, ax=list(ax[:3]), orientation="horizontal", fraction=0.05, extend="max")
    cb.set_label(r"$K(x, x')$ / mean diagonal", fontsize=7)
    cb.ax.tick_params(labelsize=6.5)
    C = np.array(data["cos_trained"], float)
    im = ax[3].imshow(C, cmap=style.TRANSFER_CMAP, vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
    ax[3].axvline(data["kept"] - 0.5, color="k", lw=0.8)
    ax[3].set_title("cos(student, teacher) neurons", fontsize=8)
    ax[3].set_xlabel("teacher neuron: kept | removed", fontsize=7)
    ax[3].set_ylabel("pretrained student neuron", fontsize=7)
    ax[3].tick_params(labelsize=6.5)
    cb2 = fig.colorbar(im, ax=ax[3], orientation="horizontal", fraction=0.05)
    cb2.set_label("cosine", fontsize=7)
    cb2.ax.tick_params(labelsize=6.5)
    s = data["summary"]
    fig.suptitle(rf"{GRAM_TITLE} ($\mu={data['mu']:g}$); alignment with $K_S$: trained "
                 rf"{s['align_trained_readout'][0]:.3f} vs init {s['align_init_readout'][0]:.3f}", fontsize=9)
    return style.save(fig, path_stem)


def caption_gram(data) -> str:
    s = data["summary"]
    f = lambda k: f"{s[k][0]:.3f} +- {s[k][1]:.3f}"  # noqa: E731
    return (f"Kernel of the pretrained mean-field network vs the source teacher (docs/background.md §10.1, Fig. 3a-b), "
            f"mu = {data['mu']:g}: Gram matrices K(x, x') = sum_i a_i^2/m relu(w_i.x) relu(w_i.x') of the pretrained "
            f"and the initial network and sum_{{j in S}} c_j^2/m* relu(w*_j.x) relu(w*_j.x') of the source teacher on "
            f"{data['config']['gram_inputs']} random inputs on the sphere of radius sqrt(d), sorted by f_s(x), each "
            f"divided by its mean diagonal; right: "
            f"cosines between the pretrained student neurons (sorted by closest teacher neuron) and the teacher "
            f"neurons (kept | removed). Exact kernel diagnostics over instances (mean +- s.e.): Hilbert-Schmidt "
            f"alignment with the source kernel, read-out-weighted (as drawn) {f('align_trained_readout')} after "
            f"pretraining vs {f('align_init_readout')} at initialisation; plain feature kernels (weights 1/m, 1/|S|) "
            f"{f('align_trained_uniform')} vs {f('align_init_uniform')}. Fraction of the network kernel's trace "
            f"outside the source span: read-out-weighted {f('outside_trained_readout')} vs "
            f"{f('outside_init_readout')}; plain {f('outside_trained_uniform')} vs {f('outside_init_uniform')}. "
            f"{_claim_text(s)} Relative source risk after "
            f"pretraining {data['pretrain_rel_risk']:.2g}. Settings: {data['settings']}.")


# ------------------------------------------------------------------------------------------
# (d) projection residual
# ------------------------------------------------------------------------------------------
PROJ_ID = "relu-projection"
PROJ_TITLE = "ReLU networks: target outside the source feature space"


def compute_projection(scale, seed, progress=None, store=None) -> dict:
    cfg, res = experiment(scale, seed, store, progress)
    if progress:
        progress(f"{PROJ_ID}: teacher spans")
    teachers = draw_teacher(cfg["d"], cfg["m_star"], instances=cfg["projection_teachers"],
                            seed=np.random.SeedSequence([seed, 14]))
    absolute = np.empty((teachers.instances, len(PROJECTION_MUS)))
    relative = np.empty_like(absolute)
    for j, mu in enumerate(PROJECTION_MUS):
        keep = teachers.keep(mu)
        for i in range(teachers.instances):
            p = teacher_projection(teachers.weights[i], teachers.coef[i], keep[i])
            absolute[i, j], relative[i, j] = p.outside_sq, p.fraction
    ta, tas = mean_sem(absolute)
    tr, trs = mean_sem(relative)
    sa, sas = mean_sem(res.student_outside)
    sr, srs = mean_sem(res.relative("student_outside"))
    ea, eas = mean_sem(res.teacher_outside)
    er, ers = mean_sem(res.relative("teacher_outside"))
    lt_last = res.relative("lt")[:, :, -1]
    la, las = mean_sem(lt_last)
    return jsonable({"config": cfg, "params": res.params, "settings": settings_text(cfg, res),
                      "mus_fine": PROJECTION_MUS, "teachers": teachers.instances,
                      "teacher_abs": [ta, tas], "teacher_rel": [tr, trs],
                      "mus": res.mus, "student_abs": [sa, sas], "student_rel": [sr, srs],
                      "exp_teacher_abs": [ea, eas], "exp_teacher_rel": [er, ers],
                      "lt_rel_nmax": [la, las], "n_max": int(res.ns[-1])})


def render_projection(data, path_stem) -> list:
    fig, axes = style.new_figure(ncols=2, width=4.2, height=3.4)
    mf, mu = np.array(data["mus_fine"]), np.array(data["mus"])
    dx = 0.012 * (mf.max() - mf.min() if mf.size > 1 else 1.0)   # side by side: squares left, triangles right
    for ax, kind in zip(axes[0], ("abs", "rel")):
        m_, s_ = (np.array(v, float) for v in data[f"teacher_{kind}"])
        ax.plot(mf, m_, "-o", ms=3, color=style.SIM_COLORS[0], zorder=2,
                label=f"source-teacher span ({data['teachers']} teachers)")
        ax.fill_between(mf, m_ - s_, m_ + s_, color=style.SIM_COLORS[0], alpha=0.2, lw=0)
        m_, s_ = (np.array(v, float) for v in data[f"student_{kind}"])
        ax.errorbar(mu - dx, m_, yerr=s_, fmt="s", ms=4.5, color=style.SIM_COLORS[1], capsize=2, zorder=4,
                    label="pretrained-student span")
        if kind == "rel":
            m_, s_ = (np.array(v, float) for v in data["lt_rel_nmax"])
            ax.errorbar(mu + dx, m_, yerr=s_, fmt="^", ms=4.5, mfc="white", color=style.SIM_COLORS[2], capsize=2,
                        zorder=3, label=rf"$R_{{\rm lt}}/\|f_t\|^2$ at $n={data['n_max']}$")
        ax.set_xlabel(r"removed fraction $\mu$")
        ax.set_ylabel(r"$\|P^\perp f_t\|^2$" if kind == "abs" else r"$\|P^\perp f_t\|^2/\|f_t\|^2$")
        ax.set_title("absolute" if kind == "abs" else "relative", fontsize=9)
        ax.margins(x=0.05, y=0.08)
    handles, labels = axes[0][1].get_legend_handles_labels()
    fig.suptitle(PROJ_TITLE, fontsize=9.5)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    fig.legend(handles, labels, fontsize=7, loc="lower center", ncol=3, frameon=False)
    return style.save(fig, path_stem)


def caption_projection(data) -> str:
    return (f"Part of the target teacher outside the source feature space against the removed fraction mu "
            f"(docs/background.md §10.3, Fig. 3d; the paper's normalisation cannot be recovered, so absolute and relative "
            f"values are shown). Circles: span of the kept teacher neurons, exact from kernel Gram matrices, mean "
            f"+- s.e. over {data['teachers']} teachers (d = {data['config']['d']}, m* = {data['config']['m_star']}). "
            f"Squares: span of all m = {data['params']['m']} neurons of the pretrained student, on average "
            f"{_ratio_text(data)} the teacher-span residual of the same instances (the student span also contains "
            f"its unaligned neurons). Open triangles (drawn just right of the squares): relative linear-transfer risk at the largest n = {data['n_max']}; "
            f"its mean distance to the student-span residual is {_gap(data, 'student_rel'):.3g}, to the teacher-span "
            f"residual {_gap(data, 'exp_teacher_rel'):.3g}. Settings: {data['settings']}.")


def _ratio_text(data) -> str:
    t = np.array(data["exp_teacher_rel"][0], float)
    st_ = np.array(data["student_rel"][0], float)
    ok = t > 1e-10
    if not ok.any():
        return "compared with"
    r = float(np.mean(st_[ok] / t[ok]))
    return f"{r:.2f} times"


def _gap(data, key) -> float:
    lt = np.array(data["lt_rel_nmax"][0], float)
    return float(np.mean(np.abs(lt - np.array(data[key][0], float))))


FIGURES = [
    Figure(PHASE_ID, PHASE_TITLE, compute_phase, render_phase, caption_phase),
    Figure(POWER_ID, POWER_TITLE, compute_power, render_power, caption_power),
    Figure(GRAM_ID, GRAM_TITLE, compute_gram, render_gram, caption_gram),
    Figure(PROJ_ID, PROJ_TITLE, compute_projection, render_projection, caption_projection),
]
