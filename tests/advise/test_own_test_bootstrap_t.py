"""The studentized own test of a nonlinear prediction (own_test.studentized_margin with ``linear=False``: the
delta-method spread at every draw, the bootstrap-t), used for the tuned scratch risk below n = d."""
import numpy as np

from ftheory.advise.bands import _ALPHA, ScoreRegion, feasible_rows, param_cov_rows, score_region
from ftheory.advise.bootstrap import Worlds
from ftheory.advise.own_test import studentized_margin
from ftheory.advise.predict import isotropic_risk

N, D = 20, 50
P0 = np.array([0.8, 0.6, 0.3, 0.9])


def _cov(Q):
    return param_cov_rows(N, D, feasible_rows(Q))


def test_the_nonlinear_form_equals_the_linear_one_for_a_linear_prediction():
    """For fine-tuning min-norm (linear in p) the central differences at every draw give the constant gradient,
    so both forms give the same margins (to rounding) at points of a region."""
    W = Worlds(N, D, draws=400, seed=5)
    reg = score_region(P0, N, D, worlds=W)
    assert reg.cut.kind == "exact"
    ev = ScoreRegion._evaluator(lambda P: isotropic_risk("finetune_min_norm", N, D, P), True)
    Q = reg.raw[::97]
    stat = float(ev(reg.raw[:1])[0])
    for sign in (1.0, -1.0):
        lin = studentized_margin(reg.cut, ev, reg.raw[0], _cov, _ALPHA, linear=True)(Q, ev, stat, sign)
        non = studentized_margin(reg.cut, ev, reg.raw[0], _cov, _ALPHA, linear=False)(Q, ev, stat, sign)
        fin = np.isfinite(lin)
        assert np.array_equal(fin, np.isfinite(non)) and fin.sum() >= 5
        np.testing.assert_allclose(non[fin], lin[fin], rtol=1e-5, atol=1e-6 * np.abs(lin[fin]).max())


def test_the_studentized_tuned_scratch_test_rejects_the_truth_at_its_level():
    """Monte Carlo: estimates drawn from the exact law at the truth (independent of the test's draws); the
    studentized test of the tuned scratch risk rejects the truth on each side at 2.5% (tolerance 3 standard
    errors: binomial of the 400 estimates and the order statistic of the 2 000 draws of the law)."""
    W = Worlds(N, D, draws=2000, seed=7)
    cut = score_region(P0, N, D, worlds=W).cut
    assert cut.kind == "exact"
    ev = ScoreRegion._evaluator(lambda P: isotropic_risk("scratch_ridge", N, D, P), False)
    est = Worlds(N, D, draws=400, seed=8).draws_at(P0)
    est = est[est[:, 3] > 0]
    rej = {1.0: 0, -1.0: 0}
    for p_hat in est:
        margin = studentized_margin(cut, ev, p_hat, _cov, _ALPHA, linear=False)
        stat = float(ev(p_hat[None, :])[0])
        for sign in rej:
            rej[sign] += bool(margin(P0[None, :], ev, stat, sign)[0] <= 0)
    se = np.sqrt(_ALPHA * (1 - _ALPHA) * (1 / len(est) + 1 / 2000))
    for sign, k in rej.items():
        assert abs(k / len(est) - _ALPHA) < 3 * se, (sign, k, len(est))
