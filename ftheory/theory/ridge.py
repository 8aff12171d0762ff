"""Regularised scratch baseline: ridge regression from scratch (docs/background.md §3.5).

The paper's Figure 5 replaces the plain scratch baseline by the best of several weight-decay runs;
weight decay at balance is ridge on the end-to-end vector (§3.5), so the toolkit's theory curve for
that baseline is the *optimally tuned ridge* risk. Everything here is derived from the
Marchenko-Pastur Stieltjes transform (T6) with ``phi = d/n = 1/gamma``:

* :func:`ridge_risk_mp` - the ridge risk ``R(lam) = ||beta_t||^2 lam^2 m'_lam +
  sigma^2 phi (m_lam - lam m'_lam)`` (Dobriban-Wager 2018, Hastie et al. 2019) built from
  :func:`ftheory.rmt.mp_stieltjes` and :func:`ftheory.rmt.mp_stieltjes_derivative`;
* :func:`ridge_forms` - the same risk rewritten, by implicit differentiation of the T6 quadratic
  and rationalisation, as a sum of two manifestly positive terms with no ``phi`` (so that
  ``gamma = 0`` and ``gamma = 1`` are regular points) and no cancellation in float64;
* :func:`optimal_penalty` - ``lam* = sigma^2 / (gamma ||beta_t||^2)`` found by solving
  ``dR/dlam = 0`` for an *abstract* Stieltjes transform ``m(lam)``: ``dR/dlam`` factorises as
  ``(sigma^2 phi - ||beta_t||^2 lam) (2 m' + lam m'')`` and the second factor is
  ``-2 int x/(x + lam)^3 dmu < 0``;
* substituting ``lam*`` cancels the ``m'`` terms: ``R* = sigma^2 phi m_{lam*}``.

Registered results (topic ``"ridge"``): ``scratch_ridge_risk``, ``scratch_optimal_ridge``,
``scratch_risk_optimal_ridge``, ``linear_transfer_transferability_tuned``, ``lt_boundary_tuned``.

Numerics. With ``B = gamma (1 + lam) - 1``, ``D = B^2 + 4 gamma lam`` (the discriminant of the
T6 quadratic multiplied by ``gamma``) and the *shrinkage* ``ell = lam m_lam in (0, 1)``,

    R(lam) = ||beta_t||^2 ell (ell + gamma lam) / sqrt(D) + 2 sigma^2 gamma / (sqrt(D) (S + sqrt(D))),

``S = 1 + gamma + gamma lam``, where ``ell = 2 gamma lam / (B + sqrt(D))`` for ``B >= 0`` and
``ell = (sqrt(D) - B)/2`` for ``B < 0`` (each the cancellation-free root); ``gamma = 1`` has
its own branch (``B = lam`` written out). Every operation adds positive numbers, so float64
agrees with 50-digit mpmath to ~1e-15 relative (tested to 1e-12), except next to the singular
point ``(gamma, lam) = (1, 0)`` where ``B + sqrt(D)`` is formed as ``(gamma lam + gamma +
sqrt(D)) - 1`` (relative error ~ eps/sqrt(gamma lam)). ``lam = 0`` is the registered scratch
risk. Results that do not fit in float64 (e.g. ``lam*`` for ``gamma ~ 1e-313``) overflow with a
NumPy warning; squares such as ``(gamma lam)^2`` overflow for ``gamma (1 + lam) >~ 1e150``.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from ftheory import rmt
from ftheory.result import expr_of, register
from ftheory.theory._symbols import gamma, lam, norm_t, sigma, theta

__all__ = ["mp_quadratic", "ridge_risk_mp", "RidgeForms", "ridge_forms", "optimal_penalty",
           "risk_at_optimal_penalty_abstract", "bayes_inverse_snr"]


# generic (strictly positive) symbols for the primitives of T6
_phi = sp.Symbol("phi", positive=True)
_lam = sp.Symbol("lambda", positive=True)
_m = sp.Symbol("m", positive=True)


def mp_quadratic(m, phi, lam_):
    """(T6) ``phi lam m^2 + (1 - phi + lam) m - 1``: its positive root is ``m_lam``."""
    return phi * lam_ * m ** 2 + (1 - phi + lam_) * m - 1


def ridge_risk_mp(phi=_phi, lam_=_lam):
    """§3.5 ridge risk straight from the T6 primitives (explicit square roots; not for float64).

    ``||beta_t||^2 lam^2 m'_lam + sigma^2 phi (m_lam - lam m'_lam)``.
    """
    m = rmt.mp_stieltjes(phi, lam_)
    mprime = rmt.mp_stieltjes_derivative(phi, lam_)
    return norm_t ** 2 * lam_ ** 2 * mprime + sigma ** 2 * phi * (m - lam_ * mprime)


@dataclass(frozen=True)
class RidgeForms:
    """The pieces of the cancellation-free ridge risk (module docstring), in ``gamma, lam``.

    Attributes
    ----------
    quadratic : the T6 quadratic times ``gamma`` at ``phi = 1/gamma``, in the symbol ``m``:
        ``lam m^2 + B m - gamma``.
    B, D, S : its linear coefficient, its discriminant ``B^2 + 4 gamma lam``, and ``B + 2``.
    ell_over, ell_under : the shrinkage ``lam m_lam`` as the cancellation-free root for
        ``B >= 0`` and ``B < 0``.
    mprime : ``m'_lam`` in terms of ``m`` (implicit differentiation).
    bias, variance : the two terms of the risk; ``bias`` is written with the symbol ``ell``.
    ell : the symbol standing for ``lam m_lam`` in ``bias``.
    """

    quadratic: sp.Expr
    B: sp.Expr
    D: sp.Expr
    S: sp.Expr
    ell_over: sp.Expr
    ell_under: sp.Expr
    mprime: sp.Expr
    bias: sp.Expr
    variance: sp.Expr
    ell: sp.Symbol

    def risk(self, ell_value):
        """Risk (bias + variance) with the abstract Stieltjes value ``ell`` set to ``ell_value``."""
        return self.bias.subs(self.ell, ell_value) + self.variance


def _rationalise(a, b):
    """``a - b`` with exactly one of ``a, b`` a square root ``sqrt(r)``, as ``(a^2 - b^2)/(a + b)``.

    The numerator is expanded (the square root disappears), so the difference of two nearly equal
    positive numbers becomes a ratio of positive numbers.
    """
    return sp.expand(a ** 2 - b ** 2) / (a + b)


@functools.lru_cache(maxsize=None)
def ridge_forms() -> RidgeForms:
    """Derive the cancellation-free form of the ridge risk from the T6 quadratic.

    1. Multiply the T6 quadratic by ``gamma`` at ``phi = 1/gamma``: ``lam m^2 + B m - gamma``;
       ``D`` is its discriminant.
    2. Its positive root gives ``ell = lam m = (sqrt(D) - B)/2``; rationalising gives
       ``2 gamma lam / (B + sqrt(D))`` (no cancellation when ``B >= 0``).
    3. Implicit differentiation: ``m' = -dm/dlam = m (m + gamma) / (2 lam m + B)``, and
       ``2 lam m + B = sqrt(D)`` at the root, so ``lam^2 m' = ell (ell + gamma lam)/sqrt(D)``.
    4. Variance: ``sigma^2 phi (m - lam m') sqrt(D)`` is a polynomial in ``ell`` after
       ``sqrt(D) -> 2 ell + B``; its remainder modulo ``ell^2 + B ell - gamma lam`` (the quadratic
       for ``ell``) is ``sigma^2 (1 - ell)``, and ``1 - ell = (S - sqrt(D))/2 = 2 gamma/(S + sqrt(D))``
       with ``S = B + 2``.
    """
    q = sp.expand(gamma * mp_quadratic(_m, 1 / gamma, lam))
    B = q.coeff(_m, 1)
    disc = sp.discriminant(sp.Poly(q, _m))
    D = B ** 2 + sp.expand(disc - B ** 2)           # B^2 + 4 gamma lam: a square plus a product
    root = sp.sqrt(D)
    ell_under = (root - B) / 2                         # lam * (positive root) = (sqrt(D) - B)/2
    ell_over = _rationalise(root, B) / 2               # 2 gamma lam / (sqrt(D) + B)
    # 3. implicit differentiation of q(m(lam), lam) = 0
    mprime = sp.factor(sp.diff(q, lam) / sp.diff(q, _m))   # -dm/dlam = m (m + gamma)/(2 lam m + B)
    if sp.expand(sp.denom(mprime) - (2 * lam * _m + B)) != 0:  # pragma: no cover
        raise AssertionError(f"unexpected implicit derivative {mprime}")
    ell = sp.Symbol("ell", positive=True)
    m_of_ell = ell / lam
    num = sp.factor(sp.expand(sp.numer(mprime).subs(_m, m_of_ell) * lam ** 2))  # ell (ell + gamma lam)
    bias = norm_t ** 2 * num / root
    # 4. variance, reduced with the quadratic for ell
    ell_quadratic = sp.expand(lam * q.subs(_m, m_of_ell))                       # ell^2 + B ell - gamma lam
    var_times_root = sp.expand(sigma ** 2 / gamma * (m_of_ell * (2 * ell + B)
                                                     - lam * sp.numer(mprime).subs(_m, m_of_ell)))
    reduced = sp.factor(sp.rem(sp.Poly(var_times_root, ell), sp.Poly(ell_quadratic, ell)).as_expr())
    S = sp.expand(B + 2)
    one_minus_ell = sp.factor(reduced / sigma ** 2)    # 1 - ell
    if sp.expand(one_minus_ell - (1 - ell)) != 0:  # pragma: no cover
        raise AssertionError(f"unexpected reduced variance {reduced}")
    variance = sigma ** 2 * (_rationalise(S, root) / 2) / root  # 1 - ell_under = (S - sqrt(D))/2
    return RidgeForms(q, B, D, S, ell_over, ell_under, mprime, bias, variance, ell)


def _check_numerically(a, b, points, digits=30):
    for pt in points:
        va, vb = sp.N(a.subs(pt), digits + 10), sp.N(b.subs(pt), digits + 10)
        if abs(va - vb) > sp.Float(10) ** (-digits) * (1 + abs(va)):
            raise AssertionError(f"derived forms differ at {pt}: {va} != {vb}")


_PROBES = [{gamma: sp.Rational(g), lam: sp.Rational(l), sigma: sp.Rational(1, 3), norm_t: sp.Rational(7, 5)}
           for g, l in [("3/10", "1/10"), ("3/10", 5), (2, "1/100"), (1, "1/2"), ("9/10", "1/20")]]


@register("scratch_ridge_risk", params=("gamma", "sigma", "lam", "norm_t"), status="EXT",
          reference="docs/background.md §3.5 (T6); Dobriban-Wager 2018; Hastie et al. 2019", topic="ridge",
          summary="Asymptotic excess risk of ridge regression from scratch with penalty lam "
                  "(Marchenko-Pastur); lam = 0 is the ridgeless scratch risk.")
def scratch_ridge_risk():
    f = ridge_forms()
    raw = ridge_risk_mp().subs({_phi: 1 / gamma, _lam: lam})
    over, under = f.risk(f.ell_over), f.risk(f.ell_under)
    _check_numerically(raw, over, _PROBES)
    _check_numerically(raw, under, _PROBES)
    ridgeless = expr_of("scratch_risk")  # lam = 0: the min-norm limit (§3.2), its own branch
    # gamma = 1: the same root with B = lam written out, so that B + sqrt(D) is not formed as
    # (gamma lam + gamma + sqrt(D)) - 1, which cancels to 0/0 for lam < 1e-33.
    at_one = over.subs(gamma, 1)
    return sp.piecewise_fold(sp.Piecewise((ridgeless, sp.Eq(lam, 0)),
                                          (at_one, sp.Eq(gamma, 1)),
                                          (over, sp.Ge(f.B + 1, 1)),
                                          (under, True)))


@functools.lru_cache(maxsize=None)
def risk_at_optimal_penalty_abstract():
    """Minimise the ridge risk over ``lam`` for an abstract Stieltjes transform ``m(lam)``.

    Returns ``(R, dR/dlam, the lam-factor of dR/dlam, the other factor, lam*, R(lam*))`` with
    ``m`` an undefined SymPy function and ``m'_lam = -dm/dlam``.
    """
    m = sp.Function("m")
    mm = m(lam)
    R = norm_t ** 2 * lam ** 2 * (-sp.diff(mm, lam)) + sigma ** 2 / gamma * (mm + lam * sp.diff(mm, lam))
    dR = sp.factor(sp.diff(R, lam))
    factors = sp.Mul.make_args(dR)
    (lam_factor,) = [f for f in factors if f.has(lam) and not f.has(sp.Derivative) and not f.has(m)]
    other = sp.Mul(*[f for f in factors if f.has(sp.Derivative)])
    (lam_star,) = sp.solve(lam_factor, lam)
    R_star = sp.simplify(R.subs(lam, lam_star).doit())
    return R, dR, lam_factor, other, lam_star, R_star


def optimal_penalty():
    """``lam*`` (generic gamma, sigma > 0), the unique zero of ``dR/dlam``."""
    return risk_at_optimal_penalty_abstract()[4]


def bayes_inverse_snr():
    """``gamma lam* = sigma^2/||beta_t||^2``: the combination the optimal risk depends on."""
    return sp.simplify(gamma * optimal_penalty())


@register("scratch_optimal_ridge", params=("gamma", "sigma", "norm_t"), status="EXT",
          reference="docs/background.md §3.5", topic="ridge", 
          summary="Risk-minimising ridge penalty lam* = sigma^2/(gamma ||beta_t||^2) (Bayes-optimal "
                  "for a Gaussian prior); 0 when sigma = 0, +inf at gamma = 0 (the limit; there "
                  "every lam > 0 gives the same risk ||beta_t||^2).")
def scratch_optimal_ridge():
    lam_star = optimal_penalty()
    noisy = sp.Symbol("sigma_", positive=True)        # the limit gamma -> 0+ at sigma > 0
    return sp.Piecewise((lam_star.subs(sigma, 0), sp.Eq(sigma, 0)),
                        (sp.limit(lam_star.subs(sigma, noisy), gamma, 0, "+"), sp.Eq(gamma, 0)),
                        (lam_star, True))


@register("scratch_risk_optimal_ridge", params=("gamma", "sigma", "norm_t"), status="EXT",
          reference="docs/background.md §3.5", topic="ridge", 
          summary="Asymptotic risk of optimally tuned ridge from scratch, R* = (sigma^2/gamma) "
                  "m_{lam*}: no interpolation peak, decreasing in gamma, ||beta_t||^2 (1 - gamma)_+ "
                  "at sigma = 0.")
def scratch_risk_optimal_ridge():
    f = ridge_forms()
    lam_star = optimal_penalty()
    # R(lam*) = sigma^2 phi m_{lam*} = ||beta_t||^2 lam* m_{lam*} = ||beta_t||^2 ell(lam*)
    *_, R_star = risk_at_optimal_penalty_abstract()
    m_fn = [a for a in R_star.atoms(sp.Function) if a.func.__name__ == "m"][0]
    ell_over = sp.simplify(f.ell_over.subs(lam, lam_star))
    ell_under = sp.simplify(f.ell_under.subs(lam, lam_star))
    over = norm_t ** 2 * ell_over
    under = norm_t ** 2 * ell_under
    check = sp.simplify(R_star.subs(m_fn, sp.Symbol("M")) - norm_t ** 2 * lam_star * sp.Symbol("M"))
    if check != 0:  # pragma: no cover - the derivation guarantees it
        raise AssertionError("R(lam*) is not ||beta_t||^2 lam* m_{lam*}")
    B_star = sp.expand(f.B.subs(lam, lam_star))        # gamma - 1 + sigma^2/||beta_t||^2
    cond_over = sp.Ge(B_star + 1, 1)
    (g_zero,) = sp.solve(B_star, gamma)
    # B = 0: ell = sqrt(gamma lam*) = sigma/||beta_t||, written without sigma^2 so that it does not
    # underflow to 0/0 for tiny sigma at gamma = 1.
    at_zero = sp.simplify(over.subs(gamma, g_zero))
    generic = sp.Piecewise((at_zero, sp.Eq(B_star + 1, 1)), (over, cond_over), (under, True))
    # sigma -> 0+: the over-parameterised (n < d) root (B < 0 <=> gamma < 1 at sigma = 0) tends to
    # 1 - gamma; the other root to 0 (for gamma > 1; at gamma = 1 it is 0/0 in float64).
    t = sp.Symbol("t", positive=True)                  # gamma = 1 - t < 1
    below = sp.simplify(sp.limit(under.subs(gamma, 1 - t), sigma, 0, "+")).subs(t, 1 - gamma)
    noiseless = sp.Piecewise((below, gamma < 1), (sp.limit(over, sigma, 0, "+"), True))
    return sp.piecewise_fold(sp.Piecewise((noiseless, sp.Eq(sigma, 0)), (generic, True)))


@register("linear_transfer_transferability_tuned", params=("gamma", "theta", "sigma", "norm_t"),
          status="EXT", reference="docs/background.md §3.5, §4.3, §5.1", topic="ridge", 
          summary="Linear-transfer transferability against the optimally tuned ridge scratch "
                  "baseline: R*(gamma, sigma) - ||beta_t||^2 sin^2(theta) (predicted Figure 5).")
def linear_transfer_transferability_tuned():
    # asymptotic linear-transfer risk at lam = 0 (§4.3): ||beta_t||^2 sin^2(theta), independent of
    # gamma, sigma, norm_s and depth
    lt = sp.simplify(expr_of("linear_transfer_risk").subs(lam, 0))
    if not lt.free_symbols <= {theta, norm_t}:  # pragma: no cover - guards the §4.3 statement
        raise AssertionError(f"lam = 0 linear-transfer risk depends on more than theta, norm_t: {lt}")
    return sp.piecewise_fold(expr_of("scratch_risk_optimal_ridge") - lt)


@register("lt_boundary_tuned", params=("theta", "sigma", "norm_t"), status="EXT",
          reference="docs/background.md §3.5", topic="ridge",
          summary="Sample ratio gamma_b where R*(gamma, sigma) = ||beta_t||^2 sin^2(theta): transfer "
                  "beats tuned ridge exactly for gamma < gamma_b; +inf at theta in {0, pi} with "
                  "sigma > 0 (no crossing: transfer always helps).")
def lt_boundary_tuned():
    f = ridge_forms()
    q = sp.Symbol("q", positive=True)  # the level sin^2(theta) in (0, 1)
    ell_under = sp.simplify(f.ell_under.subs(lam, optimal_penalty()))
    sols = sp.solve(sp.Eq(ell_under, q), gamma)
    (g_b,) = sols
    g_b = sp.factor(g_b)                              # (1 - q)(q + s)/q
    g_b = g_b.subs(q, sp.sin(theta) ** 2)
    g_b = g_b.replace(lambda e: e == 1 - sp.sin(theta) ** 2, lambda e: sp.cos(theta) ** 2)
    g_b = sp.factor(g_b.replace(lambda e: e == sp.sin(theta) ** 2 - 1, lambda e: -sp.cos(theta) ** 2))
    noiseless = sp.simplify(sp.limit(g_b, sigma, 0, "+"))
    return sp.Piecewise((noiseless, sp.Eq(sigma, 0)),
                        # theta in {0, pi}: R* > 0 = sin^2(theta) for every gamma, no crossing
                        (sp.oo, sp.Eq(sp.sin(theta), 0)),
                        (g_b, True))
