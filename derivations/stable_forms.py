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
done()
