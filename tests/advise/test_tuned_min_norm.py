"""The refusal of a Sigma_hat that float64 does not resolve (columns in very different units), the units note, the
penalty grid spanning the spectrum, and the min-norm point value at the interpolation peak."""

import numpy as np
import pytest

import ftheory
from ftheory.advise.aniso_predict import MAX_CONDITION, AnisotropicPredictor
from ftheory.advise.prepared import Prepared

def _task(seed, n, d, sd, N=0, sigma=0.5):
    g = np.random.default_rng(seed)
    bt = g.standard_normal(d) / sd / np.sqrt(d)
    bs = bt * (1 + 0.3 * g.standard_normal(d))
    X = g.standard_normal((n, d)) * sd
    y = X @ bt + sigma * g.standard_normal(n)
    U = g.standard_normal((N, d)) * sd if N else None
    return X, y, bs, U


def test_units_example_refused_naming_x():
    """/tmp/ux18/units.py: column sds 2e4 and 3e-4 (cond ~4e15): was scratch_ridge 0.571 against min-norm
    0.0099 (a grid of penalties all far above the small eigenvalues), then 0 once the grid spanned the spectrum
    (float64 does not resolve that direction): now a ValueError naming X and the columns."""
    d, n = 5, 120
    g = np.random.default_rng(0)
    sd = np.array([2e4, np.sqrt(1e-7), 1, 1, 1])
    bt = g.standard_normal(d) / sd
    bs = bt * (1 + 0.3 * g.standard_normal(d))
    X = g.standard_normal((n, d)) * sd
    y = X @ bt + 0.5 * g.standard_normal(n)
    U = g.standard_normal((2000, d)) * sd
    with pytest.raises(ValueError, match=r"^X: .*condition number .*column 1 smallest, column 0 largest"):
        ftheory.advise(X, y, source_weights=bs, unlabeled=U)
    # standardised, the same task is resolved (tuned 0.0097 against min-norm 0.0099)
    s = U.std(0)
    r = ftheory.advise(X / s, y, source_weights=bs * s, unlabeled=U / s)
    assert r.predictions["scratch_ridge"].value <= r.predictions["scratch_min_norm"].value
    assert abs(r.predictions["scratch_ridge"].value - 0.0097) < 5e-4


def test_units_note_and_wide_but_resolved_spectrum():
    """Column sds 900x apart (cond ~1e6 < MAX_CONDITION): predictions given, and a note
    that the tuned risks depend on the units."""
    sd = np.array([30.0, 1 / 30, 1, 1, 1])
    X, y, bs, U = _task(0, 120, 5, sd, 2000)
    r = ftheory.advise(X, y, source_weights=bs, unlabeled=U)
    assert np.isfinite(r.predictions["scratch_ridge"].value)
    assert any("column sds of X differ by a factor" in t for t in r.notes)
    r0 = ftheory.advise(*_task(0, 120, 5, np.ones(5), 2000)[:2], source_weights=_task(0, 120, 5, np.ones(5))[2],
                        unlabeled=_task(0, 120, 5, np.ones(5), 2000)[3])
    assert not any("column sds" in t for t in r0.notes)
    assert MAX_CONDITION == 1e12


def test_the_units_note_is_computed_once_per_report_not_at_each_crossover_refinement(monkeypatch):
    """predict(n_at=None) (the crossover's values between grid points) returns no notes: it skips units_note."""
    import importlib

    ap, report = (importlib.import_module(f"ftheory.advise.{m}") for m in ("aniso_predict", "report"))

    calls = {"note": 0, "curves": 0}
    note, predict = ap.units_note, report.predict
    monkeypatch.setattr(ap, "units_note", lambda prep: calls.__setitem__("note", calls["note"] + 1) or note(prep))
    monkeypatch.setattr(report, "predict", lambda prep, pe, ns, n_at: calls.__setitem__(
        "curves", calls["curves"] + (n_at is None)) or predict(prep, pe, ns, n_at))
    X, y, bs, U = _task(0, 120, 5, np.array([30.0, 1 / 30, 1, 1, 1]), 2000)
    r = ftheory.advise(X, y, source_weights=bs, unlabeled=U, grid_size=10)
    assert calls["curves"] > 0 and calls["note"] == 1
    assert sum("column sds of X differ by a factor" in t for t in r.notes) == 1


def _predictor(ev, n=50, N=1000, seed=0):
    g = np.random.default_rng(seed)
    d = ev.size
    X = g.standard_normal((n, d)) * np.sqrt(ev)
    prep = Prepared(X, g.standard_normal(n), None, np.diag(ev), np.diag(1 / ev), N, False, False, [])  # names=None
    return AnisotropicPredictor(prep, pivot_draws=0)


def test_penalty_grid_spans_the_spectrum():
    """The grid reaches 1e-2 of the smallest eigenvalue at the same log step; unchanged (1e-4 to 1e2 x the mean,
    41 points) where the spectrum is not that wide."""
    a = _predictor(np.arange(1, 11) ** -1.0)
    np.testing.assert_array_equal(a.lams, a.ev.mean() * np.logspace(-4, 2, 41))
    b = _predictor(np.r_[1e4, np.ones(4), 1e-5])
    assert b.lams[0] <= 1e-2 * b.ev.min() and b.lams[-1] == pytest.approx(1e2 * b.ev.mean())
    np.testing.assert_allclose(np.diff(np.log10(b.lams)), 6 / 40)


@pytest.mark.parametrize("n", [30, 31, 32])
def test_min_norm_point_value_at_the_peak(n):
    """/tmp/ux18/sing.py (d = 30, centred: n - 1 effective samples; peak at d - 1 .. d + 1): the noise coefficient
    is infinite and the noise interval reaches above 0, so the point value is inf (was 0 or 0.064: the clipped
    noise estimate 0 times inf taken as 0)."""
    d = 30
    for seed in range(3):
        rng = np.random.default_rng(seed)
        bt = rng.standard_normal(d) / np.sqrt(d)
        bs = bt + rng.standard_normal(d) / np.sqrt(d)
        X = rng.standard_normal((n, d))
        y = X @ bt + rng.standard_normal(n)
        r = ftheory.advise(X, y, source_weights=bs)
        assert r.estimates["noise_variance"].high > 0
        for proc in ("scratch_min_norm", "finetune_min_norm"):
            p = r.predictions[proc]
            assert p.value == np.inf and p.high == np.inf, (seed, proc, p)


def test_prepare_keeps_the_column_names_it_is_given():
    # code22: advise passes a table's column names into prepare (was set on the result afterwards); None by default
    from ftheory.advise.prepared import prepare

    g = np.random.default_rng(0)
    X, U = g.standard_normal((30, 3)), g.standard_normal((200, 3))
    assert prepare(X, X[:, 0], X[:, 1], U).names is None and prepare(X, X[:, 0], X[:, 1]).names is None
    assert prepare(X, X[:, 0], X[:, 1], U, names=["a", "b", "c"]).names == ["a", "b", "c"]
    assert prepare(X, X[:, 0], X[:, 1], names=["a", "b", "c"]).names == ["a", "b", "c"]
