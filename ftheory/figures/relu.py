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

from ftheory.figures import phase, style
from ftheory.figures.registry import Figure
from ftheory.figures.relu_experiment import (CONFIGS, clean, experiment, fit, jsonable, num,
                                             pooled_scratch, settings_text)
from ftheory.figures.relu_spans import (GRAM_ID, GRAM_TITLE, PROJ_ID, PROJ_TITLE, caption_gram, caption_projection,
                                        compute_gram, compute_projection, render_gram, render_projection)
from ftheory.relu.boundary import crossing_ratio_summary, empirical_crossing
from ftheory.relu.powerlaw import PAPER_NU, boundary_crossings, boundary_n
from ftheory.relu.readout_mean import mean_readout_relative_risk, predicted_transferability
from ftheory.simulate.relu.summary import (local_exponents, pretrain_relative_risk, relative_noise, relative_noise_rms,
                                           target_degree_fractions)
from ftheory.simulate.stats import first_below, instance_mean, mean_sem, median_inf

__all__ = ["CONFIGS", "FIGURES"]

# ------------------------------------------------------------------------------------------
# (a) phase diagram
# ------------------------------------------------------------------------------------------
PHASE_ID = "relu-phase"
PHASE_TITLE = "ReLU networks: transferability over (mu, n) and the predicted boundary"


def compute_phase(scale, seed, progress=None, store=None) -> dict:
    """relu-phase data: relative T_lt (mean, sem) over (mu, n) from the shared experiment, the pooled scratch power-law
    fit and the predicted boundaries n*(mu) (teacher and student spans, C(n)-corrected); JSON-ready dict.
    """
    cfg, res = experiment(scale, seed, store, progress)
    T = res.transferability("lt")
    T_mean, T_sem = mean_sem(T)
    R_pool, _, _ = pooled_scratch(cfg, res, seed, store, progress)
    pfit = fit(cfg, seed, R_pool, res.ns)
    t_res = clean(instance_mean(res.relative("teacher_outside")))
    s_res = clean(instance_mean(res.relative("student_outside")))
    n_star_teacher = boundary_n(pfit.A, pfit.nu, t_res)
    n_star_student = boundary_n(pfit.A, pfit.nu, s_res)
    # label noise in units of ||f_t||: sqrt of the instance mean of sigma^2 / ||f_t||^2
    sig_rel = relative_noise_rms(res)

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
        per_instance.append({"mu": float(mu), "crossing": emp[:, j],
                             "student": crossing_ratio_summary(emp[:, j], pred_s),
                             "teacher": crossing_ratio_summary(emp[:, j], pred_t),
                             "first_negative_n": first_below(res.ns, T_mean[j])})
    crossing = crossings(t_res, res.kept)
    crossing_student = crossings(s_res, [res.params["m"]] * len(res.mus))
    slices = _heuristic_slices(res, cfg)
    predicted = _predicted_map(res, pfit, cfg["fit_n_min"])
    return jsonable({
        "config": cfg, "params": res.params, "settings": settings_text(cfg, res), "slices": slices,
        "ns": res.ns, "mus": res.mus, "kept": res.kept, "T_mean": T_mean, "T_sem": T_sem,
        "scratch_converged": res.scratch_converged.sum(0), "pretrain_converged": res.pretrain_converged.sum(0),
        "pretrain_rel_risk": instance_mean(pretrain_relative_risk(res)),
        "fit": pfit.as_dict(), "teacher_residual": t_res, "student_residual": s_res,
        "n_star_teacher": n_star_teacher, "n_star_student": n_star_student, "crossing": crossing,
        "crossing_student": crossing_student, "predicted": predicted, "per_instance": per_instance,
        "lt_rel_mean": instance_mean(res.relative("lt")), "scratch_rel_mean": instance_mean(res.relative("scratch"))})


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
        sig_rel = relative_noise(res)
        curves = {}
        for name, kk, rho in (("teacher_k_S", k, t_rel), ("student_k_m", m, s_rel)):
            # the heuristic per instance (its own residual and noise), averaged over the instances
            vals = instance_mean([rank_k(n=grid, k=kk, residual=float(r), sigma=float(sr))
                                  for r, sr in zip(rho, sig_rel)])
            at_ns = instance_mean([rank_k(n=res.ns, k=kk, residual=float(r), sigma=float(sr))
                                   for r, sr in zip(rho, sig_rel)])
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
    return mean_readout_relative_risk(res.pretrained_weights[:, j], res.teacher.weights, res.teacher.coef, ns,
                                      sigma=res.params["sigma"])


def _predicted_map(res, fit, n_min) -> dict:
    """``A n^-nu - E[R_lt]/||f_t||^2`` (kernel estimate) on a dense n grid, for the zero contour."""
    grid = np.unique(np.round(np.geomspace(n_min, res.ns.max(), 120)).astype(int))
    T = predicted_transferability(fit, res.pretrained_weights, res.teacher.weights, res.teacher.coef, grid,
                                  sigma=res.params["sigma"])
    return {"n": grid, "T": T}


def _arr(values) -> np.ndarray:
    """Stored numbers (None for NaN, "inf"/"-inf" strings) as a float array."""
    return np.array([num(v) for v in values], float)


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
    """Draw the figure from ``compute``'s data; save PNG and PDF at ``path_stem`` and return the paths."""
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
    # boundaries outside the simulated n range go to bands below/above the map (whole markers, inside the axes):
    # each band is a fixed 9% of the axes height whatever the n range, its markers at its centre
    frac = 0.09
    band = np.log(y_hi / y_lo) * frac / (1 - 2 * frac)  # log-height of a band
    band_lo, band_hi = y_lo * np.exp(-band), y_hi * np.exp(band)
    lo_mark, hi_mark = y_lo * np.exp(-band / 2), y_hi * np.exp(band / 2)

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
    phase.legend_below(ax, ncol=1, fontsize=6.5)
    ax2 = axes[0][1]
    for c, sl in enumerate(data.get("slices", [])):
        color = style.SIM_COLORS[c % len(style.SIM_COLORS)]
        ax2.errorbar(ns, _arr(sl["lt_mean"]), yerr=_arr(sl["lt_sem"]), fmt="o", ms=4, color=color, capsize=2,
                     label=rf"$R_{{\rm lt}}$, $\mu={sl['mu']:g}$ ($|S|={sl['kept']}$)")
        for name, ls in (("teacher_k_S", ":"), ("student_k_m", "-"), ("kernel_estimate", "--")):
            cur = sl["curves"][name]
            r = np.array([num(v) for v in cur["risk"]], float)
            ax2.plot(np.array(cur["n"], float), np.where(np.isfinite(r), r, np.nan), ls=ls, color=color, lw=1.1)
    if data.get("slices"):
        sl = data["slices"][0]
        ax2.errorbar(ns, _arr(sl["sc_mean"]), yerr=_arr(sl["sc_sem"]), fmt="s", ms=4, color="#444444", capsize=2,
                     label=r"$R_{\rm sc}$")
        ax2.plot([], [], ":", color="#666666", label=r"rank-$k$ heuristic, $k=|S|$, teacher span")
        ax2.plot([], [], "-", color="#666666", label=r"rank-$k$ heuristic, $k=m$, student span")
        ax2.plot([], [], "--", color="#666666", label="kernel-regression estimate (EXT)")
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    # y range from the points (+- s.e.) and the finite curves; the read-out's interpolation peak may leave the top
    vals = [_arr(sl[k]) for sl in data.get("slices", []) for k in ("lt_mean", "sc_mean")]
    vals += [_arr(sl["curves"][name]["risk"]) for sl in data.get("slices", []) for name in sl["curves"]]
    vals = np.concatenate(vals) if vals else np.array([])
    vals = vals[np.isfinite(vals) & (vals > 0)]
    pts = [_arr(sl[k]) + _arr(sl[e]) for sl in data.get("slices", []) for k, e in (("lt_mean", "lt_sem"),
                                                                                  ("sc_mean", "sc_sem"))]
    pts = np.concatenate(pts) if pts else np.array([])
    pts = pts[np.isfinite(pts)]
    ax2.set_ylim(min(1e-3, vals.min() / 2) if vals.size else 1e-3, max(3.0, 2 * pts.max()) if pts.size else 3.0)
    ax2.set_xlabel(r"target samples $n$")
    ax2.set_ylabel(r"risk$/\|f_t\|^2$")
    ax2.set_title("linear transfer: simulation vs estimates", fontsize=9)
    ax2.xaxis.set_minor_formatter(NullFormatter())
    phase.legend_below(ax2, ncol=1, fontsize=6.5)
    fig.suptitle(PHASE_TITLE, fontsize=9.5)
    fig.tight_layout()
    return style.save(fig, path_stem)


def caption_phase(data) -> str:
    """The relu-phase caption: what is drawn, the fitted power law, the boundaries and the settings."""
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
            f"Near n = m = {data['params']['m']} the least-squares read-out on all m features interpolates, so its "
            f"risk "
            f"peaks there (double descent). Right: relative linear-transfer risk against n "
            f"(points, mean +- s.e.) with the registered rank-k heuristic linear_transfer_risk_rank_k (§4.5, exact "
            f"for "
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
    n_max = max(data["ns"])
    holds, peak, other, parts = [], [], [], []
    for r in rows:
        s_, t_ = r["student"], r["teacher"]
        c = np.array([num(v) for v in r["crossing"]], float)
        inside = c[np.isfinite(c) & (c > 0)]
        if inside.size == 0:
            continue
        r = dict(r, median_crossing=median_inf(c),
                 lo=float(inside.min()), hi=float(inside.max()))
        parts.append(f"mu = {r['mu']:g}: {_fmt_ratio(s_)} over {s_['count']} of {c.size} instances"
                     + (f" ({s_['above']} cross above n = {n_max:g})" if s_["above"] else "")
                     + f", paper's teacher span {_fmt_ratio(t_)}, crossings at n = {r['lo']:.0f}-{r['hi']:.0f}")
        med = s_["median"]
        if med is not None and 2 / 3 <= med <= 1.5:
            holds.append(r)
        elif r["median_crossing"] <= 2 * m:
            peak.append(r)
        else:
            other.append(r)
    text = ("Simulated crossing of T_lt per instance (last sign change, log-interpolated between grid points) "
            "divided by the student-span formula of that instance, median [range]: " + "; ".join(parts) + ". ")
    if holds:
        text += ("The student-span formula matches the simulated crossing (median ratio within a factor 1.5) at mu = "
                 + ", ".join(f"{r['mu']:g}" for r in holds) + ". ")
    if peak:
        text += ("At mu = " + ", ".join(f"{r['mu']:g}" for r in peak) + " it does not: the median crossing lies at "
                 f"or below 2m, around the read-out's interpolation peak n ~ m = {m} (mean T_lt is negative from n = "
                 + ", ".join(f"{r['first_negative_n']:g}" for r in peak if r.get("first_negative_n") is not None)
                 + " there), where the double descent of the least-squares read-out, not the power law, decides. ")
    if other:
        text += ("At mu = " + ", ".join(f"{r['mu']:g} (median ratio {r['student']['median']:.2f})" for r in other)
                 + " the formula misses by more than a factor 1.5. ")
    return text + ("The formula is therefore no general n*(mu); the crossing's absolute n varies strongly between "
                   "teachers, so the per-instance ratio is quoted rather than one n.")


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
    """relu-powerlaw data: pooled relative scratch risks against n, power-law fits (pooled, paper's fixed nu, all n,
    per seed) and local slopes; JSON-ready dict.
    """
    cfg, res = experiment(scale, seed, store, progress)
    R, group, conv = pooled_scratch(cfg, res, seed, store, progress)
    mean, sem = mean_sem(R)
    pooled = fit(cfg, seed, R, res.ns)
    fixed = fit(cfg, seed, R, res.ns, nu=PAPER_NU)
    full = fit(cfg, seed, R, res.ns, all_n=True)
    per_seed = [fit(cfg, seed, R[group == k], res.ns).as_dict() for k in np.unique(group)
                if np.sum(group == k) >= 2]                       # a bootstrap needs 2 instances
    local = local_exponents(res.ns, mean)
    degrees = target_degree_fractions(res, kmax=2)
    d = int(res.params["d"])
    return jsonable({"config": cfg, "params": res.params, "settings": settings_text(cfg, res),
                     "ns": res.ns, "risk": R, "group": group, "mean": mean, "sem": sem,
                     "converged": conv.sum(0), "seeds": int(group.max()) + 1,
                     "train_loss_rel": instance_mean(res.relative("scratch_loss")),
                     "fit": pooled.as_dict(), "fit_fixed": fixed.as_dict(), "fit_all": full.as_dict(),
                     "fit_per_seed": per_seed, "local_slopes": local,
                     # mean fractions of ||f_t||^2 in Hermite degrees 0, 1, 2 and >= 3, and the dimensions of
                     # the degree-1 and degree-2 polynomials (ftheory.relu.hermite; docs/performance.md, ReLU)
                     "target_degrees": degrees, "hermite_dims": [d, d * (d + 1) // 2]})


def render_power(data, path_stem) -> list:
    """Draw the figure from ``compute``'s data; save PNG and PDF at ``path_stem`` and return the paths."""
    fig, axes = style.new_figure(width=5.0, height=3.8)
    ax = axes[0][0]
    ns = np.array(data["ns"], float)
    R = np.array(data["risk"], float)
    for row in R:
        ax.plot(ns, row, "-", color="#bbbbbb", lw=0.7, zorder=1)
    conv = np.array(data["converged"]) == R.shape[0]
    mean, sem = _arr(data["mean"]), _arr(data["sem"])
    ax.errorbar(ns, mean, yerr=sem, fmt="none", ecolor=style.SIM_COLORS[0], capsize=2, zorder=3)
    ax.plot(ns[conv], mean[conv], "o", color=style.SIM_COLORS[0], ms=5, zorder=4,
            label=f"mean over {R.shape[0]} instances ({data.get('seeds', 1)} seeds)")
    if (~conv).any():
        ax.plot(ns[~conv], mean[~conv], "o", mfc="white", mec=style.SIM_COLORS[0], ms=5, zorder=4,
                label="not all runs converged in the step budget")
    f, ff = data["fit"], data["fit_fixed"]
    grid = np.geomspace(ns.min(), ns.max(), 100)
    ax.plot(grid, f["A"] * grid ** -f["nu"], color=style.THEORY_COLOR, lw=1.4,
            label=rf"fit $n\geq{data['config']['fit_n_min']}$: $\nu={f['nu']:.2f}$ "
                  rf"[{f['nu_ci'][0]:.2f}, {f['nu_ci'][1]:.2f}] (pooled seeds)")
    ax.plot(grid, ff["A"] * grid ** -ff["nu"], color="#888888", lw=1.0, ls="--",
            label=rf"$\nu={PAPER_NU}$ fixed (paper)")
    if data.get("target_degrees") is not None:
        ax.axhline(sum(data["target_degrees"][2:]), color="#888888", lw=0.9, ls=":",
                   label=r"Hermite degree $\geq 2$ part of $f_t$, $\|P_{\geq 2}f_t\|^2/\|f_t\|^2$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("target samples $n$")
    ax.set_ylabel(r"$R_{\rm sc}/\|f_t\|^2$")
    ax.xaxis.set_minor_formatter(NullFormatter())
    phase.legend_below(ax, ncol=1, fontsize=7)
    ax.set_title(POWER_TITLE, fontsize=9.5)
    fig.tight_layout()
    return style.save(fig, path_stem)


def caption_power(data) -> str:
    """The relu-powerlaw caption: the fits with their bootstrap intervals and the settings."""
    f, ff, fa = data["fit"], data["fit_fixed"], data["fit_all"]
    seeds = data.get("fit_per_seed", [])
    per = (f"; each seed alone ({seeds[0]['instances']} instances): nu = "
           + ", ".join(f"{s['nu']:.3f} [{s['nu_ci'][0]:.3f}, {s['nu_ci'][1]:.3f}]" for s in seeds)) if seeds else ""
    return (f"Scratch training of the mean-field ReLU network (docs/background.md §10.4): exact population risk "
            f"relative to ||f_t||^2 (grey: {f['instances']} instances from {data.get('seeds', 1)} seeds; points: "
            f"mean +- standard error; open points: some runs met neither the interpolation tolerance nor the plateau "
            f"rule within the step budget). Least-squares fit of log R vs log n for n >= "
            f"{data['config']['fit_n_min']}, pooled over all instances of all seeds: A = {f['A']:.3g}, "
            f"nu = {f['nu']:.3f} with {100 * f['level']:.0f}% bootstrap interval [{f['nu_ci'][0]:.3f}, "
            f"{f['nu_ci'][1]:.3f}] (instances resampled across seeds, so the interval includes the spread between "
            f"seeds){per}. All n: nu = {fa['nu']:.3f} [{fa['nu_ci'][0]:.3f}, {fa['nu_ci'][1]:.3f}]; dashed: "
            f"nu fixed at the paper's {PAPER_NU} (A = {ff['A']:.3g}). Local slopes of the mean: "
            f"{', '.join(f'{s:.2f}' for s in data['local_slopes'])}.{_staircase_text(data)} "
            f"Settings: {data['settings']}.")


def _staircase_text(data) -> str:
    """Caption sentence: the Hermite-degree content of f_t and where the n grid sits against d and d(d+1)/2."""
    deg = data.get("target_degrees")
    if deg is None:
        return ""
    d, d2 = data["hermite_dims"]
    ns = data["ns"]
    return (f" Dotted: the part of f_t of Hermite degree >= 2 (ftheory.relu.hermite; degrees 0, 1, 2, >= 3 hold "
            f"{', '.join(f'{100 * v:.0f}%' for v in deg)} of ||f_t||^2, mean over instances). A learner close to "
            f"a rotation-invariant kernel method learns the degree-k part once n is of the order of the number "
            f"of degree-k polynomials (d = {d} for k = 1, d(d+1)/2 = {d2} for k = 2); here n/d = "
            f"{ns[0] / d:.3g} ... {ns[-1] / d:.3g} and n/(d(d+1)/2) = {ns[0] / d2:.2g} ... {ns[-1] / d2:.2g}, so "
            f"nu is the slope of one stretch of this staircase and depends on the range of n fitted, not a "
            f"universal exponent (docs/performance.md, ReLU section).")


FIGURES = [
    Figure(PHASE_ID, PHASE_TITLE, compute_phase, render_phase, caption_phase),
    Figure(POWER_ID, POWER_TITLE, compute_power, render_power, caption_power),
    Figure(GRAM_ID, GRAM_TITLE, compute_gram, render_gram, caption_gram),
    Figure(PROJ_ID, PROJ_TITLE, compute_projection, render_projection, caption_projection),
]
