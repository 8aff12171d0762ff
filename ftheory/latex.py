"""LaTeX export of results and parsing back (round trip); the formula sheet is :mod:`ftheory.sheet`.

* :func:`to_latex` - one expression with the canonical parameter names (``\\gamma``,
  ``\\|\\beta_{t}\\|`` ...) and ``\\arccos``-style inverse trigonometric functions.
* :func:`result_block` - the LaTeX block of one result (:func:`ftheory.sheet.formula_sheet`
  assembles the compilable document); formulas wider than the page are broken into lines and
  named sub-expressions (:func:`split_formula`).
* :func:`parse_latex` - the inverse of :func:`to_latex` built on SymPy's LaTeX parser (ANTLR
  backend). SymPy's parser does not read ``cases`` environments, norms or multi-letter
  subscripts, so this function splits the cases, replaces the canonical parameter names by
  placeholders, parses each piece with SymPy, and maps the placeholders back to the canonical
  symbols.
"""
from __future__ import annotations

import re

import sympy as sp
from sympy.printing.latex import LatexPrinter

from ftheory.params import PARAMS
from ftheory.piecewise_text import branch_rows, param_domains

__all__ = ["to_latex", "parse_latex", "result_block", "tex_escape", "loaded_functions", "split_formula",
           "join_formula", "formula_lines", "formula_environment", "formula_width"]


def _symbol_names() -> dict:
    return {p.symbol: p.latex for p in PARAMS.values()}


def to_latex(expr, domains=None, **options) -> str:
    """LaTeX of a SymPy expression in the canonical symbols. A Piecewise is a ``cases`` environment stating,
    as ``ftheory show`` does, the condition under which each case is taken within ``domains`` (``{symbol:
    set}``, :func:`ftheory.piecewise_text.param_domains`): ``value & \\text{if } condition`` rows
    (``\\text{otherwise}``: the rest of the domain), or, where those conditions are not cheap to simplify,
    the cases in order with ``\\text{else if }`` (:func:`ftheory.piecewise_text.branch_rows`)."""
    opts = {"symbol_names": _symbol_names(), "inv_trig_style": "full"}
    opts.update(options)
    return _CasesPrinter(opts, domains).doprint(expr)


class _CasesPrinter(LatexPrinter):
    def __init__(self, settings, domains):
        super().__init__(settings)
        self._domains = domains or {}

    def _print_Piecewise(self, expr):
        effective, rows = branch_rows(expr, self._domains)                  # as ftheory show writes them
        if effective and len(rows) == 1 and rows[0][0] is sp.true:
            return self._print(rows[0][1])                  # one case everywhere in the domain
        out = []
        for k, (c, v) in enumerate(rows):
            head = r"\text{otherwise}" if c is sp.true else \
                (r"\text{if } " if effective or k == 0 else r"\text{else if } ") + self._print(c)
            out.append(f"{self._print(v)} & {head}")
        return r"\begin{cases} " + r" \\ ".join(out) + r" \end{cases}"


# -- parsing back ----------------------------------------------------------------------------

_NORM_PLACEHOLDERS = {r"\|\beta_{t}\|": "r_{t}", r"\|\beta_{s}\|": "r_{s}", r"\|w\|": "r_{w}", r"\|v\|": "r_{v}"}


def _prepare(text: str) -> str:
    """Rewrite our LaTeX into the dialect SymPy's ANTLR grammar reads."""
    for name, placeholder in _NORM_PLACEHOLDERS.items():
        text = text.replace(name, placeholder)
    text = text.replace(r"\left|", "|").replace(r"\right|", "|")
    # A lone "d" followed by a symbol reads as a differential ("d sigma"): rename the dimension.
    text = re.sub(r"(?<![\\A-Za-z])d(?![A-Za-z])", r"\\delta_{d}", text)
    # The grammar reads "symbol (x)" as a function call: make products explicit.
    return re.sub(r"(?<=[\w}|])\s+\\left\(", r" \\cdot \\left(", text)


def loaded_functions() -> dict:
    """``name -> class`` for the SymPy Function subclasses of the theory modules imported so far
    (e.g. PositiveRoot); :func:`ftheory.symbolic.parse_latex` imports the theory first."""
    import sys

    found = {}
    for modname, module in sorted(sys.modules.items()):
        if modname.startswith("ftheory.theory.") and module is not None:
            for obj in vars(module).values():
                if isinstance(obj, type) and issubclass(obj, sp.Function) and obj.__module__ == modname:
                    found[obj.__name__] = obj
    return found


_FUNCTION_LETTERS = "FGHKMQUVWYZ"


def _rename_operatornames(text: str, custom: dict):
    """``\\operatorname{Name}`` of a custom function -> a single capital letter the grammar reads as f(x)."""
    names = sorted(set(re.findall(r"\\operatorname\{(\w+)\}", text)))
    unknown = [n for n in names if n not in custom]
    if unknown:
        raise ValueError(f"unknown function \\operatorname{{{unknown[0]}}}: import its theory module first "
                         "(ftheory.symbolic.parse_latex does)")
    table = {}
    for letter, name in zip(_FUNCTION_LETTERS, [n for n in names if n in custom]):
        text = text.replace(f"\\operatorname{{{name}}}", letter)
        table[letter] = custom[name]
    return text, table


def _back_map() -> dict:
    """Parsed symbol -> canonical symbol, found by parsing each parameter's own LaTeX."""
    from sympy.parsing.latex import parse_latex as sympy_parse_latex

    table = {sympy_parse_latex(_prepare(p.latex)): p.symbol for p in PARAMS.values()}
    table[sp.Symbol("e")] = sp.E  # SymPy prints exp(x) as e^{x}; no parameter is called e
    table[sp.Symbol("pi")] = sp.pi  # the grammar returns \\pi as a plain symbol
    return table


def _split_top(text: str, op: str) -> list:
    """``text`` split at the ``op`` tokens outside ``\\left ... \\right`` pairs."""
    parts, depth, start = [], 0, 0
    for m in re.finditer(r"\\left\b|\\right\b|" + re.escape(op) + r"\b", text):
        if m.group() == r"\left":
            depth += 1
        elif m.group() == r"\right":
            depth -= 1
        elif depth == 0:
            parts.append(text[start:m.start()])
            start = m.end()
    return parts + [text[start:]]


def _parse_condition(text: str, parse):
    """A condition: comparisons (each read by ``parse``) joined by ``\\vee``, ``\\wedge`` (binding tighter)
    and grouped by ``\\left( ... \\right)``."""
    text = text.strip()
    for op, join in ((r"\vee", sp.Or), (r"\wedge", sp.And)):
        parts = _split_top(text, op)
        if len(parts) > 1:
            return join(*[_parse_condition(p, parse) for p in parts])
    if text.startswith(r"\left(") and text.endswith(r"\right)") and _one_group(text):
        return _parse_condition(text[len(r"\left("):-len(r"\right)")], parse)
    return parse(text)


def _one_group(text: str) -> bool:
    """Whether the ``\\left`` opening ``text`` is closed by the ``\\right`` ending it."""
    depth = 0
    for m in re.finditer(r"\\left\b|\\right\b", text):
        depth += 1 if m.group() == r"\left" else -1
        if depth == 0:
            return m.end() == len(text) - 1                 # the closing delimiter is the last character
    return False


def _parse_piece(text: str, back: dict, custom: dict):
    from sympy.parsing.latex import parse_latex as sympy_parse_latex

    text, functions = _rename_operatornames(text, custom)

    def parse(part):
        expr = sympy_parse_latex(_prepare(part.strip())).xreplace(back)
        expr = expr.replace(sp.Function("min"), sp.Min).replace(sp.Function("max"), sp.Max)
        for letter, cls in functions.items():
            expr = expr.replace(sp.Function(letter), cls)
        return expr

    return _parse_condition(text, parse)


def parse_latex(text: str, functions: dict | None = None):
    """Parse the LaTeX written by :func:`to_latex` back into a SymPy expression.

    ``functions`` maps ``\\operatorname`` names to SymPy Function classes (default: those of the theory
    modules already imported, :func:`loaded_functions`). Handles ``\\begin{cases} value & \\text{if } condition
    \\\\ ... \\end{cases}`` (``\\text{else if }``, ``\\text{otherwise}``, and SymPy's ``\\text{for}\\:``; conditions
    of comparisons joined by ``\\wedge``, ``\\vee`` and parentheses), the canonical parameter names and ``\\infty``.
    """
    back = _back_map()
    custom = loaded_functions() if functions is None else functions
    text = text.strip()
    m = re.fullmatch(r"\\begin\{cases\}(.*)\\end\{cases\}", text, flags=re.S)
    if not m:
        return _parse_piece(text, back, custom)
    pieces = []
    for row in re.split(r"\\\\", m.group(1)):
        row = row.strip()
        if not row:
            continue
        value, _, cond = row.partition("&")
        cond = cond.strip()
        if cond == r"\text{otherwise}":
            condition = sp.true
        else:
            cond = re.sub(r"^\\text\{(?:for\}\\:|if \}|else if \})\s*", "", cond)
            condition = _parse_piece(cond, back, custom)
        pieces.append((_parse_piece(value, back, custom), condition))
    return sp.Piecewise(*pieces)


# -- formula blocks (ftheory.sheet assembles the document) ------------------------------------

#: plain-text characters that are not text in LaTeX, and what to write instead
_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "_": r"\_", "#": r"\#", "$": r"\$",
    "^": r"\textasciicircum{}", "~": r"\textasciitilde{}", "{": r"\{", "}": r"\}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}", "§": r"\S{}", "–": "--", "—": "---",
    "≤": r"$\le$", "≥": r"$\ge$", "≠": r"$\ne$", "→": r"$\to$", "∞": r"$\infty$", "±": r"$\pm$",
    "·": r"$\cdot$", "×": r"$\times$", "≈": r"$\approx$", "√": r"$\surd$", "‖": r"$\|$", "′": "'",
    "α": r"$\alpha$", "β": r"$\beta$", "γ": r"$\gamma$", "δ": r"$\delta$", "ε": r"$\varepsilon$",
    "θ": r"$\theta$", "κ": r"$\kappa$", "λ": r"$\lambda$", "μ": r"$\mu$", "ν": r"$\nu$", "ξ": r"$\xi$",
    "π": r"$\pi$", "ρ": r"$\rho$", "σ": r"$\sigma$", "τ": r"$\tau$", "φ": r"$\varphi$", "ω": r"$\omega$",
    "Σ": r"$\Sigma$", "Φ": r"$\Phi$", "Γ": r"$\Gamma$", "Δ": r"$\Delta$",
}


def _tex_escape(text: str) -> str:
    """Plain text -> LaTeX text (T1 encoding): specials escaped, Greek and math symbols in math mode.

    Characters outside ASCII and this table are left to LaTeX's UTF-8 input (accented letters).
    """
    return "".join(_TEXT_ESCAPES.get(ch, ch) for ch in text)


#: widest line, in the units of :func:`formula_width` (about one character of 10 pt math), that
#: fits the text width of the formula sheet (A4, 2 cm margins) with room to spare
LINE_WIDTH = 64
_SMALLEST = 12  # never name a subexpression narrower than this

_FUNCTION_WIDTH = {"acos": 6, "asin": 6, "atan": 6, "cos": 3, "sin": 3, "tan": 3, "log": 3, "exp": 1,
                   "Max": 3, "Min": 3, "Abs": 0}


_WIDTHS: dict = {}


def formula_width(expr) -> float:
    """Approximate printed width of ``expr`` in display math, in characters (fractions stack)."""
    width = _WIDTHS.get(expr)
    if width is None:
        if len(_WIDTHS) > 100_000:
            _WIDTHS.clear()
        width = _WIDTHS[expr] = _width(expr)
    return width


def _width(expr) -> float:
    if isinstance(expr, sp.Symbol):
        names = _symbol_names()
        name = names.get(expr, expr.name)
        return 3.0 if "\\|" in name else 1.0 + 0.6 * name.count("_")
    if isinstance(expr, sp.Integer):
        return float(len(str(abs(int(expr))))) + (1 if expr < 0 else 0)
    if isinstance(expr, sp.Rational):
        return float(max(len(str(abs(expr.p))), len(str(expr.q)))) + 1
    if expr.is_Number or expr.is_NumberSymbol or expr in (sp.oo, -sp.oo, sp.zoo):
        return float(min(len(str(expr)), 12))
    if isinstance(expr, sp.Add):
        return sum(formula_width(a) for a in expr.args) + 2.0 * (len(expr.args) - 1)
    if isinstance(expr, sp.Mul):
        num, den = sp.fraction(expr)
        if den != 1:
            return max(formula_width(num), formula_width(den)) + 1.0
        return sum(formula_width(a) + (2 if isinstance(a, sp.Add) else 0) for a in expr.args) \
            + 0.5 * (len(expr.args) - 1)
    if isinstance(expr, sp.Pow):
        base, exp = expr.args
        if exp == sp.S.Half:
            return formula_width(base) + 1.5
        if exp.is_negative:
            return formula_width(1 / expr) + 1.0
        wrap = 2 if isinstance(base, (sp.Add, sp.Mul, sp.Pow)) or base.is_Function else 0
        return formula_width(base) + wrap + 0.7 * formula_width(exp)
    if isinstance(expr, sp.Piecewise):
        return max(formula_width(v) + 4 + (0 if c is sp.true else formula_width(c)) for v, c in expr.args) + 2
    if isinstance(expr, (sp.core.relational.Relational, sp.And, sp.Or)):
        return sum(formula_width(a) for a in expr.args) + 2.0 * (len(expr.args) - 1)
    if isinstance(expr, sp.Integral):
        return formula_width(expr.function) + 6.0 + sum(formula_width(b) for lim in expr.limits for b in lim[1:])
    if isinstance(expr, sp.Function):
        name = type(expr).__name__
        return _FUNCTION_WIDTH.get(name, len(name)) + 2 + sum(formula_width(a) for a in expr.args) \
            + 1.0 * (len(expr.args) - 1)
    return float(sum(formula_width(a) for a in expr.args) + 2)


def _line_width(expr) -> float:
    """Width of the widest line ``expr`` needs: a sum may be broken between its terms."""
    if isinstance(expr, sp.Add):
        return max(formula_width(a) for a in expr.args) + 2.0
    return formula_width(expr)


def _candidates(expr):
    """Proper subexpressions worth naming: not atoms, not conditions."""
    for sub in sp.preorder_traversal(expr):
        if sub is expr or sub.is_Atom or isinstance(sub, (sp.core.relational.Relational, sp.logic.boolalg.Boolean)):
            continue
        if isinstance(sub, sp.Tuple):  # integration limits
            continue
        yield sub


def split_formula(expr, width: float = LINE_WIDTH):
    """Break a formula too wide for a page into a main expression and named sub-expressions.

    Returns ``(main, definitions)`` with ``definitions`` a list of ``(symbol, expression)``
    (symbols ``A_{1}, A_{2}, ...``): substituting them back, last first, gives ``expr`` again.
    Repeatedly names the subexpression of the widest line that fits on a line and saves most
    width (its width times its number of occurrences). A sum is allowed to break between terms.
    """
    main, defs = expr, []
    for k in range(1, 100):
        items = [main] + [d for _, d in defs]
        widths = [_line_width(e) for e in items]
        widest = max(range(len(items)), key=widths.__getitem__)
        if widths[widest] <= width:
            break
        target = items[widest]
        counts = {}
        for item in items:
            for sub in _candidates(item):
                counts[sub] = counts.get(sub, 0) + 1
        subs = [s for s in dict.fromkeys(_candidates(target)) if formula_width(s) >= _SMALLEST]  # preorder: deterministic
        fitting = [s for s in subs if formula_width(s) <= width]
        if not subs:
            break
        pick = max(fitting, key=lambda s: formula_width(s) * counts[s]) if fitting else max(subs, key=formula_width)
        name = sp.Symbol(f"A_{k}")
        main = _substitute(main, {pick: name})
        defs = [(n, _substitute(d, {pick: name})) for n, d in defs] + [(name, pick)]
    return _renumber(main, defs)


def _renumber(main, defs):
    """Number the definitions so that each uses only earlier ones (A_1 uses parameters only)."""
    pending, order = dict(defs), []
    while pending:
        ready = [n for n, d in pending.items() if not (d.free_symbols & set(pending))]
        order.append(ready[0])
        del pending[ready[0]]
    table = {old: sp.Symbol(f"A_{k}") for k, old in enumerate(order, 1)}
    values = dict(defs)
    return _substitute(main, table), [(table[old], _substitute(values[old], table)) for old in order]


def _substitute(expr, table: dict):
    """``expr`` with the subtrees in ``table`` replaced, nothing re-evaluated (fast and exact)."""
    if expr in table:
        return table[expr]
    if expr.is_Atom or not expr.args:
        return expr
    args = tuple(_substitute(a, table) for a in expr.args)
    if args == expr.args:
        return expr
    if isinstance(expr, (sp.Add, sp.Mul, sp.Pow, sp.Max, sp.Min)):
        return expr.func(*args, evaluate=False)
    return expr.func(*args)


def join_formula(main, definitions):
    """Inverse of :func:`split_formula`: substitute the named sub-expressions back."""
    for name, value in reversed(definitions):
        main = _substitute(main, {name: value})
    return main


def _term_lines(expr, names, width=LINE_WIDTH, domains=None) -> list:
    """LaTeX lines of ``expr``: a sum wider than ``width`` is cut between terms."""
    if not isinstance(expr, sp.Add) or formula_width(expr) <= width:
        return [to_latex(expr, domains, symbol_names=names)]
    lines, chunk, used = [], [], 0.0
    for term in expr.as_ordered_terms():
        w = formula_width(term) + 2
        if chunk and used + w > width:
            lines.append(chunk)
            chunk, used = [], 0.0
        chunk.append(term)
        used += w
    lines.append(chunk)
    out = []
    for k, chunk in enumerate(lines):
        tex = to_latex(sp.Add(*chunk, evaluate=False), domains, symbol_names=names, order="none")
        out.append(tex if k == 0 or tex.lstrip().startswith("-") else "+ " + tex)
    return out


def formula_lines(expr, width: float = LINE_WIDTH, domains=None):
    """``(main, definitions)``: LaTeX of ``expr`` cut to lines of at most ``width`` (see
    :func:`split_formula`; Piecewise cases with their conditions within ``domains``, :func:`to_latex`).
    ``main`` is one string whose lines are separated by ``\\\\`` (aligned at ``&``); ``definitions`` is
    a list of ``(name, latex)``, name like ``A_{1}``."""
    main, defs = split_formula(expr, width)
    names = {**_symbol_names(), **{s: f"A_{{{s.name[2:]}}}" for s, _ in defs}}
    rows = _term_lines(main, names, width, domains)
    text = " \\\\\n&\\qquad ".join(rows)
    return "&" + text, [(names[s], " \\\\\n&\\qquad ".join(_term_lines(v, names, width, domains))) for s, v in defs]


def formula_environment(expr, width: float = LINE_WIDTH, domains=None) -> str:
    """A display environment for the sheet: ``equation*`` when ``expr`` fits, else ``align*``
    with the formula on broken lines and ``where A_{1} = ...`` below it (``domains``: :func:`formula_lines`)."""
    main, defs = formula_lines(expr, width, domains)
    if not defs and "\\qquad" not in main:
        return f"\\begin{{equation*}}\n{main[1:]}\n\\end{{equation*}}\n"
    rows = [main] + (["\\intertext{where}"] if defs else []) + [f"{name} &= {tex}" for name, tex in defs]
    body = " \\\\\n".join(rows[:1]) + ("\n" + rows[1] + "\n" if defs else "\n") + " \\\\\n".join(rows[2:])
    return f"\\begin{{align*}}\n{body.rstrip()}\n\\end{{align*}}\n"


def result_block(result) -> str:
    """LaTeX block for one result: name, status, reference, summary, and the formula (broken into
    lines and named sub-expressions when it is wider than the page)."""
    return (f"\\subsection*{{\\texttt{{{_tex_escape(result.name)}}} "
            f"[{_tex_escape(result.status)}]}}\n"
            f"{_tex_escape(result.summary)} \\emph{{{_tex_escape(result.reference)}}}.\n"
            + formula_environment(result.expr, domains=param_domains(result.domain)))


tex_escape = _tex_escape
