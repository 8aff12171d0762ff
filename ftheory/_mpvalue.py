"""An mpmath number that shows the digits it was computed to (what :meth:`Result.mp` returns).

``mpmath.mpf`` prints with the *global* precision (15 digits unless changed), so a 50-digit result
would print as ``mpf('4.0e+18')``. :class:`MpValue` is an ``mpf`` (arithmetic, ``float()``,
comparisons and mpmath functions work unchanged and return plain ``mpf``) whose ``repr`` and
``str`` show the ``dps`` significant digits it carries.
"""
from __future__ import annotations

import mpmath

__all__ = ["MpValue"]


class MpValue(mpmath.mpf):
    """``mpf`` that remembers its number of significant digits ``dps`` for display."""

    def __new__(cls, value, dps: int):
        with mpmath.workdps(int(dps)):  # rounds ``value`` to ``dps`` digits
            obj = mpmath.mpf.__new__(cls, value)
        obj.dps = int(dps)
        return obj

    def __str__(self):
        return mpmath.nstr(self, self.dps, min_fixed=-4, max_fixed=self.dps)

    def __repr__(self):
        return f"mpf('{mpmath.nstr(self, self.dps, strip_zeros=False, min_fixed=1, max_fixed=0)}')"

    def __reduce__(self):
        return (MpValue, (mpmath.nstr(self, self.dps + 5, strip_zeros=False), self.dps))
