"""Isotropic min-norm bands above n = d + 1: ``V sigma^2`` with ``V = d/(n - d - 1)``, so the band is ``V`` times the
noise variance's own interval (the exact chi-square interval of the residual variance), at every grid point."""
import numpy as np

import ftheory
from ftheory.advise.predict import min_norm_coefficients


def _data(n, d, seed=0):
    rng = np.random.default_rng(seed)
    bt = rng.standard_normal(d) / np.sqrt(d)
    bs = bt + 0.5 * rng.standard_normal(d) / np.sqrt(d)
    X = rng.standard_normal((n, d))
    return X, X @ bt + 0.3 * rng.standard_normal(n), X @ bs


def test_min_norm_band_is_v_times_the_noise_interval():
    X, y, z = _data(60, 20)
    r = ftheory.advise(X, y, source_pred=z)
    noise = r.estimates["noise_variance"]
    V = min_norm_coefficients(59, 20)[1]                       # 59 effective rows after centring
    for proc in ("scratch_min_norm", "finetune_min_norm"):
        iv = r.predictions[proc]
        np.testing.assert_allclose([iv.value, iv.low, iv.high], V * np.array([noise.value, noise.low, noise.high]),
                                   rtol=1e-12)


def test_below_the_peak_the_band_still_comes_from_the_region():
    X, y, z = _data(15, 20)
    r = ftheory.advise(X, y, source_pred=z)
    noise = r.estimates["noise_variance"]
    a, b = min_norm_coefficients(14, 20)
    assert a > 0                                              # a bias term: not a multiple of the noise interval
    iv = r.predictions["scratch_min_norm"]
    assert not np.allclose([iv.low, iv.high], b * np.array([noise.low, noise.high]))


def test_no_numpy_warning_at_the_interpolation_peak():
    """At n = d + 2 (21 effective rows, d = 20) the min-norm risk is infinite on part of the region; the aimed
    rays' gradient there is set to 0 without a NumPy warning (the CLI turns warnings into 'please report it')."""
    import warnings

    X, y, z = _data(60, 20)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = ftheory.advise(X[:22], y[:22], source_pred=z[:22])
    assert r.predictions["scratch_min_norm"].high == np.inf
