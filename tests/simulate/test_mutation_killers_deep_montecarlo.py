"""ftheory.simulate.deep_linear.montecarlo: input validation, info records and the documented draws (written
against mutmut survivors). Draw order per instance: teachers, source data (finite source), target inputs and
noise, pretraining initialisation, scratch initialisation, gauge (balanced state only)."""
import math

import numpy as np
import pytest

from ftheory.simulate.data import gaussian_data, teachers
from ftheory.simulate.deep_linear import simulate_deep_linear, simulate_transfer
from ftheory.simulate.deep_linear.montecarlo import simulate_deep_finetune, simulate_deep_linear_transfer, \
    simulate_deep_scratch

TINY = dict(n=3, d=4, instances=2, seed=0, max_steps=2, pretrain_steps=2)


@pytest.mark.parametrize("kwargs,match", [
    (dict(d=1), r"^d=1 is invalid: transfer needs two teacher directions, expected d >= 2"),
    (dict(n=0), "^n="), (dict(theta=4.0), "^theta="), (dict(sigma=-1.0), "^sigma="), (dict(depth=1), "^depth="),
    (dict(lam=-1.0), "^lam="), (dict(norm_s=0.0), "^norm_s="), (dict(norm_t=0.0), "^norm_t="),
    (dict(sigma_s=-1.0), "^sigma_s="), (dict(gamma_s=-1.0), "^gamma_s="),
    (dict(gamma_s=0.1), r"^gamma_s=0.1 is invalid at d=\d+: n_s = round\(gamma_s d\) = 0, expected n_s >= 1"),
    (dict(alpha=0.0), "^alpha="), (dict(width=0), "^width="), (dict(instances=0), "^instances="),
    (dict(method="sgd"), "method"), (dict(seed=-1), "seed"), (dict(wd=-1.0), "^wd="),
    (dict(max_steps=-1), "^max_steps="), (dict(tol=-1.0), "^tol="), (dict(lr=0.0), "^lr="),
    (dict(pretrain_lr=-1.0), "^pretrain_lr="), (dict(pretrained="random"), "^pretrained='random' is invalid"),
])
def test_bad_input_names_the_parameter(kwargs, match):
    with pytest.raises(ValueError, match=match):
        simulate_transfer(**{**TINY, **kwargs})


def test_bad_procedure():
    with pytest.raises(ValueError, match=r"^procedure='xx' is invalid: expected one of 'sc', 'lt', 'ft'"):
        simulate_deep_linear("xx", **TINY)


def test_info_records_and_procedure_aliases():
    res = simulate_transfer(**TINY, gamma_s=1.0, sigma_s=0.1, lam=0.0, width=5, wd=0.0)
    base = {"n": 3, "d": 4, "theta": 0.0, "sigma": 0.0, "depth": 2, "width": 5, "alpha": 1e-5, "wd": 0.0,
            "method": "gd", "reduced": True, "lam": 0.0, "norm_s": 1.0, "norm_t": 1.0, "pretrained": "gd",
            "gamma_s": 1.0, "sigma_s": 0.1, "n_s": 4, "seed": 0}
    for key, proc in (("sc", "sc"), ("lt", "lt"), ("ft", "ft"), ("T_lt", "T_lt"), ("T_ft", "T_ft")):
        info = res[key].info
        for k, v in base.items():
            assert info[k] == v, (key, k)
        assert info["procedure"] == proc
    assert res["lt"].info["rcond"] == 1e-3 and res["lt"].info["rank"] is None
    assert "seed" not in simulate_deep_scratch(**{**TINY, "seed": np.random.default_rng(0)}).info
    for alias, fn in (("scratch", simulate_deep_scratch), ("linear_transfer", simulate_deep_linear_transfer),
                      ("finetune", simulate_deep_finetune), ("fine_tuning", simulate_deep_finetune)):
        np.testing.assert_array_equal(simulate_deep_linear(alias, **TINY).samples, fn(**TINY).samples)
    assert simulate_deep_finetune.__name__ == "simulate_deep_finetune"
    np.testing.assert_array_equal(res["T_lt"].samples, res["sc"].samples - res["lt"].samples)
    np.testing.assert_array_equal(res["T_ft"].samples, res["sc"].samples - res["ft"].samples)
    np.testing.assert_array_equal(res["T_ft"].converged, res["sc"].converged & res["ft"].converged)


@pytest.mark.parametrize("gamma_s,depth", [(None, 2), (2.0, 3)])
def test_balanced_linear_transfer_is_the_scalar_readout_on_the_source_fit(gamma_s, depth):
    n, d, theta, sigma, sigma_s = 5, 6, 0.7, 0.2, 0.3
    est = simulate_deep_linear("lt", n=n, d=d, theta=theta, sigma=sigma, depth=depth, gamma_s=gamma_s,
                               sigma_s=sigma_s, pretrained="balanced", instances=3, seed=4)
    for i, child in enumerate(np.random.SeedSequence(4).spawn(3)):
        rng = np.random.default_rng(child)
        t = teachers(d, theta, seed=rng)
        if gamma_s is not None:
            Xs, ys = gaussian_data(t.beta_s, round(gamma_s * d), sigma=sigma_s, seed=rng)
            f = np.linalg.pinv(Xs[0]) @ ys[0]
        else:
            f = t.beta_s[0]
        X, y = gaussian_data(t.beta_t, n, sigma=sigma, seed=rng)
        z = X[0] @ f
        b = (z @ y[0]) / (z @ z) * f
        assert est.samples[i] == pytest.approx(np.sum((b - t.beta_t[0]) ** 2), rel=1e-9)
    assert np.all(est.converged)
    np.testing.assert_array_equal(est.info["pretrain_steps"], 0)


def test_scratch_at_zero_steps_is_the_risk_of_the_documented_initialisation():
    res = simulate_deep_linear("sc", n=4, d=5, instances=2, seed=1, max_steps=0)
    # max_steps=0: the network is its initialisation, beta = W_1 W_2 with W_1 ~ alpha G/sqrt(d), W_2 ~ alpha g
    rng_risks = []
    for child in np.random.SeedSequence(1).spawn(2):
        rng = np.random.default_rng(child)
        t = teachers(5, 0.0, seed=rng)
        gaussian_data(t.beta_t, 4, seed=rng)
        for _ in range(2):  # pretraining initialisation, then the scratch one
            W1 = 1e-5 * rng.standard_normal((5, 5)) / math.sqrt(5)
            W2 = 1e-5 * rng.standard_normal((5, 1))
        rng_risks.append(np.sum(((W1 @ W2)[:, 0] - t.beta_t[0]) ** 2))
    np.testing.assert_allclose(res.samples, rng_risks, rtol=1e-12)
    np.testing.assert_array_equal(res.info["steps"], 0)
