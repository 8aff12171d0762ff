"""The ReLU figures about feature spaces: ``relu-gram`` (kernel of the pretrained network vs the source
teacher, docs/background.md §10.1, paper Fig. 3a-b) and ``relu-projection`` (target outside the source
feature space, §10.3, Fig. 3d). Registered with the other ReLU figures in :mod:`ftheory.figures.relu`."""
from __future__ import annotations


import numpy as np

from ftheory.figures import style
from ftheory.figures.relu_experiment import PROJECTION_MUS, experiment, jsonable, num, settings_text
from ftheory.simulate.relu.gram import gram_panels, kernel_diagnostics
from ftheory.simulate.relu.spans import simulate_teacher_outside
from ftheory.simulate.relu.summary import pretrain_relative_risk
from ftheory.simulate.stats import instance_mean, mean_abs_difference, mean_ratio, mean_sem

# ------------------------------------------------------------------------------------------
# (c) Gram matrices
# ------------------------------------------------------------------------------------------
GRAM_ID = "relu-gram"
GRAM_TITLE = "ReLU networks: kernel of the pretrained network vs the source teacher"


def compute_gram(scale, seed, progress=None, store=None) -> dict:
    """relu-gram data: kernel alignment and outside-span fractions (mean, sem over instances) of the pretrained and
    initial networks at mu = gram_mu (:func:`~ftheory.simulate.relu.gram.kernel_diagnostics`), and the kernels and
    neuron cosines of instance 0 (:func:`~ftheory.simulate.relu.gram.gram_panels`).
    """
    cfg, res = experiment(scale, seed, store, progress)
    j = int(np.argmin(np.abs(res.mus - cfg["gram_mu"])))
    summary = {k: mean_sem(v) for k, v in kernel_diagnostics(res, j).items()}
    panels = gram_panels(res, j, cfg["gram_inputs"], instance=0, seed=np.random.SeedSequence([seed, 13]))
    return jsonable({"config": cfg, "params": res.params, "settings": settings_text(cfg, res), "mu": float(res.mus[j]),
                      "kept": panels["kept"], "K_trained": panels["K_trained"], "K_source": panels["K_source"],
                      "K_init": panels["K_init"], "cos_trained": panels["cos_trained"],
                      "summary": {k: [v[0], v[1]] for k, v in summary.items()},
                      "pretrain_rel_risk": float(instance_mean(pretrain_relative_risk(res)[:, j]))})


def _claim_text(s) -> str:
    closer = s["align_trained_readout"][0] > s["align_init_readout"][0] and \
        s["outside_trained_readout"][0] < s["outside_init_readout"][0]
    plain = s["outside_trained_uniform"][0]
    return ("Pretraining " + ("moves" if closer else "does not move") + " the read-out-weighted kernel towards the "
            "source teacher's kernel and span (the §10.1 claim" + (" holds in this sense" if closer else " fails") +
            f"); the span of all m features keeps {plain:.0%} of its trace outside the source span, and that "
            "larger span is what linear transfer uses (relu-projection).")


def render_gram(data, path_stem) -> list:
    """Draw the three normalised Gram matrices and the student-teacher neuron cosines; save PNG and PDF and return the
    paths.
    """
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
    """The relu-gram caption, with the alignment and outside-span diagnostics (mean +- s.e.) and the settings."""
    s = data["summary"]
    f = lambda k: f"{s[k][0]:.3f} +- {s[k][1]:.3f}"  # noqa: E731
    return (f"Kernel of the pretrained mean-field network vs the source teacher (docs/background.md §10.1, "
            f"Fig. 3a-b), "
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
    """relu-projection data: the target's part outside the kept-teacher span (fresh teachers) and outside the
    pretrained-student span, absolute and relative, with the relative linear-transfer risk at the largest n.
    """
    cfg, res = experiment(scale, seed, store, progress)
    if progress:
        progress(f"{PROJ_ID}: teacher spans")
    fresh = simulate_teacher_outside(cfg["d"], cfg["m_star"], PROJECTION_MUS, instances=cfg["projection_teachers"],
                                     seed=np.random.SeedSequence([seed, 14]))
    ta, tas = mean_sem(fresh["absolute"])
    tr, trs = mean_sem(fresh["relative"])
    sa, sas = mean_sem(res.student_outside)
    sr, srs = mean_sem(res.relative("student_outside"))
    ea, eas = mean_sem(res.teacher_outside)
    er, ers = mean_sem(res.relative("teacher_outside"))
    lt_last = res.relative("lt")[:, :, -1]
    la, las = mean_sem(lt_last)
    return jsonable({"config": cfg, "params": res.params, "settings": settings_text(cfg, res),
                      "mus_fine": PROJECTION_MUS, "teachers": int(fresh["absolute"].shape[0]),
                      "teacher_abs": [ta, tas], "teacher_rel": [tr, trs],
                      "mus": res.mus, "student_abs": [sa, sas], "student_rel": [sr, srs],
                      "exp_teacher_abs": [ea, eas], "exp_teacher_rel": [er, ers],
                      "lt_rel_nmax": [la, las], "n_max": int(res.ns[-1])})


def render_projection(data, path_stem) -> list:
    """Draw the outside-span residuals against mu (absolute and relative panels); save PNG and PDF and return the
    paths.
    """
    fig, axes = style.new_figure(ncols=2, width=4.2, height=3.4)
    mf, mu = np.array(data["mus_fine"]), np.array(data["mus"])
    dx = 0.012 * (mf.max() - mf.min() if mf.size > 1 else 1.0)   # side by side: squares left, triangles right
    for ax, kind in zip(axes[0], ("abs", "rel")):
        m_, s_ = (np.array([num(x) for x in v], float) for v in data[f"teacher_{kind}"])
        ax.plot(mf, m_, "-o", ms=3, color=style.SIM_COLORS[0], zorder=2,
                label=f"source-teacher span ({data['teachers']} teachers)")
        ax.fill_between(mf, m_ - s_, m_ + s_, color=style.SIM_COLORS[0], alpha=0.2, lw=0)
        m_, s_ = (np.array([num(x) for x in v], float) for v in data[f"student_{kind}"])
        ax.errorbar(mu - dx, m_, yerr=s_, fmt="s", ms=4.5, color=style.SIM_COLORS[1], capsize=2, zorder=4,
                    label="pretrained-student span")
        if kind == "rel":
            m_, s_ = (np.array([num(x) for x in v], float) for v in data["lt_rel_nmax"])
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
    """The relu-projection caption: what each marker is, the student/teacher residual ratio and the settings."""
    return (f"Part of the target teacher outside the source feature space against the removed fraction mu "
            f"(docs/background.md §10.3, Fig. 3d; the paper's normalisation cannot be recovered, so absolute and "
            f"relative values are shown). Circles: span of the kept teacher neurons, exact from kernel Gram matrices, "
            f"mean +- s.e. over {data['teachers']} teachers (d = {data['config']['d']}, "
            f"m* = {data['config']['m_star']}). "
            f"Squares: span of all m = {data['params']['m']} neurons of the pretrained student, on average "
            f"{_ratio_text(data)} the teacher-span residual of the same instances (the student span also contains "
            f"its unaligned neurons). Open triangles (drawn just right of the squares): relative linear-transfer risk "
            f"at the largest n = {data['n_max']}; "
            f"its mean distance to the student-span residual is {_gap(data, 'student_rel'):.3g}, to the teacher-span "
            f"residual {_gap(data, 'exp_teacher_rel'):.3g}. Settings: {data['settings']}.")


def _ratio_text(data) -> str:
    """Student-span over teacher-span residual, averaged over mu (ftheory.simulate.stats.mean_ratio), as text."""
    r = mean_ratio(np.array(data["student_rel"][0], float), np.array(data["exp_teacher_rel"][0], float))
    return "compared with" if r is None else f"{r:.2f} times"


def _gap(data, key) -> float:
    """Mean distance over mu of the relative linear-transfer risk at the largest n to the residual ``data[key]``."""
    return mean_abs_difference(np.array(data["lt_rel_nmax"][0], float), np.array(data[key][0], float))
