"""Twins of the two-level structured-covariance results (docs/aniso.md, topic ``aniso``).

Each point draws the two-level problem at dimension ``D`` with
:func:`ftheory.simulate.aniso.two_level_pair` (the teachers' directions inside each block are
random; the results depend only on the block energies, so one fixed draw per point is enough) and
simulates x ~ N(0, Sigma) with :mod:`ftheory.simulate.aniso`. Linear transfer is exact at finite n
(no allowance). The scratch and fine-tuning risks are deterministic equivalents: their finite-size
bias was measured at +1.1% +- 0.5% at n = 100 and +0.04% +- 0.4% at n = 200 (1000 instances,
``tests/aniso/test_mc.py``), so they carry an allowance of ``FINITE / n`` (3% of a unit risk at n = 100).
"""
from __future__ import annotations

import math

import ftheory
from ftheory.simulate.gamma import n_from_gamma
from ftheory.twins._core import F, I, Reason, Twin, declare

SIM = "ftheory.simulate.aniso."
D = 300          # dimension of the simulated problems
FINITE = 3.0     # allowance FINITE / n for the deterministic equivalents (see the module docstring)
SIGMA_SIM = 0.3  # label noise where the result does not depend on it
HUGE = 10 ** 7   # sample size at which the exact finite-n probe risk must reach its n -> oo limit

thetas = F(0.0, math.pi / 2)
sigmas = F(0.0, 1.0, zero=True)
fracs = F(0.1, 0.9)
ratios = F(0.1, 10.0)
energies = F(0.0, 1.0, zero=True)
norms = F(0.5, 1.5)
gammas = F(0.2, 3.0)


def _n(gamma):
    """``n = round(gamma D)`` (:func:`ftheory.simulate.gamma.n_from_gamma`, the one conversion)."""
    return n_from_gamma(gamma, D)


def _off_peak(p):
    return abs(p["gamma"] - 1) > 0.3


def _pair(p, energy_s=0.5, norm_s=1.0):
    from ftheory.simulate.aniso import two_level_pair

    return two_level_pair(D, p["frac_a"], p["eig_ratio"], p.get("theta", 0.0), p.get("energy_s", energy_s),
                          p.get("energy_perp", 0.5), norm_s=p.get("norm_s", norm_s), norm_t=p["norm_t"], seed=0)


def _scratch_args(p):
    from ftheory.simulate.aniso import block_teacher

    ev = _pair({**p, "theta": 0.0})[0]
    bt = block_teacher(D, int(round(p["frac_a"] * D)), p["energy_t"], norm=p["norm_t"], seed=0)
    return dict(eigenvalues=ev, beta_t=bt, n=_n(p["gamma"]), sigma=p["sigma"], instances=200)


def _pair_args(p, n, sigma, instances=200):
    ev, bs, bt = _pair(p)
    return dict(eigenvalues=ev, beta_s=bs, beta_t=bt, n=n, sigma=sigma, instances=instances)


def _probe_excess(p, n, sigma):
    """Exact finite-n probe risk minus its n -> oo limit (what the asymptotic T_lt leaves out)."""
    keys = ("theta", "frac_a", "eig_ratio", "energy_perp", "norm_t")
    q = {k: p[k] for k in keys}
    return (float(ftheory.get("aniso2_linear_transfer_risk_finite")(n=n, sigma=sigma, **q))
            - float(ftheory.get("aniso2_linear_transfer_risk")(**q)))


declare(
    Twin("aniso2_linear_transfer_risk_finite", SIM + "simulate_aniso_linear_transfer_risk",
         "||c_hat beta_s - beta_t||_Sigma^2 of the one-coefficient refit, per instance",
         {"n": I(8, 400), "theta": thetas, "sigma": sigmas, "frac_a": fracs, "eig_ratio": ratios,
          "energy_perp": energies, "norm_t": norms},
         args=lambda p: _pair_args(p, p["n"], p["sigma"], instances=400),
         example={"n": 40, "theta": math.pi / 4, "sigma": 0.2, "frac_a": 0.2, "eig_ratio": 4.0,
                  "energy_perp": 0.7, "norm_t": 1.0}),
    Twin("aniso2_linear_transfer_risk", SIM + "simulate_aniso_linear_transfer_risk",
         "probe risk at n = 2 D, compared with the exact finite-n mean; its n -> oo limit is the result",
         {"theta": thetas, "frac_a": fracs, "eig_ratio": ratios, "energy_perp": energies, "norm_t": norms},
         args=lambda p: _pair_args(p, 2 * D, SIGMA_SIM),
         example={"theta": math.pi / 3, "frac_a": 0.3, "eig_ratio": 0.25, "energy_perp": 0.2, "norm_t": 1.0},
         oracle="aniso2_linear_transfer_risk_finite",
         expect=lambda p: ftheory.get("aniso2_linear_transfer_risk_finite")(n=2 * D, sigma=SIGMA_SIM, **p),
         limit=lambda p: ftheory.get("aniso2_linear_transfer_risk_finite")(n=HUGE, sigma=SIGMA_SIM, **p)),
    Twin("aniso2_scratch_risk", SIM + "simulate_aniso_scratch_risk",
         "||X^+ y - beta_t||_Sigma^2 at n = round(gamma D), block teacher",
         {"gamma": gammas, "sigma": sigmas, "frac_a": fracs, "eig_ratio": ratios, "energy_t": energies,
          "norm_t": norms},
         args=_scratch_args, where=_off_peak, finite_size=FINITE, size="n",
         example={"gamma": 0.5, "sigma": 0.2, "frac_a": 0.2, "eig_ratio": 5.0, "energy_t": 0.6, "norm_t": 1.0}),
    Twin("aniso2_finetune_risk", SIM + "simulate_aniso_finetune_linear_risk",
         "||b - beta_t||_Sigma^2 of the interpolator nearest beta_s at n = round(gamma D)",
         {"gamma": gammas, "theta": thetas, "sigma": sigmas, "frac_a": fracs, "eig_ratio": ratios,
          "energy_s": energies, "energy_perp": energies, "norm_s": norms, "norm_t": norms},
         args=lambda p: _pair_args(p, _n(p["gamma"]), p["sigma"]), where=_off_peak, finite_size=FINITE,
         size="n",
         example={"gamma": 0.5, "theta": math.pi / 4, "sigma": 0.2, "frac_a": 0.2, "eig_ratio": 5.0,
                  "energy_s": 0.8, "energy_perp": 0.3, "norm_s": 1.0, "norm_t": 1.0}),
    Twin("aniso2_lt_transferability", SIM + "simulate_aniso_transfer",
         "R_scratch - R_probe on shared draws at n = round(gamma D), plus the probe's exact finite-n excess",
         {"gamma": gammas, "theta": thetas, "sigma": sigmas, "frac_a": fracs, "eig_ratio": ratios,
          "energy_s": energies, "energy_perp": energies, "norm_t": norms},
         args=lambda p: _pair_args(p, _n(p["gamma"]), p["sigma"]), pick=lambda out: out["T_lt"],
         expect=lambda p: float(ftheory.get("aniso2_lt_transferability")(**p))
         - _probe_excess(p, _n(p["gamma"]), p["sigma"]),
         where=_off_peak, finite_size=FINITE, size="n",
         example={"gamma": 0.5, "theta": math.pi / 4, "sigma": 0.2, "frac_a": 0.2, "eig_ratio": 5.0,
                  "energy_s": 0.8, "energy_perp": 0.3, "norm_t": 1.0}),
    Twin("aniso2_ft_transferability", SIM + "simulate_aniso_transfer",
         "R_scratch - R_finetune on shared draws at n = round(gamma D) (sigma = 0.3; the difference is "
         "independent of it)",
         {"gamma": gammas, "theta": thetas, "frac_a": fracs, "eig_ratio": ratios, "energy_s": energies,
          "energy_perp": energies, "norm_s": norms, "norm_t": norms},
         args=lambda p: _pair_args(p, _n(p["gamma"]), SIGMA_SIM), pick=lambda out: out["T_ft"],
         where=_off_peak, finite_size=FINITE, size="n",
         example={"gamma": 0.5, "theta": math.pi / 4, "frac_a": 0.2, "eig_ratio": 5.0, "energy_s": 0.8,
                  "energy_perp": 0.3, "norm_s": 1.0, "norm_t": 1.0}),
    Reason("aniso2_kappa", "a deterministic property of the spectrum (the effective regularisation), not an "
                           "expectation; it agrees with the root that ftheory.aniso.effective_regularisation "
                           "solves numerically (docs/aniso.md §1) to 1e-10 and enters every aniso2 risk that has "
                           "a twin"),
    Reason("aniso2_sigma_cosine", "a deterministic function of Sigma and the teachers (the Sigma-weighted "
                                  "cosine), not an expectation; checked against ftheory.aniso.sigma_cosine"),
)
