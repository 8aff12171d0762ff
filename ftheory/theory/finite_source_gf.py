"""Gradient-flow fine-tuning from a finite source set (docs/background.md §6.4 with §7.2 [EXT]).

With a finite source set the pretrained vector is ``beta_hat_s = X_s^+ y_s``, independent of the
target data, so the gradient-flow results of §6.4 apply with ``||beta_s|| -> r`` and the angle
``theta -> theta_eff``: ``r^2 = E||beta_hat_s||^2`` (``finite_source_norm_sq``) and ``r cos(theta_eff) =
E<beta_t, beta_hat_s> = min(1, gamma_s) cos(theta)`` (``finite_source_overlap``), both concentrating
in the proportional limit. Unlike the infinite-source case the scale ``c`` is far from 1 even at
small gamma (``r != 1``). Where ``E||beta_hat_s||^2 = +oo`` (``gamma_s = 1``, ``sigma_s > 0``) the
feature is pure noise: ``c r -> oo`` and the transferability is ``-oo`` for ``gamma < 1``.
Unit teachers, as in §7.
"""
import sympy as sp

from ftheory.result import expr_of, register
from ftheory.theory._symbols import depth, gamma, norm_s, norm_t, theta
from ftheory.theory.finite_source import _moment_pieces



def _compose(name, infinite):
    """``name`` (a §6.4 result) at ``norm_s = r``, ``cos(theta) -> cos(theta_eff)``, unit target, per piece."""
    expr = expr_of(name).subs(norm_t, 1)
    pieces = []
    for norm_sq, overlap, cond in _moment_pieces():
        if norm_sq is sp.oo:
            value = infinite
        else:
            r = sp.sqrt(norm_sq)
            value = expr.subs(theta, sp.acos(overlap / r)).subs(norm_s, r)
        # one flat Piecewise (conditions joined), as the LaTeX round trip and the printers expect
        folded = sp.piecewise_fold(value)
        for v, c in (folded.args if isinstance(folded, sp.Piecewise) else ((folded, sp.true),)):
            pieces.append((v, sp.And(cond, c)))
    return sp.Piecewise(*pieces)


@register("finetune_transferability_gf_finite_source",
          params=("gamma", "theta", "sigma", "gamma_s", "sigma_s", "depth"), status="EXT",
          reference="docs/background.md §6.4, §7.2", topic="finite_source", 
          summary="Gradient-flow fine-tuning transferability from the min-norm source estimate: "
                  "finetune_transferability_gf at norm_s = r, cos(theta) -> min(1, gamma_s) cos(theta)/r, "
                  "r^2 = E||beta_hat_s||^2 (unit teachers).")
def finetune_transferability_gf_finite_source():
    return _compose("finetune_transferability_gf", sp.Piecewise((-sp.oo, gamma < 1), (0, True)))


@register("finetune_scale_finite_source", params=("gamma", "sigma", "gamma_s", "sigma_s", "depth"), status="EXT",
          reference="docs/background.md §6.4, §7.2", topic="finite_source", 
          summary="Gradient-flow scale c of the frozen null-space part when fine-tuning from the min-norm "
                  "source estimate: finetune_scale at norm_s = r, r^2 = E||beta_hat_s||^2 (unit teachers).")
def finetune_scale_finite_source():
    return _compose("finetune_scale", sp.Piecewise(((1 - gamma) ** ((depth - 1) / 2), gamma < 1), (0, True)))


@register("finetune_break_even_theta_gf_finite_source", params=("gamma", "sigma", "gamma_s", "sigma_s", "depth"),
          status="EXT", reference="docs/background.md §6.4, §7.2", topic="finite_source",
          summary="Angle below which gradient-flow fine-tuning from the min-norm source estimate beats "
                  "scratch (gamma < 1): cos(theta*) = c r^2/(2 min(1, gamma_s)); 0 when that exceeds 1.")
def finetune_break_even_theta_gf_finite_source():
    scale = expr_of("finetune_scale").subs(norm_t, 1)
    pieces = []
    for norm_sq, overlap, cond in _moment_pieces():
        if norm_sq is sp.oo:
            pieces.append((0, cond))
            continue
        m = sp.simplify(overlap / sp.cos(theta))
        for c_value, c_cond in sp.piecewise_fold(scale.subs(norm_s, sp.sqrt(norm_sq))).args:
            pieces.append((sp.acos(sp.Min(1, c_value * norm_sq / (2 * m))), sp.And(cond, c_cond)))
    return sp.Piecewise(*pieces)


@register("finite_source_effective_angle", params=("theta", "gamma_s", "sigma_s"), status="EXT",
          reference="docs/background.md §7.3", topic="finite_source",
          summary="Effective angle between beta_t and the min-norm source estimate in the proportional "
                  "limit: cos(theta_eff) = min(1, gamma_s) cos(theta)/sqrt(E||beta_hat_s||^2); pi/2 where "
                  "E||beta_hat_s||^2 = +oo (unit teachers).")
def finite_source_effective_angle():
    pieces = []
    for norm_sq, overlap, cond in _moment_pieces():
        pieces.append((sp.pi / 2 if norm_sq is sp.oo else sp.acos(overlap / sp.sqrt(norm_sq)), cond))
    return sp.Piecewise(*pieces)
