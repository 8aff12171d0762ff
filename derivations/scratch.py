"""Derivation: training from scratch, double descent (docs/background.md §3).

Run ``python derivations/scratch.py`` (``--latex`` for LaTeX output, ``--quiet`` for checks only).

1. Implicit bias (§3.1): the min-norm interpolator X^T (X X^T)^{-1} y interpolates and has no
   component in the null space of X (checked on an explicit symbolic 2 x 3 design).
2. Finite size (§3.3): bias from (T1), variance from (T2)-(T3), assembled case by case.
3. Proportional limit (§3.2): n = gamma d, d -> oo, branch by branch; compared with eq. (8).
4. Second route: the ridgeless limit of the Marchenko-Pastur ridge risk (T6, §3.5).
5. Limits and special values (§3.4).
"""
import sympy as sp

from _derive import check, done, equal, step, title
from ftheory import get, rmt
from ftheory.symbolic import expr_of
from ftheory.theory._symbols import d, gamma, n, norm_t, sigma
from ftheory.theory.scratch import bias_and_variance

title("Training from scratch: implicit bias and double descent (docs/background.md §3)")

# 1. implicit bias -------------------------------------------------------------------------
X = sp.Matrix(2, 3, sp.symbols("x_11 x_12 x_13 x_21 x_22 x_23", real=True))
y = sp.Matrix(sp.symbols("y_1 y_2", real=True))
beta_mn = X.T * (X * X.T).inv() * y
null = X.nullspace()[0]
step("Min-norm interpolator for an explicit 2 x 3 design: beta = X^T (X X^T)^{-1} y")
check("X beta = y (it interpolates)", sp.simplify(X * beta_mn - y) == sp.zeros(2, 1))
check("beta is orthogonal to the null space of X (no component gradient flow cannot create)",
      sp.simplify((null.T * beta_mn)[0]) == 0)
check("the gradient (2/n) X^T (X b - y) lies in the row space of X for any b",
      sp.simplify((null.T * X.T * (X * sp.Matrix(sp.symbols("b1:4")) - y))[0]) == 0)

# 2. finite size -----------------------------------------------------------------------------
bias, (var_under, var_over) = bias_and_variance()
step("(T1) bias: ||beta_t||^2 E||(I - P) u||^2 with P the projector on a random min(n,d)-subspace", bias)
step("(T2)-(T3) variance for n <= d - 2: sigma^2 E tr (X X^T)^{-1}, X X^T ~ W_n(d, I)", var_under.value)
step("(T2)-(T3) variance for n >= d + 2: sigma^2 E tr (X^T X)^{-1}, X^T X ~ W_d(n, I)", var_over.value)
finite = expr_of("scratch_risk_finite")
step("Exact expected risk E R_sc(n, d, sigma): bias + variance, +oo where the inverse-Wishart mean diverges",
     finite)
theory_33 = sp.Piecewise(
    ((1 - n / d) * norm_t ** 2 + sigma ** 2 * n / (d - n - 1), n <= d - 2),
    (sigma ** 2 * d / (n - d - 1), n >= d + 2),
    (norm_t ** 2 * (1 - sp.Min(n, d) / d), sp.Eq(sigma, 0)),
    (sp.oo, True))
check("equals docs/background.md §3.3", equal(finite, theory_33))
for nn, dd in [(3, 10), (20, 10), (9, 10), (10, 10), (11, 10)]:
    check(f"sigma = 0 gives (1 - n/d)_+ ||beta_t||^2 at n={nn}, d={dd}",
          equal(finite.subs({n: nn, d: dd, sigma: 0}), norm_t ** 2 * max(0, 1 - sp.Rational(nn, dd))))
check("|n - d| <= 1 with sigma > 0 is +oo", finite.subs({n: 10, d: 10, sigma: sp.Rational(1, 5)}) == sp.oo)

# 3. proportional limit ------------------------------------------------------------------------
asym = rmt.proportional_limit(finite, n, d, gamma)
step("Proportional limit n = gamma d, d -> oo, branch by branch", asym)
eq8 = sp.Piecewise(
    ((1 - gamma) * norm_t ** 2 + gamma * sigma ** 2 / (1 - gamma), gamma < 1),
    (sigma ** 2 / (gamma - 1), gamma > 1),
    (0, sp.Eq(sigma, 0)),
    (sp.oo, True))
check("equals the paper's eq. (8) (docs/background.md §3.2, general norm), with +oo / 0 at gamma = 1",
      equal(asym, eq8))
check("equals the registered scratch_risk", equal(asym, get("scratch_risk").expr))
check("unit teacher, gamma < 1: ((1 - gamma)^2 + gamma sigma^2)/(1 - gamma)",
      equal(asym.args[0][0].subs(norm_t, 1), ((1 - gamma) ** 2 + gamma * sigma ** 2) / (1 - gamma)))

# 4. second route: Marchenko-Pastur ------------------------------------------------------------
phi, lam, t = sp.symbols("phi lambda t", positive=True)
m = rmt.mp_stieltjes(phi, lam)
mprime = rmt.mp_stieltjes_derivative(phi, lam)
step("(T6) Marchenko-Pastur Stieltjes transform at -lambda, phi = d/n", m)
check("m_lambda solves phi lambda m^2 + (1 - phi + lambda) m - 1 = 0",
      sp.simplify(phi * lam * m ** 2 + (1 - phi + lam) * m - 1) == 0)
ridge = norm_t ** 2 * lam ** 2 * mprime + sigma ** 2 * phi * (m - lam * mprime)
step("Ridge risk R(lambda) = ||beta_t||^2 lambda^2 m'_lambda + sigma^2 phi (m_lambda - lambda m'_lambda), "
     "with m'_lambda = -dm_lambda/dlambda")


def _ridgeless(phi_value):
    e = ridge.subs(phi, phi_value)
    e = e.replace(lambda x: isinstance(x, sp.Pow) and x.exp == sp.S.Half,
                  lambda x: sp.sqrt(sp.factor(x.base)))
    return sp.simplify(sp.limit(e, lam, 0, "+"))


over = _ridgeless(1 / (1 + t))   # gamma = 1 + t > 1
under = _ridgeless(1 + t)        # gamma = 1/(1 + t) < 1
step("lambda -> 0+ with gamma = 1 + t (over-determined)", over)
step("lambda -> 0+ with gamma = 1/(1 + t) (under-determined)", under)
check("ridgeless MP limit = eq. (8) for gamma > 1", equal(over, asym.args[1][0].subs(gamma, 1 + t)))
check("ridgeless MP limit = eq. (8) for gamma < 1", equal(under, asym.args[0][0].subs(gamma, 1 / (1 + t))))

# 5. limits and special values (§3.4) ------------------------------------------------------------
r = get("scratch_risk")
check("gamma -> 0+: R -> ||beta_t||^2 (predicting 0)", equal(r.limit("gamma", 0, "+"), norm_t ** 2))
check("gamma -> 1-: +oo for sigma > 0", r.limit("gamma", 1, "-") == sp.oo)
check("gamma -> 1+: +oo for sigma > 0", r.limit("gamma", 1, "+") == sp.oo)
check("gamma -> 1 with sigma = 0: 0 (no peak)", r.limit("gamma", 1, "+-", sigma=0) == 0)
series_inf = r.series("gamma", "oo", 3)
step("gamma -> oo", series_inf)
check("gamma -> oo: sigma^2/gamma + O(gamma^-2)",
      equal(series_inf.removeO(), sigma ** 2 / gamma + sigma ** 2 / gamma ** 2))
step("gamma -> 1-: leading singular term", r.series("gamma", 1, 1, "-"))
gs = get("scratch_optimal_gamma").expr
rs = get("scratch_risk_minimum").expr
step("Over-parameterised (n < d) minimiser gamma* (solving dR/dgamma = 0 on gamma < 1)", gs)
step("Risk at gamma*", rs)
check("unit teacher: gamma* = 1 - sigma for sigma < 1",
      equal(gs.subs(norm_t, 1).args[0][0], 1 - sigma))
check("unit teacher: R(gamma*) = 2 sigma - sigma^2", equal(rs.subs(norm_t, 1).args[0][0], 2 * sigma - sigma ** 2))
check("worked example 2: sigma = 0.2 -> gamma* = 0.8, R = 0.36",
      gs.subs({norm_t: 1, sigma: sp.Rational(1, 5)}) == sp.Rational(4, 5)
      and rs.subs({norm_t: 1, sigma: sp.Rational(1, 5)}) == sp.Rational(9, 25))
check("worked example 1: R_sc(0.5, 0.2) = 0.54",
      asym.subs({gamma: sp.Rational(1, 2), sigma: sp.Rational(1, 5), norm_t: 1}) == sp.Rational(27, 50))
branch = asym.args[0][0].subs(norm_t, 1)
excess = sp.factor(sp.together(branch - 1))
step("R_sc - 1 on gamma < 1 (unit teacher)", excess)
check("R_sc > 1 on gamma < 1 exactly when gamma > 1 - sigma^2 (anomalous band, §3.4)",
      equal(excess, gamma * (gamma - 1 + sigma ** 2) / (1 - gamma)))
check("R_sc > 1 on gamma > 1 exactly when gamma < 1 + sigma^2",
      sp.solve(asym.args[1][0].subs(norm_t, 1) - 1, gamma) == [1 + sigma ** 2])
rho = sp.Symbol("rho", positive=True)
check("scaling: R(gamma, sigma; ||beta_t||) = ||beta_t||^2 R(gamma, sigma/||beta_t||; 1)",
      all(equal(a.subs(norm_t, rho), rho ** 2 * b.subs({sigma: sigma / rho, norm_t: 1}))
          for (a, _), (b, _) in zip(asym.args[:2], asym.args[:2])))
done()
