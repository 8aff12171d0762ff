"""Benchmark: full-dimensional batched NumPy GD vs the exact reduced GD of ftheory.simulate.deep_linear.

Setting (docs/background.md §11.1 scale): d = 500, n = 250 (gamma = 0.5), depth 2, 4 instances, a fixed
number of GD steps (no early stopping), for scratch training and fine-tuning. Three implementations
run in the same process on the same data and initial weights:

* ``full``   — ``train(..., reduced=False)``: textbook full-dimensional batched GD; the gradient of
  every layer from the end-to-end gradient, explicit rank-one layer updates; O(d m + n d) per step.
* ``autograd-style`` — what a framework does (and what the authors' [CODE] does): forward pass of
  the batch through the layers, ``H = X W_1``, backward ``grad W_1 = X^T (r w^T)``; O(n d m) per step.
  Timed on fewer steps and extrapolated linearly (marked ``*``).
* ``reduced`` — ``train(..., reduced=True)``: the exact reparametrisation
  ``W_1 = decay (I - QQ^T) W_1(0) + Q P V^T``, ``w = V c`` (module docstring), lazy rank-one
  accumulation; its time includes the one-off set-up (eigendecomposition of ``X X^T``, QR for ``V``)
  and the reconstruction of the full weights.

Printed: wall times, speed-up ratios (whole run and per step after set-up) and the maximum absolute
difference between the full and reduced weights. BLAS is pinned to one thread (set before NumPy is
imported) so that the comparison is not distorted by thread scheduling; pass ``--threads N`` to
change it. ``--quick`` runs a tiny version (d = 60) in well under a second.

Run: ``python benchmarks/bench_reduced_gd.py [--quick] [--steps 200] [--instances 4]``.
"""
from __future__ import annotations

import argparse
import os
import sys
import time


def _parse():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="tiny version (d=60, n=30, 50 steps)")
    p.add_argument("--d", type=int, default=500)
    p.add_argument("--n", type=int, default=250)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--instances", type=int, default=4)
    p.add_argument("--lr", type=float, default=0.02)
    p.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    p.add_argument("--repeats", type=int, default=3, help="best of this many timings")
    return p.parse_args()


ARGS = _parse()
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402

from ftheory.simulate.data import gaussian_data, teachers  # noqa: E402
from ftheory.simulate.deep_linear import init_network, pretrain, train  # noqa: E402


def autograd_style_gd(net, X, y, lr, steps):
    """Depth-2 GD computed like a framework does: through the data batch, O(n d m) per step."""
    W1 = net.weights[0].copy()
    w = net.readout.copy()
    n = X.shape[1]
    Xt = np.swapaxes(X, 1, 2)
    for _ in range(steps):
        H = X @ W1                                   # (B, n, m) hidden activations
        r = (H @ w[..., None])[..., 0] - y           # residuals
        delta = (2.0 / n) * r                        # d loss / d output
        gw = (delta[:, None, :] @ H)[:, 0]           # H^T delta
        gW1 = Xt @ (delta[:, :, None] * w[:, None, :])   # X^T (delta w^T)
        W1 -= lr * gW1
        w -= lr * gw
    return W1, w


def best_time(fn, repeats):
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main():
    d, n, steps, B = (60, 30, 50, ARGS.instances) if ARGS.quick else (ARGS.d, ARGS.n, ARGS.steps, ARGS.instances)
    lr = ARGS.lr
    t = teachers(d, np.pi / 4, instances=B, seed=0)
    X, y = gaussian_data(t.beta_t, n, sigma=0.2, seed=1)
    scratch_net = init_network(d, depth=2, alpha=1e-5, instances=B, seed=2)
    pre = pretrain(t.beta_s, seed=3, alpha=1e-5)
    print(f"deep linear GD, depth 2: d={d} (width {d}), n={n}, instances={B}, steps={steps}, lr={lr}, "
          f"BLAS threads={ARGS.threads}, numpy {np.__version__}")
    header = (f"{'procedure':<10} {'full [s]':>9} {'reduced [s]':>11} {'ratio':>6} "
              f"{'full/step':>10} {'red/step':>9} {'ratio/step':>10} {'setup [s]':>9} "
              f"{'autograd [s]':>12} {'ratio':>6} {'max |dW|':>9} {'max |dbeta|':>11}")
    print(header)
    print("-" * len(header))
    kw = dict(X=X, y=y, lr=lr, tol=0.0, grad_tol=0.0, early_stop=False)
    for name, net in (("scratch", scratch_net), ("finetune", pre.net)):
        def run(steps_, reduced):
            res = train(net, max_steps=steps_, reduced=reduced, **kw)
            res.net  # noqa: B018 -- include the assembly of the full weights in the timing
            return res
        t_full, full = best_time(lambda: run(steps, False), ARGS.repeats)
        t_red, red = best_time(lambda: run(steps, True), ARGS.repeats)
        # set-up + reconstruction of the reduced path: a zero-step run
        t_red0, _ = best_time(lambda: run(0, True), ARGS.repeats)
        t_full0, _ = best_time(lambda: run(0, False), ARGS.repeats)
        per_full = (t_full - t_full0) / steps
        per_red = (t_red - t_red0) / steps
        ag_steps = max(1, min(steps, 20))
        t_ag, (W1_ag, w_ag) = best_time(lambda: autograd_style_gd(net, X, y, lr, ag_steps), 1)
        t_ag_total = t_ag * steps / ag_steps
        if ag_steps == steps:
            diff_ag = max(np.abs(W1_ag - full.net.weights[0]).max(), np.abs(w_ag - full.net.readout).max())
            assert diff_ag < 1e-8, diff_ag
        dW = max(float(np.abs(a - b).max()) for a, b in zip(full.net.weights, red.net.weights))
        db = float(np.abs(full.beta - red.beta).max())
        star = "" if ag_steps == steps else "*"
        print(f"{name:<10} {t_full:>9.3f} {t_red:>11.3f} {t_full / t_red:>6.1f} "
              f"{per_full * 1e3:>8.2f}ms {per_red * 1e3:>7.3f}ms {per_full / per_red:>10.1f} {t_red0:>9.3f} "
              f"{t_ag_total:>11.2f}{star} {t_ag_total / t_red:>6.1f} {dW:>9.1e} {db:>11.1e}")
    print("ratio = full time / reduced time for the whole run (reduced includes set-up and reconstruction);")
    print("ratio/step = per-step cost after set-up; setup = reduced run with 0 steps; "
          "* = autograd-style time extrapolated from 20 steps.")
    print(f"reduced path: {red.path}; per step it touches k x h = {min(n, d)} x {min(n, d) + 1} numbers "
          f"instead of d x m = {d} x {d} plus the {n} x {d} data.")


if __name__ == "__main__":
    main()
