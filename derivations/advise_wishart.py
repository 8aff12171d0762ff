"""Derivation: the exact variance of the advisor's signal statistic when Sigma is estimated.

Run ``python derivations/advise_wishart.py`` (``--quiet`` for checks only).

Setting (``ftheory/advise/prepared.py``): ``N`` centred unlabeled rows, independent of the labeled data,
give ``Sigma_hat`` with ``N Sigma_hat = Sigma^{1/2} W Sigma^{1/2}``, ``W ~ Wishart_d(N, I)``, and
``Sigma^{-1}`` is estimated by ``A = (N - d - 1)/N inv(Sigma_hat)`` (pool only, not the labeled X). The
signal statistic is the U-statistic ``U_y = U(y, A)`` of ``ftheory/advise/moments.py``. With
``u = Sigma^{1/2} beta_t`` (``|u|^2 = tau^2``) and ``B = Sigma^{1/2} A Sigma^{1/2} = (N - d - 1) W^{-1}``:

1. Inverse-Wishart moments from the primitives of ``ftheory.rmt`` (T2, T4): by the Schur complement,
   ``(W^{-1})_11 = 1/chi^2_{N-d+1}`` and ``(W^{-2})_11 = (W^{-1})_11^2 (1 + |W_22^{-1} w_21|^2)`` with the
   chi-square independent of ``(W_22, w_21)``, ``w_21 | W_22 ~ N(0, W_22)``, ``W_22 ~ Wishart_{d-1}(N, I)``.
   Checked by Monte Carlo.
2. Given ``A``, ``U_y`` is a U-statistic with a fixed matrix ``K = A`` (not a function of Sigma): the
   Hoeffding formula of ``derivations/advise.py`` (checked there for non-commuting K, L) gives
   ``Var(U_y | A) = (4(n-2)(s q2 + q1^2) + 2(s^2 T + 4 s q2 + 3 q1^2))/(n(n-1))``,
   ``q1 = u'Bu``, ``q2 = u'B^2 u``, ``T = tr B^2``; ``E[U_y | A] = q1``. Total variance:
   ``Var U_y = E Var(U_y | A) + Var q1``.
3. Every statistic ``F`` of the labeled data alone (``S_y``, ``S_z``, ``S_{y+z}``, hence ``rho_hat``,
   ``r^2_hat``) is independent of ``A`` and ``U_y`` is linear in ``A`` with ``E A = Sigma^{-1}``, so
   ``Cov(F, U_y) = E Cov(F, U_y | A) = Cov(F, U(y, Sigma^{-1}))``: unchanged. Only ``Var U_y`` changes.
4. The closed form equals ``ftheory.advise.param_cov._var_u``; ``N -> inf`` gives the known-Sigma variance.
5. Monte Carlo through the advisor's own code path (anisotropic Sigma, ``prepare`` + ``Moments``): the
   variance of ``U_y``, of ``sigma_hat^2 = S_y - U_y`` and ``Cov(U_y, S_y)`` at four ``(n, d, N)``, each
   within 4 standard errors, and the previous term ``2 tau^4/(N - d - 3)`` alone rejected (by more than 4 standard errors) at the three with ``N <= 5 d``.
"""

import math

import numpy as np
import sympy as sp

from _derive import check, done, step, title
from ftheory import rmt

title("Advisor: Var of the signal U-statistic with an inverse-Wishart estimate of Sigma^{-1}")

n, d, N = sp.symbols("n d N", positive=True)
t2, s = sp.symbols("tau2 s", positive=True)   # signal tau^2 and label variance s = E y^2

# 1. inverse-Wishart moments ------------------------------------------------------------------------
k = N - d + 1
m1, c1 = rmt.inverse_chi2_moment(k, 1)
m2, c2 = rmt.inverse_chi2_moment(k, 2)
step("(T4) (W^{-1})_11 = 1/chi^2_{N-d+1}: first and second moments", sp.Matrix([sp.factor(m1), sp.factor(m2)]))
tr22, _ = rmt.inverse_wishart_trace(d - 1, N)
step("(T2) E |W_22^{-1} w_21|^2 = E tr W_22^{-1} = (d-1)/(N-d)  (w_21 | W_22 ~ N(0, W_22))", tr22)
e_w2 = sp.factor(m2 * (1 + tr22))
step("E (W^{-2})_11 = E[(W^{-1})_11^2] (1 + E tr W_22^{-1})", e_w2)
check("E W^{-1} = I/(N - d - 1)", sp.simplify(m1 - 1 / (N - d - 1)) == 0)
check("E (W^{-1})_11^2 = 1/((N - d - 1)(N - d - 3))", sp.simplify(m2 - 1 / ((N - d - 1) * (N - d - 3))) == 0)
check("E W^{-2} = (N - 1)/((N - d)(N - d - 1)(N - d - 3)) I",
      sp.simplify(e_w2 - (N - 1) / ((N - d) * (N - d - 1) * (N - d - 3))) == 0)

rng = np.random.default_rng(20261204)
for dd, NN in ((4, 14), (7, 16)):
    R = 40000
    G = rng.standard_normal((R, NN, dd))
    Wi = np.linalg.inv(np.swapaxes(G, 1, 2) @ G)
    uu = rng.standard_normal(dd)
    uu /= np.linalg.norm(uu)
    q1 = np.einsum("i,rij,j->r", uu, Wi, uu)
    q2 = np.einsum("rij,j->ri", Wi, uu)
    q2 = np.einsum("ri,ri->r", q2, q2)
    T = np.einsum("rij,rji->r", Wi, Wi)
    sub = {N: NN, d: dd}
    for name, x, ex in (("u'W^{-1}u", q1, m1), ("(u'W^{-1}u)^2", q1 ** 2, m2), ("u'W^{-2}u", q2, e_w2),
                        ("tr W^{-2}", T, dd * e_w2)):
        ex = float(ex.subs(sub))
        se = x.std() / math.sqrt(R)
        check(f"Monte Carlo d = {dd}, N = {NN}: E {name} = {ex:.5g} (simulated {x.mean():.5g}, "
              f"{abs(x.mean() - ex) / se:.1f} standard errors)", abs(x.mean() - ex) <= 4 * se)

# 2. total variance ---------------------------------------------------------------------------------
a = N - d - 1                                  # B = a W^{-1}
Eq1 = t2 * a * m1
Eq1sq = t2 ** 2 * a ** 2 * m2
Eq2 = t2 * a ** 2 * e_w2
ET = d * a ** 2 * e_w2
check("E[U_y] = E q1 = tau^2 (A is unbiased for Sigma^{-1})", sp.simplify(Eq1 - t2) == 0)
kappa = sp.factor(a ** 2 * e_w2)
lam = sp.factor(a ** 2 * m2)
step("E[A Sigma A] = kappa Sigma^{-1}, kappa = (N-d-1)^2 E(W^{-2})_11", kappa)
step("E[(c_y' A c_y)^2] = lambda tau^4, lambda = (N-d-1)^2 E(W^{-1})_11^2", lam)


def var_known(n_, d_, t2_, s_, kap=1, lmb=1):
    """Hoeffding variance of U(y, K) with E[c'K Sigma K c] = kap tau^2, E tr(K Sigma K Sigma) = kap d,
    E (c'Kc)^2 = lmb tau^4 (kap = lmb = 1: K = Sigma^{-1})."""
    return (4 * (n_ - 2) * (s_ * kap * t2_ + lmb * t2_ ** 2)
            + 2 * (s_ ** 2 * d_ * kap + 4 * s_ * kap * t2_ + 3 * lmb * t2_ ** 2)) / (n_ * (n_ - 1))


E_cond = (4 * (n - 2) * (s * Eq2 + Eq1sq) + 2 * (s ** 2 * ET + 4 * s * Eq2 + 3 * Eq1sq)) / (n * (n - 1))
var_q1 = sp.factor(Eq1sq - Eq1 ** 2)
step("Var(c_y' A c_y) = tau^4 (lambda - 1)", var_q1)
check("Var(c_y' A c_y) = 2 tau^4/(N - d - 3) (the term param_cov had alone)",
      sp.simplify(var_q1 - 2 * t2 ** 2 / (N - d - 3)) == 0)
var_u = E_cond + var_q1
check("Var U_y = E Var(U_y | A) + Var E[U_y | A] = var_known(kappa, lambda) + 2 tau^4/(N - d - 3)",
      sp.simplify(var_u - (var_known(n, d, t2, s, kappa, lam) + 2 * t2 ** 2 / (N - d - 3))) == 0)
excess = sp.factor(sp.simplify(var_u - var_known(n, d, t2, s)))
step("Var U_y - (known-Sigma variance)", excess)
lead = sp.limit(N * excess, N, sp.oo)
step("leading term in 1/N: N (Var U_y - known) -> ", sp.factor(lead))

# 3. covariance with statistics of the labeled data -----------------------------------------------
step("U_y = sum_{i != j} y_i y_j x_i' A x_j / (n(n-1)) is linear in A, A independent of (X, y, z), "
     "E A = Sigma^{-1}: Cov(F, U_y) = E[Cov(F, U_y | A)] + Cov(E[F | A], E[U_y | A]) = Cov(F, U(y, Sigma^{-1})) + 0")

# 4. the code, and the limit ---------------------------------------------------------------------------
from ftheory.advise.param_cov import _cov_us, _var_u  # noqa: E402

worst = 0.0
for _ in range(40):
    nn, dd = int(rng.integers(3, 300)), int(rng.integers(1, 300))
    NN = int(dd + 4 + rng.integers(0, 3000))
    tt, ss = float(rng.uniform(0.01, 3)), 0.0
    ss = tt + float(rng.uniform(0, 3))
    ref = float(var_u.subs({n: nn, d: dd, N: NN, t2: sp.Rational(tt), s: sp.Rational(ss)}))
    worst = max(worst, abs(_var_u(nn, dd, tt, ss, NN) / ref - 1))
check(f"ftheory.advise.param_cov._var_u equals the derived Var U_y at 40 random (n, d, N, tau^2, s) "
      f"(max relative difference {worst:.1e}; ~30 flops: 100 eps)", worst < 100 * np.finfo(float).eps)
check("N -> inf: Var U_y -> the known-Sigma variance", sp.simplify(sp.limit(var_u, N, sp.oo) - var_known(n, d, t2, s)) == 0)
check("N = 0 in the code is the known-Sigma variance",
      abs(_var_u(37, 50, 0.8, 1.1, 0) / float(var_known(37, 50, sp.Rational(0.8), sp.Rational(1.1))) - 1) < 1e-14)

# 5. Monte Carlo through the advisor's code path -----------------------------------------------------
from ftheory.advise.moments import Moments  # noqa: E402
from ftheory.advise.prepared import prepare  # noqa: E402


def simulate(nn, dd, NN, tau2_, sig2_, R, rng):
    """``(U_y, S_y)`` of ``R`` data sets: anisotropic Sigma (spectrum 1/i in a random basis), ``nn``
    labeled rows, a pool of ``NN`` rows, no centring; batched, with one data set re-computed through
    ``prepare`` + ``Moments`` (the advisor's code) to check that the batch computes the same statistic."""
    ev = 1.0 / np.arange(1, dd + 1)
    ev *= dd / ev.sum()
    Q = np.linalg.qr(rng.standard_normal((dd, dd)))[0]
    root = (Q * np.sqrt(ev)) @ Q.T
    beta = Q @ (rng.standard_normal(dd) / np.sqrt(ev))
    beta *= math.sqrt(tau2_ / float(beta @ (root @ root) @ beta))
    X = rng.standard_normal((R, nn, dd)) @ root
    y = X @ beta + math.sqrt(sig2_) * rng.standard_normal((R, nn))
    A = np.empty((R, dd, dd))
    for i in range(0, R, 500):                                   # pools in chunks (memory)
        P = rng.standard_normal((min(500, R - i), NN, dd)) @ root
        if i == 0:
            P0 = P[0]
        A[i:i + len(P)] = (NN - dd - 1) * np.linalg.inv(np.swapaxes(P, 1, 2) @ P)
    v = np.einsum("rij,ri->rj", X, y)
    quad = np.einsum("ri,rij,rj->r", v, A, v)
    diag = np.einsum("ri,rij,rjk,rik->r", y * y, X, A, X)
    U = (quad - diag) / (nn * (nn - 1))
    S = np.mean(y * y, 1)
    prep = prepare(X[0], y[0], unlabeled=P0, center=False)
    m = Moments(prep.X, prep.y, Sigma=prep.Sigma, Sigma_inv=prep.Sigma_inv)
    same = abs(m.U([1, 0], m.kinv()) - U[0]) <= 1e-9 * (abs(U[0]) + float(S[0]))
    return U, S, same


for nn, dd, NN, tau2_, sig2_ in ((11, 20, 100, 1.0, 0.5), (30, 10, 30, 2.0, 1.0), (8, 30, 600, 1.0, 0.3),
                                 (40, 10, 40, 1.5, 0.5)):
    R = 12000
    U, S, same = simulate(nn, dd, NN, tau2_, sig2_, R, rng)
    check(f"(n, d, N) = ({nn}, {dd}, {NN}): the batch computes the advisor's U_y (prepare + Moments)", same)
    s_ = tau2_ + sig2_
    C = _cov_us(nn, dd, tau2_, sig2_, NN)
    du, ds = U - tau2_, S - s_                                  # exact means: E U_y = tau^2, E S_y = s
    old = var_known(nn, dd, tau2_, s_) + 2 * tau2_ ** 2 / (NN - dd - 3)
    for name, x, ex in (("Var U_y", du * du, C[0, 0]),
                        ("Var sigma_hat^2", (ds - du) ** 2, C[0, 0] + C[1, 1] - 2 * C[0, 1]),
                        ("Cov(U_y, S_y)", du * ds, C[0, 1])):
        se = x.std() / math.sqrt(R)
        check(f"  {name} = {ex:.4g} (simulated {x.mean():.4g} +- {se:.2g}: {(x.mean() - ex) / se:+.1f} s.e.)",
              abs(x.mean() - ex) <= 4 * se)
    se = (du * du).std() / math.sqrt(R)
    if NN <= 5 * dd:
        check(f"  the previous Var U_y = {old:.4g} (known Sigma + 2 tau^4/(N-d-3)) is off by "
              f"{((du * du).mean() - old) / se:+.0f} s.e.", abs((du * du).mean() - old) > 4 * se)

done()
