"""Phase boundaries of linear transfer (docs/background.md §5.2-§5.4; paper §4): the curves where the
transferability ``T = R_sc - R_lt`` of :mod:`ftheory.theory.linear_transfer` changes sign (unit target
teacher, ``lam = 0``), obtained by solving ``T = 0`` branch by branch: ``lt_boundary_lower``,
``lt_boundary_upper``, ``lt_boundary_over``, ``lt_theta_min``, ``lt_boundary_noiseless``.

Because ``T(gamma, theta, sigma; ||beta_t||) = ||beta_t||^2 T(gamma, theta, sigma/||beta_t||; 1)`` (§5.1),
they hold for any teacher norm after replacing ``sigma`` by ``sigma / ||beta_t||``.
"""
from __future__ import annotations

import functools

import sympy as sp

from ftheory.result import expr_of, register
from ftheory.theory._symbols import gamma, lam, norm_t, sigma, theta
from ftheory.theory.linear_transfer import _transferability_difference


# ----------------------------------------------------------------------------------------------
# §5.2-§5.4: phase boundaries (unit target teacher, lam = 0)
# ----------------------------------------------------------------------------------------------

_c = sp.Symbol("c", nonnegative=True)  # |cos theta|; T depends on theta only through cos^2 theta


def _unit_branches():
    """The two regular branches of T (unit teacher, lam = 0) with sin^2 = 1 - c^2."""
    T = _transferability_difference().subs({lam: 0, norm_t: 1})
    (under, _), (over, _) = T.args[:2]
    to_c = {sp.sin(theta) ** 2: 1 - _c ** 2}
    return sp.expand(under).subs(to_c), sp.expand(over).subs(to_c)


@functools.lru_cache(maxsize=None)
def lobe_quadratic():
    """§5.2: the over-parameterised (n < d) branch of T times ``(1 - gamma) > 0``, a quadratic in gamma.

    Returns ``(quadratic, roots, discriminant)``: ``T < 0`` on ``gamma < 1`` iff the quadratic
    ``gamma^2 - (1 + c^2 - sigma^2) gamma + c^2`` (``= (1 - gamma) T``) is negative;
    ``roots`` from ``sympy.solve`` (order as SymPy returns them); the factorised discriminant.
    """
    under, _ = _unit_branches()
    quadratic = sp.expand(sp.cancel(under * (1 - gamma)))
    assert sp.Poly(quadratic, gamma).LC() == 1
    roots = sp.solve(quadratic, gamma)
    disc = sp.factor(sp.discriminant(quadratic, gamma))
    return quadratic, tuple(roots), disc


def _first_factor(c):
    """``(1 - c)^2 - sigma^2``: the factor of the discriminant that changes sign at theta_min."""
    return (1 - c) ** 2 - sigma ** 2


def _second_factor(c):
    """``(1 + c)^2 - sigma^2``: positive whenever sigma < 1."""
    return (1 + c) ** 2 - sigma ** 2


def _lobe_condition():
    """The negative lobe exists (possibly as a double root): ``sigma < 1`` and ``(1 - |cos theta|)^2 >= sigma^2``.

    The condition is literally "first factor of the discriminant >= 0", the same floating-point
    expression as in the value, so the square root never sees a negative rounding error.
    """
    return sp.And(sigma < 1, sp.Ge(_first_factor(sp.Abs(sp.cos(theta))), 0))


def _lobe_roots():
    """``(gamma_-, gamma_+)`` in the cancellation-free form, with ``c = |cos theta|``.

    ``gamma_+ = (S + sqrt(D))/2`` with ``S = 1 + c^2 - sigma^2`` (root sum) and the discriminant
    ``D = ((1 - c)^2 - sigma^2)((1 + c)^2 - sigma^2)`` (both factors >= 0 on the lobe);
    ``gamma_- = c^2/gamma_+`` (root product, Vieta) has no cancellation when ``gamma_-`` is small
    (theta near pi/2).
    """
    quadratic, roots, disc = lobe_quadratic()
    poly = sp.Poly(quadratic, gamma)
    _, minus_sum, product = poly.all_coeffs()
    total = -minus_sum
    factors = _first_factor(_c) * _second_factor(_c)
    assert sp.expand(factors - disc) == 0
    assert sp.factor(_first_factor(_c)) * sp.factor(_second_factor(_c)) == disc
    upper = (total + sp.sqrt(factors)) / 2
    lower = 2 * product / (total + sp.sqrt(factors))
    # the stable forms are the two roots returned by solve: (S +- sqrt(D))/2
    root_set = {sp.expand(r.subs(sp.sqrt(sp.expand(disc)), sp.sqrt(factors))) for r in roots}
    assert sp.expand(upper) in root_set, (roots, upper)
    assert sp.simplify(sp.radsimp(lower) - (total - sp.sqrt(factors)) / 2) == 0
    to_theta = {_c: sp.Abs(sp.cos(theta))}
    return lower.subs(to_theta), upper.subs(to_theta)


def _no_lobe_value():
    """Where there is no lobe both boundaries return gamma* of §3.4 (scratch_optimal_gamma, unit teacher)."""
    return expr_of("scratch_optimal_gamma").subs(norm_t, 1)


@register("lt_boundary_lower", params=("theta", "sigma"), status="PAPER*",
          reference="docs/background.md §5.2 (roots in corrected order); paper eq. (12)", topic="linear_transfer",
          summary="Lower edge gamma_- of the negative-transfer lobe (gamma_- <= gamma_+ < 1), unit teacher "
                  "(general norm: sigma -> sigma/||beta_t||); where there is no lobe (theta < theta_min or "
                  "sigma >= 1) gamma_- = gamma_+ = gamma* = max(1 - sigma, 0), an empty interval.")
def lt_boundary_lower():
    """docs/background.md §5.2: lower edge ``gamma_-`` of the negative lobe ``T < 0`` on ``gamma < 1``.

    ``gamma_- = cos^2 theta / gamma_+`` (Vieta; no cancellation near theta = pi/2). The paper prints
    the two roots in the other order; here always ``gamma_- <= gamma_+``. Unit target teacher (any
    norm: replace sigma by ``sigma/||beta_t||``); ``lam = 0``. Valid on ``[0, pi]`` (depends on
    ``cos^2 theta`` only).

    Where there is no lobe (``theta <= theta_min`` or ``theta >= pi - theta_min``, or ``sigma >= 1``)
    both edges return ``gamma* = max(1 - sigma, 0)`` (§3.4, where T is smallest on gamma < 1 and where
    the lobe is born): an empty interval, continuous at theta_min, never NaN. So ``T < 0`` exactly on
    ``(gamma_-, gamma_+)`` and on ``gamma > gamma_over`` (up to the zeros themselves). To draw only
    the lobe, mask ``gamma_- < gamma_+`` (or ``theta > theta_min``).

    >>> import ftheory, math
    >>> round(float(ftheory.get("lt_boundary_lower")(theta=math.pi / 4, sigma=0.2)), 4)
    0.5486
    """
    lower, _ = _lobe_roots()
    return sp.Piecewise((lower, _lobe_condition()), *_no_lobe_value().args)


@register("lt_boundary_upper", params=("theta", "sigma"), status="PAPER*",
          reference="docs/background.md §5.2 (roots in corrected order); paper eq. (12)", topic="linear_transfer",
          summary="Upper edge gamma_+ of the negative-transfer lobe (gamma_- <= gamma_+ < 1), unit teacher "
                  "(general norm: sigma -> sigma/||beta_t||); where there is no lobe gamma_- = gamma_+ = "
                  "gamma* = max(1 - sigma, 0).")
def lt_boundary_upper():
    """docs/background.md §5.2: upper edge ``gamma_+ = (S + sqrt(D))/2`` of the negative lobe, ``S = 1 + cos^2 - sigma^2``,
    ``D = ((1 - |cos|)^2 - sigma^2)((1 + |cos|)^2 - sigma^2)``. Same conventions as
    :func:`lt_boundary_lower` (no lobe: ``gamma* = max(1 - sigma, 0)``); ``gamma_+ <= 1 - sigma^2``.

    >>> import ftheory, math
    >>> round(float(ftheory.get("lt_boundary_upper")(theta=math.pi / 4, sigma=0.2)), 4)
    0.9114
    """
    _, upper = _lobe_roots()
    return sp.Piecewise((upper, _lobe_condition()), *_no_lobe_value().args)


@register("lt_boundary_over", params=("theta", "sigma"), status="PAPER",
          reference="docs/background.md §5.2", topic="linear_transfer",
          summary="Boundary above gamma = 1 (n > d; 'over' for gamma over 1) "
                  "gamma_over = 1 + sigma^2/sin^2 theta (unit teacher; general "
                  "norm: sigma -> sigma/||beta_t||): transfer loses for gamma > gamma_over; +inf where "
                  "sin theta = 0 (never negative).")
def lt_boundary_over():
    """docs/background.md §5.2: ``gamma_over = 1 + sigma^2/sin^2 theta``; ``T < 0`` for ``gamma > gamma_over``.

    ``+inf`` where ``sin theta = 0`` (T is never negative there; at ``sigma = 0`` it is 0 for all
    ``gamma >= 1``); 1 at ``sigma = 0`` otherwise (§5.4). Unit teacher (any norm: ``sigma ->
    sigma/||beta_t||``). For ``theta`` below about ``1e-154 sigma`` the value overflows float64 (inf).

    >>> import ftheory, math
    >>> round(float(ftheory.get("lt_boundary_over")(theta=math.pi / 4, sigma=0.2)), 12)
    1.08
    """
    _, over = _unit_branches()
    (root,) = sp.solve(over, gamma)
    root = sp.simplify(root.subs(_c, sp.sqrt(1 - sp.sin(theta) ** 2)))
    # sigma = 0 (gamma_over = 1, docs/background.md §5.4) is spelled out: with two finite branches the code
    # generator does not split off sigma^2/sin^2 theta as a shared part evaluated on every point
    # (including those of the infinite branch, where it is 0/0).
    # written (sigma/sin theta)^2 and tested on sin theta itself: sin^2 theta underflows to 0 in float64
    # for theta < 1e-162, which picked the +inf branch where the value is finite
    stable = 1 + (sigma / sp.sin(theta)) ** 2
    assert sp.simplify(root - stable) == 0
    return sp.Piecewise((sp.oo, sp.Eq(sp.sin(theta), 0)), (stable.subs(sigma, 0), sp.Eq(sigma, 0)), (stable, True))


@register("lt_theta_min", params=("sigma",), status="PAPER", reference="docs/background.md §5.2",
          topic="linear_transfer",
          summary="Smallest angle with a negative-transfer lobe below gamma = 1, arccos(1 - sigma) "
                  "= 2 arcsin(sqrt(sigma/2)) for sigma < 1 (unit teacher); pi/2 for sigma >= 1 (no lobe: "
                  "the lobe exists for theta_min < theta < pi - theta_min).")
def lt_theta_min():
    """docs/background.md §5.2: the negative lobe exists iff ``theta_min < theta < pi - theta_min``.

    ``theta_min = arccos(1 - sigma)`` (where the discriminant's factor ``(1 - cos)^2 - sigma^2``
    vanishes), evaluated as ``2 arcsin(sqrt(sigma/2))`` (no cancellation for small sigma). For
    ``sigma >= 1`` there is no lobe at any angle and ``theta_min = pi/2`` (continuous at 1).

    >>> import ftheory
    >>> round(float(ftheory.get("lt_theta_min")(sigma=0.2)), 4)   # worked example 4
    0.6435
    """
    _, _, disc = lobe_quadratic()
    double = [r for r in sp.solve(disc, _c) if sp.simplify(r - (1 - sigma)) == 0]
    assert double, disc  # the factor (1 - c)^2 - sigma^2 vanishes at c = 1 - sigma
    angle = sp.acos(double[0])
    stable = 2 * sp.asin(sp.sqrt(sigma / 2))  # arccos(1 - sigma) without cancellation as sigma -> 0
    assert sp.simplify(stable.subs(sigma, 1) - sp.pi / 2) == 0
    assert sp.simplify(sp.expand_trig(sp.cos(stable)) - double[0]) == 0
    assert sp.acos(1 - sigma) == angle
    # for sigma >= 1 the lobe never exists: theta_min = pi/2 (continuous at sigma = 1)
    return sp.Piecewise((stable, sigma < 1), (sp.pi / 2, True))


@register("lt_boundary_noiseless", params=("theta",), status="PAPER",
          reference="docs/background.md §5.4; paper Appendix G", topic="linear_transfer",
          summary="Noiseless boundary gamma = cos^2 theta (sigma -> 0 limit of gamma_-): transfer wins iff "
                  "gamma < cos^2 theta.")
def lt_boundary_noiseless():
    """docs/background.md §5.4: ``gamma = cos^2 theta`` (the sigma -> 0 limit of ``gamma_-``; ``gamma_+`` and
    ``gamma_over`` both tend to 1). Transfer wins iff ``gamma < cos^2 theta``.

    >>> import ftheory, math
    >>> round(float(ftheory.get("lt_boundary_noiseless")(theta=math.pi / 3)), 12)
    0.25
    """
    lower, _ = _lobe_roots()
    return sp.simplify(sp.limit(lower, sigma, 0, "+").subs(sp.Abs(sp.cos(theta)) ** 2, sp.cos(theta) ** 2))
