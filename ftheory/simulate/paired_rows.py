"""Fine-tuning and linear transfer along a row of angles: one target draw shared by every theta.

The angle ``theta`` only enters through the source teacher: per instance the target teacher, the target
data, the scratch initialisation and (finite source) the source inputs and noise are drawn once, and each
theta gets the source teacher ``beta_s = cos(theta) beta_t + sin(theta) v`` (``v`` a random unit vector
orthogonal to ``beta_t``, also drawn once). The pair ``(beta_s, beta_t)`` is then uniform at angle
theta, as in :func:`ftheory.simulate.data.teachers`, so every per-theta mean has the law of the
per-point simulators (:mod:`ftheory.simulate.paired`); the instances are shared along the row (common
random numbers), which is why scratch training, the expensive part, runs once per instance instead
of once per (instance, theta); it is also memoised per instance within a process (:func:`_scratch`), so
sweeps with the same seeds (map and slices, the finite-source rows) train each scratch network once.

* :func:`simulate_finetune_rows` - scratch and fine-tuning by gradient descent and linear transfer, with
  the null-space gaps of :func:`ftheory.simulate.paired.simulate_finetune_paired`.
* :func:`simulate_lt_finite_source_rows` - min-norm scratch and linear transfer from a finite source
  set, the quantities of :func:`ftheory.simulate.paired.simulate_lt_finite_source_paired`.
"""
from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from types import SimpleNamespace

import numpy as np

from ftheory.simulate.gamma import n_from_gamma, takes_gamma
from ftheory._checks import check_int, check_real
from ftheory.mc.batch import inner, sq_dist
from ftheory.mc.estimate import MCEstimate
from ftheory.mc.seeds import spawn_seeds
from ftheory.mc.threads import single_blas_thread
from ftheory.params import PARAMS
from ftheory.simulate.deep_linear import finetune, init_network, pretrain, train_scratch
from ftheory.simulate.deep_linear.network import DeepLinearNet
from ftheory.simulate.deep_linear.rank_one import finetune_rank_one
from ftheory.simulate.linear import linear_transfer_readout, min_norm
from ftheory.simulate.paired import gradient_flow_scale
from ftheory.simulate.rowkeys import row_key  # quantity at the j-th angle: "T_ft:2"

__all__ = ["simulate_finetune_rows", "simulate_lt_finite_source_rows", "row_key", "ROW_QUANTITIES"]

#: quantities of :func:`simulate_finetune_rows` per angle (the last five only for n < d)
ROW_QUANTITIES = ("T_ft", "T_lt", "gap_paper", "gap_cmodel", "gd_minus_gf", "c_gd", "c_model")


def _check_thetas(thetas):
    try:
        vals = [float(PARAMS["theta"].validate(t)) for t in thetas]
    except TypeError:
        raise ValueError(f"thetas={thetas!r} is invalid: expected a non-empty list of angles in [0, pi]") from None
    if not vals:
        raise ValueError(f"thetas={thetas!r} is invalid: expected a non-empty list of angles in [0, pi]")
    return vals


def _unit_pair(rng, d):
    """A unit vector and a unit vector orthogonal to it (the draw of :func:`teachers`)."""
    g = rng.standard_normal((2, d))
    u = g[0] / np.linalg.norm(g[0])
    v = g[1] - (g[1] @ u) * u
    return u, v / np.linalg.norm(v)


def _draw_row(rng, n, d, sigma, n_s, depth, with_init, with_pre):
    """One instance: target teacher, orthogonal direction, target data, scratch init, source inputs and
    noise, pretraining init - in this order."""
    beta_t, v = _unit_pair(rng, d)
    X = rng.standard_normal((n, d))
    y = X @ beta_t + (sigma * rng.standard_normal(n) if sigma > 0 else 0.0)
    out = {"beta_t": beta_t, "v": v, "X": X, "y": y}
    if with_init:
        out["w_sc"] = init_network(d, depth=depth, seed=rng).weights
    if n_s is not None:
        out["X_s"], out["xi_s"] = rng.standard_normal((n_s, d)), rng.standard_normal(n_s)
    if with_pre:
        out["w_pre"] = init_network(d, depth=depth, seed=rng).weights
    return out


def _stack(rows, key):
    return np.stack([r[key] for r in rows])


class _Sources:
    """The source side of a row: ``beta_s(theta)`` and, with source inputs, the fit ``X_s^+ y_s``.

    ``y_s = X_s beta_s(theta) + sigma_s xi_s`` is linear in ``(cos theta, sin theta, sigma_s)``, so the
    minimum-norm / least-squares fit is ``cos(theta) X_s^+ X_s beta_t + sin(theta) X_s^+ X_s v +
    sigma_s X_s^+ xi_s``: three solves per instance for the whole row.
    """

    def __init__(self, rows, sigma_s):
        self.beta_t, self.v = _stack(rows, "beta_t"), _stack(rows, "v")
        self.X_s = _stack(rows, "X_s") if "X_s" in rows[0] else None
        if self.X_s is not None:
            self.fits = [min_norm(self.X_s, np.einsum("bnd,bd->bn", self.X_s, b)) for b in (self.beta_t, self.v)]
            self.fits.append(sigma_s * min_norm(self.X_s, _stack(rows, "xi_s")))
        self.sigma_s = sigma_s
        self.xi_s = _stack(rows, "xi_s") if self.X_s is not None else None

    def teacher(self, theta):
        return math.cos(theta) * self.beta_t + math.sin(theta) * self.v

    def data(self, theta):
        """``(X_s, y_s)`` at angle ``theta``."""
        return self.X_s, np.einsum("bnd,bd->bn", self.X_s, self.teacher(theta)) + self.sigma_s * self.xi_s

    def fit(self, theta):
        """``beta_s(theta)`` (population source) or ``X_s^+ y_s``."""
        if self.X_s is None:
            return self.teacher(theta)
        a, b, c = self.fits
        return math.cos(theta) * a + math.sin(theta) * b + c


def _row_space_basis(X):
    """Orthonormal basis (B, d, n) of the row space of each ``X`` (n < d), for ``P v = Q Q^T v``."""
    return np.linalg.qr(np.swapaxes(X, 1, 2))[0]


_SCRATCH_MEMO: "OrderedDict[bytes, tuple]" = OrderedDict()
_SCRATCH_MEMO_SIZE = 4096     # instances kept (one end-to-end vector each: ~16 MB at d = 500)


def _scratch(X, y, net, max_steps):
    """``train_scratch(X, y, net=net, max_steps=max_steps)``'s ``(beta, steps, converged)``, per instance
    memoised on the exact bytes of the instance's data and initial weights.

    Scratch GD does not depend on theta or on the source, so the rows of the map and of the slices and
    the finite-source rows (same seeds, same target draws) repeat it. Every instance is trained on its
    own (batched GD runs instances independently, each with its own automatic step and early stop), so
    a stored instance is the same computation; it is reused when its ``max_steps`` equals the request or
    it stopped (converged or diverged) before both budgets.
    """
    B = X.shape[0]
    keys = []
    for i in range(B):
        h = hashlib.blake2b(digest_size=20)
        for a in (X[i], y[i], *(W[i] for W in net.weights)):
            h.update(np.ascontiguousarray(a).tobytes())
        keys.append(h.digest())
    hit = [None] * B
    for i, key in enumerate(keys):
        rec = _SCRATCH_MEMO.get(key)
        if rec is not None and (rec[4] == max_steps or (rec[3] and rec[1] < min(rec[4], max_steps))):
            hit[i] = rec
    todo = [i for i in range(B) if hit[i] is None]
    if todo:
        sub = DeepLinearNet(tuple(W[todo] for W in net.weights))
        sc = train_scratch(X[todo], y[todo], net=sub, max_steps=max_steps)
        for t, i in enumerate(todo):
            hit[i] = (sc.beta[t].copy(), int(sc.steps[t]), bool(sc.converged[t]),
                      bool(sc.converged[t] or sc.diverged[t]), max_steps)
            _SCRATCH_MEMO[keys[i]] = hit[i]
            _SCRATCH_MEMO.move_to_end(keys[i])
        while len(_SCRATCH_MEMO) > _SCRATCH_MEMO_SIZE:
            _SCRATCH_MEMO.popitem(last=False)
    return SimpleNamespace(beta=np.stack([r[0] for r in hit]), steps=np.array([r[1] for r in hit]),
                           converged=np.array([r[2] for r in hit]))


@takes_gamma()
@single_blas_thread
def simulate_finetune_rows(n, d, sigma, *, thetas, gamma_s=None, sigma_s=0.0, depth=2, instances=8, seed=None,
                           max_steps=10000, ft_lr_factor=1.0, pretrained="balanced") -> dict:
    """Scratch, linear transfer and fine-tuning by GD at every angle of ``thetas``, on shared target draws.

    Per instance one target task and one scratch run; per angle the source teacher at that angle
    (module docstring), the pretrained network, fine-tuning by GD from it (all layers, automatic step
    times ``ft_lr_factor``) and linear transfer (read-out refit on the pretrained feature, docs/background.md
    §4.1). ``pretrained="balanced"`` takes the exactly balanced rank-one network with end-to-end vector
    ``beta_s`` (population source) or the minimum-norm / least-squares fit ``X_s^+ y_s`` of
    ``round(gamma_s d)`` source samples with noise ``sigma_s``: the ``alpha -> 0`` limit of GD
    pretraining from the small initialisation (docs/background.md §2.3-§2.5), which fine-tunes by the
    width-1 dynamics. ``pretrained="gd"`` pretrains by GD from the small initialisation instead (the
    authors' protocol at finite ``alpha``; slower, same limit).

    Returns
    -------
    dict of MCEstimate
        Keys ``row_key(q, j)`` for ``q`` in :data:`ROW_QUANTITIES` and the ``j``-th angle, with the
        meanings of :func:`ftheory.simulate.paired.simulate_finetune_paired`: ``T_ft``, ``T_lt`` (``R_sc -
        R_tx``); for ``n < d`` the paired null-space gaps ``gap_paper``, ``gap_cmodel``,
        ``gd_minus_gf`` and the scales ``c_gd``, ``c_model``. ``converged``: scratch and fine-tuning
        (and GD pretraining) met the criterion.
    """
    thetas = _check_thetas(thetas)
    n, d = int(PARAMS["n"].validate(n)), int(PARAMS["d"].validate(d))
    d = check_int("d", d, 2, note="two teachers at an angle need d >= 2")
    sigma, sigma_s = float(PARAMS["sigma"].validate(sigma)), float(PARAMS["sigma_s"].validate(sigma_s))
    depth = int(PARAMS["depth"].validate(depth))
    instances = check_int("instances", instances)
    ft_lr_factor = check_real("ft_lr_factor", ft_lr_factor, 0.0, low_open=True, domain="(0, inf)")
    if pretrained not in ("balanced", "gd"):
        raise ValueError(f"pretrained={pretrained!r} is invalid: expected 'balanced' or 'gd'")
    if gamma_s is not None:
        PARAMS["gamma_s"].validate(gamma_s)
    n_s = None if gamma_s is None else n_from_gamma(gamma_s, d, name="gamma_s", count="n_s")
    rows = [_draw_row(np.random.default_rng(c), n, d, sigma, n_s, depth, True, pretrained == "gd")
            for c in spawn_seeds(seed, instances)]
    X, y, beta_t = _stack(rows, "X"), _stack(rows, "y"), _stack(rows, "beta_t")

    def stack_net(key):
        return DeepLinearNet(tuple(np.concatenate([r[key][l] for r in rows]) for l in range(depth)))
    sc = _scratch(X, y, stack_net("w_sc"), max_steps)
    r_sc = sq_dist(sc.beta, beta_t)
    below = n < d
    if below:
        Q = _row_space_basis(X)
        null = lambda v: v - np.einsum("bdn,bn->bd", Q, np.einsum("bdn,bd->bn", Q, v))  # noqa: E731
        b_mn, null_t = min_norm(X, y), null(beta_t)
    src = _Sources(rows, sigma_s)
    out = {}
    if pretrained == "balanced":          # every angle at once: one spectral basis per instance
        b_pres = np.stack([src.fit(theta) for theta in thetas])
        fts = finetune_rank_one(b_pres, X, y, depth=depth, lr_factor=ft_lr_factor, max_steps=max_steps)
    for j, theta in enumerate(thetas):
        if pretrained == "balanced":
            b_pre, conv_pre = b_pres[j], np.ones(instances, dtype=bool)
            ft = SimpleNamespace(beta=fts.beta[j], steps=fts.steps[j], converged=fts.converged[j], path=fts.path)
        else:
            if src.X_s is None:
                pre = pretrain(src.teacher(theta), net=stack_net("w_pre"))
            else:
                X_s, y_s = src.data(theta)
                pre = pretrain(X_s=X_s, y_s=y_s, net=stack_net("w_pre"))
            net, b_pre, conv_pre = pre.net, pre.beta, pre.converged
            ft_lr = None if ft_lr_factor == 1.0 else ft_lr_factor * finetune(net, X, y, max_steps=0).lr
            ft = finetune(net, X, y, max_steps=max_steps, lr=ft_lr)
        conv = conv_pre & sc.converged & ft.converged
        info = {"n": n, "d": d, "theta": theta, "sigma": sigma, "pretrained": pretrained,
                "max_steps_ft": int(ft.steps.max()), "max_steps_sc": int(sc.steps.max()), "path_ft": ft.path}
        out[row_key("T_ft", j)] = MCEstimate(r_sc - sq_dist(ft.beta, beta_t), conv, info)
        out[row_key("T_lt", j)] = MCEstimate(r_sc - sq_dist(linear_transfer_readout(X, y, b_pre), beta_t),
                                             conv_pre & sc.converged, info)
        if below:
            null_pre, null_ft = null(b_pre), null(ft.beta)
            c = gradient_flow_scale(b_pre, null_pre, b_mn, depth)
            r_paper, r_ft_null, r_gf = (sq_dist(v, null_t) for v in (null_pre, null_ft, c[:, None] * null_pre))
            out[row_key("gap_paper", j)] = MCEstimate(r_paper - r_ft_null, conv, info)
            out[row_key("gap_cmodel", j)] = MCEstimate(r_paper - r_gf, conv, info)
            out[row_key("gd_minus_gf", j)] = MCEstimate(r_gf - r_ft_null, conv, info)
            out[row_key("c_gd", j)] = MCEstimate(inner(null_ft, null_pre) / sq_dist(null_pre), conv, info)
            out[row_key("c_model", j)] = MCEstimate(c, conv, info)
    return out


@takes_gamma()
@single_blas_thread
def simulate_lt_finite_source_rows(n, d, sigma, gamma_s, sigma_s, *, thetas, instances=30, seed=None) -> dict:
    """Min-norm scratch and linear transfer from ``beta_hat_s = X_s^+ y_s`` at every angle of ``thetas``.

    Shared per instance (module docstring): target teacher and data, source inputs and noise; the
    scratch fit ``X^+ y`` is computed once.

    Returns
    -------
    dict of MCEstimate
        Keys ``row_key(q, j)`` for ``q`` in ``"sc"``, ``"lt"``, ``"T_lt"``, ``"cos2_eff"``, the quantities of
        :func:`ftheory.simulate.paired.simulate_lt_finite_source_paired`.
    """
    thetas = _check_thetas(thetas)
    n, d = int(PARAMS["n"].validate(n)), int(PARAMS["d"].validate(d))
    d = check_int("d", d, 2, note="two teachers at an angle need d >= 2")
    sigma, sigma_s = float(PARAMS["sigma"].validate(sigma)), float(PARAMS["sigma_s"].validate(sigma_s))
    instances = check_int("instances", instances)
    PARAMS["gamma_s"].validate(gamma_s)
    n_s = n_from_gamma(gamma_s, d, name="gamma_s", count="n_s")
    rows = [_draw_row(np.random.default_rng(c), n, d, sigma, n_s, 2, False, False)
            for c in spawn_seeds(seed, instances)]
    X, y, beta_t = _stack(rows, "X"), _stack(rows, "y"), _stack(rows, "beta_t")
    r_sc = sq_dist(min_norm(X, y), beta_t)
    info = {"n": n, "d": d, "sigma": sigma, "gamma_s": float(gamma_s), "sigma_s": sigma_s, "n_s": n_s}
    src = _Sources(rows, sigma_s)
    out = {}
    for j, theta in enumerate(thetas):
        beta_hat = src.fit(theta)
        r_lt = sq_dist(linear_transfer_readout(X, y, beta_hat), beta_t)
        inf = {**info, "theta": theta}
        out[row_key("sc", j)] = MCEstimate(r_sc, info=inf)
        out[row_key("lt", j)] = MCEstimate(r_lt, info=inf)
        out[row_key("T_lt", j)] = MCEstimate(r_sc - r_lt, info=inf)
        out[row_key("cos2_eff", j)] = MCEstimate(inner(beta_hat, beta_t) ** 2 / sq_dist(beta_hat), info=inf)
    return out
