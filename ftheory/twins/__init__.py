"""Twin registry: every registered result paired with the simulation that checks it, or a reason.

``tests/test_twins.py`` and ``ftheory validate`` iterate over :func:`twins`; a registered result
with neither a twin nor a :class:`Reason` fails ``tests/test_twins.py``. This package sits above
both :mod:`ftheory.theory` and :mod:`ftheory.simulate` and imports neither at import time
(simulators are dotted paths, resolved when a comparison runs).

Examples
--------
>>> from ftheory import twins
>>> [t.oracle for t in twins.twins("scratch_risk")]
['scratch_risk_finite']
"""
from ftheory.twins._core import (LIMIT_RTOL, ROUNDING, Z_MAX, C, Comparison, F, I, Reason, Twin, checked_by,  # noqa
                                 compare, declare, reasons, resolve, sample_point, seed_for, twins, uncovered)
from ftheory.twins import aniso, finetune, linear, relu, similarity  # noqa: F401,E402  (the tables)

__all__ = ["Twin", "Reason", "Comparison", "F", "I", "C", "checked_by", "compare", "declare", "reasons", "resolve",
           "sample_point", "seed_for", "twins", "uncovered", "Z_MAX", "ROUNDING", "LIMIT_RTOL"]
