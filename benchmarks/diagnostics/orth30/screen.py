"""orth30: a screen of the noise variance below n = d estimated from the labels' part orthogonal to the pretrained
predictor. Given z, the rows rotated onto the complement of z (``H' X``, ``H' y``; ``H`` an orthonormal basis of
z's orthogonal complement, a function of z alone) are again a Gaussian linear model: n - 1 i.i.d. rows with inputs
``N(0, Sigma_perp)``, ``Sigma_perp = Sigma - Sigma beta_s beta_s' Sigma / r^2``, teacher signal
``||beta_perp||^2 = tau^2 (1 - cos^2)`` and the same noise (derivations in docs/advisor_validation.md, orth30). The
estimator and interval in use, applied to the rotated data, estimate sigma^2 with the target signal replaced by
``tau^2 sin^2 theta``. This screen runs both on the band benchmark's data sets and records their intervals.

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/orth30/screen.py SET INDEX REPS OUT.json
"""
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import advisor_band_coverage as b  # noqa: E402
from ftheory.advise.estimators import _from_moments  # noqa: E402
from ftheory.advise.moments import Moments  # noqa: E402


def complement(z):
    """``(n, n - 1)``: an orthonormal basis of the complement of ``z`` (Householder reflection of ``z`` onto e_0)."""
    n = z.size
    u = z / np.linalg.norm(z)
    u = u.copy()
    u[0] += np.sign(u[0]) if u[0] != 0 else 1.0
    Hh = np.eye(n) - 2 * np.outer(u, u) / (u @ u)
    return Hh[:, 1:]


def orth_estimates(prep, pe):
    """The estimates of the rotated data ``(H' X, H' y)`` (no source), at the data's covariance path and seed."""
    H = complement(prep.z)
    m = Moments(H.T @ prep.X, H.T @ prep.y, None, prep.Sigma, prep.Sigma_inv)
    return _from_moments(m, prep.n_unlabeled, pe.draws, pe.seed, pe.spectral, prep.common_scale)


def main():
    kind, index, reps, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    setting, seed = b.setting_at(kind, index)
    task, ev, n = b.setting_task(setting, seed)
    tr = task.truth()
    res = {"set": kind, "index": index, "setting": setting, "truth": tr, "reps": []}
    t0 = time.time()
    for rep, prep, pe in b.datasets(setting, seed, reps, 0, 20, "rep"):
        po = orth_estimates(prep, pe)
        row = {"rep": rep}
        for name, e in (("in_use", pe), ("orth", po)):
            iv = e.interval("noise_variance")
            row[name] = [float(e.p[1]), iv.value, iv.low, iv.high]
        row["orth_signal_perp"] = float(po.p[0])
        res["reps"].append(row)
    res["seconds"] = time.time() - t0
    with open(out, "w") as fh:
        json.dump(res, fh)


if __name__ == "__main__":
    main()
