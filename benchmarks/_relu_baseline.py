"""Frozen copy of ftheory/simulate/relu.py at commit b43016d (before the package split and the paper-scale
work): the same-process baseline of benchmarks/bench_relu.py. Not used by the library."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ftheory._checks import check_int, check_memory, check_real, psd_pinv
from ftheory.params import PARAMS
from ftheory.relu.kernel import gram
from ftheory.relu.projection import project_onto_span, teacher_projection
from ftheory.simulate._random import as_generator, check_seed, spawn_seeds
from ftheory.simulate._threads import single_blas_thread
from ftheory.simulate.estimate import MCEstimate

__all__ = [
    "RELU_SCALES",
    "ReluFunction",
    "ReluTeacher",
    "ReluNet",
    "ReluTrainResult",
    "ReluTransferResult",
    "kept_count",
    "draw_teacher",
    "init_student",
    "risk",
    "train",
    "pretrain",
    "refit_readout",
    "simulate_relu_transfer",
    "simulate_relu",
    "kernel_outside_fraction",
    "kernel_alignment",
]

_TWO_PI = 2.0 * math.pi
_MIN_LR_FACTOR = 2.0 ** -40
_INCREASE_RTOL = 1e-9      # a step may increase the objective by this relative amount (rounding)
_INCREASE_ATOL = 1e-15     # ... plus this times the scale of the objective

#: Preset sizes. ``"paper"``: docs/background.md §10.1/§10.6 (d = 100, m = 1000, m* = 100, sigma = 0; hours on a
#: laptop CPU). ``"cpu"``: the default scale of ``ftheory reproduce`` (same m*/d = 1 and m/m* = 10 as the
#: paper would need m = 200; m = 100 keeps the whole ReLU figure set under 5 minutes on 2 cores).
#: ``"tiny"``: tests. Steps and step sizes are part of the presets and recorded with every result.
#: Pretraining uses lr = 2 (population loss: no halving needed, measured; twice as fast as lr = 1);
#: the paper preset keeps lr = 1 with more steps. Scratch risks depend little on the number of steps
#: once the training loss is ~0 (measured at the cpu scale, 8 instances: 1500 -> 4000 steps changes R_sc by
#: < 3% for n <= 640 and by -7% at n = 1280; 500 steps gives +22% at n = 1280).
RELU_SCALES = {
    "paper": {"d": 100, "m": 1000, "m_star": 100, "sigma": 0.0, "lr": 1.0, "steps": 20000,
              "pretrain_lr": 1.0, "pretrain_steps": 20000},
    "cpu": {"d": 20, "m": 100, "m_star": 20, "sigma": 0.0, "lr": 1.0, "steps": 1500,
            "pretrain_lr": 2.0, "pretrain_steps": 1000},
    "tiny": {"d": 8, "m": 24, "m_star": 8, "sigma": 0.0, "lr": 1.0, "steps": 150,
             "pretrain_lr": 2.0, "pretrain_steps": 200},
}


# ------------------------------------------------------------------------------------------
# validation helpers
# ------------------------------------------------------------------------------------------
def _real(name, value, **bounds):
    """:func:`ftheory._checks.check_real` rejecting bools (``lr=True`` is a mistake, not 1.0)."""
    return check_real(name, value, **bounds)


def _mu(value):
    if isinstance(value, bool):
        raise ValueError(f"mu={value!r} is invalid: expected a real number in {PARAMS['mu'].domain}")
    return float(PARAMS["mu"].validate(value))


def _grid(name, values, check):
    arr = np.atleast_1d(np.asarray(values, dtype=object))
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name}={values!r} is invalid: expected a non-empty 1-D sequence")
    out = [check(v) for v in arr.tolist()]
    if len(set(out)) != len(out):
        raise ValueError(f"{name}={values!r} is invalid: values must be distinct")
    return out


def _check_source(source):
    if isinstance(source, str):
        if source != "population":
            raise ValueError(f"source={source!r} is invalid: expected 'population' or an integer >= 1")
        return source
    return check_int("source", source, 1)


def kept_count(m_star: int, mu: float) -> int:
    """``|S| = m* - floor(mu m*)``: teacher neurons kept in the source (docs/background.md §10.1).

    The floor is taken of ``mu m* + 1e-9`` so that decimal grids such as ``mu = 0.29`` with
    ``m* = 100`` remove 29 neurons despite ``0.29 * 100 = 28.999999999999996`` in binary.

    >>> kept_count(100, 0.29), kept_count(100, 0.0), kept_count(20, 0.5)
    (71, 100, 10)
    """
    m_star = check_int("m_star", m_star, 1)
    mu = _mu(mu)
    return m_star - int(math.floor(mu * m_star + 1e-9))


# ------------------------------------------------------------------------------------------
# network functions
# ------------------------------------------------------------------------------------------
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
        return self.weights.shape[0]

    def __call__(self, X) -> np.ndarray:
        """Values at inputs ``X`` of shape (B, n, d) (or (n, d), shared): shape (B, n)."""
        X = np.asarray(X, dtype=float)
        pre = np.matmul(X, np.swapaxes(self.weights, -1, -2))
        return np.matmul(np.maximum(pre, 0.0), self.coef[..., None])[..., 0]

    def take(self, index) -> "ReluFunction":
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
        return self.weights.shape[1]

    @property
    def instances(self) -> int:
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
        return self.weights.shape[1]

    @property
    def instances(self) -> int:
        return self.weights.shape[0]

    @property
    def function(self) -> ReluFunction:
        return ReluFunction(self.weights, self.readout / self.m)

    def __call__(self, X) -> np.ndarray:
        return self.function(X)

    def take(self, index) -> "ReluNet":
        return ReluNet(self.weights[index], self.readout[index])


def init_student(d, m, *, instances=1, readout_scale=1.0, seed=None) -> ReluNet:
    """Mean-field initialisation (docs/background.md §10.6): ``w_i`` uniform on ``S^{d-1}``, ``a_i ~ N(0, s^2)``."""
    d, m, instances = check_int("d", d), check_int("m", m), check_int("instances", instances)
    readout_scale = _real("readout_scale", readout_scale)
    rng = as_generator(seed)
    W = _unit_rows(rng, (instances, m, d))
    a = readout_scale * rng.standard_normal((instances, m))
    return ReluNet(W, a)


# ------------------------------------------------------------------------------------------
# objectives: (loss, per-neuron-scaled gradients) for a subset of the batch
# ------------------------------------------------------------------------------------------
class _Empirical:
    """``(1/n) ||f(X) - y||^2`` with gradients times ``m``."""

    def __init__(self, X, y):
        self.X, self.y = X, y
        self.scale = np.maximum(np.mean(y * y, axis=1), 1e-300)

    def take(self, idx):
        return _Empirical(self.X[idx], self.y[idx])

    def __call__(self, W, a):
        X, y = self.X, self.y
        n, m = X.shape[1], W.shape[1]
        pre = np.matmul(X, np.swapaxes(W, 1, 2))                      # (B, n, m)
        act = np.maximum(pre, 0.0)
        r = np.matmul(act, a[:, :, None])[:, :, 0] / m - y             # (B, n)
        loss = np.mean(r * r, axis=1)
        ga = (2.0 / n) * np.matmul(r[:, None, :], act)[:, 0, :]        # m * dL/da
        gate = (pre > 0) * r[:, :, None]                               # (B, n, m)
        gw = (2.0 / n) * a[:, :, None] * np.matmul(np.swapaxes(gate, 1, 2), X)   # m * dL/dw
        return loss, ga, gw


class _Population:
    """``E_x (f - g)^2`` for a target network ``g`` (exact, arc-cosine kernel), gradients times ``m``.

    Uses ``s = arccos(-u) = pi - phi``: ``kappa0 = s / 2pi``, ``kappa1 = (sin s + u s) / 2pi`` with
    ``sin s = sqrt(1 - u^2)`` (the formulas of :mod:`ftheory.relu.kernel`, fused so one ``arccos`` per
    pair serves the loss and both gradients; tested against ``arccos_kernel``/``arccos_kernel0``).
    """

    def __init__(self, target: ReluFunction):
        self.V, self.b = target.weights, target.coef
        self.nv = np.linalg.norm(self.V, axis=2)
        self.vhat = self.V / np.where(self.nv > 0, self.nv, 1.0)[:, :, None]
        self.const = norm_sq(target)
        self.scale = np.maximum(self.const, 1e-300)

    def take(self, idx):
        new = object.__new__(_Population)
        new.V, new.b, new.nv, new.vhat = self.V[idx], self.b[idx], self.nv[idx], self.vhat[idx]
        new.const, new.scale = self.const[idx], self.scale[idx]
        return new

    def __call__(self, W, a):
        m = W.shape[1]
        nw = np.linalg.norm(W, axis=2)
        what = W / np.where(nw > 0, nw, 1.0)[:, :, None]
        U = np.concatenate([what, self.vhat], axis=1)                 # (B, m+p, d) unit rows
        N = np.concatenate([nw, self.nv], axis=1)                     # (B, m+p)
        beta = np.concatenate([a / m, -self.b], axis=1)               # (B, m+p)
        u = np.clip(np.matmul(what, np.swapaxes(U, 1, 2)), -1.0, 1.0)  # (B, m, m+p)
        s = np.arccos(-u)
        sin = np.sqrt(np.maximum(1.0 - u * u, 0.0))
        nb = N * beta                                                 # (B, m+p)
        k1 = (sin + u * s) * (1.0 / _TWO_PI)                          # unit-norm kernel
        kb = np.matmul(k1, nb[:, :, None])[:, :, 0]                   # sum_J kappa(u_iJ) |v_J| beta_J
        # loss = beta^T K beta over the student rows/cols + cross terms + const
        am = a / m
        cross = np.matmul(k1[:, :, m:], nb[:, m:, None])[:, :, 0]    # teacher part of kb
        # beta^T K beta = student-student + 2 student-teacher + teacher-teacher (const)
        loss = np.sum(am * nw * (kb + cross), axis=1) + self.const
        ga = 2.0 * nw * kb                                            # m * dL/da_i = 2 sum_J K_iJ beta_J
        # m * dL/dw_i = 2 a_i sum_J beta_J [kappa0 v_J + |v_J| sin / (2 pi) w_hat_i]
        k0b = (s * (1.0 / _TWO_PI)) * nb[:, None, :]                  # kappa0(u_iJ) |v_J| beta_J
        lin = np.matmul(k0b, U)                                       # (B, m, d)
        radial = np.matmul(sin, nb[:, :, None])[:, :, 0] * (1.0 / _TWO_PI)
        gw = 2.0 * a[:, :, None] * (lin + radial[:, :, None] * what)
        return np.maximum(loss, 0.0), ga, gw


# ------------------------------------------------------------------------------------------
# gradient descent
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReluTrainResult:
    """Outcome of one batched GD run (see the module docstring for the criteria).

    Attributes
    ----------
    net : ReluNet
        Final weights.
    loss : ndarray (B,)
        Final training objective (population risk for population pretraining).
    scale : ndarray (B,)
        Scale of the objective used by the tolerances (mean ``y^2`` or ``||g||^2``).
    grad_norm : ndarray (B,)
        RMS over neurons of the per-neuron-scaled gradient at the final iterate.
    steps : ndarray of int (B,)
        Accepted GD steps.
    converged, diverged : ndarray of bool (B,)
    lr : ndarray (B,)
        Final step size (after halvings); ``halvings`` counts them.
    """

    net: ReluNet
    loss: np.ndarray
    scale: np.ndarray
    grad_norm: np.ndarray
    steps: np.ndarray
    converged: np.ndarray
    diverged: np.ndarray
    lr: np.ndarray
    halvings: np.ndarray
    info: dict = field(default_factory=dict)


def _grad_rms(ga, gw):
    return np.sqrt(np.mean(ga * ga + np.sum(gw * gw, axis=2), axis=1))


def _gd(objective, net: ReluNet, lr, steps, tol, grad_tol, early_stop):
    B = net.instances
    W, a = net.weights.copy(), net.readout.copy()
    lr0 = float(lr)
    lr_all = np.full(B, lr0)
    n_steps = np.zeros(B, dtype=np.int64)
    halvings = np.zeros(B, dtype=np.int64)
    converged = np.zeros(B, dtype=bool)
    diverged = np.zeros(B, dtype=bool)
    loss_all = np.zeros(B)
    gnorm_all = np.zeros(B)
    scale_all = objective.scale.copy()

    active = np.arange(B)
    obj = objective
    Wa, aa, lra = W[active], a[active], lr_all[active]
    loss, ga, gw = obj(Wa, aa)

    def store(sel):
        idx = active[sel]
        W[idx], a[idx], lr_all[idx] = Wa[sel], aa[sel], lra[sel]
        loss_all[idx] = loss[sel]
        gnorm_all[idx] = _grad_rms(ga[sel], gw[sel])

    for _ in range(steps + 1):
        scale = obj.scale
        gn = _grad_rms(ga, gw)
        done = (loss <= tol * scale) | (gn <= grad_tol * np.sqrt(scale))
        dead = lra < lr0 * _MIN_LR_FACTOR
        stop = (done if early_stop else np.zeros_like(done)) | dead
        if np.any(stop):
            store(stop)
            converged[active[stop & done]] = True
            diverged[active[stop & dead & ~done]] = True
            keep = ~stop
            active = active[keep]
            if active.size == 0:
                break
            obj = obj.take(keep)
            Wa, aa, lra = Wa[keep], aa[keep], lra[keep]
            loss, ga, gw = loss[keep], ga[keep], gw[keep]
        if _ == steps:
            break
        Wn = Wa - lra[:, None, None] * gw
        an = aa - lra[:, None] * ga
        with np.errstate(over="ignore", invalid="ignore"):
            ln, gan, gwn = obj(Wn, an)
        ok = np.isfinite(ln) & (ln <= loss * (1.0 + _INCREASE_RTOL) + _INCREASE_ATOL * obj.scale)
        ok &= np.all(np.isfinite(gan), axis=1) & np.all(np.isfinite(gwn), axis=(1, 2))
        Wa = np.where(ok[:, None, None], Wn, Wa)
        aa = np.where(ok[:, None], an, aa)
        loss = np.where(ok, ln, loss)
        ga = np.where(ok[:, None], gan, ga)
        gw = np.where(ok[:, None, None], gwn, gw)
        lra = np.where(ok, lra, 0.5 * lra)
        halvings[active[~ok]] += 1
        n_steps[active[ok]] += 1
    if active.size:
        store(np.ones(active.size, bool))
        scale = scale_all[active]
        converged[active] = (loss_all[active] <= tol * scale) | (gnorm_all[active] <= grad_tol * np.sqrt(scale))
    return ReluTrainResult(ReluNet(W, a), loss_all, scale_all, gnorm_all, n_steps, converged, diverged,
                           lr_all, halvings, {"lr": lr0, "max_steps": steps, "tol": tol, "grad_tol": grad_tol})


def _check_training(lr, steps, tol, grad_tol):
    return (_real("lr", lr, low_open=True), check_int("steps", steps, 0), _real("tol", tol),
            _real("grad_tol", grad_tol))


@single_blas_thread
def train(net: ReluNet, X, y, *, lr=1.0, steps=1000, tol=1e-8, grad_tol=1e-8, early_stop=True) -> ReluTrainResult:
    """Full-batch GD of both layers on ``(1/n) sum (f(x) - y)^2`` in mean-field time (module docstring).

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

    Returns
    -------
    ReluTrainResult
    """
    if not isinstance(net, ReluNet):
        raise ValueError(f"net={net!r} is invalid: expected a ReluNet")
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 3 or X.shape[0] != net.instances or X.shape[2] != net.weights.shape[2]:
        raise ValueError(f"X has shape {X.shape}; expected ({net.instances}, n, {net.weights.shape[2]})")
    if y.shape != X.shape[:2]:
        raise ValueError(f"y has shape {y.shape}; expected {X.shape[:2]}")
    if X.shape[1] < 1:
        raise ValueError("n=0 is invalid: expected at least one sample")
    lr, steps, tol, grad_tol = _check_training(lr, steps, tol, grad_tol)
    return _gd(_Empirical(X, y), net, lr, steps, tol, grad_tol, bool(early_stop))


@single_blas_thread
def pretrain(net: ReluNet, source: ReluFunction, *, lr=1.0, steps=1000, tol=1e-8, grad_tol=1e-8,
             early_stop=True, n_source="population", seed=None) -> ReluTrainResult:
    """Train ``net`` on the source network ``source`` (population loss or a finite sample).

    Parameters
    ----------
    net : ReluNet
    source : ReluFunction
        Source teacher, e.g. ``teacher.source(mu)``; same batch size as ``net``.
    lr, steps, tol, grad_tol, early_stop
        As in :func:`train`; ``tol`` is relative to ``||f_s||^2`` for the population loss.
    n_source : "population" or int >= 1
        ``"population"``: GD on the exact population loss (kernel form, module docstring);
        an integer: GD on ``n_source`` noiseless source samples drawn from ``seed``.
    seed : int, Generator, SeedSequence or None
        Only used for a finite source sample.
    """
    if not isinstance(net, ReluNet):
        raise ValueError(f"net={net!r} is invalid: expected a ReluNet")
    if not isinstance(source, ReluFunction) or source.instances != net.instances \
            or source.weights.shape[2] != net.weights.shape[2]:
        raise ValueError("source must be a ReluFunction with the batch size and input dimension of net")
    n_source = _check_source(n_source)
    lr, steps, tol, grad_tol = _check_training(lr, steps, tol, grad_tol)
    if n_source == "population":
        return _gd(_Population(source), net, lr, steps, tol, grad_tol, bool(early_stop))
    check_seed(seed)
    rng = as_generator(seed)
    X = rng.standard_normal((net.instances, n_source, net.weights.shape[2]))
    return _gd(_Empirical(X, source(X)), net, lr, steps, tol, grad_tol, bool(early_stop))


def _check_rcond(rcond):
    r = _real("rcond", rcond)
    if r >= 1:
        raise ValueError(f"rcond={rcond!r} is invalid: expected a real number in [0, 1)")
    return r


def refit_readout(net: ReluNet, X, y, *, rcond=1e-6):
    """Linear transfer: freeze the first layer, refit the read-out by least squares (docs/background.md §10.4).

    ``a = lstsq(F, y)`` with ``F = relu(X W^T) / m`` (LAPACK ``gelsd``, minimum-norm solution,
    singular values below ``rcond * s_max`` dropped).

    Returns
    -------
    (ReluNet, ndarray of int)
        The refitted network and the numerical rank of ``F`` per instance.
    """
    if not isinstance(net, ReluNet):
        raise ValueError(f"net={net!r} is invalid: expected a ReluNet")
    rcond = _check_rcond(rcond)
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


# ------------------------------------------------------------------------------------------
# kernel diagnostics of a trained network (docs/background.md §10.1 claim, §10.3)
# ------------------------------------------------------------------------------------------
def kernel_outside_fraction(W, weights, W_basis, rcond=1e-10) -> float:
    """Fraction of a network kernel's trace outside ``span{relu(b . x) : b in W_basis}``.

    For ``K(x, x') = sum_i weights_i relu(w_i.x) relu(w_i.x')`` (``weights >= 0``) this is
    ``sum_i weights_i ||P^perp relu(w_i .)||^2 / sum_i weights_i ||relu(w_i .)||^2`` in
    ``L^2(N(0, I_d))``, exactly from Gram matrices. 0 means every feature of the network lies in
    the span (the §10.1 claim for the source teacher's span), 1 that all lie outside it.
    """
    W = np.asarray(W, dtype=float)
    w = np.asarray(weights, dtype=float)
    if W.ndim != 2 or w.shape != W.shape[:1] or np.any(w < 0):
        raise ValueError("W must be (p, d) and weights a non-negative (p,) array")
    diag = 0.5 * np.sum(W * W, axis=1)
    Kbw = gram(W_basis, W)
    inside = np.sum(Kbw * (psd_pinv(gram(W_basis), rcond)[0] @ Kbw), axis=0)
    outside = np.maximum(diag - inside, 0.0)
    total = float(w @ diag)
    return float(w @ outside) / total if total > 0 else 0.0


def kernel_alignment(W1, w1, W2, w2) -> float:
    """Hilbert-Schmidt alignment ``<K1, K2> / (||K1|| ||K2||)`` of two network kernels, exactly.

    ``K_r(x, x') = sum_i w_r[i] relu(W_r[i].x) relu(W_r[i].x')``; the operator inner product in
    ``L^2(N(0, I_d))`` is ``sum_{ij} w1_i w2_j E[relu(W1_i.x) relu(W2_j.x)]^2``. 1 means proportional
    kernels.
    """
    w1 = np.asarray(w1, dtype=float)
    w2 = np.asarray(w2, dtype=float)
    c12 = w1 @ gram(W1, W2) ** 2 @ w2
    c11 = w1 @ gram(W1) ** 2 @ w1
    c22 = w2 @ gram(W2) ** 2 @ w2
    return float(c12 / math.sqrt(c11 * c22))


# ------------------------------------------------------------------------------------------
# Monte Carlo driver over (mu, n) grids
# ------------------------------------------------------------------------------------------
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
        import json

        arrays = {k: getattr(self, k) for k in self._ARRAYS if getattr(self, k) is not None}
        arrays.update(teacher_weights=self.teacher.weights, teacher_coef=self.teacher.coef,
                      teacher_order=self.teacher.order)
        np.savez_compressed(path, params=np.array(json.dumps(self.params)), **arrays)

    @classmethod
    def load(cls, path) -> "ReluTransferResult":
        """Read a result written by :meth:`save`."""
        import json

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
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={value!r} is invalid: expected a value of the grid {list(grid)}") from None
    hits = np.flatnonzero(np.isclose(grid, value, rtol=0, atol=1e-12))
    if hits.size == 0:
        raise ValueError(f"{name}={value!r} is not on the grid {list(grid)}")
    return int(hits[0])


def _streams(child: np.random.SeedSequence):
    return [np.random.default_rng(s) for s in child.spawn(6)]


@single_blas_thread
def simulate_relu_transfer(ns, mus, *, d=100, m=1000, m_star=100, sigma=0.0, instances=4, seed=None,
                           lr=1.0, steps=20000, tol=1e-8, grad_tol=1e-8,
                           pretrain_lr=1.0, pretrain_steps=20000, pretrain_tol=1e-2, pretrain_grad_tol=1e-10,
                           source="population", rcond=1e-6, readout_scale=1.0,
                           finetune=False, ft_lr=None, ft_steps=None,
                           keep_init=False, progress=None) -> ReluTransferResult:
    """Scratch, linear transfer (and fine-tuning) over an ``(mu, n)`` grid (docs/background.md §10, Fig. 3e).

    Per instance: one target teacher; one pretraining per ``mu`` (source = teacher minus the
    first ``floor(mu m*)`` neurons of its removal order), all from the same initialisation; one
    scratch run per ``n`` (same initialisation for every ``n``) on nested data; linear transfer and
    (optionally) fine-tuning per ``(mu, n)``. Work is batched over instances (pretraining over
    instances x ``mu``).

    Parameters
    ----------
    ns : sequence of int >= 1
        Target sample sizes.
    mus : sequence of float in [0, 1)
        Removed fractions.
    d, m, m_star : int >= 1
        Input dimension, student width, teacher width (defaults: docs/background.md §10.6, "paper" scale;
        :data:`RELU_SCALES` has a CPU scale).
    sigma : float >= 0
        Target label noise.
    instances : int >= 1
    seed : int, Generator, SeedSequence or None
    lr, steps, tol, grad_tol
        Target GD (scratch; fine-tuning unless ``ft_lr``/``ft_steps`` are given).
    pretrain_lr, pretrain_steps, pretrain_tol, pretrain_grad_tol
        Pretraining GD. Pretraining always runs ``pretrain_steps`` steps (no early stop, so every
        ``mu`` gets the same training time); it is flagged converged when the final source risk is
        ``<= pretrain_tol * ||f_s||^2`` (default 1%) or the gradient criterion holds.
    source : "population" or int
        Pretraining on the exact population loss or on a finite source sample of that size.
    rcond : float in [0, 1)
        Relative singular-value cut-off of the linear-transfer least squares.
    readout_scale : float >= 0
        Standard deviation of the initial read-out weights.
    finetune : bool
        Also fine-tune (costs ``len(mus)`` more GD runs per ``n``).
    keep_init : bool
        Store the pretraining initialisation (for kernel comparisons before/after training).
    progress : callable(str) or None

    Returns
    -------
    ReluTransferResult
    """
    ns_list = _grid("ns", ns, lambda v: check_int("n", v, 1))
    mus_list = _grid("mus", mus, _mu)
    d, m, m_star = check_int("d", d), check_int("m", m), check_int("m_star", m_star)
    instances = check_int("instances", instances)
    check_memory(f"simulate_relu_transfer(n={max(ns_list)}, d={d}, m={m}, instances={instances})",
                 3.0 * instances * max(ns_list) * (d + m), "inputs and student features of every instance")
    sigma = _real("sigma", sigma)
    lr, steps, tol, grad_tol = _check_training(lr, steps, tol, grad_tol)
    pretrain_lr, pretrain_steps, pretrain_tol, pretrain_grad_tol = _check_training(
        pretrain_lr, pretrain_steps, pretrain_tol, pretrain_grad_tol)
    ft_lr = lr if ft_lr is None else _real("ft_lr", ft_lr, low_open=True)
    ft_steps = steps if ft_steps is None else check_int("ft_steps", ft_steps, 0)
    source = _check_source(source)
    rcond = _check_rcond(rcond)
    readout_scale = _real("readout_scale", readout_scale)
    check_seed(seed)
    say = progress or (lambda msg: None)

    ns_arr, mus_arr = np.array(ns_list, dtype=np.int64), np.array(mus_list, dtype=float)
    I, M, N = instances, len(mus_list), len(ns_list)
    n_max = int(ns_arr.max())
    streams = [_streams(c) for c in spawn_seeds(seed, instances)]

    # --- teachers, data, initialisations (per instance, own streams) ---
    parts = [_draw_teacher_one(s[0], d, m_star) for s in streams]
    teacher = ReluTeacher(*(np.stack(p) for p in zip(*parts)))
    pre_init = ReluNet(np.stack([_unit_rows(s[1], (m, d)) for s in streams]),
                       np.stack([readout_scale * s[1].standard_normal(m) for s in streams]))
    X_all = np.stack([s[2].standard_normal((n_max, d)) for s in streams])
    noise = np.stack([s[3].standard_normal(n_max) for s in streams])
    sc_init = ReluNet(np.stack([_unit_rows(s[4], (m, d)) for s in streams]),
                      np.stack([readout_scale * s[4].standard_normal(m) for s in streams]))
    y_all = teacher.target(X_all) + sigma * noise
    target = teacher.target
    norm_t = norm_sq(target)

    # --- pretraining: batch over (instance, mu) ---
    say("pretraining")
    rep = lambda arr: np.repeat(arr, M, axis=0)  # noqa: E731  (instance-major, mu-minor)
    sources = [teacher.source(mu) for mu in mus_list]
    kept = np.array([kept_count(m_star, mu) for mu in mus_list], dtype=np.int64)
    net0 = ReluNet(rep(pre_init.weights), rep(pre_init.readout))
    if source == "population":
        # sources have different |S| per mu: pad with zero-coefficient copies of a kept neuron
        p = int(kept.max())
        Vs = np.zeros((I * M, p, d))
        bs = np.zeros((I * M, p))
        for j, src in enumerate(sources):
            k = src.weights.shape[1]
            Vs[j::M, :k] = src.weights
            Vs[j::M, k:] = src.weights[:, :1]
            bs[j::M, :k] = src.coef
        pre = _gd(_Population(ReluFunction(Vs, bs)), net0, pretrain_lr, pretrain_steps, pretrain_tol,
                  pretrain_grad_tol, False)
    else:
        Xs = np.stack([s[5].standard_normal((source, d)) for s in streams])
        Xs_rep = rep(Xs)
        ys = np.empty((I * M, source))
        for j, src in enumerate(sources):
            ys[j::M] = src(Xs)
        pre = _gd(_Empirical(Xs_rep, ys), net0, pretrain_lr, pretrain_steps, pretrain_tol,
                  pretrain_grad_tol, False)
    pre_W = pre.net.weights.reshape(I, M, m, d)
    pre_a = pre.net.readout.reshape(I, M, m)
    pre_risk = np.empty((I, M))
    src_norm = np.empty((I, M))
    t_out = np.empty((I, M))
    s_out = np.empty((I, M))
    for j, (mu, src) in enumerate(zip(mus_list, sources)):
        pre_risk[:, j] = risk(ReluNet(pre_W[:, j], pre_a[:, j]).function, src)
        src_norm[:, j] = norm_sq(src)
        keep = teacher.keep(mu)
        for i in range(I):
            t_out[i, j] = teacher_projection(teacher.weights[i], teacher.coef[i], keep[i]).outside_sq
            s_out[i, j] = project_onto_span(teacher.weights[i], teacher.coef[i], pre_W[i, j]).outside_sq
    pre_conv = pre.converged.reshape(I, M)

    # --- target procedures per n ---
    sc = np.empty((I, N))
    sc_conv = np.empty((I, N), dtype=bool)
    sc_loss = np.empty((I, N))
    lt = np.empty((I, M, N))
    lt_rank = np.empty((I, M, N), dtype=np.int64)
    ft = np.empty((I, M, N)) if finetune else None
    ft_conv = np.empty((I, M, N), dtype=bool) if finetune else None
    pre_net = ReluNet(pre_W.reshape(I * M, m, d), pre_a.reshape(I * M, m))
    for jn, n in enumerate(ns_list):
        say(f"n={n}")
        X, y = X_all[:, :n], y_all[:, :n]
        res = _gd(_Empirical(X, y), sc_init, lr, steps, tol, grad_tol, True)
        sc[:, jn] = risk(res.net.function, target)
        sc_conv[:, jn] = res.converged
        sc_loss[:, jn] = res.loss
        Xr, yr = rep(X), rep(y)
        refit, ranks = refit_readout(pre_net, Xr, yr, rcond=rcond)
        lt[:, :, jn] = risk(refit.function, ReluFunction(rep(target.weights), rep(target.coef))).reshape(I, M)
        lt_rank[:, :, jn] = ranks.reshape(I, M)
        if finetune:
            res = _gd(_Empirical(Xr, yr), pre_net, ft_lr, ft_steps, tol, grad_tol, True)
            ft[:, :, jn] = risk(res.net.function, ReluFunction(rep(target.weights), rep(target.coef))).reshape(I, M)
            ft_conv[:, :, jn] = res.converged.reshape(I, M)

    params = {"d": d, "m": m, "m_star": m_star, "sigma": sigma, "instances": instances,
              "seed": seed if isinstance(seed, (int, type(None))) else repr(seed),
              "ns": ns_list, "mus": mus_list, "lr": lr, "steps": steps, "tol": tol, "grad_tol": grad_tol,
              "pretrain_lr": pretrain_lr, "pretrain_steps": pretrain_steps, "pretrain_tol": pretrain_tol,
              "pretrain_grad_tol": pretrain_grad_tol, "source": source, "rcond": rcond,
              "readout_scale": readout_scale, "finetune": bool(finetune), "ft_lr": ft_lr, "ft_steps": ft_steps,
              "pretrain_halvings": int(pre.halvings.sum()), "pretrain_steps_taken_max": int(pre.steps.max())}
    return ReluTransferResult(
        params=params, ns=ns_arr, mus=mus_arr, kept=kept, norm_sq=norm_t, scratch=sc,
        scratch_converged=sc_conv, scratch_loss=sc_loss, lt=lt, lt_rank=lt_rank, pretrain_risk=pre_risk,
        pretrain_converged=pre_conv, source_norm_sq=src_norm, teacher_outside=t_out, student_outside=s_out,
        pretrained_weights=pre_W, pretrained_readout=pre_a, teacher=teacher, ft=ft, ft_converged=ft_conv,
        init_weights=pre_init.weights if keep_init else None, init_readout=pre_init.readout if keep_init else None)


def simulate_relu(n, mu, *, d=100, m=1000, m_star=100, sigma=0.0, instances=4, seed=None,
                  finetune=False, **kwargs) -> dict:
    """One ``(n, mu)`` point as a dict of :class:`MCEstimate` (absolute risks), for :func:`~ftheory.simulate.sweep`.

    Keys ``"scratch"``, ``"lt"``, ``"T_lt"`` and, with ``finetune=True``, ``"ft"``, ``"T_ft"``; further
    keyword arguments go to :func:`simulate_relu_transfer` (step sizes, steps, ...).
    """
    res = simulate_relu_transfer([n], [mu], d=d, m=m, m_star=m_star, sigma=sigma, instances=instances,
                                 seed=seed, finetune=finetune, **kwargs)
    keys = ["scratch", "lt", "T_lt"] + (["ft", "T_ft"] if finetune else [])
    return {k: res.estimate(k, mu=mu, n=n) for k in keys}
