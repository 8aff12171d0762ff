"""A wall-clock limit for long symbolic work (``ftheory limit`` / ``ftheory series``).

SymPy cannot be interrupted cooperatively; on POSIX, in the main thread, ``SIGALRM`` raises inside
the computation and :func:`time_box` turns it into the caller's error. Elsewhere (Windows, worker
threads) the block runs without a limit.
"""
from __future__ import annotations

import contextlib
import signal
import threading

__all__ = ["time_box"]


class _Expired(BaseException):
    """Raised by the alarm; a BaseException so that SymPy's ``except Exception`` blocks let it through."""


@contextlib.contextmanager
def time_box(seconds, error):
    """Run the block for at most ``seconds`` (None: no limit), then raise ``error()``."""
    usable = (seconds is not None and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def expire(signum, frame):
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))
    try:
        yield
    except _Expired:
        raise error() from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
