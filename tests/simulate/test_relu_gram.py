"""ftheory.simulate.relu.gram and .summary (the numbers of the ReLU figures) against values computed here
independently: explicit loops over neurons and inputs, a network built to have exactly the source teacher's
kernel, and the Hermite expansion of relu by hand.

Tolerances: float64 rounding of sums of a few dozen products of O(1) terms (absolute 1e-12 on O(1) values);
the kernel diagnostics go through a pseudo-inverse of a Gram matrix of condition ~1e2 (absolute 1e-10).
"""
import math

import numpy as np
import pytest

from ftheory.simulate.data import sphere_inputs
from ftheory.simulate.relu import ReluTransferResult, draw_teacher
from ftheory.simulate.relu.gram import DIAGNOSTICS, feature_kernel, gram_panels, kernel_diagnostics, neuron_cosines
from ftheory.simulate.relu.summary import (local_exponents, pretrain_relative_risk, relative_noise,
                                           relative_noise_rms, target_degree_fractions)

D, M_STAR, M, I = 5, 4, 4, 2
MUS = np.array([0.0, 0.5])


def _relu(t):
    return max(t, 0.0)


def _result(seed=0, init=True):
    """A result whose pretrained network at mu = 0.5 repeats each kept teacher neuron twice with read-out
    ``a = |c| sqrt(m / (2 m*))``: its kernels (read-out weighted and plain) equal the source teacher's."""
    rng = np.random.default_rng(seed)
    teacher = draw_teacher(D, M_STAR, instances=I, seed=seed)
    W = rng.normal(size=(I, 2, M, D))
    a = rng.normal(size=(I, 2, M))
    for i in range(I):
        keep = teacher.keep(0.5)[i]
        W[i, 1] = np.repeat(teacher.weights[i, keep], 2, axis=0)
        a[i, 1] = np.repeat(np.abs(teacher.coef[i, keep]), 2) * math.sqrt(M / (2 * M_STAR))
    z = np.zeros((I, 2))
    return ReluTransferResult(
        params={"d": D, "m": M, "m_star": M_STAR, "instances": I, "sigma": 0.3}, ns=np.array([4, 8]), mus=MUS,
        kept=np.array([4, 2]), norm_sq=np.array([0.5, 2.0]), scratch=np.ones((I, 2)),
        scratch_converged=np.ones((I, 2), bool), scratch_loss=np.ones((I, 2)), lt=np.ones((I, 2, 2)),
        lt_rank=np.ones((I, 2, 2)), pretrain_risk=np.array([[0.1, 0.2], [0.3, 0.4]]),
        pretrain_converged=np.ones((I, 2), bool), source_norm_sq=np.array([[0.5, 0.25], [2.0, 1.0]]),
        teacher_outside=z, student_outside=z, pretrained_weights=W, pretrained_readout=a, teacher=teacher,
        init_weights=rng.normal(size=(I, M, D)) if init else None,
        init_readout=rng.normal(size=(I, M)) if init else None)


def test_feature_kernel_is_the_sum_over_neurons():
    rng = np.random.default_rng(1)
    W, w, X = rng.normal(size=(3, D)), rng.uniform(size=3), rng.normal(size=(6, D))
    K = feature_kernel(W, w, X)
    for p in range(6):
        for q in range(6):
            want = sum(w[i] * _relu(float(W[i] @ X[p])) * _relu(float(W[i] @ X[q])) for i in range(3))
            assert K[p, q] == pytest.approx(want, abs=1e-12)
    with pytest.raises(ValueError, match="expected"):
        feature_kernel(W, w[:2], X)


def test_neuron_cosines_and_their_checks():
    rng = np.random.default_rng(2)
    W = rng.normal(size=(3, D))
    U = rng.normal(size=(2, D))
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    C = neuron_cosines(W, U)
    for i in range(3):
        for j in range(2):
            want = sum(W[i, k] * U[j, k] for k in range(D)) / math.sqrt(sum(x * x for x in W[i]))
            assert C[i, j] == pytest.approx(want, abs=1e-12)
    with pytest.raises(ValueError, match="unit rows"):
        neuron_cosines(W, 2 * U)
    with pytest.raises(ValueError, match="zero row"):
        neuron_cosines(np.zeros((1, D)), U)


def test_kernel_diagnostics_of_a_network_with_the_source_kernel():
    res = _result()
    diag = kernel_diagnostics(res, 1)
    assert tuple(diag) == DIAGNOSTICS and all(v.shape == (I,) for v in diag.values())
    for w in ("readout", "uniform"):
        np.testing.assert_allclose(diag[f"align_trained_{w}"], 1.0, atol=1e-10)
        np.testing.assert_allclose(diag[f"outside_trained_{w}"], 0.0, atol=1e-10)
        # random initial neurons in d = 5: not in the span of two teacher features
        assert np.all(diag[f"outside_init_{w}"] > 1e-3) and np.all(diag[f"align_init_{w}"] < 1 - 1e-3)
    with pytest.raises(ValueError, match="keep_init"):
        kernel_diagnostics(_result(init=False), 1)


def test_gram_panels_of_one_instance():
    res = _result()
    p = gram_panels(res, 1, 7, instance=1, seed=5)
    X = p["inputs"]
    keep = res.teacher.keep(0.5)[1]
    removed = [k for k in range(M_STAR) if k not in keep]
    Ws, cs = res.teacher.weights[1, keep], res.teacher.coef[1, keep]
    assert p["kept"] == 2
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), math.sqrt(D), rtol=1e-14)
    drawn = sphere_inputs(7, D, seed=5)
    assert sorted(map(tuple, X)) == sorted(map(tuple, drawn))        # the same points, reordered
    f_s = [sum(c * _relu(float(w @ x)) for w, c in zip(Ws, cs)) for x in X]
    assert all(a <= b for a, b in zip(f_s, f_s[1:]))
    for q in range(7):
        for r in range(7):
            want = sum(c * c / M_STAR * _relu(float(w @ X[q])) * _relu(float(w @ X[r])) for w, c in zip(Ws, cs))
            assert p["K_source"][q, r] == pytest.approx(want, abs=1e-12)
    np.testing.assert_allclose(p["K_trained"], p["K_source"], atol=1e-12)   # built to have the source kernel
    W0, a0 = res.init_weights[1], res.init_readout[1]
    np.testing.assert_allclose(p["K_init"], feature_kernel(W0, a0 ** 2 / M, X), atol=1e-12)
    C = p["cos_trained"]
    cols = res.teacher.weights[1, list(keep) + removed]
    W = res.pretrained_weights[1, 1]
    rows = [(W[i] / np.linalg.norm(W[i])) @ cols.T for i in range(M)]
    want = sorted(rows, key=lambda r: (int(np.argmax(r)), -float(r.max())))
    np.testing.assert_allclose(C, np.array(want), atol=1e-12)
    best = np.argmax(C, axis=1)
    assert np.all(np.diff(best) >= 0)
    assert np.all(C.max(axis=1) == pytest.approx(1.0, abs=1e-12))  # the student neurons ARE kept teacher neurons


def test_relu_summaries():
    res = _result()
    np.testing.assert_array_equal(pretrain_relative_risk(res), [[0.2, 0.8], [0.15, 0.4]])
    np.testing.assert_allclose(relative_noise(res), [0.3 / math.sqrt(0.5), 0.3 / math.sqrt(2.0)], rtol=1e-15)
    assert relative_noise_rms(res) == pytest.approx(math.sqrt((0.09 / 0.5 + 0.09 / 2.0) / 2), rel=1e-15)
    ns = np.array([10, 20, 50, 200])
    np.testing.assert_allclose(local_exponents(ns, 3.0 * ns ** -0.7), 0.7, rtol=1e-12)
    with pytest.raises(ValueError, match="length"):
        local_exponents([10], [1.0])


def test_target_degree_fractions_of_one_neuron_are_those_of_relu():
    """relu(z), z ~ N(0, 1): E relu^2 = 1/2 and Hermite coefficients 1/sqrt(2 pi), 1/2, 1/sqrt(2 pi)/sqrt(2), so
    the degree 0, 1, 2 fractions are 1/pi, 1/2, 1/(2 pi) (the rest in degrees >= 3)."""
    res = _result()
    w = np.zeros((1, 1, D))
    w[0, 0, 0] = 1.0
    teacher = type(res.teacher)(w, np.array([[1.7]]), np.zeros((1, 1), int))
    res.teacher, res.norm_sq = teacher, np.array([1.7 ** 2 / 2])
    frac = target_degree_fractions(res, kmax=2)
    want = [1 / math.pi, 0.5, 1 / (2 * math.pi)]
    np.testing.assert_allclose(frac, want + [1 - sum(want)], atol=1e-12)


def _arccos(u, v):
    """E relu(u.x) relu(v.x), x ~ N(0, I): (|u||v| / 2 pi)(sin phi + (pi - phi) cos phi)."""
    nu, nv = math.sqrt(sum(a * a for a in u)), math.sqrt(sum(b * b for b in v))
    cos = max(-1.0, min(1.0, sum(a * b for a, b in zip(u, v)) / (nu * nv)))
    phi = math.acos(cos)
    return nu * nv / (2 * math.pi) * (math.sin(phi) + (math.pi - phi) * cos)


def test_teacher_outside_of_two_neuron_teachers_by_hand():
    """m* = 2, mu = 0.5: one neuron (order[0]) is removed; its part outside span{relu(w_kept . x)} is
    (c_r/m*)^2 (K_rr - K_kr^2 / K_kk) with the arc-cosine kernel K; ||f_t||^2 = sum_ab c_a c_b K_ab / m*^2."""
    from ftheory.simulate.relu.spans import simulate_teacher_outside

    got = simulate_teacher_outside(3, 2, [0.0, 0.5], instances=4, seed=8)
    teachers = draw_teacher(3, 2, instances=4, seed=8)                 # the same draws
    for i in range(4):
        r = int(teachers.order[i, 0])
        k = 1 - r
        W, c = teachers.weights[i], teachers.coef[i]
        K = [[_arccos(W[a], W[b]) for b in range(2)] for a in range(2)]
        outside = (c[r] / 2) ** 2 * (K[r][r] - K[k][r] ** 2 / K[k][k])
        total = sum(c[a] * c[b] * K[a][b] for a in range(2) for b in range(2)) / 4
        assert got["absolute"][i, 1] == pytest.approx(outside, rel=1e-9, abs=1e-14)
        assert got["relative"][i, 1] == pytest.approx(outside / total, rel=1e-9, abs=1e-14)
        assert abs(got["absolute"][i, 0]) < 1e-12                      # nothing removed
