"""Isotropic prediction bands: the region behind them in the report (ftheory.advise.report._region)."""
import numpy as np

from ftheory.advise.bands import score_region
from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.report import _region, predict
from ftheory.advise.synthetic import make_task


def test_report_region_is_the_exact_cut_region_cached_on_the_estimates():
    """``report._region`` on the isotropic path at n <= 100: the score region cut by the order statistic of
    the report's own 400 bootstrap draws (bit for bit), built once per estimate; every isotropic band and
    transferability of ``predict`` contains its value and is the band of its prediction over that region (the tuned
    scratch risk's with its studentized own test, ``report.STUDENTIZED``)."""
    task = make_task(40, 0.6, 0.7, seed=5)
    X, y = task.sample(24, np.random.default_rng(6))
    prep = prepare(X, y, X @ task.beta_s, None)
    pe = estimate_parameters(prep)
    reg = _region(pe)
    assert _region(pe) is reg
    assert np.array_equal(reg.raw, score_region(pe.p, pe.n, pe.d, worlds=pe.worlds).raw)
    assert not np.array_equal(reg.raw, score_region(pe.p, pe.n, pe.d).raw)  # the Gaussian cut differs
    preds, transf, *_ = predict(prep, pe, [pe.n], pe.n)
    for iv in list(preds.values()) + list(transf.values()):
        assert iv.low <= iv.value <= iv.high
    from ftheory.advise.predict import isotropic_risk
    # the report studentizes the tuned scratch risk's own test (report.STUDENTIZED)
    v, lo, hi = reg.band(lambda P: isotropic_risk("scratch_ridge", pe.n, pe.d, P), studentize=True)
    assert (preds["scratch_ridge"].low, preds["scratch_ridge"].high) == (lo, hi)
