"""The distance ||beta_t - beta_s||^2_Sigma (the cap of the tuned fine-tuning band): the Wald interval of
tau^2 - 2 rho + r^2 (default) or the signal's test on the residual labels y - z (``ParameterEstimates.distance =
"residual"``, dist28's candidate; its coverage is measured in docs/advisor_validation.md, dist28)."""
import numpy as np
import pytest

from ftheory.advise.estimators import ParameterEstimates, estimate_parameters, prepare
from ftheory.advise.intervals import interval
from ftheory.advise.synthetic import make_task


def _data(ev, d=30, n=20):
    task = make_task(d, 1.0, 0.4, eigenvalues=ev, seed=3)
    rng = np.random.default_rng(4)
    X, y = task.sample(n, rng)
    U = None if ev is None else task.sample(20 * d, rng)[0]
    return X, y, X @ task.beta_s, U


@pytest.mark.parametrize("ev", [None, np.arange(1, 31) ** -1.0])
def test_residual_distance_is_the_signal_of_the_residual_labels(ev, monkeypatch):
    # y - z = x . (beta_t - beta_s) + eps: the same model, so the same estimator and test as the signal
    monkeypatch.setattr(ParameterEstimates, "distance", "residual")
    X, y, z, U = _data(ev)
    pe = estimate_parameters(prepare(X, y, z, U), seed=5)
    ref = estimate_parameters(prepare(X, y - z, z, U), seed=5)
    a, b = pe.interval("distance"), ref.interval("signal")
    assert (a.value, a.low, a.high) == pytest.approx((b.value, b.low, b.high), rel=1e-12, abs=1e-12)
    assert pe.distance_value == pytest.approx(ref.signal_value, rel=1e-12)
    assert a.low <= a.value <= a.high


def test_default_distance_is_the_wald_interval_of_the_moment_combination():
    X, y, z, U = _data(None)
    pe = estimate_parameters(prepare(X, y, z, U))
    a = np.array([1.0, 0.0, -2.0, 1.0])
    ref = interval(a @ pe.p, a @ pe.cov @ a, lo=0.0)
    got = pe.interval("distance")
    assert (got.value, got.low, got.high) == (ref.value, ref.low, ref.high)
    assert pe.distance_value == pytest.approx(a @ pe.p, rel=1e-14)


def test_unknown_distance_rule_is_refused(monkeypatch):
    monkeypatch.setattr(ParameterEstimates, "distance", "exact")
    X, y, z, U = _data(None)
    with pytest.raises(ValueError, match="distance must be 'wald' or 'residual', got 'exact'"):
        estimate_parameters(prepare(X, y, z, U)).interval("distance")
