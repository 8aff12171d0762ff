"""``ftheory validate``: a fixed, fast set of theory-versus-simulation checks.

Each :class:`Check` evaluates a registered closed form at the *exact finite-size* expectation
where THEORY.md gives one, runs the Monte Carlo twin on the same parameters, and reports the
z-score ``(simulation - theory) / standard error``. A check passes when ``|z| < Z_MAX`` (5
standard errors, the suite's tolerance) and every simulated instance converged.

This module brings theory and simulation together (like the tests and figures do); neither
``ftheory.theory`` nor ``ftheory.simulate`` imports the other.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

import ftheory

Z_MAX = 5.0


@dataclass(frozen=True)
class Check:
    """One comparison: ``result(**theory_params)`` against ``simulate()``'s MCEstimate."""

    result: str
    theory_params: dict
    simulate: Callable
    label: str
    simulator: str


@dataclass(frozen=True)
class Outcome:
    check: Check
    theory: float
    mean: float
    sem: float
    converged: int
    instances: int

    @property
    def z(self) -> float:
        if self.sem == 0:
            return 0.0 if math.isclose(self.mean, self.theory, rel_tol=1e-9, abs_tol=1e-20) else math.inf
        return (self.mean - self.theory) / self.sem

    @property
    def passed(self) -> bool:
        return abs(self.z) < Z_MAX and self.converged == self.instances

    def as_dict(self) -> dict:
        return {"result": self.check.result, "label": self.check.label, "simulator": self.check.simulator,
                "params": self.check.theory_params, "theory": self.theory, "simulation": self.mean,
                "sem": self.sem, "z": self.z, "converged": self.converged, "instances": self.instances,
                "passed": self.passed}


def _min_norm(n, d, sigma, instances, seed):
    from ftheory.simulate.linear import simulate_min_norm_risk

    return lambda: simulate_min_norm_risk(n, d, sigma, instances=instances, seed=seed)


def _deep(procedure, n, d, theta, sigma, instances, seed, key=None, **kw):
    def run():
        from ftheory.simulate.deep_linear import simulate_deep_linear, simulate_transfer

        if key is None:
            return simulate_deep_linear(procedure, n, d, theta, sigma, instances=instances, seed=seed, **kw)
        return simulate_transfer(n, d, theta, sigma, instances=instances, seed=seed, **kw)[key]
    return run


def _linear(function, key=None, **kw):
    def run():
        from ftheory.simulate import linear

        out = getattr(linear, function)(**kw)
        return out if key is None else out[key]
    return run


def default_checks(seed: int = 0) -> list:
    """The checks ``ftheory validate`` runs (each a few seconds at most)."""
    q = math.pi / 4
    checks = [
        Check("scratch_risk_finite", {"n": 40, "d": 80, "sigma": 0.2}, _min_norm(40, 80, 0.2, 2000, seed),
              "min-norm, under-parameterised", "simulate_min_norm_risk"),
        Check("scratch_risk_finite", {"n": 120, "d": 80, "sigma": 0.5}, _min_norm(120, 80, 0.5, 2000, seed + 1),
              "min-norm, over-parameterised", "simulate_min_norm_risk"),
        Check("scratch_risk_finite", {"n": 20, "d": 40, "sigma": 0.2},
              _deep("sc", 20, 40, 0.0, 0.2, 100, seed + 2),
              "deep linear L=2 trained by GD from alpha=1e-5 (Theorem 3.5)", "simulate_deep_linear"),
    ]
    registered = {r.name for r in ftheory.results()}
    if "linear_transfer_risk_finite" in registered:
        checks += [
            Check("linear_transfer_risk_finite", {"n": 10, "theta": q, "sigma": 0.2},
                  _linear("simulate_linear_transfer_risk", n=10, d=60, theta=q, sigma=0.2, instances=20000,
                          seed=seed + 3), "read-out refit, worked example 9", "simulate_linear_transfer_risk"),
            Check("linear_transfer_risk_finite", {"n": 12, "theta": q, "sigma": 0.2, "lam": 0.1},
                  _linear("simulate_linear_transfer_risk", n=12, d=60, theta=q, sigma=0.2, lam=0.1,
                          instances=20000, seed=seed + 4), "ridge read-out (chi-square quadrature)",
                  "simulate_linear_transfer_risk"),
            Check("linear_transfer_risk_finite", {"n": 25, "theta": q, "sigma": 0.2},
                  _deep("lt", 25, 50, q, 0.2, 100, seed + 5),
                  "deep linear: pretrained by GD, read-out refit", "simulate_deep_linear"),
        ]
    if "linear_transfer_transferability_finite" in registered:
        checks.append(Check("linear_transfer_transferability_finite", {"n": 30, "d": 60, "theta": q, "sigma": 0.2},
                            _linear("simulate_scratch_and_transfer", key="transferability", n=30, d=60, theta=q,
                                    sigma=0.2, instances=4000, seed=seed + 6),
                            "T_lt on shared data", "simulate_scratch_and_transfer"))
    if "finetune_transferability_finite" in registered:
        checks.append(Check("finetune_transferability_finite", {"n": 30, "d": 60, "theta": q},
                            _deep(None, 30, 60, q, 0.0, 60, seed + 7, key="T_ft"),
                            "fine-tuning by GD, noiseless (paper formula exact)", "simulate_transfer"))
    return checks


def run_checks(checks, progress=None) -> list:
    """Run each check and return its :class:`Outcome` (in order)."""
    outcomes = []
    for check in checks:
        if progress:
            progress(check)
        theory = float(ftheory.get(check.result)(**check.theory_params))
        est = check.simulate()
        outcomes.append(Outcome(check, theory, est.mean, est.sem, int(np.sum(est.converged)), est.instances))
    return outcomes


def format_table(outcomes) -> str:
    """Aligned text table: every column is as wide as its widest entry (long parameter lists included)."""
    rows = []
    for o in outcomes:
        params = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                           for k, v in o.check.theory_params.items())
        rows.append([o.check.result, params, f"{o.theory:.5f}", f"{o.mean:.5f}", f"{o.sem:.2g}", f"{o.z:.2f}",
                     f"{o.converged}/{o.instances}", "yes" if o.passed else "NO"])
    names = ["result", "parameters", "theory", "simulation", "sem", "z", "conv", "ok"]
    right = [False, False, True, True, True, True, True, False]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]

    def line(cells):
        return "  ".join(c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right)).rstrip()

    head = line(names)
    lines = [head, "-" * len(head)]
    for o, cells in zip(outcomes, rows):
        lines.append(line(cells))
        lines.append(f"    {o.check.label} [{o.check.simulator}]")
    failed = sum(not o.passed for o in outcomes)
    lines.append(f"{len(outcomes) - failed} passed, {failed} failed")
    return "\n".join(lines)
