"""The signal test's parts along t for one replication of index I, stream S: observed LR, fitted nuisance,
the 95% quantile of the simulated law at (t, nu_hat(t)) (a copy of signal_noise.u_test's arithmetic).

    PYTHONPATH=. python benchmarks/diagnostics/sig19/parts.py --only 6 --stream 0 --rep 284
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from advisor_coverage import SETTINGS  # noqa: E402

from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.param_cov import _cov_us, _inv2
from ftheory.advise.signal_noise import _TO_US, _cone_min
from ftheory.advise.synthetic import make_task


def lr_parts(pe, Ts, t, which=0, mode="cand"):
    """mode "cand": the advisor's weights at the candidate task; "pilot": each row's own pilot weights only."""
    e = np.array([0.0, 1.0]) if which == 0 else np.array([1.0, 1.0])
    f = np.array([1.0, 1.0]) if which == 0 else np.array([0.0, 1.0])
    n, d, N = pe.n, pe.d, pe.n_unlabeled
    R0 = Ts - f * t
    S = np.maximum(Ts[..., 1], 0.0)
    tau0 = np.clip(Ts[..., 0], 0.0, S)
    W0e = _inv2(_cov_us(n, d, tau0, S - tau0, N)) @ e
    nu = np.maximum(np.einsum("...i,...i->...", R0, W0e) / np.maximum(W0e @ e, 1e-300), 0.0)
    q0, q1 = (t + 0 * nu, nu) if which == 0 else (nu, t + 0 * nu)
    W = _inv2(_cov_us(n, d, q0, q1, N)) if mode == "cand" else _inv2(_cov_us(n, d, tau0, S - tau0, N))
    We = W @ e
    nu = np.maximum(np.einsum("...i,...i->...", R0, We) / np.maximum(We @ e, 1e-300), 0.0)
    R = R0 - np.multiply.outer(nu, e)
    Q = np.einsum("...i,...ij,...j->...", R, W, R)
    cm = _cone_min(Ts, W)
    return np.maximum(Q - cm, 0.0), nu, Q, cm


def law(pe, t, nu, which=0, mode="cand"):
    q = [t, nu, 0.0, 1.0] if which == 0 else [nu, t, 0.0, 1.0]
    return lr_parts(pe, pe.simulate(q)[:, :2] @ _TO_US, t, which, mode)[0]


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", type=int, default=6)
    ap.add_argument("--stream", type=int, default=0)
    ap.add_argument("--rep", type=int, default=0)
    ns = ap.parse_args()
    i = ns.only
    d, gamma, theta, sigma, spec = SETTINGS[i]
    n = int(round(gamma * d))
    task = make_task(d, theta, sigma, eigenvalues=np.arange(1, d + 1) ** -1.0, seed=100 + i)
    rng = np.random.default_rng(101 + i if ns.stream == 0 else [101 + i, ns.stream])
    for rep in range(ns.rep + 1):
        X, y = task.sample(n, rng)
        U = task.sample(20 * d, rng)[0]
    prep = prepare(X, y, X @ task.beta_s, U, center=True)
    pe = estimate_parameters(prep)
    T = np.array([pe.p[0], pe.p[0] + pe.p[1]])
    print("T =", T)
    for t in np.arange(0.0, 2.01, 0.1):
        lr, nu, Q, cm = lr_parts(pe, T, t)
        q95 = np.quantile(law(pe, t, float(nu)), 0.95)
        print(f"t={t:.2f} LR={float(lr):.3f} (Q {float(Q):.3f} - Qmin {float(cm):.3f}) nu={float(nu):.4f} "
              f"nu/t={float(nu) / max(t, 1e-9):.3f} q95={q95:.3f} test={float(lr) - q95:+.3f}")
