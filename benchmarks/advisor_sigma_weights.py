"""Bias of the anisotropic advisor's signal term when Sigma is estimated: fixed-W, resolvent and cross-fitted weights.

    PYTHONPATH=. python benchmarks/advisor_sigma_weights.py [--reps 100] [--d 60] [--ratios 3,5,10,20]
        [--spectra 1/i,two-level] [--seed 0] [--out FILE.json]

The scratch ridge risk's bias term ``sum_i W_i b_i^2`` (``W``: the deterministic-equivalent bias weights of
``ftheory.aniso.scratch_risk``, ``b = Q' beta``) is estimated by the U-statistic ``U(y, M)`` (unbiased for
``c' M c``, ``c = Sigma beta``) with a matrix ``M`` standing for ``Sigma^-1 B Sigma^-1``, ``B = Q diag(W) Q'``:

* ``fixed_b``: the advisor's weights (``AnisotropicPredictor.resolvent`` off: ``W`` and ``Q`` at Sigma_hat from all
  ``N`` unlabeled rows, inverse-Wishart debiasing with the same Sigma_hat, as if ``B`` were fixed);
* ``resolvent``: the resolvent weights (:func:`resolvent_matrix`, ``ftheory.advise.sigma_debias``; the
  advisor's with ``AnisotropicPredictor.resolvent`` set);
* ``crossfit``: :func:`crossfit_matrix` (``W``, ``Q`` from half A of the pool, debiasing with half B by
  :func:`iw_debias`, then the halves swapped and the two averaged);
* ``oracle``: the true Sigma (``M = Sigma^-1 B(Sigma) Sigma^-1``; its tuned risk also uses the true ``V`` and
  ``sigma_hat^2 = S_yy - U(y, Sigma^-1)``): what is left without the pool (the labeled noise, the selection of
  the tuned minimum).

Per data set: ``N = K d`` unlabeled rows (no centering: ``Sigma_hat = U'U/N``), labeled samples of ``n = d/2`` and
``n = 2 d`` rows (the tasks of settings 8, 9 (1/i) and 12, 13 (two-level) of ``advisor_band_coverage.py``).
Reported per cell, for the penalties ``(0.01, 0.1, 1, 10)`` times the mean true eigenvalue and for the tuned risk
(``min`` over 41 log-spaced penalties, ``1e-4`` to ``1e2`` times it, of bias estimate ``+ V sigma_hat^2``, ``V`` at
Sigma_hat of the full pool and ``sigma_hat^2 = S_yy - U(y, (N - d - 1)/N Sigma_hat^-1)`` for both methods):
``ratio`` = mean estimate / truth (the deterministic equivalent at the true Sigma and teacher) with its standard
error over data sets, ``ratio_pool`` = the same for the estimate's mean given the pool (``c' M c``: the labeled
sample's noise integrated out exactly), and the standard deviation of both over data sets.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import print_load, write_json  # noqa: E402
from advisor_band_coverage import SETTINGS, SPECTRA  # noqa: E402

FIXED = (0.01, 0.1, 1.0, 10.0)
TASKS = {"1/i": (8, 9), "two-level": (12, 13)}     # settings at n = d/2 and n = 2 d
METHODS = ("fixed_b", "resolvent", "crossfit", "oracle")


def iw_debias(B, S, N):
    """``M`` with ``E M = Sigma^-1 B Sigma^-1`` when ``S = U'U/N`` (``N`` rows ``N(0, Sigma)``) and ``B`` (symmetric,
    ``(..., d, d)``) is independent of ``S``: ``D [(a - 1) S^-1 B S^-1 - tr(S^-1 B) S^-1] / (N^2 (a - 2)(a + 1))``,
    ``a = N - d - 1``, ``D = (N - d)(N - d - 1)(N - d - 3)`` (the fixed-B identity of
    ``AnisotropicPredictor._signal_weights`` in full matrices). Needs ``N > d + 3``, else ``ValueError``."""
    S = np.asarray(S, float)
    d = S.shape[-1]
    if not N > d + 3:
        raise ValueError(f"N={N!r} is invalid: expected more than d + 3 = {d + 3} rows")
    a = N - d - 1.0
    c = (N - d) * (N - d - 3.0) * a / (N * N * (a - 2.0) * (a + 1.0))
    Si = np.linalg.inv(S)
    SiB = Si @ B
    return c * ((a - 1.0) * SiB @ Si - np.trace(SiB, axis1=-2, axis2=-1)[..., None, None] * Si)


def crossfit_matrix(U, weights, rng):
    """Cross-fitted ``M`` for ``Sigma^-1 B(Sigma) Sigma^-1``, ``B(Sigma) = Q diag(weights(lambda)) Q'``: the rows of
    ``U`` split at random into halves A and B, ``B`` built at Sigma_hat_A's spectrum and debiased with Sigma_hat_B
    (:func:`iw_debias`), and the other way round; the mean of the two. ``weights(ev) -> (..., d)``."""
    U = np.asarray(U, float)
    N = U.shape[0]
    idx = np.random.default_rng(rng).permutation(N)
    halves = (U[idx[: N // 2]], U[idx[N // 2:]])
    S = [h.T @ h / h.shape[0] for h in halves]
    out = 0.0
    for i in (0, 1):
        ev, Q = np.linalg.eigh(S[i])
        W = weights(np.maximum(ev, 1e-12 * ev.max()))
        B = np.einsum("ij,...j,kj->...ik", Q, W, Q)
        out = out + 0.5 * iw_debias(B, S[1 - i], halves[1 - i].shape[0])
    return out


def u_stat(X, y, M):
    """``U(y, M) = (v' M v - sum_j y_j^2 x_j' M x_j) / (n (n - 1))``, ``v = X'y``: unbiased for ``c' M c``."""
    n = X.shape[0]
    v = X.T @ y
    diag = np.einsum("jd,...de,je->...j", X, M, X)
    return (np.einsum("d,...de,e->...", v, M, v) - diag @ (y * y)) / (n * (n - 1))


def _weights(n, lams):
    from ftheory.aniso import scratch_risk

    def f(ev):
        d = ev.size
        with np.errstate(all="ignore"):
            return np.asarray(scratch_risk(ev, np.eye(d), n, 0.0, lams[:, None]), float)
    return f


def _vfac(ev, n, lams):
    from ftheory.aniso import scratch_risk
    with np.errstate(all="ignore"):
        return np.asarray(scratch_risk(ev, np.zeros(ev.size), n, 1.0, lams), float)


def current_matrix(S, N, W_of_ev):
    """The advisor's fixed-``W`` ``M`` (``fixed_b``): ``Q diag(k) Q'`` with ``k`` from ``W/lambda^2`` debiased as if
    ``W`` were fixed (:func:`ftheory.advise.sigma_debias.fixed_b_weights`, what ``AnisotropicPredictor._signal_weights``
    returns with ``resolvent`` off) at ``S``."""
    from ftheory.advise.sigma_debias import fixed_b_weights

    ev, Q = np.linalg.eigh(S)
    ev = np.maximum(ev, 1e-12 * ev.max())
    k = fixed_b_weights(W_of_ev(ev), ev, N)
    return np.einsum("ij,...j,kj->...ik", Q, k, Q)


def resolvent_matrix(S, N, n, lams):
    """The advisor's ``M`` since the resolvent weights: ``Q diag(k) Q'``, ``k`` from
    :func:`ftheory.advise.sigma_debias.resolvent_weights` at ``S``'s spectrum (penalties ``lams``, ``n`` rows)."""
    from ftheory.advise.sigma_debias import resolvent_weights

    ev, Q = np.linalg.eigh(S)
    k = resolvent_weights(np.maximum(ev, 1e-12 * ev.max()), N, n, lams)
    return np.einsum("ij,...j,kj->...ik", Q, k, Q)


def run_cell(spec, K, d, reps, seed):
    """Ratios and standard deviations for one spectrum and ``N = K d`` (both labeled sizes)."""
    from ftheory.advise.synthetic import make_task

    ev_true = SPECTRA[spec](d)
    tasks = []
    for s in TASKS[spec]:
        dd, gamma, theta, sigma, _ = SETTINGS[s]
        tasks.append((int(round(gamma * d)), make_task(d, theta, sigma, eigenvalues=ev_true, seed=500 + s)))
    w, Qt = np.linalg.eigh(tasks[0][1].Sigma)
    scale = float(w.mean())
    lams = scale * np.r_[FIXED, np.logspace(-4, 2, 41)]
    nf = len(FIXED)
    N = K * d
    rng = np.random.default_rng([seed, K, d, list(SPECTRA).index(spec)])
    out = {}
    for n, task in tasks:
        w, Qt = np.linalg.eigh(task.Sigma)             # each task has its own random eigenbasis
        Wf = _weights(n, lams)
        b2 = (Qt.T @ task.beta_t) ** 2
        bias_true = Wf(w) @ b2
        tuned_true = float(np.min(bias_true[nf:] + _vfac(w, n, lams[nf:]) * task.sigma ** 2))
        c = task.Sigma @ task.beta_t
        M_true = np.einsum("ij,...j,kj->...ik", Qt, Wf(w) / w ** 2, Qt)
        V_true = _vfac(w, n, lams[nf:])
        rec = {m: {"est": [], "pool": [], "tuned": []} for m in METHODS}
        for rep in range(reps):
            U = task.sample(N, rng)[0]
            X, y = task.sample(n, rng)
            S = U.T @ U / N
            Ms = {"fixed_b": current_matrix(S, N, Wf), "resolvent": resolvent_matrix(S, N, n, lams),
                  "crossfit": crossfit_matrix(U, Wf, rng), "oracle": M_true}
            sig2 = float(y @ y / n - u_stat(X, y, (N - d - 1) / N * np.linalg.inv(S)))
            Vh = _vfac(np.maximum(np.linalg.eigvalsh(S), 0.0), n, lams[nf:])
            sig2_true = float(y @ y / n - u_stat(X, y, np.linalg.inv(task.Sigma)))
            for m, M in Ms.items():
                est = u_stat(X, y, M)
                rec[m]["est"].append(est[:nf])
                rec[m]["pool"].append(np.einsum("d,...de,e->...", c, M, c)[:nf])
                noise = V_true * sig2_true if m == "oracle" else Vh * sig2
                rec[m]["tuned"].append(float(np.nanmin(est[nf:] + noise)))
        res = {"n": n, "bias_true": bias_true[:nf].tolist(), "tuned_true": tuned_true}
        for m, r in rec.items():
            e, p, t = np.array(r["est"]), np.array(r["pool"]), np.array(r["tuned"])
            se = lambda a: a.std(0, ddof=1) / math.sqrt(len(a))  # noqa: E731
            res[m] = {"ratio": (e.mean(0) / bias_true[:nf]).tolist(), "ratio_se": (se(e) / bias_true[:nf]).tolist(),
                      "ratio_pool": (p.mean(0) / bias_true[:nf]).tolist(),
                      "ratio_pool_se": (se(p) / bias_true[:nf]).tolist(),
                      "sd": (e.std(0, ddof=1) / bias_true[:nf]).tolist(),
                      "sd_pool": (p.std(0, ddof=1) / bias_true[:nf]).tolist(),
                      "tuned_ratio": float(t.mean() / tuned_true), "tuned_ratio_se": float(se(t) / tuned_true),
                      "tuned_sd": float(t.std(ddof=1) / tuned_true)}
        out[f"n={n}"] = res
    return out


def _table(rows):
    lines = ["| spectrum | N/d | n | method | " + " | ".join(f"{f:g} lam_bar" for f in FIXED)
             + " | tuned | sd (1 lam_bar; its pool part; tuned) |", "|---" * (len(FIXED) + 6) + "|"]
    for row in rows:
        for key, res in row["result"].items():
            for m in METHODS:
                r = res[m]
                cells = [f"{a:.3f} ± {s:.3f} ({p:.3f})" for a, s, p in zip(r["ratio"], r["ratio_se"], r["ratio_pool"])]
                lines.append(f"| {row['spectrum']} | {row['K']} | {res['n']} | {m} | " + " | ".join(cells)
                             + f" | {r['tuned_ratio']:.3f} ± {r['tuned_ratio_se']:.3f} | {r['sd'][2]:.3f}; "
                             f"{r['sd_pool'][2]:.3f}; {r['tuned_sd']:.3f} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--reps", type=int, default=100, help="data sets per cell (default 100)")
    ap.add_argument("--d", type=int, default=60, help="features (default 60)")
    ap.add_argument("--ratios", default="3,5,10,20", help="unlabeled rows per feature K (N = K d), comma-separated")
    ap.add_argument("--spectra", default="1/i,two-level", help="spectra of advisor_band_coverage.SPECTRA")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=None, help="JSON file (rewritten after every cell)")
    ns = ap.parse_args()
    Ks = [int(k) for k in ns.ratios.split(",")]
    specs = ns.spectra.split(",")
    for s in specs:
        if s not in TASKS:
            raise ValueError(f"--spectra entry {s!r} is invalid: expected one of {sorted(TASKS)}")
    for k in Ks:
        if not k * ns.d // 2 > ns.d + 3:
            raise ValueError(f"--ratios entry {k} is invalid: each half pool needs more than d + 3 rows")
    print_load("start")
    rows = []
    for spec in specs:
        for K in Ks:
            t0 = time.time()
            res = run_cell(spec, K, ns.d, ns.reps, ns.seed)
            rows.append({"spectrum": spec, "K": K, "d": ns.d, "reps": ns.reps, "seconds": time.time() - t0,
                         "result": res})
            write_json(ns.out, {"fixed_penalties": FIXED, "rows": rows})
            print(f"{spec} K={K}: {time.time() - t0:.0f} s", file=sys.stderr, flush=True)
    print_load("end")
    print(_table(rows))


if __name__ == "__main__":
    main()
