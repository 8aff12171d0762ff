"""Derivation: finite source data (docs/background.md §7; paper Appendix C).

Run ``python derivations/finite_source.py`` (``--latex`` for LaTeX output, ``--quiet`` for checks only).

1. §7.1 Source moments: beta_hat_s = P_s beta_s + X_s^+ eps_s; E||beta_hat_s||^2 from (T1)-(T3) and
   E<beta_t, beta_hat_s> from (T1), exactly at finite size (§7.2 [EXT]) and in the proportional limit.
2. §7.2 Fine-tuning: conditional on the source, beta_hat_s is a fixed pretrained vector, so the gain
   of §6.2 is affine in the two moments: eq. (22); break-even eq. (23); gamma_s -> oo recovers pi/3;
   sigma_s^2 > |1 - gamma_s| means fine-tuning never helps; worked example 8.
3. §7.3 Linear transfer: cos^2(theta_eff) = E<beta_hat_s, beta_t>^2 / E||beta_hat_s||^2 and
   T_lt^fs = R_sc - sin^2(theta_eff); limits back to the infinite-source eq. (11).
"""
import sympy as sp

from _derive import check, done, equal, step, title
from ftheory import get, rmt
from ftheory.symbolic import expr_of
from ftheory.theory._symbols import d, gamma, gamma_s, sigma, sigma_s, theta
from ftheory.theory.finetune import finetune_gain, teachers
from ftheory.theory.finite_source import (cos2_theta_eff, n_s, source_norm_sq_finite,
                                          source_overlap_finite)

title("Finite source data (docs/background.md §7)")

# 1. §7.1 moments --------------------------------------------------------------------------------
Xs = sp.Matrix([[1, 2, 0, -1], [0, 1, 3, 1]])          # explicit 2 x 4 source design (n_s < d)
Ps = Xs.pinv() * Xs
bs = sp.Matrix(sp.symbols("s1:5", real=True))
eps = sp.Matrix(sp.symbols("z1:3", real=True))
beta_hat = Xs.pinv() * (Xs * bs + eps)
noise = Xs.pinv() * eps
step("beta_hat_s = X_s^+ y_s = P_s beta_s + X_s^+ eps_s (min-norm source estimate, §2.5)")
check("explicit design: ||beta_hat_s||^2 = ||P_s beta_s||^2 + ||X_s^+ eps||^2 + 2 <P_s beta_s, X_s^+ eps> "
      "and the cross term is linear in eps (mean zero given X_s)",
      sp.expand((beta_hat.T * beta_hat)[0] - ((Ps * bs).T * (Ps * bs))[0] - (noise.T * noise)[0]
                - 2 * ((Ps * bs).T * noise)[0]) == 0
      and sp.Poly(sp.expand(((Ps * bs).T * noise)[0]), *eps).total_degree() == 1)
norm_finite = source_norm_sq_finite()
overlap_finite = source_overlap_finite()
step("Exact E||beta_hat_s||^2 at finite n_s, d: (T1) + sigma_s^2 (T2)-(T3)", norm_finite)
step("Exact E<beta_t, beta_hat_s> at finite n_s, d: (T1)", overlap_finite)
theory_72 = sp.Piecewise((n_s / d + sigma_s ** 2 * n_s / (d - n_s - 1), n_s <= d - 2),
                         (1 + sigma_s ** 2 * d / (n_s - d - 1), n_s >= d + 2),
                         (sp.Min(n_s, d) / d, sp.Eq(sigma_s, 0)),
                         (sp.oo, True))
check("finite-size norm equals docs/background.md §7.2 [EXT] (+oo for |n_s - d| <= 1 when sigma_s > 0)",
      equal(norm_finite, theory_72))
check("finite-size overlap equals min(1, n_s/d) cos(theta) = min(n_s, d)/d cos(theta) (docs/background.md §7.2 [EXT])",
      equal(overlap_finite, sp.Min(n_s, d) / d * sp.cos(theta))
      and all(overlap_finite.subs({n_s: k, d: 10}) == min(1, sp.Rational(k, 10)) * sp.cos(theta) for k in (3, 10, 17)))
norm_sq = expr_of("finite_source_norm_sq")
overlap = expr_of("finite_source_overlap")
step("Proportional limit n_s = gamma_s d, d -> oo: E||beta_hat_s||^2", norm_sq)
step("... and E<beta_t, beta_hat_s>", overlap)
theory_71 = sp.Piecewise((gamma_s + sigma_s ** 2 * gamma_s / (1 - gamma_s), gamma_s < 1),
                         (1 + sigma_s ** 2 / (gamma_s - 1), gamma_s > 1),
                         (1, sp.Eq(sigma_s, 0)),
                         (sp.oo, True))
check("equals docs/background.md §7.1 (norm; +oo at gamma_s = 1 for sigma_s > 0, 1 for sigma_s = 0)",
      equal(norm_sq, theory_71))
check("equals the proportional limit of the finite-size form",
      equal(norm_sq, rmt.proportional_limit(norm_finite, n_s, d, gamma_s)))
check("overlap equals docs/background.md §7.1: min(1, gamma_s) cos(theta)",
      equal(overlap, sp.Piecewise((gamma_s * sp.cos(theta), gamma_s < 1), (sp.cos(theta), True))))
r = get("finite_source_norm_sq")
check("gamma_s -> oo: E||beta_hat_s||^2 -> 1 (the infinite source)", r.limit("gamma_s", "oo") == 1)
check("gamma_s -> 1: +oo from both sides (sigma_s > 0)",
      r.limit("gamma_s", 1, "-") == sp.oo and r.limit("gamma_s", 1, "+") == sp.oo)
check("gamma_s -> 0+: 0 (no source data, beta_hat_s = 0)", r.limit("gamma_s", 0, "+") == 0)

# 2. §7.2 fine-tuning ----------------------------------------------------------------------------
_, beta_t = teachers(r_t=1)
h = sp.Matrix(sp.symbols("h1 h2", real=True))
gain = finetune_gain(h, beta_t, 1 - gamma)
step("Conditional on the source data, §6.2 with beta_pre = beta_hat_s (fixed; unit target teacher)", gain)
check("the gain is (1 - gamma)(2 <beta_t, beta_hat_s> - ||beta_hat_s||^2): affine in the two moments",
      sp.expand(gain - (1 - gamma) * (2 * (beta_t.T * h)[0] - (h.T * h)[0])) == 0)
ft = expr_of("finetune_transferability_finite_source")
step("Averaging over the source data", ft)
eq22 = sp.Piecewise((0, gamma >= 1),
                    ((gamma - 1) * gamma_s * (1 - 2 * sp.cos(theta) + sigma_s ** 2 / (1 - gamma_s)), gamma_s < 1),
                    ((gamma - 1) * (1 - 2 * sp.cos(theta) + sigma_s ** 2 / (gamma_s - 1)), gamma_s > 1),
                    ((gamma - 1) * (1 - 2 * sp.cos(theta)), sp.Eq(sigma_s, 0)),
                    (-sp.oo, True))
check("equals the paper's eq. (22) (docs/background.md §7.2), with gamma_s = 1 handled explicitly", equal(ft, eq22))
f = get("finetune_transferability_finite_source")
check("gamma_s -> oo with sigma_s fixed: the infinite-source Theorem 3.9, (1 - gamma)(2 cos(theta) - 1)",
      equal(f.limit("gamma_s", "oo", gamma="1/2"), (2 * sp.cos(theta) - 1) / 2))
check("independent of the target noise sigma", not ft.has(sigma))
be = expr_of("finetune_break_even_theta_finite_source")
step("Break-even angle (eq. (23)), 0 where fine-tuning never helps", be)
eq23 = sp.Piecewise((sp.acos((1 + sigma_s ** 2 / (1 - gamma_s)) / 2), (gamma_s < 1) & (sigma_s ** 2 <= 1 - gamma_s)),
                    (sp.acos((1 + sigma_s ** 2 / (gamma_s - 1)) / 2), (gamma_s > 1) & (sigma_s ** 2 <= gamma_s - 1)),
                    (sp.pi / 3, sp.Eq(sigma_s, 0)),
                    (0, True))
cosines = lambda pw: sp.Piecewise(*[(sp.cos(v), c) for v, c in pw.args])  # noqa: E731
check("equals eq. (23): cos(theta*) = (1 + sigma_s^2/|1 - gamma_s|)/2, 0 when sigma_s^2 > |1 - gamma_s|",
      equal(cosines(be), cosines(eq23)))
for k in (1, 2):   # the gamma_s < 1 and gamma_s > 1 branches of eq. (22) and eq. (23)
    check(f"T_ft vanishes at theta* on the branch {ft.args[k][1]}",
          sp.simplify(ft.args[k][0].subs(theta, be.args[k - 1][0])) == 0)
b = get("finetune_break_even_theta_finite_source")
check("gamma_s -> oo recovers pi/3 (the infinite source; sigma_s = 0.2 and 1)",
      b.limit("gamma_s", "oo", sigma_s="1/5") == sp.pi / 3 and b.limit("gamma_s", "oo", sigma_s=1) == sp.pi / 3)
check("sigma_s = 0: pi/3 for every gamma_s (a noiseless estimate is P_s beta_s: both moments scale by "
      "min(1, gamma_s))", be.subs(sigma_s, 0).doit() == sp.pi / 3)
cos8 = sp.cos(be.subs({gamma_s: sp.Rational(1, 2), sigma_s: sp.Rational(1, 5)}))
check(f"worked example 8: gamma_s = 0.5, sigma_s = 0.2 gives cos(theta*) = {cos8} = 0.54 "
      f"(theta* = {float(sp.acos(cos8) * 180 / sp.pi):.2f} degrees)",
      cos8 == sp.Rational(27, 50) and abs(float(sp.acos(cos8) * 180 / sp.pi) - 57.32) < 0.005)
check("sigma_s^2 > |1 - gamma_s|: never helps (gamma_s = 0.9, sigma_s = 0.5 gives theta* = 0)",
      be.subs({gamma_s: sp.Rational(9, 10), sigma_s: sp.Rational(1, 2)}) == 0)

# 3. §7.3 linear transfer ------------------------------------------------------------------------
cos2 = cos2_theta_eff()
step("cos^2(theta_eff) = E<beta_hat_s, beta_t>^2 / E||beta_hat_s||^2 (both concentrate)", cos2)
theory_73 = sp.Piecewise((gamma_s * sp.cos(theta) ** 2 / (1 + sigma_s ** 2 / (1 - gamma_s)), gamma_s < 1),
                         (sp.cos(theta) ** 2 / (1 + sigma_s ** 2 / (gamma_s - 1)), gamma_s > 1),
                         (sp.cos(theta) ** 2, sp.Eq(sigma_s, 0)),
                         (0, True))
check("equals docs/background.md §7.3 (0 at gamma_s = 1, sigma_s > 0: the feature is pure noise)", equal(cos2, theory_73))
lt = expr_of("linear_transfer_transferability_finite_source")
step("T_lt^fs = R_sc(gamma, sigma) - sin^2(theta_eff)")
scratch = expr_of("scratch_risk").subs(get("scratch_risk").symbols["norm_t"], 1)
for g_, s_ in [(sp.Rational(1, 2), sp.Rational(1, 5)), (sp.Rational(3, 2), sp.Rational(1, 5)), (2, 0)]:
    for gs_, ss_ in [(sp.Rational(1, 2), sp.Rational(1, 5)), (sp.Rational(3, 2), sp.Rational(1, 5)),
                     (1, 0), (1, sp.Rational(1, 5)), (3, 0)]:
        point = {gamma: g_, sigma: s_, gamma_s: gs_, sigma_s: ss_}
        check(f"T_lt^fs = R_sc - 1 + cos^2(theta_eff) at gamma={g_}, sigma={s_}, gamma_s={gs_}, sigma_s={ss_}",
              equal(lt.subs(point), scratch.subs(point) - 1 + cos2.subs(point)))
lt_r = get("linear_transfer_transferability_finite_source")
eq11 = scratch.subs(gamma, sp.Rational(1, 2)) - sp.sin(theta) ** 2
check("gamma_s -> oo: the infinite-source eq. (11) (gamma = 1/2)",
      equal(lt_r.limit("gamma_s", "oo", gamma="1/2"), eq11))
check("sigma_s = 0, gamma_s > 1: exactly eq. (11) (the source is learned exactly)",
      equal(lt_r.expr.subs({sigma_s: 0, gamma_s: 2, gamma: sp.Rational(1, 2)}), eq11))
check("theta = pi/2: T_lt^fs = R_sc - 1 whatever the source",
      equal(lt.subs({theta: sp.pi / 2, gamma: sp.Rational(1, 2), gamma_s: sp.Rational(1, 2)}),
            scratch.subs(gamma, sp.Rational(1, 2)) - 1))
check("gamma -> 1: +oo (the interpolation peak of the scratch baseline, sigma > 0)",
      lt_r.limit("gamma", 1, "-", gamma_s="1/2") == sp.oo)
done()
