"""Row simulators (ftheory/simulate/paired_rows.py): shared draws along a row of angles, the law of the
per-point simulators, and GD pretraining against its alpha -> 0 limit on the same draws."""

import numpy as np
import pytest

import ftheory
from ftheory.simulate.paired_rows import (ROW_QUANTITIES, row_key, simulate_finetune_rows,
                                          simulate_lt_finite_source_rows)


def test_an_angle_does_not_depend_on_the_rest_of_the_row():
    full = simulate_finetune_rows(6, 12, 0.2, thetas=[0.3, 1.1, 2.0], instances=3, seed=4, max_steps=3000)
    alone = simulate_finetune_rows(6, 12, 0.2, thetas=[1.1], instances=3, seed=4, max_steps=3000)
    for q in ROW_QUANTITIES:
        np.testing.assert_allclose(full[row_key(q, 1)].samples, alone[row_key(q, 0)].samples, rtol=1e-12, atol=1e-14)
    lt = simulate_lt_finite_source_rows(8, 12, 0.2, 0.5, 0.3, thetas=[0.3, 1.1], instances=3, seed=2)
    lt1 = simulate_lt_finite_source_rows(8, 12, 0.2, 0.5, 0.3, thetas=[1.1], instances=3, seed=2)
    np.testing.assert_allclose(lt[row_key("T_lt", 1)].samples, lt1[row_key("T_lt", 0)].samples, rtol=1e-12)


@pytest.mark.parametrize("gamma_s", [None, 0.5])
def test_balanced_is_the_small_init_limit_of_gd_pretraining_on_the_same_draws(gamma_s):
    kw = dict(thetas=[0.4, 1.2], gamma_s=gamma_s, sigma_s=0.2, instances=3, seed=7, max_steps=5000)
    bal = simulate_finetune_rows(8, 16, 0.2, **kw)
    gd = simulate_finetune_rows(8, 16, 0.2, pretrained="gd", **kw)
    # population source: O(alpha) = 1e-5 apart; finite source: O(pretraining step) imbalance (docs/performance.md)
    bound = 1e-5 if gamma_s is None else 5e-3
    for q in ("T_ft", "T_lt", "c_gd"):
        for j in range(2):
            assert np.abs(bal[row_key(q, j)].samples - gd[row_key(q, j)].samples).max() < bound, (q, j)


@pytest.mark.slow
def test_linear_transfer_and_scratch_have_the_exact_finite_size_means():
    """T_lt = R_sc - R_lt at each angle against the exact finite-n means (GD scratch -> X^+ y as alpha -> 0)."""
    n, d, sigma, thetas = 8, 20, 0.3, [0.3, 1.2]
    res = simulate_finetune_rows(n, d, sigma, thetas=thetas, instances=400, seed=1, max_steps=5000)
    sc = float(ftheory.get("scratch_risk_finite")(n=n, d=d, sigma=sigma))
    for j, th in enumerate(thetas):
        est = res[row_key("T_lt", j)]
        assert est.converged.all()
        expected = sc - float(ftheory.get("linear_transfer_risk_finite")(n=n, theta=th, sigma=sigma))
        assert abs(est.mean - expected) <= 5 * est.sem, (th, est.mean, expected, est.sem)


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="thetas"):
        simulate_finetune_rows(6, 12, 0.2, thetas=[], instances=2)
    with pytest.raises(ValueError, match="theta"):
        simulate_finetune_rows(6, 12, 0.2, thetas=[4.0], instances=2)
    with pytest.raises(ValueError, match="pretrained"):
        simulate_finetune_rows(6, 12, 0.2, thetas=[1.0], instances=2, pretrained="x")
    with pytest.raises(ValueError, match="gamma_s"):
        simulate_lt_finite_source_rows(6, 12, 0.2, 0.01, 0.0, thetas=[1.0], instances=2)


def test_memoised_scratch_is_the_same_computation():
    """Scratch runs are memoised per instance; a memo hit gives what a fresh run gives, and a smaller
    instance count is a prefix of a larger one (the map's instances are the slices' first ones)."""
    from ftheory.simulate import paired_rows

    kw = dict(thetas=[0.5], instances=4, seed=11, max_steps=4000)
    paired_rows._SCRATCH_MEMO.clear()
    fresh = simulate_finetune_rows(7, 14, 0.2, **kw)
    assert len(paired_rows._SCRATCH_MEMO) == 4
    again = simulate_finetune_rows(7, 14, 0.2, **kw)
    paired_rows._SCRATCH_MEMO.clear()
    fewer = simulate_finetune_rows(7, 14, 0.2, **{**kw, "instances": 2})
    more = simulate_finetune_rows(7, 14, 0.2, **{**kw, "max_steps": 9000})    # all stopped before 4000: hits
    for q in ("T_ft", "c_gd"):
        np.testing.assert_array_equal(again[row_key(q, 0)].samples, fresh[row_key(q, 0)].samples)
        np.testing.assert_allclose(fewer[row_key(q, 0)].samples, fresh[row_key(q, 0)].samples[:2], rtol=1e-10,
                                   atol=1e-13)
        np.testing.assert_allclose(more[row_key(q, 0)].samples, fresh[row_key(q, 0)].samples, rtol=1e-10, atol=1e-13)
