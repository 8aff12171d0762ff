"""Joint bands of the anisotropic transferabilities (ftheory.advise.aniso_difference; NoiseRegion.probe_transfer)."""
import math

import numpy as np
import pytest

from ftheory.advise.aniso_bands import difference
from ftheory.advise.aniso_difference import DifferenceLaw, combine, combine_concordant, transfer_intervals
from ftheory.advise.aniso_predict import AnisotropicPredictor
from ftheory.advise.aniso_transfer import NoiseRegion
from ftheory.advise.bands import Z95
from ftheory.advise.intervals import Interval
from ftheory.advise.estimators import estimate_parameters
from ftheory.advise.report import predict
from ftheory.advise.synthetic import make_task
from tests.advise._aniso_tasks import RING, replicate, small_prep, tuned_truth


def test_probe_transfer_with_a_linear_probe_is_the_exact_band():
    """One penalty on the grid and a probe linear in p: T_lt is linear in (noise, residual). With the noise
    interval sigma2_hat -+ c sd(sigma2_hat) the disc's range is the projection of the ellipse:
    half-width sqrt((c beta sd)^2 + 1.96^2 Var(residual)), ``beta sd`` the part of T_lt's exact standard error
    along the noise estimate (up to the ring's 64 directions); c = 1.96 gives 1.96 sd."""
    from ftheory.advise.bands import feasible_rows

    ap = AnisotropicPredictor(small_prep(60, sigma=1.5), n_lam=1)
    n, lam = 59, float(ap.lams[0])
    g = np.array([0.3, 0.2, -0.4, 0.1])
    S = ap.S_raw
    p = np.array([ap.kinv @ ap.u["y"], S[0, 0] - ap.kinv @ ap.u["y"], S[0, 1], S[1, 1]])
    noise_f = [("S", (1.0, 0.0), None, 1.0), ("Uinv", (1.0, 0.0), ap.kinv, -1.0)]
    sd2 = math.sqrt(ap.cov_functionals(noise_f, noise_f))
    F = difference(ap.functional("scratch", n, lam), ap.parameter_functional(g))
    var = ap.cov_functionals(F, F)
    along = ap.cov_functionals(F, noise_f) / sd2                      # beta sd(sigma2_hat)
    v = ap.linear_risks("scratch", [n], [lam])[0][0, 0] - g @ p
    for c in (1.0, Z95):
        reg = NoiseRegion(ap, (p[1] - c * sd2, p[1] + c * sd2))
        cand = reg._points(n)[0]
        L = 1
        P = np.stack([cand[:, L], cand[:, 3] - cand[:, L], (cand[:, 5] - cand[:, 3] - cand[:, 4]) / 2, cand[:, 4]], -1)
        if c == 1.0:                                                  # every candidate a real task: no projection
            np.testing.assert_array_equal(feasible_rows(P), P)
        half = math.sqrt((c * along) ** 2 + Z95 ** 2 * (var - along ** 2))
        lo, hi = reg.probe_transfer(n, lambda P: P @ g)
        if c == Z95:
            assert half == pytest.approx(Z95 * math.sqrt(var), rel=1e-9)
            continue                                                  # projected candidates: ends only bounded
        assert v - lo == pytest.approx(half, rel=2 * RING) and hi - v == pytest.approx(half, rel=2 * RING)


def test_probe_transfer_scales_with_the_labels():
    """Labels x 3: statistics and the probe's risk (homogeneous in p) x 9, so the band x 9 (up to the rounding
    of the probe's finite-difference gradient)."""
    from ftheory.advise.predict import isotropic_risk

    a1, a3 = AnisotropicPredictor(small_prep(40)), AnisotropicPredictor(small_prep(40, scale=3.0))
    probe = lambda P: isotropic_risk("linear_transfer", 39, 12, P)   # noqa: E731
    r1, r3 = NoiseRegion(a1, (0.1, 0.5)), NoiseRegion(a3, (0.9, 4.5))
    e1 = 9 * np.array(r1.probe_transfer(39, probe))
    # the probe's gradient is a central difference with relative step 1e-6: rounding error ~ eps / 1e-6 = 2e-10
    # of the gradient, times the statistics' scale (the ends' magnitude)
    np.testing.assert_allclose(r3.probe_transfer(39, probe), e1, rtol=1e-9, atol=1e-8 * np.max(np.abs(e1)))


def test_difference_law_world_is_the_stated_task():
    """The simulated world carries the stated teachers: over the pivot's draws the unbiased statistics average
    to the world's truths (label variance, ||beta_s||^2, <beta_t, beta_s>, signal), within 4 standard errors."""
    ap = AnisotropicPredictor(small_prep(8), pivot_draws=400, seed=3)
    law = DifferenceLaw(ap, 8)
    Sy, rho, r2 = 2.0, 0.6, 0.9
    a, b, ce, cs, kap = law._amplitudes(0.3, Sy, rho, r2, Sy - 2 * rho + r2)
    ev = ap.ev
    bt, bsrc = a * law.bs + b * law.bz, kap * law.bs + b * law.bz
    m = law.m
    cy = np.array([a * a, 2 * a * ce, ce * ce, 2 * a * b, 2 * b * ce, b * b])
    draws = {"S_y": cy @ m, "r2": kap * kap * m[0] + 2 * kap * b * m[3] + b * b * m[5],
             "rho": a * kap * m[0] + (a * b + b * kap) * m[3] + b * b * m[5] + ce * kap * m[1] + ce * b * m[4],
             "tau2": cy @ law.TU}
    truth = {"S_y": np.sum(ev * bt * bt) + ce * ce, "r2": np.sum(ev * bsrc * bsrc), "rho": np.sum(ev * bt * bsrc),
             "tau2": np.sum(ev * bt * bt)}
    for k, x in draws.items():
        se = x.std() / math.sqrt(x.size)
        assert abs(x.mean() - truth[k]) <= 4 * se, (k, x.mean(), truth[k], se)
    # and the world sits at the requested overlap and source signal (solved with the pieces' own cross term)
    assert truth["r2"] == pytest.approx(r2, rel=1e-9) and truth["rho"] == pytest.approx(rho, rel=1e-9)
    assert truth["S_y"] == pytest.approx(Sy, rel=1e-9)


def test_difference_bands_scale_with_the_labels_and_contain_the_value():
    """Below n = d: labels x 3 gives both transferability bands x 9 (the pivot (T_hat - T)/S_y is scale-free)."""
    out = []
    for scale in (1.0, 3.0):
        prep = small_prep(8, scale=scale)
        pe = estimate_parameters(prep, draws=200)
        preds, transf, *_ = predict(prep, pe, [7], 7)
        out.append({k: np.array([iv.value, iv.low, iv.high]) for k, iv in transf.items()})
        for iv in transf.values():
            assert iv.low <= iv.value <= iv.high and np.isfinite(iv.low) and np.isfinite(iv.high)
    for k in out[0]:
        np.testing.assert_allclose(out[1][k], 9 * out[0][k], rtol=1e-6)


def test_concordant_combination_is_exact_for_comonotone_skewed_errors():
    """Two estimates whose errors are one standard normal ``Z`` scaled differently on each side (skewed,
    comonotone: rho = 1), each with its exact 95% band: the concordant combination covers their difference 95%
    of the time (within 4 binomial standard errors over 4000 draws); pairing opposite sides (``combine``) puts
    the long side of one band against the short side of the other and covers more than 99% (the T_lt cells'
    98.4-98.8% below n = d). With symmetric bands the two combinations are the same."""
    rng = np.random.default_rng(11)
    up, down = np.array([0.2, 0.1]), np.array([0.6, 0.4])     # error scale when Z > 0 (overestimate) / Z < 0
    truth = np.array([1.0, 0.5])
    reps = 4000
    hits = {"concordant": 0, "sides": 0}
    for z in rng.standard_normal(reps):
        est = truth + z * np.where(z > 0, up, down)
        a, b = (Interval(e, e - Z95 * u, e + Z95 * w, u) for e, u, w in zip(est, up, down))
        for k, f in (("concordant", combine_concordant), ("sides", combine)):
            v, lo, hi = f(a, b, 1.0)
            assert lo <= v <= hi and v == pytest.approx(est[0] - est[1])
            hits[k] += lo <= truth[0] - truth[1] <= hi
    se = math.sqrt(0.95 * 0.05 / reps)
    assert abs(hits["concordant"] / reps - 0.95) <= 4 * se, hits
    assert hits["sides"] / reps > 0.99, hits
    a, b = Interval(1.0, 0.5, 1.5, 0.25), Interval(0.4, 0.1, 0.7, 0.15)
    for rho in (-0.7, 0.0, 0.6):
        np.testing.assert_allclose(combine_concordant(a, b, rho), combine(a, b, rho), rtol=1e-12)


def test_linear_transfer_below_n_eq_d_is_the_concordant_combination(monkeypatch):
    """Below n = d the report's T_lt band is the concordant combination of the tuned scratch and probe bands at
    the correlation of the two estimates, above n = d the side-paired one,
    each end at the correlation of its own task (probe_correlations); above n = d (27 residual df) around the
    moment-noise values, which the report replaces by the least-squares centre's after the bands
    (aniso_transfer.ls_point_values)."""
    from ftheory.advise import report
    from ftheory.advise.aniso_difference import probe_correlations
    from ftheory.advise.estimators import feasible
    from ftheory.advise.predict import isotropic_risk

    for n in (8, 40):
        prep = small_prep(n)
        pe = estimate_parameters(prep, draws=200)
        m = n - 1
        preds, transf, *_ = predict(prep, pe, [m], m)
        if n > 12:
            with monkeypatch.context() as mp:
                mp.setattr(report, "use_residual", lambda *a, **k: False)
                preds = predict(prep, pe, [m], m)[0]
        ap = AnisotropicPredictor(prep)
        q = feasible(pe.p)
        h = 1e-6 * (np.abs(q) + np.sqrt(np.maximum(np.diag(pe.cov), 0)) + 1e-300)
        def probe(P):
            return isotropic_risk("linear_transfer", m, 12, P)
        if n < 12:
            g = [(probe(q + h[i] * e) - probe(q - h[i] * e)) / (2 * h[i]) for i, e in enumerate(np.eye(4))]
            rho = ap.correlation(ap.functional("scratch", m), ap.parameter_functional(g))
        else:
            rho = probe_correlations(ap, m, q, probe, h, preds["linear_transfer"])
        f = combine_concordant if n < 12 else combine
        v, lo, hi = f(preds["scratch_ridge"], preds["linear_transfer"], rho)
        iv = transf["linear_transfer"]
        np.testing.assert_allclose([iv.low, iv.high], [lo, hi], rtol=1e-9)


def _probe_setup(n, scale=1.0):
    from ftheory.advise.estimators import feasible
    from ftheory.advise.predict import isotropic_risk

    prep = small_prep(n, scale=scale)
    pe = estimate_parameters(prep, draws=200)
    m = n - 1
    preds, *_ = predict(prep, pe, [m], m)
    q = feasible(pe.p)
    h = 1e-6 * (np.abs(q) + np.sqrt(np.maximum(np.diag(pe.cov), 0)) + 1e-300)
    return AnisotropicPredictor(prep), m, q, (lambda P: isotropic_risk("linear_transfer", m, 12, P)), h, preds


def test_probe_correlations_at_the_estimate_and_scale_free():
    """With a probe band of zero width both ends' tasks are the estimate: the correlation is the plug-in one at
    the penalty the estimate selects. Labels x 3 (statistics, risks and the probe's band x 9): the same pair."""
    from ftheory.advise.aniso_difference import probe_correlations

    ap, m, q, probe, h, preds = _probe_setup(40)
    pv = preds["linear_transfer"].value
    g = np.array([(probe(q + h[i] * e) - probe(q - h[i] * e)) / (2 * h[i]) for i, e in enumerate(np.eye(4))])
    plug = ap.correlation(ap.functional("scratch", m), ap.parameter_functional(g))
    flat = Interval(pv, pv, pv, 0.0)
    np.testing.assert_allclose(probe_correlations(ap, m, q, probe, h, flat), [plug, plug], rtol=1e-9, atol=1e-12)
    r1 = probe_correlations(ap, m, q, probe, h, preds["linear_transfer"])
    ap3, m3, q3, probe3, h3, preds3 = _probe_setup(40, scale=3.0)
    np.testing.assert_allclose(q3, 9 * q, rtol=1e-9)
    b = preds["linear_transfer"]
    b9 = Interval(9 * b.value, 9 * b.low, 9 * b.high, 9 * b.se)
    np.testing.assert_allclose(probe_correlations(ap3, m3, q3, probe3, h3, b9), r1, rtol=1e-6, atol=1e-9)
    assert r1[1] != pytest.approx(plug, abs=1e-3)                     # the upper end's task is not the estimate


def test_combine_uses_each_ends_correlation():
    """``combine(a, b, (r_lo, r_hi))``: the lower end depends on ``r_lo`` only, the upper on ``r_hi`` only; a pair
    of equal values is the scalar correlation (also for the concordant combination)."""
    a, b = Interval(1.0, 0.5, 1.6, 0.25), Interval(0.4, 0.1, 0.9, 0.15)
    for f in (combine, combine_concordant):
        for r in (-0.8, 0.0, 0.5):
            np.testing.assert_allclose(f(a, b, (r, r)), f(a, b, r), rtol=1e-12)
        lo1, lo2 = f(a, b, (-0.5, 0.9)), f(a, b, (-0.5, -0.9))
        assert lo1[1] == lo2[1] and lo1[2] != lo2[2]
        hi1, hi2 = f(a, b, (0.9, 0.3)), f(a, b, (-0.9, 0.3))
        assert hi1[2] == hi2[2] and hi1[1] != hi2[1]


def test_fallback_without_pivot_is_the_combination():
    """pivot_draws = 0 below n = d: the half-widths combined (the documented fallback)."""
    prep = small_prep(8)
    pe = estimate_parameters(prep, draws=200)
    ap = AnisotropicPredictor(prep, pivot_draws=0)
    preds, *_ = predict(prep, pe, [7], 7)
    out = transfer_intervals(ap, pe, preds, 7)
    for k, b in out.items():
        assert b[1] <= b[0] <= b[2]


def _shifted_law(s, B=20000, seed=5):
    """A synthetic table: at grid fraction ``g`` the statistic is ``Z + g`` (``Z ~ N(0, 1)``, two columns), the
    draws' own fractions at the fitted world ``g = 0`` are ``s`` times a normal."""
    rng = np.random.default_rng(seed)
    grid = np.linspace(-3.0, 3.0, 61)
    Z = rng.standard_normal((B, 1, 2))
    stat = Z + grid[None, :, None]
    fg = np.broadcast_to(s * rng.standard_normal((B, 1)), (B, grid.size)).copy()
    return stat, fg, grid, 30


@pytest.mark.parametrize("s", [0.0, 0.5])
def test_difference_law_prepivot_recovers_the_shifted_quantile(s):
    """Each draw judged by its own world's quantile (``Z + f_b``): the prepivoted upper end at the fitted world
    is the 97.5% point of ``Z - s e`` plus nothing, ``1.96 sqrt(1 + s^2)`` (and the lower end its negative);
    with ``s = 0`` the level is the nominal 2.5%. Monte Carlo, 4 standard errors of the quantile."""
    stat, fg, grid, i0 = _shifted_law(s)
    law = DifferenceLaw.__new__(DifferenceLaw)
    lo, hi = law._prepivot(stat, fg, grid, i0, 0.025)
    want = 1.959964 * math.sqrt(1 + s * s)
    p = 0.025 if s == 0 else 1 - 0.5 * (1 + math.erf(want / math.sqrt(2)))
    se = math.sqrt(p * (1 - p) / stat.shape[0]) / (math.exp(-want * want / 2) / math.sqrt(2 * math.pi))
    np.testing.assert_allclose(hi, want, atol=4 * se)
    np.testing.assert_allclose(lo, -want, atol=4 * se)
    if s == 0:
        np.testing.assert_allclose(law.last["level_b"], 0.025, atol=4 * math.sqrt(0.025 * 0.975 / stat.shape[0]))


def test_difference_law_prepivot_ends_are_the_fitted_worlds_quantiles():
    """The T bands below n = d are the fitted world's quantiles at the recorded prepivoted levels, narrower than
    (or equal to) the most extreme quantile over the fraction's set (mode "set")."""
    ap = AnisotropicPredictor(small_prep(8), pivot_draws=400, seed=3)
    law = DifferenceLaw(ap, 8)
    args = (2.0, 1.2, 0.6, 0.9, 2.0 - 1.2 + 0.9)
    lo, hi = law.quantiles(*args)
    last = law.last
    stat = law.world(last["f0"], *args[:1], *args[2:])[0]
    for m in range(2):
        assert hi[m] == pytest.approx(np.quantile(stat[:, m], 1 - last["level_b"][m]), rel=1e-12, abs=1e-12)
        assert lo[m] == pytest.approx(np.quantile(stat[:, m], last["level_a"][m]), rel=1e-12, abs=1e-12)
    law.mode = "set"
    lo_s, hi_s = law.quantiles(*args)
    assert np.any(lo_s != lo) or np.any(hi_s != hi)


@pytest.mark.slow
def test_transfer_coverage_below_n_eq_d():
    """Monte Carlo: below n = d (d = 24, n = 12, N = 20 d unlabeled rows) the report's T_ft band (simulated law)
    covers the deterministic-equivalent truth at the true spectrum at least 95% - 3 binomial standard errors of
    the time (150 replications, fixed seed), with a median width below that of the half-widths' combination
    (the fallback, which over-covers); T_lt (the combination) covers as well."""
    from ftheory.advise.predict import isotropic_risk

    d, n, reps = 24, 12, 150
    ev = 1.0 / np.arange(1, d + 1)
    t = make_task(d, 0.7, 0.5, eigenvalues=ev, seed=7)
    m = n - 1
    tr = t.truth()
    p = np.array([tr["signal"], tr["noise_variance"], tr["overlap_inner"], tr["source_signal"]])
    R = {name: tuned_truth(t, beta, m) for name, beta in (("scratch", t.beta_t), ("finetune", t.beta_t - t.beta_s))}
    truth = {"linear_transfer": R["scratch"] - isotropic_risk("linear_transfer", m, d, p),
             "finetune": R["scratch"] - R["finetune"]}
    rng = np.random.default_rng(8)
    miss = dict.fromkeys(truth, 0)
    width = {k: ([], []) for k in truth}
    for _ in range(reps):
        prep, pe, preds, transf = replicate(t, n, rng)
        comb = transfer_intervals(AnisotropicPredictor(prep, pivot_draws=0), pe, preds, m)
        for k in truth:
            miss[k] += not (transf[k].low <= truth[k] <= transf[k].high)
            width[k][0].append(transf[k].high - transf[k].low)
            width[k][1].append(comb[k][2] - comb[k][1])
    se = math.sqrt(0.95 * 0.05 / reps)
    for k in truth:
        assert 1 - miss[k] / reps >= 0.95 - 3 * se, (k, miss[k])
    assert np.median(width["finetune"][0]) < np.median(width["finetune"][1])


def test_given_clip_is_the_pooled_quantile_of_the_clipped_draws():
    """Exact: the law given the clip pools the clipped draws of every world (np.quantile over them); with fewer
    than MIN_CLIP clipped draws there is no such law (None)."""
    from ftheory.advise.aniso_difference import MIN_CLIP, _given_clip

    rng = np.random.default_rng(0)
    stat = rng.standard_normal((50, 4))
    clipped = rng.random((50, 4)) < 0.4
    lo, hi = _given_clip(stat, clipped, 0.025)
    assert (lo, hi) == (np.quantile(stat[clipped], 0.025), np.quantile(stat[clipped], 0.975))
    few = np.zeros_like(clipped)
    few[:MIN_CLIP - 1, 0] = True
    assert _given_clip(stat, few, 0.025) is None
    few[MIN_CLIP - 1, 0] = True
    assert _given_clip(stat, few, 0.025) is not None


def test_given_clip_recovers_the_conditional_law():
    """Monte Carlo: draws whose error is shifted by 2 where clipped (a third of them): the ends are the 2.5 / 97.5%
    points of N(2, 1), within 4 standard errors of a quantile of the clipped draws."""
    from ftheory.advise.aniso_difference import _given_clip

    rng = np.random.default_rng(1)
    clipped = rng.random((4000, 5)) < 1 / 3
    stat = rng.standard_normal(clipped.shape) + 2.0 * clipped
    lo, hi = _given_clip(stat, clipped, 0.025)
    z, k = 1.959964, int(clipped.sum())
    se = math.sqrt(0.025 * 0.975 / k) / (math.exp(-z * z / 2) / math.sqrt(2 * math.pi))
    assert abs(lo - (2 - z)) < 4 * se and abs(hi - (2 + z)) < 4 * se


def test_linear_transfer_below_n_eq_d_where_the_noise_is_clipped():
    """Below n = d with the noise estimate clipped at 0 (feasible projection; this task's unbiased estimate is
    negative) the report's T_lt band is DifferenceLaw's law given the clip from CLIP_DRAWS draws (the pivot's
    own draws first among them); T_ft is the 256-draw prepivoted band as without the clip; where the noise is
    not clipped T_lt stays the concordant combination (test_linear_transfer_below_n_eq_d_is_the_concordant_combination)."""
    from ftheory.advise.aniso_difference import CLIP_DRAWS
    from ftheory.advise.aniso_pivot import ScalePivot
    from ftheory.advise.estimators import feasible

    prep = small_prep(8, seed=6)
    pe = estimate_parameters(prep, draws=200)
    assert pe.p[1] < 0 and feasible(pe.p)[1] == 0
    m = 7
    preds, transf, *_ = predict(prep, pe, [m], m)
    t_lt = preds["scratch_ridge"].value - preds["linear_transfer"].value
    t_ft = preds["scratch_ridge"].value - preds["finetune_ridge"].value
    ap = AnisotropicPredictor(prep)
    more = ScalePivot(ap, CLIP_DRAWS, ap.seed)
    B = ap.pivot_draws
    for k, v in ap.pivot().pairs().items():
        assert all(np.array_equal(a, b[:B]) for a, b in zip(v, more.pairs()[k])), k
    law = DifferenceLaw(ap, m, pivot=more)
    clip = law.given_clip(t_lt)
    assert law.last["clip_draws"] >= 40 and law.W.shape == DifferenceLaw(ap, m).W.shape
    plain = DifferenceLaw(AnisotropicPredictor(prep), m).bands(t_lt, t_ft)
    for k, b in (("linear_transfer", clip), ("finetune", plain["finetune"])):
        iv = transf[k]
        assert (iv.value, iv.low, iv.high) == tuple(b), k
    assert tuple(clip) != tuple(plain["linear_transfer"])
    few = DifferenceLaw(AnisotropicPredictor(prep), m).given_clip(t_lt)    # the pivot's 256 draws only
    assert few is not None and tuple(few) != tuple(clip)
