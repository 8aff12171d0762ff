"""A compilable LaTeX formula sheet of every registered result, grouped by topic."""
from __future__ import annotations

from ftheory.latex import result_block, tex_escape
from ftheory.registry import results as all_results

__all__ = ["formula_sheet"]

_PREAMBLE = r"""\documentclass[10pt]{article}
\usepackage[T1]{fontenc}
\usepackage{lmodern}
\usepackage[margin=2cm]{geometry}
\usepackage{amsmath,amssymb}
\allowdisplaybreaks
\sloppy
\title{ftheory formula sheet}
\author{Generated from the symbolic results of \texttt{ftheory}}
\date{}
\begin{document}
\maketitle
\noindent Theory of transfer learning in high-dimensional regression (Tahir, Ganguli \& Rotskoff,
arXiv:2410.08194). Risks are excess risks $\|\hat\beta-\beta_t\|^2$; angles in radians.
Status labels: [PAPER] result of the paper; [PAPER*] corrected form; [EXT] toolkit extension;
[CODE] authors' code convention; [DEFAULT] toolkit default. Sections refer to docs/background.md.
Formulas wider than the page are written with named sub-expressions $A_{1}, A_{2}, \ldots$,
each defined from the parameters and the earlier ones.
"""


def formula_sheet(results=None) -> str:
    """A complete, compilable LaTeX document with every registered result (or ``results``), by topic."""
    results = all_results() if results is None else results
    body = [_PREAMBLE]
    topic = None
    for r in results:
        if r.topic != topic:
            topic = r.topic
            body.append(f"\\section*{{{tex_escape(topic.replace('_', ' ').capitalize())}}}\n")
        body.append(result_block(r))
    body.append("\\end{document}\n")
    return "\n".join(body)
