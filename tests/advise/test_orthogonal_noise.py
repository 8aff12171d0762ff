"""The noise variance from the rows rotated onto the orthogonal complement of the pretrained predictor z
(``ParameterEstimates.noise = "orthogonal"``, orth30's candidate): the rotation, the exact unbiasedness of the
rotated model's noise estimate, its smaller spread when the teachers are close, and the switch."""
import numpy as np
import pytest

from ftheory.advise.estimators import ParameterEstimates, estimate_parameters, prepare
from ftheory.advise.moments import Moments
from ftheory.advise.prepared import complement_rows
from ftheory.advise.synthetic import make_task


def test_rotation_is_onto_the_complement_of_z():
    rng = np.random.default_rng(0)
    z, A, y = rng.standard_normal(9), rng.standard_normal((9, 4)), rng.standard_normal(9)
    zr, Ar, yr = complement_rows(z, z, A, y)
    assert Ar.shape == (8, 4) and yr.shape == (8,)
    assert np.max(np.abs(zr)) <= 1e-14 * np.linalg.norm(z)             # z itself is rotated away
    P = np.eye(9) - np.outer(z, z) / (z @ z)                            # H H' is the projection off z
    assert np.allclose(Ar.T @ Ar, A.T @ P @ A, rtol=0, atol=1e-13 * np.sum(A * A))
    assert np.allclose(Ar.T @ yr, A.T @ P @ y, rtol=0, atol=1e-13 * np.linalg.norm(A) * np.linalg.norm(y))
    with pytest.raises(ValueError, match="z is 0"):
        complement_rows(np.zeros(5), np.ones((5, 2)))


def test_rotated_noise_estimate_is_unbiased_and_tighter_for_close_teachers():
    """Known Sigma (1/i spectrum), d = 40, n = 20, theta = 0.3: over 3000 data sets the rotated model's moment
    noise estimate averages sigma^2 within 4 standard errors (the labels' estimate too), and its spread is at
    most 0.6 of the labels' (expected ratio (tau^2 sin^2 theta + sigma^2) / (tau^2 + sigma^2) = 0.53 at the
    leading order, ``moments``' variance formula)."""
    task = make_task(40, 0.3, 0.5, eigenvalues=np.arange(1, 41) ** -1.0, seed=11)
    S_inv = np.linalg.inv(task.Sigma)
    rng = np.random.default_rng(12)
    lab, orth = [], []
    for _ in range(3000):
        X, y = task.sample(20, rng)
        z = X @ task.beta_s
        lab.append(Moments(X, y, z, task.Sigma, S_inv))
        Xr, yr = complement_rows(z, X, y)
        orth.append(Moments(Xr, yr, None, task.Sigma, S_inv))
    est = {}
    for name, ms in (("labels", lab), ("orthogonal", orth)):
        v = np.array([m.value(("S", [1, 0])) - m.value(("U", [1, 0], m.kinv(), "inv")) for m in ms])
        est[name] = v
        assert abs(v.mean() - 0.25) <= 4 * v.std() / np.sqrt(v.size), name
    assert est["orthogonal"].std() <= 0.6 * est["labels"].std()


def _data(n=20, d=30):
    task = make_task(d, 0.4, 0.5, eigenvalues=np.arange(1, d + 1) ** -1.0, seed=3)
    rng = np.random.default_rng(4)
    X, y = task.sample(n, rng)
    return prepare(X, y, X @ task.beta_s, task.sample(20 * d, rng)[0])


def test_the_switch_reports_the_rotated_tasks_noise(monkeypatch):
    pe = estimate_parameters(_data(), seed=5)
    labels = pe.interval("noise_variance")
    assert labels == pe.interval("noise_moment")
    monkeypatch.setattr(ParameterEstimates, "noise", "orthogonal")
    pe2 = estimate_parameters(_data(), seed=5)
    got, want = pe2.interval("noise_variance"), pe2.orthogonal_task.interval("noise_moment")
    assert (got.value, got.low, got.high) == (want.value, want.low, want.high)
    assert pe2.noise_value == float(pe2.orthogonal_task.p[1])
    assert pe2.orthogonal_task.n == pe2.n - 1 and not pe2.orthogonal_task.moments.has_z
    assert pe2.interval("signal") == pe.interval("signal")          # only the noise moves
    above = estimate_parameters(_data(n=80, d=30), seed=5)          # the residual variance above n = d
    assert above.interval("noise_variance") == above.residual.interval()


def test_unknown_noise_rule_is_refused(monkeypatch):
    monkeypatch.setattr(ParameterEstimates, "noise", "pooled")
    with pytest.raises(ValueError, match="noise must be 'labels' or 'orthogonal', got 'pooled'"):
        estimate_parameters(_data()).interval("noise_variance")
