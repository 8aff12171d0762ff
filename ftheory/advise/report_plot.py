"""The report's figure (:meth:`ftheory.advise.report.Report.plot`): risk curves against n with 95% bands, the user's
n and the crossover marked, and the report's flags listed under the axes, so that a figure shown without the text
report does not hide a caveat."""
from __future__ import annotations

import re
import textwrap

import numpy as np

__all__ = ["STYLE", "flag_caption", "plot_report"]

#: procedure -> (colour, line style, legend label); the solid ones get their 95% band shaded
STYLE = {"scratch_ridge": ("C0", "-", "scratch (tuned ridge)"),
         "scratch_min_norm": ("C0", ":", "scratch (min-norm)"),
         "linear_transfer": ("C1", "-", "linear probe on pretrained feature"),
         "finetune_ridge": ("C2", "-", "fine-tune (tuned, towards pretrained)"),
         "finetune_min_norm": ("C2", ":", "fine-tune (min-norm from pretrained)")}

FLAG_COLOR = "C3"
_FIRST_CLAUSE = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?:\.|;)\s")


def _first_clause(text: str) -> str:
    """``text`` up to its first ``; `` or sentence end (not ``e.g. ``, ``i.e. `` or a decimal point)."""
    text = " ".join(str(text).split())
    m = _FIRST_CLAUSE.search(text)
    return text[:m.start()] if m else text.rstrip(".")


def flag_caption(flags, width=110) -> str:
    """The caption listing ``flags`` under the figure: one numbered entry per flag (its first clause, wrapped to
    ``width`` columns, a longer word such as a column name cut) and where the full text is; ``""`` without flags."""
    if not flags:
        return ""
    head = (f"{len(flags)} FLAG{'S' if len(flags) > 1 else ''} (the report's caveats; full text: "
            "Report.summary() or the CLI's text report):")
    lines = [textwrap.fill(head, width)]
    for i, t in enumerate(flags, 1):
        lines.append(textwrap.fill(f"{i}. {_first_clause(t)}", width, subsequent_indent="    ",
                                   break_long_words=True, break_on_hyphens=False))
    return "\n".join(lines)


def plot_report(rep, ax=None, path=None, cite=""):
    """Draw :class:`~ftheory.advise.report.Report` ``rep`` (see :meth:`Report.plot`); ``cite``: the references line
    under the axes. Returns the figure."""
    import matplotlib
    if ax is None:
        matplotlib.use("Agg", force=False) if path else None
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(6.4, 4.2))
    else:
        fig = ax.figure
    ns = rep.curves["n"]
    top = 0.0
    for proc, (c, ls, lab) in STYLE.items():
        if proc not in rep.curves:
            continue
        v, lo, hi = (np.asarray(a, float) for a in rep.curves[proc])
        ax.plot(ns, v, color=c, ls=ls, label=lab)
        if ls == "-":
            ax.fill_between(ns, lo, hi, color=c, alpha=0.18, lw=0)
        fin = v[np.isfinite(v)]
        if fin.size:
            top = max(top, float(np.percentile(fin, 90)))
    ax.axvline(rep.n, color="k", lw=0.8, ls="--")
    ax.text(rep.n, 0.02, f" your n = {rep.n}", transform=ax.get_xaxis_transform(), fontsize=8)
    if rep.crossover_n:
        ax.axvline(rep.crossover_n, color="C3", lw=0.8, ls="-.",
                   label=f"scratch ahead (or level) from n = {rep.crossover_n}")
    ax.set_xscale("log")
    ax.set_ylim(0, 1.6 * top if top > 0 else 1)
    ax.set_xlabel("target sample size n")
    ax.set_ylabel(r"predicted excess risk $\|\hat\beta-\beta_t\|_\Sigma^2$")
    how = ("by point estimate, not resolved at 95%" if not rep.resolved else
           "transfer hurts at 95%" if rep.recommendation == "scratch" else "beats scratch at 95%")
    title = f"Recommendation at n = {rep.n}: {rep.recommendation} ({how})\nd = {rep.d}, {rep.theory} theory"
    flags = list(rep.flags)
    if flags:
        title += f"; {len(flags)} flag{'s' if len(flags) > 1 else ''}: see below the plot"
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)
    ax.annotate(cite, xy=(1, 0), xycoords="axes fraction", xytext=(0, -44), textcoords="offset points",
                ha="right", va="top", fontsize=6, color="0.35")
    if flags:
        ax.annotate(flag_caption(flags), xy=(0, 0), xycoords="axes fraction", xytext=(-40, -56),
                    textcoords="offset points", ha="left", va="top", fontsize=6.5, color=FLAG_COLOR)
    if path:
        fig.savefig(path, dpi=130, bbox_inches="tight")
    return fig
