"""The theory, one module per part of THEORY.md. Importing this package registers every result.

Each module derives its closed forms with SymPy from the primitives in :mod:`ftheory.rmt`
(THEORY.md §0.5) and declares them with :func:`ftheory.result.register`.
"""
from ftheory.theory import scratch  # noqa: F401
