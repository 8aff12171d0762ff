"""Figure 3 of the paper: two-layer ReLU networks (THEORY.md §10, §11.3).

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

Scales: ``default`` uses the ``cpu`` preset (d = 20, m = 100, m* = 20: the paper's m*/d = 1; about
1.5-2 minutes for the four figures on 2 shared cores), ``paper`` the paper's d = 100, m = 1000, m* = 100
(:data:`RELU_SCALES`; hours), ``tiny`` a toy size for the test suite. Every setting is stored with the numbers and stated in the captions.
"""
from __future__ import annotations

import hashlib
import json
import math
import os

import numpy as np

from ftheory.figures import style
from ftheory.figures.jsonable import jsonable
from ftheory.figures.registry import Figure
from ftheory.relu.kernel import gram
from ftheory.relu.powerlaw import PAPER_NU, boundary_crossings, boundary_n, fit_power_law
from ftheory.relu.projection import teacher_projection
from ftheory.relu.readout import readout_risk_estimate, readout_spectrum
from ftheory.simulate.data import sphere_inputs
from ftheory.simulate.relu import (RELU_SCALES, ReluTransferResult, draw_teacher, kernel_alignment,
                                   kernel_outside_fraction, simulate_relu_transfer)

#: Settings of the shared experiment per figure scale (``SCALES[...]["relu"]``).
CONFIGS = {
    "cpu": {**RELU_SCALES["cpu"], "instances": 8,
            "ns": [10, 20, 40, 80, 160, 320, 640, 1280], "mus": [round(0.1 * k, 10) for k in range(9)],
            "fit_n_min": 80, "rcond": 1e-6, "projection_teachers": 200, "gram_mu": 0.4, "gram_inputs": 40,
            "slice_mus": [0.2, 0.6]},
    # THEORY.md §10.6 sizes; not timed on the 2-core machine (estimated many hours: the population
    # pretraining costs ~m (m + m*) d per step and instance, scratch GD ~4 n m d)
    "paper": {**RELU_SCALES["paper"], "instances": 8,
              "ns": [50, 100, 200, 400, 800, 1600, 3200], "mus": [round(0.1 * k, 10) for k in range(9)],
              "fit_n_min": 200, "rcond": 1e-6, "projection_teachers": 200, "gram_mu": 0.4, "gram_inputs": 40,
              "slice_mus": [0.2, 0.6]},
    "tiny": {**RELU_SCALES["tiny"], "instances": 3,
             "ns": [8, 16, 32, 64], "mus": [0.0, 0.25, 0.5], "fit_n_min": 8, "rcond": 1e-6,
             "projection_teachers": 20, "gram_mu": 0.25, "gram_inputs": 16, "slice_mus": [0.25]},
}
PROJECTION_MUS = [round(0.05 * k, 10) for k in range(20)]
_MEMO: dict = {}


def _config(scale) -> dict:
    name = scale.get("relu", "cpu" if scale.get("d", 100) >= 80 else "tiny")
    if name not in CONFIGS:
        raise ValueError(f"relu scale {name!r} is invalid: expected one of {', '.join(CONFIGS)}")
    return {"preset": name, **CONFIGS[name]}


def _experiment(scale, seed, store=None, progress=None) -> tuple[dict, ReluTransferResult]:
    """The shared simulation (memoised in-process and, with ``store``, on disk)."""
    cfg = _config(scale)
    key = hashlib.sha256(json.dumps({"cfg": cfg, "seed": seed}, sort_keys=True).encode()).hexdigest()[:20]
    if key in _MEMO:
        return cfg, _MEMO[key]
    path = os.path.join(store, "relu", f"{key}.npz") if store else None
    res = None
    if path and os.path.exists(path):
        try:
            res = ReluTransferResult.load(path)
        except (OSError, ValueError, KeyError):
            res = None
    if res is None:
        say = (lambda msg: progress(f"relu: {msg}")) if progress else None
        res = simulate_relu_transfer(
            cfg["ns"], cfg["mus"], d=cfg["d"], m=cfg["m"], m_star=cfg["m_star"], sigma=cfg["sigma"],
            instances=cfg["instances"], seed=np.random.SeedSequence([seed, 10]), lr=cfg["lr"],
            steps=cfg["steps"], pretrain_lr=cfg["pretrain_lr"], pretrain_steps=cfg["pretrain_steps"],
            rcond=cfg["rcond"], keep_init=True, progress=say)
        if path:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            tmp = path + ".tmp.npz"
            res.save(tmp)
            os.replace(tmp, path)
    _MEMO[key] = res
    return cfg, res


def _settings_text(cfg, res) -> str:
    p = res.params
    return (f"d = {p['d']}, m = {p['m']}, m* = {p['m_star']}, sigma = {p['sigma']:g}, {p['instances']} instances; "
            f"pretraining: {p['pretrain_steps']} GD steps at lr = {p['pretrain_lr']:g} on the exact population "
            f"loss; target training: up to {p['steps']} GD steps at lr = {p['lr']:g} (mean-field time, both "
            f"layers); linear transfer: lstsq read-out, rcond = {p['rcond']:g}")


def _mean_sem(a, axis=0):
    a = np.asarray(a, dtype=float)
    k = a.shape[axis]
    sem = a.std(axis=axis, ddof=1) / math.sqrt(k) if k > 1 else np.full(a.mean(axis=axis).shape, np.nan)
    return a.mean(axis=axis), sem


def _fit(res, cfg, seed, nu=None):
    R = res.relative("scratch")
    sel = res.ns >= cfg["fit_n_min"]
    return fit_power_law(res.ns[sel], R[:, sel], nu=nu, seed=np.random.SeedSequence([seed, 11]))


_jsonable = jsonable


def _clean(rel, floor=1e-10):
    """Relative residuals below ``floor`` are rounding (e.g. mu = 0): set them to 0."""
    rel = np.asarray(rel, dtype=float).copy()
    rel[rel < floor] = 0.0
    return rel


def _num(v):
    return math.inf if v == "inf" else (-math.inf if v == "-inf" else (math.nan if v is None else v))


# ------------------------------------------------------------------------------------------
# (a) phase diagram
# ------------------------------------------------------------------------------------------
PHASE_ID = "relu-phase"
PHASE_TITLE = "ReLU networks: transferability over (mu, n) and the predicted boundary"


def compute_phase(scale, seed, progress=None, store=None) -> dict:
    cfg, res = _experiment(scale, seed, store, progress)
    T = res.transferability("lt")
    T_mean, T_sem = _mean_sem(T)
    fit = _fit(res, cfg, seed)
    t_res = _clean(res.relative("teacher_outside").mean(0))
    s_res = _clean(res.relative("student_outside").mean(0))
    n_star_teacher = boundary_n(fit.A, fit.nu, t_res)
    n_star_student = boundary_n(fit.A, fit.nu, s_res)
    # label noise in units of ||f_t||: sqrt of the instance mean of sigma^2 / ||f_t||^2
    sig_rel = float(np.sqrt(np.mean(res.params["sigma"] ** 2 / res.norm_sq)))

    def crossings(residuals, ks):
        out = []
        for mu, rho, k in zip(res.mus, residuals, ks):
            try:
                c = boundary_crossings(fit.A, fit.nu, float(rho), int(k), sig_rel)
                out.append({"mu": float(mu), "k": int(k), "lower": c.lower, "upper": c.upper})
            except ValueError as exc:
                out.append({"mu": float(mu), "k": int(k), "lower": None, "upper": None, "error": str(exc)})
        return out

    crossing = crossings(t_res, res.kept)
    crossing_student = crossings(s_res, [res.params["m"]] * len(res.mus))
    slices = _heuristic_slices(res, cfg)
    predicted = _predicted_map(res, fit, cfg["fit_n_min"])
    return _jsonable({
        "config": cfg, "params": res.params, "settings": _settings_text(cfg, res), "slices": slices,
        "ns": res.ns, "mus": res.mus, "kept": res.kept, "T_mean": T_mean, "T_sem": T_sem,
        "scratch_converged": res.scratch_converged.sum(0), "pretrain_converged": res.pretrain_converged.sum(0),
        "pretrain_rel_risk": (res.pretrain_risk / res.source_norm_sq).mean(0),
        "fit": fit.as_dict(), "teacher_residual": t_res, "student_residual": s_res,
        "n_star_teacher": n_star_teacher, "n_star_student": n_star_student, "crossing": crossing,
        "crossing_student": crossing_student, "predicted": predicted,
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
        t_rel = _clean(res.relative("teacher_outside")[:, j])
        s_rel = _clean(res.relative("student_outside")[:, j])
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
        lt_m, lt_s = _mean_sem(res.relative("lt")[:, j])
        sc_m, sc_s = _mean_sem(res.relative("scratch"))
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


def render_phase(data, path_stem) -> list:
    fig, axes = style.new_figure(ncols=2, width=5.0, height=4.2)
    ax = axes[0][0]
    mus, ns = np.array(data["mus"], float), np.array(data["ns"], float)
    T = np.array([[_num(v) for v in row] for row in data["T_mean"]], float)
    lim = max(float(np.nanmax(np.abs(T))), 1e-12)
    # cell edges: midpoints in mu, geometric midpoints in n
    def edges(v, log):
        v = np.log(v) if log else v
        mid = (v[1:] + v[:-1]) / 2
        e = np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]]) if v.size > 1 else \
            np.array([v[0] - 0.5, v[0] + 0.5])
        return np.exp(e) if log else e
    mesh = ax.pcolormesh(edges(mus, False), edges(ns, True), T.T, cmap=style.TRANSFER_CMAP, vmin=-lim, vmax=lim,
                         shading="flat")
    cb = fig.colorbar(mesh, ax=ax)
    cb.set_label(r"$\mathcal{T}_{\rm lt}/\|f_t\|^2$ (blue: transfer helps)")
    ax.set_yscale("log")
    y_lo, y_hi = edges(ns, True)[[0, -1]]
    nst = np.array([_num(v) for v in data["n_star_teacher"]], float)
    nss = np.array([_num(v) for v in data["n_star_student"]], float)
    ok = np.isfinite(nst)
    ax.plot(mus[ok], np.clip(nst[ok], y_lo, y_hi), "o", ms=7, mfc="#9a9a9a", mec="#444444",
            label=r"$n^*(\mu)$, source-teacher span (paper)")
    ok = np.isfinite(nss)
    ax.plot(mus[ok], np.clip(nss[ok], y_lo, y_hi), "s", ms=5, mfc="none", mec="#111111",
            label=r"$n^*(\mu)$, pretrained-student span")
    for key, marker, color, label in (
            ("crossing", "^", "#2a9d5c", r"with $C(n)$: $k=|S|$, teacher span (EXT)"),
            ("crossing_student", "D", "#8a4fbf", r"with $C(n)$: $k=m$, student span (EXT)")):
        up = np.array([_num(c["upper"]) if c.get("upper") is not None else np.nan for c in data.get(key, [])], float)
        ok = np.isfinite(up)
        if ok.any():
            ax.plot(mus[ok], np.clip(up[ok], y_lo, y_hi), marker, ms=4.5, color=color, label=label)
    pred = data.get("predicted")
    if pred and len(mus) > 1:
        Tp = np.array([[_num(v) for v in row] for row in pred["T"]], float)
        Tp = np.where(np.isfinite(Tp), Tp, -1.0)  # +inf risk (n = m) -> scratch wins
        cs = ax.contour(mus, np.array(pred["n"], float), Tp.T, levels=[0.0], colors="k", linewidths=1.2)
        if cs.allsegs and any(len(seg) for seg in cs.allsegs[0]):
            ax.plot([], [], "k-", lw=1.2, label="zero of $An^{-\\nu}-$ kernel estimate of $R_{\\rm lt}$ (EXT)")
    ax.set_ylim(y_lo, y_hi)
    ax.set_xlabel(r"removed fraction $\mu$")
    ax.set_ylabel(r"target samples $n$")
    f = data["fit"]
    n_min = data["config"]["fit_n_min"]
    ax.set_title(rf"$R_{{\rm sc}}\approx {f['A']:.3g}\,n^{{-{f['nu']:.2f}}}$ (fit $n\geq{n_min}$)",
                 fontsize=9)
    ax.legend(fontsize=6.5, loc="upper right", framealpha=0.8)
    ax2 = axes[0][1]
    for c, sl in enumerate(data.get("slices", [])):
        color = style.SIM_COLORS[c % len(style.SIM_COLORS)]
        ax2.errorbar(ns, sl["lt_mean"], yerr=sl["lt_sem"], fmt="o", ms=4, color=color, capsize=2,
                     label=rf"$R_{{\rm lt}}$, $\mu={sl['mu']:g}$ ($|S|={sl['kept']}$)")
        for name, ls in (("teacher_k_S", ":"), ("student_k_m", "-"), ("kernel_estimate", "--")):
            cur = sl["curves"][name]
            r = np.array([_num(v) for v in cur["risk"]], float)
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
    ax2.legend(fontsize=6, loc="lower left")
    fig.suptitle(PHASE_TITLE, fontsize=9.5)
    fig.tight_layout()
    return style.save(fig, path_stem)


def caption_phase(data) -> str:
    f = data["fit"]
    return (f"Empirical linear-transfer transferability T_lt = R_sc - R_lt (THEORY.md §10, Fig. 3e), relative to "
            f"||f_t||^2 per instance and averaged; blue: transfer helps. Source = target teacher with a fraction mu "
            f"of its neurons removed (|S| = {', '.join(str(k) for k in data['kept'])}). Markers: predicted boundary "
            f"n*(mu) = (A/||P^perp f_t||^2)^(1/nu) (§10.5) with the fitted scratch power law A = {f['A']:.3g}, "
            f"nu = {f['nu']:.3f} [{f['nu_ci'][0]:.3f}, {f['nu_ci'][1]:.3f}] and the residual onto the source "
            f"teacher's span (grey circles, the paper's construction) or onto the pretrained student's span "
            f"(squares); triangles and diamonds: upper crossing of A n^-nu = C(n) + rho with the estimation term "
            f"C(n) = (sigma^2 + rho) k/(n-k-1) (§10.4, EXT), for k = |S| with the teacher-span rho and for k = m with "
            f"the student-span rho ({_no_cross_text(data)}). Boundaries outside the n range are drawn at its edge. "
            f"Near n = m = {data['params']['m']} the least-squares read-out on all m features interpolates, so its risk "
            f"peaks there (double descent). Right: relative linear-transfer risk against n "
            f"(points, mean +- s.e.) with the registered rank-k heuristic linear_transfer_risk_rank_k (§4.5, exact for "
            f"Gaussian features) averaged over instances, for k = |S| with the source-teacher residual (dotted) and "
            f"for k = m with the pretrained-student residual (solid), and the toolkit's kernel-regression estimate "
            f"(dashed; deterministic equivalent of min-norm regression on the learned features' exact kernel spectrum, "
            f"ftheory.relu.readout, EXT), whose zero crossing with the scratch fit is the black contour on the left "
            f"(drawn for n >= {data['config']['fit_n_min']}, where the power law was fitted); squares: scratch. "
            f"Settings: {data['settings']}.")


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
    cfg, res = _experiment(scale, seed, store, progress)
    R = res.relative("scratch")
    mean, sem = _mean_sem(R)
    fit = _fit(res, cfg, seed)
    fixed = _fit(res, cfg, seed, nu=PAPER_NU)
    full = fit_power_law(res.ns, R, seed=np.random.SeedSequence([seed, 12]))
    local = -np.diff(np.log(mean)) / np.diff(np.log(res.ns.astype(float)))
    return _jsonable({"config": cfg, "params": res.params, "settings": _settings_text(cfg, res),
                      "ns": res.ns, "risk": R, "mean": mean, "sem": sem, "converged": res.scratch_converged.sum(0),
                      "train_loss_rel": (res.scratch_loss / res.norm_sq[:, None]).mean(0),
                      "fit": fit.as_dict(), "fit_fixed": fixed.as_dict(), "fit_all": full.as_dict(),
                      "local_slopes": local})


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
    ax.plot(ns[conv], mean[conv], "o", color=style.SIM_COLORS[0], ms=5, zorder=4, label="mean over instances")
    if (~conv).any():
        ax.plot(ns[~conv], mean[~conv], "o", mfc="white", mec=style.SIM_COLORS[0], ms=5, zorder=4,
                label="not all runs interpolated")
    f, ff = data["fit"], data["fit_fixed"]
    grid = np.geomspace(ns.min(), ns.max(), 100)
    ax.plot(grid, f["A"] * grid ** -f["nu"], color=style.THEORY_COLOR, lw=1.4,
            label=rf"fit $n\geq{data['config']['fit_n_min']}$: $\nu={f['nu']:.2f}$ "
                  rf"[{f['nu_ci'][0]:.2f}, {f['nu_ci'][1]:.2f}]")
    ax.plot(grid, ff["A"] * grid ** -ff["nu"], color="#888888", lw=1.0, ls="--",
            label=rf"$\nu={PAPER_NU}$ fixed (paper)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("target samples $n$")
    ax.set_ylabel(r"$R_{\rm sc}/\|f_t\|^2$")
    ax.legend(fontsize=7)
    ax.set_title(POWER_TITLE, fontsize=9.5)
    fig.tight_layout()
    return style.save(fig, path_stem)


def caption_power(data) -> str:
    f, ff, fa = data["fit"], data["fit_fixed"], data["fit_all"]
    return (f"Scratch training of the mean-field ReLU network (THEORY.md §10.4): exact population risk relative to "
            f"||f_t||^2 (grey: instances; points: mean +- standard error; open points: some runs did not reach the "
            f"interpolation tolerance). Least-squares fit of log R vs log n for n >= {data['config']['fit_n_min']}: "
            f"A = {f['A']:.3g}, nu = {f['nu']:.3f} with {100 * f['level']:.0f}% bootstrap interval "
            f"[{f['nu_ci'][0]:.3f}, {f['nu_ci'][1]:.3f}] over instances (all n: nu = {fa['nu']:.3f} "
            f"[{fa['nu_ci'][0]:.3f}, {fa['nu_ci'][1]:.3f}]); dashed: nu fixed at the paper's {PAPER_NU} "
            f"(A = {ff['A']:.3g}). Local slopes: {', '.join(f'{s:.2f}' for s in data['local_slopes'])}. "
            f"Settings: {data['settings']}.")


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
    cfg, res = _experiment(scale, seed, store, progress)
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
    summary = {k: _mean_sem([r[k] for r in inst]) for k in inst[0]}
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
    return _jsonable({"config": cfg, "params": res.params, "settings": _settings_text(cfg, res), "mu": mu,
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
    fig, axes = style.new_figure(ncols=4, width=3.0, height=3.0)
    ax = axes[0]
    mats = [("pretrained network", data["K_trained"]), (r"source teacher ($|S|=%d$)" % data["kept"], data["K_source"]),
            ("network at initialisation", data["K_init"])]
    for a_, (title, K) in zip(ax[:3], mats):
        K = np.array(K, float)
        K = K / np.mean(np.diag(K))
        a_.imshow(K, cmap="viridis", vmin=0, vmax=float(np.quantile(K, 0.99)))
        a_.set_title(title, fontsize=8)
        a_.set_xticks([])
        a_.set_yticks([])
    ax[0].set_ylabel("inputs (sorted by $f_s$)", fontsize=8)
    C = np.array(data["cos_trained"], float)
    im = ax[3].imshow(C, cmap=style.TRANSFER_CMAP, vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
    ax[3].axvline(data["kept"] - 0.5, color="k", lw=0.8)
    ax[3].set_title("cos(student, teacher) neurons", fontsize=8)
    ax[3].set_xlabel(f"teacher: kept | removed", fontsize=7)
    ax[3].set_ylabel("pretrained student neurons", fontsize=7)
    fig.colorbar(im, ax=ax[3], fraction=0.046)
    s = data["summary"]
    fig.suptitle(rf"{GRAM_TITLE} ($\mu={data['mu']:g}$); alignment with $K_S$: trained "
                 rf"{s['align_trained_readout'][0]:.3f} vs init {s['align_init_readout'][0]:.3f}", fontsize=9)
    fig.tight_layout()
    return style.save(fig, path_stem)


def caption_gram(data) -> str:
    s = data["summary"]
    f = lambda k: f"{s[k][0]:.3f} +- {s[k][1]:.3f}"  # noqa: E731
    return (f"Kernel of the pretrained mean-field network vs the source teacher (THEORY.md §10.1, Fig. 3a-b), "
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
    cfg, res = _experiment(scale, seed, store, progress)
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
    ta, tas = _mean_sem(absolute)
    tr, trs = _mean_sem(relative)
    sa, sas = _mean_sem(res.student_outside)
    sr, srs = _mean_sem(res.relative("student_outside"))
    ea, eas = _mean_sem(res.teacher_outside)
    er, ers = _mean_sem(res.relative("teacher_outside"))
    lt_last = res.relative("lt")[:, :, -1]
    la, las = _mean_sem(lt_last)
    return _jsonable({"config": cfg, "params": res.params, "settings": _settings_text(cfg, res),
                      "mus_fine": PROJECTION_MUS, "teachers": teachers.instances,
                      "teacher_abs": [ta, tas], "teacher_rel": [tr, trs],
                      "mus": res.mus, "student_abs": [sa, sas], "student_rel": [sr, srs],
                      "exp_teacher_abs": [ea, eas], "exp_teacher_rel": [er, ers],
                      "lt_rel_nmax": [la, las], "n_max": int(res.ns[-1])})


def render_projection(data, path_stem) -> list:
    fig, axes = style.new_figure(ncols=2, width=4.2, height=3.4)
    mf, mu = np.array(data["mus_fine"]), np.array(data["mus"])
    for ax, kind in zip(axes[0], ("abs", "rel")):
        m_, s_ = (np.array(v, float) for v in data[f"teacher_{kind}"])
        ax.plot(mf, m_, "-o", ms=3, color=style.SIM_COLORS[0],
                label=f"source-teacher span ({data['teachers']} teachers)")
        ax.fill_between(mf, m_ - s_, m_ + s_, color=style.SIM_COLORS[0], alpha=0.2, lw=0)
        m_, s_ = (np.array(v, float) for v in data[f"student_{kind}"])
        ax.errorbar(mu, m_, yerr=s_, fmt="s", ms=4, color=style.SIM_COLORS[1], capsize=2,
                    label="pretrained-student span")
        if kind == "rel":
            m_, s_ = (np.array(v, float) for v in data["lt_rel_nmax"])
            ax.errorbar(mu, m_, yerr=s_, fmt="^", ms=4, color=style.SIM_COLORS[2], capsize=2,
                        label=rf"$R_{{\rm lt}}/\|f_t\|^2$ at $n={data['n_max']}$")
        ax.set_xlabel(r"removed fraction $\mu$")
        ax.set_ylabel(r"$\|P^\perp f_t\|^2$" if kind == "abs" else r"$\|P^\perp f_t\|^2/\|f_t\|^2$")
        ax.set_title("absolute" if kind == "abs" else "relative", fontsize=9)
        ax.legend(fontsize=6.5)
    fig.suptitle(PROJ_TITLE, fontsize=9.5)
    fig.tight_layout()
    return style.save(fig, path_stem)


def caption_projection(data) -> str:
    return (f"Part of the target teacher outside the source feature space against the removed fraction mu "
            f"(THEORY.md §10.3, Fig. 3d; the paper's normalisation cannot be recovered, so absolute and relative "
            f"values are shown). Circles: span of the kept teacher neurons, exact from kernel Gram matrices, mean "
            f"+- s.e. over {data['teachers']} teachers (d = {data['config']['d']}, m* = {data['config']['m_star']}). "
            f"Squares: span of all m = {data['params']['m']} neurons of the pretrained student, on average "
            f"{_ratio_text(data)} the teacher-span residual of the same instances (the student span also contains "
            f"its unaligned neurons). Triangles: relative linear-transfer risk at the largest n = {data['n_max']}; "
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
