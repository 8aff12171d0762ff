"""Derivation: linear transfer and its phase diagram (docs/background.md §4, §5).

Run ``python derivations/linear_transfer.py`` (``--latex`` for LaTeX output, ``--quiet`` for checks only).

1. §4.1 reduction, on explicit symbolic vectors (d = 3, n = 2): refitting the read-out of the rank-one
   pretrained feature map gives beta_lt = b u_s with b = z^T y/(||z||^2 + n lam_eff), and
   R = (b - ||beta_t|| cos)^2 + ||beta_t||^2 sin^2.
2. §4.2 exact finite n at lam = 0 from (T5) and (T4); infinite for n <= 2; worked example 9.
3. §4.3-§4.4 proportional limit by the law of large numbers; dR/dlam >= 0; exact lam > 0 as a
   Laplace integral over the chi-square law (checked against the q-integral of docs/background.md §4.4 with mpmath).
4. §4.5 rank-k features via (T2); k = 1 recovers §4.2. (Not registered yet: needs parameters k, residual.)
5. §5.1 separability, §5.2 boundaries (roots, discriminant, theta_min), §5.3 sign pattern, §5.4 noiseless
   limit, §5.5 exact finite transferability; worked examples 3, 4, 5.
"""
import mpmath
import sympy as sp

from _derive import check, done, equal, step, title
from ftheory import get, rmt
from ftheory.symbolic import expr_of
from ftheory.theory import linear_transfer as lt
from ftheory.theory import linear_transfer_boundaries as ltb
from ftheory.theory._symbols import d, depth, gamma, lam, n, norm_s, norm_t, sigma, theta

title("Linear transfer and its phase diagram (docs/background.md §4, §5)")
c_, s_ = sp.cos(theta), sp.sin(theta)
half, fifth = sp.Rational(1, 2), sp.Rational(1, 5)


def close(a, b, digits=25):
    a, b = sp.N(a, digits + 10), sp.N(b, digits + 10)
    return abs(a - b) <= sp.Float(10) ** (-digits) * (1 + abs(a))


# 1. §4.1 reduction on explicit symbolic vectors ---------------------------------------------------
X = sp.Matrix(2, 3, sp.symbols("x_11 x_12 x_13 x_21 x_22 x_23", real=True))
y = sp.Matrix(sp.symbols("y_1 y_2", real=True))
u = sp.Matrix(sp.symbols("u_1:4", real=True))   # source direction (not yet normalised)
p = sp.Matrix(sp.symbols("p_1:4", real=True))   # gauge direction u_L of the hidden layer
g, lam_ = sp.symbols("g lambda", positive=True)  # feature scale s^(L-1), ridge penalty
Phi = g * u * p.T
F = X * Phi
W = (F.T * F + 2 * lam_ * sp.eye(3)).inv() * F.T * y
beta_lt = Phi * W
z = X * u
norm2 = lambda v: (v.T * v)[0]  # noqa: E731
b_general = g ** 2 * norm2(p) * (z.T * y)[0] / (g ** 2 * norm2(p) * norm2(z) + 2 * lam_)
step("Pretrained rank-one feature map Phi = g u p^T (d = 3), features F = X Phi (n = 2), ridge read-out "
     "W = (F^T F + n lam I)^{-1} F^T y, beta_lt = Phi W")
check("beta_lt = b u with b = g^2 ||p||^2 z^T y/(g^2 ||p||^2 ||z||^2 + n lam), z = X u (any u, p)",
      sp.simplify(beta_lt - b_general * u) == sp.zeros(3, 1))
b_unit = lt.readout_coefficient(sp.Symbol("zz"), sp.Symbol("zy"), 2, lam_ / g ** 2)
check("for unit u, p: b = z^T y/(||z||^2 + n lam/g^2), i.e. lam_eff = lam/g^2 (§4.1)",
      sp.simplify(b_general.subs({norm2(p): 1}) - (z.T * y)[0] / (norm2(z) + 2 * lam_ / g ** 2)) == 0
      and b_unit == sp.Symbol("zy") / (sp.Symbol("zz") + 2 * lam_ / g ** 2))
check("with the feature scale g = ||beta_s||^((L-1)/L) of §2.4, lam/g^2 = lam_eff of the module",
      sp.simplify(lt.lam_eff() - lam / (norm_s ** ((depth - 1) / depth)) ** 2) == 0)
check("lam -> 0+: b -> z^T y/||z||^2, one-parameter least squares (no dependence on g, L, ||beta_s||)",
      sp.simplify(sp.limit(b_general, lam_, 0, "+") - (z.T * y)[0] / norm2(z)) == 0)
b = sp.Symbol("b", real=True)
e1, e2 = sp.Matrix([1, 0, 0]), sp.Matrix([0, 1, 0])
beta_t = norm_t * (c_ * e1 + s_ * e2)
check("R = ||b u_s - beta_t||^2 = (b - ||beta_t|| cos theta)^2 + ||beta_t||^2 sin^2 theta (u_s = e1, beta_perp = e2)",
      sp.simplify(norm2(b * e1 - beta_t) - lt.risk_of_coefficient(b)) == 0)

# 2. §4.2 exact finite n at lam = 0 ------------------------------------------------------------------
q = sp.Symbol("q", positive=True)
cz = norm_t * c_
step("(T5) y = ||beta_t|| cos(theta) z + eta, eta ~ N(0, s_eta^2 I) independent of z, s_eta^2 =",
     lt.effective_noise_variance())
zeta = sp.Symbol("zeta", real=True)  # z^T eta given z ~ N(0, s_eta^2 q)
b_minus = (cz * q + zeta) / q - cz
check("b - ||beta_t|| cos theta = z^T eta/||z||^2 at lam = 0", sp.simplify(b_minus - zeta / q) == 0)
check("E[(b - ||beta_t|| cos)^2 | q] = s_eta^2/q (conditional variance of z^T eta is s_eta^2 q)",
      sp.simplify(lt.conditional_excess(q, penalty=0) - lt.effective_noise_variance() / q) == 0)
inv = rmt.inverse_chi2_moment(n, 1)
step("(T4) E[1/chi^2_n], a Gamma integral", inv.value)
theory_42 = norm_t ** 2 * s_ ** 2 + (sigma ** 2 + norm_t ** 2 * s_ ** 2) / (n - 2)
finite = expr_of("linear_transfer_risk_finite")
step("Registered exact finite-n risk (lam = 0 branches, then the lam > 0 quadrature branches)", finite)
check("lam = 0, n > 2: equals docs/background.md §4.2 (independent of d, L, ||beta_s||)",
      inv.condition == (n > 2) and equal(finite.args[0][0], theory_42) and finite.args[0][1] == sp.And(
          sp.Eq(lam, 0), n > 2))
kk = sp.Symbol("k", positive=True)
density = q ** (kk / 2 - 1) * sp.exp(-q / 2) / (2 ** (kk / 2) * sp.gamma(kk / 2))
check("n <= 2: E[1/chi^2_n] = +oo (the Gamma integral diverges at q = 0) -> risk +oo unless s_eta = 0",
      all(sp.integrate(density.subs(kk, k) / q, (q, 0, sp.oo)) == sp.oo for k in (1, 2))
      and finite.args[2] == (sp.oo, sp.Eq(lam, 0)))
check("worked example 9: n = 10, theta = pi/4, sigma = 0.2 -> 0.5675",
      finite.subs({n: 10, theta: sp.pi / 4, sigma: fifth, norm_t: 1, lam: 0}) == sp.Rational(5675, 10000))

# 3. §4.3-§4.4 asymptotics and ridge --------------------------------------------------------------
mean_q, mean_q2 = rmt.inverse_chi2_moment(n, -1).value, rmt.inverse_chi2_moment(n, -2).value
var_q = sp.factor(mean_q2 - mean_q ** 2)
step("Law of large numbers: E||z||^2 = n, Var ||z||^2 =", var_q)
se2 = lt.effective_noise_variance()
var_zy = sp.simplify(cz ** 2 * var_q + se2 * mean_q)  # Var(c q + z^T eta) = c^2 Var q + s^2 E q
check("Var(||z||^2/n) = 2/n -> 0 and Var(z^T y/n) = (2 ||beta_t||^2 cos^2 + s_eta^2)/n -> 0",
      sp.simplify(var_q / n ** 2 - 2 / n) == 0 and sp.limit(var_zy / n ** 2, n, sp.oo) == 0)
check("so ||z||^2/n -> 1 and z^T y/n -> ||beta_t|| cos theta",
      lt.law_of_large_numbers() == (1, norm_t * c_))
asym = expr_of("linear_transfer_risk")
step("Asymptotic risk R_lt(theta, lam) (registered)", asym)
le = sp.Symbol("lambda_eff", nonnegative=True)
eq13 = 1 - (1 + 2 * lam) / (1 + lam) ** 2 * c_ ** 2
check("unit teachers: equals the paper's eq. (13) 1 - (1 + 2 lam)/(1 + lam)^2 cos^2 theta",
      equal(asym.subs({norm_t: 1, norm_s: 1}), eq13))
check("lam = 0: R_lt = ||beta_t||^2 sin^2 theta (eq. (10), §4.3), independent of gamma, sigma, L",
      equal(asym.subs(lam, 0), norm_t ** 2 * s_ ** 2))
check("general norms and depth: ||beta_t||^2 [1 - (1 + 2 lam_eff)/(1 + lam_eff)^2 cos^2], lam_eff = lam/||beta_s||^(2(L-1)/L)",
      equal(asym, norm_t ** 2 * (1 - (1 + 2 * lt.lam_eff()) / (1 + lt.lam_eff()) ** 2 * c_ ** 2)))
check("the finite-n mean at lam = 0 tends to the asymptotic risk as n -> oo",
      equal(sp.limit(theory_42, n, sp.oo), asym.subs(lam, 0)))
deriv = sp.factor(sp.diff(asym.subs({norm_s: 1}), lam))
step("dR_lt/dlam (unit source teacher)", deriv)
check("dR/dlam = 2 lam ||beta_t||^2 cos^2 theta/(1 + lam)^3 >= 0: read-out ridge never lowers the asymptotic risk",
      equal(deriv, 2 * lam * norm_t ** 2 * c_ ** 2 / (1 + lam) ** 3) and deriv.is_nonnegative)
deriv_general = sp.factor(sp.diff(asym, lam))
check("any norm and depth: dR/dlam >= 0 (SymPy proves the sign from the assumptions)",
      deriv_general.is_nonnegative)
check("Result.limit: lam -> 0 gives ||beta_t||^2 sin^2 theta; lam -> oo gives ||beta_t||^2",
      get("linear_transfer_risk").limit("lam", 0, "+") == norm_t ** 2 * s_ ** 2
      and sp.simplify(get("linear_transfer_risk").limit("lam", "oo") - norm_t ** 2) == 0)

# exact lam > 0 ------------------------------------------------------------------------------------
t, a, yy = sp.symbols("t a y", positive=True)
step("Exact lam > 0 (§4.4): E[(b - c)^2 | q] = ((n lam_eff c)^2 + s_eta^2 q)/(q + n lam_eff)^2",
     lt.conditional_excess(q))
check("Laplace representation 1/(q + a)^2 = int_0^oo t e^{-t(q+a)} dt",
      sp.simplify(sp.integrate(t * sp.exp(-t * (q + a)), (t, 0, sp.oo)) - 1 / (q + a) ** 2) == 0)
mgf = lt.chi2_laplace_transform(n, t)
step("chi-square Laplace transform E[e^{-tq}] (Gamma integral)", mgf)
check("E[e^{-tq}] = (1 + 2t)^(-n/2) and E[q e^{-tq}] = -d/dt E[e^{-tq}] = n (1 + 2t)^(-n/2 - 1)",
      sp.simplify(mgf - (1 + 2 * t) ** (-n / 2)) == 0
      and sp.simplify(-sp.diff(mgf, t) - n * (1 + 2 * t) ** (-n / 2 - 1)) == 0)
_, _, (i0, i1), (f0, f1) = lt.laplace_kernels()
step("E[1/(q+a)^2] = (1/4) int_0^oo y (1+y)^(-n/2) e^{-cy} dy and E[q/(q+a)^2] = (n/4) int_0^oo y (1+y)^(-n/2-1) "
     "e^{-cy} dy, c = a/2 (t = y/2; Fubini, the integrands are positive)", sp.Tuple(i0, i1))
m_ = sp.Symbol("m", positive=True)
beta_int = sp.integrate(yy * (1 + yy) ** (-m_), (yy, 0, sp.oo), conds="none")
check("at c = 0 the kernel is a Beta integral 1/((m-1)(m-2)); (n/4) s_eta^2 I_1(0) = s_eta^2/(n-2): §4.2 again",
      sp.simplify(beta_int - 1 / ((m_ - 1) * (m_ - 2))) == 0
      and sp.simplify(n / 4 * beta_int.subs(m_, n / 2 + 1) - 1 / (n - 2)) == 0)
ridge_branch_small, ridge_branch_large = finite.args[3], finite.args[4]
step("Registered quadrature branches: v-form (w = 1/(1+y) = v^4) for n lam_eff <= 2, x-form (y = x/M) otherwise",
     ridge_branch_small[1])


def theory_q_integral(nv, th, sg, lm):
    """docs/background.md §4.4 as printed: sin^2 + E_q[((n lam cos)^2 + s^2 q)/(q + n lam)^2], q ~ chi^2_n (unit norms)."""
    with mpmath.workdps(40):
        nv, th, sg, lm = (mpmath.mpf(v) for v in (nv, th, sg, lm))
        s2 = sg ** 2 + mpmath.sin(th) ** 2
        dens = lambda qq: mpmath.exp((nv / 2 - 1) * mpmath.log(qq) - qq / 2 - nv / 2 * mpmath.log(2)  # noqa: E731
                                     - mpmath.loggamma(nv / 2))
        f = lambda qq: dens(qq) * ((nv * lm * mpmath.cos(th)) ** 2 + s2 * qq) / (qq + nv * lm) ** 2  # noqa: E731
        return mpmath.sin(th) ** 2 + mpmath.quad(f, [0, nv / 4, nv, 4 * nv, mpmath.inf])


cases = [(1, "0.3", "0.2", "0.05"), (4, "1.2", "0.4", "0.01"), (10, "0.785", "0.2", "0.1"),
         (12, "0.785", "0", "3"), (60, "1.4", "1", "0.3")]
ok = True
for nv, th, sg, lm in cases:
    reference = theory_q_integral(nv, th, sg, lm)
    value = get("linear_transfer_risk_finite").mp(dps=25, n=nv, theta=th, sigma=sg, lam=lm)
    ok &= abs(value - reference) <= mpmath.mpf(10) ** -22 * abs(reference)
check("registered lam > 0 branches = the chi-square q-integral of docs/background.md §4.4 to 22 digits at "
      f"{len(cases)} points (both quadrature forms, n = 1 ... 60)", ok)
with mpmath.workdps(30):
    at_zero = get("linear_transfer_risk_finite").mp(dps=20, n=10, theta="0.785", sigma="0.2", lam="1e-15")
    ridgeless = get("linear_transfer_risk_finite").mp(dps=20, n=10, theta="0.785", sigma="0.2", lam=0)
check("lam -> 0+ of the quadrature branch approaches the lam = 0 closed form (n = 10)",
      abs(at_zero - ridgeless) < 1e-12)
lt_fin = get("linear_transfer_risk_finite")
small_n = [float(lt_fin(n=5, theta=0.785, sigma=0.2, lam=v)) for v in (0.0, 0.05)]
check("at small n a small lam > 0 lowers the exact risk (n = 5: lam = 0.05 beats lam = 0), although "
      "the asymptotic risk increases with lam", small_n[1] < small_n[0])
big_n = float(lt_fin(n=20000, theta=0.785, sigma=0.2, lam=0.1))
check("n -> oo: the exact lam > 0 mean tends to the asymptotic §4.4 value (n = 20000, rel. 1e-3)",
      abs(big_n - float(get("linear_transfer_risk")(theta=0.785, lam=0.1))) < 1e-3)

# 4. §4.5 rank-k features ------------------------------------------------------------------------------
k, rho, kappa = sp.symbols("k rho kappa", positive=True)
iw = rmt.inverse_wishart_trace(k, n)
step("(T2) Z = X U ~ n x k Gaussian, Z^T Z ~ W_k(n, I): E tr (Z^T Z)^{-1}", iw.value)
rank_k = rho + (sigma ** 2 + rho) * iw.value
step("c_hat - a = (Z^T Z)^{-1} Z^T eta, eta = X (I - U U^T) beta_t + eps ~ N(0, (rho + sigma^2) I) independent "
     "of Z (T5): E R = rho + (sigma^2 + rho) E tr (Z^T Z)^{-1}", rank_k)
check("equals docs/background.md §4.5, valid for n >= k + 2",
      equal(rank_k, rho + (sigma ** 2 + rho) * k / (n - k - 1)) and iw.condition == sp.Ge(n, k + 2))
check("k = 1 with rho = ||beta_t||^2 sin^2 theta recovers §4.2",
      equal(rank_k.subs({k: 1, rho: norm_t ** 2 * s_ ** 2}), theory_42))
registered = get("linear_transfer_risk_rank_k").expr
k_c, rho_c = get("linear_transfer_risk_rank_k").symbols["k"], get("linear_transfer_risk_rank_k").symbols["residual"]
check("the registered linear_transfer_risk_rank_k (§3.3 in k dimensions, noise sigma^2 + rho) equals it "
      "for n >= k + 2", equal(registered.args[1][0], rank_k.subs({k: k_c, rho: rho_c}))
      and registered.args[1][1] == sp.Ge(n, k_c + 2))
dd = sp.Symbol("d", positive=True)
prop = sp.limit(rank_k.subs({k: kappa * dd, n: gamma * dd}), dd, sp.oo)
check("proportional limit k = kappa d, n = gamma d: rho + (sigma^2 + rho) kappa/(gamma - kappa) (gamma > kappa)",
      equal(prop, rho + (sigma ** 2 + rho) * kappa / (gamma - kappa)))

# 5. §5 transferability and phase diagram -----------------------------------------------------------------
T = expr_of("linear_transfer_transferability")
step("§5.1 T_lt = R_sc - R_lt (registered)", T)
R_sc = expr_of("scratch_risk")
eq11 = sp.Piecewise(((1 - gamma) * norm_t ** 2 + gamma * sigma ** 2 / (1 - gamma) - asym, gamma < 1),
                    (sigma ** 2 / (gamma - 1) - asym, gamma > 1), (-asym, sp.Eq(sigma, 0)), (sp.oo, True))
check("equals eq. (11) (general norms, ridge variant R_sc - R_lt^lam); +oo at gamma = 1 for sigma > 0",
      equal(T, eq11))
check("separable: d^2 T/(d gamma d theta) = 0 on both branches (T = f(gamma) + g(theta))",
      all(sp.simplify(sp.diff(v, gamma, theta)) == 0 for v, _ in T.args[:2]))
check("worked example 3: T(0.5, pi/4, 0.2) = 0.04",
      T.subs({gamma: half, theta: sp.pi / 4, sigma: fifth, lam: 0, norm_t: 1}) == sp.Rational(1, 25))
rho_ = sp.Symbol("rho", positive=True)
check("norm scaling: T(.; ||beta_t||) = ||beta_t||^2 T(gamma, theta, sigma/||beta_t||; 1) (lam = 0)",
      all(equal(v.subs({norm_t: rho_, lam: 0}), rho_ ** 2 * v.subs({sigma: sigma / rho_, norm_t: 1, lam: 0}))
          for v, _ in T.args[:2]))
rT = get("linear_transfer_transferability")
check("limits: gamma -> 0: ||beta_t||^2 cos^2 theta (lam = 0); gamma -> 1: +oo; gamma -> oo: -R_lt",
      equal(rT.limit("gamma", 0, "+", lam=0), norm_t ** 2 * c_ ** 2)
      and rT.limit("gamma", 1, "-") == sp.oo and rT.limit("gamma", 1, "+") == sp.oo
      and equal(rT.limit("gamma", "oo"), -asym))

c = ltb._c
quadratic, roots, disc = ltb.lobe_quadratic()
step("§5.2 over-parameterised (n < d) branch x (1 - gamma) (unit teacher, lam = 0, c = |cos theta|)", quadratic)
check("= gamma^2 - (1 + cos^2 - sigma^2) gamma + cos^2 (docs/background.md §5.2), same sign as T for gamma < 1",
      equal(quadratic, gamma ** 2 - (1 + c ** 2 - sigma ** 2) * gamma + c ** 2))
step("roots (sympy.solve)", sp.Tuple(*roots))
step("discriminant, factorised", disc)
check("discriminant = ((1 - cos)^2 - sigma^2)((1 + cos)^2 - sigma^2)",
      equal(disc, ((1 - c) ** 2 - sigma ** 2) * ((1 + c) ** 2 - sigma ** 2)))
check("root product = cos^2 theta and the quadratic equals sigma^2 > 0 at gamma = 1",
      equal(sp.expand(roots[0] * roots[1]), c ** 2) and equal(quadratic.subs(gamma, 1), sigma ** 2))
g_star = sp.solve(sp.diff(quadratic, gamma), gamma)[0]
check("at theta_min (cos = 1 - sigma) the discriminant vanishes and the double root is 1 - sigma = gamma* (§3.4)",
      disc.subs(c, 1 - sigma) == 0 and equal(g_star.subs(c, 1 - sigma), 1 - sigma)
      and equal(roots[0].subs(c, 1 - sigma), 1 - sigma))
w_ = sp.Symbol("w", positive=True)  # sigma^2 = 1 - w < 1
check("theta = pi/2 (c = 0): gamma_- = 0, gamma_+ = 1 - sigma^2 (0 <= sigma < 1)",
      {sp.simplify(r.subs(c, 0).subs(sigma, sp.sqrt(1 - w_))) for r in roots} == {0, w_})
sigma_big, c_half = 3, half
neg = [r.subs({c: c_half, sigma: sigma_big}) for r in roots]
check("NB: 'when real, both roots lie in (0, 1)' needs sigma < 1: for sigma > 1 + cos the discriminant is "
      "positive again but both roots are negative (sigma = 3, cos = 1/2)",
      disc.subs({c: c_half, sigma: sigma_big}) > 0 and all(v < 0 for v in neg))
lower, upper = get("lt_boundary_lower").expr, get("lt_boundary_upper").expr
over, tmin = get("lt_boundary_over").expr, get("lt_theta_min").expr
step("Registered gamma_- (cancellation-free: cos^2/gamma_+ via Vieta; no lobe -> gamma*)", lower)
step("Registered gamma_+", upper)
lo_b, up_b = lower.args[0][0].subs(sp.Abs(c_), c), upper.args[0][0].subs(sp.Abs(c_), c)
lo_b, up_b = lo_b.subs(c_ ** 2, c ** 2), up_b.subs(c_ ** 2, c ** 2)
check("gamma_+ - gamma_- = sqrt(D) >= 0: always gamma_- <= gamma_+ (the paper prints them in the other order)",
      sp.simplify(sp.radsimp(up_b - lo_b) - sp.sqrt(disc)) == 0)
check("both registered lobe edges are roots of the quadratic",
      all(sp.simplify(sp.radsimp(quadratic.subs(gamma, r))) == 0 for r in (lo_b, up_b)))
(over_root,) = sp.solve(ltb._unit_branches()[1], gamma)
step("Under-parameterised (n > d) side: sigma^2/(gamma - 1) - sin^2 = 0", over_root)
check("gamma_over = 1 + sigma^2/sin^2 theta (1 at sigma = 0), +oo at sin theta = 0 (registered)",
      equal(over.args[-1][0], 1 + sigma ** 2 / s_ ** 2) and over.args[0][0] == sp.oo
      and over.args[1] == (1, sp.Eq(sigma, 0)))
check("theta = pi/2: gamma_over = 1 + sigma^2", equal(over.args[-1][0].subs(theta, sp.pi / 2), 1 + sigma ** 2))
check("theta_min = arccos(1 - sigma) for sigma < 1 (registered as 2 arcsin(sqrt(sigma/2)), no cancellation "
      "as sigma -> 0), pi/2 for sigma >= 1",
      sp.simplify(sp.expand_trig(sp.cos(tmin.args[0][0])) - (1 - sigma)) == 0 and tmin.args[0][1] == (sigma < 1))
check("theta_min(sigma >= 1) = pi/2: continuous at sigma = 1, no lobe in [0, pi]",
      tmin.subs(sigma, 1) == sp.pi / 2 and tmin.subs(sigma, 3) == sp.pi / 2)
check("worked example 4: theta_min(0.2) = arccos(0.8) ~ 0.6435 rad (36.87 deg)",
      close(tmin.subs(sigma, fifth), sp.acos(sp.Rational(4, 5))) and abs(float(tmin.subs(sigma, fifth)) - 0.6435) < 5e-5)
ex5 = {theta: sp.pi / 4, sigma: fifth}
check("worked example 5: lobe at theta = pi/4, sigma = 0.2 is (0.5486, 0.9114), gamma_over = 1.08",
      abs(float(lower.subs(ex5)) - 0.5486) < 5e-5 and abs(float(upper.subs(ex5)) - 0.9114) < 5e-5
      and over.subs(ex5) == sp.Rational(27, 25))
check("T vanishes on the three boundaries at theta = pi/4, sigma = 0.2 (exact)",
      all(sp.simplify(T.subs({lam: 0, norm_t: 1, **ex5}).subs(gamma, g0)) == 0
          for g0 in (lower.subs(ex5), upper.subs(ex5), over.subs(ex5))))
Tex = T.subs({lam: 0, norm_t: 1, **ex5})
probes = [sp.Rational(1, 4), sp.Rational(7, 10), sp.Rational(19, 20), sp.Rational(21, 20), 2]
signs = [sp.sign(Tex.subs(gamma, v)) for v in probes]
check("§5.3 regions at theta = pi/4, sigma = 0.2: sign of T at gamma = 1/4, 0.7, 0.95, 1.05, 2 is "
      "+, -, +, +, - (R1, R2, R3 on both sides of the spike, R4): three sign changes",
      signs == [1, -1, 1, 1, -1])
check("R3 always contains (1 - sigma^2, 1 + sigma^2): the quadratic is sigma^2 cos^2 >= 0 at gamma = 1 - sigma^2, "
      "which lies right of the vertex (c^2 <= (1 - sigma)^2 <= 1 - sigma^2 on the lobe), so gamma_+ <= 1 - sigma^2; "
      "gamma_over = 1 + sigma^2/sin^2 >= 1 + sigma^2",
      equal(quadratic.subs(gamma, 1 - sigma ** 2), sigma ** 2 * c ** 2)
      and sp.simplify((1 - sigma ** 2) - (1 + c ** 2 - sigma ** 2) / 2 - ((1 - sigma ** 2) - c ** 2) / 2) == 0
      and float(upper.subs(ex5)) <= 1 - 0.04 and float(over.subs(ex5)) >= 1.04)
noiseless = get("lt_boundary_noiseless").expr
step("§5.4 sigma -> 0 of gamma_- (registered lt_boundary_noiseless)", noiseless)
check("gamma_- -> cos^2 theta, gamma_+ -> 1, gamma_over -> 1 as sigma -> 0 (theta in (0, pi/2])",
      equal(noiseless, c_ ** 2) and sp.simplify(sp.limit(up_b.subs(c, 1 / (1 + t)), sigma, 0, "+")) == 1
      and sp.limit(over.args[-1][0], sigma, 0) == 1)
check("noiseless T = cos^2 theta - gamma (gamma < 1), -sin^2 theta (gamma >= 1)",
      equal(T.subs({sigma: 0, lam: 0, norm_t: 1}).args[0][0], c_ ** 2 - gamma)
      and equal(T.subs({sigma: 0, lam: 0, norm_t: 1}).args[1][0], -s_ ** 2))
check("Result.limit: sigma -> 0 of T at gamma = 1/2, lam = 0 is cos^2 theta - 1/2",
      equal(rT.limit("sigma", 0, "+", gamma="1/2", lam=0, norm_t=1), c_ ** 2 - half))

Tf = expr_of("linear_transfer_transferability_finite")
step("§5.5 exact finite transferability E R_sc(n, d) - E R_lt(n) (registered)", Tf)
sc_f = expr_of("scratch_risk_finite")
ok = True
for nv, dv in [(3, 10), (10, 30), (30, 10), (8, 8), (9, 10), (2, 10), (1, 30), (2, 2)]:
    for sg in (0, fifth):
        at = {n: nv, d: dv, sigma: sg, theta: sp.pi / 3, norm_t: 1}
        sc_v, lt_v = sc_f.subs(at), finite.subs({**at, lam: 0})
        expected = sp.oo if sc_v == sp.oo else (-sp.oo if lt_v == sp.oo else sc_v - lt_v)
        got = Tf.subs(at)
        ok &= (got == expected) if expected.is_infinite else sp.simplify(got - expected) == 0
check("equals scratch_risk_finite - linear_transfer_risk_finite (lam = 0) on test points; "
      "-oo for n <= 2 (transfer variance), +oo at the scratch peak |n - d| <= 1", ok)
ex_fin = Tf.subs({n: 100, d: 200, theta: sp.pi / 4, sigma: fifth, norm_t: 1})
check("exact finite T at n = 100, d = 200 tends to the asymptotic 0.04 (+ O(1/d))",
      abs(float(ex_fin) - 0.04) < 0.02)
done()
