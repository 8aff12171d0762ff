"""Twins of the task-similarity results (docs/background.md §9) and reasons for the bounds."""
from __future__ import annotations

import math

from ftheory.twins._core import F, Reason, Twin, declare

KL = "ftheory.simulate.tasks.sample_kl_divergence"
thetas = F(0.0, math.pi)
noise = F(0.2, 1.5)
norms = F(0.3, 2.0)

declare(
    Twin("kl_source_target", KL, "log p_s(x, y) - log p_t(x, y), (x, y) ~ p_s",
         {"theta": thetas, "sigma": noise, "sigma_s": noise, "norm_s": norms, "norm_t": norms},
         args=lambda p: dict(theta=p["theta"], sigma_p=p["sigma_s"], sigma_q=p["sigma"], norm_p=p["norm_s"],
                             norm_q=p["norm_t"], size=20000),
         example={"theta": math.pi / 4, "sigma": 0.5, "sigma_s": 0.3, "norm_s": 1.0, "norm_t": 1.0}),
    Twin("kl_target_source", KL, "log p_t(x, y) - log p_s(x, y), (x, y) ~ p_t",
         {"theta": thetas, "sigma": noise, "sigma_s": noise, "norm_s": norms, "norm_t": norms},
         args=lambda p: dict(theta=p["theta"], sigma_p=p["sigma"], sigma_q=p["sigma_s"], norm_p=p["norm_t"],
                             norm_q=p["norm_s"], size=20000),
         example={"theta": math.pi / 4, "sigma": 0.5, "sigma_s": 0.3, "norm_s": 1.0, "norm_t": 1.0}),
    Twin("kl_divergence_task", KL, "log p_s(x, y) - log p_t(x, y) at equal noise, (x, y) ~ p_s",
         {"theta": thetas, "sigma": noise, "norm_s": norms, "norm_t": norms},
         args=lambda p: dict(theta=p["theta"], sigma_p=p["sigma"], sigma_q=p["sigma"], norm_p=p["norm_s"],
                             norm_q=p["norm_t"], size=20000),
         example={"theta": math.pi / 4, "sigma": 0.5, "norm_s": 1.0, "norm_t": 1.0}),
    Reason("wasserstein2_task", "a distance with no unbiased estimator: the empirical W2 between samples in "
                                "R^(d+1) is biased by O(size^(-1/(d+1))); the closed form is the Gaussian "
                                "(Bures) formula, checked against its mpmath evaluation and limits"),
    Reason("wasserstein1_upper_bound", "a bound (W1 <= the mean cost E|(beta_s - beta_t).x + (sigma_s - sigma) "
                                       "e| of the coupling with the same x and noise, docs/background.md §9.4), "
                                       "not an expectation of a W1 estimate"),
    Reason("wasserstein1_lower_bound", "a bound (W1 >= Lipschitz test functions), not an expectation"),
    Reason("dudley_lower_bound_cosine", "a bound (Dudley >= |E_s cos y - E_t cos y|/2), not an expectation"),
)
