"""Twins of the linear-regression results: scratch, ridge, linear transfer, pretraining.

Regions keep every sampled quantity's variance finite (so the standard error is a reliable scale):
the min-norm risk needs ``|n - d| >= 4`` (second inverse-Wishart moment), so draws keep
``|n - d| >= 6``; at ``lam = 0`` the read-out risk needs ``n > 4``, so ``n >= 8``.
"""
from __future__ import annotations

import math

import ftheory
from ftheory.simulate.gamma import n_from_gamma
from ftheory.twins._core import F, I, Reason, Twin, declare

LIN = "ftheory.simulate.linear."
D_SC = 60        # dimension for the proportional-limit twins with an exact finite-size oracle
D_RIDGE = 200    # dimension for the ridge twins without one
HUGE = 10 ** 7   # size at which an oracle must agree with its asymptotic result (LIMIT_RTOL)
# linear_transfer_risk_finite with a ridge read-out is a quadrature that float64 evaluates only up to
# n = 1e5 (it refuses beyond); the O(1/n) gap there is far below LIMIT_RTOL
LT_HUGE = 10 ** 5
LT_HUGE_D = LT_HUGE // 3  # so that n = gamma d <= 1e5 for gamma <= 3


def _get(name):
    return ftheory.get(name)


def _n(gamma, d):
    """``n = round(gamma d)`` (:func:`ftheory.simulate.gamma.n_from_gamma`, the one conversion)."""
    return n_from_gamma(gamma, d)


def _far_from_peak(n, d):
    return abs(n - d) >= 6


thetas = F(0.0, math.pi)
sigmas = F(1e-3, 1.5, zero=True)
norms = F(0.3, 2.0)

declare(
    # ---------------------------------------------------------------- scratch
    Twin("scratch_risk_finite", LIN + "simulate_min_norm_risk",
         "||X^+ y - beta_t||^2 per instance", {"n": I(2, 80), "d": I(2, 80), "sigma": sigmas, "norm_t": norms},
         args=lambda p: dict(n=p["n"], d=p["d"], sigma=p["sigma"], norm_t=p["norm_t"], instances=400),
         example={"n": 40, "d": 80, "sigma": 0.2, "norm_t": 1.0},
         where=lambda p: _far_from_peak(p["n"], p["d"])),
    Twin("scratch_risk", LIN + "simulate_min_norm_risk", "||X^+ y - beta_t||^2 per instance at n = round(gamma d)",
         {"gamma": F(0.05, 3.0), "sigma": sigmas, "norm_t": norms},
         args=lambda p: dict(n=_n(p["gamma"], D_SC), d=D_SC, sigma=p["sigma"], norm_t=p["norm_t"], instances=400),
         example={"gamma": 1.5, "sigma": 0.5, "norm_t": 1.0}, oracle="scratch_risk_finite",
         expect=lambda p: _get("scratch_risk_finite")(n=_n(p["gamma"], D_SC), d=D_SC, sigma=p["sigma"],
                                                      norm_t=p["norm_t"]),
         limit=lambda p: _get("scratch_risk_finite")(n=_n(p["gamma"], HUGE), d=HUGE, sigma=p["sigma"],
                                                     norm_t=p["norm_t"]),
         where=lambda p: _far_from_peak(_n(p["gamma"], D_SC), D_SC) and abs(p["gamma"] - 1) > 0.15),
    Reason("scratch_optimal_gamma", "an argmin over gamma of scratch_risk (no random quantity); scratch_risk "
                                    "has a twin"),
    Reason("scratch_risk_minimum", "the minimum over gamma of scratch_risk (no random quantity); scratch_risk "
                                   "has a twin"),
    # ---------------------------------------------------------------- ridge (no exact finite-size oracle:
    # d (E R_d - R_asym) measured <= 0.18 at d = 100..400 in tests/test_ridge_mc.py; allowance 1/d)
    Twin("scratch_ridge_risk", LIN + "simulate_ridge_risk", "||beta_ridge - beta_t||^2 at n = round(gamma d)",
         {"gamma": F(0.2, 2.0), "sigma": F(0.0, 1.0, zero=True), "lam": F(0.05, 1.0), "norm_t": F(0.5, 1.5)},
         args=lambda p: dict(n=_n(p["gamma"], D_RIDGE), d=D_RIDGE, sigma=p["sigma"], lam=p["lam"],
                             norm_t=p["norm_t"], instances=100),
         example={"gamma": 0.5, "sigma": 0.2, "lam": 0.1, "norm_t": 1.0}, finite_size=1.0),
    Twin("scratch_risk_optimal_ridge", LIN + "simulate_ridge_risk",
         "ridge risk at lam = scratch_optimal_ridge(gamma, sigma, norm_t)",
         {"gamma": F(0.2, 2.0), "sigma": F(0.1, 1.0), "norm_t": F(0.5, 1.5)},
         args=lambda p: dict(n=_n(p["gamma"], D_RIDGE), d=D_RIDGE, sigma=p["sigma"], norm_t=p["norm_t"],
                             lam=float(_get("scratch_optimal_ridge")(**p)), instances=100),
         example={"gamma": 1.0, "sigma": 0.2, "norm_t": 1.0}, finite_size=1.0),
    Reason("scratch_optimal_ridge", "an argmin over lam (no random quantity); the twin of "
                                    "scratch_risk_optimal_ridge simulates ridge at this lam"),
    Twin("linear_transfer_transferability_tuned", "ftheory.simulate.paired.simulate_tuned_vs_transfer",
         "R_ridge(lam*) - R_lt per pair of independent instances",
         {"gamma": F(0.2, 2.0), "theta": thetas, "sigma": F(0.1, 1.0), "norm_t": F(0.5, 1.5)},
         args=lambda p: dict(n=_n(p["gamma"], D_RIDGE), d=D_RIDGE, theta=p["theta"], sigma=p["sigma"],
                             norm_t=p["norm_t"], lam=float(_get("scratch_optimal_ridge")(
                                 gamma=p["gamma"], sigma=p["sigma"], norm_t=p["norm_t"])), instances=100),
         example={"gamma": 0.5, "theta": math.pi / 4, "sigma": 0.2, "norm_t": 1.0}, finite_size=1.0,
         oracle="linear_transfer_transferability_tuned (ridge part asymptotic; read-out part exact)",
         expect=lambda p: (_get("linear_transfer_transferability_tuned")(**p)
                           + _get("linear_transfer_risk")(theta=p["theta"], norm_t=p["norm_t"])
                           - _get("linear_transfer_risk_finite")(n=_n(p["gamma"], D_RIDGE), theta=p["theta"],
                                                                 sigma=p["sigma"], norm_t=p["norm_t"])),
         where=lambda p: _n(p["gamma"], D_RIDGE) >= 8),
    Reason("lt_boundary_tuned", "a boundary (zero set of linear_transfer_transferability_tuned in (theta, "
                                "gamma)): no random quantity; the transferability has a twin"),
    # ---------------------------------------------------------------- linear transfer
    Twin("linear_transfer_risk_finite", LIN + "simulate_linear_transfer_risk",
         "||beta_lt - beta_t||^2 of the read-out refit on the pretrained feature",
         {"n": I(8, 120), "theta": thetas, "sigma": sigmas, "lam": F(0.02, 3.0, zero=True), "norm_t": norms,
          "norm_s": F(0.5, 2.0), "depth": I(2, 4)},
         args=lambda p: dict(n=p["n"], d=12, theta=p["theta"], sigma=p["sigma"], lam=p["lam"], norm_t=p["norm_t"],
                             norm_s=p["norm_s"], depth=p["depth"], instances=400),
         example={"n": 10, "theta": math.pi / 4, "sigma": 0.2, "lam": 0.0, "norm_t": 1.0, "norm_s": 1.0,
                  "depth": 2}),
    Twin("linear_transfer_risk", LIN + "simulate_linear_transfer_risk",
         "||beta_lt - beta_t||^2 at n = 400 (any sigma: the limit n -> oo does not depend on it)",
         {"theta": thetas, "lam": F(0.02, 3.0, zero=True), "norm_t": norms, "norm_s": F(0.5, 2.0),
          "depth": I(2, 4)},
         args=lambda p: dict(n=400, d=8, sigma=0.3, **p, instances=400),
         example={"theta": math.pi / 8, "lam": 0.1, "norm_t": 1.0, "norm_s": 1.0, "depth": 2},
         oracle="linear_transfer_risk_finite",
         expect=lambda p: _get("linear_transfer_risk_finite")(n=400, sigma=0.3, **p),
         limit=lambda p: _get("linear_transfer_risk_finite")(n=LT_HUGE, sigma=0.3, **p)),
    Twin("linear_transfer_risk_rank_k", LIN + "simulate_rank_k_risk",
         "||beta - beta_t||^2 of least squares (min-norm for n < k) on X U, U a k-frame",
         {"n": I(1, 60), "k": I(1, 10), "residual": F(0.0, 1.0), "sigma": sigmas},
         args=lambda p: dict(n=p["n"], d=40, k=p["k"], residual=p["residual"], sigma=p["sigma"], instances=400),
         example={"n": 40, "k": 10, "residual": 0.3, "sigma": 0.2},
         where=lambda p: abs(p["n"] - p["k"]) >= 6),
    Twin("linear_transfer_transferability_finite", LIN + "simulate_scratch_and_transfer",
         "R_sc - R_lt on the same data (min-norm scratch, least-squares read-out)",
         {"n": I(8, 80), "d": I(2, 80), "theta": thetas, "sigma": sigmas, "norm_t": norms},
         args=lambda p: dict(**p, instances=400), pick=lambda out: out["transferability"],
         example={"n": 30, "d": 60, "theta": math.pi / 4, "sigma": 0.2, "norm_t": 1.0},
         where=lambda p: _far_from_peak(p["n"], p["d"])),
    Twin("linear_transfer_transferability", LIN + "simulate_scratch_and_transfer",
         "R_sc - R_lt on the same data at n = round(gamma d), d = 60 (ridge read-out for lam > 0)",
         {"gamma": F(0.15, 3.0), "theta": thetas, "sigma": sigmas, "lam": F(0.02, 2.0, zero=True), "norm_t": norms,
          "norm_s": F(0.5, 2.0), "depth": I(2, 4)},
         args=lambda p: dict(n=_n(p["gamma"], D_SC), d=D_SC, **{k: v for k, v in p.items() if k != "gamma"},
                             instances=400),
         pick=lambda out: out["transferability"], example={"gamma": 0.25, "theta": math.pi / 4, "sigma": 0.2,
                                                            "lam": 0.0, "norm_t": 1.0, "norm_s": 1.0, "depth": 2},
         oracle="scratch_risk_finite - linear_transfer_risk_finite",
         expect=lambda p: _lt_exact(p, D_SC), limit=lambda p: _lt_exact(p, LT_HUGE_D),
         where=lambda p: _far_from_peak(_n(p["gamma"], D_SC), D_SC) and abs(p["gamma"] - 1) > 0.15),
    Reason("lt_boundary_lower", "a boundary (zero set of linear_transfer_transferability): no random quantity"),
    Reason("lt_boundary_upper", "a boundary (zero set of linear_transfer_transferability): no random quantity"),
    Reason("lt_boundary_over", "a boundary (zero set of linear_transfer_transferability): no random quantity"),
    Reason("lt_boundary_noiseless", "a boundary (zero set of linear_transfer_transferability at sigma = 0)"),
    Reason("lt_theta_min", "the smallest angle of the lt boundary lobe (an extremum, no random quantity)"),
    # ---------------------------------------------------------------- pretraining
    Twin("pretrained_feature_norm", "ftheory.simulate.paired.pretrained_feature_norms",
         "largest singular value of Phi = W_1...W_{L-1} after pretraining by GD from a small initialisation",
         {"norm_s": F(0.3, 3.0), "depth": I(2, 3)},
         args=lambda p: dict(d=8, norm_s=p["norm_s"], depth=p["depth"], instances=2),
         pick=lambda out: out.mean if out.all_converged else float("nan"),
         example={"norm_s": 2.0, "depth": 3}, rtol=1e-3,
         note="deterministic up to the initialisation scale alpha (1e-5 at depth 2, 1e-2 deeper): the "
              "pretrained state is balanced to O(alpha^2), measured relative error <= 1e-4 at depth 3"),
    Reason("lt_effective_ridge", "a reparametrisation of the read-out penalty, not an expectation; it enters "
                                 "linear_transfer_risk_finite, whose twin varies lam, norm_s and depth"),
)


def _lt_exact(p, d):
    """E[R_sc - R_lt] at finite d: scratch_risk_finite - linear_transfer_risk_finite (same data)."""
    n = _n(p["gamma"], d)
    rest = {k: v for k, v in p.items() if k not in ("gamma", "norm_t")}
    return (_get("scratch_risk_finite")(n=n, d=d, sigma=p["sigma"], norm_t=p["norm_t"])
            - _get("linear_transfer_risk_finite")(n=n, norm_t=p["norm_t"], **rest))
