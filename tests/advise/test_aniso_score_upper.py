"""Score-type upper ends of the tuned risks and of T_ft above n = d (NoiseRegion.shift, score_upper)."""
import copy

import numpy as np
import pytest

from ftheory.advise.aniso_predict import AnisotropicPredictor, _EYY, _psd2
from ftheory.advise.aniso_transfer import NoiseRegion
from tests.advise._aniso_tasks import small_prep


def _region(score_upper=False, seed=4):
    ap = AnisotropicPredictor(small_prep(40, seed=seed))
    return ap, NoiseRegion(ap, (0.1, 0.5), score_upper=score_upper)


def test_covariance_at_the_shifted_task_is_the_plug_in_there():
    """The law at the shift ``(t, prof)`` has the covariance of a predictor whose statistics are those of the task
    with the signal ``t prof`` added (per-direction Gram ``+ t prof`` on its label entry, label variance ``+ t``):
    built here by moving the predictor's own statistics, not through the ``t`` arguments. The statistics ``s`` stay
    the observed ones. The pool part of the resolvent weights is switched off (it is the plug-in in both)."""
    ap, reg = _region()
    ap.resolvent = False
    n = 39
    t, prof = reg.shift(n, "finetune")
    assert t > 0
    moved = copy.copy(ap)
    moved.g = ap.g + t * prof[:, None, None] * _EYY
    moved.S = _psd2(ap.S + t * _EYY)
    s1, C1, *_ = reg._law(n, (t, prof))
    s0, C0, *_ = NoiseRegion(moved, (0.1, 0.5))._law(n)
    np.testing.assert_array_equal(s1, reg._law(n)[0])
    np.testing.assert_allclose(C1, C0, rtol=1e-10, atol=1e-14 * np.abs(C0).max())
    assert not np.allclose(C1, reg._law(n)[1], rtol=1e-3)


def test_shift_is_the_task_of_the_upper_end():
    """One score step from the anchor t0 (0 here: the signal statistics are positive): at the shifted task the
    prediction (its signal statistics moved by ``t prof``) is 1.96 plug-in residual standard deviations above the
    disc's centre; ``prof`` is the selected penalty's bias weights over the eigenvalues, normalised (scratch's for
    T_ft)."""
    from ftheory.advise.bands import Z95

    ap, reg = _region()
    n = 39
    s, C, V, fin, L = reg._law(n)
    W, k = reg._cache[("W", n)]
    curves, Cres = reg._candidates(n)[:2]
    js, jf = int(np.argmin(curves[-1, 0])), int(np.argmin(curves[-1, 1]))
    assert float(ap.kinv @ ap.u["y"]) > 0
    for which, j, ks, idx in (("scratch", js, k[js], [js]), ("finetune", jf, k[jf], [L + 1 + jf]),
                              ("transfer", js, k[js] - k[jf], [js, L + 1 + jf])):
        t, prof = reg.shift(n, which)
        np.testing.assert_allclose(prof * np.sum(W[j] / ap.ev), W[j], rtol=1e-12)
        h = np.zeros(s.size)
        h[idx] = [1.0, -1.0][:len(idx)]
        assert 0 < t < 4 * ap.S[0, 0]
        assert float(ks @ prof) * t == pytest.approx(Z95 * np.sqrt(h @ Cres @ h), rel=1e-12)
    with pytest.raises(ValueError, match="which"):
        reg.shift(n, "linear")


def test_end_step_is_the_task_whose_prediction_is_the_upper_end(monkeypatch):
    """SCORE_STEP "end": the prediction at the shifted task (signal statistics moved by ``t prof``) is the plug-in
    disc's upper end, unless the step is capped at 4x the label variance."""
    from ftheory.advise import aniso_transfer

    monkeypatch.setattr(aniso_transfer, "SCORE_STEP", "end")
    n, exact = 39, 0
    for seed in (4, 1):                                   # capped (seed 4) and not (seed 1)
        ap, reg = _region(seed=seed)
        s, C, V, fin, L = reg._law(n)
        W, k = reg._cache[("W", n)]
        curves = reg._candidates(n)[0][-1]
        js, jf = int(np.argmin(curves[0])), int(np.argmin(curves[1]))
        for which, ks, value, high in (("scratch", k[js], curves[0, js], reg.tuned("scratch", [n])[1][0]),
                                       ("finetune", k[jf], curves[1, jf], reg.tuned("finetune", [n])[1][0]),
                                       ("transfer", k[js] - k[jf], curves[0, js] - curves[1, jf], reg.transfer(n)[1])):
            t, prof = reg.shift(n, which)
            cap = 4 * float(ap.S[0, 0])
            assert 0 < t <= cap
            if t < cap:
                exact += 1
                assert value + float(ks @ prof) * t == pytest.approx(high, rel=1e-12)
            else:
                assert value + float(ks @ prof) * t < high
    assert exact == 3


def test_zero_shift_is_bitwise_the_plug_in(monkeypatch):
    """With the shift at zero the score ends are bitwise the plug-in disc's, and the region's bands bitwise those
    without ``score_upper``."""
    ap, on = _region(score_upper=True)
    off = NoiseRegion(ap, (0.1, 0.5))
    monkeypatch.setattr(NoiseRegion, "shift", lambda self, n, which: (0.0, ap.pi))
    ns = [20, 39, 80]
    for which in ("scratch", "finetune"):
        for x, y in zip(on.tuned(which, ns, score=True), off.tuned(which, ns)):
            np.testing.assert_array_equal(x, y)
        band = (np.full(3, 0.3), np.full(3, 0.1), np.full(3, 0.6))
        for x, y in zip(on.merge(which, ns, band), off.merge(which, ns, band)):
            np.testing.assert_array_equal(x, y)
    assert on.transfer_interval(39, 0.01) == off.transfer_interval(39, 0.01)


def test_score_upper_raises_only_the_upper_ends():
    """On: the upper ends are the larger of the plug-in disc's and the shifted disc's, strictly larger here (the
    spread grows with the signal) at n = 20 and 39; the lower ends and the values are unchanged."""
    ap, on = _region(score_upper=True)
    off = NoiseRegion(ap, (0.1, 0.5))
    ns = [20, 39, 80]
    band = (np.full(3, 0.05), np.full(3, 0.01), np.full(3, 0.06))
    for which in ("scratch", "finetune"):
        v1, l1, h1 = on.merge(which, ns, band)
        v0, l0, h0 = off.merge(which, ns, band)
        np.testing.assert_array_equal(v1, v0)
        np.testing.assert_array_equal(l1, l0)
        np.testing.assert_array_equal(h1, np.fmax(h0, on.tuned(which, ns, score=True)[1]))
        assert np.all(h1 >= h0) and np.all(h1[:2] > h0[:2])
    t1, t0 = on.transfer_interval(39, 0.0), off.transfer_interval(39, 0.0)
    assert t1[:2] == t0[:2] and t1[2] == max(t0[2], on.transfer(39, score=True)[1]) and t1[2] > t0[2]
