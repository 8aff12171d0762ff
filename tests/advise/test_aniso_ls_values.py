"""The tuned anisotropic values above n = d at the least-squares-conditioned centre (NoiseRegion.ls_centre,
ls_values; aniso_transfer.ls_point_values through report.predict), with every band unchanged."""
import numpy as np
import pytest

from ftheory.advise import report
from ftheory.advise.aniso_predict import AnisotropicPredictor
from ftheory.advise.aniso_transfer import NoiseRegion
from ftheory.advise.estimators import estimate_parameters
from ftheory.advise.noise_ls import residual_variance
from tests.advise._aniso_tasks import ls_joint_law, small_prep


def test_ls_centre_moves_the_statistics_to_the_residual_variance():
    """At the centre the statistics are ``s - beta_1 (sigma2_hat - sigma2_LS)`` with ``beta`` the regression on both
    noise estimates, the covariances of ``sigma2_LS`` written out here from derivations/noise_ls.py; the moved
    moment noise ``S_y - B`` is then ``sigma2_LS`` itself, and the tuned value is the minimum of the moved risk
    curve at the noise ``sigma2_LS``."""
    prep = small_prep(40)
    ap = AnisotropicPredictor(prep, n_lam=41)
    rv = residual_variance(prep.X, prep.y)
    reg = NoiseRegion(ap, (0.1, 0.5))
    m = 39
    cand, V, fin, L = reg.ls_centre(m, (rv.value, rv.df))
    s, C, g, Csq, Cq = ls_joint_law(reg, m, rv)[:5]
    beta = Csq @ np.linalg.inv(Cq)
    np.testing.assert_allclose(cand, s - beta[:, 0] * (g @ s - rv.value), rtol=1e-9, atol=1e-12 * np.abs(s).max())
    assert cand[2 * L + 1] - cand[L] == pytest.approx(rv.value, rel=1e-9)
    assert abs(beta[L, 0]) > 0.1                                  # B moves with the noise estimate: not trivial
    for w, sl in (("scratch", slice(0, L)), ("finetune", slice(L + 1, 2 * L + 1))):
        want = max(np.min(np.where(fin, cand[sl] + V * rv.value, np.inf)), 0.0)
        assert reg.ls_values(w, [m], (rv.value, rv.df))[0] == pytest.approx(want, rel=1e-12)
    for bad in ((np.nan, 10), (0.1, 0)):
        with pytest.raises(ValueError, match="ls"):
            reg.ls_centre(m, bad)
    with pytest.raises(ValueError, match="which must be 'scratch' or 'finetune', got 'probe'"):
        reg.ls_values("probe", [m], (rv.value, rv.df))


def test_report_values_from_the_ls_centre_bands_unchanged(monkeypatch):
    """A task whose moment noise estimate is negative (sigma 0.1, 40 rows, d = 12, 27 residual df): the moment-noise
    path (the residual switched off, as before this change) reports tuned values of exactly 0 at every sample size;
    the report's values are the LS centre's (positive, clipped into the band) with every band's ends bitwise those
    of the moment path, and the transferabilities' values are the differences of the new values."""
    prep = small_prep(40, seed=0, sigma=0.1)
    pe = estimate_parameters(prep, draws=400)
    assert pe.p[1] < 0 and pe.residual.df >= 16
    ns = [10, 39, 100]
    new = report.predict(prep, pe, ns, 39)
    monkeypatch.setattr(report, "use_residual", lambda *a, **k: False)
    old = report.predict(prep, pe, ns, 39)
    for proc in new[2]:
        for j in (1, 2):
            assert np.array_equal(new[2][proc][j], old[2][proc][j]), proc
    for k in new[1]:
        assert (new[1][k].low, new[1][k].high) == (old[1][k].low, old[1][k].high)
    ap = AnisotropicPredictor(prep)
    nm = pe.interval("noise_moment")
    reg = NoiseRegion(ap, (nm.low, nm.high))
    for proc in ("scratch_ridge", "finetune_ridge"):
        assert np.all(old[2][proc][0] == 0.0)
        v, lo, hi = new[2][proc]
        want = np.clip(reg.ls_values(proc.split("_")[0], ns, (pe.residual.value, pe.residual.df)), lo, hi)
        # capped at the min-norm value (its lam -> 0 limit; caps.cap_by_min_norm): 0 at n = 10 < d, where min-norm's
        # value still comes from the (negative, clipped) moment noise estimate
        mn = new[2][proc.split("_")[0] + "_min_norm"][0]
        np.testing.assert_allclose(v, np.minimum(want, mn), rtol=1e-12)
        assert mn[0] == 0.0 and v[0] == 0.0 and np.all(v[1:] > 0) and new[0][proc].value == v[1]
    p = new[0]
    for k, proc in (("linear_transfer", "linear_transfer"), ("finetune", "finetune_ridge")):
        t = p["scratch_ridge"].value - p[proc].value
        assert new[1][k].value == pytest.approx(min(max(t, new[1][k].low), new[1][k].high), rel=1e-12, abs=1e-15)
    assert new[1]["finetune"].value != old[1]["finetune"].value


@pytest.mark.slow
def test_ls_values_closer_to_the_truth_than_the_moment_values(monkeypatch):
    """Over 40 replications (d = 12, 40 rows, sigma 0.3, the moment noise's sd several times the residual
    variance's) the squared error of the tuned values against the deterministic-equivalent truth is smaller at the
    LS centre than at the moment noise: the paired mean difference of squared errors exceeds 3 standard errors, for
    scratch and for fine-tuning."""
    from ftheory.advise.estimators import prepare
    from ftheory.advise.synthetic import make_task
    from tests.advise._aniso_tasks import tuned_truth

    d, n, reps = 12, 40, 40
    t = make_task(d, 0.9, 0.3, eigenvalues=np.linspace(0.3, 3, d), seed=21)
    truth = {"scratch_ridge": tuned_truth(t, t.beta_t, n - 1), "finetune_ridge": tuned_truth(t, t.beta_t - t.beta_s, n - 1)}
    rng = np.random.default_rng(22)
    gain = {k: [] for k in truth}
    use = report.use_residual
    for _ in range(reps):
        X, y = t.sample(n, rng)
        prep = prepare(X, y, X @ t.beta_s, t.sample(20 * d, rng)[0])
        pe = estimate_parameters(prep, draws=400)
        monkeypatch.setattr(report, "use_residual", use)
        new = report.predict(prep, pe, [n - 1], n - 1)[0]
        monkeypatch.setattr(report, "use_residual", lambda *a, **k: False)
        old = report.predict(prep, pe, [n - 1], n - 1)[0]
        for k, v in truth.items():
            gain[k].append((old[k].value - v) ** 2 - (new[k].value - v) ** 2)
    for k, g in gain.items():
        g = np.array(g)
        assert g.mean() > 3 * g.std(ddof=1) / np.sqrt(reps), (k, g.mean(), g.std(ddof=1))
