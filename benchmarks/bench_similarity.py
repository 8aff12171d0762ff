"""Benchmark: exact-assignment vs sliced Wasserstein-1 on the task laws of Figure 4(b) (docs/background.md §9.4).

Setting ([DEFAULT] reproduction of docs/background.md §9.4): the linear-Gaussian task laws
``p(x, y)`` with ``x ~ N(0, I_d)``, ``y = beta . x + sigma * eps`` in ``R^{d+1}`` (d = 500,
sigma = 0.2), unit teachers ``beta_s``, ``beta_t(theta) = cos(theta) beta_s + sin(theta) beta_perp``.
In each of ``--reps`` replicates fresh teachers are drawn and two *independent* samples of size
n = 250: ``S`` from ``p_s`` and the inputs/noise ``(x', eps')`` of the target sample, from which
``T_theta`` (a sample of ``p_t(theta)``) is formed for every theta on a grid in [0, pi]. Sharing
``S, x', eps'`` across theta within a replicate does not change the law of any single estimate, but
makes the differences between thetas precise (paired design). Computed:

* ``W1 l1``   -- exact W1 between the empirical measures, l1 ground metric (optimal assignment);
* ``W1 l2``   -- the same with the Euclidean ground metric;
* ``SW1``     -- sliced W1 (Euclidean), ``--projections`` random directions;
* ``W1 l1 CRN`` -- exact W1 (l1) with *common random numbers*: both samples share the inputs x and
  the noise, so only the teachers differ. Not a two-sample estimator, but it shows what the
  assignment sees once sampling noise is removed: it is at most the identity-coupling cost
  ``mean_i |(beta_s - beta_t) . x_i|``.

theta = 0 gives two independent samples of the SAME law: its spread is the sampling noise.
Printed per theta: mean +- standard error over replicates and the standard deviation of one
estimate; then, per estimator, the paired difference ``E[W1(theta) - W1(0)]`` at theta = pi/2 and
pi (mean +- s.e.) against the sampling s.d. of one estimate, next to the population values, which
for the l1 ground metric
lie in ``[sqrt(2/pi) (sqrt(4 s^2 + sigma^2) - sigma), 2 sqrt(2/pi) s]``, ``s = sin(theta/2)``
(upper bound: identity coupling of x and noise; lower bound: the l1-1-Lipschitz map
``(x, y) -> y - beta_s . x``). Times are reported as a ratio sliced/exact in the same run.

Run: ``python benchmarks/bench_similarity.py [--quick] [--reps 20] [--thetas 9] [--projections 500]``.
"""
from __future__ import annotations

import argparse
import os
import sys
import time


def _parse():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="tiny version (d=50, n=40, 3 reps, 3 thetas)")
    p.add_argument("--d", type=int, default=500)
    p.add_argument("--n", type=int, default=250)
    p.add_argument("--sigma", type=float, default=0.2)
    p.add_argument("--reps", type=int, default=20)
    p.add_argument("--thetas", type=int, default=9, help="number of theta values in [0, pi]")
    p.add_argument("--projections", type=int, default=500)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    a = p.parse_args()
    if a.quick:
        a.d, a.n, a.reps, a.thetas, a.projections = 50, 40, 3, 3, 50
    return a


ARGS = _parse()
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402

from ftheory.similarity.estimators import sliced_wasserstein1, wasserstein1_exact  # noqa: E402


def teachers(rng, d, theta):
    """Unit teachers at angle theta ([CODE] generation of docs/background.md §1.1)."""
    beta_s = rng.standard_normal(d)
    beta_s /= np.linalg.norm(beta_s)
    perp = rng.standard_normal(d)
    perp -= (perp @ beta_s) * beta_s
    perp /= np.linalg.norm(perp)
    return beta_s, np.cos(theta) * beta_s + np.sin(theta) * perp


def task_sample(x, eps, beta, sigma):
    """Rows (x_i, y_i) in R^{d+1} of the law p(x, y)."""
    return np.hstack([x, (x @ beta + sigma * eps)[:, None]])


def population_l1_bounds(theta, sigma):
    s = np.sin(theta / 2)
    c = np.sqrt(2 / np.pi)
    return c * (np.sqrt(4 * s * s + sigma ** 2) - sigma), 2 * c * s


def main():
    a = ARGS
    rng = np.random.default_rng(a.seed)
    thetas = np.linspace(0, np.pi, a.thetas)
    keys = ["W1 l1", "W1 l2", "SW1", "W1 l1 CRN"]
    vals = {k: np.empty((a.thetas, a.reps)) for k in keys}
    t_exact = t_sliced = 0.0
    for r in range(a.reps):
        bs, bt_pi2 = teachers(rng, a.d, np.pi / 2)  # bt_pi2 is beta_perp
        S = task_sample(rng.standard_normal((a.n, a.d)), rng.standard_normal(a.n), bs, a.sigma)
        xt, et = rng.standard_normal((a.n, a.d)), rng.standard_normal(a.n)
        for i, th in enumerate(thetas):
            bt = np.cos(th) * bs + np.sin(th) * bt_pi2
            T = task_sample(xt, et, bt, a.sigma)
            vals["W1 l1"][i, r] = wasserstein1_exact(S, T, metric="l1")
            t1 = time.perf_counter()
            vals["W1 l2"][i, r] = wasserstein1_exact(S, T, metric="euclidean")
            t2 = time.perf_counter()
            vals["SW1"][i, r] = sliced_wasserstein1(S, T, n_projections=a.projections, seed=rng).mean
            t3 = time.perf_counter()
            t_exact += t2 - t1
            t_sliced += t3 - t2
            # common random numbers: the same inputs and noise under both teachers
            vals["W1 l1 CRN"][i, r] = wasserstein1_exact(task_sample(xt, et, bs, a.sigma), T, metric="l1")
    calls = a.thetas * a.reps
    print(f"d={a.d}, n={a.n} per sample, sigma={a.sigma}, {a.reps} replicates per theta, "
          f"{a.projections} projections; samples live in R^{a.d + 1}")
    print(f"time per call: exact W1 (euclidean, cdist + assignment) {1e3 * t_exact / calls:.1f} ms; "
          f"sliced/exact time ratio {t_sliced / t_exact:.2f}")
    print(f"reference: E||x - x'||_1 over independent pairs = d * 2/sqrt(pi) = {a.d * 2 / np.sqrt(np.pi):.1f}; "
          f"E||x - x'||_2 ~ sqrt(2(d+1)) = {np.sqrt(2 * (a.d + 1)):.2f}")
    print()
    head = f"{'theta/pi':>8} {'pop. W1 l1 in':>17}" + "".join(f" | {k + ' mean+-se (sd)':>30}" for k in keys)
    print(head)
    print("-" * len(head))
    for i, th in enumerate(thetas):
        lo, hi = population_l1_bounds(th, a.sigma)
        row = f"{th / np.pi:8.3f} [{lo:6.3f}, {hi:6.3f}]"
        for k in keys:
            v = vals[k][i]
            row += f" | {v.mean():12.4f} +- {v.std(ddof=1) / np.sqrt(a.reps):7.4f} ({v.std(ddof=1):7.4f})"
        print(row)
    print()
    lo_pi, hi_pi = population_l1_bounds(np.pi, a.sigma)
    print(f"paired differences E[W1(theta) - W1(0)] (mean +- s.e. over {a.reps} replicates); population "
          f"W1 at pi: l1 in [{lo_pi:.3f}, {hi_pi:.3f}], l2 in [{lo_pi / np.sqrt(2):.3f}, {hi_pi:.3f}]")
    mid = int(np.argmin(np.abs(thetas - np.pi / 2)))
    for k in keys:
        parts = []
        for j in sorted({mid, a.thetas - 1}):
            diff = vals[k][j] - vals[k][0]
            parts.append(f"theta={thetas[j] / np.pi:.2f}pi: {diff.mean():+.4f} +- "
                         f"{diff.std(ddof=1) / np.sqrt(a.reps):.4f}")
        print(f"  {k:>10}: " + ";  ".join(parts) + f";  s.d. of one estimate at theta=0 "
              f"(same law) {vals[k][0].std(ddof=1):.4f}")

if __name__ == "__main__":
    main()
