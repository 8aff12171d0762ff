"""ftheory: the theory of transfer learning in high-dimensional regression, exact and fast.

Reference implementation of J. Tahir, S. Ganguli, G. M. Rotskoff, *Features are fate: a theory
of transfer learning in high-dimensional regression* (arXiv:2410.08194, ICML 2025), with the
theory reference docs/background.md.

>>> import ftheory
>>> r = ftheory.get("scratch_risk")
>>> float(r(gamma=0.5, sigma=0.2))
0.54
"""
from ftheory.params import PARAMS, Param, get_param
from ftheory.registry import get, results
from ftheory.result import Result
import ftheory.advise as advise  # the package, callable as ftheory.advise(X, y, ...)

__version__ = "0.1.0"

__all__ = ["PARAMS", "Param", "Result", "advise", "get", "get_param", "results", "__version__"]
