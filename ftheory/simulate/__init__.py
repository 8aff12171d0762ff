"""Monte Carlo twins of the closed forms (docs/background.md §1.4, §11.1).

Theory never imports simulate and simulate never imports theory; tests and figures bring them together.
"""
from ftheory.mc.seeds import as_generator, spawn_seeds
from ftheory.mc.estimate import MCEstimate
from ftheory.simulate.sweeps import SweepResult, sweep

__all__ = ["MCEstimate", "SweepResult", "as_generator", "spawn_seeds", "sweep"]
