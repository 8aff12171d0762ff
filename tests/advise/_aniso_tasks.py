"""Task setup shared by the anisotropic band tests (test_aniso_difference.py, test_aniso_transfer.py)."""
import math

import numpy as np

from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.report import predict
from ftheory.advise.synthetic import make_task

#: the disc is cut by 64 directions: a linear functional's range is its extreme times cos(pi/64) at worst
RING = 1 - math.cos(math.pi / 64)


def small_prep(n, d=12, scale=1.0, seed=4, sigma=0.5):
    """Prepared data of a task with eigenvalues evenly spaced in [0.3, 3] and cosine 0.9: ``n`` labeled and
    ``20 d`` unlabeled rows; labels and source predictions multiplied by ``scale``."""
    t = make_task(d, 0.9, sigma, eigenvalues=np.linspace(0.3, 3, d), seed=seed)
    rng = np.random.default_rng(seed)
    X, y = t.sample(n, rng)
    U = t.sample(20 * d, rng)[0]
    return prepare(X, scale * y, scale * (X @ t.beta_s), U)


def tuned_truth(t, beta, m):
    """Deterministic-equivalent ridge risk of teacher ``beta`` at ``m`` samples and the true spectrum of task
    ``t``, minimised over 401 penalties (1e-5 to 1e3 times the mean eigenvalue)."""
    from ftheory.aniso import scratch_risk

    w, Q = np.linalg.eigh(t.Sigma)
    lams = float(w.mean()) * np.logspace(-5, 3, 401)
    with np.errstate(all="ignore"):
        return float(np.min(np.asarray(scratch_risk(w, Q.T @ beta, m, t.sigma, lams), float)))


def replicate(t, n, rng):
    """One replication of a coverage study: ``n`` labeled and ``20 d`` unlabeled rows of ``t`` drawn from
    ``rng``, the estimates (400 draws) and the report's predictions at ``m = n - 1``:
    ``(prep, pe, preds, transf)``."""
    X, y = t.sample(n, rng)
    U = t.sample(20 * t.d, rng)[0]
    prep = prepare(X, y, X @ t.beta_s, U)
    pe = estimate_parameters(prep, draws=400)
    preds, transf, *_ = predict(prep, pe, [n - 1], n - 1)
    return prep, pe, preds, transf


def ls_joint_law(reg, n, rv):
    """The statistics' covariance ``C``, ``Cov(s, q)`` and ``Cov(q)`` with ``q = (S_y - B, sigma2_LS)``, written out
    from derivations/noise_ls.py (the tests' oracle for the least-squares disc and centre)."""
    s, C, V, fin, L = reg._law(n)
    ap = reg.ap
    W, _ = ap._weights(np.array([n]), ap.lams)
    k = ap._signal_weights(np.where(fin[:, None], W[0], 0.0), n, ap.lams)
    Ky = np.concatenate([k, ap.kinv[None]], 0)
    s4, m = rv.value ** 2, ap.n
    cl = np.concatenate([-2 * s4 * (Ky @ ap.ev) / ((m + 2) * (m - 1)), -2 * s4 * (k @ ap.ev) / ((m + 2) * (m - 1)),
                         [2 * s4 / m, 0.0, 2 * s4 / m]])
    g = np.zeros(s.size)
    g[2 * L + 1], g[L] = 1.0, -1.0
    Csq = np.stack([C @ g, cl], 1)
    return s, C, g, Csq, np.array([[g @ C @ g, g @ cl], [g @ cl, 2 * s4 / rv.df]]), V, L
