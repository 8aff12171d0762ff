"""ReLU procedures: pretraining on a finite source sample is training on the documented draw; options reach
gradient descent; the driver records the read-out ranks (written against mutmut survivors)."""
import numpy as np
import pytest

from ftheory.simulate.relu import draw_teacher, init_student, pretrain, simulate_relu_transfer, train
from ftheory.simulate.relu.gd import gradient_descent
from ftheory.simulate.relu.objectives import PopulationLoss


def _pair(seed=0, d=5, m=8, m_star=4, B=2):
    teacher = draw_teacher(d, m_star, instances=B, seed=seed)
    net = init_student(d, m, instances=B, seed=seed + 1)
    return teacher.source(0.25), net


@pytest.mark.parametrize("early_stop,tol", [(False, 0.0), (True, 1e-3)])
def test_finite_source_pretraining_is_training_on_the_documented_sample(early_stop, tol):
    source, net = _pair()
    res = pretrain(net, source, lr=0.5, steps=7, tol=tol, grad_tol=0.0, early_stop=early_stop, n_source=6, seed=3)
    X = np.random.default_rng(3).standard_normal((2, 6, 5))  # documented: (B, n_source, d) from seed
    ref = train(net, X, source(X), lr=0.5, steps=7, tol=tol, grad_tol=0.0, early_stop=early_stop)
    np.testing.assert_array_equal(res.net.weights, ref.net.weights)
    np.testing.assert_array_equal(res.net.readout, ref.net.readout)
    np.testing.assert_array_equal(res.steps, ref.steps)
    if not early_stop:
        np.testing.assert_array_equal(res.steps, 7)


def test_population_pretraining_uses_the_requested_precision():
    source, net = _pair(seed=4)
    kw = dict(lr=1.0, steps=5, tol=0.0, grad_tol=0.0, early_stop=False)
    r32 = pretrain(net, source, dtype="float32", **kw)
    r64 = pretrain(net, source, **kw)
    ref32 = gradient_descent(PopulationLoss(source, "float32"), net, 1.0, 5, 0.0, 0.0, False)
    np.testing.assert_array_equal(r32.net.weights, ref32.net.weights)
    assert not np.array_equal(r32.net.weights, r64.net.weights)  # float32 kernels: not the float64 iterates
    np.testing.assert_allclose(r32.net.weights, r64.net.weights, rtol=0, atol=1e-4)


def test_driver_records_full_read_out_ranks():
    res = simulate_relu_transfer([4, 7], [0.0], d=5, m=12, m_star=4, instances=2, seed=1, steps=2,
                                 pretrain_steps=2)
    assert res.lt_rank.shape == res.lt.shape
    # F = relu(X W^T)/m is n x m with n < m: generically of full row rank n
    np.testing.assert_array_equal(res.lt_rank[:, 0, 0], 4)
    np.testing.assert_array_equal(res.lt_rank[:, 0, 1], 7)
