"""Regenerate every generated file: ``python -m ftheory.generate [--check]``.

Runs, in order, the three generators a new or changed result needs:

1. :mod:`ftheory.codegen` - NumPy/mpmath evaluators, ``ftheory/_generated/evaluators.py``;
2. :mod:`ftheory.docgen` - the results page, ``docs/theory.md`` (reads the fresh evaluators);
3. :mod:`ftheory.explore.jsgen` - the explorer's JavaScript evaluators,
   ``ftheory/explore/assets/evaluators.js``.

With ``--check`` nothing is written and the exit status is 1 when any file is stale.
"""
from __future__ import annotations

import argparse
import importlib
import sys

GENERATORS = ("ftheory.codegen", "ftheory.docgen", "ftheory.explore.jsgen")


def main(argv=None) -> int:
    """Run every generator (``--check``: report only); exit status 1 when any is stale."""
    parser = argparse.ArgumentParser(prog="python -m ftheory.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if any generated file is stale")
    ns = parser.parse_args(argv)
    status = 0
    for name in GENERATORS:
        module = importlib.import_module(name)
        if name == "ftheory.docgen" and not ns.check:
            _reload_registry()  # docs/theory.md reads the evaluators codegen has just written
        status |= module.main(["--check"] if ns.check else [])
    return status


def _reload_registry():
    from ftheory import registry
    from ftheory._generated import evaluators

    importlib.reload(evaluators)
    registry._REGISTRY = None


if __name__ == "__main__":
    sys.exit(main())
