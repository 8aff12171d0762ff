"""Derivation: pretraining, conserved balancedness and the rank-one pretrained state (docs/background.md §2).

Run ``python derivations/pretraining.py`` (``--latex`` for LaTeX output, ``--quiet`` for checks only).

1. Gradient formula (§2.1): grad_{W_l} L = A_{l-1}^T G B_{l+1}^T, checked entry by entry against
   the chain rule on explicit symbolic matrices (d = 2, 3; depth 2, 3; W_L a column).
2. Conservation (§2.1): d/dt D_l = 0 under gradient flow for an arbitrary G = grad_beta L.
3. Rank one (§2.3): at balance W_{L-1}^T W_{L-1} = W_L W_L^T has rank <= 1.
4. Explicit state (§2.4), depth 2, 3, 4: beta = beta_s, D_l = 0, Phi = s^{L-1} u_1 u_L^T, singular
   value ||beta_s||^{(L-1)/L} = the registered pretrained_feature_norm.
5. Read-out ridge on the pretrained feature (§4.1): lam_eff = lam/||beta_s||^{2(L-1)/L}, derived
   from the scalar problem and checked against the full (rank-one) ridge system.
"""
import sympy as sp

from _derive import check, done, equal, step, title
from ftheory import get
from ftheory.theory._symbols import depth, lam, n, norm_s
from ftheory.theory.pretraining import balancedness_rates, layer_gradients, readout_ridge_coefficient

title("Pretraining: conserved balancedness and the rank-one state (docs/background.md §2)")


def weights(d, L):
    mats = []
    for l in range(1, L + 1):
        cols = 1 if l == L else d
        mats.append(sp.Matrix(d, cols, lambda i, j, l=l: sp.Symbol(f"w{l}_{i + 1}{j + 1}", real=True)))
    return mats


def product(mats):
    out = mats[0]
    for M in mats[1:]:
        out = out * M
    return out


# 1.-2. gradient formula and conservation --------------------------------------------------------------
for d, L in [(2, 2), (3, 2), (2, 3), (3, 3)]:
    Ws = weights(d, L)
    G = sp.Matrix(d, 1, lambda i, j: sp.Symbol(f"g_{i + 1}", real=True))
    beta = product(Ws)
    loss = (G.T * beta)[0]  # chain rule: dL/dW = sum_k G_k d beta_k / dW, i.e. the linear loss G . beta
    grads = layer_gradients(Ws, G)
    ok = all(sp.expand(grads[l][i, j] - sp.diff(loss, Ws[l][i, j])) == 0
             for l in range(L) for i in range(Ws[l].rows) for j in range(Ws[l].cols))
    if d == 2 and L == 3:
        step("gradient of W_2 for d = 2, L = 3: A_1^T G B_3^T", grads[1])
    check(f"d = {d}, L = {L}: grad_{{W_l}} L = A_{{l-1}}^T G B_{{l+1}}^T for every l (chain rule)", ok)
    rates = balancedness_rates(Ws, G)
    check(f"d = {d}, L = {L}: d/dt (W_l^T W_l - W_(l+1) W_(l+1)^T) = 0 for l = 1..{L - 1}, any G",
          all(sp.expand(R) == sp.zeros(*R.shape) for R in rates))
    A, B = Ws[0], product(Ws[1:])
    term = -(B * G.T * A + A.T * G * B.T)
    W, V = Ws[0], Ws[1]
    dW, dV = -grads[0], -grads[1]
    check(f"d = {d}, L = {L}: both d/dt W_1^T W_1 and d/dt W_2 W_2^T equal -(B_2 G^T A_1 + A_1^T G B_2^T)",
          sp.expand(dW.T * W + W.T * dW - term) == sp.zeros(d, d)
          and sp.expand(dV * V.T + V * dV.T - term) == sp.zeros(d, d))
step("Hence D_l(t) = D_l(0) = alpha^2 Dbar_l -> 0 as alpha -> 0: the pretrained weights are balanced.")

# 3. balance forces rank one --------------------------------------------------------------------------
w = sp.Matrix(3, 1, sp.symbols("v1:4", real=True))
check("at balance W_{L-1}^T W_{L-1} = W_L W_L^T, a rank-one matrix (scalar output)", (w * w.T).rank() == 1)

# 4. explicit rank-one state ---------------------------------------------------------------------------
rho = sp.Symbol("rho", positive=True)  # ||beta_s||
for L in (2, 3, 4):
    angles = sp.symbols(f"a1:{L + 1}", real=True)
    us = [sp.Matrix([sp.cos(a), sp.sin(a)]) for a in angles]
    s = rho ** sp.Rational(1, L)
    Ws = [s * us[k] * us[k + 1].T for k in range(L - 1)] + [s * us[-1]]
    beta_s = rho * us[0]
    check(f"L = {L}: W_1 ... W_L = beta_s (gauge angles a_2..a_L arbitrary)",
          sp.simplify(product(Ws) - beta_s) == sp.zeros(2, 1))
    check(f"L = {L}: D_l = 0 for l = 1..{L - 1}",
          all(sp.simplify(Ws[k].T * Ws[k] - Ws[k + 1] * Ws[k + 1].T) == sp.zeros(2, 2) for k in range(L - 1)))
    Phi = product(Ws[:-1])
    check(f"L = {L}: Phi = s^(L-1) u_1 u_L^T", sp.simplify(Phi - s ** (L - 1) * us[0] * us[-1].T) == sp.zeros(2, 2))
    ev = sp.simplify((Phi.T * Phi).eigenvals())
    sv = sp.powsimp(sp.sqrt(max(ev, key=lambda e: sp.N(e.subs(rho, 2)))), force=True)
    if L == 3:
        step("L = 3: eigenvalues of Phi^T Phi", ev)
    check(f"L = {L}: singular values of Phi are rho^((L-1)/L) and 0; left singular vector u_1 = beta_s/||beta_s||",
          set(ev) == {0, sp.simplify(s ** (2 * (L - 1)))} and equal(sv, rho ** sp.Rational(L - 1, L))
          and sp.simplify(Phi * Phi.T * us[0] - s ** (2 * (L - 1)) * us[0]) == sp.zeros(2, 1))
    check(f"L = {L}: = registered pretrained_feature_norm",
          equal(get("pretrained_feature_norm").expr.subs({norm_s: rho, depth: L}), sv))
fn = get("pretrained_feature_norm").expr
step("Registered pretrained_feature_norm", fn)
check("feature norm = ||beta_s||^((L-1)/L) (docs/background.md §2.4), = 1 for a unit teacher at every depth",
      equal(fn, norm_s ** ((depth - 1) / depth)) and fn.subs(norm_s, 1) == 1)

# 5. read-out ridge ------------------------------------------------------------------------------------
a, c_star, b, (zz, zy) = readout_ridge_coefficient()
step("ridge read-out on F = a z u_L^T: minimiser c* of (1/n)||y - a z c||^2 + lambda c^2", c_star)
step("end-to-end coefficient b = a c* (beta_lt = b u_s)", b)
eff = get("lt_effective_ridge").expr
step("Registered lt_effective_ridge", eff)
check("b = z^T y/(||z||^2 + n lambda_eff) with lambda_eff = lambda/a^2",
      sp.simplify(b - zy / (zz + n * lam / a ** 2)) == 0)
check("lambda_eff = lambda/||beta_s||^(2(L-1)/L) (docs/background.md §4.1); = lambda for a unit teacher",
      equal(eff, lam / norm_s ** (2 * (depth - 1) / depth)) and eff.subs(norm_s, 1) == lam)
# full rank-one ridge system on explicit numbers: d = 2, n = 3, L = 3, beta_s = (3, 4)
X = sp.Matrix([[1, 2], [-1, 3], [2, -2]])
y = sp.Matrix([1, -2, 5])
lv = sp.Rational(1, 10)
L = 3
u1 = sp.Matrix([sp.Rational(3, 5), sp.Rational(4, 5)])
us = [u1, sp.Matrix([sp.Rational(5, 13), sp.Rational(12, 13)]), sp.Matrix([sp.Rational(-8, 17), sp.Rational(15, 17)])]
s = sp.Integer(5) ** sp.Rational(1, L)
Ws = [s * us[k] * us[k + 1].T for k in range(L - 1)] + [s * us[-1]]
Phi = product(Ws[:-1])
F = X * Phi
W_hat = (F.T * F + 3 * lv * sp.eye(2)).inv() * F.T * y
beta_lt = sp.simplify(Phi * W_hat)
z = X * u1
le = eff.subs({lam: lv, norm_s: 5, depth: L})
pred = (z.T * y)[0] / ((z.T * z)[0] + 3 * le) * u1
check("explicit d = 2, n = 3, L = 3, ||beta_s|| = 5, lambda = 0.1: Phi (F^T F + n lambda I)^{-1} F^T y "
      "= z^T y/(||z||^2 + n lambda_eff) u_s", sp.simplify(beta_lt - pred) == sp.zeros(2, 1))
done()
