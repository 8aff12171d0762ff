"""Speed of ``advise`` with unlabeled data: eigenbasis predictions against the dense baseline.

    PYTHONPATH=. python benchmarks/advisor_speed.py [--n 60] [--d 61] [--unlabeled 5000] [--grid 60]

Same process, same data (anisotropic task, spectrum 1/i): the anisotropic predictions of the five
procedures at the user's n and on the curve grid, computed (a) by the pre-rewrite implementation
(``benchmarks/_advisor_dense_baseline.py``: a dense K and a fresh U-statistic per sample size and
penalty) and (b) by :class:`ftheory.advise.aniso_predict.AnisotropicPredictor` (one
eigendecomposition, per-direction U-statistics, all sample sizes and penalties at once). Also the
whole ``advise`` call. Prints the times, their ratio and the largest difference of the min-norm
predictions (the same unbiased linear functional in both).
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))

from _advisor_dense_baseline import dense_risk_factory  # noqa: E402

from ftheory.advise import advise  # noqa: E402
from ftheory.advise.aniso_predict import AnisotropicPredictor  # noqa: E402
from ftheory.advise.estimators import estimate_parameters, prepare  # noqa: E402
from ftheory.advise.predict import PROCEDURES  # noqa: E402
from ftheory.advise.synthetic import make_task  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--d", type=int, default=61)
    ap.add_argument("--unlabeled", type=int, default=5000)
    ap.add_argument("--grid", type=int, default=60)
    a = ap.parse_args()
    task = make_task(a.d, 0.9, 0.6, eigenvalues=np.arange(1, a.d + 1) ** -1.0, seed=1)
    rng = np.random.default_rng(2)
    X, y = task.sample(a.n, rng)
    U = task.sample(a.unlabeled, rng)[0]
    z = X @ task.beta_s
    print(f"load average: {os.getloadavg()[0]:.1f}; n = {a.n}, d = {a.d}, unlabeled = {a.unlabeled}, "
          f"grid = {a.grid}")
    t0 = time.perf_counter()
    prep = prepare(X, y, z, U)
    pe = estimate_parameters(prep)
    t_setup = time.perf_counter() - t0
    m = prep.X.shape[0]
    ns = np.unique(np.r_[np.round(np.geomspace(3, max(10 * a.n, 4 * a.d), a.grid)).astype(int), m])

    t0 = time.perf_counter()
    old = dense_risk_factory(prep, pe)
    old_mn = {}
    for proc in PROCEDURES:
        ivs = [old(proc, k).interval() for k in ns]
        if proc.endswith("min_norm"):
            old_mn[proc] = np.array([iv.value for iv in ivs])
    t_old = time.perf_counter() - t0

    t0 = time.perf_counter()
    new = AnisotropicPredictor(prep)
    new_mn = {}
    for proc in PROCEDURES:
        if proc == "linear_transfer":
            continue  # from the 4-parameter score region in both implementations' successors
        v = new.bands(proc, ns)[0]
        if proc.endswith("min_norm"):
            new_mn[proc] = v
    t_new = time.perf_counter() - t0

    t0 = time.perf_counter()
    advise(X, y, source_pred=z, unlabeled=U, grid_size=a.grid)
    t_adv = time.perf_counter() - t0

    diff = max(float(np.nanmax(np.abs(np.where(np.isfinite(old_mn[k]), old_mn[k] - new_mn[k], 0.0))
                               / np.maximum(1.0, np.abs(np.where(np.isfinite(old_mn[k]), old_mn[k], 1.0)))))
               for k in old_mn)
    print(f"shared setup (centring, Sigma_hat, estimates): {t_setup:.3f} s")
    print(f"anisotropic predictions, dense baseline:  {t_old:.2f} s  ({len(ns)} sample sizes)")
    print(f"anisotropic predictions, eigenbasis:      {t_new:.3f} s")
    print(f"ratio baseline / eigenbasis:              {t_old / t_new:.0f}x")
    print(f"whole advise(...) call, new:              {t_adv:.2f} s")
    print(f"largest relative difference of the min-norm predictions: {diff:.2e}")


if __name__ == "__main__":
    main()
