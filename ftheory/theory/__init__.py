"""The theory, one module per part of docs/background.md. Importing this package registers every result.

Each module derives its closed forms with SymPy from the primitives in :mod:`ftheory.rmt`
(docs/background.md §0.5) and declares them with :func:`ftheory.result.register`. Every public module of
this package is imported here (in name order), so adding a topic is adding a file.
"""
import importlib
import pkgutil

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if not _info.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_info.name}")
