"""``python -m ftheory``: the ``ftheory`` command (:func:`ftheory.cli.main`, the console script of pyproject.toml)."""
import sys

from ftheory.cli import main

sys.exit(main())
