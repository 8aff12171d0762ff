"""Which figure of the paper each ``ftheory reproduce`` figure corresponds to (docs/background.md §11.3).

Kept free of heavy imports so that ``ftheory reproduce --help`` and the index page can use it.
Panels that the paper does not have are marked as extensions ([EXT]).
"""
from __future__ import annotations

# figure id -> where it is in the paper (arXiv v2 numbering), and what the toolkit adds
PAPER = {
    "scratch-dd": "the paper's scratch-risk curve (its panel number is not identified); the sigma = 0 "
                  "panel is the scratch curve of Fig. 7; exact finite-size mean: [EXT]",
    "lt-phase": "Fig. 1 (linear transfer, sigma = 0.2); exact finite-size slices: [EXT]",
    "lt-phase-noiseless": "Fig. 7 (noiseless case, Appendix G): linear-transfer panels",
    "ft-phase": "Fig. 2 (fine-tuning), which the paper draws at sigma = 0; drawn here at sigma = 0.2 with "
                "the gradient-flow correction [EXT]",
    "ft-phase-noiseless": "Fig. 2 and the fine-tuning panels of Fig. 7 (sigma = 0)",
    "lt-ridge": "the paper's ridge read-out panel (Theorem 3.8; its figure number is not identified); "
                "exact finite-n curves: [EXT]",
    "tuned-baseline": "Fig. 5 (tuned scratch baseline); its theory curve and boundary: [EXT]",
    "finite-source": "Fig. 6 (probable numbering; finite source, Appendix C); linear-transfer theory: [EXT]",
    "similarity": "Fig. 4 (Appendix A): panel (a) = Fig. 4(a), panel (c) = Fig. 4(b); "
                  "panels (b) and (d): [EXT]",
    "relu-phase": "Fig. 3(e) (ReLU transferability over (mu, n) with the predicted boundary)",
    "relu-powerlaw": "Fig. 3, the scratch power-law panel (its letter is uncertain)",
    "relu-gram": "Fig. 3(a-b) (Gram matrices)",
    "relu-projection": "Fig. 3(d) (target outside the source feature space)",
    "aniso-phase": "not in the paper [EXT]: transfer under anisotropic input covariance (docs/aniso.md)",
}


def paper_figure(fid: str) -> str:
    """Where figure ``fid`` is in the paper, or a plain statement that this is not recorded."""
    return PAPER.get(fid, "not catalogued (see docs/background.md §11.3)")
