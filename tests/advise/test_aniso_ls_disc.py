"""The least-squares noise disc of NoiseRegion (``ls``): above n = d with the residual variance reported, the tuned
risks' and T_ft's lower ends from the disc on that variance (the statistics given both noise estimates), the upper
ends from the moment disc."""
import math

import numpy as np
import pytest

from ftheory.advise import report
from ftheory.advise.aniso_predict import AnisotropicPredictor
from ftheory.advise.aniso_transfer import NoiseRegion
from ftheory.advise.bands import Z95
from ftheory.advise.estimators import estimate_parameters
from ftheory.advise.noise_ls import residual_variance
from tests.advise._aniso_tasks import RING, ls_joint_law, small_prep


def _region(n_lam=41, seed=4, moment=(0.1, 0.5), sigma=0.5):
    prep = small_prep(40, seed=seed, sigma=sigma)
    ap = AnisotropicPredictor(prep, n_lam=n_lam)
    rv = residual_variance(prep.X, prep.y)
    iv = rv.interval()
    return ap, rv, NoiseRegion(ap, moment, ls=(rv.value, rv.df, iv.low, iv.high))


def test_ls_disc_is_the_conditional_law_given_both_noise_estimates():
    """At each candidate noise the statistics are the Gaussian conditional mean given ``q = (S_y - B, sigma2_LS)``
    both at that noise, the residual covariance the Schur complement ``C - Cov(s, q) Cov(q)^-1 Cov(q, s)``
    (uncorrelated with both estimates); the candidates' noise runs over the residual variance's interval with the
    disc's centre at the residual variance, where the statistics are ls_centre's (the reported values' centre)."""
    ap, rv, reg = _region()
    n = 39
    s, C, g, Csq, Cq, V, L = ls_joint_law(reg, n, rv)
    cand, sig, Cres, zr, V_, fin, L_ = reg._points(n, at_ls=True)
    beta = Csq @ np.linalg.inv(Cq)
    q = np.array([g @ s, rv.value])
    want = s[None] - (q[None] - sig[:, None]) @ beta.T
    np.testing.assert_allclose(cand, want, rtol=1e-9, atol=1e-12 * np.abs(s).max())
    schur = C - Csq @ np.linalg.solve(Cq, Csq.T)
    np.testing.assert_allclose(Cres, schur, rtol=1e-9, atol=1e-12 * np.abs(C).max())
    np.testing.assert_allclose(Cres @ g, 0.0, atol=1e-9 * np.abs(C).max())
    # the moment noise statistic of every candidate is the candidate's noise
    np.testing.assert_allclose(cand @ g, sig, rtol=1e-9, atol=1e-12)
    lo, hi = rv.interval().low, rv.interval().high
    assert lo < rv.value < hi
    np.testing.assert_allclose(sig[reg.disc[:, 0] >= Z95 * (1 - 1e-12)], hi, rtol=1e-12)
    np.testing.assert_allclose(sig[reg.disc[:, 0] <= -Z95 * (1 - 1e-12)], lo, rtol=1e-12)
    assert sig[-1] == pytest.approx(rv.value, rel=1e-14)
    np.testing.assert_allclose(cand[-1], reg.ls_centre(n, (rv.value, rv.df))[0], rtol=1e-9,
                               atol=1e-12 * np.abs(s).max())
    # the moment disc is untouched by ls
    plain = NoiseRegion(ap, reg.noise)
    for a, b in zip(plain._points(n), reg._points(n)):
        assert np.array_equal(np.asarray(a), np.asarray(b))


def test_one_penalty_ls_disc_is_the_projection_of_the_disc():
    """With one penalty the tuned risk is linear in (noise, residual) on the LS disc: with the residual variance's
    interval replaced by sigma2_LS -+ 1.96 sd the range is exactly value -+ 1.96 sqrt(slope^2 sd^2 + a' Cres a), the
    slope ``d risk / d sigma^2`` from the conditional mean, up to the sampling of the ring's directions."""
    prep = small_prep(40)
    ap = AnisotropicPredictor(prep, n_lam=1)
    rv = residual_variance(prep.X, prep.y)
    sd = rv.value * math.sqrt(2 / rv.df)
    reg = NoiseRegion(ap, (0.1, 0.5), ls=(rv.value, rv.df, rv.value - Z95 * sd, rv.value + Z95 * sd))
    n = 39
    s, C, g, Csq, Cq, V, L = ls_joint_law(reg, n, rv)
    beta = Csq @ np.linalg.inv(Cq)
    Cres = C - Csq @ np.linalg.solve(Cq, Csq.T)
    centre = s - beta[:, 0] * (g @ s - rv.value)
    for which, i in (("scratch", 0), ("finetune", L + 1)):
        a = np.zeros(s.size)
        a[i] = 1.0
        v = a @ centre + V[0] * rv.value
        slope = a @ beta.sum(1) + V[0]
        half = Z95 * math.sqrt(slope ** 2 * sd ** 2 + a @ Cres @ a)
        lo, hi = reg.tuned(which, [n], at_ls=True)
        assert v - lo[0] == pytest.approx(half, rel=2 * RING) and hi[0] - v == pytest.approx(half, rel=2 * RING)
        assert max(v - lo[0], hi[0] - v) <= half * (1 + 1e-12)


def test_merge_and_transfer_take_the_lower_end_from_the_ls_disc():
    """merge: upper end the moment disc's widened to the given value (as without ``ls``), the value ls_values (the
    reported one) clipped to it, lower end ``max(LS disc's low, 0)`` widened to the value; the same for
    transfer_interval (no floor, the value the difference of the tuned ls_values); without ``ls`` both ends are the
    moment disc's and the value the one given."""
    ap, rv, reg = _region()
    plain = NoiseRegion(ap, reg.noise)
    ns = [20, 39, 80]
    ls = (rv.value, rv.df)
    for which in ("scratch", "finetune"):
        band = (np.array([0.3, 0.2, 0.1]), np.full(3, np.nan), np.full(3, np.nan))
        v, lo, hi = reg.merge(which, ns, band)
        c = reg.ls_values(which, ns, ls)
        ll = reg.tuned(which, ns, at_ls=True)[0]
        mh = plain.tuned(which, ns)[1]
        np.testing.assert_array_equal(hi, np.maximum(mh, band[0]))
        np.testing.assert_array_equal(v, np.minimum(c, hi))
        np.testing.assert_array_equal(lo, np.minimum(np.maximum(ll, 0.0), v))
        assert np.all(ll <= c)                     # the centre is a point of the LS disc: no widening needed
        assert not np.array_equal(ll, plain.tuned(which, ns)[0])
        pv, plo, phi = plain.merge(which, ns, band)
        np.testing.assert_array_equal(pv, band[0])
        np.testing.assert_array_equal(plo, np.minimum(np.maximum(plain.tuned(which, ns)[0], 0.0), band[0]))
    t = float(np.mean(plain.transfer(39)))
    c = reg.ls_values("scratch", [39], ls)[0] - reg.ls_values("finetune", [39], ls)[0]
    got = reg.transfer_interval(39, t)
    hi = max(plain.transfer(39)[1], t)
    assert got == (min(c, hi), min(reg.transfer(39, at_ls=True)[0], min(c, hi)), hi)
    assert plain.transfer_interval(39, t) == (t, min(plain.transfer(39)[0], t), max(plain.transfer(39)[1], t))


def test_bad_ls():
    ap, rv, reg = _region()
    for bad in ((np.nan, 10, 0.1, 0.2), (0.1, 0, 0.05, 0.2), (0.1, 10, 0.3, 0.2), (0.1, 10)):
        with pytest.raises(ValueError, match="ls"):
            NoiseRegion(ap, (0.1, 0.5), ls=bad)
    with pytest.raises(ValueError, match="ls"):
        NoiseRegion(ap, (0.1, 0.5))._points(39, at_ls=True)


def test_report_lower_ends_from_the_ls_disc(monkeypatch):
    """Through report.predict (residual variance with 27 df): off by default (LS_LOWER), the tuned and T_ft bands'
    ends are those of the moment path (the residual switched off). On: the tuned bands' upper ends are bitwise the
    moment path's (the residual switched off), T_ft's the moment disc's widened to the reported difference, the
    lower ends the LS disc's (at least 0, at most the value), the values the LS centre's clipped to the upper ends;
    the other risk bands bitwise the moment path's (T_lt combines the new scratch band's half-widths:
    aniso_difference.transfer_intervals)."""
    from ftheory.advise import aniso_transfer

    prep = small_prep(40, seed=0, sigma=0.3)
    pe = estimate_parameters(prep, draws=400)
    assert pe.residual.df >= 16
    ns = [10, 39, 100]
    off = report.predict(prep, pe, ns, 39)
    ap = AnisotropicPredictor(prep)
    nm, iv = pe.interval("noise_moment"), pe.residual.interval()
    plain = NoiseRegion(ap, (nm.low, nm.high))
    monkeypatch.setattr(aniso_transfer, "LS_LOWER", True)
    new = report.predict(prep, pe, ns, 39)
    monkeypatch.setattr(report, "use_residual", lambda *a, **k: False)
    old = report.predict(prep, pe, ns, 39)
    reg = NoiseRegion(ap, (nm.low, nm.high), ls=(pe.residual.value, pe.residual.df, iv.low, iv.high))
    for proc in ("scratch_ridge", "finetune_ridge"):
        v, lo, hi = new[2][proc]
        np.testing.assert_array_equal(hi, old[2][proc][2])
        for j in (1, 2):                                  # off: the ends as with the residual switched off
            np.testing.assert_array_equal(off[2][proc][j], old[2][proc][j])
        ll = np.maximum(reg.tuned(proc.split("_")[0], ns, at_ls=True)[0], 0.0)
        np.testing.assert_allclose(lo, np.minimum(ll, v), rtol=1e-12)
        assert not np.allclose(lo, off[2][proc][1])
        c = reg.ls_values(proc.split("_")[0], ns, (pe.residual.value, pe.residual.df))
        np.testing.assert_allclose(v, np.minimum(c, hi), rtol=1e-12)
        assert np.all(lo <= v) and np.all(v <= hi)
    t = new[1]["finetune"].value
    assert t == pytest.approx(new[0]["scratch_ridge"].value - new[0]["finetune_ridge"].value, rel=1e-12)
    # T_ft's upper end: the moment disc's, widened to the difference of the reported tuned values
    assert new[1]["finetune"].high == pytest.approx(max(plain.transfer(39)[1], t), rel=1e-12)
    assert new[1]["finetune"].low == pytest.approx(min(reg.transfer(39, at_ls=True)[0], t), rel=1e-12)
    assert (off[1]["finetune"].low, off[1]["finetune"].high) == (old[1]["finetune"].low, old[1]["finetune"].high)
    for proc in new[2]:
        if proc not in ("scratch_ridge", "finetune_ridge"):
            for j in (1, 2):
                assert np.array_equal(new[2][proc][j], old[2][proc][j]), proc
