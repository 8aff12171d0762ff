"""ftheory.mc: MCEstimate's standard error, seeds and the batch helpers."""
import math

import numpy as np
import pytest

from ftheory.mc import MCEstimate, as_generator, int_seed, spawn_seeds
from ftheory.mc.batch import inner, sq_dist


def test_sem_is_std_over_sqrt_n():
    s = np.array([1.0, 2.0, 4.0, 7.0])
    e = MCEstimate(s)
    std = math.sqrt(np.sum((s - s.mean()) ** 2) / 3)
    assert e.std == pytest.approx(std, rel=1e-15)
    assert e.sem == pytest.approx(std / 2, rel=1e-15)
    assert e.zscore(e.mean + e.sem) == pytest.approx(-1.0, rel=1e-14)
    assert math.isnan(MCEstimate([1.0]).sem)


def test_sem_has_its_meaning_for_iid_samples():
    """Over 400 independent estimates of 50 standard normals each, the sems average 1/sqrt(50) and the
    means scatter with that standard deviation (checked to a few percent)."""
    rng = np.random.default_rng(0)
    ests = [MCEstimate(rng.standard_normal(50)) for _ in range(400)]
    assert np.mean([e.sem for e in ests]) == pytest.approx(1 / math.sqrt(50), rel=0.03)
    assert np.std([e.mean for e in ests], ddof=1) == pytest.approx(1 / math.sqrt(50), rel=0.1)


def test_converged_shape_is_checked():
    with pytest.raises(ValueError, match="converged"):
        MCEstimate([1.0, 2.0], converged=[True])


def test_int_seed():
    """An int is kept; a Generator, SeedSequence or None gives one drawn integer (a Generator advances, the
    same state gives the same integer); anything else is a ValueError naming ``seed``."""
    assert int_seed(5) == 5 and int_seed(np.int64(7)) == 7 and type(int_seed(np.int64(7))) is int
    g = np.random.default_rng(1)
    a, b = int_seed(g), int_seed(g)
    assert a != b and a == int_seed(np.random.default_rng(1))
    assert int_seed(np.random.SeedSequence(2)) == int_seed(np.random.SeedSequence(2)) >= 0
    assert isinstance(int_seed(None), int)
    for bad in (-1, True, 2.5, "0"):
        with pytest.raises(ValueError, match="seed"):
            int_seed(bad)


def test_seeds_and_batch_helpers():
    assert as_generator(3).standard_normal() == as_generator(3).standard_normal()
    a, b = spawn_seeds(5, 2)
    assert np.random.default_rng(a).random() != np.random.default_rng(b).random()
    x, y = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.0, 1.0], [1.0, 1.0]])
    np.testing.assert_array_equal(sq_dist(x, y), [2.0, 13.0])
    np.testing.assert_array_equal(sq_dist(x), [5.0, 25.0])
    np.testing.assert_array_equal(inner(x, y), [2.0, 7.0])
