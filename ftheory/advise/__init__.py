"""Will pretraining help on my data? An advisor that reads data, not parameters.

>>> from ftheory.advise import advise          # doctest: +SKIP
>>> rep = advise(X, y, source_pred=z)           # doctest: +SKIP
>>> rep.recommendation, rep.to_json()           # doctest: +SKIP

See docs/advisor.md.
"""
from ftheory.advise.estimators import Interval
from ftheory.advise.report import Report, advise

__all__ = ["Interval", "Report", "advise"]
