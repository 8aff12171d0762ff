"""Written against non-equivalent survivors of the fifth simulate mutmut sample (seed 20261206,
docs/testing.md "Fifth check"), AFTER its tally was recorded: in-sample, not part of that score.
Expected values are computed in the test (exact messages, NumPy's own Gram product, a redraw with the
same seed, the wrapped function's own signature)."""
import inspect

import numpy as np
import pytest

from ftheory.simulate.aniso import block_teacher
from ftheory.simulate.data import teachers
from ftheory.simulate.deep_linear.spectral import _gram, _gram_pays
from ftheory.simulate.linear import simulate_min_norm_risk
from ftheory.simulate.relu.network import draw_teacher, init_student
from ftheory.simulate.relu.procedures import pretrain as relu_pretrain


def test_teachers_messages_name_the_parameter_and_its_exact_domain():
    with pytest.raises(ValueError, match=r"^norm_t=0 is invalid: expected a real number in \(0, inf\)$"):
        teachers(4, 0.3, norm_t=0)
    with pytest.raises(ValueError, match=r"^theta=4.0 is invalid: expected a real number in \[0, pi\]$"):
        teachers(4, 4.0)


def test_relu_messages_name_instances_and_plateau():
    with pytest.raises(ValueError, match=r"^instances=0 is invalid"):
        draw_teacher(4, 2, instances=0)
    teacher, st = draw_teacher(3, 2, instances=1, seed=0), init_student(3, 4, instances=1, seed=1)
    with pytest.raises(ValueError, match=r"^plateau=-1.0 is invalid"):
        relu_pretrain(st, teacher.source(0.5), plateau=-1.0, steps=2)


def test_takes_gamma_publishes_the_wrapped_signature_plus_gamma():
    params = list(inspect.signature(simulate_min_norm_risk).parameters)
    inner = list(inspect.signature(inspect.unwrap(simulate_min_norm_risk)).parameters)
    assert params == inner + ["gamma"] and "n" in params


def test_gram_is_the_smaller_product_and_n_equal_d_is_not_a_gram_case():
    X = np.random.default_rng(0).standard_normal((2, 5, 3))      # n > d: X^T X, shape (2, 3, 3)
    assert np.array_equal(_gram(X), np.swapaxes(X, 1, 2) @ X)
    Y = np.swapaxes(X, 1, 2)                                      # n < d: X X^T
    assert np.array_equal(_gram(Y), Y @ X)
    assert _gram_pays(np.zeros((1, 4, 4))) is False               # n = d: cond infinite, no division by 0


def test_block_teacher_is_reproducible_from_its_seed():
    a, b = block_teacher(6, 2, 0.5, seed=3), block_teacher(6, 2, 0.5, seed=3)
    assert np.array_equal(a, b)
    assert np.linalg.norm(a[:2]) ** 2 == pytest.approx(0.5, rel=1e-12)
