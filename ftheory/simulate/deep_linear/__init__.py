"""Deep linear networks trained by gradient descent or gradient flow (docs/deep_linear.md).

Modules: :mod:`.network` (the network, its initialisations), :mod:`.spectral` (the spectral basis of
the data in which the dynamics run), :mod:`.engine` (batched GD and flow), :mod:`.training`
(pretrain, scratch, fine-tuning, linear transfer) and :mod:`.montecarlo` (risk estimates).
"""
from ftheory.simulate.deep_linear.montecarlo import (simulate_deep_finetune, simulate_deep_linear,
                                                     simulate_deep_linear_transfer, simulate_deep_scratch,
                                                     simulate_transfer)
from ftheory.simulate.deep_linear.network import DeepLinearNet, default_alpha, init_network, pretrained_state
from ftheory.simulate.deep_linear.training import (TrainResult, finetune, linear_transfer, pretrain, train,
                                                   train_scratch)

__all__ = [
    "DeepLinearNet",
    "TrainResult",
    "default_alpha",
    "init_network",
    "pretrained_state",
    "train",
    "pretrain",
    "train_scratch",
    "linear_transfer",
    "finetune",
    "simulate_deep_linear",
    "simulate_transfer",
    "simulate_deep_scratch",
    "simulate_deep_linear_transfer",
    "simulate_deep_finetune",
]
