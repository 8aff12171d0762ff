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

from ftheory.mc.batch import sq_dist
from ftheory.similarity._samples import DEFAULT_CHUNK, _as_pair, _positive_int
from ftheory.similarity.wasserstein import sliced_wasserstein1, wasserstein1_exact
from ftheory.similarity.wasserstein import MAX_ASSIGNMENT_PAIRS, MAX_LP_PAIRS  # noqa: F401 (still importable here)

__all__ = [
    "wasserstein1_exact",
    "sliced_wasserstein1",
    "mmd2",
    "median_heuristic_bandwidth",
    "kl_divergence_knn",
]

#: Number of pooled points the median heuristic looks at (deterministic, evenly spaced subsample).
MEDIAN_HEURISTIC_POINTS = 1000


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
