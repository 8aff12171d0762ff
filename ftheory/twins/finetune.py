"""Twins of fine-tuning and finite-source transfer (docs/background.md §6, §7).

Fine-tuning has one exact finite-size result (``finetune_transferability_finite``, sigma = 0), checked
end to end by gradient descent. The gradient-flow results have no exact finite-size oracle: they are
compared with :func:`~ftheory.simulate.paired.simulate_finetune_models` (the per-instance model
vectors, no training) with the finite-size allowance ``1/d`` on top of the standard error - the
measured finite-size gap ``d |E_d - asymptote|`` is at most 0.57 (tests/test_finetune_mc.py, depth
2 and 3, d = 40..160). Gradient descent itself is compared with the same model instance by
instance in tests/test_finetune_mc.py and tests/test_figures_data.py.
"""
from __future__ import annotations

import math

import ftheory
from ftheory.simulate.gamma import n_from_gamma
from ftheory.twins._core import F, I, Reason, Twin, declare

PAIRED = "ftheory.simulate.paired."
D_FT = 60
D_FS = 100


def _n(gamma, d):
    """``n = round(gamma d)`` (:func:`ftheory.simulate.gamma.n_from_gamma`, the one conversion)."""
    return n_from_gamma(gamma, d)


def _n_s(gamma_s, d):
    """``n_s = round(gamma_s d)`` (:func:`ftheory.simulate.gamma.n_from_gamma`), as the finite-source simulators."""
    return n_from_gamma(gamma_s, d, name="gamma_s", count="n_s")


def _model(p, d, **extra):
    return dict(n=_n(p["gamma"], d), d=d, theta=p.get("theta", 0.0), sigma=p.get("sigma", 0.0),
                depth=p.get("depth", 2), instances=400, **extra)


def _source(p):
    return dict(gamma_s=p["gamma_s"], sigma_s=p["sigma_s"])


def _gamma_s_ok(p):  # n_s = round(gamma_s d) away from d: E||beta_hat_s||^2 finite with finite variance
    return abs(_n_s(p["gamma_s"], D_FS) - D_FS) >= 10


gammas = F(0.05, 0.85)
thetas = F(0.0, math.pi)

declare(
    Twin("finetune_transferability_finite", "ftheory.simulate.deep_linear.simulate_transfer",
         "R_sc - R_ft per instance, depth-2 networks trained by GD (sigma = 0, where the formula is exact)",
         {"n": I(6, 30), "d": I(30, 40), "theta": F(0.0, math.pi / 2), "norm_s": F(1.0, 1.0), "norm_t": F(1.0, 1.0)},
         args=lambda p: dict(n=p["n"], d=p["d"], theta=p["theta"], sigma=0.0, instances=30),
         pick=lambda out: out["T_ft"], example={"n": 20, "d": 40, "theta": math.pi / 6, "norm_s": 1.0,
                                                   "norm_t": 1.0},
         where=lambda p: p["d"] - p["n"] >= 6, slow=True,
         note="unit norms: with |beta_s| != |beta_t| gradient flow rescales the frozen part even at sigma = 0"),
    Twin("finetune_transferability", PAIRED + "simulate_finetune_models",
         "R_sc - R_paper per instance, beta_paper = X^+ y + (I - P) beta_s (sigma = 0)",
         {"gamma": F(0.05, 0.9), "theta": thetas, "norm_s": F(0.3, 2.0), "norm_t": F(1.0, 1.0)},
         args=lambda p: _model(p, D_FT, norm_s=p["norm_s"]), pick=lambda out: out["T_paper"],
         example={"gamma": 0.5, "theta": math.pi / 4, "norm_s": 1.0, "norm_t": 1.0},
         oracle="finetune_transferability_finite", expect=lambda p: ftheory.get("finetune_transferability_finite")(
             n=_n(p["gamma"], D_FT), d=D_FT, theta=p["theta"], norm_s=p["norm_s"]),
         limit=lambda p: ftheory.get("finetune_transferability_finite")(
             n=_n(p["gamma"], 10 ** 7), d=10 ** 7, theta=p["theta"], norm_s=p["norm_s"]),
         where=lambda p: _n(p["gamma"], D_FT) < D_FT),
    Twin("finetune_transferability_gf", PAIRED + "simulate_finetune_models",
         "R_sc - R_gf per instance, beta_gf = X^+ y + c (I - P) beta_s, c the per-instance root",
         {"gamma": gammas, "theta": thetas, "sigma": F(0.0, 1.0, zero=True), "depth": I(2, 3),
          "norm_s": F(1.0, 1.0), "norm_t": F(1.0, 1.0)},
         args=lambda p: _model(p, D_FT), pick=lambda out: out["T_gf"], finite_size=1.0,
         example={"gamma": 0.5, "theta": math.pi / 6, "sigma": 1.0, "depth": 2, "norm_s": 1.0, "norm_t": 1.0}),
    Twin("finetune_scale", PAIRED + "simulate_finetune_models", "per-instance gradient-flow root c",
         {"gamma": gammas, "sigma": F(0.0, 1.0, zero=True), "depth": I(2, 3), "norm_s": F(0.3, 2.0),
          "norm_t": F(1.0, 1.0)},
         args=lambda p: _model(p, D_FT, norm_s=p["norm_s"]), pick=lambda out: out["c"], finite_size=1.0,
         example={"gamma": 0.5, "sigma": 0.0, "depth": 2, "norm_s": 0.4, "norm_t": 1.0}),
    Reason("finetune_break_even_theta", "a boundary (zero of finetune_transferability in theta): no random "
                                        "quantity; the transferability has a twin"),
    Reason("finetune_break_even_theta_gf", "a boundary (zero of finetune_transferability_gf in theta)"),
    # ---------------------------------------------------------------- finite source
    Twin("finetune_transferability_finite_source", PAIRED + "simulate_finetune_models",
         "R_sc - R_paper per instance with beta_pre = X_s^+ y_s (sigma = 0)",
         {"gamma": gammas, "theta": thetas, "gamma_s": F(0.2, 2.0), "sigma_s": F(0.0, 0.5, zero=True)},
         args=lambda p: _model(p, D_FS, **_source(p)), pick=lambda out: out["T_paper"], finite_size=1.0,
         example={"gamma": 0.3, "theta": math.pi / 8, "gamma_s": 0.5, "sigma_s": 0.2}, where=_gamma_s_ok,
         note="linear in the two source moments, so the finite-size gap is that of E||beta_hat_s||^2: O(1/d)"),
    Twin("finetune_transferability_gf_finite_source", PAIRED + "simulate_finetune_models",
         "R_sc - R_gf per instance with beta_pre = X_s^+ y_s",
         {"gamma": gammas, "theta": thetas, "sigma": F(0.0, 0.5, zero=True), "gamma_s": F(0.2, 2.0),
          "sigma_s": F(0.0, 0.5, zero=True), "depth": I(2, 3)},
         args=lambda p: _model(p, D_FS, **_source(p)), pick=lambda out: out["T_gf"], finite_size=1.0,
         example={"gamma": 0.3, "theta": math.pi / 8, "sigma": 0.2, "gamma_s": 0.5, "sigma_s": 0.2, "depth": 2},
         where=_gamma_s_ok),
    Twin("finetune_scale_finite_source", PAIRED + "simulate_finetune_models",
         "per-instance gradient-flow root c with beta_pre = X_s^+ y_s",
         {"gamma": gammas, "sigma": F(0.0, 0.5, zero=True), "gamma_s": F(0.2, 2.0), "sigma_s": F(0.0, 0.5, zero=True),
          "depth": I(2, 3)},
         args=lambda p: _model(p, D_FS, **_source(p)), pick=lambda out: out["c"], finite_size=1.0,
         example={"gamma": 0.3, "sigma": 0.2, "gamma_s": 1.5, "sigma_s": 0.2, "depth": 2}, where=_gamma_s_ok),
    Reason("finetune_break_even_theta_finite_source", "a boundary (zero of finetune_transferability_finite_source"
                                                      " in theta): no random quantity"),
    Reason("finetune_break_even_theta_gf_finite_source", "a boundary (zero of "
                                                         "finetune_transferability_gf_finite_source in theta)"),
    Twin("finite_source_norm_sq", "ftheory.simulate.linear.simulate_linear_transfer_finite_source",
         "||X_s^+ y_s||^2 per instance (n_s = round(gamma_s d))",
         {"gamma_s": F(0.2, 2.0), "sigma_s": F(0.0, 0.5, zero=True)},
         args=lambda p: dict(n=10, d=D_FS, theta=0.5, sigma=0.0, **p, instances=300),
         pick=lambda out: _samples(out, "source_norm_sq_samples"), example={"gamma_s": 0.5, "sigma_s": 0.2},
         oracle="E||beta_hat_s||^2 exact at finite n_s, d (ftheory.theory.finite_source.source_norm_sq_finite)",
         expect=lambda p: _finite_moment("norm", p), limit=lambda p: _finite_moment("norm", p, 10 ** 7),
         where=_gamma_s_ok),
    Twin("finite_source_overlap", "ftheory.simulate.linear.simulate_linear_transfer_finite_source",
         "<beta_t, X_s^+ y_s> per instance (n_s = round(gamma_s d))",
         {"theta": thetas, "gamma_s": F(0.2, 2.0)},
         args=lambda p: dict(n=10, d=D_FS, sigma=0.0, sigma_s=0.3, **p, instances=300),
         pick=lambda out: _samples(out, "source_overlap_samples"), example={"theta": 0.3, "gamma_s": 0.5},
         oracle="finite_source_overlap at gamma_s = n_s/d (exact at finite size)",
         expect=lambda p: ftheory.get("finite_source_overlap")(theta=p["theta"],
                                                               gamma_s=_n_s(p["gamma_s"], D_FS) / D_FS),
         where=_gamma_s_ok),
    Twin("finite_source_effective_angle", "ftheory.simulate.linear.simulate_linear_transfer_finite_source",
         "cos(theta_eff) = <beta_t, beta_hat_s>/||beta_hat_s|| per instance, compared with cos(result)",
         {"theta": thetas, "gamma_s": F(0.2, 2.0), "sigma_s": F(0.0, 0.5, zero=True)},
         args=lambda p: dict(n=10, d=D_FS, sigma=0.0, **p, instances=300),
         pick=lambda out: _cos_eff(out), example={"theta": math.pi / 4, "gamma_s": 0.5, "sigma_s": 0.2},
         oracle="cos(finite_source_effective_angle)", finite_size=1.0,
         expect=lambda p: math.cos(float(ftheory.get("finite_source_effective_angle")(**p))), where=_gamma_s_ok,
         note="a ratio of concentrating moments: its mean has an O(1/d) finite-size bias"),
    Twin("linear_transfer_transferability_finite_source", PAIRED + "simulate_lt_finite_source_paired",
         "R_sc - R_lt per instance, read-out refit on the feature X_s^+ y_s",
         {"gamma": F(0.1, 3.0), "theta": thetas, "sigma": F(0.0, 0.5, zero=True), "gamma_s": F(0.2, 2.0),
          "sigma_s": F(0.0, 0.5, zero=True)},
         args=lambda p: dict(n=_n(p["gamma"], D_FS), d=D_FS, **{k: v for k, v in p.items() if k != "gamma"},
                             instances=300),
         pick=lambda out: out["T_lt"], finite_size=1.0,
         example={"gamma": 0.5, "theta": math.pi / 4, "sigma": 0.2, "gamma_s": 0.5, "sigma_s": 0.2},
         oracle="scratch_risk_finite - [s2 + (sigma^2 + s2)/(n - 2)], s2 = 1 - cos^2(theta_eff) asymptotic",
         expect=lambda p: _lt_fs(p), where=lambda p: _gamma_s_ok(p) and abs(_n(p["gamma"], D_FS) - D_FS) >= 10
         and _n(p["gamma"], D_FS) >= 8,
         note="exact in n given the source; the source enters through sin^2(theta_eff), whose finite-size "
              "gap is O(1/d) (measured d |gap| <= 0.3, tests/test_finite_source_mc.py)"),
)


def _samples(out, key):
    from ftheory.mc.estimate import MCEstimate

    return MCEstimate(out.info[key])


def _cos_eff(out):
    import numpy as np

    from ftheory.mc.estimate import MCEstimate

    return MCEstimate(out.info["source_overlap_samples"] / np.sqrt(out.info["source_norm_sq_samples"]))


def _finite_moment(which, p, d=D_FS):
    """Exact finite-size source moment of §7.2 [EXT] (SymPy, substituted)."""
    import sympy as sp

    from ftheory.params import PARAMS
    from ftheory.theory.finite_source import n_s, source_norm_sq_finite

    sym = {n_s: _n_s(p["gamma_s"], d), PARAMS["d"].symbol: d,
           PARAMS["sigma_s"].symbol: sp.Rational(p["sigma_s"])}
    return float(source_norm_sq_finite().subs(sym))


def _lt_fs(p):
    n = _n(p["gamma"], D_FS)
    g_s = p["gamma_s"]
    s2 = 1 - float(ftheory.get("finite_source_overlap")(theta=p["theta"], gamma_s=g_s)) ** 2 / float(
        ftheory.get("finite_source_norm_sq")(gamma_s=g_s, sigma_s=p["sigma_s"]))
    return (float(ftheory.get("scratch_risk_finite")(n=n, d=D_FS, sigma=p["sigma"]))
            - (s2 + (p["sigma"] ** 2 + s2) / (n - 2)))
