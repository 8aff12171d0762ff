"""The isotropic path's warning for correlated features (Schott's test of complete independence)."""
import numpy as np
import pytest

import ftheory
from ftheory.advise.prepared import CORRELATION_Z, independence_z


@pytest.mark.parametrize("n, d", [(30, 20), (17, 60), (120, 40)])
def test_statistic_is_standardised_under_independence(n, d):
    # exact mean 0 and variance 1 under independence; 1500 designs: s.e. of the mean 0.026, of the
    # variance about sqrt(2/1500) * (1 + excess kurtosis/2)^(1/2) < 0.06 for these sizes
    rng = np.random.default_rng(n * d)
    z = np.array([independence_z(rng.standard_normal((n, d))) for _ in range(1500)])
    assert abs(z.mean()) < 4 * z.std(ddof=1) / np.sqrt(z.size)
    assert abs(z.var(ddof=1) - 1) < 0.25
    assert np.all(z < CORRELATION_Z)  # false alarms: 0 of 4000 designs at d >= 20 (docs/advisor_validation.md)


def test_statistic_against_a_direct_sum():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((9, 4)) * [1.0, 3.0, 0.1, 2.0]
    r = [X[:, i] @ X[:, j] / np.sqrt((X[:, i] @ X[:, i]) * (X[:, j] @ X[:, j])) for i in range(4) for j in range(i)]
    t = np.sum(np.square(r)) - 4 * 3 / (2 * 9)
    assert independence_z(X) == pytest.approx(t / np.sqrt(4 * 3 * 8 / (81 * 11)), rel=1e-12)
    assert np.isnan(independence_z(X[:, :1]))


def _task(rho, seed, n=60, d=40):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    X = np.sqrt(1 - rho) * X + np.sqrt(rho) * rng.standard_normal((n, 1))  # equicorrelated columns
    beta = rng.standard_normal(d) / np.sqrt(d)
    return X, X @ beta + 0.5 * rng.standard_normal(n), X @ (beta + 0.1 * rng.standard_normal(d))


def test_advise_flags_correlated_features_on_the_isotropic_path_only():
    X, y, z = _task(0.3, 2)
    rep = ftheory.advise(X, y, source_pred=z)
    assert any(f.startswith("the features are correlated") for f in rep.flags)
    assert "FLAG: the features are correlated" in rep.summary()
    # unlabeled inputs give the anisotropic theory, which models the correlation: no warning
    U, _, _ = _task(0.3, 3, n=2000)
    rep = ftheory.advise(X, y, source_pred=z, unlabeled=U)
    assert not any("correlated" in f for f in rep.flags)
    X, y, z = _task(0.0, 4)
    assert not any("correlated" in f for f in ftheory.advise(X, y, source_pred=z).flags)
