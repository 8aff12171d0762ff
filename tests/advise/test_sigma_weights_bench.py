"""The cross-fitted inverse-Wishart weights of benchmarks/advisor_sigma_weights.py: unbiased at a fixed
(non-diagonal) B, and for B = Sigma_hat_A (the large-penalty limit), where the advisor's current weights are
low by (N - 2 d - 2)/N. Monte Carlo against the exact expectation, tolerance from the standard error."""
import numpy as np
import pytest

from tests.advise._bench import load_benchmark


def _sigma(d, rng):
    A = rng.standard_normal((d, d))
    return A @ A.T / d + 0.5 * np.eye(d)


def test_iw_debias_unbiased_fixed_B():
    bench = load_benchmark("advisor_sigma_weights")
    rng = np.random.default_rng(3)
    d, N, R = 4, 20, 40000
    Sigma = _sigma(d, rng)
    B = rng.standard_normal((d, d))
    B = B + B.T                                  # symmetric, not diagonal in Sigma's or S's eigenbasis
    L = np.linalg.cholesky(Sigma)
    U = rng.standard_normal((R, N, d)) @ L.T
    S = np.einsum("rnd,rne->rde", U, U) / N
    M = bench.iw_debias(B, S, N)
    Si = np.linalg.inv(Sigma)
    target = Si @ B @ Si
    mean, se = M.mean(0), M.std(0, ddof=1) / np.sqrt(R)
    z = (mean - target) / se
    assert np.all(np.abs(z) < 4.0), z
    # the identity matters: the plug-in S^-1 B S^-1 is off by many standard errors
    plug = np.linalg.inv(S) @ B @ np.linalg.inv(S)
    assert np.max(np.abs((plug.mean(0) - target) / (plug.std(0, ddof=1) / np.sqrt(R)))) > 10


def test_iw_debias_bad_N():
    bench = load_benchmark("advisor_sigma_weights")
    with pytest.raises(ValueError, match="N=7"):
        bench.iw_debias(np.eye(4), np.eye(4), 7)


def test_crossfit_unbiased_when_B_is_sigma_hat():
    bench = load_benchmark("advisor_sigma_weights")
    rng = np.random.default_rng(5)
    d, N, R = 4, 30, 6000
    Sigma = _sigma(d, rng)
    c = rng.standard_normal(d)
    target = c @ np.linalg.solve(Sigma, c)          # c' Sigma^-1 B Sigma^-1 c with E B = Sigma
    L = np.linalg.cholesky(Sigma)
    xf, cur = np.empty(R), np.empty(R)
    for r in range(R):
        U = rng.standard_normal((N, d)) @ L.T
        xf[r] = c @ bench.crossfit_matrix(U, lambda ev: ev, rng) @ c
        cur[r] = c @ bench.current_matrix(U.T @ U / N, N, lambda ev: ev) @ c
    se = xf.std(ddof=1) / np.sqrt(R)
    assert abs(xf.mean() - target) < 4 * se, (xf.mean(), target, se)
    # the advisor's current weights at B = Sigma_hat: scaled by (N - 2 d - 2)/N (docs/advisor_validation.md, the pool-size study)
    se_c = cur.std(ddof=1) / np.sqrt(R)
    assert abs(cur.mean() - (N - 2 * d - 2) / N * target) < 4 * se_c
    assert target - cur.mean() > 10 * se_c
