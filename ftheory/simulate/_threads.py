"""Compatibility alias: BLAS thread control lives in :mod:`ftheory.mc.threads`."""
from ftheory.mc.threads import blas_threads, single_blas_thread  # noqa: F401
