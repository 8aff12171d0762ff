"""Batched full-batch gradient descent on both layers, in mean-field time, with its stopping rules.

Each neuron's parameters move with step ``lr * m`` times their gradient (the objectives of
:mod:`ftheory.simulate.relu.objectives` return gradients times ``m``), so ``lr`` is the step of the
mean-field dynamics of the neuron distribution and does not depend on the width::

    a_i <- a_i - lr * m * dL/da_i,       w_i <- w_i - lr * m * dL/dw_i .

Step-size control: a step that increases the objective by more than its rounding error
(``objective.rounding``), or makes it non-finite, is undone and that instance's ``lr`` halved; the
halvings and the final ``lr`` are recorded. The read-out's stability limit is about ``lr < 2 pi``
(largest eigenvalue of the per-neuron-scaled read-out Hessian ``(2/m) K ~ 1/pi``); the first layer
adds ``~ E[a^2] max(1, d/n)``.

Stopping (per instance, evaluated before each step):

* tolerance: the objective is ``<= tol * scale`` or the RMS over neurons of the per-neuron-scaled
  gradient is ``<= grad_tol * sqrt(scale)`` (``scale``: mean ``y^2``, or ``||g||^2`` for a
  population loss); with ``early_stop`` the instance is frozen and flagged converged;
* plateau (``plateau > 0``): at the checkpoints ``t_k = ceil(64 * 2^(k/2))`` a monitored risk
  ``R`` (``monitor(W, a)``: the exact population risk of the quantity reported; the objective itself
  when ``monitor`` is None) is recorded; when the rate ``|log(R(t_{k-1}) / R(t_k))| / log(t_k / t_{k-1})``
  is below ``plateau`` on two consecutive intervals (one slow interval can be a turning point of a
  risk that first falls and then rises, measured at d = 100, n = 3200) the instance is frozen and
  flagged ``plateaued`` (and converged): doubling the training time would change ``R`` by less than
  a factor ``2^plateau`` at the current rate;
* divergence: the step size fell below ``lr * 2**-40`` (flagged ``diverged``);
* budget: ``steps`` iterations (accepted or rejected).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ftheory.simulate.relu.network import ReluNet

__all__ = ["ReluTrainResult", "gradient_descent", "checkpoints"]

_MIN_LR_FACTOR = 2.0 ** -40
_INCREASE_RTOL = 1e-9      # a step may increase the objective by this relative amount (rounding) ...
_FIRST_CHECK = 64          # first plateau checkpoint


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
    plateaued : ndarray of bool (B,)
        Stopped by the plateau rule.
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
    plateaued: np.ndarray | None = None


def checkpoints(steps: int) -> list:
    """Iterations at which the plateau rule looks at the monitored risk: ``ceil(64 * 2^(k/2)) <= steps``."""
    out, k = [], 0
    while True:
        t = int(math.ceil(_FIRST_CHECK * 2.0 ** (k / 2)))
        if t > steps:
            return out
        out.append(t)
        k += 1


def _grad_rms(ga, gw):
    return np.sqrt(np.mean(ga * ga + np.sum(gw * gw, axis=2), axis=1))


def gradient_descent(objective, net: ReluNet, lr, steps, tol, grad_tol, early_stop, *, plateau=0.0,
                     monitor=None) -> ReluTrainResult:
    """Run GD on ``objective`` from ``net`` (validated inputs; see the module docstring).

    ``monitor``: None or an object with ``__call__(W, a) -> (B,)`` risks and ``take(idx)``.
    """
    B = net.instances
    W, a = net.weights.copy(), net.readout.copy()
    lr0 = float(lr)
    lr_all = np.full(B, lr0)
    n_steps = np.zeros(B, dtype=np.int64)
    halvings = np.zeros(B, dtype=np.int64)
    converged = np.zeros(B, dtype=bool)
    diverged = np.zeros(B, dtype=bool)
    plateaued = np.zeros(B, dtype=bool)
    loss_all = np.zeros(B)
    gnorm_all = np.zeros(B)
    scale_all = objective.scale.copy()
    checks = set(checkpoints(steps)) if plateau > 0 else set()
    last = {"t": None, "R": None, "rate": None}

    active = np.arange(B)
    obj, mon = objective, monitor
    Wa, aa, lra = W[active], a[active], lr_all[active]
    loss, ga, gw = obj(Wa, aa)
    atol = obj.rounding(W.shape[1])

    def store(sel):
        idx = active[sel]
        W[idx], a[idx], lr_all[idx] = Wa[sel], aa[sel], lra[sel]
        loss_all[idx] = loss[sel]
        gnorm_all[idx] = _grad_rms(ga[sel], gw[sel])

    for it in range(steps + 1):
        scale = obj.scale
        gn = _grad_rms(ga, gw)
        done = (loss <= tol * scale) | (gn <= grad_tol * np.sqrt(scale))
        dead = lra < lr0 * _MIN_LR_FACTOR
        flat = np.zeros_like(done)
        if it in checks:
            R = loss.copy() if mon is None else np.asarray(mon(Wa, aa), dtype=float)
            rate = None
            if last["R"] is not None:
                with np.errstate(divide="ignore", invalid="ignore"):
                    rate = np.abs(np.log(last["R"] / R)) / math.log(it / last["t"])
                rate = np.where(np.isfinite(rate), rate, np.inf)
                if last["rate"] is not None:   # two consecutive slow intervals: not a turning point
                    flat = (rate < plateau) & (last["rate"] < plateau)
            last["t"], last["R"], last["rate"] = it, R, rate
        stop = (done if early_stop else np.zeros_like(done)) | dead | flat
        if np.any(stop):
            store(stop)
            converged[active[stop & (done | flat)]] = True
            plateaued[active[stop & flat]] = True
            diverged[active[stop & dead & ~done & ~flat]] = True
            keep = ~stop
            active = active[keep]
            if active.size == 0:
                break
            obj = obj.take(keep)
            mon = None if mon is None else mon.take(keep)
            if last["R"] is not None:
                last["R"] = last["R"][keep]
            if last["rate"] is not None:
                last["rate"] = last["rate"][keep]
            Wa, aa, lra = Wa[keep], aa[keep], lra[keep]
            loss, ga, gw = loss[keep], ga[keep], gw[keep]
        if it == steps:
            break
        Wn = Wa - lra[:, None, None] * gw
        an = aa - lra[:, None] * ga
        with np.errstate(over="ignore", invalid="ignore"):
            ln, gan, gwn = obj(Wn, an)
        ok = np.isfinite(ln) & (ln <= loss * (1.0 + _INCREASE_RTOL) + atol * obj.scale)
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
                           lr_all, halvings, {"lr": lr0, "max_steps": steps, "tol": tol, "grad_tol": grad_tol,
                                              "plateau": plateau}, plateaued)
