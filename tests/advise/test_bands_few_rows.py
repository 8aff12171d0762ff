"""Isotropic bands with few rows above n = d (``d < n <= 100`` effective samples, the residual variance reported):
the regression region as above 100 rows, the tuned risks' bands at the user's n from the regression region below
and the exact-cut region above (report._region, report._tuned_band)."""
import numpy as np
import pytest

from ftheory.advise.caps import cap_by_min_norm, cap_tuned
from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.predict import isotropic_risk
from ftheory.advise.report import _region, predict
from ftheory.advise.synthetic import make_task


def _pe(d, n, seed=14):
    task = make_task(d, 0.7, 0.5, seed=seed)
    X, y = task.sample(n, np.random.default_rng(seed + 1))
    prep = prepare(X, y, X @ task.beta_s, None)
    return prep, estimate_parameters(prep)


@pytest.mark.parametrize("d, n, kind, tuned", [(20, 60, "joint", "exact"), (20, 30, "exact", None),
                                                (50, 30, "exact", None), (60, 150, "joint", None)])
def test_which_region(d, n, kind, tuned):
    # n = 60, d = 20: residual df 39 (>= 16) and 59 <= 100 rows; n = 30, d = 20: df 9, no residual variance;
    # n < d: none; 149 rows: the Gaussian side of exact_cut, no separate tuned region
    _, pe = _pe(d, n)
    reg = _region(pe)
    assert reg.cut.kind == kind
    t = pe.__dict__["_tuned_region"]
    assert (t is None) if tuned is None else (t.cut.kind == tuned)


def test_few_rows_bands_come_from_their_regions_and_the_transferabilities_add_up():
    prep, pe = _pe(20, 60)
    m, d = pe.n, pe.d
    preds, transf, bands, *_ = predict(prep, pe, [m], m)
    reg, tuned = _region(pe), pe.__dict__["_tuned_region"]

    def f(proc):
        return lambda P: isotropic_risk(proc, m, d, P)

    # the probe: the regression region's band (its centre the statistics' moment estimate)
    assert (preds["linear_transfer"].value, preds["linear_transfer"].low, preds["linear_transfer"].high) == \
        reg.band(f("linear_transfer"))
    # the tuned risks: the regression region's lower end, the exact-cut region's upper end, the value at the
    # regression centre, then the caps
    for proc in ("scratch_ridge", "finetune_ridge"):
        lo, hi = reg.band(f(proc))[1], tuned.band(f(proc))[2]
        v = float(f(proc)(reg.points[:1])[0])
        assert lo > tuned.band(f(proc))[1]  # not the exact cut's lower end (at this task it is lower)
        want = cap_tuned({proc: (np.array([v]), np.array([min(lo, v)]), np.array([max(hi, v)]))}, pe)[proc]
        mn = proc.split("_")[0] + "_min_norm"                   # and at most the min-norm limit's (caps.cap_by_min_norm)
        want = cap_by_min_norm({proc: want, mn: bands[mn]})[proc]
        got = preds[proc]
        assert (got.value, got.low, got.high) == tuple(float(w[0]) for w in want)
        assert v != pytest.approx(float(f(proc)(tuned.points[:1])[0]), rel=1e-3)  # not the moment estimate's value
    # every value at the same centre: T = R_scratch - R_transfer (before any cap binds)
    assert transf["linear_transfer"].value == pytest.approx(preds["scratch_ridge"].value - preds["linear_transfer"].value,
                                                            rel=1e-12)
    assert transf["finetune"].value == pytest.approx(preds["scratch_ridge"].value - preds["finetune_ridge"].value,
                                                     rel=1e-12, abs=1e-15)
