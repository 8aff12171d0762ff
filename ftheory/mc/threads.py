"""Single-threaded BLAS inside the simulators.

The simulators parallelise over instances and grid points, and their linear algebra works on
many small matrices. On a 2-core machine, multi-threaded OpenBLAS on such problems was measured
20-60x *slower* than one thread (a batch of 40 least-squares problems of size 300 x 200: 22 s
against 0.35 s under load), and process pools multiply the oversubscription. Every public
simulator therefore runs with one BLAS thread (via threadpoolctl), unless the environment
variable ``FTHEORY_BLAS_THREADS`` asks for more.
"""
from __future__ import annotations

import functools
import os
import threading

_STATE = threading.local()      # nesting depth: only the outermost call sets the limit
_CONTROLLER = []                # one cached threadpoolctl controller (library discovery costs ~5 ms)


def blas_threads() -> int:
    """Threads the simulators let BLAS use (``FTHEORY_BLAS_THREADS``, default 1)."""
    try:
        return max(1, int(os.environ.get("FTHEORY_BLAS_THREADS", "1")))
    except ValueError:
        return 1


def single_blas_thread(fn):
    """Decorator: run ``fn`` with BLAS limited to :func:`blas_threads` threads."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        depth = getattr(_STATE, "depth", 0)
        if depth:
            return fn(*args, **kwargs)
        if not _CONTROLLER:
            import scipy.linalg  # noqa: F401  (load SciPy's own BLAS first, so that the controller sees it)
            from threadpoolctl import ThreadpoolController

            _CONTROLLER.append(ThreadpoolController())
        _STATE.depth = 1
        try:
            with _CONTROLLER[0].limit(limits=blas_threads(), user_api="blas"):
                return fn(*args, **kwargs)
        finally:
            _STATE.depth = 0

    return wrapper
