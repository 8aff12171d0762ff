"""Monte Carlo driver of the ReLU transfer experiment over an ``(mu, n)`` grid (docs/background.md §10, Fig. 3e).

Per instance: one target teacher; one pretraining per ``mu`` (source = teacher minus the first
``floor(mu m*)`` neurons of its removal order), all from the same initialisation; one scratch run
per ``n`` (same initialisation for every ``n``) on nested data; linear transfer and (optionally)
fine-tuning per ``(mu, n)``. Pretraining is batched over (instance, ``mu``) pairs in chunks that
bound the memory, scratch training over instances.

Seeds: ``seed`` is split into one child per instance (:func:`~ftheory.simulate._random.spawn_seeds`);
each child is split into streams for (0) the teacher and the removal order, (1) the pretraining
initialisation (shared by all ``mu``), (2) the target inputs, (3) the target noise, (4) the scratch
initialisation (shared by all ``n``), (5) the finite source sample when ``source`` is an integer.
The data at ``n`` are the first ``n`` rows of one draw, so the samples of an instance depend neither
on the grids nor on the number of instances.

Checkpoints: with ``checkpoint=DIR`` every finished stage (a pretraining chunk, one ``n``) is written
to ``DIR`` and a rerun with the same settings, grids and seed resumes from there (a killed
paper-scale run loses at most one stage). Every simulator runs with one BLAS thread
(:mod:`ftheory.simulate._threads`).
"""
from __future__ import annotations

import hashlib
import json
import os
import time

import numpy as np

from ftheory._checks import check_int
from ftheory.relu.projection import project_onto_span, teacher_projection
from ftheory.simulate._random import check_seed, spawn_seeds
from ftheory.simulate._threads import single_blas_thread
from ftheory.simulate.relu.gd import gradient_descent
from ftheory.simulate.relu.network import (ReluFunction, ReluNet, ReluTeacher, _draw_teacher_one, _unit_rows, norm_sq,
                                           risk)
from ftheory.simulate.relu.objectives import EmpiricalLoss, PopulationLoss
from ftheory.simulate.relu.procedures import RiskMonitor, refit_readout
from ftheory.simulate.relu.result import ReluTransferResult
from ftheory.simulate.relu.spec import ReluSpec, check_grid, check_mu, kept_count

__all__ = ["simulate_relu_transfer", "simulate_relu_scratch", "simulate_relu"]

#: Pair-kernel entries ``(pairs) x m x (m + |S|)`` held at once by population pretraining (memory bound).
PAIR_ENTRIES = 10_000_000
#: Activation entries ``(instances) x n x m`` held at once by gradient descent on samples (memory bound;
#: batches of huge arrays are memory-bandwidth bound, measured slower per instance at n = 3200, m = 1000).
SAMPLE_ENTRIES = 4_000_000


def _streams(child: np.random.SeedSequence):
    return [np.random.default_rng(s) for s in child.spawn(6)]


class _Checkpoints:
    """Stage results as ``.npz`` files in a directory keyed by the run (no-op without a directory)."""

    def __init__(self, folder, key_data):
        self.folder = None
        if folder is not None:
            key = hashlib.sha256(json.dumps(key_data, sort_keys=True, default=str).encode()).hexdigest()[:16]
            self.folder = os.path.join(os.fspath(folder), key)
            os.makedirs(self.folder, exist_ok=True)

    def load(self, name):
        if self.folder is None:
            return None
        path = os.path.join(self.folder, name + ".npz")
        try:
            with np.load(path, allow_pickle=False) as z:
                return {k: z[k] for k in z.files}
        except (OSError, ValueError, KeyError):
            return None

    def save(self, name, **arrays):
        if self.folder is not None:
            path = os.path.join(self.folder, name + ".npz")
            tmp = path + ".tmp.npz"
            np.savez(tmp, **arrays)
            os.replace(tmp, path)


def _check_memory(spec: ReluSpec, n_max: int) -> None:
    """Refuse up front a run whose target inputs alone (instances x n x d floats) exceed the physical memory."""
    need = 8.0 * spec.instances * n_max * (spec.d + 2)
    try:
        have = float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return
    if need > have:
        raise ValueError(f"n={n_max} is too large: the target inputs of {spec.instances} instances need about "
                         f"{need / 2 ** 30:.3g} GiB (instances x n x d floats), this machine has "
                         f"{have / 2 ** 30:.3g} GiB")


def _draw(spec: ReluSpec, streams, n_max):
    """Teachers, pretraining and scratch initialisations, target data (per instance, own streams)."""
    _check_memory(spec, n_max)
    d, m = spec.d, spec.m
    parts = [_draw_teacher_one(s[0], d, spec.m_star) for s in streams]
    teacher = ReluTeacher(*(np.stack(p) for p in zip(*parts)))
    pre_init = ReluNet(np.stack([_unit_rows(s[1], (m, d)) for s in streams]),
                       np.stack([spec.readout_scale * s[1].standard_normal(m) for s in streams]))
    X_all = np.stack([s[2].standard_normal((n_max, d)) for s in streams])
    noise = np.stack([s[3].standard_normal(n_max) for s in streams])
    sc_init = ReluNet(np.stack([_unit_rows(s[4], (m, d)) for s in streams]),
                      np.stack([spec.readout_scale * s[4].standard_normal(m) for s in streams]))
    y_all = teacher.target(X_all) + spec.sigma * noise
    return teacher, pre_init, sc_init, X_all, y_all


def _pretrain(spec: ReluSpec, teacher, pre_init, mus, streams, ckpt, say):
    """Pretrain every (instance, mu) pair; returns weights (I, M, m, d), read-outs (I, M, m) and run stats."""
    I, M, m, d = spec.instances, len(mus), spec.m, spec.d
    sources = [teacher.source(mu) for mu in mus]
    p = max(src.weights.shape[1] for src in sources)
    if spec.source != "population":
        Xs = np.stack([s[5].standard_normal((spec.source, d)) for s in streams])
        per = m * (spec.source + m)
    else:
        per = m * (m + p)
    chunk = max(1, min(I * M, PAIR_ENTRIES // per))
    W = np.empty((I * M, m, d))
    a = np.empty((I * M, m))
    stats = {k: np.empty(I * M, dtype=t) for k, t in (("converged", bool), ("halvings", np.int64),
                                                        ("steps", np.int64), ("plateaued", bool))}
    for c0 in range(0, I * M, chunk):
        pairs = np.arange(c0, min(c0 + chunk, I * M))       # pair = instance * M + mu index
        name = f"pretrain_{c0}_{pairs[-1]}"
        got = ckpt.load(name)
        if got is None:
            t0 = time.perf_counter()
            inst, jm = pairs // M, pairs % M
            net0 = ReluNet(pre_init.weights[inst], pre_init.readout[inst])
            Vs, bs = np.zeros((pairs.size, p, d)), np.zeros((pairs.size, p))
            for r, (i, j) in enumerate(zip(inst, jm)):
                k = sources[j].weights.shape[1]
                # |S| differs across mu: pad with zero-coefficient copies of a kept neuron
                Vs[r, :k], Vs[r, k:] = sources[j].weights[i], sources[j].weights[i, :1]
                bs[r, :k] = sources[j].coef[i]
            target = ReluFunction(Vs, bs)
            if spec.source == "population":
                obj, mon = PopulationLoss(target, spec.dtype), None
            else:
                obj, mon = EmpiricalLoss(Xs[inst], target(Xs[inst])), RiskMonitor(target)
            res = gradient_descent(obj, net0, spec.pretrain_lr, spec.pretrain_steps, spec.pretrain_tol,
                                   spec.pretrain_grad_tol, spec.pretrain_early_stop, plateau=spec.plateau,
                                   monitor=mon if spec.plateau > 0 else None)
            got = {"W": res.net.weights, "a": res.net.readout, "converged": res.converged,
                   "halvings": res.halvings, "steps": res.steps, "plateaued": res.plateaued}
            ckpt.save(name, **got)
            say(f"pretraining pairs {c0 + 1}-{pairs[-1] + 1} of {I * M}: max {int(res.steps.max())} steps, "
                f"{time.perf_counter() - t0:.0f} s")
        W[pairs], a[pairs] = got["W"], got["a"]
        for k in stats:
            stats[k][pairs] = got[k]
    return W.reshape(I, M, m, d), a.reshape(I, M, m), {k: v.reshape(I, M) for k, v in stats.items()}


def _spans(teacher, mus, pre_W, pre_a):
    """Pretraining risk, ||f_s||^2, and ||P^perp f_t||^2 onto the source-teacher and student spans."""
    I, M = pre_W.shape[:2]
    out = {k: np.empty((I, M)) for k in ("pretrain_risk", "source_norm_sq", "teacher_outside", "student_outside")}
    for j, mu in enumerate(mus):
        src = teacher.source(mu)
        out["pretrain_risk"][:, j] = risk(ReluNet(pre_W[:, j], pre_a[:, j]).function, src)
        out["source_norm_sq"][:, j] = norm_sq(src)
        keep = teacher.keep(mu)
        for i in range(I):
            out["teacher_outside"][i, j] = teacher_projection(teacher.weights[i], teacher.coef[i], keep[i]).outside_sq
            out["student_outside"][i, j] = project_onto_span(teacher.weights[i], teacher.coef[i],
                                                             pre_W[i, j]).outside_sq
    return out


def _target_point(spec, n, X, y, sc_init, pre_W, pre_a, target):
    """Scratch, linear transfer (and fine-tuning) at one ``n`` for every instance (and ``mu``)."""
    I, M = pre_W.shape[:2]
    out = {"scratch": np.empty(I), "scratch_converged": np.empty(I, dtype=bool), "scratch_loss": np.empty(I),
           "scratch_steps": np.empty(I, dtype=np.int64),
           "lt": np.empty((I, M)), "lt_rank": np.empty((I, M), dtype=np.int64)}
    chunk = max(1, min(I, SAMPLE_ENTRIES // (n * spec.m)))       # instances per batch (memory bound)
    for c0 in range(0, I, chunk):
        sl = slice(c0, min(c0 + chunk, I))
        tgt = target.take(sl)
        res = gradient_descent(EmpiricalLoss(X[sl], y[sl]), sc_init.take(sl), spec.lr, spec.steps, spec.tol,
                               spec.grad_tol, True, plateau=spec.plateau,
                               monitor=RiskMonitor(tgt) if spec.plateau > 0 else None)
        out["scratch"][sl], out["scratch_converged"][sl] = risk(res.net.function, tgt), res.converged
        out["scratch_loss"][sl], out["scratch_steps"][sl] = res.loss, res.steps
    for i in range(I if M else 0):   # one instance at a time: F is (M, n, m)
        net = ReluNet(pre_W[i], pre_a[i])
        Xr, yr = np.broadcast_to(X[i], (M,) + X.shape[1:]), np.broadcast_to(y[i], (M, n))
        tgt = ReluFunction(np.broadcast_to(target.weights[i], (M,) + target.weights.shape[1:]),
                           np.broadcast_to(target.coef[i], (M, target.coef.shape[1])))
        refit, ranks = refit_readout(net, Xr, yr, rcond=spec.rcond)
        out["lt"][i], out["lt_rank"][i] = risk(refit.function, tgt), ranks
        if spec.finetune:
            ft = gradient_descent(EmpiricalLoss(Xr, yr), net, spec.finetune_lr, spec.finetune_steps, spec.tol,
                                  spec.grad_tol, True, plateau=spec.plateau,
                                  monitor=RiskMonitor(tgt) if spec.plateau > 0 else None)
            out.setdefault("ft", np.empty((I, M)))[i] = risk(ft.net.function, tgt)
            out.setdefault("ft_converged", np.empty((I, M), dtype=bool))[i] = ft.converged
    return out


@single_blas_thread
def simulate_relu_transfer(ns, mus, spec=None, *, seed=None, progress=None, checkpoint=None,
                           **settings) -> ReluTransferResult:
    """Scratch, linear transfer (and fine-tuning) over an ``(mu, n)`` grid (docs/background.md §10, Fig. 3e).

    Parameters
    ----------
    ns : sequence of int >= 1
        Target sample sizes.
    mus : sequence of float in [0, 1)
        Removed fractions.
    spec : ReluSpec, dict or None
        The settings (:class:`~ftheory.simulate.relu.spec.ReluSpec`: sizes, step sizes, budgets,
        tolerances, ...); None: the defaults (the paper's sizes). Keyword ``settings`` (any field of
        ReluSpec, e.g. ``d=20, instances=8``) override it.
    seed : int, Generator, SeedSequence or None
    progress : callable(str) or None
        Receives one line per finished stage.
    checkpoint : path or None
        Directory for stage results; a rerun with identical arguments resumes (module docstring).

    Returns
    -------
    ReluTransferResult
        Absolute risks per instance; ``params`` records every setting, the grids, the seed and
        the GD statistics.
    """
    spec = ReluSpec.from_settings(spec, **settings)
    ns_list = check_grid("ns", ns, lambda v: check_int("n", v, 1))
    mus_list = check_grid("mus", mus, check_mu)
    check_seed(seed)
    say = progress or (lambda msg: None)
    ns_arr, mus_arr = np.array(ns_list, dtype=np.int64), np.array(mus_list, dtype=float)
    I, N = spec.instances, len(ns_list)
    seed_desc = seed if isinstance(seed, (int, type(None))) else repr(seed)
    # a checkpoint needs a reproducible seed: an int or a SeedSequence with fixed entropy
    ckpt = _Checkpoints(checkpoint if seed is not None and not isinstance(seed, np.random.Generator) else None,
                        {"spec": spec.as_dict(), "ns": ns_list, "mus": mus_list, "seed": seed_desc})
    streams = [_streams(c) for c in spawn_seeds(seed, I)]
    teacher, pre_init, sc_init, X_all, y_all = _draw(spec, streams, int(ns_arr.max()))
    target = teacher.target

    say("pretraining")
    pre_W, pre_a, pre = _pretrain(spec, teacher, pre_init, mus_list, streams, ckpt, say)
    spans = _spans(teacher, mus_list, pre_W, pre_a)

    per_n = []
    for jn, n in enumerate(ns_list):
        got = ckpt.load(f"n_{n}")
        if got is None:
            t0 = time.perf_counter()
            got = _target_point(spec, n, X_all[:, :n], y_all[:, :n], sc_init, pre_W, pre_a, target)
            ckpt.save(f"n_{n}", **got)
            say(f"n={n} ({jn + 1} of {N}): scratch max {int(got['scratch_steps'].max())} steps, "
                f"{time.perf_counter() - t0:.0f} s")
        per_n.append(got)
    stack = lambda k: np.stack([g[k] for g in per_n], axis=-1)  # noqa: E731

    params = {**spec.as_dict(), "seed": seed_desc, "ns": ns_list, "mus": mus_list,
              "pretrain_halvings": int(pre["halvings"].sum()), "pretrain_steps_taken_max": int(pre["steps"].max()),
              "pretrain_plateaued": int(pre["plateaued"].sum()),
              "scratch_steps_taken_max": int(stack("scratch_steps").max())}
    return ReluTransferResult(
        params=params, ns=ns_arr, mus=mus_arr, kept=np.array([kept_count(spec.m_star, mu) for mu in mus_list]),
        norm_sq=norm_sq(target), scratch=stack("scratch"), scratch_converged=stack("scratch_converged"),
        scratch_loss=stack("scratch_loss"), lt=stack("lt"), lt_rank=stack("lt_rank"),
        pretrain_risk=spans["pretrain_risk"], pretrain_converged=pre["converged"],
        source_norm_sq=spans["source_norm_sq"], teacher_outside=spans["teacher_outside"],
        student_outside=spans["student_outside"], pretrained_weights=pre_W, pretrained_readout=pre_a,
        teacher=teacher, ft=stack("ft") if spec.finetune else None,
        ft_converged=stack("ft_converged") if spec.finetune else None,
        init_weights=pre_init.weights if spec.keep_init else None,
        init_readout=pre_init.readout if spec.keep_init else None)


@single_blas_thread
def simulate_relu_scratch(ns, spec=None, *, seed=None, progress=None, **settings) -> dict:
    """Scratch training only, over ``ns``: the scratch part of :func:`simulate_relu_transfer` without pretraining.

    Same seeds and streams: with the same ``seed`` and settings the risks equal the ``scratch`` of
    :func:`simulate_relu_transfer` (used to pool many seeds for the scratch power law cheaply).

    Returns
    -------
    dict
        ``ns`` (N,), ``scratch`` and ``scratch_converged`` (I, N) (absolute risks), ``norm_sq`` (I,)
        (``||f_t||^2``) and ``params``.
    """
    spec = ReluSpec.from_settings(spec, **settings)
    ns_list = check_grid("ns", ns, lambda v: check_int("n", v, 1))
    check_seed(seed)
    say = progress or (lambda msg: None)
    streams = [_streams(c) for c in spawn_seeds(seed, spec.instances)]
    teacher, _, sc_init, X_all, y_all = _draw(spec, streams, max(ns_list))
    target = teacher.target
    sc, conv = [], []
    for n in ns_list:
        got = _target_point(spec, n, X_all[:, :n], y_all[:, :n], sc_init, np.empty((spec.instances, 0, spec.m, spec.d)),
                            np.empty((spec.instances, 0, spec.m)), target)
        sc.append(got["scratch"])
        conv.append(got["scratch_converged"])
        say(f"scratch n={n}")
    seed_desc = seed if isinstance(seed, (int, type(None))) else repr(seed)
    return {"ns": np.array(ns_list, dtype=np.int64), "scratch": np.stack(sc, axis=-1),
            "scratch_converged": np.stack(conv, axis=-1), "norm_sq": norm_sq(target),
            "params": {**spec.as_dict(), "seed": seed_desc, "ns": ns_list}}


def simulate_relu(n, mu, *, seed=None, **settings) -> dict:
    """One ``(n, mu)`` point as a dict of :class:`MCEstimate` (absolute risks), for :func:`~ftheory.simulate.sweep`.

    Keys ``"scratch"``, ``"lt"``, ``"T_lt"`` and, with ``finetune=True``, ``"ft"``, ``"T_ft"``; the
    keyword ``settings`` are those of :class:`~ftheory.simulate.relu.spec.ReluSpec` (defaults: the
    paper's sizes, ``instances=4``).
    """
    res = simulate_relu_transfer([n], [mu], seed=seed, **settings)
    keys = ["scratch", "lt", "T_lt"] + (["ft", "T_ft"] if res.params["finetune"] else [])
    return {k: res.estimate(k, mu=mu, n=n) for k in keys}
