"""Derivation: distances between the source and target task laws (docs/background.md §9).

Run ``python derivations/similarity.py`` (``--latex`` for LaTeX output, ``--quiet`` for checks only).

A task law is ``x ~ N(0, I_d)``, ``y = beta . x + s eps``. Every check below derives an ingredient
from first principles (SymPy integrals over Gaussian densities, explicit covariance matrices) and
compares it with the registered result.

1. KL: the KL divergence of two normal conditionals by integration, averaged over x (law of cosines
   for ``E ((beta_s - beta_t).x)^2``); both directions and the equal-noise paper form.
2. W1 upper bound: the cost of the synchronous coupling, ``E|N(0, v)| = sqrt(2 v/pi)`` by integration.
3. W1 lower bound: each test function is 1-Lipschitz, and its two expectations by integration.
4. Dudley lower bound: ``E cos(y) = exp(-v/2)`` for ``y ~ N(0, v)`` by integration; ``|h|_inf +
   |h|_Lip = 1`` for ``h = cos(y)/2``.
5. W2: the Gelbrich/Dowson-Landau formula with explicit 4 x 4 covariances and an mpmath matrix square
   root at 40 digits, against the registered closed form at several points.
"""
import mpmath
import sympy as sp

from _derive import check, done, equal, step, title
from ftheory import get
from ftheory.symbolic import expr_of
from ftheory.theory._symbols import norm_s, norm_t, sigma, sigma_s, theta

title("Distances between task laws (docs/background.md §9)")

t = sp.Symbol("t", real=True)
m_p, m_q = sp.symbols("m_p m_q", real=True)
s_p, s_q, v = sp.symbols("s_p s_q v", positive=True)


def normal_pdf(x, mean, sd):
    return sp.exp(-(x - mean) ** 2 / (2 * sd ** 2)) / (sd * sp.sqrt(2 * sp.pi))


def same_log(a, b):
    """Equality after splitting logarithms (the noise symbols are only non-negative, so SymPy keeps
    log(sigma/sigma_s) whole; on the regular branch both are > 0)."""
    return equal(sp.expand_log(a, force=True), sp.expand_log(b, force=True))


def regular(expr):
    """The first (regular, all noises > 0) branch of a registered Piecewise."""
    return expr.args[0][0] if isinstance(expr, sp.Piecewise) else expr


# 1. KL -------------------------------------------------------------------------------------------
log_ratio = sp.expand_log(sp.log(normal_pdf(t, m_p, s_p) / normal_pdf(t, m_q, s_q)), force=True)
kl_1d = sp.expand(sp.expand_log(sp.simplify(sp.integrate(log_ratio * normal_pdf(t, m_p, s_p), (t, -sp.oo, sp.oo))),
                                      force=True))
step("KL(N(m_p, s_p^2) || N(m_q, s_q^2)) by integrating log(p/q) against p", kl_1d)
check("equals log(s_q/s_p) + (s_p^2 + (m_p - m_q)^2)/(2 s_q^2) - 1/2",
      equal(kl_1d, sp.log(s_q / s_p) + (s_p ** 2 + (m_p - m_q) ** 2) / (2 * s_q ** 2) - sp.Rational(1, 2)))
# x-marginals agree, so KL(p_s||p_t) = E_x KL of the conditionals; m_p - m_q = (beta_s - beta_t).x is
# linear in (m_p - m_q)^2 -> its mean E_x ((beta_s - beta_t).x)^2 = |beta_s - beta_t|^2 (x ~ N(0, I)).
b_s = sp.Matrix([norm_s, 0])
b_t = sp.Matrix([norm_t * sp.cos(theta), norm_t * sp.sin(theta)])
gap_sq = sp.trigsimp(sp.expand((b_s - b_t).dot(b_s - b_t)))
step("E_x ((beta_s - beta_t).x)^2 = |beta_s - beta_t|^2 with beta_s = norm_s e_1, beta_t at angle theta", gap_sq)
check("law of cosines: norm_s^2 + norm_t^2 - 2 norm_s norm_t cos(theta)",
      equal(gap_sq, norm_s ** 2 + norm_t ** 2 - 2 * norm_s * norm_t * sp.cos(theta)))
# kl_1d depends on the means only through (m_p - m_q)^2: put m_p = sqrt(gap^2), m_q = 0 for its x-average
check("kl_source_target (regular branch) = E_x KL(N(beta_s.x, sigma_s^2) || N(beta_t.x, sigma^2))",
      same_log(regular(expr_of("kl_source_target")), kl_1d.subs({s_p: sigma_s, s_q: sigma}).subs(
          {m_p: sp.sqrt(gap_sq), m_q: 0})))
check("kl_target_source (regular branch) is the reverse direction",
      same_log(regular(expr_of("kl_target_source")), kl_1d.subs({s_p: sigma, s_q: sigma_s}).subs(
          {m_p: sp.sqrt(gap_sq), m_q: 0})))
kl_eq = regular(expr_of("kl_divergence_task"))
check("kl_divergence_task = |beta_s - beta_t|^2/(2 sigma^2) at equal noise", equal(kl_eq, gap_sq / (2 * sigma ** 2)))
check("unit teachers: the paper's (1 - cos theta)/sigma^2 (Appendix A)",
      equal(kl_eq.subs({norm_s: 1, norm_t: 1}), (1 - sp.cos(theta)) / sigma ** 2))
check("the KL is +oo at sigma = 0 for distinct teachers",
      float(get("kl_divergence_task")(theta=0.5, sigma=0.0)) == float("inf"))

# 2. W1 upper bound ---------------------------------------------------------------------------------
abs_mean = sp.simplify(sp.integrate(sp.Abs(t) * normal_pdf(t, 0, sp.sqrt(v)), (t, -sp.oo, sp.oo)))
step("E|N(0, v)| by integration", abs_mean)
check("E|N(0, v)| = sqrt(2 v/pi)", equal(abs_mean, sp.sqrt(2 * v / sp.pi)))
# same x and eps for both laws: y_s - y_t = (beta_s - beta_t).x + (sigma_s - sigma) eps ~ N(0, gap^2 + (.)^2)
coupling = abs_mean.subs(v, gap_sq + (sigma_s - sigma) ** 2)
check("wasserstein1_upper_bound = E|y_s - y_t| under the synchronous coupling",
      equal(expr_of("wasserstein1_upper_bound"), coupling))

# 3. W1 lower bound ----------------------------------------------------------------------------------
# h_s(x, y) = |y - beta_s.x|/sqrt(1 + |beta_s|^2): |.| of a linear form with coefficient vector
# (-beta_s, 1)/sqrt(1 + |beta_s|^2), of unit norm -> 1-Lipschitz.
coef = sp.Matrix([-b_s[0], -b_s[1], 1]) / sp.sqrt(1 + norm_s ** 2)
check("h_s is 1-Lipschitz (its linear form has unit norm)", equal(sp.simplify(coef.dot(coef)), 1))
e_same = abs_mean.subs(v, sigma_s ** 2) / sp.sqrt(1 + norm_s ** 2)          # under p_s: y - beta_s.x = sigma_s eps
e_other = abs_mean.subs(v, gap_sq + sigma ** 2) / sp.sqrt(1 + norm_s ** 2)  # under p_t
lower = expr_of("wasserstein1_lower_bound")
max_args = [a for a in sp.Mul.make_args(lower) if isinstance(a, sp.Max)][0].args
check("wasserstein1_lower_bound = sqrt(2/pi) Max(...) with E_{p_t} h_s - E_{p_s} h_s among the terms",
      equal(lower, sp.sqrt(2 / sp.pi) * sp.Max(*max_args)) and any(equal(sp.sqrt(2 / sp.pi) * arg, e_other - e_same) for arg in max_args))
pts = [(0.3, 0.2, 0.4, 1.0, 1.3), (2.5, 0.5, 0.1, 0.7, 1.8), (1.0, 1.0, 1.0, 1.0, 1.0)]
check("lower bound <= upper bound at sample points",
      all(float(get("wasserstein1_lower_bound")(theta=a, sigma=b, sigma_s=c, norm_s=e, norm_t=f))
          <= float(get("wasserstein1_upper_bound")(theta=a, sigma=b, sigma_s=c, norm_s=e, norm_t=f)) + 1e-15
          for a, b, c, e, f in pts))

# 4. Dudley -------------------------------------------------------------------------------------------
cos_mean = sp.simplify(sp.integrate(sp.cos(t) * normal_pdf(t, 0, sp.sqrt(v)), (t, -sp.oo, sp.oo)))
step("E cos(y), y ~ N(0, v), by integration", cos_mean)
check("E cos(y) = exp(-v/2)", equal(cos_mean, sp.exp(-v / 2)))
from sympy.calculus.util import maximum  # noqa: E402

check("h = cos(y)/2: |h|_inf + |h|_Lip = max cos/2 + max |sin|/2 = 1",
      maximum(sp.cos(t) / 2, t, sp.Reals) + maximum(sp.diff(sp.cos(t) / 2, t) ** 2, t, sp.Reals) ** sp.Rational(1, 2) == 1)
check("dudley_lower_bound_cosine = |E_{p_s} h - E_{p_t} h| with y ~ N(0, |beta|^2 + s^2)",
      equal(expr_of("dudley_lower_bound_cosine"),
            sp.Abs(cos_mean.subs(v, norm_s ** 2 + sigma_s ** 2) - cos_mean.subs(v, norm_t ** 2 + sigma ** 2)) / 2))

# 5. W2 -----------------------------------------------------------------------------------------------
mpmath.mp.dps = 40


def w2_direct(th, s, ss, ns, nt, d=3):
    """Gelbrich: W2^2 = tr S_s + tr S_t - 2 tr (S_s^1/2 S_t S_s^1/2)^1/2 with explicit (d+1) x (d+1) covariances."""
    bs = [ns] + [0] * (d - 1)
    bt = [nt * mpmath.cos(th), nt * mpmath.sin(th)] + [0] * (d - 2)

    def cov(b, noise):
        m = mpmath.eye(d + 1)
        for i in range(d):
            m[i, d] = m[d, i] = b[i]
        m[d, d] = sum(x * x for x in b) + noise ** 2
        return m

    S_s, S_t = cov(bs, ss), cov(bt, s)
    r = mpmath.sqrtm(S_s)
    fid = sum(mpmath.re(x) for x in mpmath.eig(mpmath.sqrtm(r * S_t * r))[0])
    tr = sum(S_s[i, i] + S_t[i, i] for i in range(d + 1))
    return mpmath.sqrt(max(tr - 2 * fid, 0))


w2 = get("wasserstein2_task")
for point in [(0.7, 0.2, 0.3, 1.0, 1.0), (2.0, 0.5, 0.1, 0.6, 1.7), (0.1, 1.0, 1.0, 1.0, 1.0), (3.0, 0.3, 0.3, 2, 0.5)]:
    th, s, ss, ns, nt = point
    direct = w2_direct(*map(mpmath.mpf, point))
    closed = w2.mp(30, theta=th, sigma=s, sigma_s=ss, norm_s=ns, norm_t=nt)
    check(f"wasserstein2_task = Gelbrich with explicit covariances at {point} (30 digits, d = 3 and 5)",
          abs(direct - closed) < mpmath.mpf(10) ** -25 and
          abs(w2_direct(*map(mpmath.mpf, point), d=5) - closed) < mpmath.mpf(10) ** -25)
check("W2 = 0 for identical laws", w2.mp(30, theta=0, sigma=0.3, sigma_s=0.3, norm_s=1.2, norm_t=1.2) < 1e-12)

done()
