"""Derivation: the least-squares residual variance and its covariance with the advisor's moment statistics.

Run ``python derivations/noise_ls.py`` (``--quiet`` for checks only).

Model: rows ``x_i ~ N(0, Sigma)`` (``n`` rows, ``d < n`` columns, after centring), ``y = X beta + eps``,
``eps ~ N(0, sigma^2 I)``, ``z = X beta_s``. ``M = I - P_X``, ``RSS = y' M y = eps' M eps``,
``s2 = RSS/(n - d)``. Moment statistics (ftheory/advise/moments.py): ``S_y = |y|^2/n``,
``U_y = sum_{i != j} y_i y_j x_i' K x_j / (n(n-1))`` with ``E K = Sigma^{-1}`` (K independent of the
labeled rows), ``rho_hat = y'z/n``, ``r2_hat = |z|^2/n``.

1. Given X, ``RSS/sigma^2 ~ chi2_{n-d}`` and RSS is independent of ``P_X y``: Var(s2) = 2 sigma^4/(n - d).
2. Isserlis: ``E[eps'M eps eps_i eps_j] = sigma^4 (tr M delta_ij + 2 M_ij)`` (checked for a symbolic M).
3. Cov(s2, S_y) = 2 sigma^4/n; Cov(s2, rho_hat) = Cov(s2, r2_hat) = 0 (functions of X and P_X y).
4. Cov(RSS, U_y) = -2 sigma^4 E[sum_i M_ii x_i'K x_i]/(n(n-1)) (since M X = 0), and with whitened rows
   ``E[M_11 |w_1|^2] = d - E[s^2/(s + c)]``, ``s ~ chi2_d``, ``c ~ chi2_{n-d}`` independent
   (``1/(u'A^{-1}u) ~ chi2_{n-d}`` for the other rows' Wishart A), ``= d - E[B^2] E[T]`` with
   ``B ~ Beta(d/2, (n-d)/2)`` independent of ``T ~ chi2_n``: Cov(s2, U_y) = -2 sigma^4 d/((n+2)(n-1)).
   For any fixed K (not only E K = Sigma^{-1}): M is unchanged when the whitened rows W become W O (O
   orthogonal), so ``E[M_11 w_1 w_1'] = E[M_11 |w_1|^2] I/d`` and d becomes ``tr(K Sigma)``:
   Cov(s2, U(y, K)) = -2 sigma^4 tr(K Sigma)/((n+2)(n-1)) (the form ``NoiseRegion.ls_centre`` uses).
5. The signal estimate ``S_y - s2``: Var = 2 (tau^2 + sigma^2)^2/n + 2 sigma^4/(n - d) - 4 sigma^4/n.
6. Monte Carlo check of 1, 3, 4 (with K = Sigma^{-1} and with a K whose tr(K Sigma) is not d), 5 at an
   anisotropic Sigma (tolerance 4.5 standard errors of each sample covariance).
"""

import numpy as np
import sympy as sp

from _derive import check, done, gauss_E, step, title

title("Least-squares residual variance: law and covariances with the moment statistics")

n, d = sp.symbols("n d", positive=True)
sig2, tau2 = sp.symbols("sigma2 tau2", positive=True)

# 2. Isserlis for a quadratic form -------------------------------------------------------------------
g = sp.symbols("g0:3")
Msym = sp.Matrix(3, 3, lambda i, j: sp.Symbol(f"m{min(i, j)}{max(i, j)}"))
gv = sp.Matrix(g)
quad = (gv.T * Msym * gv)[0]


for i, j in ((0, 1), (0, 0), (1, 2)):
    lhs = gauss_E(quad * g[i] * g[j], g)
    rhs = sp.expand(Msym.trace() * (1 if i == j else 0) + 2 * Msym[i, j])
    check(f"E[g'Mg g_{i} g_{j}] = tr M delta + 2 M_{i}{j}", sp.expand(lhs - rhs) == 0)
step("so Cov(RSS, y_i y_j | X) = 2 sigma^4 M_ij for i != j (the mean part mu_i mu_j multiplies E RSS | X, "
     "a constant), and Cov(RSS, U_y) = 2 sigma^4 E[tr(M X K X') - sum_i M_ii x_i'K x_i]/(n(n-1)), M X = 0")

# 4. E[B^2] E[T] ---------------------------------------------------------------------------------------
a, b = d / 2, (n - d) / 2
EB2 = a * (a + 1) / ((a + b) * (a + b + 1))
ET = n
E_PW = sp.simplify(EB2 * ET)
step("E[P_11 |w_1|^2] = E[s^2/(s + c)] = E[B^2] E[T]", E_PW)
check("E[P_11 |w_1|^2] = d(d+2)/(n+2)", sp.simplify(E_PW - d * (d + 2) / (n + 2)) == 0)
E_sum = sp.simplify(n * (d - E_PW))
check("E[sum_i M_ii |w_i|^2] = n d (n-d)/(n+2)", sp.simplify(E_sum - n * d * (n - d) / (n + 2)) == 0)
cov_rss_u = -2 * sig2 ** 2 * E_sum / (n * (n - 1))
cov_s2_u = sp.simplify(cov_rss_u / (n - d))
step("Cov(s2, U_y)", cov_s2_u)
check("Cov(s2, U_y) = -2 sigma^4 d/((n+2)(n-1))",
      sp.simplify(cov_s2_u + 2 * sig2 ** 2 * d / ((n + 2) * (n - 1))) == 0)

# 3, 5 -------------------------------------------------------------------------------------------------
var_s2 = 2 * sig2 ** 2 / (n - d)
cov_s2_S = sp.simplify((2 * sig2 ** 2 * (n - d)) / n / (n - d))   # Cov(RSS, (|Py|^2 + RSS)/n) = Var(RSS)/n
check("Cov(s2, S_y) = 2 sigma^4/n", sp.simplify(cov_s2_S - 2 * sig2 ** 2 / n) == 0)
var_alt = sp.simplify(2 * (tau2 + sig2) ** 2 / n + var_s2 - 2 * cov_s2_S)
step("Var(S_y - s2)", var_alt)
# at n >> d: 2 (tau^4 + 2 tau^2 sigma^2)/n against the U-statistic's 4 (2 tau^4 + tau^2 sigma^2)/n
lead_alt = sp.limit(n * var_alt, n, sp.oo)
check("n Var(S_y - s2) -> 2 tau^4 + 4 tau^2 sigma^2", sp.simplify(lead_alt - 2 * tau2 ** 2 - 4 * tau2 * sig2) == 0)

# 6. Monte Carlo --------------------------------------------------------------------------------------
rng = np.random.default_rng(20261204)
N_, D_, R = 14, 5, 200_000
ev = np.linspace(0.4, 2.0, D_)
Q = np.linalg.qr(rng.standard_normal((D_, D_)))[0]
Sig = (Q * ev) @ Q.T
L = np.linalg.cholesky(Sig)
K = np.linalg.inv(Sig)
G = rng.standard_normal((D_, D_))
K2 = 2 * K + G @ G.T / D_                     # a fixed K with tr(K2 Sigma) far from d
tr2 = float(np.trace(K2 @ Sig))
beta = Q @ rng.standard_normal(D_)
beta *= 1 / np.sqrt(beta @ Sig @ beta)          # tau^2 = 1
beta_s = Q @ rng.standard_normal(D_)
s2_true = 0.5
stats = np.empty((R, 6))
for lo in range(0, R, 20_000):
    m = min(20_000, R - lo)
    X = rng.standard_normal((m, N_, D_)) @ L.T
    y = X @ beta + np.sqrt(s2_true) * rng.standard_normal((m, N_))
    z = X @ beta_s
    Qx, _ = np.linalg.qr(X)
    r = y - np.einsum("bij,bj->bi", Qx, np.einsum("bij,bi->bj", Qx, y))
    xy = np.einsum("bij,b i->bj".replace(" ", ""), X, y)
    quad = np.einsum("bj,jk,bk->b", xy, K, xy)
    diag = np.einsum("bi,bij,jk,bik->b", y * y, X, K, X)
    U = (quad - diag) / (N_ * (N_ - 1))
    U2 = (np.einsum("bj,jk,bk->b", xy, K2, xy) - np.einsum("bi,bij,jk,bik->b", y * y, X, K2, X)) / (N_ * (N_ - 1))
    stats[lo:lo + m] = np.column_stack([np.sum(r * r, 1) / (N_ - D_), np.mean(y * y, 1), U,
                                        np.mean(y * z, 1), np.mean(z * z, 1), U2])
subs = {n: N_, d: D_, sig2: s2_true, tau2: 1.0}
c = stats - stats.mean(0)
want = {(0, 0): float(var_s2.subs(subs)), (0, 1): float(cov_s2_S.subs(subs)), (0, 2): float(cov_s2_u.subs(subs)),
        (0, 3): 0.0, (0, 4): 0.0, (0, 5): float((cov_s2_u * tr2 / d).subs(subs))}
for (i, j), w in want.items():
    prod = c[:, i] * c[:, j]
    est, se = prod.mean(), prod.std() / np.sqrt(R)
    check(f"Monte Carlo Cov(s2, stat {j}) = {w:.5f}: {est:.5f} +- {se:.5f}", abs(est - w) <= 4.5 * se)
alt = stats[:, 1] - stats[:, 0]
va = float(var_alt.subs(subs))
se_v = np.std((alt - alt.mean()) ** 2) / np.sqrt(R)
check(f"Monte Carlo Var(S_y - s2) = {va:.5f}: {alt.var():.5f} +- {se_v:.5f}", abs(alt.var() - va) <= 4.5 * se_v)
check("Monte Carlo E[S_y - s2] = tau^2", abs(alt.mean() - 1.0) <= 4.5 * alt.std() / np.sqrt(R))
done()
