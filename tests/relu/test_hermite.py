"""Hermite-degree split of ReLU networks (ftheory.relu.hermite) against independent closed forms."""
import math

import numpy as np
import pytest

from ftheory.relu.hermite import degree_norms, relu_hermite_sq
from ftheory.relu.kernel import arccos_kernel, gram


def _net(rng, p=7, d=5):
    W = rng.standard_normal((p, d)) * rng.uniform(0.3, 2.0, size=(p, 1))
    return W, rng.standard_normal(p)


def test_mehler_series_sums_to_the_arccos_kernel():
    # sum_k xi_k^2 u^k = kappa(u) (closed form of ftheory.relu.kernel); terms decay like k^-5/2 u^k
    for u in (-0.7, 0.0, 0.3, 0.9):
        s = sum(relu_hermite_sq(k) * u ** k for k in range(400))
        assert s == pytest.approx(float(arccos_kernel(u)), rel=1e-13, abs=1e-15)
    assert sum(relu_hermite_sq(k) for k in range(20000)) == pytest.approx(0.5, abs=2e-6)  # tail ~ k^-3/2


def test_low_degrees_match_moment_formulas():
    # degree 0: (E f)^2, E relu(w.x) = |w|/sqrt(2 pi); degree 1: |E[f x]|^2, E[relu(w.x) x] = w/2;
    # degree 2: 2 |M|_F^2 with f_2(x) = x'Mx - tr M, M = sum_j c_j |w_j| w^_j w^_j' / (2 sqrt(2 pi))
    rng = np.random.default_rng(3)
    W, c = _net(rng)
    r = np.linalg.norm(W, axis=1)
    got = degree_norms(W, c, kmax=3)
    Wh = W / r[:, None]
    M = np.einsum("j,ja,jb->ab", c * r, Wh, Wh) / (2 * math.sqrt(2 * math.pi))
    want = [(c @ r) ** 2 / (2 * math.pi), np.sum((c @ W) ** 2) / 4, 2 * np.sum(M * M), 0.0]
    scale = (np.abs(c) @ r) ** 2
    np.testing.assert_allclose(got[:4], want, rtol=0, atol=1e-14 * scale)
    assert got.sum() == pytest.approx(float(c @ gram(W) @ c), rel=1e-13)
    assert got[-1] > 0


def test_degree_split_by_monte_carlo_regression():
    # project samples of f on [1, x, He_2 features]: the fitted degree-1 part's norm within MC error
    rng = np.random.default_rng(5)
    W, c = _net(rng, p=4, d=3)
    X = rng.standard_normal((400_000, 3))
    f = np.maximum(X @ W.T, 0.0) @ c
    lin = X.T @ f / X.shape[0]                    # E[f x] estimate
    se = np.sqrt(np.sum(np.var(X * f[:, None], axis=0)) / X.shape[0])
    got = degree_norms(W, c, kmax=1)[1]
    assert abs(np.sum(lin ** 2) - got) < 6 * 2 * math.sqrt(got) * se


def test_kmax_zero_and_zero_neurons():
    W = np.array([[0.0, 0.0], [1.0, 0.0]])
    got = degree_norms(W, [5.0, 1.0], kmax=0)
    assert got.tolist() == pytest.approx([1 / (2 * math.pi), 0.5 - 1 / (2 * math.pi)], rel=1e-14)


@pytest.mark.parametrize("args,match", [
    (([[1.0, 0.0]], [1.0, 2.0]), "coef has shape"),
    (([1.0, 0.0], [1.0]), "weights must be a 2-D array"),
    (([[np.nan, 0.0]], [1.0]), "weights contains non-finite"),
    (([[1.0, 0.0]], [np.inf]), "coef contains non-finite"),
])
def test_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        degree_norms(*args)


def test_bad_degree():
    with pytest.raises(ValueError, match="kmax"):
        degree_norms([[1.0]], [1.0], kmax=-1)
    with pytest.raises(ValueError, match="k"):
        relu_hermite_sq(1.5)
