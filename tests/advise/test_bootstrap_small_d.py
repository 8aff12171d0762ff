"""At d <= 2 the bootstrap draws its estimates from their normal law (the exact simulation needs d >= 3): its
``r_hat^2 = S_z`` was <= 0 in about 6% of the draws at n = 6, where the cosine tests divide by ``r_hat`` (huge
``a_hat``, overflows whose warnings were silenced: a silent wrong number). ``r_hat^2`` now follows its exact law
``r^2 chi^2_n / n`` at the normal law's ranks; the other columns are unchanged."""
import numpy as np
import pytest
from scipy import stats

from ftheory.advise.bootstrap import Worlds
from ftheory.advise.param_cov import param_cov

P = np.array([0.5, 0.3, 0.4, 0.6])


@pytest.mark.parametrize("n, d", [(6, 1), (6, 2), (12, 2)])
def test_normal_law_source_signal_is_positive_with_its_exact_law(n, d):
    draws = 4000
    w = Worlds(n, d, draws=draws, seed=1)
    assert not w.exact
    D = w.draws_at(P, cov=lambda p: param_cov(n, d, p))
    r2 = D[:, 3]
    assert r2.min() > 0
    # Kolmogorov-Smirnov against r^2 chi^2_n / n: the 1% critical distance is 1.63 / sqrt(draws)
    assert stats.kstest(n * r2 / P[3], stats.chi2(n).cdf).statistic < 1.63 / np.sqrt(draws)
    # the other columns are the normal law's, as before: mean p, covariance param_cov (4 s.e.)
    C = param_cov(n, d, P)
    assert np.all(np.abs(D[:, :3].mean(0) - P[:3]) < 4 * np.sqrt(np.diag(C)[:3] / draws))
    assert np.allclose(np.diag(np.cov(D[:, :3].T)) / np.diag(C)[:3], 1, atol=4 * np.sqrt(2 / draws))
    # r_hat^2 keeps the normal law's ranks, so its dependence on rho_hat (correlation 0.71 in the normal law)
    ev, V = np.linalg.eigh(C)
    normal = (w.Z * np.sqrt(np.maximum(ev, 0))) @ V.T
    assert stats.spearmanr(D[:, 2], r2).statistic == pytest.approx(
        stats.spearmanr(normal[:, 2], normal[:, 3]).statistic, abs=1e-12)


def test_the_exact_simulation_is_unchanged():
    w = Worlds(6, 3, draws=200, seed=1)
    assert w.exact and np.array_equal(w.draws_at(P)[:, 3], P[3] * w.A[:, 0, 0])     # r^2 ||g_1||^2 / n
