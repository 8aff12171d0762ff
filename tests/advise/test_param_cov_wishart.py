"""``param_cov`` with Sigma^{-1} estimated from ``N`` unlabeled rows (the inverse-Wishart terms of Var U_y,
``derivations/advise_wishart.py``): against exact simulation, its limits and its domain."""
import math

import numpy as np
import pytest

from ftheory.advise.bands import param_cov_rows
from ftheory.advise.bootstrap import Worlds
from ftheory.advise.param_cov import _cov_us, _var_u, param_cov


@pytest.mark.parametrize("n, d, N, reject", [(11, 20, 40, True), (30, 8, 60, False)])
def test_param_cov_matches_the_exact_simulation(n, d, N, reject):
    """Every entry of the covariance of ``p_hat`` against 6000 exact draws (Worlds simulates the data and
    ``K = (N - d - 1) W^{-1}``, ``W ~ Wishart_d(N, I)``); tolerance 4.5 standard errors of each sample
    moment (about the true mean). The previous ``Var U_y`` (known-Sigma variance + ``2 tau^4/(N - d - 3)``)
    is rejected by the same draws at N = 2 d (at N = 7.5 d the two differ by less than a standard error)."""
    p = np.array([1.2, 0.5, 0.4, 0.9])
    D = Worlds(n, d, N, draws=6000, seed=11, budget=1e13).draws_at(p) - p
    C = param_cov(n, d, p, N)
    for i in range(4):
        for j in range(i, 4):
            prod = D[:, i] * D[:, j]
            se = prod.std() / math.sqrt(len(D))
            assert abs(prod.mean() - C[i, j]) <= 4.5 * se, (i, j, prod.mean(), C[i, j], se)
    u = D[:, 0] ** 2
    old = _var_u(n, d, p[0], p[0] + p[1]) + 2 * p[0] ** 2 / (N - d - 3)
    assert not reject or abs(u.mean() - old) > 4.5 * u.std() / math.sqrt(len(D))


def test_limits_and_consistency():
    """``N -> inf`` gives the known-Sigma covariance (the excess is O(d/N)); the variance falls with N;
    only the ``(tau^2, sigma^2)`` block moves; ``_cov_us`` and ``param_cov_rows`` carry the same value."""
    n, d, p = 37, 50, np.array([0.8, 0.3, 0.4, 1.3])
    C0 = param_cov(n, d, p)
    for N in (10 ** 6, 10 ** 9):
        C = param_cov(n, d, p, N)
        excess = np.abs(C - C0).max() / np.abs(C0).max()
        assert 0 < excess <= 20 * (d + 3) / N
    v = [param_cov(n, d, p, N)[0, 0] for N in (d + 4, d + 10, 2 * d, 20 * d, 10 ** 6)]
    assert all(a > b for a, b in zip(v, v[1:]))
    C = param_cov(n, d, p, 200)
    assert np.array_equal(C[:, 2:], C0[:, 2:])              # rho_hat, r^2_hat: statistics of the data alone
    eps = np.finfo(float).eps
    # Cov(U_y, S_y) = C[0, 0] + C[0, 1] and Var S_y = sum of the block: unchanged (to rounding)
    assert abs((C[0, 0] + C[0, 1]) - (C0[0, 0] + C0[0, 1])) <= 10 * eps * C[0, 0]
    assert abs(C[:2, :2].sum() - C0[:2, :2].sum()) <= 10 * eps * C[0, 0]
    assert C[0, 0] > C0[0, 0]
    J = np.array([[1.0, 0, 0, 0], [1, 1, 0, 0]])
    assert np.allclose(_cov_us(n, d, p[0], p[1], 200), J @ C @ J.T, rtol=1e-13, atol=0)
    assert np.allclose(param_cov_rows(n, d, p[None], 200)[0], C, rtol=0, atol=100 * eps * np.abs(C).max())


@pytest.mark.parametrize("N", [1, 20, 53])
def test_too_few_unlabeled_rows_is_an_error(N):
    """``0 < N <= d + 3``: the estimate of Sigma^{-1} has no finite variance; the error names the parameter."""
    with pytest.raises(ValueError, match=f"n_unlabeled={N} is invalid.*d \\+ 3 = 53"):
        param_cov(30, 50, [1.0, 0.5, 0.2, 1.0], N)
    with pytest.raises(ValueError, match="n_unlabeled"):
        param_cov_rows(30, 50, np.array([[1.0, 0.5, 0.2, 1.0]]), N)
