"""Derivation: fine-tuning, the paper's result and the exact gradient-flow correction (docs/background.md §6, §8).

Run ``python derivations/finetune.py`` (``--latex`` for LaTeX output, ``--quiet`` for checks only).

1. §6.1 What gradient flow preserves: on explicit symbolic matrices, grad_{W_1} L_t = G B_2^T with G
   in the row space of X, so (I - P) W_1 is frozen (depth 2 and 3).
2. §6.2 Noise cancellation, pathwise on an explicit design: R_sc - R_ft = ||(I-P) beta_t||^2 -
   ||(I-P)(beta_s - beta_t)||^2; then (T1) gives the exact finite-size mean and its proportional
   limit, the paper's Theorem 3.9 (general norms), break-even pi/3, worked example 6, limits.
3. §6.3 Depth 2: the invariant set {W_1 = u v^T, W_2 = c v}, the conserved ||u||^2 - c^2, the
   quartic c^4 - a c^2 - b = 0 and its positive root; c >= 1 with equality iff sigma = 0; the
   gradient-flow variant equals the paper's at sigma = 0; worked example 7; gamma -> 1^-.
4. §6.4 Any depth: the scale equation r^2 c^(2L/(L-1)) - a c^2 - b = 0 from the invariant set,
   uniqueness of the positive root, depth 3 as an explicit cubic, depth dependence for sigma > 0.
"""
import sympy as sp

from _derive import check, done, equal, step, title
from ftheory import get, rmt
from ftheory.symbolic import expr_of
from ftheory.theory._symbols import d, depth, gamma, n, norm_s, norm_t, sigma, theta
from ftheory.theory.finetune import (PositiveRoot, finetune_gain, frozen_norm_sq, scale_equation,
                                     scratch_norm_sq, teachers)

title("Fine-tuning (docs/background.md §6)")


def matrix(name, rows, cols):
    return sp.Matrix(rows, cols, sp.symbols(f"{name}1:{rows * cols + 1}", real=True))


def gradient(loss, W):
    return W.applyfunc(lambda w: sp.diff(loss, w))


# 1. §6.1 ---------------------------------------------------------------------------------------
X = matrix("x", 2, 3)
y = matrix("y", 2, 1)
null = X.nullspace()[0]
for L in (2, 3):
    Ws = [matrix("a", 3, 3), matrix("b", 3, 1)] if L == 2 else \
        [matrix("a", 3, 3), matrix("b", 3, 3), matrix("e", 3, 1)]
    beta = sp.prod(Ws[1:], start=Ws[0])
    loss = ((y - X * beta).T * (y - X * beta))[0] / 2
    G = 2 * X.T * (X * beta - y) / 2
    B2 = sp.prod(Ws[2:], start=Ws[1])
    grad_W1 = gradient(loss, Ws[0])
    step(f"Depth {L}: grad_{{W_1}} of (1/n)||y - X W_1 ... W_L||^2 on an explicit 2 x 3 design (n = 2)")
    check(f"depth {L}: grad_{{W_1}} L_t = G B_2^T with G = (2/n) X^T (X beta - y)",
          sp.expand(grad_W1 - G * B2.T) == sp.zeros(3, 3))
    check(f"depth {L}: the null vector of X annihilates the gradient, so (I - P) W_1 is frozen",
          sp.simplify(null.T * grad_W1) == sp.zeros(1, 3))

# 2. §6.2 ---------------------------------------------------------------------------------------
Xn = sp.Matrix([[1, 2, 0, -1], [0, 1, 3, 1]])          # an explicit 2 x 4 design (n < d)
Pn = Xn.pinv() * Xn
I4 = sp.eye(4)
bs, bt, eps = matrix("s", 4, 1), matrix("t", 4, 1), matrix("z", 2, 1)
beta_sc = Xn.pinv() * (Xn * bt + eps)
beta_ft = beta_sc + (I4 - Pn) * bs
sq = lambda v: sp.expand((v.T * v)[0])  # noqa: E731
step("Paper's solution (Theorem 3.9): beta_ft = beta_sc + (I - P) beta_s, beta_sc = X^+ y")
check("pathwise, R_sc - R_ft = ||(I-P) beta_t||^2 - ||(I-P)(beta_s - beta_t)||^2 (the noise cancels)",
      sp.expand(sq(beta_sc - bt) - sq(beta_ft - bt) - (sq((I4 - Pn) * bt) - sq((I4 - Pn) * (bs - bt)))) == 0)
check("P beta_ft = P beta_sc = X^+ y (the row-space part is the interpolator)",
      sp.expand(Pn * beta_ft - beta_sc) == sp.zeros(4, 1))

beta_s, beta_t = teachers()
fraction = rmt.null_space_fraction(n, d)
gain = finetune_gain(beta_s, beta_t, fraction)
step("(T1): E||(I-P) v||^2 = (1 - min(n,d)/d) ||v||^2 for v independent of X", gain)
finite = expr_of("finetune_transferability_finite")
theory_finite = sp.Piecewise(((1 - n / d) * (2 * norm_s * norm_t * sp.cos(theta) - norm_s ** 2), n < d),
                             (0, True))
check("exact finite size equals docs/background.md §6.2 [EXT]: (1 - n/d)_+ (2 r_s r_t cos(theta) - r_s^2)",
      equal(finite, theory_finite))
check("finite size: the registered result is the (T1) expectation",
      equal(rmt.restrict(gain, n < d, n), finite.args[0][0]))
asym = rmt.proportional_limit(finite, n, d, gamma)
step("Proportional limit n = gamma d, d -> oo", asym)
theorem_39 = sp.Piecewise(((1 - gamma) * (2 * norm_s * norm_t * sp.cos(theta) - norm_s ** 2), gamma < 1),
                          (0, True))
check("equals docs/background.md §6.2 (Theorem 3.9, general norms)", equal(asym, theorem_39))
check("equals the registered finetune_transferability", equal(asym, expr_of("finetune_transferability")))
unit = theorem_39.args[0][0].subs({norm_s: 1, norm_t: 1})
check("unit teachers: (1 - gamma)(2 cos(theta) - 1); [CODE] form (gamma - 1)(1 - 2 cos(theta))",
      equal(unit, (gamma - 1) * (1 - 2 * sp.cos(theta))))
check("worked example 6: T_ft(0.5, pi/4) = (sqrt(2) - 1)/2",
      equal(unit.subs({gamma: sp.Rational(1, 2), theta: sp.pi / 4}), (sp.sqrt(2) - 1) / 2))
be = expr_of("finetune_break_even_theta")
step("Break-even angle (paper variant)", be)
check("unit teachers: theta* = pi/3 for every gamma < 1", be.subs({norm_s: 1, norm_t: 1}) == sp.pi / 3)
check("T vanishes at theta* (general norms)",
      sp.simplify(theorem_39.args[0][0].subs(theta, be.args[0][0])) == 0)
check("|beta_s| > 2 |beta_t|: never helps (theta* = 0) and T < 0 even at theta = 0",
      be.subs({norm_s: 3, norm_t: 1}) == 0 and theorem_39.args[0][0].subs(
          {norm_s: 3, norm_t: 1, theta: 0, gamma: sp.Rational(1, 2)}) < 0)
r = get("finetune_transferability")
check("gamma -> 0+: 2 r_s r_t cos(theta) - r_s^2",
      equal(r.limit("gamma", 0, "+"), 2 * norm_s * norm_t * sp.cos(theta) - norm_s ** 2))
check("gamma -> 1: 0 from both sides (continuous; no interpolation peak)", r.limit("gamma", 1) == 0)
check("gamma -> oo: 0", r.limit("gamma", "oo") == 0)
check("theta -> 0 (gamma = 1/2): (2 r_t - r_s) r_s / 2",
      equal(r.limit("theta", 0, "+", gamma="1/2"), (2 * norm_t - norm_s) * norm_s / 2))
check("theta -> pi/2 (gamma = 1/2): -r_s^2/2", equal(r.limit("theta", "pi/2", gamma="1/2"), -norm_s ** 2 / 2))

# 3. §6.3 depth 2 -------------------------------------------------------------------------------
u, G3 = matrix("u", 3, 1), matrix("g", 3, 1)
v = sp.Matrix([0, 0, 1])                      # a fixed unit vector
c = sp.Symbol("c", positive=True)
W1, W2 = u * v.T, c * v
dW1, dW2 = -G3 * W2.T, -W1.T * G3             # gradient flow for a loss with gradient G in beta
step("Depth 2, invariant set W_1 = u v^T, W_2 = c v: the flow is dW_1 = -G W_2^T, dW_2 = -W_1^T G")
check("dW_1 = (-c G) v^T: the set is invariant with u' = -c G", sp.expand(dW1 - (-c * G3) * v.T) == sp.zeros(3, 3))
check("dW_2 = (-u^T G) v: c' = -u^T G", sp.expand(dW2 - (-(u.T * G3)[0]) * v) == sp.zeros(3, 1))
u_dot, c_dot = -c * G3, -(u.T * G3)[0]
check("d/dt (||u||^2 - c^2) = 0 (balancedness D_1 = (||u||^2 - c^2) v v^T)",
      sp.expand(2 * (u.T * u_dot)[0] - 2 * c * c_dot) == 0
      and sp.expand(W1.T * W1 - W2 * W2.T - ((u.T * u)[0] - c ** 2) * v * v.T) == sp.zeros(3, 3))
a, b = sp.symbols("a b", nonnegative=True)
step("At convergence P u = beta_sc / c and (I - P) u = (I - P) beta_s; ||u||^2 = c^2 gives a + b/c^2 = c^2")
quartic = sp.expand((a + b / c ** 2 - c ** 2) * -c ** 2)
check("the quartic c^4 - a c^2 - b = 0 (the scale equation at L = 2 with r = 1)",
      equal(quartic, c ** 4 - a * c ** 2 - b) and equal(quartic, scale_equation(c, 2, 1, a, b)))
wsym = sp.Symbol("w")
roots = sp.solve(sp.Eq(quartic.subs(c, sp.sqrt(wsym)), 0), wsym)
step("roots in w = c^2", roots)
check("Vieta: their product is -b < 0 (b > 0), so exactly one root is positive: the one with +sqrt",
      len(roots) == 2 and equal(roots[0] * roots[1], -b))
(positive,) = [x for x in roots if equal(x, (a + sp.sqrt(a ** 2 + 4 * b)) / 2)]
check("c^2 = (a + sqrt(a^2 + 4b))/2 = PositiveRoot(2, a, b)", equal(PositiveRoot(2, a, b), positive))
a_lim = rmt.proportional_limit(frozen_norm_sq(1), n, d, gamma)
b_lim = rmt.proportional_limit(scratch_norm_sq(), n, d, gamma)
step("a = ||(I-P) beta_s||^2 -> (T1)", a_lim)
step("b = ||beta_sc||^2 -> (T1)-(T3)", b_lim)
A_u = rmt.restrict(a_lim, gamma < 1, gamma)
B_u = b_lim.args[0][0].subs(norm_t, 1)
check("gamma < 1: a -> 1 - gamma, b -> gamma + gamma sigma^2/(1 - gamma)",
      equal(A_u, 1 - gamma) and equal(B_u, gamma + gamma * sigma ** 2 / (1 - gamma)))
check("a + b - 1 = gamma sigma^2/(1 - gamma) >= 0, so c >= 1 with equality iff sigma = 0",
      equal(A_u + B_u - 1, gamma * sigma ** 2 / (1 - gamma)))
scale = expr_of("finetune_scale")
check("the quartic at c = 1 equals 1 - a - b (<= 0, and the quartic is increasing past its root)",
      equal(quartic.subs(c, 1), 1 - a - b))
check("the registered scale at depth 2 is sqrt((a + sqrt(a^2 + 4b))/2) (unit teachers, gamma < 1)",
      equal(scale.args[0][0].subs({depth: 2, norm_s: 1, norm_t: 1}),
            sp.sqrt((A_u + sp.sqrt(A_u ** 2 + 4 * B_u)) / 2)))
c7 = scale.args[0][0].subs({depth: 2, norm_s: 1, norm_t: 1, gamma: sp.Rational(1, 2), sigma: 1})
check("worked example 7: L = 2, gamma = 0.5, sigma = 1 gives c = sqrt(1.5)", equal(c7, sp.sqrt(sp.Rational(3, 2))))
be_gf = expr_of("finetune_break_even_theta_gf").subs(
    {depth: 2, norm_s: 1, norm_t: 1, gamma: sp.Rational(1, 2), sigma: 1})
deg = float(be_gf * 180 / sp.pi)
check(f"worked example 7: break-even arccos(c/2) = arccos(sqrt(6)/4) = {deg:.4f} degrees (about 52.24)",
      equal(be_gf, sp.acos(sp.sqrt(6) / 4)) and abs(deg - 52.24) < 0.005
      and abs(float(get("finetune_break_even_theta_gf")(gamma=0.5, sigma=1.0)) - float(be_gf)) < 1e-15)
gf = expr_of("finetune_transferability_gf")
paper = expr_of("finetune_transferability")
for L in (2, 3, 4, depth):
    check(f"sigma = 0, equal norms: gradient flow = paper (c = 1) at depth {L}",
          equal(gf.subs({sigma: 0, norm_t: norm_s}).subs(depth, L), paper.subs(norm_t, norm_s)))
check("sigma = 0, depth 2 closed form: sqrt(4 gamma + (1 - gamma)^2) = 1 + gamma, so c = 1 again",
      equal(sp.sqrt(sp.factor(4 * gamma + (1 - gamma) ** 2)),
            1 + gamma) and equal(PositiveRoot(2, 1 - gamma, gamma + 0 * sigma), 1))
t = sp.Symbol("t", positive=True)
sg = sp.Symbol("sigma", positive=True)       # generic sigma > 0
c2 = scale.args[0][0].subs({depth: 2, norm_s: 1, norm_t: 1, sigma: sg})
check("gamma -> 1^- (gamma = 1 - t, t -> 0+), sigma > 0: c -> oo", sp.limit(c2.subs(gamma, 1 - t), t, 0, "+") == sp.oo)
check("... and c^4 (1 - gamma) -> sigma^2, i.e. c ~ (sigma^2/(1 - gamma))^(1/4)",
      sp.limit((c2 ** 4 * (1 - gamma)).subs(gamma, 1 - t), t, 0, "+") == sg ** 2)
check("... while (1 - gamma) c^2 -> 0, so T_gf -> 0 (the gamma >= 1 value)",
      sp.limit((gf.args[0][0].subs({depth: 2, norm_s: 1, norm_t: 1, sigma: sg})).subs(gamma, 1 - t), t, 0, "+")
      == 0)
check("gamma -> 0+: c -> 1 and T_gf -> the paper's 2 r_s r_t cos(theta) - r_s^2 (any depth)",
      get("finetune_scale").limit("gamma", 0, "+") == 1
      and equal(get("finetune_transferability_gf").limit("gamma", 0, "+"),
                2 * norm_s * norm_t * sp.cos(theta) - norm_s ** 2))

# 4. §6.4 any depth ------------------------------------------------------------------------------
ell = sp.Symbol("ell", positive=True)
L = 1 + ell                                   # depth L > 1
r, s0 = sp.symbols("r s_0", positive=True)
step("Invariant set W_1 = q u_2^T, W_l = s u_l u_{l+1}^T, W_L = s u_L; beta = s^(L-1) q, ||q|| = s; "
     "pretrained s_0 = r^(1/L), q(0) = beta_pre / s_0^(L-1)")
# With c = (s/s_0)^(L-1): (I-P) beta_ft = c (I-P) beta_pre, and ||q||^2 = ||(I-P) q||^2 + ||P q||^2 reads
# s^2 = a / s_0^(2(L-1)) + b / s^(2(L-1)).
s_of_c = s0 * c ** (1 / (L - 1))
norm_identity = s_of_c ** 2 - a / s0 ** (2 * (L - 1)) - b / s_of_c ** (2 * (L - 1))
scaled = sp.expand(sp.powdenest(sp.expand(norm_identity * s0 ** (2 * (L - 1)) * c ** 2), force=True))
target = scale_equation(c, L, s0 ** L, a, b)
check("times s_0^(2(L-1)) c^2 the norm identity is r^2 c^(2L/(L-1)) - a c^2 - b with r = s_0^L",
      sp.simplify(sp.powsimp(sp.expand(scaled - target), force=True)) == 0)
check("L = 2 gives the quartic of §6.3", equal(scale_equation(c, 2, 1, a, b), quartic))
w = sp.Symbol("w", positive=True)
poly = sp.expand(scale_equation(w ** ((L - 1) / 2), L, r, a, b) / r ** 2)
check("with c^2 = w^(L-1): w^L - (a/r^2) w^(L-1) - b/r^2, the polynomial of PositiveRoot",
      sp.simplify(sp.powsimp(poly - (w ** L - a / r ** 2 * w ** (L - 1) - b / r ** 2), force=True)) == 0)
mono = sp.diff(scale_equation(c, L, r, a, b) / c ** 2, c)
step("uniqueness: d/dc [c^-2 (r^2 c^(2L/(L-1)) - a c^2 - b)]", sp.simplify(mono))
check("is positive for c > 0, L > 1 (so the positive root is unique)",
      sp.simplify(mono).is_positive)
cubic = scale_equation(c, 3, r, a, b)
check("depth 3: the scale equation is the cubic r^2 c^3 - a c^2 - b (exponent 2L/(L-1) = 3)",
      equal(cubic, r ** 2 * c ** 3 - a * c ** 2 - b))
vals = {a: sp.Rational(1, 2), b: sp.Rational(3, 2), r: 1}
root3 = PositiveRoot(3, sp.Rational(1, 2), sp.Rational(3, 2)) ** 1          # c = w^((3-1)/2) = w
exact3 = [x for x in sp.Poly(cubic.subs(vals), c).nroots(n=40) if x.is_real and x > 0]
check("depth 3, a = 1/2, b = 3/2: PositiveRoot agrees with the polynomial's only positive root to 1e-35",
      len(exact3) == 1 and abs(root3.evalf(40) - exact3[0]) < sp.Float("1e-35"))
check("depth 3: PositiveRoot satisfies its cubic to 1e-45 at 50 digits",
      abs(cubic.subs(vals).subs(c, root3.evalf(50))) < sp.Float("1e-45"))
c_num = get("finetune_scale")
values = [float(c_num(gamma=0.5, sigma=1.0, depth=L_)) for L_ in (2, 3, 4, 8)]
step(f"gamma = 0.5, sigma = 1: c at depth 2, 3, 4, 8 = {[round(x, 6) for x in values]}")
check("depth dependence for sigma > 0: c increases strictly with depth",
      all(x < y for x, y in zip(values, values[1:])))
deep = float(c_num.mp(gamma=0.5, sigma=1.0, depth=10 ** 5, dps=30))  # float64 stops at depth 1000
check(f"L -> oo: c^2 (1 - a) = b, c -> sqrt(b/gamma) = sqrt(1 + sigma^2/(1 - gamma)) = sqrt(3) "
      f"(depth 1e5: {deep:.6f})", abs(deep - 3 ** 0.5) < 1e-4)
check("sigma = 0, unit teachers: c = 1 at every depth (PositiveRoot(L, 1 - gamma, gamma) = 1)",
      PositiveRoot(depth, 1 - gamma, gamma) == 1
      and all(float(c_num(gamma=0.5, sigma=0.0, depth=L_)) == 1.0 for L_ in (2, 3, 7)))
c3 = scale.args[0][0].subs({norm_s: 1, norm_t: 1, sigma: sg}).subs(depth, 3)
check("depth 3, gamma -> 1^-: c^3 (1 - gamma) -> sigma^2 (c ~ (sigma^2/(1 - gamma))^((L-1)/(2L)))",
      sp.limit((c3 ** 3 * (1 - gamma)).subs(gamma, 1 - t), t, 0, "+") == sg ** 2)
check("scale for gamma > 1 (a = 0): c^(2L/(L-1)) r^2 = |beta_t|^2 + sigma^2/(gamma - 1)",
      equal(sp.powdenest(scale.args[1][0] ** (2 * depth / (depth - 1)), force=True) * norm_s ** 2,
            norm_t ** 2 + sigma ** 2 / (gamma - 1)))
done()
