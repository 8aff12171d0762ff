"""Monte Carlo plumbing shared by every simulator: seeds, estimates and BLAS thread control.

This package imports nothing else of ftheory, so :mod:`ftheory.simulate`, :mod:`ftheory.relu` and
:mod:`ftheory.similarity` can all use it without importing each other.
"""
from ftheory.mc.estimate import MCEstimate
from ftheory.mc.seeds import as_generator, check_seed, int_seed, spawn_seeds
from ftheory.mc.threads import blas_threads, single_blas_thread

__all__ = ["MCEstimate", "as_generator", "blas_threads", "check_seed", "int_seed", "single_blas_thread", "spawn_seeds"]
