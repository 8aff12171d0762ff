"""Interactive explorer: one self-contained HTML page generated from the registered results.

``ftheory explore --out explorer.html [--data STORE_DIR]`` (or :func:`ftheory.explore.page.write_page`)
writes a page whose widgets are computed by JavaScript generated from the SymPy expressions of the
registry (:mod:`ftheory.explore.jsgen`), with optional simulation points from sweep stores
(:mod:`ftheory.explore.data`). See docs/explorer.md.

Modules: :mod:`~ftheory.explore.jsgen` (SymPy -> JavaScript, ``python -m ftheory.explore.jsgen``),
:mod:`~ftheory.explore.page` (page assembly), :mod:`~ftheory.explore.data` (sweep records),
:mod:`~ftheory.explore.relu` (ReLU residual curves and the power-law fit of a ``reproduce`` folder),
:mod:`~ftheory.explore.browser` (headless Chromium for tests), :mod:`~ftheory.explore.screenshots`
(``python -m ftheory.explore.screenshots`` for the documentation). Static parts: ``assets/``.
"""
