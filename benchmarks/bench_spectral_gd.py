"""Benchmark: the spectral engine of ftheory.simulate.deep_linear against full-dimensional NumPy GD.

Setting: d = m = 500, n = 250 (gamma = 0.5), depth 2, ``--instances`` instances batched, gradient
descent at the automatic step **to convergence** (default criterion, early stopping), same initial
weights for both engines:

* ``ft-rank1``  fine-tuning from the exactly balanced rank-one pretrained state (docs/background.md
  §2.4): the width-1 dynamics, O(k) per step;
* ``ft-gd-pretrained`` fine-tuning from a network pretrained by GD from the small initialisation
  (rank one plus an O(alpha) residue, so the hidden subspace has dimension k + 1): O(k^2) per step;
* ``scratch`` training from the small initialisation: O(k^2) per step after an O(n d m) set-up.

``full`` is ``train(..., reduced=False)``: textbook batched GD with explicit layers, O(d m + n d) per
step (the loss through ``X``, no n x d x m products). Both engines run in this process, alternately,
best of ``--repeats``; the ratio of the two is what is reported (robust to the machine's load). The
maximum absolute difference of all final weights is printed too. BLAS is pinned to one thread.

Run: ``python benchmarks/bench_spectral_gd.py [--quick] [--instances 4] [--repeats 3] [--cases ...] [--no-flow]``.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402

from ftheory.simulate.data import gaussian_data, teachers  # noqa: E402
from ftheory.simulate.deep_linear import init_network, pretrain, pretrained_state, train  # noqa: E402


def _timed(fn, repeats):
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="d = 60, n = 30")
    p.add_argument("--d", type=int, default=500)
    p.add_argument("--n", type=int, default=250)
    p.add_argument("--instances", type=int, default=4)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--cases", default="ft-rank1,ft-gd-pretrained,scratch",
                   help="comma-separated subset of ft-rank1, ft-gd-pretrained, scratch")
    p.add_argument("--no-flow", action="store_true", help="skip the GD-versus-gradient-flow comparison")
    a = p.parse_args(argv)
    d, n = (60, 30) if a.quick else (a.d, a.n)
    B = a.instances
    rng = np.random.default_rng(a.seed)
    t = teachers(d, np.pi / 4, instances=B, seed=rng)
    X, y = gaussian_data(t.beta_t, n, sigma=0.2, seed=rng)
    nets = {
        "ft-rank1": pretrained_state(t.beta_s, seed=rng),
        "ft-gd-pretrained": pretrain(t.beta_s, net=init_network(d, instances=B, seed=rng)).net,
        "scratch": init_network(d, instances=B, seed=rng),
    }
    cases = a.cases.split(",")
    unknown = sorted(set(cases) - set(nets))
    if unknown:
        p.error(f"--cases: unknown case {unknown[0]!r}")
    nets = {k: v for k, v in nets.items() if k in cases}
    print(f"d = m = {d}, n = {n}, depth 2, {B} instances, GD to convergence (tol 1e-6), best of {a.repeats}")
    print(f"{'case':18s} {'steps':>12s} {'path':>22s} {'full s':>9s} {'spectral s':>11s} {'ratio':>7s} "
          f"{'max|dW|':>9s}")
    rows = []
    for name, net in nets.items():
        kw = dict(X=X, y=y)
        t_red = t_full = float("inf")
        for _ in range(a.repeats):             # alternate the two engines: both see the same load
            tr, red = _timed(lambda: train(net, reduced=True, **kw), 1)
            tf, full = _timed(lambda: train(net, reduced=False, **kw), 1)
            t_red, t_full = min(t_red, tr), min(t_full, tf)
        dw = max(float(np.abs(u - v).max()) for u, v in zip(red.net.weights, full.net.weights))
        steps = f"{int(red.steps.min())}-{int(red.steps.max())}"
        assert np.array_equal(red.steps, full.steps) and red.all_converged
        print(f"{name:18s} {steps:>12s} {red.path:>22s} {t_full:9.3f} {t_red:11.4f} {t_full / t_red:7.1f} {dw:9.1e}")
        rows.append((name, t_full / t_red, dw))
    if a.no_flow or "ft-rank1" not in nets:
        return rows
    # gradient descent at the automatic step versus the gradient flow it discretises (width-1 state)
    net = nets["ft-rank1"]
    flow_t, flow = _timed(lambda: train(net, X=X, y=y, method="flow", tol=1e-10, max_steps=10 ** 7), 1)
    risk = lambda b: np.sum((b - t.beta_t) ** 2, axis=1)  # noqa: E731
    print(f"\nfine-tuning from the balanced state, tol 1e-10: gradient flow (DOP853 on the width-1 state, "
          f"{flow_t:.2f} s, {int(flow.steps.max())} solver steps at most), risk {risk(flow.beta).mean():.5f}")
    for factor in (1.0, 0.25):
        lr = None if factor == 1.0 else factor * train(net, X=X, y=y, max_steps=0).lr
        gd = train(net, X=X, y=y, tol=1e-10, lr=lr, max_steps=10 ** 6)
        gap = np.linalg.norm(gd.beta - flow.beta, axis=1) / np.linalg.norm(flow.beta, axis=1)
        print(f"  GD at {factor:g} x the automatic step ({int(gd.steps.max())} steps): |beta_GD - beta_flow| / "
              f"|beta_flow| = {gap.mean():.2e}, risk(GD) - risk(flow) = {np.mean(risk(gd.beta) - risk(flow.beta)):+.2e}")
    return rows


if __name__ == "__main__":
    main()
