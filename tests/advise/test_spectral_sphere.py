"""The sphere coordinates of the spectral worlds (spectral._sphere_coordinates): the chi-square form used above
the memory budget has the law of the whole-array form."""
import numpy as np
from scipy import stats

from ftheory.advise import spectral


def test_whole_array_below_the_budget_is_the_old_draw():
    rng, ref = np.random.default_rng(3), np.random.default_rng(3)
    v = spectral._sphere_coordinates(rng, 50, 40, 7)
    g = ref.standard_normal((50, 40))
    assert np.array_equal(v, np.sqrt(40) * g[:, :7] / np.linalg.norm(g, axis=1, keepdims=True))


def test_chi_square_form_has_the_same_law(monkeypatch):
    """Two-sample KS tests (each at level 1e-3, so a false alarm has probability < 0.5%) on a coordinate, the
    sum of squares of the m coordinates and a product of two, between the two forms at d = 60, m = 5."""
    draws, d, m = 20000, 60, 5
    whole = spectral._sphere_coordinates(np.random.default_rng(1), draws, d, m)
    monkeypatch.setattr(spectral, "SPHERE_BUDGET", 0)
    chi = spectral._sphere_coordinates(np.random.default_rng(2), draws, d, m)
    for f in (lambda v: v[:, 0], lambda v: (v * v).sum(1), lambda v: v[:, 1] * v[:, 2]):
        assert stats.ks_2samp(f(whole), f(chi)).pvalue > 1e-3
    # exact moments of the chi-square form: E v_i^2 = 1, E sum_m v^2 = m (SE from the draws)
    s = (chi * chi).sum(1)
    assert abs(s.mean() - m) < 4 * s.std() / np.sqrt(draws)


def test_large_d_draws_only_m_columns():
    v = spectral._sphere_coordinates(np.random.default_rng(0), 4000, 10 ** 6, 3)   # 32 GB as a whole array
    assert v.shape == (4000, 3) and np.all(np.isfinite(v))
