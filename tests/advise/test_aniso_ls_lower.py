"""The tuned scratch band's lower end above n = d from the simulated law of its least-squares-centred estimate
(NoiseRegion.ls_lower; report.predict)."""
import numpy as np
import pytest
from scipy import stats

from ftheory.advise import report
from ftheory.advise.aniso_predict import AnisotropicPredictor
from ftheory.advise.aniso_transfer import NoiseRegion
from ftheory.advise.estimators import estimate_parameters
from ftheory.advise.noise_ls import residual_variance
from tests.advise._aniso_tasks import ls_joint_law, small_prep


def test_one_penalty_lower_end_is_the_quantile_of_the_linear_law():
    """With one penalty the re-estimated tuned risk is linear in the draw: ``T* - T_hat = h.(s* - m) + c (q* - q)``
    with ``h = e_lam - beta_1[lam] g`` and ``c = beta_1[lam] + V``, the statistics Gaussian given ``q*`` (mean
    moved by ``Cov(s, q) / Var q``) and ``q* = q chi2_df / df``; its 97.5% point, computed here by quadrature
    over the chi-square law, gives the end ``T_hat / (1 + q_97.5 / T_hat)`` (the ratio's 97.5% point), matched
    within 4 Monte Carlo standard errors."""
    prep = small_prep(40)
    ap = AnisotropicPredictor(prep, n_lam=1)
    rv = residual_variance(prep.X, prep.y)
    reg = NoiseRegion(ap, (0.1, 0.5))
    m, draws = 39, 40000
    s, C, g, Csq, Cq = ls_joint_law(reg, m, rv)[:5]
    V = reg._law(m)[2]
    beta = Csq @ np.linalg.inv(Cq)
    cen = s - beta[:, 0] * (g @ s - rv.value)
    t0 = cen[0] + V[0] * rv.value
    h = -beta[0, 0] * g                                   # T* = h.s* + c q*
    h[0] += 1.0
    c = beta[0, 0] + V[0]
    cl = Csq[:, 1]
    vq = 2 * rv.value ** 2 / rv.df
    a = c + h @ cl / vq                                   # slope on q* - q of the conditional mean
    sd = np.sqrt(max(h @ C @ h - (h @ cl) ** 2 / vq, 0.0))   # conditional sd given q*
    x = np.linspace(0.2, 3.0, 20001)
    w = stats.chi2.pdf(x * rv.df, rv.df) * rv.df * (x[1] - x[0])

    def cdf(e):
        return float(np.sum(w * stats.norm.cdf((e - a * rv.value * (x - 1.0)) / sd)))

    lo_e, hi_e = -10 * sd - 10 * abs(a) * rv.value, 10 * sd + 10 * abs(a) * rv.value
    for _ in range(80):
        mid = 0.5 * (lo_e + hi_e)
        lo_e, hi_e = (mid, hi_e) if cdf(mid) < 0.975 else (lo_e, mid)
    q975 = 0.5 * (lo_e + hi_e)
    dens = (cdf(q975 + 1e-4 * sd) - cdf(q975 - 1e-4 * sd)) / (2e-4 * sd)
    se = np.sqrt(0.975 * 0.025 / draws) / dens
    got = reg.ls_lower([m], (rv.value, rv.df), draws=draws)[0]
    assert t0 > 0 and q975 > 0
    assert got == pytest.approx(t0 / (1 + q975 / t0), abs=4 * se * (t0 / (t0 + q975)) ** 2)


def test_ls_lower_seeded_and_only_tuned_scratch_lower_ends_move(monkeypatch):
    """Seeded (two calls equal), finite and at least 0; in the report it is the tuned scratch band's lower end
    (at most the band's value) while the fine-tuning bands and T_ft are bitwise those without it (``ls_lower``
    returning NaN keeps the disc's end)."""
    prep = small_prep(40, seed=1)
    pe = estimate_parameters(prep, draws=400)
    assert pe.residual.df >= 16
    ns = [10, 39, 100]
    nm = pe.interval("noise_moment")
    reg = NoiseRegion(AnisotropicPredictor(prep), (nm.low, nm.high))
    ls = (pe.residual.value, pe.residual.df)
    one = reg.ls_lower(ns, ls)
    assert np.array_equal(one, reg.ls_lower(ns, ls)) and np.all(np.isfinite(one)) and np.all(one >= 0)
    new = report.predict(prep, pe, ns, 39)
    monkeypatch.setattr(NoiseRegion, "ls_lower", lambda self, ns, ls: np.full(len(ns), np.nan))
    old = report.predict(prep, pe, ns, 39)
    v, lo, hi = new[2]["scratch_ridge"]
    assert np.all(lo <= v) and np.all(v <= hi)
    assert np.array_equal(hi, old[2]["scratch_ridge"][2])
    assert not np.array_equal(lo, old[2]["scratch_ridge"][1])
    for proc in ("finetune_ridge", "finetune_min_norm", "scratch_min_norm"):
        for j in range(3):
            assert np.array_equal(new[2][proc][j], old[2][proc][j]), proc
    assert (new[1]["finetune"].low, new[1]["finetune"].high) == (old[1]["finetune"].low, old[1]["finetune"].high)
