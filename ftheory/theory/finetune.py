"""Fine-tuning: the paper's transferability and the exact gradient-flow correction (docs/background.md §6, §8).

Fine-tuning starts gradient flow on the target loss from the pretrained balanced rank-one network
(§2.4) and trains every layer. Two facts drive everything (§6.1):

* the gradient with respect to ``W_1`` is ``G B_2^T`` with ``G = (2/n) X^T (X beta - y)`` in the row
  space of ``X``, so the null-space part ``(I - P) W_1`` is frozen;
* for ``n < d`` the flow reaches an interpolator with no choice in the row space, so
  ``P beta_ft = X^+ y = P beta_sc``; for ``n >= d`` it forgets the initialisation.

Hence ``beta_ft = beta_sc + c (I - P) beta_pre`` with a scale ``c``. The paper takes ``c = 1``
(§6.2, Theorem 3.9): :func:`finetune_transferability` and its exact finite-size form. Exact
gradient flow rescales the frozen part: ``c`` solves ``r^2 c^(2L/(L-1)) - a c^2 - b = 0`` with
``a = ||(I-P) beta_pre||^2``, ``b = ||beta_sc||^2``, ``r = ||beta_pre||`` (§6.3–§6.4, [EXT]). Since
``c`` is the positive root of a polynomial of symbolic degree, it is represented by the SymPy
function :class:`PositiveRoot`, which evaluates in closed form for depth 2 and otherwise prints
vectorised Newton code (:mod:`ftheory.roots`) into the generated evaluators.

In every case the noise cancels pathwise (the noise part ``X^+ eps`` of both estimators lies in the
row space): ``R_sc - R_ft = ||(I-P) beta_t||^2 - ||(I-P)(c beta_pre - beta_t)||^2``, and (T1) gives
its expectation ``(1 - n/d)_+ (2 c r ||beta_t|| cos(theta) - c^2 r^2)`` when ``c`` is fixed.

Conventions for the edges (no NaN anywhere): ``finetune_scale`` is +oo at ``gamma = 1`` when
``sigma > 0`` and, for ``gamma > 1`` (no null space, the scale does not act), returns the root with
``a = 0``; every transferability is exactly 0 for ``gamma >= 1``; a break-even angle ``theta*`` is
defined by "fine-tuning helps exactly for ``theta < theta*``", so it is 0 when it never helps
(``|beta_s| >= 2 |beta_t|``, ``c r >= 2 |beta_t|``, or ``gamma >= 1``).
"""
import sympy as sp
from sympy.core.function import ArgumentIndexError

from ftheory import rmt
from ftheory.result import expr_of, register
from ftheory.theory._symbols import d, depth, gamma, n, norm_s, norm_t, sigma, theta

__all__ = ["PositiveRoot", "teachers", "finetune_gain", "frozen_norm_sq", "scratch_norm_sq",
           "scale_equation"]



# ----------------------------------------------------------------------------------------------
# The unique positive root of w^L - A w^(L-1) - B (symbolic degree)
# ----------------------------------------------------------------------------------------------

class PositiveRoot(sp.Function):
    r"""``PositiveRoot(L, A, B)``: the unique positive root ``w`` of ``w^L - A w^(L-1) - B``.

    Defined for ``L >= 1``, ``A >= 0``, ``B >= 0`` (``A = B = 0`` gives the limit 0). Uniqueness:
    ``w^(1-L) p(w) = w - A - B w^(1-L)`` is increasing on ``w > 0`` (docs/background.md §6.4).

    * Exact evaluation where SymPy can: ``L = 2`` gives ``(A + sqrt(A^2 + 4B))/2``; ``L = 1``
      gives ``A + B``; ``B = 0`` gives ``A``; ``A = 0`` gives ``B^(1/L)``; ``A + B = 1`` gives 1.
    * ``evalf`` on numeric arguments; implicit derivatives; leading terms where the coefficients
      have finite limits or one of them diverges from above (so ``Result.limit`` works at
      ``gamma -> 0``, ``oo``, ``sigma -> 0`` for any depth, and at ``gamma -> 1^-`` for a numeric
      depth after substituting ``gamma = 1 - t``).
    * Code generation: vectorised float64 Newton (:func:`ftheory.roots.positive_root`) and an
      mpmath version at the working precision (:func:`ftheory.roots.positive_root_mp`).

    Examples
    --------
    >>> import sympy as sp
    >>> PositiveRoot(2, sp.Rational(1, 2), sp.Rational(3, 2))
    3/2
    >>> PositiveRoot(3, 1, 2).evalf(20)
    1.6956207695598620574
    """

    nargs = 3
    _runtime_modules = ("ftheory.roots",)

    @classmethod
    def eval(cls, L, A, B):
        if (A + B - 1).expand().is_zero:
            return sp.S.One
        if B.is_zero:
            return A
        if A.is_zero:
            return B ** (1 / L)
        if L == 2:
            return (A + sp.sqrt(A ** 2 + 4 * B)) / 2
        if L == 1:
            return A + B
        if all(a.is_Number for a in (L, A, B)) and any(a.is_Float for a in (L, A, B)):
            prec = max(a._prec for a in (L, A, B) if a.is_Float)
            return cls(*(sp.Rational(a) for a in (L, A, B))).evalf(_prec_to_dps(prec))
        return None

    def _eval_evalf(self, prec):
        import mpmath

        from ftheory.roots import positive_root_mp

        vals = [a.evalf(_prec_to_dps(prec) + 5) for a in self.args]
        if not all(v.is_Number for v in vals):
            return None
        with mpmath.workprec(prec + 20):
            root = positive_root_mp(*(mpmath.mpf(sp.Float(v, _prec_to_dps(prec) + 10)._mpf_) for v in vals))
        return sp.Float._new(root._mpf_, prec)

    def fdiff(self, argindex=1):
        """Implicit differentiation of ``F = w^L - A w^(L-1) - B = 0``: ``dw/dx = -F_x / F_w``."""
        L, A, B = self.args
        w = self
        F_w = w ** (L - 2) * (L * w - (L - 1) * A)
        if argindex == 1:
            return -w ** (L - 1) * (w - A) * sp.log(w) / F_w
        if argindex == 2:
            return w ** (L - 1) / F_w
        if argindex == 3:
            return 1 / F_w
        raise ArgumentIndexError(self, argindex)

    def _eval_is_real(self):
        return True if all(a.is_real for a in self.args) else None

    def _eval_is_positive(self):
        _, A, B = self.args
        return True if (A.is_positive or B.is_positive) else None

    def _eval_is_finite(self):
        return True if all(a.is_finite for a in self.args) else None

    def _eval_as_leading_term(self, x, logx=None, cdir=0):
        """Leading term as ``x -> 0`` (``Limit`` shifts the point to 0): by continuity where the
        coefficients have finite limits; ``B^(1/L)`` (or ``A``) when ``B`` (or ``A``) diverges, as
        ``coeff * x^exponent`` (approach from above only)."""
        L, A, B = self.args
        side = "-" if cdir == -1 else "+"
        if L.has(x):
            raise NotImplementedError("PositiveRoot: leading term in the degree")
        A0, B0 = (sp.limit(v, x, 0, side) for v in (A, B))
        if A0.is_finite and B0.is_finite:
            w0 = self.func(L, A0, B0)
            if w0.is_positive:
                return w0
            raise NotImplementedError("PositiveRoot: leading term at a zero root")
        if side == "-":
            raise NotImplementedError("PositiveRoot: divergent coefficient approached from below")
        if B0 is sp.oo and A0.is_finite:
            coeff, exponent = B.leadterm(x)
            return coeff ** (1 / L) * x ** (exponent / L)
        if A0 is sp.oo and B0.is_finite:
            coeff, exponent = A.leadterm(x)
            return coeff * x ** exponent
        raise NotImplementedError("PositiveRoot: both coefficients diverge")

    def _latex(self, printer, exp=None):
        args = ", ".join(printer._print(a) for a in self.args)
        tex = rf"\operatorname{{PositiveRoot}}\left({args}\right)"
        return tex if exp is None else rf"\left({tex}\right)^{{{exp}}}"

    def _numpy_code(self, printer):
        return "ftheory.roots.positive_root({})".format(", ".join(printer.doprint(a) for a in self.args))

    def _mpmath_code(self, printer):
        return "ftheory.roots.positive_root_mp({})".format(", ".join(printer.doprint(a) for a in self.args))


def _prec_to_dps(prec):
    import mpmath.libmp

    return max(1, mpmath.libmp.prec_to_dps(int(prec)))


# ----------------------------------------------------------------------------------------------
# Building blocks of the derivation
# ----------------------------------------------------------------------------------------------

def teachers(r_s=norm_s, r_t=norm_t):
    """Source and target teachers in the plane ``(u_s, beta_perp)`` (§1.1): 2-vectors."""
    return (sp.Matrix([r_s, 0]), sp.Matrix([r_t * sp.cos(theta), r_t * sp.sin(theta)]))


def finetune_gain(beta_pre, beta_t, fraction, scale=1):
    """``E[R_sc - R_ft]`` for ``beta_ft = beta_sc + scale (I - P) beta_pre`` with ``beta_pre`` and
    ``scale`` fixed (independent of the target data).

    Pathwise (the noise sits in the row space and cancels):
    ``R_sc - R_ft = ||(I-P) beta_t||^2 - ||(I-P)(scale beta_pre - beta_t)||^2``; by (T1) each
    ``E||(I-P) v||^2 = fraction ||v||^2``.
    """
    c = sp.Dummy("c", positive=True)
    diff = c * beta_pre - beta_t
    inner = sp.expand((beta_t.T * beta_t)[0] - (diff.T * diff)[0])
    inner = sp.factor(sp.expand(inner.subs(sp.sin(theta) ** 2, 1 - sp.cos(theta) ** 2)))
    return fraction * inner.subs(c, scale)


def frozen_norm_sq(r_pre=norm_s):
    """Finite size ``E a = E||(I - P) beta_pre||^2 = r^2 (1 - min(n, d)/d)`` (T1)."""
    return r_pre ** 2 * rmt.null_space_fraction(n, d)


def scratch_norm_sq():
    """Finite size ``E b = E||beta_sc||^2 = ||beta_t||^2 min(n,d)/d + sigma^2 E||X^+ eps||^2/sigma^2``
    by (T1) and (T2)–(T3), as a Piecewise in ``n`` (+oo where the noise term diverges)."""
    signal = norm_t ** 2 * rmt.projection_fraction(n, d)
    under, over = rmt.min_norm_noise_trace(n, d)
    return sp.Piecewise(
        (rmt.restrict(signal, under.condition, n) + sigma ** 2 * under.value, under.condition),
        (rmt.restrict(signal, over.condition, n) + sigma ** 2 * over.value, over.condition),
        (signal, sp.Eq(sigma, 0)),
        (sp.oo, True))


def scale_equation(c, L, r, a, b):
    """The scale equation of §6.4: ``r^2 c^(2L/(L-1)) - a c^2 - b``."""
    L = sp.sympify(L)
    return r ** 2 * c ** (2 * L / (L - 1)) - a * c ** 2 - b


def _asymptotic_coefficients():
    """Proportional limits of ``a`` and ``b`` as lists of ``(A, B, condition)`` with
    ``A = a/r^2``, ``B = b/r^2`` (``B = oo`` at the interpolation peak)."""
    a_lim = rmt.proportional_limit(frozen_norm_sq(), n, d, gamma)      # r^2 (1 - Min(1, gamma))
    b_lim = rmt.proportional_limit(scratch_norm_sq(), n, d, gamma)
    out = []
    for value, cond in b_lim.args:
        if cond == (gamma < 1):
            A = rmt.restrict(a_lim, cond, gamma)
            value = _positive_form(value)
        elif cond == (gamma > 1):
            A = rmt.restrict(a_lim, cond, gamma)
        else:  # Eq(sigma, 0) and the +oo branch are only reached at gamma = 1
            A = a_lim.subs(gamma, 1)
        out.append((A / norm_s ** 2, value if value is sp.oo else value / norm_s ** 2, cond))
    return out


def _is_positive_under(expr, condition=sp.true):
    """Whether ``expr > 0`` is decided by the assumptions plus ``condition`` (``var < c`` or
    ``var > c``, c a number): ``var`` is replaced by ``c -/+ t`` with ``t > 0``."""
    expr = sp.expand(expr)
    if isinstance(condition, (sp.StrictLessThan, sp.StrictGreaterThan)) and condition.lhs.is_Symbol \
            and condition.rhs.is_number:
        t = sp.Dummy("t", positive=True)
        shift = -t if isinstance(condition, sp.StrictLessThan) else t
        expr = sp.expand(expr.subs(condition.lhs, condition.rhs + shift))
    return bool(expr.is_positive)


def cos_at_most_one(cos_star, condition=sp.true, isolate=None):
    """The condition ``cos_star <= 1`` written without division (``numerator <= denominator``),
    knowing that ``condition`` (e.g. ``gamma_s < 1``) fixes the sign of the denominator; with
    ``isolate`` (an expression such as ``sigma_s**2`` or ``norm_s`` that enters linearly) the
    relation is solved for it. Division-free conditions are finite everywhere, so the generated
    evaluators can test them on every point."""
    num, den = sp.fraction(sp.together(cos_star))
    if _is_positive_under(den, condition):
        lhs = sp.expand(num - den)             # lhs <= 0
    elif _is_positive_under(-den, condition):
        lhs = sp.expand(den - num)
    else:  # pragma: no cover - every caller has a sign-definite denominator
        raise ValueError(f"sign of {den} is unknown under {condition}")
    rel = sp.Le(lhs, 0)
    if isolate is not None:
        k = sp.Dummy("k")
        linear = sp.expand(lhs.subs(isolate, k))
        coeff = linear.coeff(k)
        if coeff.is_number and coeff != 0 and not linear.has(isolate):
            bound = sp.expand(-(linear - coeff * k) / coeff)
            rel = sp.Le(isolate, bound) if coeff > 0 else sp.Ge(isolate, bound)
    return sp.And(condition, rel)


def _positive_form(expr, var=gamma):
    """Write ``x/(var - 1)`` as ``-x/(1 - var)`` (for branches with ``var < 1``: every term is then
    visibly sign-definite, as in the paper's formulas). An identity, so safe anywhere."""
    return expr.replace(lambda e: e.is_Pow and e.base == var - 1 and e.exp == -1,
                        lambda e: -1 / (1 - var))


def _scale_from_root(A, B):
    """``c = w^((L-1)/2)`` with ``w = PositiveRoot(L, A, B)`` (``c^2 = w^(L-1)``)."""
    if B is sp.oo:
        return sp.oo
    # B > 0 wherever a closed form appears (gamma > 1, or sigma = 0 at gamma = 1): denest the powers.
    return sp.powdenest(PositiveRoot(depth, A, B) ** ((depth - 1) / 2), force=True)


def _scale_under():
    """The scale on ``gamma < 1`` (first branch)."""
    A, B, cond = _asymptotic_coefficients()[0]
    assert cond == (gamma < 1)
    return _scale_from_root(A, B)


# ----------------------------------------------------------------------------------------------
# The paper's result (c = 1)
# ----------------------------------------------------------------------------------------------

@register("finetune_transferability_finite", params=("n", "d", "theta", "norm_s", "norm_t"), status="EXT",
          reference="docs/background.md §6.2 (exact finite size)", topic="finetune", 
          summary="Exact expected fine-tuning transferability E[R_sc - R_ft] at finite n, d for the "
                  "paper's solution beta_ft = beta_sc + (I - P) beta_s (independent of sigma and depth).")
def finetune_transferability_finite():
    beta_s, beta_t = teachers()
    gain = finetune_gain(beta_s, beta_t, rmt.null_space_fraction(n, d))
    # (I - P) = 0 for n >= d: fine-tuning forgets the initialisation.
    return sp.Piecewise((rmt.restrict(gain, n < d, n), n < d), (0, True))


@register("finetune_transferability", params=("gamma", "theta", "norm_s", "norm_t"), status="PAPER",
          reference="docs/background.md §6.2; paper Theorem 3.9, eqs. (14)-(15) (norms: EXT)", topic="finetune",
          summary="Fine-tuning transferability in the proportional limit, paper variant (c = 1): "
                  "(1 - gamma)_+ (2 |beta_s| |beta_t| cos(theta) - |beta_s|^2); independent of sigma and depth.")
def finetune_transferability():
    return rmt.proportional_limit(expr_of("finetune_transferability_finite"), n, d, gamma)


@register("finetune_break_even_theta", params=("norm_s", "norm_t"), status="PAPER",
          reference="docs/background.md §6.2 (pi/3 for unit teachers; norms: EXT)", topic="finetune",
          summary="Angle theta* below which fine-tuning beats scratch (for every gamma < 1), paper "
                  "variant: arccos(|beta_s|/(2 |beta_t|)); 0 when |beta_s| >= 2 |beta_t| (never helps).")
def finetune_break_even_theta():
    branch = rmt.restrict(expr_of("finetune_transferability").args[0][0], gamma < 1, gamma)
    x = sp.Symbol("x")
    (cos_star,) = sp.solve(sp.Eq(branch / (1 - gamma), 0).subs(sp.cos(theta), x), x)
    # T > 0 iff cos(theta) > cos_star; when cos_star >= 1 the set is empty and theta* = 0.
    return sp.Piecewise((sp.acos(cos_star), cos_at_most_one(cos_star, isolate=norm_s)), (0, True))


# ----------------------------------------------------------------------------------------------
# Exact gradient flow (EXT, correction)
# ----------------------------------------------------------------------------------------------

@register("finetune_scale", params=("gamma", "sigma", "depth", "norm_s", "norm_t"), status="EXT",
          reference="docs/background.md §6.3-§6.4", topic="finetune", 
          summary="Gradient-flow rescaling c > 0 of the frozen null-space part, beta_ft = beta_sc + "
                  "c (I - P) beta_s: the positive root of r^2 c^(2L/(L-1)) - a c^2 - b = 0 in the "
                  "proportional limit (c = 1 at sigma = 0 for equal norms; +oo at gamma = 1, sigma > 0).",
          constraints="for gamma >= 1 the scale does not affect beta_ft (no null space); the value "
                      "returned is the root with a = 0, b = |beta_t|^2 + sigma^2/(gamma - 1)")
def finetune_scale():
    return sp.Piecewise(*[(_scale_from_root(A, B), cond) for A, B, cond in _asymptotic_coefficients()])


@register("finetune_transferability_gf", params=("gamma", "theta", "sigma", "depth", "norm_s", "norm_t"),
          status="EXT", reference="docs/background.md §6.3-§6.4 (correction of Theorem 3.9)", topic="finetune",
          summary="Fine-tuning transferability under exact gradient flow: (1 - gamma)(2 c r |beta_t| "
                  "cos(theta) - c^2 r^2) for gamma < 1 with c = finetune_scale, 0 for gamma >= 1; depends "
                  "on depth when sigma > 0.")
def finetune_transferability_gf():
    beta_s, beta_t = teachers()
    c = _scale_under()
    gain = finetune_gain(beta_s, beta_t, 1 - gamma, scale=c)
    # gamma = 1: (1 - gamma) c^2 -> 0 even though c -> oo (c^2 grows like (1 - gamma)^(-(L-1)/L)).
    return sp.Piecewise((gain, gamma < 1), (0, True))


@register("finetune_break_even_theta_gf", params=("gamma", "sigma", "depth", "norm_s", "norm_t"),
          status="EXT", reference="docs/background.md §6.3-§6.4", topic="finetune",
          summary="Angle theta* below which gradient-flow fine-tuning beats scratch: arccos(c r/(2 "
                  "|beta_t|)) for gamma < 1; 0 when c r >= 2 |beta_t| or gamma >= 1 (never helps).")
def finetune_break_even_theta_gf():
    beta_s, beta_t = teachers()
    c, x = sp.Symbol("c", positive=True), sp.Symbol("x")
    bracket = finetune_gain(beta_s, beta_t, 1, scale=c)         # the gain divided by (1 - gamma)
    (cos_star,) = sp.solve(sp.Eq(bracket.subs(sp.cos(theta), x), 0), x)
    # T > 0 iff cos(theta) > cos_star = c r/(2 |beta_t|); empty when cos_star >= 1, i.e. c >= k.
    (k,) = sp.solve(sp.Eq(cos_star, 1), c)
    # c <= k iff the scale equation is >= 0 at k (c^-2 times it is increasing, §6.4). Written
    # without division (times 1 - gamma > 0) so that the condition is finite at every gamma:
    # (1 - gamma) (r^2 k^(2L/(L-1)) - a k^2 - b_signal) >= (1 - gamma) b_noise.
    A, B, cond = _asymptotic_coefficients()[0]
    a, b = A * norm_s ** 2, B * norm_s ** 2
    b_signal = b.subs(sigma, 0)
    b_noise = sp.cancel(sp.expand((b - b_signal) * (1 - gamma)))
    assert sp.expand(b_noise - gamma * sigma ** 2) == 0, b_noise
    lhs = (1 - gamma) * sp.expand(scale_equation(k, depth, norm_s, a, b_signal))
    # The generated code tests a condition on every point: gamma -> min(gamma, 1) (the identity on
    # this branch) keeps it finite for huge gamma as well.
    helps = sp.And(cond, sp.Ge((lhs - b_noise).subs(gamma, sp.Min(gamma, 1)), 0))
    return sp.Piecewise((sp.acos(cos_star.subs(c, _scale_under())), helps), (0, True))
