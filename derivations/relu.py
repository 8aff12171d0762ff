"""Derivation: arc-cosine kernels of ReLU neurons and their Mercer decomposition (docs/background.md §10.2).

Run ``python derivations/relu.py`` (``--latex`` for LaTeX output, ``--quiet`` for checks only).

1. Route 1 (polar coordinates, (T8)): the Gaussian integral over the plane of the two neurons gives
   the degree-1 kernel (paper eq. (167)) and the degree-0 kernel; special values; Price's theorem
   ``kappa' = kappa_0``.
2. Route 2 (Hermite / Mehler): the Hermite coefficients of relu by direct integration, their closed
   form, and the Taylor series of kappa: both routes agree.
3. Route 3 (Funk-Hecke / Gegenbauer on S^{d-1}): the Rodrigues formula and two integrations by parts
   give relu's and step's Funk-Hecke coefficients for symbolic d and degree; exact integration for
   small d and degrees; the arc-cosine kernel's own Funk-Hecke integral equals d lambda_l^2; the
   multiplicities; d -> oo recovers the Hermite coefficients.
"""
import mpmath
import sympy as sp

from _derive import check, done, equal, step, title
from ftheory import get
from ftheory.symbolic import expr_of
from ftheory.theory._symbols import d, ell, norm_v, norm_w, u
from ftheory.theory.relu import (Beta, sphere_projection_density, gegenbauer_normalised, hermite_coefficient,
                                 polar_expectation, rodrigues_constant)

title("ReLU neurons: arc-cosine kernels and their Mercer decomposition (docs/background.md §10.2)")

# 1. route 1: polar coordinates ----------------------------------------------------------------
phi = sp.Symbol("phi", nonnegative=True)
a, b = sp.symbols("a b", positive=True)
k1_phi = polar_expectation(1, (a, b))
k0_phi = polar_expectation(0, (a, b))
step("(T8) E[relu(w.x) relu(v.x)] = (1/2pi) int_0^oo r^3 e^{-r^2/2} dr "
     "int_{phi-pi/2}^{pi/2} |w||v| cos(alpha) cos(alpha - phi) dalpha", k1_phi)
step("Degree 0: (1/2pi) int_0^oo r e^{-r^2/2} dr int_{phi-pi/2}^{pi/2} dalpha", k0_phi)
kappa = expr_of("relu_arccos_kernel")
kappa0 = expr_of("relu_step_kernel")
paper = norm_w * norm_v * (sp.sqrt(1 - u ** 2) + u * (sp.pi - sp.acos(u))) / (2 * sp.pi)
step("With u = cos(phi) (sin(arccos u) = sqrt(1 - u^2)): registered relu_arccos_kernel", kappa)
check("equals paper eq. (167) times |w||v| (docs/background.md §10.2)", equal(kappa, paper))
angles = [0, sp.pi / 6, sp.pi / 4, sp.pi / 3, sp.pi / 2, 2 * sp.pi / 3, 5 * sp.pi / 6, sp.pi]
check("polar result at phi = 0, pi/6, ..., pi equals the registered kernel at u = cos(phi), |w| = 2, |v| = 3",
      all(equal(k1_phi.subs({a: 2, b: 3, phi: x}), kappa.subs({norm_w: 2, norm_v: 3, u: sp.cos(x)}))
          for x in angles))
check("degree 0: (pi - arccos u)/(2 pi)", equal(kappa0, (sp.pi - sp.acos(u)) / (2 * sp.pi)))
check("degree 0 does not depend on the norms", not k0_phi.has(a) and not k0_phi.has(b))
unit = kappa.subs({norm_w: 1, norm_v: 1})
check("kappa(1) = 1/2 (= E relu(g)^2)", unit.subs(u, 1) == sp.Rational(1, 2))
check("kappa(0) = 1/(2 pi)", unit.subs(u, 0) == 1 / (2 * sp.pi))
check("kappa(-1) = 0", unit.subs(u, -1) == 0)
check("kappa_0(1) = 1/2, kappa_0(0) = 1/4, kappa_0(-1) = 0",
      [kappa0.subs(u, x) for x in (1, 0, -1)] == [sp.Rational(1, 2), sp.Rational(1, 4), 0])
check("Price's theorem: d kappa/du = kappa_0 (relu' = step)", equal(sp.diff(unit, u), kappa0))
check("kappa_0(u) = 1/4 + arcsin(u)/(2 pi) (odd part only beyond the constant)",
      equal(kappa0.rewrite(sp.asin), sp.Rational(1, 4) + sp.asin(u) / (2 * sp.pi)))

# 2. route 2: Hermite / Mehler ----------------------------------------------------------------
top = 12
xi = [hermite_coefficient(j) for j in range(top + 1)]
step("xi_l = E[relu(g) He_l(g)]/sqrt(l!) by direct integration, l = 0..6", sp.Matrix(xi[:7]).T)
coeff = expr_of("relu_hermite_coefficient_sq")
step("Closed form (Gaussian integration by parts, relu'' = delta_0): registered xi_l^2", coeff)
check(f"xi_l^2 equals the registered closed form for l = 0..{top}",
      all(equal(xi[j] ** 2, coeff.subs(ell, j)) for j in range(top + 1)))
check("xi_l = 0 for every odd l >= 3 (l <= 12)", all(xi[j] == 0 for j in range(3, top + 1, 2)))
series = sp.series(unit, u, 0, top + 1).removeO()
step("Taylor series of the route-1 kernel at u = 0", sp.series(unit, u, 0, 8))
check(f"Mehler: the Taylor coefficients of kappa are xi_l^2 for l = 0..{top} (routes 1 and 2 agree)",
      all(equal(series.coeff(u, j), xi[j] ** 2) for j in range(top + 1)))
check("first coefficients 1/(2pi), 1/4, 1/(4pi), 0, 1/(48pi), 0, 1/(160pi) (docs/background.md §10.2)",
      [series.coeff(u, j) for j in range(7)]
      == [1 / (2 * sp.pi), sp.Rational(1, 4), 1 / (4 * sp.pi), 0, 1 / (48 * sp.pi), 0, 1 / (160 * sp.pi)])
check("even l: xi_l^2 = ((l-3)!!)^2/(2 pi l!) for l = 2..12",
      all(equal(coeff.subs(ell, j), sp.factorial2(j - 3) ** 2 / (2 * sp.pi * sp.factorial(j)))
          for j in range(2, top + 1, 2)))
jj = sp.Symbol("j", integer=True, positive=True)
even_terms = sp.gammasimp(coeff.args[-1][0].subs(ell, 2 * jj).rewrite(sp.gamma))
total = sp.unpolarify(sp.summation(even_terms, (jj, 1, sp.oo))) + coeff.subs(ell, 0) + coeff.subs(ell, 1)
check("sum_l xi_l^2 = kappa(1) = 1/2 = E relu(g)^2 (exact summation)", sp.simplify(total) == sp.Rational(1, 2))

# 3. route 3: Funk-Hecke / Gegenbauer ------------------------------------------------------------
i = sp.Symbol("i", integer=True, nonnegative=True)
t = sp.Symbol("t", real=True)
cd = sphere_projection_density()
step("Funk-Hecke: lambda_l(f) = c_d int_{-1}^{1} f(t) P_l(t) (1-t^2)^{(d-3)/2} dt, c_d", cd)
step("Rodrigues: P_l(t)(1-t^2)^{(d-3)/2} = (-1)^l R_{l,d} (d/dt)^l g(t), g = (1-t^2)^{l+(d-3)/2}, R_{l,d}",
     rodrigues_constant(ell))
step("relu, l >= 2: int_0^1 t g^{(l)} dt = [t g^{(l-1)}]_0^1 - [g^{(l-2)}]_0^1 = g^{(l-2)}(0) "
     "(derivatives of order < l + (d-3)/2 vanish at t = 1); g^{(2i)}(0) = (2i)! (-1)^i binom(a, i), "
     "odd orders vanish => lambda_l = 0 for odd l >= 3")
k_even = 2 * i + 2
a_exp = k_even + (d - 3) / 2
binom = sp.gamma(a_exp + 1) / (sp.gamma(i + 1) * sp.gamma(a_exp - i + 1))
derived_even = cd * rodrigues_constant(k_even) * sp.factorial(2 * i) * (-1) ** i * binom
fh = expr_of("relu_funk_hecke")
registered_even = fh.args[-1][0].subs(ell, k_even).rewrite(sp.gamma)
ratio = sp.gammasimp(sp.powsimp(derived_even / registered_even, force=True))
step("Derived even-degree coefficient (l = 2i + 2) over the registered Beta form", ratio)
check("Rodrigues derivation = registered (-1)^{l/2} Beta(d/2, (l+1)/2)/(2 pi (1 - l)) for symbolic d and even l >= 2",
      sp.simplify(ratio) == 1)
lam0 = cd * sp.integrate(t * (1 - t ** 2) ** ((d - 3) / 2), (t, 0, 1), conds="none")
check("l = 0: c_d int_0^1 t (1-t^2)^{(d-3)/2} dt = c_d/(d-1) equals the even formula at l = 0",
      sp.simplify(sp.gammasimp(lam0 / fh.args[-1][0].subs(ell, 0).rewrite(sp.gamma))) == 1)
check("l = 1: lambda_1 = (1/2) E_w[(w.x)^2] = 1/(2d)", equal(fh.subs(ell, 1), 1 / (2 * d)))
limit_at_1 = sp.limit(sp.gammasimp((sp.cos(sp.pi * ell / 2) * Beta(d / 2, (ell + 1) / 2) /
                                    (2 * sp.pi * (1 - ell))).rewrite(sp.gamma)), ell, 1)
check("the even formula with cos(pi l/2) for (-1)^{l/2} continues analytically to lambda_1 = 1/(2d)",
      equal(limit_at_1, 1 / (2 * d)))
step("step, l >= 1: int_0^1 g^{(l)} dt = -g^{(l-1)}(0) (nonzero only for odd l)")
k_odd = 2 * i + 1
a_odd = k_odd + (d - 3) / 2
binom_odd = sp.gamma(a_odd + 1) / (sp.gamma(i + 1) * sp.gamma(a_odd - i + 1))
derived_odd = cd * (-1) ** k_odd * rodrigues_constant(k_odd) * (-sp.factorial(2 * i) * (-1) ** i * binom_odd)
sfh = expr_of("step_funk_hecke")
ratio_odd = sp.gammasimp(sp.powsimp(derived_odd / sfh.args[-1][0].subs(ell, k_odd).rewrite(sp.gamma), force=True))
check("step: Rodrigues derivation = registered (-1)^{(l-1)/2} Beta(d/2, l/2)/(2 pi) for symbolic d and odd l",
      sp.simplify(sp.expand_power_base(ratio_odd, force=True)) == 1)

# exact integration for small d and degrees, in the angle t = cos(theta) (weight sin^{d-2})
th = sp.Symbol("vartheta", positive=True)


def funk_hecke_exact(f_of_cos, dim, degree, lower=0):
    """c_d int f(cos th) P_l(cos th) sin^{d-2}(th) dth over th in [0, pi] (f vanishing beyond `lower`)."""
    poly = gegenbauer_normalised(degree, dim, t).subs(t, sp.cos(th))
    upper = sp.pi / 2 if lower == 0 else sp.pi
    value = sp.integrate(sp.expand(f_of_cos * poly * sp.sin(th) ** (dim - 2)), (th, 0, upper))
    return sp.simplify(sphere_projection_density(dim) * value)


relu_ok = step_ok = kappa_ok = True
sph = expr_of("relu_sphere_eigenvalue")
ssph = expr_of("step_sphere_eigenvalue")
kappa_of_th = (sp.sin(th) + (sp.pi - th) * sp.cos(th)) / (2 * sp.pi)
for dim in range(2, 6):
    for degree in range(0, 9):
        exact_relu = funk_hecke_exact(sp.cos(th), dim, degree)
        exact_step = funk_hecke_exact(1, dim, degree)
        relu_ok &= equal(exact_relu, fh.subs({d: dim, ell: degree}))
        step_ok &= equal(exact_step, sfh.subs({d: dim, ell: degree}))
        if degree <= 4 and dim <= 4:
            exact_kappa = funk_hecke_exact(kappa_of_th, dim, degree, lower=None)
            kappa_ok &= equal(exact_kappa, sph.subs({d: dim, ell: degree}))
            kappa_ok &= equal(funk_hecke_exact(1 - th / sp.pi, dim, degree, lower=None) / 2,
                              ssph.subs({d: dim, ell: degree}))
step("Examples on S^2 (d = 3): relu's lambda_l, l = 0..8", sp.Matrix([fh.subs({d: 3, ell: j}) for j in range(9)]).T)
step("... and the arc-cosine kernel's mu_l = 3 lambda_l^2", sp.Matrix([sph.subs({d: 3, ell: j}) for j in range(9)]).T)
check("relu Funk-Hecke coefficients = exact integrals for d = 2..5, l = 0..8", relu_ok)
check("step Funk-Hecke coefficients = exact integrals for d = 2..5, l = 0..8", step_ok)
check("Funk-Hecke integral of kappa(t) itself = d lambda_l^2 and of kappa_0(t) = lambda_l(step)^2, "
      "d = 2..4, l = 0..4 (kappa = d K_unif; kappa_0 = K_unif of step)", kappa_ok)
check("exact values: d = 3 gives rationals (lambda_2 = 1/16, lambda_4 = -1/96), d = 2 gives 1/pi multiples",
      fh.subs({d: 3, ell: 2}) == sp.Rational(1, 16) and fh.subs({d: 3, ell: 4}) == -sp.Rational(1, 96)
      and fh.subs({d: 2, ell: 2}) == 1 / (3 * sp.pi))

mult = expr_of("sphere_harmonic_multiplicity")
count = [sp.binomial(j + dim - 1, dim - 1) - (sp.binomial(j + dim - 3, dim - 1) if j >= 2 else 0)
         for dim in range(2, 9) for j in range(0, 12)]
check("N(d, l) = dim(homogeneous polynomials of degree l) - dim(degree l - 2), d = 2..8, l = 0..11",
      [mult.subs({d: dim, ell: j}) for dim in range(2, 9) for j in range(0, 12)] == count)
check("N(1, l) = 1, 1, 0, 0 (S^0 has two points)", [mult.subs({d: 1, ell: j}) for j in range(4)] == [1, 1, 0, 0])
gen = mult.args[-1][0].rewrite(sp.gamma)
textbook = (2 * ell + d - 2) * sp.gamma(ell + d - 2) / (sp.gamma(ell + 1) * sp.gamma(d - 1))
check("N(d, l) = (2l + d - 2) (l + d - 3)! / (l! (d - 2)!) for symbolic d, l",
      sp.simplify(sp.gammasimp(gen / textbook)) == 1)

terms3 = sp.gammasimp((sph.args[-1][0] * mult.args[-1][0]).subs({d: 3, ell: 2 * jj}).rewrite(sp.gamma))
trace3 = sp.unpolarify(sp.summation(terms3, (jj, 1, sp.oo))) + sum(
    sph.subs({d: 3, ell: j}) * mult.subs({d: 3, ell: j}) for j in (0, 1))
check("Mercer trace on S^2: sum_l N(3, l) mu_l = kappa(1) = 1/2 (exact summation)",
      sp.simplify(trace3) == sp.Rational(1, 2))
with mpmath.workdps(30):
    mu = get("relu_sphere_eigenvalue")
    nn = get("sphere_harmonic_multiplicity")
    for dim in (4, 10, 100):
        # odd degrees >= 3 vanish: sum the even ones (nsum's extrapolation fails on the zeros)
        def even_term(j, dim=dim):
            return mu.mp(dps=30, d=dim, ell=int(2 * j)) * nn.mp(dps=30, d=dim, ell=int(2 * j))

        trace = mpmath.nsum(even_term, [0, mpmath.inf]) + mu.mp(dps=30, d=dim, ell=1) * dim
        error = float(abs(trace - mpmath.mpf(1) / 2))
        check(f"Mercer trace sum_l N(d, l) mu_l = 1/2 at d = {dim} (mpmath nsum, |error| = {error:.1e})", error < 1e-9)

big = sp.Symbol("D", positive=True)
large_d_ok = True
# even degrees (general branches; l = 0 has N = 1). Only l = 0 needs a limit of Gamma functions
# (Gamma(D/2) Gamma(D/2 + 1) / Gamma(D/2 + 1/2)^2 -> 1); the other degrees differ from it by a
# rational function of D (integer shifts of the same Gamma arguments), whose limit is immediate.
term0 = sph.args[-1][0].subs(ell, 0).rewrite(sp.gamma).subs(d, 2 * big)  # big = d/2
limit0 = sp.limit(sp.gammasimp(term0), big, sp.oo)
step("d -> oo, l = 0: mu_0(d) ->", limit0)
large_d_ok &= equal(limit0, coeff.subs(ell, 0))
for degree in range(2, 9, 2):
    term = (mult.args[-1][0] * sph.args[-1][0]).subs(ell, degree).rewrite(sp.gamma).subs(d, 2 * big)
    rational = sp.simplify(sp.expand_func(term / term0))
    large_d_ok &= rational.is_rational_function(big) and equal(
        limit0 * sp.limit(rational, big, sp.oo), coeff.subs(ell, degree))
large_d_ok &= equal(sp.limit((mult.subs(ell, 1) * sph.subs(ell, 1)).subs(d, big), big, sp.oo), coeff.subs(ell, 1))
check("d -> oo: N(d, l) mu_l(d) -> xi_l^2 for l = 0, 1, 2, 4, 6, 8 (Gegenbauer -> monomials: route 3 -> route 2)",
      large_d_ok)

gauss = expr_of("relu_gaussian_eigenvalue")
check("Gaussian inputs: eigenvalue = d mu_l (E|x|^2 = d); 1/4 at l = 1 for every d",
      equal(gauss.args[-1][0], d * sph.args[-1][0]) and gauss.subs(ell, 1) == sp.Rational(1, 4))
check("uniform-neuron kernel eigenvalue = lambda_l^2 = mu_l / d",
      equal(expr_of("relu_uniform_kernel_eigenvalue").args[-1][0], sph.args[-1][0] / d))
check("Beta evaluates exactly: Beta(3/2, 3/2) = pi/8", Beta(sp.Rational(3, 2), sp.Rational(3, 2)) == sp.pi / 8)
done()
