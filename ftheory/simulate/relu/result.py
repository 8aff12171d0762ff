"""The result of the ReLU Monte Carlo driver: risks over an ``(mu, n)`` grid per instance, with the
settings, diagnostics and weights needed to redraw the figures; saved to and loaded from ``.npz``."""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from ftheory.simulate.estimate import MCEstimate
from ftheory.simulate.relu.network import ReluTeacher

__all__ = ["ReluTransferResult"]


@dataclass
class ReluTransferResult:
    """Risks of scratch training, linear transfer and fine-tuning over an ``(mu, n)`` grid.

    All risks are absolute ``E_x (f - f_t)^2`` per instance (exact, kernel); divide by
    :attr:`norm_sq` (``||f_t||^2``) for relative values (:meth:`relative`). Arrays are indexed
    ``[instance, mu, n]`` (or ``[instance, n]`` for scratch, ``[instance, mu]`` for pretraining).

    Attributes
    ----------
    params : dict
        Every setting of the run (sizes, step sizes, steps, tolerances, grids, seed description).
    ns, mus : ndarray
    kept : ndarray of int
        ``|S|`` per ``mu``.
    norm_sq : ndarray (I,)
        ``||f_t||^2``.
    scratch, scratch_converged, scratch_loss : ndarray (I, N)
    lt, lt_rank : ndarray (I, M, N)
        Linear-transfer risk and the numerical rank of the feature matrix.
    ft, ft_converged : ndarray (I, M, N) or None
    pretrain_risk, pretrain_converged, source_norm_sq : ndarray (I, M)
        ``||f_pre - f_s||^2``, flags, ``||f_s||^2``.
    teacher_outside, student_outside : ndarray (I, M)
        ``||P^perp f_t||^2`` onto the source teacher's span and onto the pretrained student's span.
    pretrained_weights, pretrained_readout : ndarray (I, M, m, d), (I, M, m)
    teacher : ReluTeacher
    """

    params: dict
    ns: np.ndarray
    mus: np.ndarray
    kept: np.ndarray
    norm_sq: np.ndarray
    scratch: np.ndarray
    scratch_converged: np.ndarray
    scratch_loss: np.ndarray
    lt: np.ndarray
    lt_rank: np.ndarray
    pretrain_risk: np.ndarray
    pretrain_converged: np.ndarray
    source_norm_sq: np.ndarray
    teacher_outside: np.ndarray
    student_outside: np.ndarray
    pretrained_weights: np.ndarray
    pretrained_readout: np.ndarray
    teacher: ReluTeacher
    ft: np.ndarray | None = None
    ft_converged: np.ndarray | None = None
    init_weights: np.ndarray | None = None
    init_readout: np.ndarray | None = None

    _ARRAYS = ("ns", "mus", "kept", "norm_sq", "scratch", "scratch_converged", "scratch_loss", "lt", "lt_rank",
               "pretrain_risk", "pretrain_converged", "source_norm_sq", "teacher_outside", "student_outside",
               "pretrained_weights", "pretrained_readout", "ft", "ft_converged", "init_weights", "init_readout")

    def save(self, path) -> None:
        """Write every array and the parameters to one ``.npz`` file (read back with :meth:`load`)."""
        arrays = {k: getattr(self, k) for k in self._ARRAYS if getattr(self, k) is not None}
        arrays.update(teacher_weights=self.teacher.weights, teacher_coef=self.teacher.coef,
                      teacher_order=self.teacher.order)
        np.savez_compressed(path, params=np.array(json.dumps(self.params)), **arrays)

    @classmethod
    def load(cls, path) -> "ReluTransferResult":
        """Read a result written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as z:
            kw = {k: (z[k] if k in z.files else None) for k in cls._ARRAYS}
            teacher = ReluTeacher(z["teacher_weights"], z["teacher_coef"], z["teacher_order"])
            params = json.loads(str(z["params"]))
        return cls(params=params, teacher=teacher, **kw)

    def relative(self, name: str) -> np.ndarray:
        """``getattr(self, name) / ||f_t||^2`` broadcast over the instance axis."""
        arr = getattr(self, name)
        return arr / self.norm_sq.reshape((-1,) + (1,) * (arr.ndim - 1))

    def transferability(self, method="lt", relative=True) -> np.ndarray:
        """``T = R_sc - R_tx`` per instance, shape (I, M, N); relative to ``||f_t||^2`` by default."""
        if method not in ("lt", "ft"):
            raise ValueError(f"method={method!r} is invalid: expected 'lt' or 'ft'")
        tx = getattr(self, method)
        if tx is None:
            raise ValueError("fine-tuning was not simulated (finetune=False)")
        T = self.scratch[:, None, :] - tx
        return T / self.norm_sq[:, None, None] if relative else T

    def estimate(self, quantity: str, mu=None, n=None) -> MCEstimate:
        """:class:`MCEstimate` (over instances) of ``scratch``/``lt``/``ft``/``T_lt``/``T_ft`` at a point.

        Absolute risks (``T_*`` absolute too). ``mu`` is ignored for ``scratch``.
        """
        j = _index(self.ns, n, "n")
        if quantity == "scratch":
            return MCEstimate(self.scratch[:, j], self.scratch_converged[:, j])
        i = _index(self.mus, mu, "mu")
        if quantity in ("lt", "ft"):
            arr = getattr(self, quantity)
            if arr is None:
                raise ValueError("fine-tuning was not simulated (finetune=False)")
            conv = self.pretrain_converged[:, i] if quantity == "lt" else \
                self.pretrain_converged[:, i] & self.ft_converged[:, i, j]
            return MCEstimate(arr[:, i, j], conv)
        if quantity in ("T_lt", "T_ft"):
            method = quantity[2:]
            T = self.transferability(method, relative=False)[:, i, j]
            conv = self.scratch_converged[:, j] & self.pretrain_converged[:, i]
            if method == "ft":
                conv = conv & self.ft_converged[:, i, j]
            return MCEstimate(T, conv)
        raise ValueError(f"quantity={quantity!r} is invalid: expected scratch, lt, ft, T_lt or T_ft")


def _index(grid, value, name):
    shown = np.asarray(grid).tolist()      # plain numbers in messages, not NumPy reprs
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={value!r} is invalid: expected a value of the grid {shown}") from None
    hits = np.flatnonzero(np.isclose(grid, v, rtol=0, atol=1e-12))
    if hits.size == 0:
        raise ValueError(f"{name}={value!r} is not on the grid {shown}")
    return int(hits[0])


