"""Benchmark: the ReLU experiment at the paper's size (d = 100, m = 1000, m* = 100), old vs new, same process.

The old implementation is the frozen copy ``benchmarks/_relu_baseline.py`` (ftheory/simulate/relu.py
before the package split); the new one is :mod:`ftheory.simulate.relu`. All times are CPU seconds of
this process (``time.process_time``; one BLAS thread), so that a machine shared with other jobs
distorts them less than wall time; wall times are printed too.

Parts (``--part``):

* ``step``: one population-loss evaluation with gradients (a pretraining step) per (instance, mu)
  pair: old float64, new float64, new float32; float32 error of the loss and gradients.
* ``pretrain``: one (instance, mu = 0.4) pair. Old protocol: lr = 1 for a fixed 20000 steps (timed on
  ``--old-steps`` steps and extrapolated linearly, marked ``*``). New protocol (``RELU_SCALES["paper"]``):
  lr = 4, float32 gradients, stop at a source risk of 1e-3 ||f_s||^2 or the plateau rule (run to the
  end). Also float64 on the same protocol for the first ``--f64-steps`` steps: relative difference of
  the source risks.
* ``scratch``: one instance at ``--n``: old protocol (stop at training loss 1e-8 of mean y^2, budget
  20000) vs new (plus the plateau rule on the exact risk, ``plateau = 0.02``); steps, time, risks.
* ``lt``: linear transfer of the 9 mu-pretrained networks of one instance at ``--n``: old batched
  refit (all pairs at once) vs new (one instance at a time); time and peak memory of the stage.
* ``model``: the cost model of the full paper-scale run (8 instances, 9 mu, n = 50..3200) from the
  unit costs measured above (pass their numbers with ``--units`` to skip re-measuring).

Run: ``python benchmarks/bench_relu.py [--part all] [--quick]`` (``--quick``: d = 20, m = 100, a few seconds).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402

import _relu_baseline as old  # noqa: E402
from ftheory.simulate.relu import (RELU_SCALES, PopulationLoss, draw_teacher, init_student,  # noqa: E402
                                   pretrain, refit_readout, risk, train)

NS_PAPER = [50, 100, 200, 400, 800, 1600, 3200]


def clock(fn):
    c0, w0 = time.process_time(), time.perf_counter()
    out = fn()
    return time.process_time() - c0, time.perf_counter() - w0, out


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def part_step(a, units):
    t = draw_teacher(a.d, a.m_star, instances=2, seed=0)
    net = init_student(a.d, a.m, instances=2, seed=1)
    src = t.source(0.4)
    objs = {"old float64": old._Population(src), "new float64": PopulationLoss(src),
            "new float32": PopulationLoss(src, "float32")}
    times = {}
    for name, obj in objs.items():
        obj(net.weights, net.readout)
        cpu, wall, _ = clock(lambda: [obj(net.weights, net.readout) for _ in range(a.reps)])
        times[name] = cpu / (2 * a.reps)
        print(f"  {name:12s}: {1e3 * times[name]:7.1f} ms CPU per pair-step (wall {1e3 * wall / (2 * a.reps):.1f} ms)")
    l0, ga0, gw0 = objs["old float64"](net.weights, net.readout)
    l1, ga1, gw1 = objs["new float32"](net.weights, net.readout)
    print(f"  ratio old/new32 = {times['old float64'] / times['new float32']:.2f}, "
          f"old/new64 = {times['old float64'] / times['new float64']:.2f}")
    print(f"  float32 vs float64: loss rel. error {np.max(np.abs(l1 - l0) / l0):.1e}, "
          f"max |dgw| / max |gw| {np.max(np.abs(gw1 - gw0)) / np.max(np.abs(gw0)):.1e}, "
          f"max |dga| / max |ga| {np.max(np.abs(ga1 - ga0)) / np.max(np.abs(ga0)):.1e}")
    units["pop_old"] = times["old float64"]
    units["pop_new"] = times["new float32"]


def part_pretrain(a, units):
    t = draw_teacher(a.d, a.m_star, instances=1, seed=0)
    net = init_student(a.d, a.m, instances=1, seed=1)
    src = t.source(0.4)
    cpu, wall, r_old = clock(lambda: old._gd(old._Population(old.ReluFunction(src.weights, src.coef)), old.ReluNet(net.weights, net.readout), 1.0, a.old_steps, 1e-2, 1e-10, False))
    per = cpu / a.old_steps
    print(f"  old (lr 1, fixed 20000 steps): {per * 1e3:.1f} ms CPU/step -> *{per * 20000:.0f} s CPU per pair "
          f"(timed on {a.old_steps} steps; source risk then {r_old.loss[0] / r_old.scale[0]:.3g} ||f_s||^2)")
    p = RELU_SCALES["paper"]
    cpu, wall, r_new = clock(lambda: pretrain(net, src, lr=p["pretrain_lr"], steps=p["pretrain_steps"],
                                              tol=p["pretrain_tol"], grad_tol=0.0, plateau=p["plateau"],
                                              dtype=p["dtype"]))
    exact = float(risk(r_new.net.function, src)[0] / r_new.scale[0])
    print(f"  new (lr {p['pretrain_lr']:g}, float32, stop at {p['pretrain_tol']:g}): {int(r_new.steps[0])} steps, "
          f"{r_new.halvings[0]} halvings, {cpu:.0f} s CPU ({wall:.0f} s wall), source risk {exact:.3g} ||f_s||^2 "
          f"(plateau: {bool(r_new.plateaued[0])}) -> ratio vs old {per * 20000 / cpu:.1f}x")
    k = min(a.f64_steps, int(r_new.steps[0]) or a.f64_steps)
    r64 = pretrain(net, src, lr=p["pretrain_lr"], steps=k, tol=0, grad_tol=0)
    r32 = pretrain(net, src, lr=p["pretrain_lr"], steps=k, tol=0, grad_tol=0, dtype="float32")
    e64 = float(risk(r64.net.function, src)[0])
    e32 = float(risk(r32.net.function, src)[0])
    print(f"  float32 vs float64 after {k} steps of the same protocol: source risk {e32 / r64.scale[0]:.6g} vs "
          f"{e64 / r64.scale[0]:.6g} ||f_s||^2 (relative difference {abs(e32 / e64 - 1):.1e}); "
          f"max |dW| {np.max(np.abs(r32.net.weights - r64.net.weights)):.1e}")
    units["pre_steps_new"] = int(r_new.steps[0])
    units["pre_pair_new"] = cpu


def part_scratch(a, units):
    t = draw_teacher(a.d, a.m_star, instances=1, seed=0)
    net = init_student(a.d, a.m, instances=1, seed=2)
    X = np.random.default_rng(3).standard_normal((1, a.n, a.d))
    y = t.target(X)
    cpu_o, wall_o, r_o = clock(lambda: old.train(old.ReluNet(net.weights, net.readout), X, y, lr=1.0, steps=20000, tol=1e-8, grad_tol=1e-8))
    cpu_n, wall_n, r_n = clock(lambda: train(net, X, y, lr=1.0, steps=20000, tol=1e-8, grad_tol=1e-8,
                                             plateau=RELU_SCALES["paper"]["plateau"], target=t.target))
    R_o = float(risk(r_o.net.function, t.target)[0])
    R_n = float(risk(r_n.net.function, t.target)[0])
    print(f"  n = {a.n}: old {int(r_o.steps[0])} steps {cpu_o:.0f} s CPU; new {int(r_n.steps[0])} steps {cpu_n:.0f} s "
          f"CPU (plateau: {bool(r_n.plateaued[0])}) -> {cpu_o / cpu_n:.2f}x; risk {R_n:.5g} vs {R_o:.5g} "
          f"(relative difference {abs(R_n / R_o - 1):.1e})")
    units[f"sc_step_{a.n}"] = cpu_n / max(int(r_n.steps[0]), 1)
    units[f"sc_steps_new_{a.n}"] = int(r_n.steps[0])
    units[f"sc_steps_old_{a.n}"] = int(r_o.steps[0])


def part_lt(a, units):
    t = draw_teacher(a.d, a.m_star, instances=1, seed=0)
    M = 9
    W = init_student(a.d, a.m, instances=M, seed=4)
    X = np.random.default_rng(5).standard_normal((1, a.n, a.d))
    y = t.target(X)
    Xr, yr = np.broadcast_to(X, (M, a.n, a.d)), np.broadcast_to(y, (M, a.n))
    r0 = rss_mb()
    cpu_n, wall_n, _ = clock(lambda: refit_readout(W, Xr, yr, rcond=1e-6))
    r1 = rss_mb()
    cpu_o, wall_o, _ = clock(lambda: old.refit_readout(old.ReluNet(W.weights, W.readout), np.repeat(X, M, 0),
                                                       np.repeat(y, M, 0), rcond=1e-6))
    print(f"  n = {a.n}, 9 pairs of one instance: new {cpu_n:.1f} s CPU, old {cpu_o:.1f} s CPU; peak RSS "
          f"{r0:.0f} -> {r1:.0f} MB (new), {rss_mb():.0f} MB after old")
    units[f"lt_pair_{a.n}"] = cpu_n / M


def part_model(a, units):
    """Full run: 8 instances x 9 mu pretrainings, 8 scratch runs and 72 refits per n, plus the scratch runs
    of the second seed pooled for the power law (``nu_seeds = 2``)."""
    I, M, seeds = 8, 9, 2
    pre_old = I * M * 20000 * units["pop_old"]
    pre_new = I * M * units.get("pre_pair_new", units["pre_steps_new"] * units["pop_new"])
    # scratch: cost per step ~ n d m (measured at n = 3200); steps measured at n = 800 and 3200: every
    # n <= 800 is charged the steps of 800, larger n those of 3200 (an upper bound)
    c_step = {n: units["sc_step_3200"] * n / 3200 for n in NS_PAPER}
    pick = lambda key, n: units[f"{key}_800"] if n <= 800 else units[f"{key}_3200"]  # noqa: E731
    sc_new = I * sum(c_step[n] * pick("sc_steps_new", n) for n in NS_PAPER)
    sc_old = I * sum(c_step[n] * pick("sc_steps_old", n) for n in NS_PAPER)
    n_lt = max(int(k.split("_")[-1]) for k in units if k.startswith("lt_pair_"))
    cost = lambda n: min(n, a.m) ** 2 * max(n, a.m)  # noqa: E731  (gelsd on an n x m matrix)
    lt = I * M * sum(units[f"lt_pair_{n_lt}"] * cost(n) / cost(n_lt) for n in NS_PAPER)
    print(f"  pretraining: old *{pre_old / 3600:.1f} h, new {pre_new / 60:.0f} min")
    print(f"  scratch (upper bound), per seed: old {sc_old / 60:.0f} min, new {sc_new / 60:.0f} min; {seeds} seeds")
    print(f"  linear transfer: {lt / 60:.1f} min (cost ~ min(n, m)^2 max(n, m), scaled from n = {n_lt})")
    tot_new = pre_new + seeds * sc_new + lt
    tot_old = pre_old + sc_old + lt          # the old figures fitted the power law on one seed
    print(f"  total CPU without the figures' analysis (a few minutes): old *{tot_old / 3600:.1f} h, "
          f"new {tot_new / 60:.0f} min")
    print("  units:", json.dumps(units))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--part", default="all", choices=["all", "step", "pretrain", "scratch", "lt", "model"])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--n", type=int, default=None, help="scratch/lt sample size (default: 800 and 3200)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--old-steps", type=int, default=100)
    ap.add_argument("--f64-steps", type=int, default=300)
    ap.add_argument("--units", default=None, help="JSON of unit costs for --part model")
    a = ap.parse_args()
    a.d, a.m, a.m_star = (20, 100, 20) if a.quick else (100, 1000, 100)
    units = json.loads(a.units) if a.units else {}
    parts = ["step", "pretrain", "scratch", "lt", "model"] if a.part == "all" else [a.part]
    for part in parts:
        print(f"[{part}] d = {a.d}, m = {a.m}, m* = {a.m_star}", flush=True)
        if part in ("scratch", "lt") and a.n is None:
            for n in ((80, 320) if a.quick else (800, 3200)):
                a.n = n
                globals()[f"part_{part}"](a, units)
            a.n = None
        elif part == "model" and a.quick:
            print("  (skipped with --quick)")
        else:
            globals()[f"part_{part}"](a, units)
    print(f"peak RSS {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
