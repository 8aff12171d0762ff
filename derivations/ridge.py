"""Derivation: the regularised scratch baseline, ridge from scratch (docs/background.md §3.5).

Run ``python derivations/ridge.py`` (``--latex`` for LaTeX output, ``--quiet`` for checks only).

1. Ridge risk from the Marchenko-Pastur primitives (T6), rewritten in a cancellation-free form by
   implicit differentiation of the T6 quadratic and rationalisation; regular at gamma = 0, 1.
2. Ridgeless limit lam -> 0+ = the scratch risk of §3.2; lam -> oo gives ||beta_t||^2.
3. Optimal penalty: dR/dlam = (sigma^2 phi - ||beta_t||^2 lam)(2 m' + lam m'') for ANY Stieltjes
   transform; the second factor is negative, so lam* = sigma^2/(gamma ||beta_t||^2) is the minimum.
   Checked again on the explicit MP root.
4. R* = R(lam*) = (sigma^2/gamma) m_{lam*}; cancellation-free branches; limits; monotonicity;
   worked example 10.
5. Predicted Figure 5 boundary sin^2(theta) = R*: R* solves ell^2 + (gamma - 1 + s) ell - s = 0
   (s = sigma^2/||beta_t||^2), which is linear in gamma.
"""
import random

import sympy as sp

from _derive import check, done, equal, step, title
from ftheory import get, rmt
from ftheory.symbolic import expr_of
from ftheory.theory._symbols import gamma, lam, norm_t, sigma, theta
from ftheory.theory.ridge import (_lam, _m, _phi, mp_quadratic, ridge_forms, ridge_risk_mp,
                                  risk_at_optimal_penalty_abstract)

title("Regularised scratch baseline: ridge from scratch (docs/background.md §3.5)")
g = sp.Symbol("g", positive=True)  # generic gamma > 0 for simplifications involving sqrt(gamma^2 ...)
t = sp.Symbol("t", positive=True)
rng = random.Random(20250101)


def rational(lo, hi):
    return sp.Rational(rng.randint(int(lo * 1000), int(hi * 1000)), 1000)


def factor_radicands(e):
    return sp.simplify(e.replace(lambda x: isinstance(x, sp.Pow) and x.exp == sp.S.Half,
                                 lambda x: sp.sqrt(sp.factor(x.base))))


def close(a, b, digits=40):
    a, b = sp.N(a, digits + 10), sp.N(b, digits + 10)
    return abs(a - b) <= sp.Float(10) ** (-digits) * (1 + abs(a))


# 1. the ridge risk from T6 -------------------------------------------------------------------------
m = rmt.mp_stieltjes(_phi, _lam)
mprime = rmt.mp_stieltjes_derivative(_phi, _lam)
step("(T6) m_lambda, the positive root of phi lambda m^2 + (1 - phi + lambda) m - 1 = 0", m)
check("m_lambda solves the T6 quadratic", sp.simplify(mp_quadratic(m, _phi, _lam)) == 0)
raw = ridge_risk_mp()
step("§3.5: R(lambda) = ||beta_t||^2 lambda^2 m'_lambda + sigma^2 phi (m_lambda - lambda m'_lambda)")
f = ridge_forms()
step("gamma x (T6 quadratic) at phi = 1/gamma", f.quadratic)
step("its discriminant D = B^2 + 4 gamma lambda, B = gamma(1 + lambda) - 1", f.D)
check("D is the discriminant of the quadratic",
      sp.expand(f.D - sp.discriminant(sp.Poly(f.quadratic, _m))) == 0)
m_g = m.subs({_phi: 1 / g, _lam: lam})
check("shrinkage ell = lambda m_lambda = (sqrt(D) - B)/2 (the T6 root)",
      sp.simplify(lam * m_g - f.ell_under.subs(gamma, g)) == 0)
step("rationalised root (no cancellation for B >= 0)", f.ell_over)
check("2 gamma lambda/(B + sqrt(D)) = (sqrt(D) - B)/2", sp.simplify(f.ell_over - f.ell_under) == 0)
step("implicit differentiation of the quadratic: m' = -dm/dlambda", f.mprime)
check("m' at the positive root equals the primitive rmt.mp_stieltjes_derivative",
      sp.simplify(f.mprime.subs(_m, m_g).subs(gamma, g) - mprime.subs({_phi: 1 / g, _lam: lam})) == 0)
check("2 lambda m + B = sqrt(D) at the positive root",
      sp.simplify((2 * lam * m_g + f.B - sp.sqrt(f.D)).subs(gamma, g)) == 0)
step("bias term ||beta_t||^2 lambda^2 m' in terms of ell", f.bias)
step("variance term sigma^2 phi (m - lambda m') = sigma^2 (1 - ell)/sqrt(D) = 2 sigma^2 gamma/(sqrt(D)(S + sqrt(D)))",
     f.variance)
raw_g = raw.subs({_phi: 1 / g, _lam: lam})
check("cancellation-free form (B < 0 root) = the T6 ridge risk, symbolically",
      sp.simplify(raw_g - f.risk(f.ell_under).subs(gamma, g)) == 0)
check("cancellation-free form (B >= 0 root) = the T6 ridge risk, symbolically",
      sp.simplify(raw_g - f.risk(f.ell_over).subs(gamma, g)) == 0)
R = get("scratch_ridge_risk")
expr = R.expr
step("Registered scratch_ridge_risk (lambda = 0 branches: the scratch risk of §3.2)", expr)
over, under = f.risk(f.ell_over), f.risk(f.ell_under)
assembled = sp.piecewise_fold(sp.Piecewise((expr_of("scratch_risk"), sp.Eq(lam, 0)),
                                           (over.subs(gamma, 1), sp.Eq(gamma, 1)),
                                           (over, gamma * (1 + lam) >= 1), (under, True)))
check("registered expression = the assembled branches", equal(expr, assembled))
for _ in range(6):
    pt = {gamma: rational(0.01, 3), lam: rational(0.001, 3), sigma: rational(0, 2), norm_t: rational(0.2, 3)}
    check(f"T6 formula = registered value at {pt}",
          close(raw.subs({_phi: 1 / pt[gamma], _lam: pt[lam]}).subs(pt), expr.subs(pt)))

# gamma = 0 (phi = oo) and gamma = 1 are regular points of the rewritten form
raw_lim0 = sp.limit(raw_g.subs({lam: sp.Rational(3, 10)}), g, 0, "+")
check("gamma -> 0+ of the T6 formula (lambda = 3/10) is ||beta_t||^2; the rewritten form gives it at gamma = 0",
      equal(raw_lim0, norm_t ** 2) and equal(under.subs(gamma, 0), norm_t ** 2))
check("gamma = 1: rewritten form = T6 formula (phi = 1)",
      sp.simplify(raw.subs({_phi: 1, _lam: lam}) - over.subs(gamma, 1)) == 0)

# 2. ridgeless and infinite-penalty limits -----------------------------------------------------------
sc = expr_of("scratch_risk")
lim_over = sp.simplify(sp.limit(over.subs(gamma, 1 + t), lam, 0, "+"))
lim_under = sp.simplify(sp.limit(under.subs(gamma, 1 / (1 + t)), lam, 0, "+"))
step("lambda -> 0+ at gamma = 1 + t", lim_over)
step("lambda -> 0+ at gamma = 1/(1 + t)", lim_under)
check("ridgeless limit = scratch risk (eq. (8)) for gamma > 1", equal(lim_over, sc.args[1][0].subs(gamma, 1 + t)))
check("ridgeless limit = scratch risk (eq. (8)) for gamma < 1",
      equal(lim_under, sc.args[0][0].subs(gamma, 1 / (1 + t))))
check("lambda -> 0+ at gamma = 1, sigma > 0: +oo (interpolation peak)",
      sp.limit(over.subs({gamma: 1, sigma: sp.Rational(1, 5)}), lam, 0, "+") == sp.oo)
check("lambda -> oo: ||beta_t||^2 (beta_hat -> 0)",
      equal(sp.limit(over.subs(gamma, g), lam, sp.oo), norm_t ** 2))

# 3. optimal penalty -----------------------------------------------------------------------------------
R_abs, dR, lam_factor, other, lam_star, R_star_abs = risk_at_optimal_penalty_abstract()
step("ridge risk for an abstract Stieltjes transform m(lambda) (m'_lambda = -dm/dlambda)", R_abs)
step("dR/dlambda, factorised", dR)
x = sp.Symbol("x", positive=True)
point_mass = sp.simplify(other.subs(sp.Function("m")(lam), 1 / (x + lam)).doit())
step("second factor for a point mass at eigenvalue x (linear in the measure)", point_mass)
check("2 m' + lambda m'' = -2 int x/(x + lambda)^3 dmu < 0, so dR/dlambda changes sign only at the zero "
      "of the first factor", sp.simplify(point_mass + 2 * x / (x + lam) ** 3) == 0)
check("dR/dlambda = (sigma^2/gamma - ||beta_t||^2 lambda) x (negative): < 0 below lambda*, > 0 above",
      sp.simplify(dR / other - (sigma ** 2 / gamma - norm_t ** 2 * lam)) == 0)
step("lambda* (the minimiser)", lam_star)
check("lambda* = sigma^2/(gamma ||beta_t||^2) (docs/background.md §3.5)", equal(lam_star, sigma ** 2 / (gamma * norm_t ** 2)))
dR_raw = sp.diff(raw, _lam)
for _ in range(4):
    pt = {_phi: 1 / rational(0.05, 3), sigma: rational(0.05, 2), norm_t: rational(0.2, 3)}
    ls = (sigma ** 2 * pt[_phi] / norm_t ** 2).subs(pt)
    check(f"explicit MP root: dR/dlambda = 0 at lambda* = {ls} (phi = {pt[_phi]})",
          close(dR_raw.subs(pt).subs(_lam, ls), 0, 30))
    check("... and R(lambda*) < R(lambda* (1 +- 1/10))",
          all(sp.N(raw.subs(pt).subs(_lam, ls)) < sp.N(raw.subs(pt).subs(_lam, ls * k))
              for k in (sp.Rational(9, 10), sp.Rational(11, 10))))
ls_reg = get("scratch_optimal_ridge").expr
step("Registered scratch_optimal_ridge", ls_reg)
check("registered: 0 at sigma = 0, +oo at gamma = 0 (sigma > 0), lambda* otherwise",
      equal(ls_reg, sp.Piecewise((0, sp.Eq(sigma, 0)), (sp.oo, sp.Eq(gamma, 0)), (lam_star, True))))

# 4. optimal risk ---------------------------------------------------------------------------------------
step("R(lambda*) for the abstract transform: the m' terms cancel", R_star_abs)
M = sp.Symbol("M")
check("R* = (sigma^2/gamma) m_{lambda*}",
      sp.simplify(R_star_abs.subs(sp.Function("m")(lam_star), M) - sigma ** 2 / gamma * M) == 0)
phi_star = 1 / gamma
m_theory = (-(1 - phi_star + lam_star) + sp.sqrt((1 - phi_star + lam_star) ** 2 + 4 * phi_star * lam_star)) \
    / (2 * phi_star * lam_star)
R_theory = sigma ** 2 / gamma * m_theory  # docs/background.md §3.5 as printed
Rs = get("scratch_risk_optimal_ridge").expr
step("Registered scratch_risk_optimal_ridge", Rs)
(v0a, c0a), (v0b, c0b), (vz, cz), (vo, co), (vu, cu) = Rs.args
sg, rt = sp.Symbol("sg", positive=True), sp.Symbol("rt", positive=True)
gen = {sigma: sg, norm_t: rt, gamma: g}
check("B >= 0 branch = (sigma^2/gamma) m_{lambda*} of docs/background.md §3.5, symbolically",
      sp.simplify((vo - R_theory).subs(gen)) == 0)
check("B < 0 branch = (sigma^2/gamma) m_{lambda*} of docs/background.md §3.5, symbolically",
      sp.simplify((vu - R_theory).subs(gen)) == 0)
check("B = 0 (gamma = 1 - sigma^2/||beta_t||^2) branch = the B >= 0 branch there",
      sp.simplify((vo.subs(gamma, 1 - sigma ** 2 / norm_t ** 2) - vz).subs(gen)) == 0)
check("R* is R(lambda*) of the registered ridge risk at random points",
      all(close(expr.subs({lam: (sigma ** 2 / (gamma * norm_t ** 2))}).subs(pt), Rs.subs(pt), 30)
          for pt in [{gamma: rational(0.05, 3), sigma: rational(0.05, 2), norm_t: rational(0.2, 3)}
                     for _ in range(5)]))
check("sigma = 0 branch: ||beta_t||^2 (1 - gamma)_+",
      equal(v0a, norm_t ** 2 * (1 - gamma)) and c0a == sp.And(sp.Eq(sigma, 0), gamma < 1) and v0b == 0)
check("sigma -> 0+ of the generic branches: ||beta_t||^2 (1 - gamma) for gamma < 1, 0 for gamma > 1",
      equal(sp.limit(vu.subs(gamma, 1 / (1 + t)), sigma, 0, "+"), norm_t ** 2 * (1 - 1 / (1 + t)))
      and sp.limit(vo.subs(gamma, 1 + t), sigma, 0, "+") == 0)
check("sigma -> 0+ at gamma = 1 (B = sigma^2/||beta_t||^2 -> 0): R* = ||beta_t|| sigma + O(sigma^2) -> 0",
      sp.limit(vo.subs(gamma, 1), sigma, 0, "+") == 0)
check("gamma = 0: R* = ||beta_t||^2 on both sides of sigma = ||beta_t||",
      equal(factor_radicands(vu.subs(gamma, 0).subs(gen)), rt ** 2)
      and equal(factor_radicands(vo.subs(gamma, 0).subs(gen)), rt ** 2))
R1 = vo.subs({gamma: 1, sigma: sp.Rational(1, 5), norm_t: 1})
step("worked example 10: gamma = 1, sigma = 0.2", sp.nsimplify(R1))
check("worked example 10: lambda* = 0.04, R* = 0.1810 (to 4 digits), finite at gamma = 1",
      ls_reg.subs({gamma: 1, sigma: sp.Rational(1, 5), norm_t: 1}) == sp.Rational(1, 25)
      and abs(sp.N(R1) - sp.Rational(181, 1000)) < sp.Rational(5, 100000))
ell = sp.Symbol("ell", positive=True)
s_ = sigma ** 2 / norm_t ** 2
quad_ell = sp.together(mp_quadratic(ell / lam_star, 1 / gamma, lam_star))
step("T6 quadratic at lambda*, written for ell = lambda* m_{lambda*} (= R*/||beta_t||^2)", quad_ell)
target = ell ** 2 + (gamma - 1 + s_) * ell - s_
check("it is ||beta_t||^2/sigma^2 x (ell^2 + (gamma - 1 + s) ell - s), s = sigma^2/||beta_t||^2",
      sp.cancel(quad_ell / target) == norm_t ** 2 / sigma ** 2)
dl = sp.idiff(target, ell, gamma)
step("d ell/d gamma by implicit differentiation", sp.factor(dl))
check("d ell/d gamma = -ell/(2 ell + gamma - 1 + s) = -ell/sqrt(D*) < 0: R* decreasing in gamma",
      sp.simplify(dl + ell / (2 * ell + gamma - 1 + s_)) == 0)
check("2 ell + gamma - 1 + s = sqrt((gamma - 1 + s)^2 + 4 s) at the positive root (so it is > 0)",
      sp.simplify((2 * (vu / norm_t ** 2) + gamma - 1 + s_
                   - sp.sqrt((gamma - 1 + s_) ** 2 + 4 * s_)).subs(gen)) == 0)
check("R* <= ||beta_t||^2: lambda -> oo gives ||beta_t||^2 and R* is the minimum over lambda (step 3); "
      "R* <= R_sc: lambda -> 0+ gives R_sc (step 2)", True)

# 5. predicted Figure 5 boundary ------------------------------------------------------------------------
q = sp.Symbol("q", positive=True)
(g_q,) = sp.solve(target.subs(ell, q), gamma)
step("solve ell(gamma) = q for gamma (linear)", sp.factor(g_q))
gb = get("lt_boundary_tuned").expr
step("Registered lt_boundary_tuned (q = sin^2 theta)", gb)
check("generic branch = (1 - q)(q + s)/q at q = sin^2(theta), i.e. cos^2(theta)(1 + sigma^2/(||beta_t||^2 sin^2 theta))",
      sp.simplify(gb.args[2][0] - g_q.subs(q, sp.sin(theta) ** 2)) == 0)
check("sigma = 0: gamma_b = cos^2(theta), the noiseless boundary of §5.4", equal(gb.args[0][0], sp.cos(theta) ** 2))
check("theta = pi/2: gamma_b = 0 (R* < ||beta_t||^2 for every gamma > 0)", gb.args[2][0].subs(theta, sp.pi / 2) == 0)
check("theta -> 0+: gamma_b -> +oo (no crossing), the value of the theta in {0, pi} branch",
      sp.limit(gb.args[2][0].subs(sigma, sg), theta, 0, "+") == sp.oo and gb.args[1][0] == sp.oo)
T = get("linear_transfer_transferability_tuned").expr
check("linear_transfer_transferability_tuned = R* - ||beta_t||^2 sin^2(theta)",
      equal(T, sp.piecewise_fold(Rs - norm_t ** 2 * sp.sin(theta) ** 2)))
for th in (sp.pi / 8, sp.pi / 4, sp.pi / 3):
    gbv = gb.args[2][0].subs({theta: th, sigma: sp.Rational(1, 5), norm_t: 1})
    Tv = T.subs({theta: th, sigma: sp.Rational(1, 5), norm_t: 1})
    check(f"theta = {th}: T_tuned(gamma_b = {sp.N(gbv, 6)}) = 0, > 0 below, < 0 above",
          close(Tv.subs(gamma, gbv), 0, 30) and sp.N(Tv.subs(gamma, gbv * sp.Rational(9, 10))) > 0
          and sp.N(Tv.subs(gamma, gbv * sp.Rational(11, 10))) < 0)
done()
