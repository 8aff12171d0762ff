"""Paired simulators (ftheory/simulate/paired.py): same draws as the simulators they pair, exact identities."""
import math

import numpy as np
import pytest

from ftheory.mc.batch import sq_dist
from ftheory.simulate.deep_linear import simulate_transfer
from ftheory.simulate.linear import min_norm, simulate_linear_transfer_finite_source
from ftheory.simulate.paired import (gradient_flow_scale, null_space_part, simulate_finetune_models,
                                     simulate_finetune_paired, simulate_lt_finite_source_paired)


def test_finetune_paired_has_the_draws_of_simulate_transfer():
    """Same seed: the T_ft and T_lt samples equal simulate_transfer's (draw order, steps, c unchanged)."""
    for gamma_s in (None, 0.5):
        ours = simulate_finetune_paired(6, 12, math.pi / 5, 0.2, gamma_s=gamma_s, sigma_s=0.2, instances=3, seed=4)
        ref = simulate_transfer(6, 12, math.pi / 5, 0.2, gamma_s=gamma_s, sigma_s=0.2, instances=3, seed=4)
        np.testing.assert_allclose(ours["T_ft"].samples, ref["T_ft"].samples, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(ours["T_lt"].samples, ref["T_lt"].samples, rtol=1e-9, atol=1e-12)


def test_lt_finite_source_paired_has_the_draws_of_the_linear_simulator():
    ours = simulate_lt_finite_source_paired(20, 30, 0.7, 0.2, 0.5, 0.3, instances=5, seed=9)
    ref = simulate_linear_transfer_finite_source(20, 30, 0.7, 0.2, 0.5, 0.3, instances=5, seed=9)
    np.testing.assert_allclose(ours["lt"].samples, ref.samples, rtol=1e-12)
    np.testing.assert_allclose(ours["T_lt"].samples, ours["sc"].samples - ours["lt"].samples, rtol=1e-12)


def test_null_space_part_and_scale_solve_their_equations():
    rng = np.random.default_rng(0)
    X, v, y = rng.standard_normal((4, 5, 9)), rng.standard_normal((4, 9)), rng.standard_normal((4, 5))
    null = null_space_part(X, v)
    np.testing.assert_allclose(np.einsum("bnd,bd->bn", X, null), 0, atol=1e-12)     # in the null space
    np.testing.assert_allclose(null - v, min_norm(X, np.einsum("bnd,bd->bn", X, null - v)), atol=1e-12)
    b_sc = min_norm(X, y)
    for depth in (2, 3):
        c = gradient_flow_scale(v, null, b_sc, depth)
        r2, a, b = sq_dist(v), sq_dist(null), sq_dist(b_sc)
        w = c ** (2 / (depth - 1))            # c = w^{(L-1)/2}
        np.testing.assert_allclose(w ** depth - (a / r2) * w ** (depth - 1) - b / r2, 0, atol=1e-12)
    c2 = gradient_flow_scale(v, null, b_sc, 2)          # depth 2: r^2 c^4 - a c^2 - b = 0
    np.testing.assert_allclose(r2 * c2 ** 4 - a * c2 ** 2 - b, 0, atol=1e-12)


def test_models_reject_n_at_least_d():
    with pytest.raises(ValueError, match="n=12"):
        simulate_finetune_models(12, 12, 0.3, 0.2, instances=2, seed=0)
