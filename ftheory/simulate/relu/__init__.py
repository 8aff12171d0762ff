"""Two-layer ReLU networks in the mean-field parametrisation: pretraining, scratch training, linear
transfer and fine-tuning by full-batch gradient descent, with exact kernel risks (docs/background.md §10).

One job per module:

* :mod:`~ftheory.simulate.relu.spec` - the settings, declared once (:class:`ReluSpec`), and presets;
* :mod:`~ftheory.simulate.relu.network` - teachers, students, exact population risks;
* :mod:`~ftheory.simulate.relu.objectives` - empirical and exact population losses with gradients;
* :mod:`~ftheory.simulate.relu.gd` - batched gradient descent and its stopping rules;
* :mod:`~ftheory.simulate.relu.procedures` - scratch/fine-tuning, pretraining, linear transfer;
* :mod:`~ftheory.simulate.relu.diagnostics` - kernel alignment and span diagnostics;
* :mod:`~ftheory.simulate.relu.driver` and :mod:`~ftheory.simulate.relu.result` - the Monte Carlo
  experiment over ``(mu, n)`` grids and its result object.

Nothing here imports ``ftheory.theory``.
"""
from ftheory.simulate.relu.diagnostics import kernel_alignment, kernel_outside_fraction
from ftheory.simulate.relu.driver import simulate_relu, simulate_relu_scratch, simulate_relu_transfer
from ftheory.simulate.relu.gd import ReluTrainResult
from ftheory.simulate.relu.network import (ReluFunction, ReluNet, ReluTeacher, draw_teacher, init_student, norm_sq,
                                           risk)
from ftheory.simulate.relu.objectives import EmpiricalLoss, PopulationLoss
from ftheory.simulate.relu.procedures import pretrain, refit_readout, train
from ftheory.simulate.relu.result import ReluTransferResult
from ftheory.simulate.relu.spec import RELU_SCALES, ReluSpec, kept_count

__all__ = [
    "RELU_SCALES", "ReluSpec", "ReluFunction", "ReluTeacher", "ReluNet", "ReluTrainResult", "ReluTransferResult",
    "EmpiricalLoss", "PopulationLoss", "kept_count", "draw_teacher", "init_student", "norm_sq", "risk", "train",
    "pretrain", "refit_readout", "simulate_relu_transfer", "simulate_relu_scratch", "simulate_relu",
    "kernel_outside_fraction",
    "kernel_alignment",
]
