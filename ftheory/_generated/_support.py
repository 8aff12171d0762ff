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


def quad(f, a, b):
    """``scipy.integrate.quad`` to 1e-13 relative, or ``ValueError`` when float64 cannot reach 1e-12.

    The exact finite-n ridge risks are one-dimensional integrals; at extreme parameters (huge ``n``,
    vanishing penalties) the integrand is a spike that adaptive quadrature cannot resolve in float64.
    Any quadrature warning, or an error estimate above 1e-12 of the value, raises instead of
    returning a number with unknown digits.
    """
    import warnings

    import scipy.integrate

    with warnings.catch_warnings():
        warnings.simplefilter("error", scipy.integrate.IntegrationWarning)
        try:
            value, error = scipy.integrate.quad(f, a, b, epsabs=0.0, epsrel=1e-13, limit=200)
        except scipy.integrate.IntegrationWarning as exc:
            raise ValueError("float64 cannot evaluate there: the quadrature of the exact risk does not converge "
                             f"({str(exc).splitlines()[0]}); use .mp(...)") from None
    if not error <= 1e-12 * abs(value):
        raise ValueError(f"float64 cannot evaluate there: the quadrature's error estimate {error:.2g} exceeds "
                         f"1e-12 of its value {value:.6g}; use .mp(...)")
    return value
