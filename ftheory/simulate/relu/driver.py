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
from ftheory.simulate.sweeps import run_tasks
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


@single_blas_thread
def _pretrain_chunk(spec: ReluSpec, net0, target, Xs):
    """Pretrain one chunk of (instance, mu) pairs (a task: runs wherever the executor sends it)."""
    t0 = time.perf_counter()
    if spec.source == "population":
        obj, mon = PopulationLoss(target, spec.dtype), None
    else:
        obj, mon = EmpiricalLoss(Xs, target(Xs)), RiskMonitor(target)
    res = gradient_descent(obj, net0, spec.pretrain_lr, spec.pretrain_steps, spec.pretrain_tol,
                           spec.pretrain_grad_tol, spec.pretrain_early_stop, plateau=spec.plateau,
                           monitor=mon if spec.plateau > 0 else None)
    return {"W": res.net.weights, "a": res.net.readout, "converged": res.converged, "halvings": res.halvings,
            "steps": res.steps, "plateaued": res.plateaued}, time.perf_counter() - t0


@single_blas_thread
def _scratch_chunk(spec: ReluSpec, X, y, net0, target):
    """Scratch training of one chunk of instances at one ``n`` (a task)."""
    t0 = time.perf_counter()
    res = gradient_descent(EmpiricalLoss(X, y), net0, spec.lr, spec.steps, spec.tol, spec.grad_tol, True,
                           plateau=spec.plateau, monitor=RiskMonitor(target) if spec.plateau > 0 else None)
    return {"scratch": risk(res.net.function, target), "scratch_converged": res.converged,
            "scratch_loss": res.loss, "scratch_steps": res.steps}, time.perf_counter() - t0


def _pretrain_tasks(spec: ReluSpec, teacher, pre_init, mus, streams):
    """``(name, pairs, args)`` of every pretraining chunk (pair = instance * len(mus) + mu index)."""
    I, M, m, d = spec.instances, len(mus), spec.m, spec.d
    sources = [teacher.source(mu) for mu in mus]
    p = max(src.weights.shape[1] for src in sources)
    Xs = None
    if spec.source != "population":
        Xs = np.stack([s[5].standard_normal((spec.source, d)) for s in streams])
        per = m * (spec.source + m)
    else:
        per = m * (m + p)
    chunk = max(1, min(I * M, PAIR_ENTRIES // per))
    out = []
    for c0 in range(0, I * M, chunk):
        pairs = np.arange(c0, min(c0 + chunk, I * M))
        inst, jm = pairs // M, pairs % M
        Vs, bs = np.zeros((pairs.size, p, d)), np.zeros((pairs.size, p))
        for r, (i, j) in enumerate(zip(inst, jm)):
            k = sources[j].weights.shape[1]
            # |S| differs across mu: pad with zero-coefficient copies of a kept neuron
            Vs[r, :k], Vs[r, k:] = sources[j].weights[i], sources[j].weights[i, :1]
            bs[r, :k] = sources[j].coef[i]
        net0 = ReluNet(pre_init.weights[inst], pre_init.readout[inst])
        out.append((f"pretrain_{c0}_{pairs[-1]}", pairs,
                    (spec, net0, ReluFunction(Vs, bs), None if Xs is None else Xs[inst])))
    return out


def _scratch_tasks(spec: ReluSpec, ns, X_all, y_all, sc_init, target):
    """``(name, n, instances slice, args)`` of every scratch chunk (instances per chunk bounded by memory)."""
    out = []
    for n in ns:
        chunk = max(1, min(spec.instances, SAMPLE_ENTRIES // (n * spec.m)))
        for c0 in range(0, spec.instances, chunk):
            sl = slice(c0, min(c0 + chunk, spec.instances))
            out.append((f"scratch_{n}_{sl.start}_{sl.stop}", n, sl,
                        (spec, X_all[sl, :n], y_all[sl, :n], sc_init.take(sl), target.take(sl))))
    return out


def _label(name, pairs=None):
    """Progress text of a stage: ``pretrain_a_b`` (pairs a..b) or ``scratch_n_a_b`` (instances a..b-1)."""
    kind, *nums = name.split("_")
    if kind == "pretrain":
        return f"pretraining pairs {int(nums[0]) + 1}-{int(nums[1]) + 1}" + (f" of {pairs}" if pairs else "")
    return f"scratch n={nums[0]} instances {int(nums[1]) + 1}-{nums[2]}"


def _run_stages(stages, ckpt, say, pairs=None):
    """Run the ``(name, args)`` stage tasks missing from the checkpoints, on the enclosing executor
    (:func:`~ftheory.simulate.sweeps.run_tasks`), writing each checkpoint as it finishes; ``{name: result}``."""
    got = {name: ckpt.load(name) for name, _ in stages}
    todo = [(name, args) for name, args in stages if got[name] is None]
    fns = {"pretrain": _pretrain_chunk, "scratch": _scratch_chunk}

    def done(i, res):
        name, (out, seconds) = todo[i][0], res
        ckpt.save(name, **out)
        got[name] = out
        steps = out["steps"] if "steps" in out else out["scratch_steps"]
        say(f"{_label(name, pairs)}: max {int(steps.max())} steps, {seconds:.0f} s")

    run_tasks(_stage, [(fns[name.split("_")[0]], args) for name, args in todo], done=done)
    return got


def _stage(fn, args):
    """One stage task: ``fn(*args)`` (module level, so that process pools and Dask can pickle it)."""
    return fn(*args)


def _pretrain(spec: ReluSpec, teacher, pre_init, mus, streams, ckpt, say, scratch=()):
    """Pretrain every (instance, mu) pair, running the ``scratch`` stage tasks alongside; returns weights
    (I, M, m, d), read-outs (I, M, m), run stats and the scratch stage results."""
    I, M, m, d = spec.instances, len(mus), spec.m, spec.d
    tasks = _pretrain_tasks(spec, teacher, pre_init, mus, streams)
    stages = [(name, args) for name, _, args in tasks] + [(name, args) for name, _, _, args in scratch]
    got = _run_stages(stages, ckpt, say, I * M)
    W = np.empty((I * M, m, d))
    a = np.empty((I * M, m))
    stats = {k: np.empty(I * M, dtype=t) for k, t in (("converged", bool), ("halvings", np.int64),
                                                        ("steps", np.int64), ("plateaued", bool))}
    for name, pairs, _ in tasks:
        W[pairs], a[pairs] = got[name]["W"], got[name]["a"]
        for k in stats:
            stats[k][pairs] = got[name][k]
    return (W.reshape(I, M, m, d), a.reshape(I, M, m), {k: v.reshape(I, M) for k, v in stats.items()},
            {name: got[name] for name, *_ in scratch})


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


def _scratch_at(spec, n, scratch_tasks, results):
    """The scratch stage results at ``n``, gathered over instance chunks."""
    I = spec.instances
    out = {"scratch": np.empty(I), "scratch_converged": np.empty(I, dtype=bool), "scratch_loss": np.empty(I),
           "scratch_steps": np.empty(I, dtype=np.int64)}
    for name, n_task, sl, _ in scratch_tasks:
        if n_task == n:
            for k in out:
                out[k][sl] = results[name][k]
    return out


def _linear_transfer_at(spec, n, X, y, pre_W, pre_a, target):
    """Linear transfer (and fine-tuning) at one ``n`` for every instance and ``mu``."""
    I, M = pre_W.shape[:2]
    out = {"lt": np.empty((I, M)), "lt_rank": np.empty((I, M), dtype=np.int64)}
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
    per_n = {n: ckpt.load(f"n_{n}") for n in ns_list}
    scratch = _scratch_tasks(spec, [n for n in ns_list if per_n[n] is None], X_all, y_all, sc_init, target)
    pre_W, pre_a, pre, sc_results = _pretrain(spec, teacher, pre_init, mus_list, streams, ckpt, say, scratch)
    spans = _spans(teacher, mus_list, pre_W, pre_a)

    for jn, n in enumerate(ns_list):
        if per_n[n] is None:
            t0 = time.perf_counter()
            got = {**_scratch_at(spec, n, scratch, sc_results),
                   **_linear_transfer_at(spec, n, X_all[:, :n], y_all[:, :n], pre_W, pre_a, target)}
            ckpt.save(f"n_{n}", **got)
            say(f"n={n} ({jn + 1} of {N}): linear transfer {time.perf_counter() - t0:.0f} s")
            per_n[n] = got
    per_n = [per_n[n] for n in ns_list]
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
    tasks = _scratch_tasks(spec, ns_list, X_all, y_all, sc_init, target)
    results = _run_stages([(name, args) for name, _, _, args in tasks], _Checkpoints(None, None), say)
    sc, conv = [], []
    for n in ns_list:
        got = _scratch_at(spec, n, tasks, results)
        sc.append(got["scratch"])
        conv.append(got["scratch_converged"])
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
