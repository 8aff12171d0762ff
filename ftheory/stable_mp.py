"""Hand-derived mpmath references for results whose SymPy expression cancels beyond any fixed precision.

:mod:`ftheory.codegen` routes the mpmath evaluator (``Result.mp``) of the results listed in
:data:`ftheory.codegen.MP_STABLE` to the functions here. Each is the stable form of :mod:`ftheory.stable`
evaluated in mpmath, with the working precision raised by a *proved* bound on the digits its one
remaining subtraction can lose, so that a zero is returned only where the value is exactly zero.
``derivations/stable_forms.py`` proves the identities; ``tests/test_codegen.py`` checks each function
against the registered SymPy expression evaluated by SymPy's own adaptive arithmetic.

``wasserstein2_task``
    The closed form (the trigonometric solution of a cubic) divides by ``p = e2 - e1^2/3``, which
    vanishes when two eigenvalues of ``S_s S_t`` nearly coincide (tiny or nearly equal teachers), and
    subtracts traces of order 1 to leave ``W2^2`` (``W2 = 1e-128`` needs 256 digits more than the result): a
    division by zero at ``norm_s = 3.8e-160``, ``norm_t = 1.6e-264``, ``sigma = sigma_s = 1``, ``theta = 0``
    even at 360 digits. The stable form ``W2^2 = dist - 2 x`` (module docstring of
    :mod:`ftheory.stable`) has no division that vanishes, and ``dist = Delta^2 + (sigma - sigma_s)^2`` is a
    sum of squares, zero exactly when the two laws coincide (then ``W2 = 0``, exactly). Otherwise
    ``W2 >= W1 >= LB``, the registered lower bound ``wasserstein1_lower_bound`` (positive whenever the laws
    differ, computed here without cancellation), so ``dist - 2 x`` loses at most ``log2(dist/LB^2)`` bits:
    the iteration runs with that many more.
"""
from __future__ import annotations

import mpmath

__all__ = ["wasserstein2_task", "w1_lower_bound_sq"]

#: guard bits on top of the proved loss of the subtraction ``dist - 2 x``
_GUARD = 32
#: largest number of extra bits (so that nothing hangs: the iteration costs ~ bits/3 square roots)
_MAX_EXTRA_BITS = 20000


def w1_lower_bound_sq(theta, sigma, sigma_s, norm_s, norm_t):
    """``(LB/sqrt(2/pi))^2`` of ``wasserstein1_lower_bound`` (mpmath, differences of squares before roots)."""
    gap_sq = (norm_s - norm_t) ** 2 + 4 * norm_s * norm_t * mpmath.sin(theta / 2) ** 2
    to_t = mpmath.sqrt(gap_sq + sigma ** 2)       # E_{p_t} of the test function fitted to the source
    to_s = mpmath.sqrt(gap_sq + sigma_s ** 2)
    via_s = via_t = mpmath.mpf(0)
    if to_t + sigma_s > 0:
        via_s = (gap_sq + (sigma - sigma_s) * (sigma + sigma_s)) / (to_t + sigma_s) / mpmath.sqrt(1 + norm_s ** 2)
    if to_s + sigma > 0:
        via_t = (gap_sq + (sigma_s - sigma) * (sigma_s + sigma)) / (to_s + sigma) / mpmath.sqrt(1 + norm_t ** 2)
    best = max(via_s, via_t, mpmath.mpf(0))
    return best * best


def _root_gap(a, z):
    """``sqrt(a^2 + z) - a`` for ``z >= 0`` without cancellation."""
    r = mpmath.sqrt(a * a + z)
    if a < 0:
        return r - a
    return z / (r + a) if r + a > 0 else mpmath.mpf(0)


def _excess(t, c2, v, h, e2, bits):
    """``x = |M|_* - tr M`` by the contraction of :func:`ftheory.stable.wasserstein2_task` (factor <= 1/9)."""
    x = y = mpmath.mpf(0)
    for _ in range(bits // 3 + 60):  # each step gains >= log2(9) > 3 bits
        x_new = _root_gap(t, c2 + v + 2 * y)
        y = _root_gap(e2, v + 2 * h * x_new)
        if x_new == x:
            break
        x = x_new
    return x


def wasserstein2_task(theta, sigma, sigma_s, norm_s, norm_t):
    """``W2(p_s, p_t)`` in mpmath to the working precision (see the module docstring)."""
    half = mpmath.sin(theta / 2) ** 2
    rr = norm_s * norm_t
    dist = (norm_s - norm_t) ** 2 + 4 * rr * half + (sigma - sigma_s) ** 2
    if dist == 0:  # a sum of squares: norm_s = norm_t, theta = 0 or a zero norm, sigma = sigma_s: the same law
        return mpmath.mpf(0)
    lb_sq = w1_lower_bound_sq(theta, sigma, sigma_s, norm_s, norm_t)  # > 0: one of via_s, via_t adds squares
    prec = mpmath.mp.prec
    extra = max(0, int(mpmath.ceil(mpmath.log(dist / lb_sq, 2)))) + _GUARD
    if extra > _MAX_EXTRA_BITS:  # float64 inputs need at most ~4500 (dist/LB^2 <= 4 sigma^2 norm^2/Delta^2)
        raise ValueError(f"wasserstein2_task: W2^2 = dist - 2x may cancel {extra} bits here (dist/LB^2 = "
                         f"{mpmath.nstr(dist / lb_sq, 5)}), beyond the {_MAX_EXTRA_BITS} extra bits .mp allows")
    with mpmath.workprec(prec + extra):
        half, rr = mpmath.sin(theta / 2) ** 2, norm_s * norm_t
        dist = (norm_s - norm_t) ** 2 + 4 * rr * half + (sigma - sigma_s) ** 2
        h = sigma * sigma_s
        v = (sigma * norm_s - sigma_s * norm_t) ** 2 + 4 * h * rr * half
        c2 = (rr * mpmath.sin(theta)) ** 2
        p = rr * mpmath.cos(theta)
        x = _excess(2 + p + h, c2, v, h, 1 + p + 2 * h, prec + extra)
        w2_sq = dist - 2 * x
    if not w2_sq > 0:  # cannot happen (W2^2 >= LB^2 > 0 and the loss is bounded); never return a false zero
        raise ArithmeticError("wasserstein2_task: W2^2 unresolved at the proved precision bound")
    return +mpmath.sqrt(w2_sq)
