"""Derivation: structured input covariance, the two-level spectrum (docs/aniso.md; issue 15).

Run ``python derivations/aniso.py`` (``--latex`` for LaTeX output, ``--quiet`` for checks only).

1. Deterministic equivalent of min-norm regression per block: kappa solves a quadratic with exactly one
   positive root for gamma < 1; the risk in a cancellation-free form equals the textbook form.
2. Sigma = I (eig_ratio = 1) reproduces the registered isotropic results exactly (symbolically).
3. Limits: gamma -> 0 gives ||beta_t||_Sigma^2, the interpolation peak ~ sigma^2/(1 - gamma) for every
   two-level spectrum, noiseless gamma -> 1 gives 0, gamma > 1 does not see Sigma.
4. Linear transfer: the Sigma-orthogonal residual, exact at finite n (T4 with the residual as noise).
5. Fine-tuning: T_ft factorises; its break-even angle is the isotropic one for block-orthogonal teachers.
6. What is new: the same Euclidean angle helps or hurts depending on where the residual sits.
"""
import sympy as sp

from _derive import check, done, equal, step, title
from ftheory import get, rmt
from ftheory.result import expr_of
from ftheory.theory import aniso as T
from ftheory.theory._symbols import (eig_ratio, energy_perp, energy_s, energy_t, frac_a, gamma, n, norm_s, norm_t,
                                     sigma, theta)

title("Structured covariance: the two-level spectrum (docs/aniso.md)")
k = sp.Symbol("kappa", positive=True)
a, b = T.eigenvalues()

# 1. ---------------------------------------------------------------------------------------------
step("Eigenvalues a = r b, b = 1/(rho r + 1 - rho): trace normalisation rho a + (1 - rho) b", (a, b))
check("rho a + (1 - rho) b = 1", sp.simplify(frac_a * a + (1 - frac_a) * b - 1) == 0)
q = T.kappa_quadratic(k)
step("df1(kappa)/n = 1 (min-norm, proportional limit) times (a + kappa)(b + kappa): a quadratic", q)
poly = sp.Poly(q, k)
lead, lin, const = poly.all_coeffs()
check("product of the roots -a b (1 - gamma)/gamma < 0 for 0 < gamma < 1: exactly one positive root",
      sp.simplify(const / lead + a * b * (1 - gamma) / gamma) == 0)
over, under, B = T.kappa_root()
step("The positive root, cancellation-free for B = gamma (a + b) - 1 >= 0 and < 0", sp.Tuple(over, under))
check("it solves the quadratic", sp.simplify(q.subs(k, under)) == 0)
step("Risk: gamma k sum_j lambda_j E_j v_j^2/H + sigma^2 sum_j rho_j lambda_j^2 v_j^2/(k H), v_j = k/(lambda_j + k)")
T._check_block_risk()
check("equals kappa^2 sum lambda beta^2/(lambda + kappa)^2/(1 - df2/n) + sigma^2 (df2/n)/(1 - df2/n) "
      "(50 digits at three points)", True)

# 2. ---------------------------------------------------------------------------------------------
iso = {eig_ratio: 1}
check("eig_ratio = 1: a = b = 1", (a.subs(iso), b.subs(iso)) == (1, 1))
check("eig_ratio = 1: kappa = (1 - gamma)/gamma (B = 2 gamma - 1 of either sign)",
      equal(sp.simplify(under.subs(iso)), (1 - gamma) / gamma) and equal(sp.simplify(over.subs(iso)), (1 - gamma) / gamma))
sc = expr_of("aniso2_scratch_risk")
iso_sc = get("scratch_risk").expr
iso_under = iso_sc.args[0][0]
for value, cond in sc.args[1:3]:
    check(f"eig_ratio = 1, branch {cond}: equals the registered scratch_risk (gamma < 1), any energy_t",
          sp.simplify(value.subs(iso) - iso_under) == 0)
check("gamma > 1 branch equals scratch_risk's (sigma^2/(gamma - 1), no Sigma)", sc.args[3][0] == iso_sc.args[1][0])
check("gamma = 0 branch at eig_ratio = 1 is ||beta_t||^2 = scratch_risk at gamma = 0",
      sp.simplify(sc.args[0][0].subs(iso) - iso_under.subs(gamma, 0)) == 0)
lt = expr_of("aniso2_linear_transfer_risk")
from ftheory.params import PARAMS  # noqa: E402

lam = PARAMS["lam"].symbol
check("... and it is the registered expression with lam = 0, literally",
      sp.simplify(lt.subs(iso) - get("linear_transfer_risk").expr.subs(lam, 0)) == 0)
ltf = expr_of("aniso2_linear_transfer_risk_finite")
iso_ltf = get("linear_transfer_risk_finite").expr.subs(lam, 0)
iso_ltf = sp.piecewise_fold(iso_ltf)


def _same_zero_set(c1, c2):
    """Eq(sum of positive multiples of squares, 0) and the conjunction Eq(each base, 0) are the same set."""
    if c1 == c2 or sp.simplify(sp.Equivalent(c1, c2)) is sp.true:
        return True
    eq, conj = (c1, c2) if isinstance(c1, sp.Eq) else (c2, c1)
    if not (isinstance(eq, sp.Eq) and eq.rhs == 0 and isinstance(conj, sp.And)):
        return False
    zeros = {a.lhs for a in conj.args if isinstance(a, sp.Eq) and a.rhs == 0}
    terms = sp.Add.make_args(sp.expand(eq.lhs))
    # each term is a positive coefficient times an even power of one of the zero-set bases
    return all(any(t.has(z) for z in zeros) and t.subs({z: 0 for z in zeros}) == 0 for t in terms) and \
        all(any(t.has(z) for t in terms) for z in zeros) and \
        all(sp.ask(sp.Q.nonnegative(t)) is not False for t in terms)


_a, _b = ltf.subs(iso), iso_ltf
check("finite-n linear transfer at eig_ratio = 1 equals linear_transfer_risk_finite at lam = 0, branch by branch "
      "(the noiseless-zero branch: r_t^2 sin^2 theta + sigma^2 = 0 iff sigma = 0 and sin theta = 0)",
      len(_a.args) == len(_b.args) and all(equal(ea, eb) and _same_zero_set(ca, cb)
                                           for (ea, ca), (eb, cb) in zip(_a.args, _b.args)))
ft = expr_of("aniso2_ft_transferability")
iso_ft = get("finetune_transferability").expr
iso_ft_under = [v for v, c in iso_ft.args if c == (gamma < 1)][0]
for value, cond in ft.args[1:3]:
    check(f"fine-tuning transferability at eig_ratio = 1, branch {cond}: equals finetune_transferability",
          sp.simplify(value.subs(iso) - iso_ft_under) == 0)

# 3. ---------------------------------------------------------------------------------------------
step("Limits through kappa: gamma(kappa) = rho a/(a + kappa) + (1 - rho) b/(b + kappa) is decreasing, gamma -> 0 "
     "is kappa -> oo and gamma -> 1 is kappa -> 0")
g_of_k = frac_a * a / (a + k) + (1 - frac_a) * b / (b + k)
check("gamma(kappa) is the root's inverse: the quadratic vanishes at gamma = gamma(kappa)",
      sp.simplify(q.subs(gamma, g_of_k)) == 0)
E_a, E_b = norm_t ** 2 * energy_t, norm_t ** 2 * (1 - energy_t)
R_k = sp.together(T.block_risk(k, (E_a, E_b)).subs(gamma, g_of_k))
check("gamma -> 0+: the risk tends to ||beta_t||_Sigma^2 = a E_a + b E_b (nothing learnt), the gamma = 0 branch",
      sp.simplify(sp.limit(R_k, k, sp.oo) - sc.args[0][0]) == 0)
lead_peak = sp.simplify(sp.limit(sp.together((1 - g_of_k) * R_k), k, 0, "+"))
step("Interpolation peak: lim_{gamma -> 1-} (1 - gamma) R", lead_peak)
check("the peak is sigma^2/(1 - gamma) to leading order on every two-level spectrum (as for Sigma = I)",
      sp.simplify(lead_peak - sigma ** 2) == 0)
check("noiseless: R -> 0 as gamma -> 1-", sp.simplify(sp.limit(R_k.subs(sigma, 0), k, 0, "+")) == 0)

# 4. ---------------------------------------------------------------------------------------------
step("Linear transfer: beta_t = alpha beta_s + r with <r, beta_s>_Sigma = 0; X r independent of X beta_s, "
     "so it is label noise: E R = ||r||_Sigma^2 + (sigma^2 + ||r||_Sigma^2) E[1/chi^2_n]", ltf)
inv = rmt.inverse_chi2_moment(n, 1)
check("E[1/chi^2_n] = 1/(n - 2) for n > 2 (T4)", equal(inv.value, 1 / (n - 2)))
cos_sigma = expr_of("aniso2_sigma_cosine")
m_t = a * (sp.cos(theta) ** 2 * energy_s + sp.sin(theta) ** 2 * energy_perp) + \
    b * (sp.cos(theta) ** 2 * (1 - energy_s) + sp.sin(theta) ** 2 * (1 - energy_perp))
check("||r||_Sigma^2 = ||beta_t||_Sigma^2 (1 - cos^2 theta_Sigma): the Sigma-weighted angle decides",
      sp.simplify(norm_t ** 2 * m_t * (1 - cos_sigma ** 2) - lt) == 0)

# 5. ---------------------------------------------------------------------------------------------
step("Fine-tuning: R_sc - R_ft = (2 r_s r_t cos theta - r_s^2) gamma kappa W_s/H (noise cancels)", ft.args[2][0])
factor = 2 * norm_s * norm_t * sp.cos(theta) - norm_s ** 2
rest = ft.args[2][0] / factor                 # the factor is literally a factor of the product
check("after dividing by 2 r_s r_t cos theta - r_s^2 the rest depends on neither theta nor r_t",
      not rest.has(theta) and not rest.has(norm_t))
pt = {gamma: sp.Rational(1, 3), frac_a: sp.Rational(1, 5), eig_ratio: 9, energy_s: sp.Rational(2, 3),
      energy_perp: sp.Rational(1, 7), norm_s: 1, norm_t: 1, theta: 1}
check("the other factor gamma kappa W_s/H is positive (at a sample point; it is a ratio of positive sums)",
      sp.N(rest.subs(pt)) > 0)
check("so fine-tuning helps iff cos theta > r_s/(2 r_t): the registered isotropic break-even angle",
      sp.simplify(sp.cos(get("finetune_break_even_theta").expr) - norm_s / (2 * norm_t)).subs(
          {norm_s: 1, norm_t: 1}) == 0)

# 6. ---------------------------------------------------------------------------------------------
T_lt = expr_of("aniso2_lt_transferability")
ex = {gamma: sp.Rational(1, 5), sigma: 0, frac_a: sp.Rational(1, 10), eig_ratio: 20, theta: sp.pi / 3,
      energy_s: sp.Rational(1, 10), norm_t: 1}
low = sp.N(T_lt.subs({**ex, energy_perp: 0}))
high = sp.N(T_lt.subs({**ex, energy_perp: 1}))
step(f"Same Euclidean angle pi/3, gamma = 1/5, sigma = 0: T_lt = {low:.4f} when the residual sits on the small "
     f"eigenvalues, {high:.4f} when it sits on the large ones")
check("linear transfer helps in the first case and hurts in the second", low > 0 > high)
done()
