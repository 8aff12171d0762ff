"""Bands of the tuned anisotropic risks and of T_ft above n = d (ftheory.advise.aniso_transfer.NoiseRegion)."""
import math

import numpy as np
import pytest

from ftheory.advise.aniso_bands import difference
from ftheory.advise.aniso_predict import AnisotropicPredictor
from ftheory.advise.aniso_transfer import NoiseRegion
from ftheory.advise.bands import Z95
from ftheory.advise.synthetic import make_task
from tests.advise._aniso_tasks import RING, replicate, small_prep, tuned_truth


def _predictor(n_lam=41, scale=1.0, seed=4):
    return AnisotropicPredictor(small_prep(40, scale=scale, seed=seed), n_lam=n_lam)


def test_one_penalty_is_the_exact_wald_band():
    """With one penalty on the grid the tuned risk and T_ft are linear in (noise, residual): with the noise
    interval sigma2_hat -+ 1.96 sd(sigma2_hat) the disc's range is exactly value -+ 1.96 x the exact standard
    error of the risk (and of the difference), up to the sampling of the ring's directions."""
    ap = _predictor(n_lam=1)
    n = 39
    lam = float(ap.lams[0])
    noise_f = [("S", (1.0, 0.0), None, 1.0), ("Uinv", (1.0, 0.0), ap.kinv, -1.0)]
    s2 = float(ap.S_raw[0, 0] - ap.kinv @ ap.u["y"])
    sd2 = math.sqrt(ap.cov_functionals(noise_f, noise_f))
    reg = NoiseRegion(ap, (s2 - Z95 * sd2, s2 + Z95 * sd2))
    for which in ("scratch", "finetune"):
        F = ap.functional(which, n, lam)
        v = ap.linear_risks(which, [n], [lam])[0][0, 0]
        sd = math.sqrt(ap.cov_functionals(F, F))
        lo, hi = reg.tuned(which, [n])
        assert v - lo[0] == pytest.approx(Z95 * sd, rel=2 * RING)
        assert hi[0] - v == pytest.approx(Z95 * sd, rel=2 * RING)
        assert hi[0] - v <= Z95 * sd * (1 + 1e-12) and v - lo[0] <= Z95 * sd * (1 + 1e-12)
    D = difference(ap.functional("scratch", n, lam), ap.functional("finetune", n, lam))
    tv = ap.linear_risks("scratch", [n], [lam])[0][0, 0] - ap.linear_risks("finetune", [n], [lam])[0][0, 0]
    sd = math.sqrt(ap.cov_functionals(D, D))
    lo, hi = reg.transfer(n)
    assert tv - lo == pytest.approx(Z95 * sd, rel=2 * RING) and hi - tv == pytest.approx(Z95 * sd, rel=2 * RING)


def test_bands_scale_with_the_labels():
    """Every statistic is quadratic in the labels: labels x 3 (noise interval x 9) gives bands x 9."""
    a1, a3 = _predictor(), _predictor(scale=3.0)
    r1, r3 = NoiseRegion(a1, (0.1, 0.5)), NoiseRegion(a3, (0.9, 4.5))
    ns = [20, 39, 80]
    for which in ("scratch", "finetune"):
        for x1, x3 in zip(r1.tuned(which, ns), r3.tuned(which, ns)):
            np.testing.assert_allclose(x3, 9 * x1, rtol=1e-9)
    np.testing.assert_allclose(r3.transfer(39), 9 * np.array(r1.transfer(39)), rtol=1e-9)


def test_noise_candidates_are_the_intervals_points():
    """The disc's noise coordinate maps onto the noise interval: z_sigma = -+1.96 at its ends and 0 at the estimate
    when the interval contains it (linear on each side), else at the interval's end nearest the estimate (a
    negative sigma2_hat with the interval [0, hi]): no candidate outside the interval, the centre at that end."""
    ap = _predictor()
    L = 41
    s2 = float(ap.S_raw[0, 0] - ap.kinv @ ap.u["y"])
    for lo, hi, centre in ((s2 - 0.1, s2 + 0.3, s2), (s2 + 0.05, s2 + 0.4, s2 + 0.05), (s2 - 0.4, s2 - 0.1, s2 - 0.1)):
        reg = NoiseRegion(ap, (lo, hi))
        cand, sig, Cres, zr, V, fin, L_ = reg._points(39)
        assert L_ == L
        zs = reg.disc[:, 0]
        assert np.all(sig >= lo - 1e-12) and np.all(sig <= hi + 1e-12)
        np.testing.assert_allclose(sig[-1], centre, rtol=0, atol=1e-12)                 # the disc's centre
        np.testing.assert_allclose(sig[zs >= Z95 * (1 - 1e-12)], hi, rtol=1e-12)
        np.testing.assert_allclose(sig[zs <= -Z95 * (1 - 1e-12)], lo, rtol=1e-12)
        # the statistics move with the noise along their regression on sigma2_hat: the noise statistic itself is
        # the candidate's noise
        np.testing.assert_allclose(cand[:, 2 * L + 1] - cand[:, L], sig, rtol=1e-9, atol=1e-12)


def test_ring_sampled_finely_enough():
    """The tuned risks and T_ft jump with their penalty selections, so the range over the disc depends on how finely
    its ring is sampled: with the default directions each end is within 2.5% of the band's width of the range over
    4096 directions (64 directions were 4.9-5.3% off at the worse end in these cases; T_ft at gamma = 3 covered 1 point less)."""
    for seed, noise in ((4, (0.0, 0.5)), (5, (0.0, 0.535)), (7, (0.0, 0.242))):
        ap = _predictor(seed=seed)
        fine, default = NoiseRegion(ap, noise, n_angles=4096), NoiseRegion(ap, noise)
        pairs = [(fine.transfer(39), default.transfer(39))]
        pairs += [(np.ravel(fine.tuned(w, [39])), np.ravel(default.tuned(w, [39]))) for w in ("scratch", "finetune")]
        for ref, got in pairs:
            width = ref[1] - ref[0]
            assert width > 0
            assert np.all(np.abs(np.asarray(got) - np.asarray(ref)) <= 0.025 * width), (seed, ref, got)
            assert got[0] >= ref[0] - 1e-12 and got[1] <= ref[1] + 1e-12       # a subset of the finer range


def test_bad_noise_interval():
    ap = _predictor()
    for bad in ((1.0, 0.5), (0.0, math.inf), (math.nan, 1.0)):
        with pytest.raises(ValueError, match="noise"):
            NoiseRegion(ap, bad)
    with pytest.raises(ValueError, match="n_angles"):
        NoiseRegion(ap, (0.1, 0.5), n_angles=2)


@pytest.mark.slow
def test_tuned_and_transfer_coverage_above_n_eq_d():
    """Monte Carlo: the report's tuned scratch / fine-tuning bands and the T_ft band at n = 3d (d = 10,
    N = 20 d unlabeled rows) cover the deterministic-equivalent truth at the true spectrum; 160 replications,
    fixed seed: each coverage at least 95% - 3 binomial standard errors (the band is a 95% band)."""
    d, n, reps = 10, 30, 160
    ev = 1.0 / np.arange(1, d + 1)
    t = make_task(d, 1.2, 0.3, eigenvalues=ev, seed=5)
    m = n - 1
    truth = {name: tuned_truth(t, beta, m) for name, beta in (("scratch_ridge", t.beta_t),
                                                              ("finetune_ridge", t.beta_t - t.beta_s))}
    truth["T"] = truth["scratch_ridge"] - truth["finetune_ridge"]
    rng = np.random.default_rng(6)
    below, above = dict.fromkeys(truth, 0), dict.fromkeys(truth, 0)
    for _ in range(reps):
        _, _, preds, transf = replicate(t, n, rng)
        ivs = {"scratch_ridge": preds["scratch_ridge"], "finetune_ridge": preds["finetune_ridge"], "T": transf["finetune"]}
        for k, iv in ivs.items():
            below[k] += truth[k] < iv.low
            above[k] += truth[k] > iv.high
    se = math.sqrt(0.95 * 0.05 / reps)
    for k in truth:
        cov = 1 - (below[k] + above[k]) / reps
        assert cov >= 0.95 - 3 * se, (k, cov, below[k], above[k])
