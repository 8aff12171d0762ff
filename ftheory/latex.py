"""LaTeX export of results and parsing back (round trip); the formula sheet is :mod:`ftheory.sheet`.

* :func:`to_latex` - one expression with the canonical parameter names (``\\gamma``,
  ``\\|\\beta_{t}\\|`` ...) and ``\\arccos``-style inverse trigonometric functions.
* :func:`result_block` - the LaTeX block of one result (:func:`ftheory.sheet.formula_sheet`
  assembles the compilable document).
* :func:`parse_latex` - the inverse of :func:`to_latex` built on SymPy's LaTeX parser (ANTLR
  backend). SymPy's parser does not read ``cases`` environments, norms or multi-letter
  subscripts, so this function splits the cases, replaces the canonical parameter names by
  placeholders, parses each piece with SymPy, and maps the placeholders back to the canonical
  symbols.
"""
from __future__ import annotations

import re

import sympy as sp

from ftheory.params import PARAMS

__all__ = ["to_latex", "parse_latex", "result_block", "tex_escape", "loaded_functions"]


def _symbol_names() -> dict:
    return {p.symbol: p.latex for p in PARAMS.values()}


def to_latex(expr, **options) -> str:
    """LaTeX of a SymPy expression in the canonical symbols."""
    opts = {"symbol_names": _symbol_names(), "inv_trig_style": "full"}
    opts.update(options)
    return sp.latex(expr, **opts)


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


def _parse_piece(text: str, back: dict, custom: dict):
    from sympy.parsing.latex import parse_latex as sympy_parse_latex

    text, functions = _rename_operatornames(text, custom)
    text = _prepare(text)
    ops = re.findall(r"\\wedge|\\vee", text)
    parsed = []
    for part in re.split(r"\\wedge|\\vee", text):
        expr = sympy_parse_latex(part.strip()).xreplace(back)
        expr = expr.replace(sp.Function("min"), sp.Min).replace(sp.Function("max"), sp.Max)
        for letter, cls in functions.items():
            expr = expr.replace(sp.Function(letter), cls)
        parsed.append(expr)
    if not ops:
        return parsed[0]
    if set(ops) == {r"\wedge"}:
        return sp.And(*parsed)
    if set(ops) == {r"\vee"}:
        return sp.Or(*parsed)
    raise ValueError("mixed \\wedge and \\vee are not supported")


def parse_latex(text: str, functions: dict | None = None):
    """Parse the LaTeX written by :func:`to_latex` back into a SymPy expression.

    ``functions`` maps ``\\operatorname`` names to SymPy Function classes (default: those of the theory
    modules already imported, :func:`loaded_functions`). Handles ``\\begin{cases} value & \\text{for}\\: condition \\\\ ... \\end{cases}`` (conditions
    joined by ``\\wedge`` or ``\\vee``), the canonical parameter names and ``\\infty``.
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
            cond = re.sub(r"^\\text\{for\}\\:\s*", "", cond)
            condition = _parse_piece(cond, back, custom)
        pieces.append((_parse_piece(value, back, custom), condition))
    return sp.Piecewise(*pieces)


# -- formula blocks (ftheory.sheet assembles the document) ------------------------------------

def tex_escape(text: str) -> str:
    """Escape LaTeX's special characters in plain text."""
    return (text.replace("\\", r"\textbackslash{}").replace("&", r"\&").replace("%", r"\%")
            .replace("_", r"\_").replace("#", r"\#").replace("$", r"\$").replace("^", r"\^{}")
            .replace("§", r"\S{}"))


def result_block(result) -> str:
    """LaTeX block for one result: name, status, reference, summary, and the formula."""
    return (f"\\subsection*{{\\texttt{{{tex_escape(result.name)}}} "
            f"[{tex_escape(result.status)}]}}\n"
            f"{tex_escape(result.summary)} \\emph{{{tex_escape(result.reference)}}}.\n"
            f"\\begin{{equation*}}\n{result.latex()}\n\\end{{equation*}}\n")
