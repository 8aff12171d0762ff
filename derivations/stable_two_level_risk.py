"""Derivation: the float64 form of the two-level min-norm risk and kappa (``ftheory.stable_range``).

Run ``python derivations/stable_two_level_risk.py`` (``--quiet`` for checks only).

``aniso2_scratch_risk`` and ``aniso2_finetune_risk`` (``aniso2_kappa = M k'`` uses the same root) are ``ftheory.theory.aniso.block_risk`` at the positive root
``k`` of the kappa quadratic. Written with the eigenvalues ``m <= M`` (``t = m/M``), ``k = M k'`` and
``R = t ((1 + k')/(t + k'))^2``, the sums ``sum_j lambda_j E_j v_j^2`` and ``sum_j rho_j lambda_j^j v_j^2`` are
divided by ``M v_M^2``, which underflows where ``k' << 1`` (on the b-block's threshold gamma = 1 - frac_a at small
eig_ratio): the generated form divided 0 by 0 there. The checks:

1. ``block_risk`` = ``M (gamma k') (E_1 R + E_2)/(rho_1 R + rho_2) + sigma^2 (rho_1 t R + rho_2)/(k' (rho_1 R +
   rho_2))`` for per-block energies ``E_j`` (symbolically, any ``m, M, rho_j``);
2. ``t R = (t q)^2`` with ``q = (1 + k')/(t + k') = (u + 1)/(t u + 1)``, ``u = 1/k'`` (the form for ``k' > 1``);
3. the positive root ``k' = 2 c^2/(B' + root)`` has ``1/k' = (B' + root)/(2 c^2)`` and for ``B' < 0``
   ``1/k' = 2 gamma/(root - B')`` (``c^2 = t (1 - gamma)``); the reduction of the quadratic to ``gamma k'^2 +
   B' k' - t (1 - gamma)`` and ``1/M = rho_1 t + rho_2`` are derivations/stable_forms.py §4g;
4. ``gamma + rho - 1`` as ``(s - 1) + err`` (``s = fl(gamma + rho)``, ``err`` its exact rounding error) has a
   single rounding where ``s`` is in ``[1/2, 2]`` (``s - 1`` exact), so ``B'`` is accurate near 0: checked against
   exact rationals on random binary inputs;
5. the float64 functions against the registered expressions in mpmath at points on and near the thresholds
   ``gamma = 1 - frac_a`` (eig_ratio < 1) and ``gamma = frac_a`` (eig_ratio > 1), eig_ratio from 2.2e-308 to 1e30:
   relative error below ``16 eps (1 + cond)``, ``cond`` the relative condition number of the value in its inputs.
"""
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from _derive import check, done, step, title
import ftheory
import ftheory.stable_range as stable_range
from ftheory.theory.aniso import block_risk, eigenvalues
from ftheory.theory._symbols import eig_ratio, frac_a, gamma, sigma

title("The two-level min-norm risk in float64 (ftheory.stable_range)")
mm, MM, k1, r1, r2, E1, E2 = sp.symbols("m M k' rho_1 rho_2 E_1 E_2", positive=True)
t_ = mm / MM
q_ = (1 + k1) / (t_ + k1)
R_ = t_ * q_ ** 2
kk = MM * k1
v1, v2 = kk / (mm + kk), kk / (MM + kk)
H = r1 * mm * v1 ** 2 + r2 * MM * v2 ** 2
risk = gamma * kk * (mm * E1 * v1 ** 2 + MM * E2 * v2 ** 2) / H + sigma ** 2 * (
    r1 * mm ** 2 * v1 ** 2 + r2 * MM ** 2 * v2 ** 2) / (kk * H)
form = MM * gamma * k1 * (E1 * R_ + E2) / (r1 * R_ + r2) + sigma ** 2 * (r1 * t_ * R_ + r2) / (k1 * (r1 * R_ + r2))
step("block_risk with k = M k' (v_j = k/(lambda_j + k)), sums divided by M v_M^2", form)
check("1. block_risk = M (gamma k')(E_1 R + E_2)/(rho_1 R + rho_2) + sigma^2 (rho_1 t R + rho_2)/(k' (rho_1 R + "
      "rho_2)), R = t ((1 + k')/(t + k'))^2", sp.simplify(sp.together(risk - form)) == 0)
(ra, a), (rb, b) = ((frac_a, eigenvalues()[0]), (1 - frac_a, eigenvalues()[1]))
Ea, Eb = sp.symbols("E_a E_b", positive=True)
probe = {gamma: sp.Rational(1, 3), frac_a: sp.Rational(1, 5), eig_ratio: sp.Rational(1, 7), sigma: sp.Rational(2, 3),
         Ea: sp.Rational(2, 7), Eb: sp.Rational(3, 5), k1: sp.Rational(5, 11)}
sub = {mm: a, MM: b, r1: ra, r2: rb, E1: Ea, E2: Eb}
check("1. ... and it is ftheory.theory.aniso.block_risk itself at k = M k' (m = a, M = b, exact rationals)",
      sp.nsimplify(block_risk(b * k1, (Ea, Eb)).subs(probe) - form.subs(sub).subs(probe)) == 0)
tt, uu = sp.symbols("t u", positive=True)
check("2. t R = (t q)^2 and q = (1 + k')/(t + k') = (u + 1)/(t u + 1) for u = 1/k'",
      sp.simplify(t_ * R_ - (t_ * q_) ** 2) == 0
      and sp.simplify((1 + k1) / (tt + k1) - ((uu + 1) / (tt * uu + 1)).subs(uu, 1 / k1)) == 0)
bb, c2, gg = sp.symbols("B' c2 gamma_", real=True)
root = sp.sqrt(bb ** 2 + 4 * gg * c2)
check("3. 1/k' = (B' + root)/(2 c^2) = 2 gamma/(root - B') at the positive root (c^2 = t (1 - gamma))",
      sp.simplify(sp.expand((bb + root) * (root - bb)) - 4 * gg * c2) == 0)

rng = np.random.default_rng(16)
ok = True
for _ in range(2000):
    rho = float(rng.choice([0.9, 0.5, 0.1, 0.3, 0.99, 1e-3, 0.999999, 1e-300])) * float(1 + 1e-3 * rng.random())
    g = float((1 - rho) * (1 + rng.choice([-1, 1]) * 10 ** rng.uniform(-17, 0))) if rng.random() < 0.8 else float(
        rng.random() * 4)
    s = g + rho
    z = s - g
    plus = (s - 1) + ((g - (s - z)) + (rho - z))
    exact = Fraction(g) + Fraction(rho) - 1
    roundings = 1 if 0.5 <= s <= 2 else 2  # s - 1 is exact (Sterbenz) for s in [1/2, 2]
    ok &= abs(Fraction(plus) - exact) <= abs(exact) * (Fraction(1, 2 ** 53) * roundings + Fraction(1, 2 ** 106))
check("4. gamma + rho - 1 = (s - 1) + err: one rounding for s in [1/2, 2] (around the threshold), at most two "
      "elsewhere (2000 binary pairs, exact rationals)", ok)

EPS = 2.0 ** -53


def condition(r, args, value):
    """sum_i |x_i df/dx_i|/|f| by central differences (relative step 1e-30) at 80 digits, or 1400 where a divisor
    cancels to 0 at 80 (B' + sqrt(D) with B' < 0 and B'^2 >> gamma C)."""
    for digits in (80, 1400):
        total = mpmath.mpf(0)
        with mpmath.workdps(digits):
            base = [mpmath.mpf(args[p]) for p in r.params]
            try:
                for i, x in enumerate(base):
                    if x == 0:
                        continue
                    h = mpmath.mpf(10) ** -30
                    up, down = list(base), list(base)
                    up[i], down[i] = x * (1 + h), x * (1 - h)
                    total += abs(r._mp(*up) - r._mp(*down)) / (2 * h)
            except ZeroDivisionError:
                continue
            return total / abs(value)
    raise ZeroDivisionError(args)


def near_threshold(name):
    rho = float(rng.choice([0.9, 0.5, 0.1, 0.3, 0.99, 1e-3, 0.7]))
    ratio = float(10 ** rng.uniform(-307.6, 30))
    g = (1 - rho) if ratio <= 1 else rho
    g = float(g if rng.random() < 0.3 else g * (1 + rng.choice([-1, 1]) * 10 ** rng.uniform(-16, -0.3)))
    args = dict(gamma=min(g, 0.999999), sigma=float(rng.choice([0.0, 0.3, 10 ** rng.uniform(-300, 30)])),
                frac_a=rho, eig_ratio=ratio, norm_t=float(rng.choice([1.0, 10 ** rng.uniform(-300, 30)])))
    if name == "aniso2_scratch_risk":
        args["energy_t"] = float(rng.choice([0.0, 1.0, rng.random()]))
    else:
        args.update(theta=float(np.pi * rng.random()), energy_s=float(rng.choice([0.0, 1.0, rng.random()])),
                    energy_perp=float(rng.random()), norm_s=float(rng.choice([1.0, 10 ** rng.uniform(-300, 30)])))
    return args


for name in ("aniso2_scratch_risk", "aniso2_finetune_risk", "aniso2_kappa"):
    r = ftheory.get(name)
    worst, normal = 0.0, 0
    for _ in range(150):
        args = {p: v for p, v in near_threshold(name).items() if p in r.params}
        exact = r.mp(dps=40, **args)
        got = float(getattr(stable_range, name)(*[args[p] for p in r.params]))
        if abs(exact) < 2.2250738585072014e-308:  # the true value underflows: 0 or subnormal, within TINY
            ok &= abs(got - exact) <= 2.2250738585072014e-308
            continue
        normal += 1
        worst = max(worst, float(abs(got - exact) / abs(exact) / (EPS * (1 + condition(r, args, exact)))))
    check(f"5. {name}: float64 form = .mp at 150 points on and near the thresholds ({normal} with a normal value: "
          f"relative error {worst:.2g} x eps (1 + cond) < 16; the rest underflow to within 2.2e-308)",
          worst < 16 and ok)
done()
