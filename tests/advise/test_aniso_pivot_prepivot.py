"""The min-norm bands below n = d: quantiles at prepivoted levels (ftheory.advise.prepivot.calibrated_level,
ScalePivot._prepivot)."""
import math

import numpy as np
import pytest

from ftheory.advise.aniso_pivot import ScalePivot
from ftheory.advise.prepivot import PP_LEVELS, calibrated_level, joint_levels, tail_misses
from ftheory.advise.aniso_predict import AnisotropicPredictor
from ftheory.advise.estimators import prepare
from ftheory.advise.synthetic import make_task

ALPHA = 0.025


def _normal_quantile(p):
    """Standard normal quantile (bisection on erf; tests only)."""
    lo, hi = -10.0, 10.0
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if 0.5 * (1 + math.erf(mid / math.sqrt(2))) < p:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@pytest.mark.parametrize("upper", [False, True])
def test_calibrated_level_recovers_the_nominal_level_and_the_shift(upper):
    """Draws t ~ N(0, 1) with their own quantiles exact: the level at which 2.5% exceed them is 2.5% within
    Monte Carlo error (binomial, 4 standard errors, 20000 draws). Own quantiles shifted inwards by a constant
    ``s`` (a world narrower than the draws' law): the level is the normal tail probability at ``z + s``."""
    rng = np.random.default_rng(7)
    B = 20000
    t = rng.standard_normal((B, 1))
    lev = ALPHA * PP_LEVELS
    z = np.array([_normal_quantile(1 - a) for a in lev])          # upper-tail quantiles, decreasing in level
    own = np.broadcast_to((z if upper else -z)[:, None, None], (lev.size, B, 1))
    a = calibrated_level(t, own, lev, ALPHA, upper)
    se = math.sqrt(ALPHA * (1 - ALPHA) / B)
    # the level's error: the miss rate's error divided by its slope in the level (1 here, up to interpolation)
    assert abs(a[0] - ALPHA) < 4 * se + 2e-4
    s = 0.3
    own_s = own - s if upper else own + s
    a_s = calibrated_level(t, own_s, lev, ALPHA, upper)
    # miss rate at level l: P(Z > z(l) - s) = alpha  <=>  z(l) = z(alpha) + s
    want = 1 - 0.5 * (1 + math.erf((_normal_quantile(1 - ALPHA) + s) / math.sqrt(2)))
    # slope of the miss rate in the level there: phi(z(alpha)) / phi(z(alpha) + s) > 1.5
    assert abs(a_s[0] - want) < 4 * se / 1.5 + 3e-4 and a_s[0] < 0.02


def _aniso(seed=3, n=14, d=30):
    t = make_task(d, 0.5, 0.7, eigenvalues=1.0 / np.arange(1, d + 1), seed=seed)
    rng = np.random.default_rng(seed + 1)
    X, y = t.sample(n, rng)
    return AnisotropicPredictor(prepare(X, y, X @ t.beta_s, t.sample(20 * d, rng)[0]), pivot_draws=128, seed=1)


def test_prepivot_ends_are_the_fitted_worlds_quantiles_at_the_calibrated_levels():
    """Each min-norm end is ``R_hat/q`` with ``q`` the fitted world's quantile of ``R_hat/R`` at the calibrated
    level (recorded in ``ScalePivot.last``), and that level lies within the candidates ``alpha PP_LEVELS``; the
    tuned bands do not use the prepivot (equal under ``minnorm = "set"``)."""
    ap = _aniso()
    ns = [6, 13, 40]
    for proc in ("scratch_min_norm", "finetune_min_norm"):
        v, lo, hi = ap.bands(proc, ns)
        last = ap.pivot().last
        for key in ("level_a", "level_b"):
            lv = last[key]
            assert lv.ndim == 1 and lv.size >= 2 and np.all(lv >= ALPHA * PP_LEVELS[0] - 1e-15)
            assert np.all(lv <= ALPHA * PP_LEVELS[-1] + 1e-15)
        assert np.all(lo <= v) and np.all(v <= hi) and np.all(lo >= 0)
    tuned = {p: ap.bands(p, ns) for p in ("scratch_ridge", "finetune_ridge")}
    default = ScalePivot.minnorm
    try:
        ScalePivot.minnorm = "set"
        for p, b in tuned.items():
            for x, y in zip(b, ap.bands(p, ns)):
                np.testing.assert_array_equal(x, y)
        set_band = ap.bands("scratch_min_norm", ns)
        ScalePivot.minnorm = "prepivot"
        pp_band = ap.bands("scratch_min_norm", ns)
    finally:
        ScalePivot.minnorm = default
    assert not all(np.array_equal(x, y) for x, y in zip(set_band, pp_band))


def _normal_cdf(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def test_tail_misses_band_rule_counts_only_what_the_band_would_miss():
    """Constructed draws: under ``rule="band"`` the truth-above tail counts ``0 < t < q`` (no ray end for a
    non-positive estimate) and the truth-below tail ``t > q > 0`` (no ray end for a non-positive quantile);
    ``"ray"`` counts every draw beyond its quantile; the counts are non-decreasing in the level."""
    t = np.array([[-1.0], [-0.2], [0.1], [0.5], [2.0], [3.0]])                # (B=6, M=1)
    own = np.array([0.0, 0.3, 0.6])[:, None, None] * np.ones((3, 6, 1))        # lower-tail quantiles by level
    np.testing.assert_allclose(tail_misses(t, own, False, "ray")[:, 0], [2 / 6, 3 / 6, 4 / 6])
    np.testing.assert_allclose(tail_misses(t, own, False, "band")[:, 0], [0.0, 1 / 6, 2 / 6])
    up = np.array([-0.5, 2.5, 1.0])[:, None, None] * np.ones((3, 6, 1))        # upper-tail quantiles
    # ray: t > -0.5 (5 of 6), then t > 2.5 (1) and t > 1 (2), accumulated to stay non-decreasing
    np.testing.assert_allclose(tail_misses(t, up, True, "ray")[:, 0], [5 / 6, 5 / 6, 5 / 6])
    np.testing.assert_allclose(tail_misses(t, up, True, "band")[:, 0], [0.0, 1 / 6, 2 / 6])
    with pytest.raises(ValueError, match="rule"):
        tail_misses(t, own, False, "other")


def test_joint_levels_give_an_unreachable_tails_rest_to_the_other():
    """Draws t ~ N(1, 1) whose own quantiles are exact (20000 draws, fixed seed): the lower quantiles are negative
    at every candidate level (at most 10%: 1 - 1.28 < 0), so no draw with a positive estimate lies below its
    own quantile and the band cannot miss on that side; the joint rule then puts the upper tail at 5% and the
    total simulated miss under the band's rule is 5% within 4 binomial standard errors, where the separate
    rule's is 2.5%. With both tails reachable (t ~ N(4, 1)) each tail stays at 2.5%."""
    rng = np.random.default_rng(11)
    B = 20000
    lev = ALPHA * PP_LEVELS
    z = np.array([_normal_quantile(1 - a) for a in lev])
    se = math.sqrt(0.05 * 0.95 / B)
    for mu, want in ((1.0, (0.0, 2 * ALPHA)), (4.0, (ALPHA, ALPHA))):
        t = mu + rng.standard_normal((B, 1))
        own_a = np.broadcast_to((mu - z)[:, None, None], (lev.size, B, 1))
        own_b = np.broadcast_to((mu + z)[:, None, None], (lev.size, B, 1))
        ma, mb = tail_misses(t, own_a, False, "band"), tail_misses(t, own_b, True, "band")
        la, lb = joint_levels(ma, mb, lev, ALPHA)
        qa, qb = mu - _normal_quantile(1 - la[0]), mu + _normal_quantile(1 - lb[0])
        miss_a = float(np.mean((t[:, 0] > 0) & (t[:, 0] < qa))) if qa > 0 else 0.0
        miss_b = float(np.mean(t[:, 0] > qb))
        assert abs(miss_a - want[0]) < 4 * se + 1e-12 and abs(miss_b - want[1]) < 4 * se
        assert abs(miss_a + miss_b - 2 * ALPHA) < 4 * se
        if mu == 1.0:
            assert la[0] == lev[-1]                            # the unreachable tail at the largest candidate
            assert abs(calibrated_level(t, own_b, lev, ALPHA, True)[0] - ALPHA) < 4 * se + 2e-4


def test_tails_modes_leave_the_tuned_bands_and_default_unchanged():
    """``ScalePivot.tails`` moves only the min-norm bands: the tuned bands are identical under every mode, the
    default ("band") is restored exactly after the other modes, an unknown mode is refused."""
    ap = _aniso()
    ns = [6, 13, 40]
    base = {p: ap.bands(p, ns) for p in ("scratch_min_norm", "finetune_min_norm", "scratch_ridge", "finetune_ridge")}
    try:
        for mode in ("separate", "joint"):
            ScalePivot.tails = mode
            for p in ("scratch_ridge", "finetune_ridge"):
                for x, y in zip(base[p], ap.bands(p, ns)):
                    np.testing.assert_array_equal(x, y)
            v, lo, hi = ap.bands("finetune_min_norm", ns)
            assert np.all(lo <= v) and np.all(v <= hi) and np.all(lo >= 0)
        ScalePivot.tails = "nonsense"
        with pytest.raises(ValueError, match="tails"):
            ap.bands("scratch_min_norm", ns)
    finally:
        ScalePivot.tails = "band"
    for p in ("scratch_min_norm", "finetune_min_norm"):
        for x, y in zip(base[p], ap.bands(p, ns)):
            np.testing.assert_array_equal(x, y)


def test_set_low_takes_the_lower_of_the_two_lower_ends_and_the_prepivots_upper():
    """``minnorm = "set_low"``: the pivot's lower end is the elementwise lower of the prepivot's and the fraction
    set's (both recorded in ``ScalePivot.last``), the upper end is the prepivot's; so the final min-norm band
    only widens downwards against "prepivot", the tuned bands do not move, and an unknown rule is refused."""
    ap = _aniso()
    ns = [6, 13, 40]
    default = ScalePivot.minnorm
    out = {}
    try:
        for rule in ("prepivot", "set_low"):
            ScalePivot.minnorm = rule
            out[rule] = {p: ap.bands(p, ns) for p in
                         ("scratch_min_norm", "finetune_min_norm", "scratch_ridge", "finetune_ridge")}
        ScalePivot.minnorm = "set_low"
        W, V = ap._weights(np.asarray(ns), np.array([0.0]))
        v = ap.linear_risks("scratch", ns, [0.0])[0]
        lo, hi = ap.pivot().bands("scratch", W, V, v, np.zeros(len(ns), int), False)
        last = ap.pivot().last
        assert last["lo_set"].shape == last["lo_prepivot"].shape == (len(ns),)
        np.testing.assert_array_equal(lo, np.minimum(last["lo_prepivot"], last["lo_set"]))
        ScalePivot.minnorm = "prepivot"
        lo_p, hi_p = ap.pivot().bands("scratch", W, V, v, np.zeros(len(ns), int), False)
        np.testing.assert_array_equal(lo_p, last["lo_prepivot"])
        np.testing.assert_array_equal(hi, hi_p)
        ScalePivot.minnorm = "other"
        with pytest.raises(ValueError, match="minnorm"):
            ap.bands("scratch_min_norm", ns)
    finally:
        ScalePivot.minnorm = default
    for p in ("scratch_ridge", "finetune_ridge"):
        for x, y in zip(out["prepivot"][p], out["set_low"][p]):
            np.testing.assert_array_equal(x, y)
    for p in ("scratch_min_norm", "finetune_min_norm"):
        (v0, lo0, hi0), (v1, lo1, hi1) = out["prepivot"][p], out["set_low"][p]
        np.testing.assert_array_equal(v0, v1)
        np.testing.assert_array_equal(hi0, hi1)
        assert np.all(lo1 <= lo0)
    assert np.any(out["set_low"]["scratch_min_norm"][1] < out["prepivot"]["scratch_min_norm"][1])


def test_ft_total_label_moves_only_min_norm_fine_tuning():
    """``ft_total = "label"`` (the world's total at the data's mean (y - z)^2) moves the min-norm fine-tuning
    pivot's ends (here the estimate is clipped at 0, so the final band keeps its score-step ends) with the same
    fitted fraction, and no other band; an unknown value is refused."""
    ap = _aniso()
    ns = [6, 13, 40]
    procs = ("scratch_min_norm", "scratch_ridge", "finetune_ridge", "finetune_min_norm")
    out, last = {}, {}
    default = ScalePivot.ft_total
    try:
        for total in ("fitted", "label"):
            ScalePivot.ft_total = total
            out[total] = {p: ap.bands(p, ns) for p in procs}
            last[total] = dict(ap.pivot().last)                  # finetune_min_norm's pivot call
        ScalePivot.ft_total = "other"
        with pytest.raises(ValueError, match="ft_total"):
            ap.bands("finetune_min_norm", ns)
    finally:
        ScalePivot.ft_total = default
    for p in procs[:3]:
        for x, y in zip(out["fitted"][p], out["label"][p]):
            np.testing.assert_array_equal(x, y)
    assert math.isclose(last["fitted"]["f0"], last["label"]["f0"], rel_tol=1e-12)
    assert not np.allclose(last["fitted"]["lo_prepivot"], last["label"]["lo_prepivot"])


def test_tuned_low_profiles_lowers_only_the_tuned_fine_tuning_lower_end():
    """``tuned_low = "profiles"``: the tuned fine-tuning lower end is the lowest of the fitted, whitened-even and
    coordinate-even profiles' ray ends (each ``_ends``'s first output) where none is NaN, the upper end unchanged;
    tuned scratch and the min-norm bands do not move; an unknown rule is refused."""
    ap = _aniso()
    ns = [6, 13, 40]
    procs = ("scratch_min_norm", "finetune_min_norm", "scratch_ridge", "finetune_ridge")
    base = {p: ap.bands(p, ns) for p in procs}
    default = ScalePivot.tuned_low
    assert default == "fitted"
    try:
        ScalePivot.tuned_low = "profiles"
        new = {p: ap.bands(p, ns) for p in procs}
        lams = np.asarray(ap.lams, float)
        W, V = ap._weights(np.asarray(ns), lams)
        v = ap.linear_risks("finetune", ns, lams)[0]
        sel = np.argmin(v, 1)
        pv = ap.pivot()
        ScalePivot.tuned_low = "fitted"
        ends = [pv._ends("finetune", j, W, V, v, sel, True, 0.95)[0] for j in (1, 2, 3)]
        lo_f, hi_f = pv.bands("finetune", W, V, v, sel, True)
        ScalePivot.tuned_low = "profiles"
        lo_p, hi_p = pv.bands("finetune", W, V, v, sel, True)
        ScalePivot.tuned_low = "other"
        with pytest.raises(ValueError, match="tuned_low"):
            ap.bands("finetune_ridge", ns)
    finally:
        ScalePivot.tuned_low = default
    e = np.stack(ends)
    np.testing.assert_array_equal(lo_f, e[0])
    np.testing.assert_array_equal(lo_p, np.where(np.any(np.isnan(e), 0), e[0], np.min(e, 0)))
    np.testing.assert_array_equal(hi_p, hi_f)
    assert np.any(lo_p < lo_f)
    for p in procs[:3]:
        for x, y in zip(base[p], new[p]):
            np.testing.assert_array_equal(x, y)
    (v0, lo0, hi0), (v1, lo1, hi1) = base["finetune_ridge"], new["finetune_ridge"]
    np.testing.assert_array_equal(v0, v1)
    np.testing.assert_array_equal(hi0, hi1)
    assert np.all(lo1 <= lo0)
