"""Batched gradient descent and gradient flow on a chain of layers with a quadratic loss of ``beta``.

Every layer gradient is rank one, ``grad W_l = u_{l-1} b_{l+1}^T`` (docs/background.md §2.1); layers
are stored explicitly (:class:`_Dense`, the textbook reference) or lazily (:class:`_Lazy`).
"""
from __future__ import annotations

import math

import numpy as np

_BLOCK = 32              # lazy rank-one accumulation: fold the history every _BLOCK steps
_DIVERGED = 1e20         # loss above which a run is declared diverged


def _met(excess, gnorm, J, J0, tol, grad_tol):
    """The convergence criterion (docs/deep_linear.md): ``excess <= tol``, or ``|grad J| <= grad_tol``
    once the objective has decreased by ``tol`` from its start ``J0``."""
    return (excess <= tol) | ((gnorm <= grad_tol) & (J <= J0 - tol))


def _stop_rule(excess, gsq, J, J0, tol, grad_tol, early_stop, active, diverged, done):
    """One GD check, shared by every GD kernel: flags a non-finite or blown-up loss as diverged, applies
    :func:`_met` and (``early_stop``) freezes converged instances. Updates ``active``, ``diverged``
    and ``done`` in place; returns ``(conv, gnorm)``."""
    gnorm = np.sqrt(gsq)
    # non-finite loss or gradient (both >= 0, so their sum is finite iff both are), or blow-up
    bad = ~(np.isfinite(excess + gsq) & (excess <= _DIVERGED))
    diverged |= bad & active
    conv = ~bad & _met(excess, gnorm, J, J0, tol, grad_tol)
    if early_stop:
        done |= conv & active
        active &= ~conv
    active &= ~diverged
    return conv, gnorm


class _Dense:
    """Explicit matrix layer, updated as ``W <- W - eta (u v^T + wd W)`` (textbook GD)."""

    def __init__(self, arr):
        self.a = np.array(arr, dtype=float)

    def mv(self, x):
        return (self.a @ x[..., None])[..., 0]

    def rmv(self, y):
        return (y[:, None, :] @ self.a)[:, 0]

    def fro2(self):
        return np.einsum("bij,bij->b", self.a, self.a)

    def update(self, rho, eta, u, v, wd, Wv=None):
        # W - eta (u v^T + wd W) = (1 - eta wd) W - eta u v^T
        if wd:
            self.a *= rho[:, None, None]
        self.a -= (eta[:, None] * u)[:, :, None] * v[:, None, :]

    def array(self):
        return self.a


class _Lazy:
    """Matrix layer stored as ``f (base - sum_j U_j V_j^T)``; the history is folded every _BLOCK steps."""

    def __init__(self, arr, block=_BLOCK):
        self.base = np.array(arr, dtype=float)
        B, a, b = self.base.shape
        self.f = np.ones(B)
        self.U = np.empty((B, block, a))
        self.V = np.empty((B, block, b))
        self.j = 0
        self.block = block
        self._fro2 = np.einsum("bij,bij->b", self.base, self.base)

    def mv(self, x):
        y = self.base @ x[..., None]
        if self.j:
            j = self.j
            y -= np.swapaxes(self.U[:, :j], 1, 2) @ (self.V[:, :j] @ x[..., None])
        return self.f[:, None] * y[..., 0]

    def rmv(self, y):
        out = y[:, None, :] @ self.base
        if self.j:
            j = self.j
            out -= (y[:, None, :] @ np.swapaxes(self.U[:, :j], 1, 2)) @ self.V[:, :j]
        return self.f[:, None] * out[:, 0]

    def fro2(self):
        return self._fro2

    def update(self, rho, eta, u, v, wd, Wv):
        # W <- rho W - eta u v^T ;  ||W||_F^2 updated by the exact identity (only needed when wd > 0)
        if wd:
            self._fro2 = (rho * rho * self._fro2 - 2 * rho * eta * np.einsum("bi,bi->b", u, Wv)
                          + eta * eta * np.einsum("bi,bi->b", u, u) * np.einsum("bi,bi->b", v, v))
        self.f = self.f * rho
        self.U[:, self.j] = (eta / self.f)[:, None] * u
        self.V[:, self.j] = v
        self.j += 1
        if self.j == self.block:
            self.flush()

    def flush(self):
        if self.j:
            j = self.j
            self.base -= np.swapaxes(self.U[:, :j], 1, 2) @ self.V[:, :j]
            self.j = 0
        if np.any(self.f != 1.0):
            self.base *= self.f[:, None, None]
            self.f = np.ones_like(self.f)
        self._fro2 = np.einsum("bij,bij->b", self.base, self.base)

    def array(self):
        self.flush()
        return self.base


def _forward_backward(layers, w, loss):
    """Forward vectors ``b_l`` (b[0] = beta), backward vectors ``u_l`` (u[0] = G), loss excess."""
    bs = [w]
    for M in reversed(layers):
        bs.append(M.mv(bs[-1]))
    bs.reverse()             # bs[l] = b_{l+1} in 1-based notation: bs[0] = beta, bs[-1] = w
    excess, G = loss(bs[0])
    us = [G]
    for M in layers:
        us.append(M.rmv(us[-1]))  # us[l] = u_l
    return bs, us, excess


def _grad_sq_and_penalty(layers, w, bs, us, wd, extra_fro2):
    """Squared gradient norm of the full objective and the sum of squared Frobenius norms."""
    gsq = np.zeros(w.shape[0])
    fro = np.zeros(w.shape[0]) + extra_fro2
    for l, M in enumerate(layers):
        u, bnext, bl = us[l], bs[l + 1], bs[l]
        uu = np.einsum("bi,bi->b", u, u)
        vv = np.einsum("bi,bi->b", bnext, bnext)
        gsq += uu * vv
        if wd:
            f2 = M.fro2()
            fro += f2
            gsq += 2 * wd * np.einsum("bi,bi->b", u, bl) + wd * wd * f2
    u = us[-1]
    gsq += np.einsum("bi,bi->b", u, u)
    if wd:
        ww = np.einsum("bi,bi->b", w, w)
        fro += ww
        gsq += 2 * wd * np.einsum("bi,bi->b", u, w) + wd * wd * ww
        gsq += wd * wd * extra_fro2
    return np.maximum(gsq, 0.0), fro


def _run_gd(layers, w, loss, *, lr, wd, max_steps, tol, grad_tol, early_stop, c0f):
    """Batched gradient descent; returns final (layers, w, decay) and per-instance diagnostics."""
    B = w.shape[0]
    w = np.array(w, dtype=float)
    decay = np.ones(B)
    steps = np.zeros(B, dtype=np.int64)
    active = np.ones(B, dtype=bool)
    diverged = np.zeros(B, dtype=bool)
    done = np.zeros(B, dtype=bool)      # frozen because converged (sticky)
    J0 = None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for t in range(max_steps + 1):
            bs, us, excess = _forward_backward(layers, w, loss)
            extra = decay * decay * c0f
            gsq, fro = _grad_sq_and_penalty(layers, w, bs, us, wd, extra)
            J = excess + loss.floor + 0.5 * wd * fro
            if J0 is None:
                J0 = J.copy()
            conv, gnorm = _stop_rule(excess, gsq, J, J0, tol, grad_tol, early_stop, active, diverged, done)
            if t == max_steps or not active.any():
                break
            eta = np.where(active, lr, 0.0)
            rho = 1.0 - eta * wd
            for l, M in enumerate(layers):
                M.update(rho, eta, us[l], bs[l + 1], wd, bs[l])
            if wd:
                w = w - eta[:, None] * (us[-1] + wd * w)
            else:
                w = w - eta[:, None] * us[-1]
            decay = decay * rho
            steps += active
    return dict(layers=[M.array() for M in layers], w=w, decay=decay, steps=steps,
                time=steps * lr, excess=excess, floor=loss.floor.copy(), grad_norm=gnorm,
                converged=(conv | done) & ~diverged, diverged=diverged)


def _run_flow(layers, w, loss, *, lr, wd, max_steps, tol, grad_tol, c0f, options):
    """Gradient flow, instance by instance, with scipy.integrate.solve_ivp."""
    from scipy.integrate import solve_ivp

    opts = {"method": "DOP853", "rtol": 1e-10, "atol": 1e-13}
    opts.update(options or {})
    B = w.shape[0]
    shapes = [a.shape[1:] for a in layers] + [w.shape[1:]]
    sizes = [int(np.prod(s)) for s in shapes]
    out_layers = [np.empty_like(a) for a in layers]
    out_w = np.empty_like(w)
    res = {k: np.zeros(B) for k in ("decay", "time", "excess", "grad_norm")}
    steps = np.zeros(B, dtype=np.int64)
    converged = np.zeros(B, dtype=bool)
    diverged = np.zeros(B, dtype=bool)

    def unpack(vec):
        parts, pos = [], 0
        for shp, sz in zip(shapes, sizes):
            parts.append(vec[pos:pos + sz].reshape((1,) + shp))
            pos += sz
        return [_Dense(p) for p in parts[:-1]], parts[-1]

    for i in range(B):
        li = loss.take(i)
        c0 = float(c0f[i]) if np.ndim(c0f) else float(c0f)
        y0 = np.concatenate([a[i].ravel() for a in layers] + [w[i].ravel()])

        def rhs(t, vec):
            Ms, wv = unpack(vec)
            bs, us, _ = _forward_backward(Ms, wv, li)
            grads = [(us[l][:, :, None] * bs[l + 1][:, None, :] + wd * Ms[l].a).ravel()
                     for l in range(len(Ms))]
            grads.append((us[-1] + wd * wv).ravel())
            return -np.concatenate(grads)

        def event(t, vec):
            Ms, wv = unpack(vec)
            bs = [wv]
            for M in reversed(Ms):
                bs.append(M.mv(bs[-1]))
            return float(li(bs[-1])[0][0]) - tol

        event.terminal = True
        event.direction = -1
        Ms0, wv0 = unpack(y0)
        bs0, us0, excess0 = _forward_backward(Ms0, wv0, li)
        J0 = excess0[0] + 0.5 * wd * _grad_sq_and_penalty(Ms0, wv0, bs0, us0, wd, c0)[1][0]

        def grad_event(t, vec):
            # stopping rule on the gradient: |grad J| <= grad_tol once J has decreased by tol (continuous
            # in t, so the solver locates the first time both hold)
            Ms, wv = unpack(vec)
            bs, us, exc = _forward_backward(Ms, wv, li)
            dec = math.exp(-wd * t)
            gsq, fro = _grad_sq_and_penalty(Ms, wv, bs, us, wd, dec * dec * c0)
            J = exc[0] + li.floor[0] + 0.5 * wd * fro[0]
            return max(math.sqrt(gsq[0]) - grad_tol, J - (J0 + li.floor[0] - tol))

        grad_event.terminal = True
        grad_event.direction = -1
        t_end = float(lr[i]) * max_steps
        if excess0[0] <= tol or t_end == 0.0:      # nothing to integrate
            sol = None
            t_final, y_final, nsteps, status = 0.0, y0, 0, 1 if excess0[0] <= tol else 0
        else:
            with np.errstate(over="ignore", invalid="ignore"):
                sol = solve_ivp(rhs, (0.0, t_end), y0, events=[event, grad_event], **opts)
            t_final, y_final, nsteps, status = sol.t[-1], sol.y[:, -1], len(sol.t) - 1, sol.status
        Ms, wv = unpack(y_final)
        dec = math.exp(-wd * t_final)
        bs, us, excess = _forward_backward(Ms, wv, li)
        gsq, fro = _grad_sq_and_penalty(Ms, wv, bs, us, wd, dec * dec * c0)
        J = excess[0] + 0.5 * wd * fro[0]
        for l, M in enumerate(Ms):
            out_layers[l][i] = M.a[0]
        out_w[i] = wv[0]
        res["decay"][i], res["time"][i] = dec, t_final
        res["excess"][i], res["grad_norm"][i] = excess[0], math.sqrt(gsq[0])
        steps[i] = nsteps
        blown = (not np.isfinite(excess[0])) or excess[0] > _DIVERGED
        diverged[i] = blown
        # status 1: the loss event fired, i.e. the loss reached floor + tol (up to the root finder)
        converged[i] = status >= 0 and not blown and (
            status == 1 or bool(_met(excess[0], res["grad_norm"][i], J, J0, tol, grad_tol)))
    return dict(layers=out_layers, w=out_w, decay=res["decay"], steps=steps, time=res["time"],
                excess=res["excess"], floor=loss.floor.copy(), grad_norm=res["grad_norm"],
                converged=converged, diverged=diverged)
