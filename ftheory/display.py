"""How a :class:`~ftheory.result.Result` shows itself: notebook LaTeX and HTML, terminal text.

* :func:`latex_repr` - ``$$name(params) = formula$$`` for Jupyter (``Result._repr_latex_``);
* :func:`html_card` - a compact card: summary, parameters with domains and defaults, reference,
  status and regime labels (``Result._repr_html_``);
* :func:`labels` - the status label (paper / extension / ...) and the regime (exact at finite
  size, asymptotic in the proportional limit, or a bound);
* :func:`piecewise_lines` - one readable line per Piecewise branch, ``condition: expression``
  (``ftheory show``).

Nothing here is imported on the numeric path; SymPy is imported only by the functions that
need the expression.
"""
from __future__ import annotations

import html

from ftheory.params import PARAMS

__all__ = ["labels", "signature_latex", "latex_repr", "html_card", "piecewise_lines", "formula_text",
           "unicode_names"]

#: status -> (short label, meaning) shown on the card
STATUS_LABELS = {
    "PAPER": ("paper", "a result of the paper"),
    "PAPER*": ("paper (corrected)", "a result of the paper, in its publicly corrected form"),
    "EXT": ("extension", "an extension or correction not in the paper, derived and checked for the toolkit"),
    "CODE": ("code convention", "a convention taken from the authors' public code"),
    "DEFAULT": ("toolkit default", "left unspecified by the paper; the toolkit's documented default"),
}

_BADGE_COLOURS = {"exact": "#2a7d4f", "approximate": "#8a6d1f", "bound": "#5b5b9a", "extension": "#9a3b3b"}


def labels(result) -> dict:
    """``{"status", "status_meaning", "regime", "regime_meaning", "badges"}`` of a result.

    The regime is ``"exact"`` for exact finite-size expectations (names ending in ``_finite``,
    summaries starting "Exact") and for results with no large-dimension limit (kernels,
    distances), ``"bound"`` for inequalities, and ``"approximate"`` for the forms of the
    proportional limit (those in terms of ``gamma`` or ``gamma_s``: exact as ``n, d -> oo`` with
    ``n/d -> gamma``, an approximation at finite size). ``badges`` lists the labels shown
    on the card, adding ``"extension"`` for results not in the paper.
    """
    summary = result.summary.lower()
    if "bound" in result.name.replace("boundary", ""):
        regime, meaning = "bound", "an inequality, not an equality"
    elif result.name.endswith("_finite") or summary.startswith("exact"):
        regime, meaning = "exact", "exact at finite size (no large-dimension limit taken)"
    elif {"gamma", "gamma_s"} & set(result.params) or "gamma" in summary or "asymptotic" in summary:
        regime, meaning = "approximate", "asymptotic: exact as n, d -> oo with n/d -> gamma; approximate at finite size"
    else:
        regime, meaning = "exact", "exact (no large-dimension limit taken)"
    short, status_meaning = STATUS_LABELS.get(result.status, (result.status, ""))
    badges = [regime] + (["extension"] if result.status == "EXT" else [])
    return {"status": short, "status_meaning": status_meaning, "regime": regime, "regime_meaning": meaning,
            "badges": badges}


def _tex_name(name: str) -> str:
    return r"\mathtt{" + name.replace("_", r"\_") + "}"


def signature_latex(result) -> str:
    """``\\mathtt{scratch\\_risk}(\\gamma, \\sigma, \\|\\beta_{t}\\|)``."""
    return _tex_name(result.name) + r"\left(" + ", ".join(PARAMS[p].latex for p in result.params) + r"\right)"


def latex_repr(result) -> str:
    """Display-math LaTeX of a result for Jupyter: ``$$name(params) = formula$$``.

    Formulas too wide for a page are written as in the formula sheet: a first line in named
    sub-expressions ``A_{k}`` followed by their definitions.
    """
    from ftheory.latex import formula_lines
    from ftheory.piecewise_text import param_domains

    main, defs = formula_lines(result.expr, domains=param_domains(result.domain))
    head = signature_latex(result) + " = "
    if not defs and "\\qquad" not in main:
        return f"$$\\displaystyle {head}{main[1:]}$$"
    rows = [head + "{}" + main] + [("\\text{where } " if k == 0 else "") + f"{name} &= {tex}"
                                   for k, (name, tex) in enumerate(defs)]
    return "$$\\begin{aligned}" + " \\\\\n".join(rows) + "\\end{aligned}$$"


def html_card(result, formula: bool = True) -> str:
    """A compact HTML card: name, labels, summary, the formula (typeset by the notebook's MathJax;
    ``formula=False`` leaves it out and does not import SymPy), parameters (domain, default,
    meaning), reference and what checks it."""
    lab = labels(result)
    esc = html.escape
    badges = "".join(
        f'<span title="{esc(lab["regime_meaning"] if b == lab["regime"] else lab["status_meaning"])}" '
        f'style="background:{_BADGE_COLOURS[b]};color:white;border-radius:3px;padding:0 5px;margin-left:4px;'
        f'font-size:0.8em">{esc(b)}</span>' for b in lab["badges"])
    rows = []
    for p in result.params:
        prm = PARAMS[p]
        default = "" if prm.default is None else f"{prm.default:g}"
        cells = [f"<code>{esc(p)}</code>", f"\\({esc(prm.latex)}\\)", esc(prm.domain), esc(default), esc(prm.description)]
        rows.append("<tr>" + "".join(f'<td style="padding:1px 8px 1px 0">{c}</td>' for c in cells) + "</tr>")
    constraints = (f"<div><b>constraints:</b> {esc(result.spec.constraints)}</div>"
                   if result.spec.constraints else "")
    checked = (f"<div><b>check against simulation:</b> <code>ftheory validate --result {esc(result.name)}</code> "
               f"(its twin: <code>ftheory show {esc(result.name)}</code>)</div>")
    return (
        '<div class="ftheory-result" style="border:1px solid #ccc;border-radius:6px;padding:8px 12px;'
        'max-width:760px;font-size:0.92em">'
        f'<div><b><code>{esc(result.name)}</code></b> <span style="color:#555" '
        f'title="{esc(lab["status_meaning"])}">[{esc(result.status)}]</span>{badges}</div>'
        f'<div style="margin:4px 0">{esc(result.summary)}</div>'
        f'<div style="overflow-x:auto">{esc(latex_repr(result)) if formula else ""}</div>'
        '<table style="border-collapse:collapse;margin:4px 0"><tr>'
        + "".join(f'<th style="text-align:left;padding-right:8px">{h}</th>'
                  for h in ("parameter", "", "domain", "default", "meaning")) + "</tr>" + "".join(rows) + "</table>"
        f"{constraints}<div><b>reference:</b> {esc(result.reference)}</div>{checked}"
        f'<div style="color:#666;font-size:0.85em">topic {esc(result.topic)}; '
        f'{esc(lab["regime_meaning"])}; the formula: <code>r.latex()</code>, <code>r.expr</code></div></div>')


_UNICODE_NAMES = {"gamma": "γ", "theta": "θ", "sigma": "σ", "lam": "λ", "gamma_s": "γₛ", "sigma_s": "σₛ",
                  "norm_s": "‖βₛ‖", "norm_t": "‖βₜ‖", "mu": "μ", "residual": "ρ", "ell": "ℓ", "depth": "L",
                  "norm_w": "‖w‖", "norm_v": "‖v‖"}


def unicode_names(params) -> dict:
    """``symbol name -> Unicode name`` (γ, θ, ‖βₜ‖ ...) of ``params`` for terminal output."""
    return {PARAMS[p].symbol.name: _UNICODE_NAMES[p] for p in params if p in _UNICODE_NAMES}


def piecewise_lines(expr, names: dict | None = None) -> list:
    """One line per Piecewise branch, ``"condition: expression"`` (``"otherwise: ..."`` last).

    A non-Piecewise expression gives one line. ``names`` maps symbol names to the names shown
    (see :func:`unicode_names`). Lines are linear text (``^`` powers, ``*`` products, ``√``,
    ``≤``, ``∧``) and are never wrapped, so each branch stays on one line.
    """
    import re

    import sympy as sp

    from ftheory.piecewise_text import linear_text

    def text(e):
        out = linear_text(e)
        if names:
            pattern = r"\b(" + "|".join(re.escape(k) for k in sorted(names, key=len, reverse=True)) + r")\b"
            out = re.sub(pattern, lambda m: names[m.group(1)], out)
        return out

    if not isinstance(expr, sp.Piecewise):
        return [text(expr)]
    return [f"{'otherwise' if cond is sp.true else text(cond)}: {text(value)}" for value, cond in expr.args]


def formula_text(result, width: int = 100) -> str:
    """The formula for a terminal: one ``condition: expression`` line per Piecewise branch (the
    condition under which that branch is taken, :mod:`ftheory.piecewise_text`); a
    non-Piecewise expression pretty-printed when it fits in ``width`` columns, else as one line
    in named sub-expressions followed by ``where A_1 = ...`` lines (as in the formula sheet)."""
    import sympy as sp

    expr = result.expr
    names = unicode_names(result.params)
    if not isinstance(expr, sp.Piecewise):
        shown = {PARAMS[p].symbol: sp.Symbol(names.get(PARAMS[p].symbol.name, PARAMS[p].symbol.name))
                 for p in result.params}
        pretty = sp.pretty(expr.xreplace(shown), use_unicode=True, wrap_line=False)
        if max(len(line) for line in pretty.splitlines()) <= width:
            return pretty
        from ftheory.latex import split_formula

        main, defs = split_formula(expr)
        if defs:  # too long for one line: the named sub-expressions of the formula sheet
            lines = piecewise_lines(main, names) + ["where"]
            return "\n".join(lines + [f"  {s.name} = {piecewise_lines(d, names)[0]}" for s, d in defs])
    if isinstance(expr, sp.Piecewise):  # each branch with the condition under which it is taken
        from ftheory.piecewise_text import branch_lines, param_domains

        return "\n".join(branch_lines(expr, lambda e: piecewise_lines(e, names)[0], param_domains(result.domain)))
    return "\n".join(piecewise_lines(expr, names))
