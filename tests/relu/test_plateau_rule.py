"""The plateau rule of the ReLU gradient descent does not stop scratch training early (docs/performance.md,
ReLU section: the paper-scale exponent nu = 0.40 is not a stopping artefact)."""
import numpy as np
import pytest

from ftheory.simulate.relu import draw_teacher, init_student, risk, train


@pytest.mark.slow
def test_plateau_stop_is_within_a_percent_of_the_converged_risk():
    # the paper's ratios m* = d, m = 10 d at d = 20, n = 16 d (between the degree-1 and degree-2 steps,
    # where the paper-scale runs stop on the plateau rule); the limit: plain GD to a training loss of
    # 1e-12 of mean y^2 (the risk then no longer moves: measured at d = 100, n = 800, 0.04 %)
    d, m, n, B = 20, 200, 320, 3
    rng = np.random.default_rng(11)
    teacher = draw_teacher(d, d, instances=B, seed=rng)
    net0 = init_student(d, m, instances=B, seed=rng)
    X = rng.standard_normal((B, n, d))
    y = teacher.target(X)
    rule = train(net0, X, y, lr=1.0, steps=20000, plateau=0.02, target=teacher.target)
    full = train(net0, X, y, lr=1.0, steps=20000, tol=1e-12, grad_tol=0.0)
    assert rule.plateaued.all() and full.converged.all() and not full.plateaued.any()
    assert (full.steps > rule.steps).all()                # the limit ran on (about 2-3x as long, measured)
    r_rule, r_full = risk(rule.net.function, teacher.target), risk(full.net.function, teacher.target)
    # measured: 0.02-0.2 %; the rule promises < 2^0.02 - 1 = 1.4 % per further doubling at the stopping rate; allow 2 %
    np.testing.assert_array_less(np.abs(r_rule / r_full - 1), 0.02)
