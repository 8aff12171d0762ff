"""Runtime helpers of the generated evaluators (NumPy only; no SymPy)."""
import numpy

#: arrays smaller than this are not worth scanning for constant axes
_SQUEEZE_MIN_SIZE = 4096


def broadcast_float(*args):
    """Broadcast the arguments against each other as float64 arrays (read-only views)."""
    return numpy.broadcast_arrays(*(numpy.asarray(a, dtype=float) for a in args))


def squeeze_grid(*args):
    """Collapse axes along which an input is constant (a meshgrid becomes an open grid).

    Returns ``(arrays, shape)``: the reduced inputs and the full broadcast shape of the originals.
    Evaluating on the reduced inputs and broadcasting back gives the same numbers, at the cost of
    the open grid (the separable evaluators then only touch each 1-D piece once).
    """
    arrays = [numpy.asarray(a, dtype=float) for a in args]
    shape = numpy.broadcast_shapes(*(a.shape for a in arrays))
    out = []
    for a in arrays:
        if a.ndim >= 2 and a.size >= _SQUEEZE_MIN_SIZE:
            for axis in range(a.ndim):
                if a.shape[axis] > 1:
                    first = a.take([0], axis=axis)
                    if numpy.array_equal(a, numpy.broadcast_to(first, a.shape)):
                        a = first
        out.append(a)
    return out, shape


def finish(out, shape=None):
    """Broadcast back to ``shape`` (a fresh array), and return a NumPy scalar for 0-d results."""
    out = numpy.asarray(out)
    if shape is not None and out.shape != tuple(shape):
        out = numpy.broadcast_to(out, shape).copy()
    return out[()] if out.ndim == 0 else out
