"""The formula sheet: prose escaped for LaTeX, long formulas broken exactly, and a real pdflatex run
that finishes without errors, missing characters or overfull boxes."""
import shutil
import subprocess

import numpy as np
import pytest
import sympy as sp

import ftheory
from ftheory.sheet import formula_sheet
from ftheory.latex import (LINE_WIDTH, _line_width, _tex_escape, formula_environment, join_formula,
                           split_formula)


def test_prose_escape_has_no_raw_specials():
    text = "gamma* < 1, sigma >= |beta_t| and ||beta_s||^2 ~ 50% & #1 {x} $y$ \\ § θ ≤ ∞ — end"
    out = _tex_escape(text)
    # outside math mode no character that OT1/T1 text would misprint or that LaTeX treats specially
    outside = "".join(part for k, part in enumerate(out.split("$")) if k % 2 == 0)
    for ch in "<>|^~%#&{}":
        assert ch not in outside.replace("\\%", "").replace("\\#", "").replace("\\&", "").replace("\\{", "") \
            .replace("\\}", "").replace("{}", ""), ch
    assert r"\textless{}" in out and r"\textgreater{}" in out and r"\textbar{}" in out
    assert r"$\theta$" in out and r"$\le$" in out and r"\S{}" in out
    assert not any(ord(c) > 127 for c in out)


@pytest.mark.parametrize("name", ["wasserstein2_task", "scratch_ridge_risk", "linear_transfer_risk_finite",
                                  "finetune_break_even_theta_gf", "scratch_risk"])
def test_split_formula_is_exact_and_fits(name):
    expr = ftheory.get(name).expr
    main, defs = split_formula(expr)
    assert join_formula(main, defs) == expr  # structurally the same expression
    for e in [main] + [d for _, d in defs]:
        assert _line_width(e) <= LINE_WIDTH
    if name == "scratch_risk":
        assert defs == []  # short formulas are left alone


def test_split_formula_numerically_same():
    r = ftheory.get("wasserstein2_task")
    main, defs = split_formula(r.expr)
    syms = [r.symbols[p] for p in r.params]
    rng = np.random.default_rng(0)
    for _ in range(5):
        vals = {s: sp.Float(v, 30) for s, v in zip(syms, rng.uniform(0.1, 2.0, len(syms)))}
        sub = {name: None for name, _ in defs}
        for name, d in defs:  # definitions only use earlier ones
            sub[name] = d.xreplace(vals).xreplace({k: v for k, v in sub.items() if v is not None}).evalf(30)
        got = main.xreplace(vals).xreplace(sub).evalf(30)
        want = r.mp(dps=25, **{p: float(vals[s]) for p, s in zip(r.params, syms)})
        assert abs(float(got) - float(want)) <= 1e-20 * max(1.0, abs(float(want)))


def test_short_formula_is_one_equation():
    env = formula_environment(ftheory.get("scratch_risk").expr)
    assert env.startswith("\\begin{equation*}") and "A_{1}" not in env


@pytest.mark.slow
def test_sheet_compiles_cleanly_with_pdflatex(tmp_path):
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed (apt-get install texlive-latex-base lmodern)")
    tex = tmp_path / "sheet.tex"
    tex.write_text(formula_sheet())
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name], cwd=tmp_path,
                          capture_output=True, text=True, timeout=240)
    log = (tmp_path / "sheet.log").read_text(errors="replace")
    assert proc.returncode == 0, log[-3000:]
    assert "\n!" not in log and "Overfull \\hbox" not in log and "Missing character" not in log, \
        [line for line in log.splitlines() if "Overfull" in line or line.startswith("!") or "Missing" in line]
    assert (tmp_path / "sheet.pdf").stat().st_size > 10_000
    # the prose shows its symbols: no "<", ">", "|" left to the text font
    body = tex.read_text().split("\\begin{document}")[1]
    lines = body.splitlines()
    prose = [lines[k + 1] for k, line in enumerate(lines) if line.startswith("\\subsection*")]
    assert len(prose) == len(ftheory.results())
    assert not any(c in line for line in prose for c in "<>|")
