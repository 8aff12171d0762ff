"""finetune_rank_one (deep_linear/rank_one.py): the width-1 fine-tuning of many balanced rank-one networks
on shared data has the iterates of finetune(pretrained_state(b), X, y), for every b, to rounding."""
import numpy as np
import pytest

from ftheory.simulate.deep_linear import finetune, pretrained_state
from ftheory.simulate.deep_linear.rank_one import finetune_rank_one


def _case(n, d, G=3, B=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((B, n, d))
    y = X @ rng.standard_normal(d) / np.sqrt(d) + 0.2 * rng.standard_normal((B, n))
    return rng.standard_normal((G, B, d)) / np.sqrt(d), X, y


@pytest.mark.parametrize("n,d,depth,wd,factor", [(6, 15, 2, 0.0, 1.0), (20, 15, 2, 0.0, 0.25), (8, 12, 3, 0.05, 1.0),
                                                 (14, 10, 2, 0.1, 0.5)])
def test_same_iterates_as_finetune_from_the_balanced_state(n, d, depth, wd, factor):
    beta_pre, X, y = _case(n, d)
    got = finetune_rank_one(beta_pre, X, y, depth=depth, lr_factor=factor, wd=wd, max_steps=400)
    for g in range(beta_pre.shape[0]):
        net = pretrained_state(beta_pre[g], depth=depth, seed=g)
        lr = factor * finetune(net, X, y, max_steps=0).lr
        ref = finetune(net, X, y, lr=lr, wd=wd, max_steps=400)
        np.testing.assert_array_equal(got.steps[g], ref.steps)
        np.testing.assert_array_equal(got.converged[g], ref.converged)
        np.testing.assert_allclose(got.lr[g], lr, rtol=1e-12)
        # |beta| ~ 1, a few hundred steps of O(1) contractions: agreement to ~1e-12 (rounding only)
        np.testing.assert_allclose(got.beta[g], ref.beta, rtol=0, atol=1e-10)
        np.testing.assert_allclose(got.loss[g], ref.loss, rtol=1e-9, atol=1e-13)


def test_two_dimensional_input_and_bad_input():
    beta_pre, X, y = _case(5, 9, G=1)
    one = finetune_rank_one(beta_pre[0], X, y, max_steps=50)
    many = finetune_rank_one(beta_pre, X, y, max_steps=50)
    assert one.beta.shape == (2, 9)
    np.testing.assert_array_equal(one.beta, many.beta[0])
    with pytest.raises(ValueError, match="non-zero"):
        finetune_rank_one(np.zeros((2, 9)), X, y)
    with pytest.raises(ValueError, match="shapes"):
        finetune_rank_one(beta_pre[0, :1], X, y)
    with pytest.raises(ValueError, match="lr_factor"):
        finetune_rank_one(beta_pre, X, y, lr_factor=0.0)
