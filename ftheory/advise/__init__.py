"""Will pretraining help on my data? An advisor that reads data, not parameters.

>>> import ftheory                              # doctest: +SKIP
>>> rep = ftheory.advise(X, y, source_pred=z)   # doctest: +SKIP
>>> rep.recommendation, rep.to_json()           # doctest: +SKIP

The package is callable: ``ftheory.advise(...)`` is :func:`ftheory.advise.report.advise`, and the dotted paths of the
docs (``ftheory.advise.estimators.estimate_parameters``, ``import ftheory.advise.report``) reach its modules. See
docs/advisor.md.
"""
import sys
import types

from ftheory.advise.estimators import Interval
from ftheory.advise.report import Report, advise

__all__ = ["Interval", "Report", "advise"]


class _CallableModule(types.ModuleType):
    """This package, callable as :func:`~ftheory.advise.report.advise` (the function it re-exports)."""

    def __call__(self, *args, **kwargs):
        return advise(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
__wrapped__ = advise            # inspect.signature(ftheory.advise) and help's call line: advise's
