"""The tuned bands below n = d given the estimated noise fraction (cond24's screening switch
``ScalePivot.tuned_rule``): the conditional quantile helper and what the rules leave unchanged."""
import math

import numpy as np

from ftheory.advise.aniso_pivot import ScalePivot, cond_quantile
from ftheory.advise.aniso_predict import AnisotropicPredictor
from ftheory.advise.estimators import prepare
from ftheory.advise.synthetic import make_task


def test_cond_quantile_is_the_quantile_of_the_nearest_draws():
    """Exact: at each world the quantile (np.quantile, linear) of the k draws whose fraction is nearest f0."""
    rng = np.random.default_rng(0)
    B, G, M, k = 300, 5, 3, 37
    stat, fg = rng.standard_normal((B, G, M)), rng.uniform(size=(B, G))
    for a in (0.025, 0.5, 0.975):
        got = cond_quantile(stat, fg, 0.4, k, a)
        for g in range(G):
            nn = np.argsort(np.abs(fg[:, g] - 0.4))[:k]
            np.testing.assert_allclose(got[g], np.quantile(stat[nn, g], a, axis=0), rtol=0, atol=1e-12)
    np.testing.assert_allclose(cond_quantile(stat, fg, 0.4, 10 ** 6, 0.5), np.quantile(stat, 0.5, axis=0),
                               rtol=0, atol=1e-12)


def test_cond_quantile_recovers_a_gaussian_conditional_quantile():
    """(t, f) bivariate normal, correlation -0.6: the 97.5% point of t given f near f0 is -0.6 f0 + 0.8 z_0.975
    within 4 standard errors of a quantile of k draws (plus the neighbourhood's half-width times 0.6)."""
    rng = np.random.default_rng(1)
    B, k, rho, f0 = 200_000, 2000, -0.6, 0.7
    f = rng.standard_normal(B)
    t = rho * f + math.sqrt(1 - rho ** 2) * rng.standard_normal(B)
    got = cond_quantile(t[:, None, None], f[:, None], f0, k, 0.975)[0, 0]
    z, sd = 1.959964, math.sqrt(1 - rho ** 2)
    se = math.sqrt(0.975 * 0.025 / k) / (math.exp(-z * z / 2) / math.sqrt(2 * math.pi)) * sd
    half = np.sort(np.abs(f - f0))[k - 1]
    assert abs(got - (rho * f0 + sd * z)) < 4 * se + abs(rho) * half


def _aniso(seed=3, n=14, d=30):
    t = make_task(d, 0.5, 0.7, eigenvalues=1.0 / np.arange(1, d + 1), seed=seed)
    rng = np.random.default_rng(seed + 1)
    X, y = t.sample(n, rng)
    return AnisotropicPredictor(prepare(X, y, X @ t.beta_s, t.sample(20 * d, rng)[0]), pivot_draws=128, seed=1)


def test_conditional_union_moves_only_the_tuned_lower_ends():
    """``tuned_rule = "cu"`` (lower sides): the min-norm bands, the values and the tuned upper ends are the base's
    exactly; the tuned lower ends are finite or NaN where the base's are, never above the value; the base is
    restored exactly."""
    ap = _aniso()
    ns = [6, 13, 40]
    procs = ("scratch_min_norm", "finetune_min_norm", "scratch_ridge", "finetune_ridge")
    base = {p: ap.bands(p, ns) for p in procs}
    try:
        ScalePivot.tuned_rule = "cu"
        for p in procs:
            v, lo, hi = ap.bands(p, ns)
            np.testing.assert_array_equal(v, base[p][0])
            np.testing.assert_array_equal(hi, base[p][2])
            if p.endswith("min_norm"):
                np.testing.assert_array_equal(lo, base[p][1])
            else:
                assert np.all(np.isnan(lo) == np.isnan(base[p][1]))
                assert np.all(lo[~np.isnan(lo)] <= v[~np.isnan(lo)] + 1e-12)
    finally:
        ScalePivot.tuned_rule = "set"
    for p in procs:
        for x, y in zip(base[p], ap.bands(p, ns)):
            np.testing.assert_array_equal(x, y)
