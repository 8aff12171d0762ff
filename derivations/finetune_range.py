"""Derivation: the float64 forms of ``ftheory.stable_finetune`` equal the registered gradient-flow results.

Run ``python derivations/finetune_range.py`` (``--quiet`` for checks only).

The registered results (docs/background.md §6.3–§6.4) use ``c = w^p``, ``p = (L-1)/2``, ``w = PositiveRoot(L, A, B)``
with ``A = 1 - gamma``, ``B = b / r^2``. The float64 forms rest on:

1. ``v = c r``: ``T_gf = (1 - gamma) v (2 r_t cos(theta) - v)`` and ``theta* = acos(v / (2 r_t))`` (its branch
   value); the registered condition of ``theta*`` holds exactly when ``v <= 2 r_t`` (at random points, mpmath).
2. ``b = gamma (r_t^2 + sigma^2/(1 - gamma))`` below 1; for ``gamma > 1`` and at ``gamma = 1, sigma = 0`` the scale
   is ``B^(p/L)`` with ``b = r_t^2 + sigma^2/(gamma - 1)`` (the root with ``A = 0``).
3. The scaled equation: with ``w = s x``, ``w^L - A w^(L-1) - B = s^L x^(L-1) (x - alpha - beta x^(1-L))``,
   ``alpha = A/s``, ``beta = B/s^L``; so ``log2 c = p (log2 s + log2 x)``, which is ``p (log2 A + log2 x)``
   for ``s = A`` and ``(L-1)/(2L) log2 B + p log2 x`` for ``s = B^(1/L)``.
4. The float64 functions against the registered expressions in mpmath at 600 points with norms and sigma
   from 1e-307 to 1e30 (ratios up to 1e337, beyond the float64 range), depth 2 to 1000.
"""
import math

import mpmath
import numpy as np
import sympy as sp

from _derive import check, done, step, title
from ftheory import get, stable_finetune
from ftheory.result import expr_of
from ftheory.roots import positive_root_mp
from ftheory.theory._symbols import depth, gamma, norm_s, norm_t, sigma, theta
from ftheory.theory.finetune import PositiveRoot

title("Gradient-flow fine-tuning over the float64 range (ftheory.stable_finetune)")
L = depth
p = (L - 1) / 2
A = 1 - gamma
b = gamma * (norm_t ** 2 + sigma ** 2 / (1 - gamma))
w, v, x, s = sp.symbols("w v x s", positive=True)


def root_as(expr, symbol):
    """``expr`` with its (single) PositiveRoot replaced by ``symbol``, and that root's arguments."""
    roots = list(expr.atoms(PositiveRoot))
    assert len(roots) == 1, roots
    return expr.xreplace({roots[0]: symbol}), roots[0].args


def branch(name, i=0):
    return expr_of(name).args[i]


# 1. v = c r -------------------------------------------------------------------------------------------
value, cond = branch("finetune_transferability_gf")
value, args = root_as(value, w)
check("T_gf below 1 uses PositiveRoot(L, 1 - gamma, b / r_s^2)",
      sp.simplify(args[1] - A) == 0 and sp.simplify(args[2] - b / norm_s ** 2) == 0 and cond == (gamma < 1))
c = w ** p
form = (1 - gamma) * v * (2 * norm_t * sp.cos(theta) - v)
check("T_gf = (1 - gamma) v (2 r_t cos(theta) - v) with v = c r_s, c = w^((L-1)/2)",
      sp.simplify(sp.powsimp(value - form.subs(v, norm_s * c), force=True)) == 0)
value, cond = branch("finetune_break_even_theta_gf")
value, args = root_as(value, w)
check("theta* = acos(v / (2 r_t)) on its branch", sp.simplify(value - sp.acos(norm_s * c / (2 * norm_t))) == 0)

rng = np.random.default_rng(12)


def scaled_norm(g, sg, L_, rs, rt):
    """``v = c r_s`` in mpmath."""
    return rs * positive_root_mp(L_, 1 - g, g * (rt ** 2 + sg ** 2 / (1 - g)) / rs ** 2) ** ((L_ - 1) / mpmath.mpf(2))


agree = 0
with mpmath.workdps(40):
    for i in range(400):
        g = mpmath.mpf(float(rng.uniform(0.01, 0.99)))
        L_ = int(rng.choice([2, 3, 4, 7, 20]))
        rs, rt, sg = (mpmath.mpf(float(10 ** rng.uniform(-2, 2))) for _ in range(3))
        if i % 2:  # within 1e-30 of the boundary v = 2 r_t (v - 2 r_t changes sign once as r_t grows)
            edge = mpmath.findroot(lambda t: scaled_norm(g, sg, L_, rs, t) - 2 * t,
                                   (mpmath.mpf(10) ** -8, mpmath.mpf(10) ** 8), solver="anderson")
            rt = edge * (1 + int(rng.choice([-1, 1])) * mpmath.mpf(10) ** -30)
        registered = bool(cond.subs({gamma: g, sigma: sg, depth: L_, norm_s: rs, norm_t: rt}))
        agree += registered == (scaled_norm(g, sg, L_, rs, rt) <= 2 * rt)
check(f"the registered condition of theta* is v <= 2 r_t ({agree} of 400 points, half within 1e-30 of the boundary)",
      agree == 400)

# 2. the other branches of the scale --------------------------------------------------------------------
scale = expr_of("finetune_scale")
(v0, c0), (v1, c1), (v2, c2), (v3, c3) = scale.args
v0, args0 = root_as(v0, w)
check("finetune_scale below 1 is PositiveRoot(L, 1 - gamma, b / r_s^2)^((L-1)/2)",
      c0 == (gamma < 1) and sp.simplify(v0 - w ** p) == 0 and sp.simplify(args0[2] - b / norm_s ** 2) == 0)
B1 = (norm_t ** 2 + sigma ** 2 / (gamma - 1)) / norm_s ** 2
check("for gamma > 1: c = B^((L-1)/(2L)), B = (r_t^2 + sigma^2/(gamma - 1)) / r_s^2 (PositiveRoot(L, 0, B) = B^(1/L))",
      c1 == (gamma > 1) and sp.simplify(sp.powsimp(v1 - B1 ** (p / L), force=True)) == 0
      and PositiveRoot(L, 0, B1) == B1 ** (1 / L))
check("at gamma = 1, sigma = 0: c = (r_t^2 / r_s^2)^((L-1)/(2L)); +oo otherwise",
      sp.simplify(sp.powsimp(v2 - (norm_t ** 2 / norm_s ** 2) ** (p / L), force=True)) == 0 and v3 is sp.oo)

# 3. the scaled equation ----------------------------------------------------------------------------------
Asym, Bsym = sp.symbols("A B", positive=True)
Lsym = sp.Symbol("L", positive=True)
poly = w ** Lsym - Asym * w ** (Lsym - 1) - Bsym
scaled = s ** Lsym * x ** (Lsym - 1) * (x - Asym / s - Bsym / s ** Lsym * x ** (1 - Lsym))
check("w^L - A w^(L-1) - B at w = s x equals s^L x^(L-1) (x - alpha - beta x^(1-L))",
      sp.simplify(sp.expand(sp.powsimp(sp.expand(poly.subs(w, s * x) - scaled), force=True))) == 0)
lc = sp.expand_log(sp.log((s * x) ** ((Lsym - 1) / 2), 2), force=True)
check("log2 c = (L-1)/(2L) log2 B + p log2 x for s = B^(1/L)",
      sp.simplify(lc.subs(s, Bsym ** (1 / Lsym)) - sp.expand_log(((Lsym - 1) / (2 * Lsym)) * sp.log(Bsym, 2)
                                                                  + (Lsym - 1) / 2 * sp.log(x, 2), force=True)) == 0)
step("(L-1) e_B = 2 L K + R with integers K, R (0 <= R < 2L): (L-1)/(2L) e_B = K + R/(2L) exactly")

# 4. the float64 forms against mpmath at extreme magnitudes ----------------------------------------------
worst = 0.0
for name in ("finetune_scale", "finetune_transferability_gf", "finetune_break_even_theta_gf"):
    r = get(name)
    fn = getattr(stable_finetune, name)
    for _ in range(200):
        args = {}
        for q in r.params:
            if q == "theta":
                args[q] = float(np.pi * rng.random())
            elif q == "depth":
                args[q] = int(rng.choice([2, 3, 5, 50, 1000]))
            elif q == "gamma":
                args[q] = float(rng.choice([rng.uniform(0, 2), 1 - 10 ** rng.uniform(-15, 0), 10 ** rng.uniform(-300, 0)]))
            else:
                args[q] = float(10 ** rng.uniform(-307, 30))
        got = float(fn(**args))
        exact = r.mp(dps=30, **args)
        if abs(exact) > 1.7976931348623157e308:
            ok = got == float(mpmath.sign(exact)) * math.inf
            worst = max(worst, 0.0 if ok else math.inf)
            continue
        err = abs(mpmath.mpf(got) - exact)
        if abs(exact) < 2.2250738585072014e-308:
            worst = max(worst, 0.0 if err <= 2.2250738585072014e-308 else math.inf)
            continue
        worst = max(worst, float(err / abs(exact)))
check(f"the three float64 forms against the registered expressions at 600 points from 1e-307 to 1e30 "
      f"(relative {worst:.2g} < 1e-12)", worst < 1e-12)
done()
