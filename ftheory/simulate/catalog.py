"""The simulators that ``ftheory sweep`` and ``ftheory simulate`` can run, by CLI name.

Each entry names a module-level function (so that process pools and Dask workers import it by
name) taking ``instances`` and ``seed`` and returning an MCEstimate or a dict of them.
"""
from __future__ import annotations

import importlib

__all__ = ["SIMULATORS", "simulator"]

SIMULATORS = {
    # name: (module, function, one-line description)
    "scratch": ("ftheory.simulate.linear", "simulate_min_norm_risk",
                "min-norm interpolator risk (n, d, sigma, norm_t)"),
    "ridge": ("ftheory.simulate.linear", "simulate_ridge_risk", "ridge risk (n, d, sigma, lam, norm_t)"),
    "linear-transfer": ("ftheory.simulate.linear", "simulate_linear_transfer_risk",
                        "read-out refit on the pretrained feature (n, d, theta, sigma, lam, norm_s, norm_t, depth)"),
    "scratch-and-transfer": ("ftheory.simulate.linear", "simulate_scratch_and_transfer",
                             "scratch, linear transfer and their difference on shared data"),
    "finite-source": ("ftheory.simulate.linear", "simulate_linear_transfer_finite_source",
                      "linear transfer from a finite noisy source (gamma_s, sigma_s)"),
    "gd-scratch": ("ftheory.simulate.deep_linear", "simulate_deep_scratch",
                   "deep linear network trained by gradient descent from a small initialisation (any depth)"),
    "gd-linear-transfer": ("ftheory.simulate.deep_linear", "simulate_deep_linear_transfer",
                           "deep linear network pretrained by GD, read-out refit on the target"),
    "gd-finetune": ("ftheory.simulate.deep_linear", "simulate_deep_finetune",
                    "deep linear network pretrained by GD, every layer fine-tuned by GD"),
    "gd-transfer": ("ftheory.simulate.deep_linear", "simulate_transfer",
                    "GD scratch, linear transfer and fine-tuning on shared data, with T_lt and T_ft"),
    "relu": ("ftheory.simulate.relu", "simulate_relu",
             "two-layer ReLU networks: scratch, linear transfer (and fine-tuning) at one (n, mu)"),
}


def simulator(name):
    """The function behind a CLI simulator name; ValueError naming the known ones otherwise."""
    if name not in SIMULATORS:
        raise ValueError(f"unknown simulator {name!r}; simulators are {', '.join(SIMULATORS)}")
    module, function, _ = SIMULATORS[name]
    try:
        return getattr(importlib.import_module(module), function)
    except (ImportError, AttributeError):
        raise ValueError(f"simulator {name!r} ({module}.{function}) is not available in this version") from None
