"""Finite source data: pretraining on n_s = gamma_s d samples (docs/background.md §2.5, §7; paper Appendix C).

Gradient flow on the empirical source loss returns the min-norm estimate
``beta_hat_s = X_s^+ y_s = P_s beta_s + X_s^+ eps_s`` (§2.5), independent of the target data, and
the pretrained network is the balanced rank-one state of §2.4 with ``beta_hat_s`` in place of
``beta_s``. Everything then follows from two source moments (§7.1), derived from (T1)–(T3) exactly
at finite size and taken to the proportional limit ``n_s/d -> gamma_s``:

* :func:`finite_source_norm_sq` — ``E||beta_hat_s||^2`` (+oo at ``gamma_s = 1`` when ``sigma_s > 0``);
* :func:`finite_source_overlap` — ``E<beta_t, beta_hat_s> = min(1, gamma_s) cos(theta)``.

Fine-tuning (§7.2, Theorem C.1, eqs. (22)–(23)) is linear in these moments because ``beta_hat_s``
is independent of the target projector ``P``. Linear transfer (§7.3, [EXT]) sees the source only
through the effective angle ``cos^2(theta_eff) = <beta_hat_s, beta_t>^2/||beta_hat_s||^2``, whose two
ingredients concentrate. Unit teachers throughout (§7.1).

Note: the break-even angle at ``gamma_s = 1, sigma_s = 0`` is ``arccos(1/2)`` kept unevaluated
(``= pi/3``) because the LaTeX pi currently reads back (``ftheory.latex.parse_latex``) as a
plain symbol, which would break the round trip.
"""
import sympy as sp

from ftheory import rmt
from ftheory.result import expr_of, register
from ftheory.theory._symbols import d, gamma, gamma_s, sigma_s, theta
from ftheory.theory.finetune import _positive_form, cos_at_most_one, finetune_gain, teachers

__all__ = ["n_s", "source_norm_sq_finite", "source_overlap_finite", "cos2_theta_eff"]

#: Number of source samples (a local symbol of the derivation; the results use gamma_s = n_s/d).
n_s = sp.Symbol("n_s", integer=True, positive=True)



def source_norm_sq_finite():
    """Exact ``E||beta_hat_s||^2`` at finite ``n_s, d`` (unit source teacher), docs/background.md §7.2 [EXT].

    ``||beta_hat_s||^2 = ||P_s beta_s||^2 + ||X_s^+ eps_s||^2`` (orthogonal pieces: the noise part
    lies in the row space and has mean zero given ``X_s``): signal by (T1), noise by (T2)–(T3).
    """
    signal = rmt.projection_fraction(n_s, d)
    under, over = rmt.min_norm_noise_trace(n_s, d)
    return sp.Piecewise(
        (rmt.restrict(signal, under.condition, n_s) + sigma_s ** 2 * under.value, under.condition),
        (rmt.restrict(signal, over.condition, n_s) + sigma_s ** 2 * over.value, over.condition),
        (signal, sp.Eq(sigma_s, 0)),
        (sp.oo, True))


def source_overlap_finite():
    """Exact ``E<beta_t, beta_hat_s> = <beta_t, E P_s beta_s> = min(n_s, d)/d cos(theta)`` (T1);
    the noise part has mean zero given ``X_s``."""
    return rmt.projection_fraction(n_s, d) * sp.cos(theta)


@register("finite_source_norm_sq", params=("gamma_s", "sigma_s"), status="PAPER",
          reference="docs/background.md §7.1; paper Appendix C", topic="finite_source", 
          summary="E||beta_hat_s||^2 of the min-norm source estimate in the proportional limit (unit "
                  "teacher): gamma_s + sigma_s^2 gamma_s/(1 - gamma_s) below 1, 1 + sigma_s^2/(gamma_s - 1) "
                  "above; +oo at gamma_s = 1 when sigma_s > 0.")
def finite_source_norm_sq():
    limit = rmt.proportional_limit(source_norm_sq_finite(), n_s, d, gamma_s)
    return sp.Piecewise(*[(_positive_form(v, gamma_s) if c == (gamma_s < 1) else v, c) for v, c in limit.args])


@register("finite_source_overlap", params=("theta", "gamma_s"), status="PAPER",
          reference="docs/background.md §7.1; paper Appendix C", topic="finite_source", 
          summary="E<beta_t, beta_hat_s> of the min-norm source estimate in the proportional limit "
                  "(unit teachers): min(1, gamma_s) cos(theta).")
def finite_source_overlap():
    limit = rmt.proportional_limit(source_overlap_finite(), n_s, d, gamma_s)   # Min(1, gamma_s) cos
    return sp.Piecewise((rmt.restrict(limit, gamma_s < 1, gamma_s), gamma_s < 1),
                        (rmt.restrict(limit, gamma_s >= 1, gamma_s), True))


def _moment_pieces():
    """``[(E||beta_hat_s||^2, E<beta_t, beta_hat_s>, condition)]`` branch by branch in gamma_s."""
    overlap = expr_of("finite_source_overlap")
    out = []
    for value, cond in expr_of("finite_source_norm_sq").args:
        if cond == (gamma_s < 1):
            ov = overlap.args[0][0]
        elif cond.has(gamma_s):
            ov = overlap.args[1][0]
        else:  # reached at gamma_s = 1 only
            ov = overlap.args[1][0]
        out.append((value, ov, cond))
    return out


@register("finetune_transferability_finite_source", params=("gamma", "theta", "gamma_s", "sigma_s"),
          status="PAPER", reference="docs/background.md §7.2; paper Theorem C.1, eq. (22)", topic="finite_source",
          summary="Fine-tuning transferability with a finite source set (paper variant, c = 1): "
                  "(1 - gamma)_+ [2 E<beta_t, beta_hat_s> - E||beta_hat_s||^2]; -oo for gamma < 1 at "
                  "gamma_s = 1, sigma_s > 0; independent of the target noise.")
def finetune_transferability_finite_source():
    # Conditional on the source data, beta_hat_s is a fixed pretrained vector: finetune_gain with
    # (T1) over the target projector. It is affine in q = ||beta_hat_s||^2 and v = <beta_t, beta_hat_s>,
    # so its expectation over the source data only needs the two moments of §7.1.
    _, beta_t = teachers(r_t=1)
    beta_hat = sp.Matrix(sp.symbols("h1 h2", real=True))
    gain = finetune_gain(beta_hat, beta_t, 1 - gamma)
    q, v = sp.symbols("q v", real=True)
    linear = (1 - gamma) * (2 * v - q)
    assert sp.expand(gain - linear.subs({q: (beta_hat.T * beta_hat)[0], v: (beta_t.T * beta_hat)[0]})) == 0
    pieces = [(0, gamma >= 1)]
    for norm_sq, overlap, cond in _moment_pieces():
        if norm_sq is sp.oo:             # the pretrained vector is pure noise of infinite norm
            pieces.append((-sp.oo, cond))
        else:
            pieces.append((linear.subs({q: norm_sq, v: overlap}), cond))
    return sp.Piecewise(*pieces)


@register("finetune_break_even_theta_finite_source", params=("gamma_s", "sigma_s"), status="PAPER",
          reference="docs/background.md §7.2; paper eq. (23)", topic="finite_source",
          summary="Angle theta* below which fine-tuning from a finite source beats scratch (every "
                  "gamma < 1): cos(theta*) = (1 + sigma_s^2/|1 - gamma_s|)/2; 0 when that exceeds 1 "
                  "(fine-tuning never helps).")
def finetune_break_even_theta_finite_source():
    x = sp.Symbol("x")
    pieces = []
    for norm_sq, overlap, cond in _moment_pieces():
        if norm_sq is sp.oo:
            pieces.append((0, cond))
            continue
        bracket = 2 * overlap - norm_sq                       # T/(1 - gamma)
        (cos_star,) = sp.solve(sp.Eq(bracket.subs(sp.cos(theta), x), 0), x)
        cos_star = sp.apart(sp.cancel(cos_star), gamma_s) if cos_star.has(gamma_s) else cos_star
        if cond == (gamma_s < 1):
            cos_star = _positive_form(cos_star, gamma_s)
        # theta* = arccos(cos_star) when cos_star <= 1; otherwise fine-tuning never helps (theta* = 0).
        if cos_star.is_number:   # gamma_s = 1, sigma_s = 0: arccos(1/2) = pi/3, kept unevaluated (a bare
            # pi does not survive the LaTeX round trip yet; see the note in the module docstring)
            pieces.append((sp.acos(cos_star, evaluate=False), cond))
            continue
        pieces.append((sp.acos(cos_star), cos_at_most_one(cos_star, cond, isolate=sigma_s ** 2)))
    return sp.Piecewise(*pieces)


def cos2_theta_eff():
    """Asymptotic ``cos^2(theta_eff) = E<beta_hat_s, beta_t>^2 / E||beta_hat_s||^2`` (§7.3), as a
    Piecewise in gamma_s; 0 where ``E||beta_hat_s||^2 = +oo`` (the feature is pure noise)."""
    pieces = []
    for norm_sq, overlap, cond in _moment_pieces():
        pieces.append((0 if norm_sq is sp.oo else sp.factor(sp.cancel(overlap ** 2 / norm_sq)), cond))
    return sp.Piecewise(*pieces)


@register("linear_transfer_transferability_finite_source",
          params=("gamma", "theta", "sigma", "gamma_s", "sigma_s"), status="EXT",
          reference="docs/background.md §7.3", topic="finite_source", 
          summary="Linear-transfer transferability with a finite source set: R_sc(gamma, sigma) - "
                  "sin^2(theta_eff), cos^2(theta_eff) = min(1, gamma_s)^2 cos^2(theta)/E||beta_hat_s||^2 "
                  "(unit teachers).")
def linear_transfer_transferability_finite_source():
    from ftheory.params import PARAMS

    scratch = expr_of("scratch_risk").subs(PARAMS["norm_t"].symbol, 1)
    effective = cos2_theta_eff()
    pieces = []
    for risk, cond in scratch.args:
        if risk is sp.oo:               # interpolation peak: +oo whatever the source
            pieces.append((sp.oo, cond))
            continue
        for cos2, cond_s in effective.args:
            # sin^2(theta_eff) = 1 - cos^2(theta_eff) as one factored fraction of non-negative terms (e.g.
            # (sigma_s^2 + (gamma_s - 1) sin^2 theta)/(gamma_s + sigma_s^2 - 1)): 1 - cos2 cancels in float64
            # (3.8e-12 relative measured at gamma = 1e5, theta = 0, gamma_s = 10, sigma_s = 0)
            num, den = sp.fraction(sp.together((1 - cos2).subs(sp.cos(theta) ** 2, 1 - sp.sin(theta) ** 2)))
            num = sp.collect(sp.expand(num), [sp.sin(theta) ** 2], evaluate=False)
            sin2 = sp.Add(*[sp.factor(c) * k for k, c in num.items()]) / sp.factor(den)
            assert sp.simplify(sin2 - (1 - cos2)) == 0
            pieces.append((risk - sin2, sp.And(cond, cond_s)))
    return sp.Piecewise(*pieces)
