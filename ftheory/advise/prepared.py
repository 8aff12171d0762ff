"""Centring (Helmert contrasts), scaling and the choice of covariance path of the advisor's data."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ftheory.advise.pool_size import check_self_pool, pool_flag, pool_overlap

__all__ = ["Prepared", "prepare", "helmert", "complement_rows", "independence_z"]

CORRELATION_Z = 4.0  # independence_z above which the isotropic path warns (docs/advisor.md, Inputs)


def helmert(A):
    """Rows of ``H A`` with ``H`` the (n-1) x n Helmert contrasts: centring without losing independence.

    For i.i.d. Gaussian rows with any common mean, the n-1 transformed rows are i.i.d. and centred.
    """
    A = np.asarray(A, float)
    n = A.shape[0]
    k = np.arange(1, n, dtype=float)
    cs = np.cumsum(A, axis=0)[:-1]
    scale = 1 / np.sqrt(k * (k + 1))
    shape = (-1,) + (1,) * (A.ndim - 1)
    return (cs - k.reshape(shape) * A[1:]) * scale.reshape(shape)


def complement_rows(z, *arrays):
    """Each of ``arrays`` (n rows) rotated onto the orthogonal complement of ``z`` (n - 1 rows): ``H' A`` with
    ``H`` the last n - 1 columns of the Householder reflection taking ``z`` to a multiple of e_1, a function of
    ``z`` alone. For Gaussian rows ``x ~ N(0, Sigma)`` with ``z = X beta_s`` and ``y = X beta_t + eps``, the
    rotated rows are i.i.d. given ``z``: inputs ``N(0, Sigma_perp)``, ``Sigma_perp = Sigma - Sigma beta_s
    beta_s' Sigma / r^2``, labels with teacher signal ``||beta_t||_Sigma^2 sin^2 theta`` and the same noise
    (docs/advisor_validation.md, orth30). ``ValueError`` if ``z`` is 0."""
    z = np.asarray(z, float)
    nz = float(np.linalg.norm(z))
    if not nz > 0:
        raise ValueError("z is 0: no orthogonal complement to rotate onto")
    u = z / nz
    u[0] += 1.0 if u[0] >= 0 else -1.0
    out = []
    for A in arrays:
        A = np.asarray(A, float)
        out.append((A - np.multiply.outer(u, u @ A) * (2.0 / (u @ u)))[1:])
    return out


def independence_z(X) -> float:
    """Schott's (2005) standardised statistic for complete independence of the columns of ``X`` (rows
    i.i.d. Gaussian with mean zero): ``(sum_{i<j} r_ij^2 - d(d-1)/(2n)) / sqrt(d(d-1)(n-1)/(n^2(n+2)))``
    with ``r`` the correlations about zero. Exact mean 0 and variance 1 under independence (``r_ij^2`` are
    Beta(1/2, (n-1)/2) and pairwise uncorrelated); large when the columns are correlated. NaN for d < 2."""
    X = np.asarray(X, float)
    n, d = X.shape
    if d < 2:
        return float("nan")
    Xn = X / np.sqrt(np.einsum("ij,ij->j", X, X))
    G = Xn.T @ Xn if d <= n else Xn @ Xn.T  # sum r_ij^2 = |Xn' Xn|_F^2 = |Xn Xn'|_F^2: the smaller Gram
    t = 0.5 * (float(np.sum(G * G)) - d) - d * (d - 1) / (2 * n)  # (r_ii = 1)
    return t / np.sqrt(d * (d - 1) * (n - 1) / (n * n * (n + 2.0)))


@dataclass
class Prepared:
    """Centred (and, on the isotropic path, standardised) data handed to the estimators."""

    X: np.ndarray
    y: np.ndarray
    z: np.ndarray | None
    Sigma: np.ndarray | None          # None: identity (isotropic path)
    Sigma_inv: np.ndarray | None
    n_unlabeled: int
    isotropic: bool
    centred: bool
    notes: list
    warnings: list = field(default_factory=list)  # what the report must flag (not just note)
    common_scale: bool = False        # X divided by its root-mean-square entry (one scale estimated from X)
    shared_rows: int = 0              # rows of X found among the unlabeled rows (pool_size.shared_rows)
    pool_repeats: int = 0             # with shared_rows: rows that repeat an earlier one (pool_size.repeated_rows)
    names: list | None = None         # X's column names when X is a table (messages name the columns), else None


def prepare(X, y, z=None, unlabeled=None, center=True, standardize=None, names=None) -> Prepared:
    """Centre by Helmert contrasts (``n -> n - 1`` effective samples) and pick the covariance path.

    Without ``unlabeled`` the inputs are treated as isotropic (``Sigma = I``) after scaling: one common
    scale if the column variances agree with isotropy, column-wise scales otherwise
    (``standardize=None``; ``True``/``False`` force column-wise scaling / no scaling). With ``unlabeled`` (``N`` rows) ``Sigma`` is their sample covariance and
    ``Sigma^{-1}`` is estimated without bias by ``(N' - d - 1)/N' * inv(Sigma_hat)`` (inverse-Wishart
    mean, ``N' = N - 1`` after centring); below ``FLAG_BELOW d`` unlabeled rows a warning quotes the band coverage
    measured at that pool size (:func:`ftheory.advise.pool_size.pool_flag`). ``names``: X's column names (a
    table's), kept for the messages.
    """
    notes, warnings = [], []
    shared, repeats = pool_overlap(X, unlabeled) if unlabeled is not None else (0, 0)
    own = (check_self_pool(shared, len(unlabeled), len(X), np.shape(X)[1], repeats) if shared
           else None)                                      # refuses a pool of fewer than SELF_POOL_FROM d rows
    if center:
        X, y = helmert(X), helmert(y)
        z = helmert(z) if z is not None else None
        notes.append("inputs and labels centred (intercept fitted): n - 1 effective samples")
    n, d = X.shape
    if unlabeled is None:
        common = False
        v = np.mean(X * X, axis=0)
        if standardize is None:
            # one common scale when the column variances agree with isotropy (their spread is then
            # that of chi2_n / n, coefficient of variation sqrt(2/n)); per-column scales otherwise
            standardize = bool(np.std(v) / np.mean(v) > 1.5 * np.sqrt(2 / n) + 0.05)
            if not standardize:
                X, common = X / np.sqrt(np.mean(v)), True
        if standardize:
            X = X / np.sqrt(v)
            notes.append("columns scaled to unit variance (their variances differ): intervals are "
                         "slightly conservative (estimated scales)")
        notes.append("no unlabeled inputs: the inputs are treated as isotropic (Sigma = I); if the "
                     "features are correlated the estimates refer to ||Sigma beta||^2 and the isotropic "
                     "predictions may be off - pass unlabeled inputs")
        zc = independence_z(X)
        if zc > CORRELATION_Z:
            warnings.append(f"the features are correlated (Schott's test of independence: z = {zc:.3g}, "
                         f"flagged above {CORRELATION_Z:g}), so the isotropic theory does not describe these "
                         "inputs: its signal estimate is ||Sigma beta||^2, not ||beta||_Sigma^2, and its "
                         "predictions can be far off (docs/advisor.md, Real data) - pass unlabeled inputs")
        return Prepared(X, y, z, None, None, 0, True, center, notes, warnings, common, names=names)
    U = helmert(unlabeled) if center else np.asarray(unlabeled, float)
    N = U.shape[0]
    Sigma = U.T @ U / N
    Sigma = 0.5 * (Sigma + Sigma.T)
    Sigma_inv = (N - d - 1) / N * np.linalg.inv(Sigma)
    notes.append(f"input covariance estimated from {N + int(center)} unlabeled rows (d = {d}); "
                 "anisotropic theory")
    flag = pool_flag(N + int(center), d)           # few rows per feature: the measured under-coverage
    return Prepared(X, y, z, Sigma, Sigma_inv, N, False, center, notes, [f for f in (flag, own) if f],
                    shared_rows=shared, pool_repeats=repeats, names=names)
