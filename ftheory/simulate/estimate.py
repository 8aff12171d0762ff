"""Compatibility alias: :class:`MCEstimate` lives in :mod:`ftheory.mc.estimate`."""
from ftheory.mc.estimate import MCEstimate  # noqa: F401
