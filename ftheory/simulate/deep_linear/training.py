"""Training procedures on one batch of networks: train, pretrain, scratch, fine-tuning, linear transfer.

Convergence criterion, reduced dynamics and costs: docs/deep_linear.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ftheory._checks import check_int, check_real
from ftheory.params import PARAMS
from ftheory.simulate._threads import single_blas_thread
from ftheory.simulate.deep_linear.engine import _Dense, _Lazy, _run_flow, _run_gd
from ftheory.simulate.deep_linear.network import DeepLinearNet, init_network
from ftheory.simulate.deep_linear.spectral import _auto_lr, _frame, _gram, _gram_pays, _width_one
from ftheory.simulate.deep_linear.width1 import run_width1, run_width1_gram

_LAZY_MIN = 4096         # layers with more entries than this use the lazy rank-one store

__all__ = ["TrainResult", "train", "pretrain", "train_scratch", "finetune", "linear_transfer"]


def _check_method(method):
    if method not in ("gd", "flow"):
        raise ValueError(f"method={method!r} is invalid: expected 'gd' or 'flow'")
    return method


def _check_lr(lr, instances):
    if lr is None:
        return None
    arr = np.asarray(lr, dtype=float) if not isinstance(lr, (str, bool, np.bool_)) else None
    if arr is None or arr.ndim > 1 or (arr.ndim == 1 and arr.shape[0] != instances) \
            or not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"lr={lr!r} is invalid: expected None (automatic), a positive real number "
                         f"or one positive value per instance ({instances})")
    return np.broadcast_to(arr, (instances,)).astype(float).copy()


def _check_one_loss(beta_s, X, y, message, x_name, y_name):
    """Either ``beta_s`` alone or both data arrays: data given beside ``beta_s`` would be silently ignored."""
    if beta_s is not None and (X is not None or y is not None):
        given = x_name if y is None else y_name if X is None else f"{x_name} and {y_name}"
        raise ValueError(f"{message}: got beta_s and {given}")
    if beta_s is None and (X is None or y is None):
        missing = f"{x_name} and {y_name}" if X is None and y is None else x_name if X is None else y_name
        raise ValueError(f"{message}: {missing} missing")


@dataclass(frozen=True)
class TrainResult:
    """Outcome of one batched training run.

    Attributes
    ----------
    beta : ndarray (B, d)
        Final end-to-end vector.
    net : DeepLinearNet
        Final weights (property; in the reduced path the full ``d x m`` first layer is assembled on
        first access, so callers that only need ``beta`` never pay for it).
    steps : ndarray of int
        GD steps taken per instance (for ``method="flow"``: accepted solver steps).
    time : ndarray
        Training time reached: ``lr * steps`` for GD, the integration time for flow.
    loss, floor : ndarray
        Final training loss (without the weight-decay penalty) and its least-squares floor.
    grad_norm : ndarray
        Norm of the gradient of the full objective at the final iterate.
    converged, diverged : ndarray of bool
        Convergence criterion met (docs/deep_linear.md); loss blew up.
    lr : ndarray
        Step size used per instance.
    method, path : str
        ``"gd"``/``"flow"``; which implementation ran (``"full"``, ``"reduced-input+hidden"``,
        ``"reduced-input"``, ``"lazy-full"``).
    """

    beta: np.ndarray
    steps: np.ndarray
    time: np.ndarray
    loss: np.ndarray
    floor: np.ndarray
    grad_norm: np.ndarray
    converged: np.ndarray
    diverged: np.ndarray
    lr: np.ndarray
    method: str
    path: str
    info: dict = field(default_factory=dict)
    _build: object = field(default=None, repr=False, compare=False)
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def net(self) -> DeepLinearNet:
        """Final weights as a :class:`DeepLinearNet` (assembled on first access, then cached)."""
        if "net" not in self._cache:
            self._cache["net"] = self._build()
        return self._cache["net"]

    @property
    def all_converged(self) -> bool:
        """True when every instance met the convergence criterion."""
        return bool(np.all(self.converged))


def _as_data(X, y, d=None):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim == 2:
        X = X[None]
    if y.ndim == 1:
        y = y[None]
    if X.ndim != 3 or y.ndim != 2 or X.shape[:2] != y.shape:
        raise ValueError(f"X and y must have shapes (instances, n, d) and (instances, n); got {X.shape}, {y.shape}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError("X and y must be finite")
    if d is not None and X.shape[2] != d:
        raise ValueError(f"X has input dimension {X.shape[2]} but the network has d={d}")
    return X, y


@single_blas_thread
def train(net, *, X=None, y=None, beta_s=None, lr=None, max_steps=10000, tol=1e-6, grad_tol=None,
          wd=0.0, method="gd", reduced=True, early_stop=True, flow_options=None) -> TrainResult:
    """Train every layer of ``net`` on a quadratic loss of the end-to-end vector (docs/background.md §1.3, §3.5).

    Exactly one of ``(X, y)`` (empirical loss ``(1/n)||y - X beta||^2``) and ``beta_s`` (population
    loss ``||beta - beta_s||^2``) must be given.

    Parameters
    ----------
    net : DeepLinearNet
        Initial weights (not modified).
    X, y : arrays of shapes (B, n, d), (B, n)
    beta_s : array of shape (B, d)
    lr : float, array of shape (B,) or None
        GD step size (flow: time horizon ``lr * max_steps``). None picks
        ``0.5 / (L lam_max(X^T X/n) max(1, r)^{2-2/L})`` per instance.
    max_steps : int >= 0
    tol : float >= 0
        Loss criterion ``loss - floor <= tol`` (docs/deep_linear.md).
    grad_tol : float >= 0 or None
        Gradient-norm criterion (default ``tol``).
    wd : float >= 0
        Weight decay: penalty ``(wd/2) sum_l ||W_l||_F^2``; requires ``lr * wd < 1``.
    method : {"gd", "flow"}
    reduced : bool
        Use the exact spectral engine (row-space basis, hidden subspaces, width-1 kernels;
        docs/deep_linear.md) instead of textbook full-dimensional GD.
    early_stop : bool
        Freeze instances once converged (GD only).
    flow_options : dict or None
        Extra keyword arguments for :func:`scipy.integrate.solve_ivp`.

    Returns
    -------
    TrainResult
    """
    if not isinstance(net, DeepLinearNet):
        raise ValueError(f"net={type(net).__name__} is invalid: expected a DeepLinearNet")
    _check_one_loss(beta_s, X, y, "give exactly one of (X, y) and beta_s", "X", "y")
    B = net.instances
    if beta_s is not None:
        beta_s = np.atleast_2d(np.asarray(beta_s, dtype=float))
        if beta_s.shape != (B, net.d) or not np.all(np.isfinite(beta_s)):
            raise ValueError(f"beta_s must be a finite array of shape {(B, net.d)}, got {beta_s.shape}")
    else:
        X, y = _as_data(X, y, net.d)
        if X.shape[0] != B:
            raise ValueError(f"X has {X.shape[0]} instances but the network has {B}")
    max_steps = check_int("max_steps", max_steps, 0)
    tol = check_real("tol", tol)
    grad_tol = tol if grad_tol is None else check_real("grad_tol", grad_tol)
    wd = check_real("wd", wd)
    method = _check_method(method)
    lr = _check_lr(lr, B)
    checked = False
    if reduced and method == "gd" and X is not None and X.shape[1] < X.shape[2]:
        found = _width_one(net.weights)
        if found is None:
            checked = True
        else:
            if _gram_pays(X):
                return _train_width1_gram(net, *found, X, y, lr, wd, max_steps, tol, grad_tol, early_stop)
            # ill-conditioned data: many steps ahead, the O(k)-per-step spectral width-1 kernel pays
    layers, w, loss, c0f, reconstruct, path = _frame(net, X, y, beta_s, bool(reduced), checked)
    if lr is None:
        lr = _auto_lr(net, X, y, beta_s, loss)
    if wd and np.any(lr * wd >= 1.0):
        raise ValueError(f"wd={wd!r} is invalid with lr={lr.max():g}: expected lr * wd < 1")
    if method == "gd" and path == "reduced-width1":
        out = run_width1(layers, w, loss, lr=lr, wd=wd, max_steps=max_steps, tol=tol, grad_tol=grad_tol,
                         early_stop=bool(early_stop), c0f=c0f)
    elif method == "gd":
        # lazy rank-one accumulation pays only for large layers; small (e.g. width-1) layers stay explicit
        stores = [_Lazy(a) if reduced and a.shape[1] * a.shape[2] > _LAZY_MIN else _Dense(a) for a in layers]
        out = _run_gd(stores, w, loss, lr=lr, wd=wd, max_steps=max_steps, tol=tol,
                      grad_tol=grad_tol, early_stop=bool(early_stop), c0f=c0f)
    else:
        out = _run_flow(layers, w, loss, lr=lr, wd=wd, max_steps=max_steps, tol=tol, grad_tol=grad_tol,
                        c0f=c0f if np.ndim(c0f) else np.zeros(B), options=flow_options)
    with np.errstate(over="ignore", invalid="ignore"):   # diverged instances are inf/nan and flagged below
        beta, build = reconstruct(out["layers"], out["w"], out["decay"])
    return TrainResult(beta=beta, _build=build, steps=out["steps"], time=out["time"], loss=out["excess"] + out["floor"],
                       floor=out["floor"], grad_norm=out["grad_norm"], converged=out["converged"],
                       diverged=out["diverged"], lr=lr, method=method, path=path,
                       info={"tol": tol, "grad_tol": grad_tol, "wd": wd, "max_steps": max_steps,
                             "early_stop": bool(early_stop)})


def _train_width1_gram(net, vs, W1v, X, y, lr, wd, max_steps, tol, grad_tol, early_stop):
    """``train`` for a balanced rank-one ``net`` and ``n < d``: the width-1 Gram kernel (no eigensolver)."""
    ws = net.weights
    vt = [np.swapaxes(v, 1, 2) for v in vs]
    x0 = W1v[..., 0]
    sig = [(vt[l - 1] @ ws[l] @ vs[l])[:, 0, 0] for l in range(1, net.depth - 1)]
    sig.append((vt[-1] @ ws[-1])[:, 0, 0])
    K = _gram(X)
    if lr is None:                        # the initial end-to-end vector is x0 prod(sigma): no d x m pass
        lr = _auto_lr(net, X, y, None, gram=K, beta=x0 * np.prod(np.stack(sig, axis=1), axis=1)[:, None])
    if wd and np.any(lr * wd >= 1.0):
        raise ValueError(f"wd={wd!r} is invalid with lr={lr.max():g}: expected lr * wd < 1")
    out = run_width1_gram(x0, np.stack(sig, axis=1), X, y, K, lr=lr, wd=wd, max_steps=max_steps, tol=tol,
                          grad_tol=grad_tol, early_stop=bool(early_stop))
    x, sg = out["x"], out["sig"]
    beta = x * np.prod(sg, axis=1)[:, None]

    def build():
        full = [x[:, :, None] @ vt[0]]
        for l in range(1, net.depth - 1):
            full.append(sg[:, l - 1, None, None] * (vs[l - 1] @ vt[l]))
        full.append(sg[:, -1, None, None] * vs[-1])
        return DeepLinearNet(tuple(full))
    return TrainResult(beta=beta, _build=build, steps=out["steps"], time=out["time"],
                       loss=out["excess"] + out["floor"], floor=out["floor"], grad_norm=out["grad_norm"],
                       converged=out["converged"], diverged=out["diverged"], lr=lr, method="gd",
                       path="reduced-width1-gram",
                       info={"tol": tol, "grad_tol": grad_tol, "wd": wd, "max_steps": max_steps,
                             "early_stop": bool(early_stop)})


def pretrain(beta_s=None, *, X_s=None, y_s=None, net=None, depth=2, width=None, alpha=None, lr=None,
             max_steps=20000, tol=1e-12, grad_tol=None, wd=0.0, seed=None, method="gd", reduced=True,
             flow_options=None) -> TrainResult:
    """Pretrain on the source task (docs/background.md §1.3, §2, §2.5).

    Give ``beta_s`` (shape ``(B, d)``) for the population loss ``||beta - beta_s||^2`` or ``(X_s, y_s)``
    for a finite source set. The network starts from ``net`` if given, else from
    :func:`init_network` with ``depth``, ``width``, ``alpha`` and ``seed``. The default ``tol`` is tight
    because pretraining errors propagate into fine-tuning.
    """
    _check_one_loss(beta_s, X_s, y_s, "give exactly one of beta_s (population source) and (X_s, y_s) (finite source)",
                    "X_s", "y_s")
    if beta_s is not None:
        beta_s = np.atleast_2d(np.asarray(beta_s, dtype=float))
        B, d = beta_s.shape
    else:
        X_s, y_s = _as_data(X_s, y_s)
        B, _, d = X_s.shape
    if net is None:
        net = init_network(d, depth=depth, width=width, alpha=alpha, instances=B, seed=seed)
    return train(net, X=X_s, y=y_s, beta_s=beta_s, lr=lr, max_steps=max_steps, tol=tol, grad_tol=grad_tol,
                 wd=wd, method=method, reduced=reduced, flow_options=flow_options)


def train_scratch(X, y, *, net=None, depth=2, width=None, alpha=None, lr=None, max_steps=10000, tol=1e-6,
                  grad_tol=None, wd=0.0, seed=None, method="gd", reduced=True, early_stop=True,
                  flow_options=None) -> TrainResult:
    """Train a freshly initialised network on the target data (scratch, docs/background.md §1.4, §3.1, §3.5).

    From a small initialisation, the end-to-end vector approaches the minimum-norm solution
    ``X^+ y`` (§3.1) as ``alpha -> 0``; with ``wd > 0`` it approaches a ridge-like solution (§3.5).
    """
    X, y = _as_data(X, y)
    if net is None:
        net = init_network(X.shape[2], depth=depth, width=width, alpha=alpha, instances=X.shape[0], seed=seed)
    return train(net, X=X, y=y, lr=lr, max_steps=max_steps, tol=tol, grad_tol=grad_tol, wd=wd, method=method,
                 reduced=reduced, early_stop=early_stop, flow_options=flow_options)


def finetune(net, X, y, *, lr=None, max_steps=10000, tol=1e-6, grad_tol=None, wd=0.0, method="gd",
             reduced=True, early_stop=True, flow_options=None) -> TrainResult:
    """Fine-tune all layers of a pretrained ``net`` on the target data (docs/background.md §1.4, §6).

    For ``n < d`` the null-space part ``(I - P) W_1`` stays frozen (§6.1; exactly, up to the factor
    ``prod (1 - lr wd)`` with weight decay).
    """
    return train(net, X=X, y=y, lr=lr, max_steps=max_steps, tol=tol, grad_tol=grad_tol, wd=wd, method=method,
                 reduced=reduced, early_stop=early_stop, flow_options=flow_options)


@single_blas_thread
def linear_transfer(net, X, y, *, lam=0.0, rcond=1e-3, rank=None) -> DeepLinearNet:
    """Refit the read-out on frozen features: ridge / least squares on ``F = X Phi`` (docs/background.md §4.1).

    Minimises ``(1/n)||y - F c||^2 + lam ||c||^2`` (§0.2 item 7) through the thin SVD
    ``F = U diag(s) V^T``: ``c = V diag(s / (s^2 + n lam)) U^T y`` restricted to the singular directions
    with ``s > rcond * s_max`` (or the ``rank`` largest). This is stable at ``lam = 0`` and ``n = d``
    (no explicit inverse, no ``1e-5`` ridge as in [CODE]).

    Parameters
    ----------
    net : DeepLinearNet
        Pretrained network; ``W_1 .. W_{L-1}`` are kept.
    X, y : arrays (B, n, d), (B, n)
    lam : float >= 0
    rcond : float in [0, 1)
        Relative singular-value cut-off. After pretraining from ``alpha``, ``Phi`` is rank one plus an
        ``O(alpha)`` residue (§2.3); the cut-off removes that residue so that ``lam = 0`` fits the single
        pretrained feature, as in the theory. The default ``1e-3`` suits ``alpha <~ 1e-4``; use
        ``rank=1`` to force exactly one feature.
    rank : int >= 1 or None
        Keep at most this many singular directions.

    Returns
    -------
    DeepLinearNet
        Same hidden layers, new read-out.
    """
    if not isinstance(net, DeepLinearNet):
        raise ValueError(f"net={type(net).__name__} is invalid: expected a DeepLinearNet")
    X, y = _as_data(X, y, net.d)
    lam = float(PARAMS["lam"].validate(lam))
    rcond = check_real("rcond", rcond, high=1.0 - 1e-16, domain="[0, 1)")
    if rank is not None:
        rank = check_int("rank", rank, 1)
    n = X.shape[1]
    F = X @ net.phi
    c = np.empty((X.shape[0], F.shape[2]))
    for i in range(X.shape[0]):
        U, s, Vt = np.linalg.svd(F[i], full_matrices=False)
        keep = s > rcond * s[0] if s.size and s[0] > 0 else np.zeros(s.shape, bool)
        if rank is not None:
            keep[rank:] = False
        filt = np.zeros_like(s)
        filt[keep] = s[keep] / (s[keep] ** 2 + n * lam)
        c[i] = Vt.T @ (filt * (U.T @ y[i]))
    return DeepLinearNet(net.weights[:-1] + (c[..., None],))
