"""Sample estimators of distances between two distributions (docs/background.md §9).

docs/background.md §9 discusses whether a distance between the source and target task laws
:math:`p_s(x, y)` and :math:`p_t(x, y)` can predict transfer. This module estimates such distances
from two samples ``X`` (rows drawn from :math:`P`) and ``Y`` (rows drawn from :math:`Q`):

* :func:`wasserstein1_exact` -- the Wasserstein-1 distance between the two *empirical* measures,
  computed exactly (optimal assignment, transport linear program, or sorting in one dimension);
* :func:`sliced_wasserstein1` -- the sliced Wasserstein-1 distance, a Monte Carlo average over
  random directions of exact one-dimensional distances, returned with its Monte Carlo standard error;
* :func:`mmd2` -- the squared maximum mean discrepancy with a Gaussian kernel (unbiased U-statistic
  or biased V-statistic), with :func:`median_heuristic_bandwidth` for the default bandwidth;
* :func:`kl_divergence_knn` -- the k-nearest-neighbour estimator of KL(P || Q) of Wang, Kulkarni
  and Verdu (2009).

All samples are 2-D arrays of shape ``(n_samples, dim)`` with finite entries; a 1-D sample must be
passed as ``x.reshape(-1, 1)``. Bad input raises ``ValueError`` naming the parameter.

A warning on interpretation (docs/background.md §9.4). The *empirical* Wasserstein distance between two
samples of size ``n`` in dimension ``D`` is a heavily biased estimate of the population distance
when ``D`` is large: it converges at the rate :math:`n^{-1/D}` and is dominated by the distance
between independent points (of order :math:`\\sqrt{D}` for the Euclidean ground metric, :math:`D`
for the :math:`\\ell_1` one). ``benchmarks/bench_similarity.py`` measures this for the setting of
the paper's Figure 4(b).

References
----------
.. [PC19] G. Peyre, M. Cuturi, "Computational Optimal Transport", Foundations and Trends in
   Machine Learning 11(5-6), 2019 (assignment and linear-programming formulations, one-dimensional
   transport by quantile functions, sliced Wasserstein distance).
.. [BRPP15] N. Bonneel, J. Rabin, G. Peyre, H. Pfister, "Sliced and Radon Wasserstein barycenters
   of measures", Journal of Mathematical Imaging and Vision 51(1), 2015.
.. [GBRSS12] A. Gretton, K. M. Borgwardt, M. J. Rasch, B. Schoelkopf, A. Smola, "A kernel
   two-sample test", Journal of Machine Learning Research 13, 2012.
.. [WKV09] Q. Wang, S. R. Kulkarni, S. Verdu, "Divergence estimation for multidimensional
   densities via k-nearest-neighbor distances", IEEE Transactions on Information Theory 55(5),
   2392-2405, 2009.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from ftheory.mc.seeds import as_generator
from ftheory.mc.batch import sq_dist
from ftheory.mc.estimate import MCEstimate

__all__ = [
    "wasserstein1_exact",
    "sliced_wasserstein1",
    "mmd2",
    "median_heuristic_bandwidth",
    "kl_divergence_knn",
]

#: Largest ``n * m`` (or ``L**2`` after replication to ``L = lcm(n, m)``) for the assignment solver:
#: a dense float64 cost matrix of 9e6 entries is 72 MB and is solved in a few seconds.
MAX_ASSIGNMENT_PAIRS = 9_000_000
#: Largest number ``n * m`` of variables of the transport linear program (about 3-5 s with HiGHS
#: at 500 x 500 on the reference machine).
MAX_LP_PAIRS = 250_000
#: Number of kernel (or distance) entries held in memory at once by the chunked computations.
DEFAULT_CHUNK = 2 ** 22
#: Number of pooled points the median heuristic looks at (deterministic, evenly spaced subsample).
MEDIAN_HEURISTIC_POINTS = 1000

_METRICS = {"euclidean": "euclidean", "l2": "euclidean", "l1": "cityblock", "cityblock": "cityblock",
            "manhattan": "cityblock"}


# ------------------------------------------------------------------------------------------------
# input validation
# ------------------------------------------------------------------------------------------------
def _as_sample(name: str, A, min_rows: int = 1) -> np.ndarray:
    """Return ``A`` as a finite float64 array of shape ``(n, dim)`` or raise ``ValueError``."""
    if isinstance(A, (str, bytes)):
        raise ValueError(f"{name} must be a 2-D numeric array of shape (n_samples, dim); got a string")
    try:
        arr = np.asarray(A, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a 2-D numeric array of shape (n_samples, dim); "
                         f"could not convert it to float ({exc})") from None
    if arr.ndim != 2:
        hint = " (for 1-D data pass x.reshape(-1, 1))" if arr.ndim == 1 else ""
        raise ValueError(f"{name} must be a 2-D array of shape (n_samples, dim); got shape "
                         f"{arr.shape}{hint}")
    if arr.shape[1] < 1:
        raise ValueError(f"{name} has shape {arr.shape}: dimension must be >= 1")
    if arr.shape[0] < min_rows:
        raise ValueError(f"{name} has {arr.shape[0]} rows: at least {min_rows} sample(s) required")
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} contains {bad} non-finite value(s) (nan or inf); all entries must "
                         "be finite")
    return arr


def _as_pair(X, Y, min_rows_x: int = 1, min_rows_y: int = 1) -> tuple[np.ndarray, np.ndarray]:
    X = _as_sample("X", X, min_rows_x)
    Y = _as_sample("Y", Y, min_rows_y)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"X and Y must have the same dimension (number of columns); got X with "
                         f"{X.shape[1]} and Y with {Y.shape[1]}")
    return X, Y


def _positive_int(name: str, value, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name}={value!r} is invalid: expected an integer >= {low}")
    if value < low:
        raise ValueError(f"{name}={value!r} is out of its domain: integers >= {low}")
    return int(value)


def _metric(metric) -> str:
    key = metric.lower() if isinstance(metric, str) else metric
    if key not in _METRICS:
        extra = (" (squared Euclidean distance is not a metric, so it defines no Wasserstein-1 "
                 "distance; use 'euclidean')" if key == "sqeuclidean" else "")
        raise ValueError(f"metric={metric!r} is invalid: expected 'euclidean' (alias 'l2') or "
                         f"'l1' (aliases 'cityblock', 'manhattan'){extra}")
    return _METRICS[key]


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


# ------------------------------------------------------------------------------------------------
# MMD
# ------------------------------------------------------------------------------------------------
def median_heuristic_bandwidth(X, Y, max_points: int = MEDIAN_HEURISTIC_POINTS) -> float:
    r"""Median heuristic for the Gaussian-kernel bandwidth [GBRSS12]_.

    Returns :math:`h={\rm median}\{\|z_i-z_j\|:i<j\}` over the pooled sample
    :math:`z=(x_1,\dots,x_n,y_1,\dots,y_m)`, for use in
    :math:`k(a,b)=\exp(-\|a-b\|^2/(2h^2))`. If the pooled sample has more than ``max_points``
    rows, the median is taken over a deterministic, evenly spaced subsample of ``max_points`` rows
    (for i.i.d. rows this is a uniform subsample). If the median is 0 (more than half of the pairs
    coincide), the median of the *positive* distances is used; if all points coincide, 1.0.

    Parameters
    ----------
    X, Y : array_like, shapes (n, D), (m, D)
        The two samples.
    max_points : int >= 2
        Largest number of pooled rows used.

    Returns
    -------
    float
        The bandwidth ``h > 0``.
    """
    X, Y = _as_pair(X, Y)
    max_points = _positive_int("max_points", max_points, low=2)
    from scipy.spatial.distance import pdist

    Z = np.vstack([X, Y])
    if Z.shape[0] > max_points:
        Z = Z[np.unique(np.linspace(0, Z.shape[0] - 1, max_points).round().astype(np.int64))]
    dist = pdist(Z)
    if dist.size == 0:
        return 1.0
    h = float(np.median(dist))
    if h > 0:
        return h
    positive = dist[dist > 0]
    return float(np.median(positive)) if positive.size else 1.0


def _kernel_sum(A: np.ndarray, B: np.ndarray, inv_two_h2: float, chunk_size: int) -> float:
    """``sum_{i,j} exp(-||a_i - b_j||^2 / (2 h^2))`` in row blocks of about ``chunk_size`` entries."""
    a2, b2 = sq_dist(A), sq_dist(B)
    block = max(1, chunk_size // B.shape[0])
    total = 0.0
    for s in range(0, A.shape[0], block):
        sq = a2[s:s + block, None] + b2[None, :] - 2.0 * (A[s:s + block] @ B.T)
        np.maximum(sq, 0.0, out=sq)  # rounding can make tiny squared distances negative
        total += float(np.exp(-inv_two_h2 * sq).sum())
    return total


def mmd2(X, Y, bandwidth: float | None = None, unbiased: bool = True,
         chunk_size: int = DEFAULT_CHUNK) -> float:
    r"""Squared maximum mean discrepancy with a Gaussian kernel [GBRSS12]_.

    Kernel :math:`k(a,b)=\exp(-\|a-b\|^2/(2h^2))`. The population quantity is
    :math:`{\rm MMD}^2(P,Q)=\mathbb E\,k(x,x')+\mathbb E\,k(y,y')-2\,\mathbb E\,k(x,y)`
    (:math:`x,x'\sim P`, :math:`y,y'\sim Q` independent). Estimators:

    * unbiased U-statistic (``unbiased=True``, needs ``n, m >= 2``):
      :math:`\frac{1}{n(n-1)}\sum_{i\ne j}k(x_i,x_j)+\frac{1}{m(m-1)}\sum_{i\ne j}k(y_i,y_j)
      -\frac{2}{nm}\sum_{i,j}k(x_i,y_j)`; its expectation is exactly :math:`{\rm MMD}^2(P,Q)` for a
      *fixed* bandwidth, and it can be negative;
    * biased V-statistic (``unbiased=False``): the same with the diagonal terms included and
      normalisations :math:`1/n^2`, :math:`1/m^2`; it equals the squared RKHS distance between the
      empirical mean embeddings, hence is :math:`\ge0` (up to rounding, about 1e-15).

    Parameters
    ----------
    X : array_like, shape (n, D)
        Sample from :math:`P`.
    Y : array_like, shape (m, D)
        Sample from :math:`Q`.
    bandwidth : float > 0 or None
        Kernel bandwidth :math:`h`. ``None`` uses :func:`median_heuristic_bandwidth` on the pooled
        sample (then the bandwidth depends on the data and the U-statistic is no longer exactly
        unbiased; pass a fixed float for exact unbiasedness).
    unbiased : bool
        U-statistic (True) or V-statistic (False).
    chunk_size : int >= 1
        Approximate number of kernel entries held in memory at once (default 2**22, i.e. 32 MB).

    Returns
    -------
    float
        The estimate of :math:`{\rm MMD}^2`.

    Raises
    ------
    ValueError
        For invalid samples (``n, m >= 2`` for the U-statistic), bandwidth or chunk size.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0]])
    >>> mmd2(X, X, bandwidth=1.0, unbiased=False)
    0.0
    """
    if not isinstance(unbiased, (bool, np.bool_)):
        raise ValueError(f"unbiased={unbiased!r} is invalid: expected True or False")
    min_rows = 2 if unbiased else 1
    X, Y = _as_pair(X, Y, min_rows, min_rows)
    chunk_size = _positive_int("chunk_size", chunk_size)
    if bandwidth is None:
        h = median_heuristic_bandwidth(X, Y)
    else:
        if isinstance(bandwidth, bool) or not isinstance(bandwidth, numbers.Real):
            raise ValueError(f"bandwidth={bandwidth!r} is invalid: expected a finite float > 0 or None")
        h = float(bandwidth)
        if not (math.isfinite(h) and h > 0):
            raise ValueError(f"bandwidth={bandwidth!r} is out of its domain (0, inf) (or None for the "
                             "median heuristic)")
    c = 1.0 / (2.0 * h * h)
    n, m = X.shape[0], Y.shape[0]
    kxx = _kernel_sum(X, X, c, chunk_size)
    kyy = _kernel_sum(Y, Y, c, chunk_size)
    kxy = _kernel_sum(X, Y, c, chunk_size)
    if unbiased:
        # the diagonal terms are k(x, x) = 1 exactly
        return (kxx - n) / (n * (n - 1)) + (kyy - m) / (m * (m - 1)) - 2.0 * kxy / (n * m)
    return kxx / n ** 2 + kyy / m ** 2 - 2.0 * kxy / (n * m)


# ------------------------------------------------------------------------------------------------
# KL divergence
# ------------------------------------------------------------------------------------------------
def _kth_positive_distance(tree, points: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """Distance from ``points[i]`` to its ``ranks[i]``-th nearest neighbour in ``tree`` (1-based)."""
    out = np.empty(points.shape[0])
    for r in np.unique(ranks):
        sel = ranks == r
        dist, _ = tree.query(points[sel], k=[int(r)])
        out[sel] = dist[:, 0]
    return out


def kl_divergence_knn(X, Y, k: int = 1) -> float:
    r"""k-nearest-neighbour estimate of :math:`{\rm KL}(P\,\|\,Q)` [WKV09]_.

    With :math:`X=(x_1,\dots,x_n)\sim P`, :math:`Y=(y_1,\dots,y_m)\sim Q` in :math:`\mathbb R^D`,
    :math:`\rho_k(i)` the Euclidean distance from :math:`x_i` to its :math:`k`-th nearest neighbour in
    :math:`X\setminus\{x_i\}` and :math:`\nu_k(i)` the distance to its :math:`k`-th nearest neighbour
    in :math:`Y`, the estimator of Wang, Kulkarni and Verdu is

    .. math:: \widehat{\rm KL}=\frac Dn\sum_{i=1}^n\log\frac{\nu_k(i)}{\rho_k(i)}
              +\log\frac{m}{n-1}.

    It is consistent (``n, m -> inf`` with ``k`` fixed) for densities satisfying mild regularity
    conditions; its finite-sample bias grows with the dimension. It assumes continuous
    distributions in :math:`\mathbb R^D` (a sample concentrated on a lower-dimensional set breaks
    the :math:`D` in front of the sum).

    **Duplicate points.** With continuous laws ties have probability zero, but data may contain
    repeated rows, which would make :math:`\rho_k` or :math:`\nu_k` vanish. If :math:`x_i` has
    :math:`t_i` exact copies in :math:`X\setminus\{x_i\}` and :math:`s_i` in :math:`Y`, the
    neighbour ranks are moved past the ties, :math:`k_i=k+t_i`, :math:`l_i=k+s_i`, and the
    generalised estimator of [WKV09]_ with point-dependent ranks is used:

    .. math:: \frac Dn\sum_i\log\frac{\nu_{l_i}(i)}{\rho_{k_i}(i)}
              +\frac1n\sum_i\big[\psi(k_i)-\psi(l_i)\big]+\log\frac m{n-1}

    (:math:`\psi` the digamma function: the probability mass of the ball reaching the
    :math:`k`-th of :math:`N` neighbours is Beta(:math:`k, N-k+1`)-distributed, with mean logarithm
    :math:`\psi(k)-\psi(N+1)`); without duplicates it reduces to the formula above.

    Parameters
    ----------
    X : array_like, shape (n, D)
        Sample from :math:`P` (the first argument of the divergence), ``n >= k + 1``.
    Y : array_like, shape (m, D)
        Sample from :math:`Q`, ``m >= k``.
    k : int >= 1
        Neighbour rank.

    Returns
    -------
    float
        The estimate (it can be negative at finite sample sizes).

    Raises
    ------
    ValueError
        For invalid samples or ``k``, or if the duplicates leave fewer than ``k`` distinct
        neighbours (e.g. all rows of ``X`` equal).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((4000, 1)); Y = rng.standard_normal((4000, 1)) + 1.0
    >>> round(kl_divergence_knn(X, Y, k=5), 1)    # exact value 0.5
    0.5
    """
    k = _positive_int("k", k)
    X, Y = _as_pair(X, Y, k + 1, k)
    from scipy.spatial import cKDTree
    from scipy.special import digamma

    n, m = X.shape[0], Y.shape[0]
    D = X.shape[1]
    tree_x = cKDTree(X)
    tree_y = cKDTree(Y)

    # exact copies: t_i in X \ {x_i}, s_i in Y
    _, inv_x, cnt_x = np.unique(X, axis=0, return_inverse=True, return_counts=True)
    t = cnt_x[inv_x.ravel()] - 1
    s_dist, _ = tree_y.query(X, k=1)
    s = np.zeros(n, dtype=np.int64)
    hit = s_dist == 0.0
    if np.any(hit):
        s[hit] = np.array([len(v) for v in tree_y.query_ball_point(X[hit], r=0.0)], dtype=np.int64)

    k_i = k + t
    l_i = k + s
    if np.any(k_i > n - 1):
        raise ValueError(f"X has too many duplicate rows: some point has fewer than k={k} distinct "
                         "neighbours in X (the k-NN estimator needs continuous data)")
    if np.any(l_i > m):
        raise ValueError(f"Y has too many copies of some row of X: fewer than k={k} neighbours of "
                         "that point in Y at positive distance (the k-NN estimator needs continuous data)")

    # rank k_i + 1 in X because the query point itself is returned first (or among its ties)
    rho = _kth_positive_distance(tree_x, X, k_i + 1)
    nu = _kth_positive_distance(tree_y, X, l_i)
    estimate = D * float(np.mean(np.log(nu) - np.log(rho))) + math.log(m / (n - 1))
    if np.any(t > 0) or np.any(s > 0):
        estimate += float(np.mean(digamma(k_i) - digamma(l_i)))
    return estimate
