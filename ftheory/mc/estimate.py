"""The value a Monte Carlo simulator returns: a mean with its standard error and the raw samples."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class MCEstimate:
    """Monte Carlo estimate of an expectation over independent instances.

    Attributes
    ----------
    samples : numpy.ndarray
        One value per independent instance (shape ``(instances,)``).
    converged : numpy.ndarray of bool
        Per instance, whether the training that produced it met its convergence criterion
        (all True for closed-form estimators).
    info : dict
        Extra per-run information (steps, final losses, parameters).
    """

    samples: np.ndarray
    converged: np.ndarray | None = None
    info: dict = field(default_factory=dict)

    def __post_init__(self):
        s = np.asarray(self.samples, dtype=float).ravel()
        object.__setattr__(self, "samples", s)
        c = np.ones(s.shape, bool) if self.converged is None else np.asarray(self.converged, bool).ravel()
        if c.shape != s.shape:
            raise ValueError(f"converged has shape {c.shape}, samples {s.shape}")
        object.__setattr__(self, "converged", c)

    @property
    def instances(self) -> int:
        """Number of independent instances (samples)."""
        return int(self.samples.size)

    @property
    def mean(self) -> float:
        """Sample mean."""
        return float(np.mean(self.samples))

    @property
    def std(self) -> float:
        """Sample standard deviation (``ddof=1``; NaN for one instance)."""
        return float(np.std(self.samples, ddof=1)) if self.instances > 1 else math.nan

    @property
    def sem(self) -> float:
        """Standard error of the mean, ``std / sqrt(instances)``."""
        return self.std / math.sqrt(self.instances) if self.instances > 1 else math.nan

    @property
    def all_converged(self) -> bool:
        """Whether every instance converged."""
        return bool(np.all(self.converged))

    def zscore(self, expected: float) -> float:
        """``(mean - expected) / sem``: how many standard errors the estimate is from ``expected``."""
        return (self.mean - expected) / self.sem

    def as_dict(self) -> dict:
        """Plain-data summary: mean, sem, std, instances, converged count and scalar info."""
        return {"mean": self.mean, "sem": self.sem, "std": self.std, "instances": self.instances,
                "converged": int(self.converged.sum()), **{k: v for k, v in self.info.items()
                                                           if isinstance(v, (int, float, str, bool))}}

    def __repr__(self):
        conv = "" if self.all_converged else f", converged {int(self.converged.sum())}/{self.instances}"
        return f"MCEstimate(mean={self.mean:.6g}, sem={self.sem:.3g}, instances={self.instances}{conv})"
