"""Derivation: the hand-derived float64 forms of ``ftheory.stable`` equal the registered expressions.

Run ``python derivations/stable_forms.py`` (``--quiet`` for checks only).

1. W2 between the Gaussian task laws (docs/background.md §9.4): with the Cholesky factors
   ``L = [[I_2, 0], [b^T, s]]`` and ``M = L_s^T L_t``, the quantities the stable iteration uses:
   ``tr M = 2 + p + h``, ``tr adj M = 1 + p + 2h``, ``det M = h = sigma sigma_s``,
   ``|M - M^T|_F^2 / 4 = (c^2 + v)/2`` and ``|adj M - adj M^T|_F^2 / 4 = v/2``, ``|L_s - L_t|_F^2 =
   Delta^2 + (sigma - sigma_s)^2``, ``|L_s|^2 + |L_t|^2 = 4 + |b_s|^2 + |b_t|^2 + sigma^2 + sigma_s^2``
   (the registered trace), and the singular-value identities ``F^2 = |M|_F^2 + 2G``,
   ``G^2 = |adj M|_F^2 + 2 h F`` on random numeric matrices.
2. The stable iteration reproduces the registered closed form to 25 digits at random points (mpmath).
3. The arc-cosine kernel: ``sqrt(1 - u^2) + u (pi - acos u) = sin(psi) - psi cos(psi)``, ``psi = acos(-u)``,
   and the Taylor coefficients used below ``psi = 1``.
4. The Dudley bound, the optimal ridge and the finite-source effective angle: the rewritten forms equal the
   registered expressions (symbolically, and the float64 functions at random points against mpmath).
4f-4h. The W1 lower bound (differences of squares, partial rescaling), the two-level T_ft (ratios of the
   eigenvalue terms), W2 at underflowing magnitudes and the precision bound of its mpmath reference.
5. Homogeneity (``codegen.SCALING``): every listed result satisfies ``f(c x_G) = c^k f(x_G)`` branch by branch
   (each branch value scales by ``c^k``, each branch condition is unchanged), so the exact rescaling of
   ``ftheory.stable.rescaled`` returns the same number.
"""
import mpmath
import numpy as np
import sympy as sp

from _derive import check, done, step, title
from ftheory.result import expr_of
from ftheory.stable import _PSI_SERIES
from ftheory.theory._symbols import norm_s, norm_t, sigma, sigma_s, theta

title("Stable float64 forms (ftheory.stable)")

# 1. ingredients of W2 ---------------------------------------------------------------------------------
b_s = sp.Matrix([norm_s, 0])
b_t = sp.Matrix([norm_t * sp.cos(theta), norm_t * sp.sin(theta)])


def chol(b, s):
    return sp.Matrix(sp.BlockMatrix([[sp.eye(2), sp.zeros(2, 1)], [b.T, sp.Matrix([[s]])]]))


L_s, L_t = chol(b_s, sigma_s), chol(b_t, sigma)
M = L_s.T * L_t
p = norm_s * norm_t * sp.cos(theta)
h = sigma * sigma_s
c = norm_s * norm_t * sp.sin(theta)
v = (sigma * norm_s - sigma_s * norm_t) ** 2 + 4 * sigma * sigma_s * norm_s * norm_t * sp.sin(theta / 2) ** 2
step("M = L_s^T L_t", M)


def zero(expr):
    return sp.simplify(sp.trigsimp(sp.expand(expr))) == 0


adj = M.adjugate()
check("L L^T is the task covariance [[I, b], [b^T, |b|^2 + s^2]]",
      zero((L_t * L_t.T)[2, 2] - (norm_t ** 2 + sigma ** 2)) and zero((L_t * L_t.T)[0, 2] - b_t[0]))
check("tr M = 2 + p + h", zero(M.trace() - (2 + p + h)))
check("tr adj M = 1 + p + 2 h", zero(adj.trace() - (1 + p + 2 * h)))
check("det M = sigma sigma_s", zero(M.det() - h))
check("|M - M^T|_F^2 / 4 = (c^2 + v)/2",
      zero(sum(x ** 2 for x in (M - M.T)) / 4 - (c ** 2 + v) / 2))
check("|adj M - adj M^T|_F^2 / 4 = v/2", zero(sum(x ** 2 for x in (adj - adj.T)) / 4 - v / 2))
check("|L_s - L_t|_F^2 = (norm_s - norm_t)^2 + 4 norm_s norm_t sin^2(theta/2) + (sigma - sigma_s)^2",
      zero(sum(x ** 2 for x in (L_s - L_t)) - ((norm_s - norm_t) ** 2 + 4 * norm_s * norm_t * sp.sin(theta / 2) ** 2
                                               + (sigma - sigma_s) ** 2)))
check("|L_s|^2 + |L_t|^2 is the registered trace 4 + norm_s^2 + sigma_s^2 + norm_t^2 + sigma^2",
      zero(sum(x ** 2 for x in L_s) + sum(x ** 2 for x in L_t) - (4 + norm_s ** 2 + sigma_s ** 2 + norm_t ** 2
                                                                  + sigma ** 2)))
rng = np.random.default_rng(0)
ok = True
for _ in range(20):
    A = rng.standard_normal((3, 3))
    sv = np.linalg.svd(A, compute_uv=False)
    F, G, det = sv.sum(), sv[0] * sv[1] + sv[0] * sv[2] + sv[1] * sv[2], abs(np.linalg.det(A))
    adjA = np.linalg.det(A) * np.linalg.inv(A).T
    ok &= abs(F ** 2 - (np.sum(A ** 2) + 2 * G)) < 1e-10 * F ** 2
    ok &= abs(G ** 2 - (np.sum(adjA ** 2) + 2 * det * F)) < 1e-10 * G ** 2
check("singular values: F^2 = |M|_F^2 + 2 G and G^2 = |adj M|_F^2 + 2 det F (20 random matrices)", ok)

# 2. the iteration against the registered closed form --------------------------------------------------
registered = expr_of("wasserstein2_task")
fn = sp.lambdify((theta, sigma, sigma_s, norm_s, norm_t), registered, "mpmath")


def iterate(th, s, ss, rs, rt):
    hh, rr = s * ss, rs * rt
    cc2, pp = (rr * mpmath.sin(th)) ** 2, rr * mpmath.cos(th)
    vv = (s * rs - ss * rt) ** 2 + 4 * hh * rr * mpmath.sin(th / 2) ** 2
    t, e2 = 2 + pp + hh, 1 + pp + 2 * hh
    x = y = mpmath.mpf(0)
    for _ in range(200):
        x = mpmath.sqrt(t ** 2 + cc2 + vv + 2 * y) - t
        y = mpmath.sqrt(e2 ** 2 + vv + 2 * hh * x) - e2
    dist = (rs - rt) ** 2 + 4 * rr * mpmath.sin(th / 2) ** 2 + (s - ss) ** 2
    return mpmath.sqrt(dist - 2 * x)


worst = 0
with mpmath.workdps(60):
    for _ in range(30):
        args = [mpmath.mpf(float(rng.uniform(0, np.pi)))] + [mpmath.mpf(float(10 ** rng.uniform(-1, 1))) for _ in range(4)]
        a, b = iterate(*args), fn(*args)
        worst = max(worst, abs(a - b) / abs(b))
check(f"fixed point of the iteration = registered W2 at 30 random points (relative {mpmath.nstr(worst, 3)})",
      worst < mpmath.mpf(10) ** -25)

# 3. arc-cosine kernel ------------------------------------------------------------------------------------
u, psi = sp.symbols("u psi", real=True)
plain = sp.sqrt(1 - u ** 2) + u * (sp.pi - sp.acos(u))
check("sqrt(1 - u^2) + u (pi - acos u) = sin(psi) - psi cos(psi) with u = -cos(psi)",
      sp.simplify(plain.subs(u, -sp.cos(psi)).subs(sp.acos(-sp.cos(psi)), sp.pi - psi)
                  - (sp.sin(psi) - psi * sp.cos(psi))) == 0
      or all(abs(float((plain.subs(u, -sp.cos(q)) - (sp.sin(q) - q * sp.cos(q))).evalf(30))) < 1e-25
             for q in (sp.Rational(1, 10), sp.Rational(1, 2), 1, 2, 3)))
series = sp.series(sp.sin(psi) - psi * sp.cos(psi), psi, 0, 23).removeO()
check("Taylor coefficients of sin(psi) - psi cos(psi) up to psi^21",
      all(abs(float(series.coeff(psi, 2 * k + 1)) - _PSI_SERIES[k - 1]) <= 1e-16 * abs(_PSI_SERIES[k - 1])
          for k in range(1, 11)))
check("the series' truncation at psi < 1 is below 1e-19 of the value (first omitted term psi^23 22/23!)",
      22 / sp.factorial(23) / sp.Rational(1, 3) < sp.Rational(1, 10 ** 19))

# 4. Dudley bound, optimal ridge, effective angle ----------------------------------------------------------
import ftheory.stable as stable  # noqa: E402
from ftheory.codegen import SCALING  # noqa: E402
from ftheory.params import PARAMS  # noqa: E402
from ftheory.theory._symbols import gamma, gamma_s  # noqa: E402

a_s, b_t = (norm_s ** 2 + sigma_s ** 2) / 2, (norm_t ** 2 + sigma ** 2) / 2
gap = ((norm_s - norm_t) * (norm_s + norm_t) + (sigma_s - sigma) * (sigma_s + sigma)) / 2
check("Dudley: a - b = ((r_s - r_t)(r_s + r_t) + (s_s - s)(s_s + s))/2", zero(a_s - b_t - gap))
check("Dudley: exp(-b) - exp(-a) = exp(-b) (1 - exp(-(a - b))) (so |.| = exp(-min) (-expm1(-|a - b|)))",
      zero(sp.exp(-b_t) - sp.exp(-a_s) - sp.exp(-b_t) * (1 - sp.exp(-(a_s - b_t)))))
check("Dudley: the registered expression is |exp(-a) - exp(-b)|/2",
      zero(expr_of("dudley_lower_bound_cosine") - sp.Abs(sp.exp(-a_s) - sp.exp(-b_t)) / 2))
ridge = expr_of("scratch_optimal_ridge")
check("optimal ridge: sigma^2/(gamma r_t^2) = q (q/gamma), q = sigma/r_t, 0 at sigma = 0, oo at gamma = 0",
      zero(ridge.args[2][0] - (sigma / norm_t) * ((sigma / norm_t) / gamma))
      and ridge.args[0] == (0, sp.Eq(sigma, 0)) and ridge.args[1] == (sp.oo, sp.Eq(gamma, 0)))
angle = expr_of("finite_source_effective_angle")
e_lo, e_hi = sigma_s ** 2 / (1 - gamma_s), sigma_s ** 2 / (gamma_s - 1)
inner_lo = angle.args[0][0].args[0] / sp.cos(theta)
inner_hi = angle.args[1][0].args[0] / sp.cos(theta)
check("effective angle: a^2 = gamma_s/(1 + e) below gamma_s = 1 and 1/(1 + e) above",
      zero(inner_lo ** 2 - gamma_s / (1 + e_lo)) and zero(inner_hi ** 2 - 1 / (1 + e_hi)))
check("effective angle: 1 - a^2 = (1 - gamma_s + e)/(1 + e) below and e/(1 + e) above",
      zero(1 - inner_lo ** 2 - (1 - gamma_s + e_lo) / (1 + e_lo)) and zero(1 - inner_hi ** 2 - e_hi / (1 + e_hi)))
a_sym = sp.Symbol("a", nonnegative=True)
check("effective angle: acos(a cos t) = atan2(y, x), x = a cos t, y = sqrt(sin^2 t + (1 - a^2) cos^2 t) >= 0: "
      "x^2 + y^2 = 1, so both angles lie in [0, pi] and have cosine a cos t",
      zero((a_sym * sp.cos(theta)) ** 2 + sp.sin(theta) ** 2 + (1 - a_sym ** 2) * sp.cos(theta) ** 2 - 1))
with mpmath.workdps(40):
    worst = 0.0
    for name, fn64 in (("dudley_lower_bound_cosine", stable.dudley_lower_bound_cosine),
                       ("scratch_optimal_ridge", stable.scratch_optimal_ridge),
                       ("finite_source_effective_angle", stable.finite_source_effective_angle)):
        f = sp.lambdify([PARAMS[p].symbol for p in __import__("ftheory").get(name).params], expr_of(name), "mpmath")
        for _ in range(200):
            args = [float(np.pi * rng.random()) if p == "theta" else float(10 ** rng.uniform(-6, 6))
                    for p in __import__("ftheory").get(name).params]
            exact = f(*[mpmath.mpf(x) for x in args])
            got = float(fn64(*args))
            worst = max(worst, float(abs(got - exact) / (abs(exact) + mpmath.mpf(10) ** -300)))
check(f"the three float64 forms against the registered expressions at 600 random points (relative "
      f"{worst:.2g} < 1e-13)", worst < 1e-13)

# 4b. ridge read-out: lam_eff, the shrinkage q and R_sc - R_lt --------------------------------------------
from ftheory.theory._symbols import lam  # noqa: E402

depth_sym = PARAMS["depth"].symbol

le = lam * norm_s ** (2 / depth_sym - 2)
check("lt_effective_ridge = lam norm_s^(2/L - 2)", zero(expr_of("lt_effective_ridge") - le))
q = le / (1 + le)
check("1 - q^2 = (1 + q)/(1 + lam_eff) and q = 1/(1 + 1/lam_eff)",
      zero(1 - q ** 2 - (1 + q) / (1 + le)) and zero(q - 1 / (1 + 1 / le)))
risk_lt = norm_t ** 2 * (sp.sin(theta) ** 2 + q ** 2 * sp.cos(theta) ** 2)
check("linear_transfer_risk = norm_t^2 (sin^2 theta + q^2 cos^2 theta)", zero(expr_of("linear_transfer_risk") - risk_lt))
T = expr_of("linear_transfer_transferability")
below = norm_t ** 2 * ((1 + q) / (1 + le) * sp.cos(theta) ** 2 - gamma) + gamma * sigma ** 2 / (1 - gamma)
check("T below gamma = 1: norm_t^2 ((1 - q^2) cos^2 theta - gamma) + gamma sigma^2/(1 - gamma)",
      zero(T.args[0][0] - below) and T.args[0][1] == (gamma < 1))
check("T above gamma = 1: sigma^2/(gamma - 1) - R_lt; at gamma = 1: -R_lt without noise, else oo",
      zero(T.args[1][0] - (sigma ** 2 / (gamma - 1) - risk_lt)) and T.args[1][1] == (gamma > 1)
      and zero(T.args[2][0] + risk_lt) and T.args[2][1] == sp.Eq(sigma, 0) and T.args[3][0] == sp.oo)
import ftheory  # noqa: E402

with mpmath.workdps(40):
    worst = 0.0
    for name in ("lt_effective_ridge", "linear_transfer_risk", "linear_transfer_transferability"):
        r = ftheory.get(name)
        fn64 = getattr(stable, name)
        for _ in range(200):
            args = {p: float(np.pi * rng.random()) if p == "theta" else int(rng.integers(2, 60)) if p == "depth"
                    else float(10 ** rng.uniform(-150, 150)) if p in ("lam", "norm_s") else
                    float(rng.uniform(0, 3)) if p == "gamma" else float(10 ** rng.uniform(-3, 3)) for p in r.params}
            exact = r._mp(*[mpmath.mpf(args[p]) for p in r.params])
            got = float(fn64(*[args[p] for p in r.params]))
            if abs(exact) > 1.7976931348623157e308:  # beyond float64: must be inf
                worst = max(worst, 0.0 if got == float(mpmath.sign(exact)) * np.inf else np.inf)
                continue
            # T is a difference: its float64 error is bounded by eps times the size of its terms, not of T
            terms = 0 if not name.endswith("ability") else mpmath.mpf(args["norm_t"]) ** 2 * (1 + args["gamma"]) \
                + mpmath.mpf(args["sigma"]) ** 2 * args["gamma"] / abs(1 - args["gamma"])
            worst = max(worst, float(abs(got - exact) / (1e-12 * abs(exact) + 1e-14 * terms + mpmath.mpf(10) ** -300)))
check(f"the ridge read-out forms against the registered expressions at 600 random points, lam and norm_s from "
      f"1e-150 to 1e150: error <= 1e-12 |value| + 1e-14 (size of T's terms) (worst ratio {worst:.2g} < 1)", worst < 1)

# 4c. finite-source linear transfer -------------------------------------------------------------------------
Tfs = expr_of("linear_transfer_transferability_finite_source")
gs, ss = gamma_s, sigma_s
sin2, cos2 = sp.sin(theta) ** 2, sp.cos(theta) ** 2
risk_lo = ((1 - gs) ** 2 + gs * (1 - gs) * sin2 + ss ** 2) / (1 - gs + ss ** 2)
risk_hi = (ss ** 2 + (gs - 1) * sin2) / (gs - 1 + ss ** 2)
kept_lo, kept_hi = gs * (1 - gs) * cos2 / (1 - gs + ss ** 2), (gs - 1) * cos2 / (gs - 1 + ss ** 2)
check("finite source: 1 - R_lt = g (1 - g) cos^2/(1 - g + s^2) below g = 1 and (g - 1) cos^2/(g - 1 + s^2) above",
      zero(1 - risk_lo - kept_lo) and zero(1 - risk_hi - kept_hi))
r_sc_lo = 1 - gamma + gamma * sigma ** 2 / (1 - gamma)
r_sc_hi = sigma ** 2 / (gamma - 1)
cases = [(r_sc_lo - risk_lo, (gamma < 1) & (gs < 1)), (r_sc_lo - risk_hi, (gs > 1) & (gamma < 1)),
         (r_sc_lo - sin2, sp.Eq(ss, 0) & (gamma < 1)), (r_sc_lo - 1, gamma < 1),
         (r_sc_hi - risk_lo, (gamma > 1) & (gs < 1)), (r_sc_hi - risk_hi, (gamma > 1) & (gs > 1)),
         (r_sc_hi - sin2, sp.Eq(ss, 0) & (gamma > 1)), (r_sc_hi - 1, gamma > 1),
         (-risk_lo, sp.Eq(sigma, 0) & (gs < 1)), (-risk_hi, sp.Eq(sigma, 0) & (gs > 1)),
         (-sin2, sp.Eq(sigma, 0) & sp.Eq(ss, 0)), (-1, sp.Eq(sigma, 0)), (sp.oo, sp.true)]
check("finite source: the registered Piecewise is R_sc - R_lt with these R_lt, branch by branch (13 branches)",
      len(Tfs.args) == len(cases) and all((v == sp.oo and w == sp.oo) or zero(v - w) for (v, _), (w, _) in
                                          zip(Tfs.args, cases))
      and all(c1 == c2 for (_, c1), (_, c2) in zip(Tfs.args, cases)))
check("finite source: below gamma = 1, T = (1 - R_lt) - gamma + gamma sigma^2/(1 - gamma)",
      zero(r_sc_lo - risk_lo - (kept_lo - gamma + gamma * sigma ** 2 / (1 - gamma))))

# 4d. two-level spectrum: R_sc - R_lt without the cancelling O(1) terms ----------------------------------------
lam_i, lam_j, kk, rho_i = sp.symbols("lambda_i lambda_j k rho_i", positive=True)
v_i, v_j, w_j = kk / (lam_i + kk), kk / (lam_j + kk), 1 / (lam_j + kk)
check("v_j^2 - v_i = w_j ((lambda_i - lambda_j) v_i - lambda_j v_j)",
      zero(v_j ** 2 - v_i - w_j * ((lam_i - lam_j) * v_i - lam_j * v_j)))
from ftheory.theory.aniso import eigenvalues, kappa_quadratic  # noqa: E402
from ftheory.theory._symbols import frac_a, eig_ratio  # noqa: E402

a_, b_ = eigenvalues()
quad = kappa_quadratic(kk)
identity = gamma * kk - (frac_a * a_ * kk / (a_ + kk) + (1 - frac_a) * b_ * kk / (b_ + kk))
check("at a root of the kappa quadratic, gamma k = G = sum rho_i lambda_i v_i (the quadratic divided by "
      "(a + k)(b + k)/k)", zero(identity * (a_ + kk) * (b_ + kk) / kk - quad))
check("sigma^2 lambda_j^2 v_j^2/k = sigma^2 lambda_j v_j (lambda_j w_j) (the noise term without k H, which underflows)",
      zero(lam_j ** 2 * v_j ** 2 / kk - lam_j * v_j * (lam_j * w_j)))
r_aniso = __import__("ftheory").get("aniso2_lt_transferability")
with mpmath.workdps(40):
    worst = 0.0
    for _ in range(200):
        args = dict(gamma=float(10 ** rng.uniform(-15, 0.5)) if rng.random() < 0.5 else float(rng.uniform(0, 3)),
                    theta=float(np.pi * rng.random()), sigma=float(rng.uniform(0, 2)), frac_a=float(rng.uniform(0.01, 0.99)),
                    eig_ratio=float(10 ** rng.uniform(-6, 6)), energy_s=float(rng.random()), energy_perp=float(rng.random()),
                    norm_t=float(rng.uniform(0.1, 3)))
        exact = r_aniso._mp(*[mpmath.mpf(args[p]) for p in r_aniso.params])
        got = float(stable.aniso2_lt_transferability(*[args[p] for p in r_aniso.params]))
        worst = max(worst, float(abs(got - exact) / abs(exact)))
check(f"two-level R_sc - R_lt: the float64 form against the registered expression at 200 random points, gamma "
      f"from 1e-15 (relative {worst:.2g} < 1e-12)", worst < 1e-12)

# 4d'. the same two-level form for k < 1, in x_j = lambda_j/(lambda_j + k) and u_j = k/(lambda_j + k): every
# quantity O(1) however small the small eigenvalue (the v-form's v_j^2 underflows, 0 for 1.2e-279 at r = 1e-140)
A_, B_, K_, rho_, ca_, cb_, pa_, pb_, s_ = sp.symbols("a b k rho c_a c_b p_a p_b sigma", positive=True)
va_, vb_, wa_, wb_ = K_ / (A_ + K_), K_ / (B_ + K_), 1 / (A_ + K_), 1 / (B_ + K_)
H_v = rho_ * A_ * va_ ** 2 + (1 - rho_) * B_ * vb_ ** 2
G_v = rho_ * A_ * va_ + (1 - rho_) * B_ * vb_
sa_v = wa_ * (-rho_ * A_ ** 2 * va_ ** 2 + (1 - rho_) * B_ * vb_ * ((B_ - A_) * vb_ - A_ * va_))
sb_v = wb_ * (-(1 - rho_) * B_ ** 2 * vb_ ** 2 + rho_ * A_ * va_ * ((A_ - B_) * va_ - B_ * vb_))
v_form = (G_v * (A_ * ca_ * va_ ** 2 + B_ * cb_ * vb_ ** 2) + A_ * pa_ * sa_v + B_ * pb_ * sb_v) / H_v \
    + s_ ** 2 * (rho_ * A_ ** 2 * va_ ** 2 + (1 - rho_) * B_ ** 2 * vb_ ** 2) / (K_ * H_v)
xa_, xb_, ua_, ub_ = A_ / (A_ + K_), B_ / (B_ + K_), va_, vb_
m_ab_ = (B_ - A_) * K_ / ((A_ + K_) * (B_ + K_))
check("(b - a) k/((a + k)(b + k)) = ((b - a)/a) x_a u_b = ((b - a)/b) x_b u_a",
      zero(m_ab_ - (B_ - A_) / A_ * xa_ * ub_) and zero(m_ab_ - (B_ - A_) / B_ * xb_ * ua_))
Sa_ = -rho_ * xa_ ** 2 * ua_ + (1 - rho_) * xb_ * (m_ab_ - xa_ * ua_)
Sb_ = -(1 - rho_) * xb_ ** 2 * ub_ + rho_ * xa_ * (-m_ab_ - xb_ * ub_)
Hx_, Gx_ = rho_ * xa_ * ua_ + (1 - rho_) * xb_ * ub_, rho_ * xa_ + (1 - rho_) * xb_
x_form = (K_ * Gx_ * (ca_ * xa_ * ua_ + cb_ * xb_ * ub_) + A_ * pa_ * Sa_ + B_ * pb_ * Sb_) / Hx_ \
    + s_ ** 2 * (rho_ * xa_ ** 2 + (1 - rho_) * xb_ ** 2) / Hx_
check("two-level R_sc - R_lt: the x-form (k < 1) equals the v-form identically (H = k H_x, G = k G_x, s_j = k S_j)",
      zero(sp.together(x_form - v_form)))
check("alpha = a/k, beta = b/k without forming k: k = 2C/(B + sqrt D) (B >= 0) or (sqrt D - B)/(2 gamma) (B < 0)",
      zero(A_ / (2 * A_ * B_ * (1 - gamma) / (sp.Symbol("Bq") + sp.Symbol("R"))) - (sp.Symbol("Bq") + sp.Symbol("R"))
           / (2 * B_ * (1 - gamma))))
with mpmath.workdps(40):
    worst = 0.0
    for _ in range(300):
        args = dict(gamma=float(rng.uniform(0.01, 1)), theta=float(np.pi * rng.random()), sigma=float(rng.uniform(0, 2)) * (rng.random() < 0.7),
                    frac_a=float(rng.uniform(0.01, 0.99)), eig_ratio=float(10 ** rng.uniform(-307, 30)),
                    energy_s=float(rng.random()), energy_perp=float(rng.random()), norm_t=float(rng.uniform(0.1, 3)))
        exact = r_aniso._mp(*[mpmath.mpf(args[p]) for p in r_aniso.params])
        got = float(stable.aniso2_lt_transferability(*[args[p] for p in r_aniso.params]))
        worst = max(worst, float(abs(got - exact) / (abs(exact) + 2.2250738585072014e-308)))
check(f"two-level R_sc - R_lt at eig_ratio from 1e-307 to 1e30 (300 random points, 1e-12 |value| + 2.2e-308; worst "
      f"relative {worst:.2g} < 1e-12)", worst < 1e-12)

# 4e. ratios before squares; exact "no noise, no residual" tests ------------------------------------------------
over_ = expr_of("lt_boundary_over")
check("lt_boundary_over: oo at sin theta = 0, 1 without noise, else 1 + (sigma/sin theta)^2",
      over_.args[0] == (sp.oo, sp.Eq(sp.sin(theta), 0)) and over_.args[1] == (1, sp.Eq(sigma, 0))
      and zero(over_.args[2][0] - 1 - (sigma / sp.sin(theta)) ** 2))
kl_ = expr_of("kl_divergence_task")
hh = sp.sin(theta / 2)
check("kl_divergence_task: ((r_s - r_t)/sigma)^2/2 + 2 (r_s h/sigma)(r_t h/sigma) for sigma > 0, 0 for identical "
      "noiseless laws, else oo",
      zero(kl_.args[0][0] - (((norm_s - norm_t) / sigma) ** 2 / 2 + 2 * (norm_s * hh / sigma) * (norm_t * hh / sigma)))
      and kl_.args[0][1] == (sigma > 0) and kl_.args[1][0] == 0 and kl_.args[2][0] == sp.oo)
from ftheory.theory._symbols import energy_perp, n as n_sym, k as k_sym, residual  # noqa: E402

fin = expr_of("aniso2_linear_transfer_risk_finite")
rho_res = norm_t ** 2 * sp.sin(theta) ** 2 * (a_ * energy_perp + b_ * (1 - energy_perp))
check("aniso2_linear_transfer_risk_finite: rho = r_t^2 sin^2 (a e_perp + b (1 - e_perp)) with a, b > 0, so "
      "sigma^2 + rho = 0 iff sigma = 0 and sin theta = 0 (theta = 0 for a float64 theta in [0, pi])",
      zero(fin.args[0][0] - (rho_res + (sigma ** 2 + rho_res) / (n_sym - 2))) and fin.args[0][1] == (n_sym > 2)
      and zero(fin.args[1][1].args[0] - (sigma ** 2 + rho_res)) and fin.args[2][0] == sp.oo
      and a_.is_positive is not False and b_.is_positive is not False)
rk = expr_of("linear_transfer_risk_rank_k")
check("linear_transfer_risk_rank_k: rho + sigma^2 = 0 iff rho = 0 and sigma = 0 (both >= 0); "
      "1 - n/k = (k - n)/k", rk.args[2][1] == sp.Eq(residual + sigma ** 2, 0) and rk.args[3][0] == sp.oo
      and zero(rk.args[0][0] - (n_sym * (residual + sigma ** 2) / (k_sym - n_sym - 1) + residual
                                + (1 - residual) * (k_sym - n_sym) / k_sym)))
with mpmath.workdps(40):
    worst = 0.0
    for name in ("lt_boundary_over", "kl_divergence_task", "aniso2_linear_transfer_risk_finite",
                 "linear_transfer_risk_rank_k"):
        r = ftheory.get(name)
        for _ in range(150):
            args = {p: float(np.pi * rng.random()) if p == "theta" else int(rng.integers(1, 40)) if PARAMS[p].integer
                    else float(rng.uniform(0.01, 0.99)) if PARAMS[p].high == 1.0 else float(10 ** rng.uniform(-5, 5))
                    for p in r.params}
            exact = r._mp(*[mpmath.mpf(args[p]) for p in r.params])
            got = float(getattr(stable, name)(*[args[p] for p in r.params]))
            if not mpmath.isfinite(exact):
                worst = max(worst, 0.0 if got == np.inf else np.inf)
                continue
            worst = max(worst, float(abs(got - exact) / (abs(exact) + mpmath.mpf(10) ** -300)))
check(f"the four forms against the registered expressions at 600 random points (relative {worst:.2g} < 1e-13)",
      worst < 1e-13)

# 4f. the W1 lower bound: differences of squares, and a partial exact rescaling -------------------------------
import ftheory.stable_range as stable_range  # noqa: E402
from ftheory.theory.similarity import teacher_gap_sq  # noqa: E402

gap_ = teacher_gap_sq()
cc = sp.Symbol("c", positive=True)
dd, s1, s2 = sp.symbols("D s_1 s_2", nonnegative=True)
check("W1 bound: D^2 = (r_s - r_t)^2 + (2 sqrt(r_s) sqrt(r_t) sin(theta/2))^2 (so D = hypot(., .), no squares)",
      zero(gap_ - ((norm_s - norm_t) ** 2 + (2 * sp.sqrt(norm_s) * sp.sqrt(norm_t) * sp.sin(theta / 2)) ** 2)))
check("W1 bound: sqrt(D^2 + s_1^2) - s_2 = (D^2 + (s_1 - s_2)(s_1 + s_2))/(sqrt(D^2 + s_1^2) + s_2)",
      zero((sp.sqrt(dd ** 2 + s1 ** 2) - s2) * (sp.sqrt(dd ** 2 + s1 ** 2) + s2)
           - (dd ** 2 + (s1 - s2) * (s1 + s2))))
w1_ = expr_of("wasserstein1_lower_bound")
via_s_ = (sp.sqrt(gap_ + sigma ** 2) - sigma_s) / sp.sqrt(1 + norm_s ** 2)
via_t_ = (sp.sqrt(gap_ + sigma_s ** 2) - sigma) / sp.sqrt(1 + norm_t ** 2)
num_y_ = sp.sqrt(norm_s ** 2 + sigma_s ** 2) - sp.sqrt(norm_t ** 2 + sigma ** 2)
check("W1 bound: the registered expression is sqrt(2/pi) Max(N_s/sqrt(1 + r_s^2), N_t/sqrt(1 + r_t^2), |N_y|)",
      w1_ == sp.sqrt(2 / sp.pi) * sp.Max(via_s_, via_t_, sp.Abs(num_y_)))
check("W1 bound: |A - B| = |(r_s - r_t)(r_s + r_t) + (s_s - s)(s_s + s)|/(A + B), A, B the two roots",
      zero(num_y_ * (sp.sqrt(norm_s ** 2 + sigma_s ** 2) + sp.sqrt(norm_t ** 2 + sigma ** 2))
           - ((norm_s - norm_t) * (norm_s + norm_t) + (sigma_s - sigma) * (sigma_s + sigma))))
moved_ = {x: cc * x for x in (sigma, sigma_s, norm_s, norm_t)}
numer_s = sp.sqrt(gap_ + sigma ** 2) - sigma_s
check("W1 bound: the numerators are homogeneous of degree 1 in (sigma, sigma_s, norm_s, norm_t), and "
      "N(c x)/sqrt(1 + (c r)^2) = N(x)/sqrt(c^-2 + r^2) (the partial rescaling, c = 4^m exact)",
      zero(numer_s.xreplace(moved_) - cc * numer_s) and zero(num_y_.xreplace(moved_) - cc * num_y_)
      and zero((cc * numer_s) / sp.sqrt(1 + (cc * norm_s) ** 2) - numer_s / sp.sqrt(cc ** -2 + norm_s ** 2)))
r_w1 = ftheory.get("wasserstein1_lower_bound")
with mpmath.workdps(40):
    worst = 0.0
    for i in range(400):
        scale_ = float(10 ** rng.uniform(-300, 300)) if i % 2 else 1.0
        args = dict(theta=float(np.pi * rng.random() ** rng.choice([1, 20])),
                    **{p: scale_ * float(10 ** rng.uniform(-3, 3)) * float(rng.random() < 0.85) for p in r_w1.params[1:]})
        exact = r_w1._mp(*[mpmath.mpf(args[p]) for p in r_w1.params])
        got = float(stable_range.wasserstein1_lower_bound(*[args[p] for p in r_w1.params]))
        worst = max(worst, float(abs(got - exact) / (abs(exact) + mpmath.mpf(10) ** -300 * (exact == 0))))
check(f"W1 bound: the float64 form against the registered expression at 400 random points, half of them scaled "
      f"by 1e-300..1e300 (relative {worst:.2g} < 1e-13)", worst < 1e-13)

# 4g. two-level T_ft: ratios of the eigenvalue terms, never a product of two small ones --------------------------
from ftheory.theory._symbols import energy_s  # noqa: E402

mm, MM, k1, r1, r2, e1_, e2_, gg = sp.symbols("m M k' rho_1 rho_2 e_1 e_2 gamma_", positive=True)
t_ = mm / MM
kap = MM * k1
vm, vM = kap / (mm + kap), kap / (MM + kap)
W_ = mm * e1_ * vm ** 2 + MM * e2_ * vM ** 2
H_ = r1 * mm * vm ** 2 + r2 * MM * vM ** 2
R_ = t_ * ((1 + k1) / (t_ + k1)) ** 2
check("T_ft: W/H = (e_1 R + e_2)/(rho_1 R + rho_2), R = t ((1 + k')/(t + k'))^2, t = m/M, k' = k/M "
      "(R is the ratio of lambda_j/(lambda_j + k)^2; in [t, 1/t])",
      zero(W_ / H_ - (e1_ * R_ + e2_) / (r1 * R_ + r2)))
quad_a = kappa_quadratic(kk)                                 # a = eig_ratio b, b = 1/(rho r + 1 - rho)
bq = lambda t, rho1, rho2: (gamma - rho2) + t * (gamma - rho1)  # noqa: E731
for label, big, t_sub, rho1, rho2 in (("eig_ratio <= 1 (m = a, M = b)", b_, eig_ratio, frac_a, 1 - frac_a),
                                      ("eig_ratio > 1 (m = b, M = a)", a_, 1 / eig_ratio, 1 - frac_a, frac_a)):
    reduced = sp.expand(quad_a.subs(kk, big * k1) / big ** 2)
    target = gamma * k1 ** 2 + bq(t_sub, rho1, rho2) * k1 - t_sub * (1 - gamma)
    check(f"T_ft, {label}: the kappa quadratic at k = M k', divided by M^2, is gamma k'^2 + B' k' - t (1 - gamma), "
          "B' = (gamma - rho_2) + t (gamma - rho_1)", zero(sp.together(reduced - target)))
    check(f"T_ft, {label}: 1/M = rho_1 t + rho_2 and the gamma = 0 value a e_s + b (1 - e_s) = (e_1 t + e_2) M",
          zero(1 / big - (rho1 * t_sub + rho2)) and zero(
              a_ * energy_s + b_ * (1 - energy_s) - big * (t_sub * (energy_s if rho1 == frac_a else 1 - energy_s)
                                                           + (1 - energy_s if rho1 == frac_a else energy_s))))
bb, c2_ = sp.symbols("B' c2", real=True)
root_ = sp.sqrt(bb ** 2 + 4 * gg * c2_)
check("T_ft: the positive root 2 c^2/(B' + root) = (root - B')/(2 gamma) (c^2 = t (1 - gamma); the first for "
      "B' >= 0, the second, as gamma k' = (root - B')/2, for B' < 0)",
      zero(2 * c2_ * (2 * gg) - (root_ - bb) * (bb + root_)))
r_ft = ftheory.get("aniso2_ft_transferability")
with mpmath.workdps(60):
    worst = 0.0
    for i in range(300):
        args = dict(gamma=float(rng.uniform(0, 1.2)) if i % 3 else float(10 ** rng.uniform(-15, 0)),
                    theta=float(np.pi * rng.random()), frac_a=float(rng.uniform(0.01, 0.99)),
                    eig_ratio=float(10 ** rng.uniform(-300, 300) if i % 2 else 10 ** rng.uniform(-6, 6)),
                    energy_s=float(rng.random()), energy_perp=float(rng.random()),
                    norm_s=float(rng.uniform(0.1, 3)), norm_t=float(rng.uniform(0.1, 3)))
        exact = __import__("ftheory").get("aniso2_ft_transferability").mp(dps=30, **args)
        got = float(stable_range.aniso2_ft_transferability(*[args[p] for p in r_ft.params]))
        x_ = args["norm_s"] * (2 * args["norm_t"] * np.cos(args["theta"]) - args["norm_s"])
        size_ = args["norm_s"] * (2 * args["norm_t"] + args["norm_s"])
        worst = max(worst, float(abs(got - exact) / (abs(exact) * size_ / abs(x_) + mpmath.mpf(10) ** -300)))
check(f"T_ft: the float64 form against .mp of the registered expression at 300 random points, eig_ratio from "
      f"1e-300 to 1e300 (relative to the size of 2 r_s r_t cos - r_s^2: {worst:.2g} < 1e-13)", worst < 1e-13)

# 4h. W2 at magnitudes whose squares underflow, and the precision bound of its mpmath reference ----------------
ss_, zz, tt = sp.symbols("s z' t", positive=True)
check("W2, scaled: with x = s^2 x', z = s^2 z': sqrt(t^2 + z) - t = s^2 z'/(sqrt(t^2 + s^2 z') + t), so x' = "
      "z'/(sqrt(t^2 + s^2 z') + t) (likewise y')", zero((sp.sqrt(tt ** 2 + ss_ ** 2 * zz) - tt)
                                                        * (sp.sqrt(tt ** 2 + ss_ ** 2 * zz) + tt) - ss_ ** 2 * zz))
hi, lo = sp.symbols("sigma_hi sigma_lo", nonnegative=True)
check("W2 bound: for sigma_hi >= sigma_lo, (hi - lo)(hi + lo) - (hi - lo)^2 = 2 lo (hi - lo) >= 0, so the numerator "
      "D^2 + (hi - lo)(hi + lo) of via_s (sigma >= sigma_s) or via_t (sigma_s >= sigma) is >= dist = D^2 + (sigma - "
      "sigma_s)^2: LB > 0 whenever dist > 0", zero((hi - lo) * (hi + lo) - (hi - lo) ** 2 - 2 * lo * (hi - lo)))
# W1 <= W2 (E|U - V| <= sqrt(E|U - V|^2) for every coupling) and LB <= W1 (registered, Kantorovich-Rubinstein), so
# W2^2 >= LB^2 and dist - 2x = W2^2 loses at most log2(dist/LB^2) bits: checked here at random points.
from ftheory import stable_mp  # noqa: E402

r_w2 = ftheory.get("wasserstein2_task")
closed_w2 = sp.lambdify([PARAMS[p].symbol for p in r_w2.params], expr_of("wasserstein2_task"), "mpmath")
ok = True
with mpmath.workdps(60):
    worst = 0.0
    for _ in range(40):
        args = [mpmath.mpf(float(np.pi * rng.random()))] + [mpmath.mpf(float(10 ** rng.uniform(-1, 1)))
                                                              for _ in range(4)]
        exact = closed_w2(*args)
        worst = max(worst, abs(stable_mp.wasserstein2_task(*args) - exact) / exact)
        ok &= r_w1._mp(*args) <= exact and stable_mp.w1_lower_bound_sq(*args) * 2 / mpmath.pi <= exact ** 2
check(f"W2 (mpmath stable form) = the registered closed form at 40 random points ({mpmath.nstr(worst, 3)} < 1e-50), "
      "and LB <= W2 there", worst < mpmath.mpf(10) ** -50 and ok)

# 5. homogeneity of the SCALING results --------------------------------------------------------------------
scale = sp.Symbol("c", positive=True)


def homogeneous(name, group, degree):
    expr = expr_of(name)
    moved = {PARAMS[p].symbol: scale * PARAMS[p].symbol for p in group}
    pieces = expr.args if isinstance(expr, sp.Piecewise) else ((expr, sp.true),)
    for value, cond in pieces:
        if not (value.is_infinite or sp.simplify(value.xreplace(moved) - scale ** degree * value) == 0):
            return False
        if cond is not sp.true and sp.simplify(cond.xreplace(moved)) != sp.simplify(cond):
            return False
    return True


def homogeneous_numerically(name, group, degree):
    """f(c x_G) = c^k f(x_G) to 30 digits at 20 random points, c from 2^-300 to 2^300 (where simplify gives up)."""
    r = __import__("ftheory").get(name)
    with mpmath.workdps(60):
        for _ in range(20):
            args = {p: mpmath.mpf(float(np.pi * rng.random())) if p == "theta" else
                    mpmath.mpf(float(rng.uniform(0.05, 0.95))) if PARAMS[p].high == 1.0 else
                    int(rng.integers(2, 9)) if PARAMS[p].integer else mpmath.mpf(float(10 ** rng.uniform(-2, 2)))
                    for p in r.params}
            c = mpmath.mpf(2) ** int(rng.integers(-300, 300)) * mpmath.mpf(float(rng.uniform(1, 2)))
            moved = {p: v * c if p in group else v for p, v in args.items()}
            base, scaled = r._mp(*args.values()), r._mp(*moved.values())
            if not mpmath.isfinite(base):
                if scaled != base:
                    return False
                continue
            if abs(scaled - c ** degree * base) > mpmath.mpf(10) ** -30 * abs(c ** degree * base):
                return False
    return True


for name, (group, degree) in sorted(SCALING.items()):
    how = "branch by branch" if homogeneous(name, group, degree) else \
        "numerically, 20 points at 30 digits" if homogeneous_numerically(name, group, degree) else None
    check(f"{name} is homogeneous of degree {degree} in ({', '.join(group)}) ({how})", how is not None)
done()
