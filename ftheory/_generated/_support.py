"""Runtime helpers of the generated evaluators (NumPy only; no SymPy)."""
import numpy


def broadcast_float(*args):
    """Broadcast the arguments against each other as float64 arrays (read-only views)."""
    return numpy.broadcast_arrays(*(numpy.asarray(a, dtype=float) for a in args))


def finish(out):
    """Return a NumPy scalar for 0-d results, the array otherwise."""
    return out[()] if out.ndim == 0 else out
