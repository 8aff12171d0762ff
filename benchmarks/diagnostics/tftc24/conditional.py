"""tftc24's T_ft band below n = d given the estimated noise fraction, as measured there: the window of
:func:`ftheory.advise.conditional.conditional_window` cut at the exact order statistics (``interpolate=False``, at
most ``alpha`` per side; ftheory cuts at the interpolated ones since weib25). ``order_ends`` is looked up at call
time, so ``weibull.py`` can swap it."""
from __future__ import annotations

from ftheory.advise import conditional as _c

__all__ = ["conditional_ends", "order_ends"]


def order_ends(x, alpha):
    """The ``j``-th smallest and largest, ``j = floor(alpha (k + 1))`` (:func:`ftheory.advise.conditional.order_ends`)."""
    return _c.order_ends(x, alpha, interpolate=False)


def conditional_ends(t, fh, f0, alpha, k):
    """:func:`order_ends` of :func:`ftheory.advise.conditional.conditional_window`."""
    return order_ends(_c.conditional_window(t, fh, f0, k), alpha)
