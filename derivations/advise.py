"""Derivation: unbiased moment estimators of the advisor and their exact Gaussian covariances.

Run ``python derivations/advise.py`` (``--quiet`` for checks only).

Gaussian expectations are computed from scratch (``_derive.gauss_E``): a polynomial in independent standard
normals is expanded into monomials and each ``g^k`` replaced by its moment ``(k-1)!!`` (0 for odd k), so the
checks do not assume Isserlis' theorem, they confirm it.

1. Dicker's (2014) moments: E[y^2 ||x||^2] = (d+2) tau^2 + d sigma^2 (isotropic x), hence
   E||X'y||^2 / n^2 = ((n+d+1)/n) tau^2 + (d/n) sigma^2, and the U-statistic
   U = (||X'y||^2 - sum_i y_i^2 ||x_i||^2) / (n(n-1)) is unbiased for tau^2.
2. Hoeffding counts for a second-order U-statistic: ordered pairs sharing one index, two indices.
3. The kernel covariances z1, z2 and the S-U covariance of ftheory/advise/moments.py, for an
   explicit anisotropic Sigma, two labels (y and y - z), two non-commuting matrices K, L.
4. The closed form ``param_cov`` equals the general engine.
5. (T2) inverse-Wishart mean: (N - d - 1)/N * inv(Sigma_hat) is unbiased for inv(Sigma).
"""

import numpy as np
import sympy as sp

from _derive import check, done, gauss_E, step, title
from ftheory import rmt

title("Advisor: unbiased moment estimators and their Gaussian covariances")


# 1. Dicker's moments ---------------------------------------------------------------------------------
d3 = 3
g = sp.symbols("g1:4", real=True)
e = sp.Symbol("e", real=True)
b = sp.symbols("b1:4", real=True)
sig = sp.Symbol("sigma", positive=True)
tau2 = sum(bi ** 2 for bi in b)
y = sum(bi * gi for bi, gi in zip(b, g)) + sig * e
lhs = gauss_E(y ** 2 * sum(gi ** 2 for gi in g), list(g) + [e])
step("E[y^2 ||x||^2] for x ~ N(0, I_3), y = x.beta + sigma eps", sp.factor(lhs))
check("E[y^2 ||x||^2] = (d + 2) tau^2 + d sigma^2 at d = 3", sp.expand(lhs - ((d3 + 2) * tau2 + d3 * sig ** 2)) == 0)
check("E[y_i y_j x_i.x_j] = tau^2 for i != j (independent rows: (E[y x])^2)",
      sp.expand(sum(gauss_E(y * gi, list(g) + [e]) ** 2 for gi in g) - tau2) == 0)
n, d, t2, s2 = sp.symbols("n d tau2 sigma2", positive=True)
EXty = n * (n - 1) * t2 + n * ((d + 2) * t2 + d * s2)
step("E||X'y||^2 = n(n-1) tau^2 + n((d+2) tau^2 + d sigma^2)", sp.factor(EXty))
check("Dicker (2014): E||X'y||^2 / n^2 = ((n+d+1)/n) tau^2 + (d/n) sigma^2",
      sp.simplify(EXty / n ** 2 - ((n + d + 1) / n * t2 + d / n * s2)) == 0)
EU = (EXty - n * ((d + 2) * t2 + d * s2)) / (n * (n - 1))
check("the U-statistic (||X'y||^2 - sum_i y_i^2 ||x_i||^2) / (n(n-1)) is unbiased for tau^2",
      sp.simplify(EU - t2) == 0)

# 2. Hoeffding counts -------------------------------------------------------------------------------
for nn in (4, 6):
    pairs = [(i, j) for i in range(nn) for j in range(nn) if i != j]
    one = sum(1 for p in pairs for q in pairs if len(set(p) & set(q)) == 1)
    two = sum(1 for p in pairs for q in pairs if set(p) == set(q))
    check(f"n = {nn}: ordered pairs sharing one index = n(n-1) 4(n-2), both = 2 n(n-1)",
          one == nn * (nn - 1) * 4 * (nn - 2) and two == 2 * nn * (nn - 1))

# 3. kernel covariances for an explicit anisotropic design ----------------------------------------
step("Explicit d = 2 design: x = M g, Sigma = M M', labels y = x.bt + sigma eps, z = x.bs; "
     "statistics of w_a = y (a = (1, 0)) and w_b = y - z (b = (1, -1)); K, L do not commute")
M = sp.Matrix([[1, 0], [sp.Rational(1, 2), sp.Rational(3, 2)]])
Sig = M * M.T
bt = sp.Matrix([sp.Rational(2, 3), -1])
bs = sp.Matrix([1, sp.Rational(1, 4)])
K = sp.Matrix([[2, sp.Rational(1, 3)], [sp.Rational(1, 3), 1]])
L = sp.Matrix([[1, -sp.Rational(1, 2)], [-sp.Rational(1, 2), 3]])
gi, gj = sp.symbols("gi1:3", real=True), sp.symbols("gj1:3", real=True)
ei, ej = sp.symbols("ei ej", real=True)
xi, xj = M * sp.Matrix(gi), M * sp.Matrix(gj)
allv = list(gi) + list(gj) + [ei, ej]


def labels(x, eps):
    yv = (x.T * bt)[0] + sig * eps
    zv = (x.T * bs)[0]
    return yv, yv - zv


ya_i, yb_i = labels(xi, ei)
ya_j, yb_j = labels(xj, ej)
ca, cb = Sig * bt, Sig * (bt - bs)
sab = gauss_E(ya_i * yb_i, allv)
hK = ya_i * ya_j * (xi.T * K * xj)[0]
hL = yb_i * yb_j * (xi.T * L * xj)[0]
thK, thL = (ca.T * K * ca)[0], (cb.T * L * cb)[0]
check("E h_K = c_a' K c_a (the U-statistic is unbiased)", sp.expand(gauss_E(hK, allv) - thK) == 0)
h1K = ya_i * (xi.T * K * ca)[0]
h1L = yb_i * (xi.T * L * cb)[0]
z1 = sp.expand(gauss_E(h1K * h1L, allv) - thK * thL)
z1_formula = sab * (ca.T * K * Sig * L * cb)[0] + (ca.T * L * cb)[0] * (cb.T * K * ca)[0]
step("zeta_1 = Cov(E[h_K | row i], E[h_L | row i])", sp.factor(z1))
check("zeta_1 = s_ab c_a' K Sigma L c_b + (c_a' L c_b)(c_b' K c_a)", sp.expand(z1 - z1_formula) == 0)
z2 = sp.expand(gauss_E(hK * hL, allv) - thK * thL)
KSL = K * Sig * L
z2_formula = (sab ** 2 * (K * Sig * L * Sig).trace() + 2 * sab * ((cb.T * KSL * ca)[0] + (ca.T * KSL * cb)[0])
              + 2 * (ca.T * K * cb)[0] * (ca.T * L * cb)[0] + (cb.T * K * cb)[0] * (ca.T * L * ca)[0])
step("zeta_2 = Cov(h_K, h_L) on the same pair", sp.factor(z2))
check("zeta_2 = s_ab^2 tr(K Sigma L Sigma) + 2 s_ab (c_b' K Sigma L c_a + c_a' K Sigma L c_b) "
      "+ 2 (c_a' K c_b)(c_a' L c_b) + (c_b' K c_b)(c_a' L c_a)", sp.expand(z2 - z2_formula) == 0)
cov_SU = sp.expand(gauss_E(yb_i ** 2 * hK, allv) - gauss_E(yb_i ** 2, allv) * thK)
check("Cov(w_b,i^2, h_K(i, j)) = 2 s_ab c_b' K c_a (so Cov(S_b, U_K) = 4 s_ab c_b' K c_a / n)",
      sp.expand(cov_SU - 2 * sab * (cb.T * K * ca)[0]) == 0)

# 4. closed form vs engine ---------------------------------------------------------------------------
from ftheory.advise.estimators import _L, _STATS, param_cov  # noqa: E402
from ftheory.advise.moments import Moments  # noqa: E402

rng = np.random.default_rng(0)
worst = 0.0
for _ in range(20):
    tau2_, sig2_, r2_ = rng.uniform(0.1, 3, 3)
    rho_ = rng.uniform(-1, 1) * np.sqrt(tau2_ * r2_)
    nn, dd = int(rng.integers(5, 300)), int(rng.integers(1, 300))
    S = np.array([[tau2_ + sig2_, rho_], [rho_, r2_]])
    G = np.array([[tau2_, rho_], [rho_, r2_]])
    A = _L @ Moments.population_only(nn, dd, S, G).cov_matrix(_STATS) @ _L.T
    B = param_cov(nn, dd, [tau2_, sig2_, rho_, r2_])
    worst = max(worst, float(np.max(np.abs(A - B)) / np.max(np.abs(A))))
check(f"param_cov equals the general engine at 20 random tasks (max relative difference {worst:.1e})",
      worst < 1e-12)

# 5. inverse-Wishart mean ------------------------------------------------------------------------------
N, p = sp.symbols("N p", positive=True, integer=True)
value, cond = rmt.inverse_wishart_trace(p, N)
step("(T2) E tr W^{-1} = p/(N - p - 1) for W ~ W_p(N, I); N Sigma_hat = Sigma^{1/2} W Sigma^{1/2}", value)
check("(N - p - 1)/N * E[inv(Sigma_hat)] = inv(Sigma): per direction (N - p - 1)/N * N * (1/(N - p - 1)) = 1",
      sp.simplify((N - p - 1) / N * N * value / p) == 1)

done()
