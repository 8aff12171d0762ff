"""Wasserstein-1 distance between two samples (docs/background.md §9): exact between the empirical
measures (assignment, transport linear program or sorting) and sliced (Monte Carlo over directions);
re-exported by :mod:`ftheory.similarity.estimators`, whose docstring has the caveats and references."""
from __future__ import annotations

import math

import numpy as np

from ftheory.mc.seeds import as_generator
from ftheory.mc.estimate import MCEstimate
from ftheory.similarity._samples import DEFAULT_CHUNK, _as_pair, _metric, _positive_int

__all__ = ["wasserstein1_exact", "sliced_wasserstein1"]

#: Largest ``n * m`` (or ``L**2`` after replication to ``L = lcm(n, m)``) for the assignment solver:
#: a dense float64 cost matrix of 9e6 entries is 72 MB and is solved in a few seconds.
MAX_ASSIGNMENT_PAIRS = 9_000_000
#: Largest number ``n * m`` of variables of the transport linear program (about 3-5 s with HiGHS
#: at 500 x 500 on the reference machine).
MAX_LP_PAIRS = 250_000


# ------------------------------------------------------------------------------------------------
# Wasserstein-1
# ------------------------------------------------------------------------------------------------
def _quantile_grid(n: int, m: int):
    """Common refinement of the quantile grids of an ``n``- and an ``m``-point empirical measure.

    Returns indices ``ix``, ``iy`` and weights ``w`` such that for sorted samples ``xs``, ``ys``
    ``int_0^1 |F^{-1}(t) - G^{-1}(t)| dt = sum(w * |xs[ix] - ys[iy]|)`` exactly. Breakpoints are kept
    as integers in units of ``1/(n m)`` so that coinciding breakpoints are merged exactly.
    """
    if n == m:
        idx = np.arange(n)
        return idx, idx, np.full(n, 1.0 / n)
    T = np.union1d(np.arange(1, n + 1, dtype=np.int64) * m, np.arange(1, m + 1, dtype=np.int64) * n)
    ix = -(-T // m) - 1          # ceil(T / m) - 1: quantile index of the n-point measure on (T_prev, T]
    iy = -(-T // n) - 1
    w = np.diff(np.concatenate(([0], T))) / (n * m)
    return ix, iy, w


def _w1_sorted_rows(xs: np.ndarray, ys: np.ndarray, grid=None) -> np.ndarray:
    """Exact 1-D W1 between the empirical measures of each row pair of sorted ``xs``, ``ys``."""
    ix, iy, w = _quantile_grid(xs.shape[-1], ys.shape[-1]) if grid is None else grid
    return np.abs(xs[..., ix] - ys[..., iy]) @ w


def _transport_lp(C: np.ndarray) -> float:
    """Optimal transport cost between uniform weights for cost matrix ``C`` (HiGHS linear program)."""
    from scipy import sparse
    from scipy.optimize import linprog

    n, m = C.shape
    rows = sparse.kron(sparse.eye(n, format="csr"), np.ones((1, m)), format="csr")
    cols = sparse.kron(np.ones((1, n)), sparse.eye(m, format="csr"), format="csr")
    A_eq = sparse.vstack([rows, cols], format="csr")
    b_eq = np.concatenate([np.full(n, 1.0 / n), np.full(m, 1.0 / m)])
    res = linprog(C.ravel(), A_eq=A_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    if res.status != 0:  # pragma: no cover - the transport polytope is never empty or unbounded
        raise RuntimeError(f"transport linear program failed: {res.message}")
    return float(res.fun)


def wasserstein1_exact(X, Y, metric: str = "euclidean", method: str = "auto",
                       max_pairs: int | None = None) -> float:
    r"""Exact Wasserstein-1 distance between the empirical measures of two samples.

    With :math:`\hat P=\frac1n\sum_i\delta_{x_i}` and :math:`\hat Q=\frac1m\sum_j\delta_{y_j}`,

    .. math:: W_1(\hat P,\hat Q)=\min_{\pi\in\Pi(\hat P,\hat Q)}\sum_{i,j}\pi_{ij}\,c(x_i,y_j),

    where :math:`c` is the ground metric and :math:`\Pi` the couplings with marginals
    :math:`1/n` and :math:`1/m` [PC19]_. This is the quantity docs/background.md §9.4 uses for Figure 4(b).
    It is a *biased* estimate of the population distance :math:`W_1(P,Q)`: by convexity its
    expectation is at least :math:`W_1(P,Q)`, and the excess decays like :math:`n^{-1/D}` in
    dimension :math:`D\ge3` (like :math:`n^{-1/2}` in one dimension when :math:`P=Q`).

    Parameters
    ----------
    X : array_like, shape (n, D)
        Sample from :math:`P`.
    Y : array_like, shape (m, D)
        Sample from :math:`Q`.
    metric : {"euclidean", "l1"}
        Ground metric :math:`c` (aliases ``"l2"``; ``"cityblock"``, ``"manhattan"``). The squared
        Euclidean cost is refused: it is not a metric.
    method : {"auto", "sorted", "assignment", "lp"}
        Exact algorithm.

        * ``"sorted"`` (``D = 1`` only): integral of :math:`|F_n^{-1}-G_m^{-1}|` over the merged
          quantile grid, :math:`O((n+m)\log(n+m))`, any ``n, m``.
        * ``"assignment"``: for ``n == m`` an optimal coupling is a permutation (Birkhoff), found by
          :func:`scipy.optimize.linear_sum_assignment` on the ``n x n`` cost matrix. For ``n != m``
          each point is replicated to ``L = lcm(n, m)`` atoms of mass ``1/L`` and the ``L x L``
          problem is solved: this is exact because the transport polytope with equal uniform
          marginals has permutation matrices as vertices.
        * ``"lp"``: the transport linear program with ``n m`` variables solved by HiGHS
          (:func:`scipy.optimize.linprog`), exact up to the solver's tolerances (about 1e-9).
        * ``"auto"``: ``"sorted"`` if ``D == 1``; else ``"assignment"`` if ``n == m`` or
          ``lcm(n, m)**2 <= max_pairs``; else ``"lp"``.
    max_pairs : int, optional
        Largest problem accepted: number of cost-matrix entries for ``"assignment"`` (default
        :data:`MAX_ASSIGNMENT_PAIRS`, i.e. n = m = 3000) and of LP variables ``n m`` for ``"lp"``
        (default :data:`MAX_LP_PAIRS`). Larger requests raise ``ValueError`` instead of exhausting
        memory or time.

    Returns
    -------
    float
        :math:`W_1(\hat P,\hat Q)\ge0`.

    Raises
    ------
    ValueError
        For invalid samples, metric, method, or a problem larger than ``max_pairs`` (use
        :func:`sliced_wasserstein1` for large samples).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0]]); Y = np.array([[2.0], [3.0]])
    >>> wasserstein1_exact(X, Y)
    2.0
    >>> wasserstein1_exact(X, Y, method="assignment")
    2.0
    """
    X, Y = _as_pair(X, Y)
    metric = _metric(metric)
    methods = ("auto", "sorted", "assignment", "lp")
    if method not in methods:
        raise ValueError(f"method={method!r} is invalid: expected one of {methods}")
    if max_pairs is not None:
        max_pairs = _positive_int("max_pairs", max_pairs)
    n, m = X.shape[0], Y.shape[0]
    D = X.shape[1]
    L = math.lcm(n, m)
    cap_assign = MAX_ASSIGNMENT_PAIRS if max_pairs is None else max_pairs
    cap_lp = MAX_LP_PAIRS if max_pairs is None else max_pairs

    if method == "auto":
        if D == 1:
            method = "sorted"
        elif L * L <= cap_assign:
            method = "assignment"
        elif n * m <= cap_lp:
            method = "lp"
        else:
            raise ValueError(
                f"X and Y are too large for an exact Wasserstein-1 computation (n={n}, m={m}: "
                f"assignment needs {L}x{L} > max_pairs={cap_assign} entries, the linear program "
                f"{n * m} > {cap_lp} variables); use sliced_wasserstein1 or subsample")

    if method == "sorted":
        if D != 1:
            raise ValueError(f"method='sorted' needs one-dimensional samples; X and Y have dimension {D}")
        return float(_w1_sorted_rows(np.sort(X[:, 0]), np.sort(Y[:, 0])))

    from scipy.spatial.distance import cdist

    if method == "assignment":
        if L * L > cap_assign:
            raise ValueError(
                f"X and Y are too large for the assignment solver: n={n}, m={m} need an {L}x{L} cost "
                f"matrix (lcm(n, m) = {L}), more than max_pairs={cap_assign} entries; use "
                "method='lp' for unequal sizes, sliced_wasserstein1, or subsample")
        from scipy.optimize import linear_sum_assignment

        C = cdist(X, Y, metric=metric)
        if L != n or L != m:
            C = np.repeat(np.repeat(C, L // n, axis=0), L // m, axis=1)
        r, c = linear_sum_assignment(C)
        return float(C[r, c].mean())

    # method == "lp"
    if n * m > cap_lp:
        raise ValueError(
            f"X and Y are too large for the transport linear program: n*m = {n * m} variables > "
            f"max_pairs={cap_lp}; use sliced_wasserstein1 or subsample")
    return max(_transport_lp(cdist(X, Y, metric=metric)), 0.0)


def sliced_wasserstein1(X, Y, n_projections: int = 200, seed=None,
                        chunk_size: int = DEFAULT_CHUNK) -> MCEstimate:
    r"""Sliced Wasserstein-1 distance between two samples, with its Monte Carlo standard error.

    .. math:: SW_1(\hat P,\hat Q)=\mathbb E_{u\sim{\rm Unif}(S^{D-1})}\,
              W_1\big(u_\#\hat P,\,u_\#\hat Q\big)

    [BRPP15]_. Each term is the exact one-dimensional distance between the projected empirical
    measures, :math:`\int_0^1|F_{u,n}^{-1}(t)-G_{u,m}^{-1}(t)|\,dt`, computed on the merged quantile
    grid so that ``n != m`` is handled exactly. The expectation over directions is estimated by
    ``n_projections`` independent uniform directions (normalised Gaussian vectors).

    Because projections are 1-Lipschitz, every term (hence the estimate) is at most
    ``wasserstein1_exact(X, Y)`` with the Euclidean metric. For a pure shift,
    :math:`SW_1(P,P(\cdot-\delta))=\|\delta\|\,\mathbb E|u_1|
    =\|\delta\|\,\Gamma(D/2)/(\sqrt\pi\,\Gamma((D+1)/2))`.

    Parameters
    ----------
    X : array_like, shape (n, D)
        Sample from :math:`P`.
    Y : array_like, shape (m, D)
        Sample from :math:`Q`.
    n_projections : int >= 1
        Number of random directions (at least 2 for a standard error).
    seed : int, numpy.random.Generator, numpy.random.SeedSequence or None
        Randomness of the directions (see :func:`ftheory.mc.as_generator`).
    chunk_size : int >= 1
        Approximate number of projected values held in memory at once; directions are processed in
        blocks of ``max(1, chunk_size // (n + m))``.

    Returns
    -------
    MCEstimate
        ``samples`` are the per-direction one-dimensional distances; ``mean`` is the estimate and
        ``sem`` its Monte Carlo standard error *over directions*, conditional on the samples ``X``,
        ``Y`` (it does not include the sampling variability of ``X`` and ``Y``). ``info`` holds
        ``n``, ``m``, ``dim`` and ``n_projections``.

    Raises
    ------
    ValueError
        For invalid samples, ``n_projections`` or ``chunk_size``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).standard_normal((50, 3))
    >>> est = sliced_wasserstein1(X, X + [1.0, 0.0, 0.0], n_projections=400, seed=1)
    >>> abs(est.mean - 0.5) < 4 * est.sem    # E|u_1| = 1/2 on the 2-sphere
    True
    """
    X, Y = _as_pair(X, Y)
    n_projections = _positive_int("n_projections", n_projections)
    chunk_size = _positive_int("chunk_size", chunk_size)
    rng = as_generator(seed)
    n, m = X.shape[0], Y.shape[0]
    D = X.shape[1]
    grid = _quantile_grid(n, m)
    block = max(1, chunk_size // (n + m))
    out = np.empty(n_projections)
    for start in range(0, n_projections, block):
        stop = min(start + block, n_projections)
        U = rng.standard_normal((stop - start, D))
        norms = np.linalg.norm(U, axis=1, keepdims=True)
        while np.any(norms == 0.0):  # probability zero; redraw rather than divide by zero
            zero = norms[:, 0] == 0.0
            U[zero] = rng.standard_normal((int(zero.sum()), D))
            norms = np.linalg.norm(U, axis=1, keepdims=True)
        U /= norms
        xs = np.sort(U @ X.T, axis=1)
        ys = np.sort(U @ Y.T, axis=1)
        out[start:stop] = _w1_sorted_rows(xs, ys, grid)
    return MCEstimate(samples=out, info={"n": n, "m": m, "dim": D, "n_projections": n_projections})
