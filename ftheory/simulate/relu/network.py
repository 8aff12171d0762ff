"""Teachers and mean-field students as batches of ReLU networks, with their exact population risk.

* Teacher ``f_t(x) = (1/m*) sum_j c_j relu(w*_j . x)``, ``w*_j`` i.i.d. uniform on ``S^{d-1}``,
  ``c_j ~ N(0, 1)``, inputs ``x ~ N(0, I_d)`` (docs/background.md §10.1, §10.6).
* Source teacher: the target teacher without the first ``floor(mu m*)`` neurons of one seeded
  uniformly random permutation (:attr:`ReluTeacher.order`), keeping the ``1/m*`` normalisation and
  the coefficients of the kept neurons. The removed sets are nested across ``mu`` for one instance
  (common random numbers), and at each ``mu`` the kept set is a uniformly random subset.
* Student ``f(x) = (1/m) sum_i a_i relu(w_i . x)`` initialised with ``w_i`` uniform on ``S^{d-1}``,
  ``a_i ~ N(0, readout_scale^2)``.

Risks ``E_x (f(x) - g(x))^2`` are computed exactly from the arc-cosine Gram matrix
(:func:`ftheory.relu.kernel.gram`) of the concatenated neurons, no test set; the quadratic form
cancels, with absolute rounding error ``~ 1e-16 (||f|| + ||g||)^2``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ftheory._checks import check_int
from ftheory.relu.kernel import gram
from ftheory.simulate._random import as_generator
from ftheory.simulate.relu.spec import kept_count, real

__all__ = ["ReluFunction", "ReluTeacher", "ReluNet", "draw_teacher", "init_student", "norm_sq", "risk"]

@dataclass(frozen=True)
class ReluFunction:
    """A batch of functions ``f_b(x) = sum_j coef[b, j] relu(weights[b, j] . x)``.

    Attributes
    ----------
    weights : ndarray, shape (B, p, d)
    coef : ndarray, shape (B, p)
        Output coefficients *including* the network's normalisation (``a/m`` or ``c/m*``).
    """

    weights: np.ndarray
    coef: np.ndarray

    def __post_init__(self):
        W = np.asarray(self.weights, dtype=float)
        c = np.asarray(self.coef, dtype=float)
        if W.ndim != 3 or c.shape != W.shape[:2]:
            raise ValueError(f"weights {W.shape} / coef {c.shape}: expected (B, p, d) and (B, p)")
        object.__setattr__(self, "weights", W)
        object.__setattr__(self, "coef", c)

    @property
    def instances(self) -> int:
        """Batch size ``B``."""
        return self.weights.shape[0]

    def __call__(self, X) -> np.ndarray:
        """Values at inputs ``X`` of shape (B, n, d) (or (n, d), shared): shape (B, n)."""
        X = np.asarray(X, dtype=float)
        pre = np.matmul(X, np.swapaxes(self.weights, -1, -2))
        return np.matmul(np.maximum(pre, 0.0), self.coef[..., None])[..., 0]

    def take(self, index) -> "ReluFunction":
        """The sub-batch ``index``."""
        return ReluFunction(self.weights[index], self.coef[index])


def _concat(f: ReluFunction, g: ReluFunction, sign=-1.0) -> ReluFunction:
    return ReluFunction(np.concatenate([f.weights, g.weights], axis=1),
                        np.concatenate([f.coef, sign * g.coef], axis=1))


def norm_sq(f: ReluFunction) -> np.ndarray:
    """``E_x f(x)^2`` per instance, exactly: ``coef^T gram(weights) coef`` (docs/background.md §10.3)."""
    return np.array([max(float(c @ gram(W) @ c), 0.0) for W, c in zip(f.weights, f.coef)])


def risk(f: ReluFunction, g: ReluFunction) -> np.ndarray:
    """Exact ``E_x (f(x) - g(x))^2`` per instance from the arc-cosine Gram matrix (no sampling).

    Parameters
    ----------
    f, g : ReluFunction
        Same batch size and input dimension (e.g. ``net.function`` and ``teacher.target``).

    Returns
    -------
    ndarray, shape (B,)
    """
    if f.instances != g.instances or f.weights.shape[2] != g.weights.shape[2]:
        raise ValueError(f"f has shape {f.weights.shape}, g {g.weights.shape}: batch sizes and input "
                         "dimensions must agree")
    return norm_sq(_concat(f, g))


@dataclass(frozen=True)
class ReluTeacher:
    """A batch of target teachers with their removal order (docs/background.md §10.1, §10.6).

    Attributes
    ----------
    weights : ndarray, shape (B, m*, d)
        Unit teacher neurons ``w*_j``.
    coef : ndarray, shape (B, m*)
        Read-out weights ``c_j`` (the function carries the factor ``1/m*``).
    order : ndarray of int, shape (B, m*)
        Random permutation; at fraction ``mu`` the first ``floor(mu m*)`` entries are removed.
    """

    weights: np.ndarray
    coef: np.ndarray
    order: np.ndarray

    @property
    def m_star(self) -> int:
        """Teacher width ``m*``."""
        return self.weights.shape[1]

    @property
    def instances(self) -> int:
        """Batch size ``B``."""
        return self.weights.shape[0]

    @property
    def target(self) -> ReluFunction:
        """``f_t`` as a :class:`ReluFunction` (coefficients ``c / m*``)."""
        return ReluFunction(self.weights, self.coef / self.m_star)

    def keep(self, mu) -> np.ndarray:
        """Sorted kept indices ``S`` per instance, shape (B, |S|)."""
        removed = self.m_star - kept_count(self.m_star, mu)
        return np.sort(self.order[:, removed:], axis=1)

    def source(self, mu) -> ReluFunction:
        """``f_s``: kept neurons with their coefficients, normalisation ``1/m*`` unchanged."""
        idx = self.keep(mu)
        rows = np.arange(self.instances)[:, None]
        return ReluFunction(self.weights[rows, idx], self.coef[rows, idx] / self.m_star)

    def take(self, index) -> "ReluTeacher":
        """The sub-batch ``index``."""
        return ReluTeacher(self.weights[index], self.coef[index], self.order[index])


def _unit_rows(rng, shape):
    g = rng.standard_normal(shape)
    return g / np.linalg.norm(g, axis=-1, keepdims=True)


def _draw_teacher_one(rng, d, m_star):
    W = _unit_rows(rng, (m_star, d))
    c = rng.standard_normal(m_star)
    order = rng.permutation(m_star)
    return W, c, order


def draw_teacher(d, m_star, *, instances=1, seed=None) -> ReluTeacher:
    """Draw ``instances`` teachers: ``w*_j`` uniform on ``S^{d-1}``, ``c_j ~ N(0,1)``, a removal order.

    Parameters
    ----------
    d, m_star : int >= 1
    instances : int >= 1
    seed : int, Generator, SeedSequence or None

    Examples
    --------
    >>> t = draw_teacher(5, 4, instances=2, seed=0)
    >>> t.weights.shape, t.source(0.5).weights.shape
    ((2, 4, 5), (2, 2, 5))
    """
    d, m_star, instances = check_int("d", d), check_int("m_star", m_star), check_int("instances", instances)
    rng = as_generator(seed)
    parts = [_draw_teacher_one(rng, d, m_star) for _ in range(instances)]
    return ReluTeacher(*(np.stack(p) for p in zip(*parts)))


@dataclass(frozen=True)
class ReluNet:
    """A batch of mean-field students ``f(x) = (1/m) sum_i a_i relu(w_i . x)``.

    Attributes
    ----------
    weights : ndarray, shape (B, m, d)
    readout : ndarray, shape (B, m)
    """

    weights: np.ndarray
    readout: np.ndarray

    def __post_init__(self):
        W = np.asarray(self.weights, dtype=float)
        a = np.asarray(self.readout, dtype=float)
        if W.ndim != 3 or a.shape != W.shape[:2]:
            raise ValueError(f"weights {W.shape} / readout {a.shape}: expected (B, m, d) and (B, m)")
        object.__setattr__(self, "weights", W)
        object.__setattr__(self, "readout", a)

    @property
    def m(self) -> int:
        """Student width ``m``."""
        return self.weights.shape[1]

    @property
    def instances(self) -> int:
        """Batch size ``B``."""
        return self.weights.shape[0]

    @property
    def function(self) -> ReluFunction:
        """The network as a :class:`ReluFunction` (coefficients ``a / m``)."""
        return ReluFunction(self.weights, self.readout / self.m)

    def __call__(self, X) -> np.ndarray:
        """Values at inputs ``X``: shape (B, n)."""
        return self.function(X)

    def take(self, index) -> "ReluNet":
        """The sub-batch ``index``."""
        return ReluNet(self.weights[index], self.readout[index])


def init_student(d, m, *, instances=1, readout_scale=1.0, seed=None) -> ReluNet:
    """Mean-field initialisation (docs/background.md §10.6): ``w_i`` uniform on ``S^{d-1}``, ``a_i ~ N(0, s^2)``."""
    d, m, instances = check_int("d", d), check_int("m", m), check_int("instances", instances)
    readout_scale = real("readout_scale", readout_scale)
    rng = as_generator(seed)
    W = _unit_rows(rng, (instances, m, d))
    a = readout_scale * rng.standard_normal((instances, m))
    return ReluNet(W, a)
