"""The procedures on a ReLU student: training on a sample (scratch, fine-tuning), pretraining on a
source network, and linear transfer (read-out refit), docs/background.md §10.4, §10.6.

* scratch / fine-tuning: :func:`train`, GD on both layers from a fresh or a pretrained student;
* pretraining: :func:`pretrain`, GD on the exact population loss against the source teacher
  (the limit of infinitely many fresh source samples: no sampling noise, and cheaper than a large
  sample) or on a finite seeded source sample;
* linear transfer: :func:`refit_readout`, the first layer frozen and the read-out refit by least
  squares ``a = lstsq(F, y)`` on ``F = relu(X W^T)/m`` (singular values below ``rcond * s_max``
  dropped, minimum-norm solution).
"""
from __future__ import annotations

import numpy as np

from ftheory.simulate._random import as_generator, check_seed
from ftheory.simulate._threads import single_blas_thread
from ftheory.simulate.relu.gd import ReluTrainResult, gradient_descent
from ftheory.simulate.relu.network import ReluFunction, ReluNet, risk
from ftheory.simulate.relu.objectives import EmpiricalLoss, PopulationLoss
from ftheory.simulate.relu.spec import check_dtype, check_rcond, check_source, check_training, real

__all__ = ["RiskMonitor", "train", "pretrain", "refit_readout"]


class RiskMonitor:
    """Exact population risk ``E_x (f - g)^2`` of the students against a fixed batch of targets ``g``
    (the quantity the plateau rule of :mod:`ftheory.simulate.relu.gd` watches)."""

    def __init__(self, target: ReluFunction):
        self.target = target

    def take(self, idx):
        """The monitor of the sub-batch ``idx``."""
        return RiskMonitor(self.target.take(idx))

    def __call__(self, W, a):
        """Risks of the students ``(W, a)``, shape (B,)."""
        return risk(ReluNet(W, a).function, self.target)


def _check_net(net):
    if not isinstance(net, ReluNet):
        raise ValueError(f"net={net!r} is invalid: expected a ReluNet")


def _check_target(target, net, name="target"):
    if target is not None and (not isinstance(target, ReluFunction) or target.instances != net.instances
                               or target.weights.shape[2] != net.weights.shape[2]):
        raise ValueError(f"{name} must be a ReluFunction with the batch size and input dimension of net")


@single_blas_thread
def train(net: ReluNet, X, y, *, lr=1.0, steps=1000, tol=1e-8, grad_tol=1e-8, early_stop=True, plateau=0.0,
          target=None) -> ReluTrainResult:
    """Full-batch GD of both layers on ``(1/n) sum (f(x) - y)^2`` in mean-field time (:mod:`~ftheory.simulate.relu.gd`).

    Parameters
    ----------
    net : ReluNet
        Starting point (batch of ``B`` students; not modified).
    X : array_like, shape (B, n, d)
    y : array_like, shape (B, n)
    lr : float > 0
        Mean-field step size (per-neuron step ``lr * m`` times the gradient).
    steps : int >= 0
        Maximum number of GD iterations (accepted or rejected).
    tol, grad_tol : float >= 0
        Convergence criteria relative to the mean ``y^2`` of each instance.
    early_stop : bool
        Freeze an instance once converged.
    plateau : float >= 0
        Plateau rule on the exact risk against ``target`` (0: off).
    target : ReluFunction or None
        The target network of the plateau rule (needed when ``plateau > 0``).

    Returns
    -------
    ReluTrainResult
    """
    _check_net(net)
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 3 or X.shape[0] != net.instances or X.shape[2] != net.weights.shape[2]:
        raise ValueError(f"X has shape {X.shape}; expected ({net.instances}, n, {net.weights.shape[2]})")
    if y.shape != X.shape[:2]:
        raise ValueError(f"y has shape {y.shape}; expected {X.shape[:2]}")
    if X.shape[1] < 1:
        raise ValueError("n=0 is invalid: expected at least one sample")
    lr, steps, tol, grad_tol = check_training(lr, steps, tol, grad_tol)
    plateau = real("plateau", plateau)
    _check_target(target, net)
    if plateau > 0 and target is None:
        raise ValueError("plateau > 0 needs the target network (target=...) whose risk it watches")
    monitor = RiskMonitor(target) if plateau > 0 else None
    return gradient_descent(EmpiricalLoss(X, y), net, lr, steps, tol, grad_tol, bool(early_stop),
                            plateau=plateau, monitor=monitor)


@single_blas_thread
def pretrain(net: ReluNet, source: ReluFunction, *, lr=1.0, steps=1000, tol=1e-8, grad_tol=1e-8,
             early_stop=True, n_source="population", seed=None, plateau=0.0, dtype="float64") -> ReluTrainResult:
    """Train ``net`` on the source network ``source`` (population loss or a finite sample).

    Parameters
    ----------
    net : ReluNet
    source : ReluFunction
        Source teacher, e.g. ``teacher.source(mu)``; same batch size as ``net``.
    lr, steps, tol, grad_tol, early_stop, plateau
        As in :func:`train`; ``tol`` is relative to ``||f_s||^2`` for the population loss, and the
        plateau rule watches the exact source risk.
    n_source : "population" or int >= 1
        ``"population"``: GD on the exact population loss (:class:`PopulationLoss`);
        an integer: GD on ``n_source`` noiseless source samples drawn from ``seed``.
    seed : int, Generator, SeedSequence or None
        Only used for a finite source sample.
    dtype : "float64" or "float32"
        Precision of the population kernel products (:class:`PopulationLoss`).
    """
    _check_net(net)
    _check_target(source, net, "source")
    if source is None:
        raise ValueError("source must be a ReluFunction with the batch size and input dimension of net")
    n_source = check_source(n_source)
    lr, steps, tol, grad_tol = check_training(lr, steps, tol, grad_tol)
    plateau = real("plateau", plateau)
    dtype = check_dtype(dtype)
    if n_source == "population":
        return gradient_descent(PopulationLoss(source, dtype), net, lr, steps, tol, grad_tol, bool(early_stop),
                                plateau=plateau)
    check_seed(seed)
    rng = as_generator(seed)
    X = rng.standard_normal((net.instances, n_source, net.weights.shape[2]))
    return gradient_descent(EmpiricalLoss(X, source(X)), net, lr, steps, tol, grad_tol, bool(early_stop),
                            plateau=plateau, monitor=RiskMonitor(source) if plateau > 0 else None)


def refit_readout(net: ReluNet, X, y, *, rcond=1e-6):
    """Linear transfer: freeze the first layer, refit the read-out by least squares (docs/background.md §10.4).

    ``a = lstsq(F, y)`` with ``F = relu(X W^T) / m`` (LAPACK ``gelsd``, minimum-norm solution,
    singular values below ``rcond * s_max`` dropped).

    Returns
    -------
    (ReluNet, ndarray of int)
        The refitted network and the numerical rank of ``F`` per instance.
    """
    _check_net(net)
    rcond = check_rcond(rcond)
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 3 or X.shape[0] != net.instances or y.shape != X.shape[:2]:
        raise ValueError(f"X {X.shape} / y {y.shape}: expected ({net.instances}, n, d) and ({net.instances}, n)")
    F = np.maximum(np.matmul(X, np.swapaxes(net.weights, 1, 2)), 0.0) / net.m
    a = np.empty(net.readout.shape)
    ranks = np.empty(net.instances, dtype=np.int64)
    for i in range(net.instances):
        a[i], _, ranks[i], _ = np.linalg.lstsq(F[i], y[i], rcond=rcond)
    return ReluNet(net.weights, a), ranks
