"""The last non-equivalent survivors of the second simulate mutmut run (docs/testing.md): the flow's
integration time, step count and frozen null-space norm, the width-1 Gram kernel's ``lr * wd < 1``
boundary, the ReLU target noise, the paired fine-tuning info records and the Dask connect timeout.
Each expected value is computed in the test (solver step arithmetic, the analytic gradient of the
penalised objective, the noise stream redrawn from the documented seed split)."""
import math

import numpy as np
import pytest

from ftheory.simulate.deep_linear import DeepLinearNet, pretrained_state, train


def test_flow_reports_the_integration_time_and_the_accepted_solver_steps():
    """Horizon ``lr * max_steps = 1`` with no stopping event (tol = grad_tol = 0): the flow integrates to
    t = 1 exactly; with ``first_step = max_step = 1/8`` and a loose tolerance every DOP853 step is accepted
    at the cap, so there are exactly 8 (powers of two: the step times are exact in binary)."""
    rng = np.random.default_rng(0)
    net = DeepLinearNet((0.3 * rng.standard_normal((1, 4, 3)), 0.3 * rng.standard_normal((1, 3, 1))))
    beta_s = rng.standard_normal((1, 4))
    opts = {"first_step": 1 / 8, "max_step": 1 / 8, "rtol": 1e-3, "atol": 1e-6}
    res = train(net, beta_s=beta_s, lr=1 / 8, max_steps=8, tol=0.0, grad_tol=0.0, method="flow", reduced=False,
                flow_options=opts)
    np.testing.assert_array_equal(res.time, [1.0])
    np.testing.assert_array_equal(res.steps, [8])
    half = train(net, beta_s=beta_s, lr=1 / 16, max_steps=8, tol=0.0, grad_tol=0.0, method="flow", reduced=False,
                 flow_options=opts)
    np.testing.assert_array_equal(half.time, [0.5])
    np.testing.assert_array_equal(half.steps, [4])


@pytest.mark.parametrize("reduced", [True, False])
def test_flow_gradient_norm_includes_the_decayed_null_space_part(reduced):
    """n < d with weight decay: the reduced flow keeps W_1's null-space part frozen up to the factor
    exp(-wd t) and adds its penalty and gradient analytically (c0f). The reported gradient norm must
    equal the norm of the gradient of (1/n)||y - X W1 w||^2 + (wd/2)(||W1||^2 + ||w||^2), computed here
    at the returned weights (relative 1e-9: float64 rounding of O(1) quantities, the solve_ivp tolerances
    do not enter because both sides use the same final weights)."""
    rng = np.random.default_rng(0)
    n, d, m, wd = 3, 6, 4, 0.3
    X, y = rng.standard_normal((1, n, d)), rng.standard_normal((1, n))
    net = DeepLinearNet((0.5 * rng.standard_normal((1, d, m)), 0.5 * rng.standard_normal((1, m, 1))))
    res = train(net, X=X, y=y, lr=0.05, max_steps=40, tol=0.0, grad_tol=0.0, wd=wd, method="flow", reduced=reduced)
    W1, w = res.net.weights[0][0], res.net.weights[1][0, :, 0]
    G = -(2 / n) * X[0].T @ (y[0] - X[0] @ (W1 @ w))
    g1, g2 = np.outer(G, w) + wd * W1, W1.T @ G + wd * w
    expected = math.sqrt(np.sum(g1 ** 2) + np.sum(g2 ** 2))
    assert res.grad_norm[0] == pytest.approx(expected, rel=1e-9)
    np.testing.assert_array_equal(res.time, [2.0])
    # the null-space part of W_1 did decay by exp(-wd t) (so the c0f term is not negligible here)
    Q = np.linalg.qr(X[0].T)[0]
    null0 = net.weights[0][0] - Q @ (Q.T @ net.weights[0][0])
    null1 = W1 - Q @ (Q.T @ W1)
    np.testing.assert_allclose(null1, math.exp(-wd * 2.0) * null0, rtol=1e-6, atol=1e-12)
    assert wd * wd * np.sum(null1 ** 2) > 1e-3 * expected ** 2


def test_width1_gram_kernel_refuses_lr_times_wd_equal_to_one():
    rng = np.random.default_rng(3)
    n, d = 10, 100
    X, y = rng.standard_normal((1, n, d)), rng.standard_normal((1, n))
    net = pretrained_state(rng.standard_normal((1, d)) / 10, depth=2, seed=1)
    ok = train(net, X=X, y=y, lr=0.5, wd=1.5, max_steps=2)
    assert ok.path == "reduced-width1-gram"
    with pytest.raises(ValueError, match=r"^wd=2\.0 is invalid with lr=0\.5: expected lr \* wd < 1"):
        train(net, X=X, y=y, lr=0.5, wd=2.0, max_steps=2)


@pytest.mark.parametrize("sigma", [0.0, 0.7])
def test_relu_target_labels_are_teacher_plus_sigma_times_stream_three(sigma):
    """Per instance the driver splits its child seed into 6 streams; (2) gives the inputs, (3) the noise."""
    from ftheory.simulate.relu.driver import _draw
    from ftheory.simulate.relu.spec import ReluSpec

    spec = ReluSpec(d=3, m=4, m_star=2, sigma=sigma, instances=2)
    children = np.random.SeedSequence(5).spawn(2)
    streams = [[np.random.default_rng(s) for s in c.spawn(6)] for c in children]
    teacher, _, _, X_all, y_all = _draw(spec, streams, 7)
    for i, c in enumerate(np.random.SeedSequence(5).spawn(2)):      # the same children, not yet spawned from
        fresh = [np.random.default_rng(s) for s in c.spawn(6)]
        np.testing.assert_array_equal(X_all[i], fresh[2].standard_normal((7, 3)))
        noise = fresh[3].standard_normal(7)
        # y - f_t(X) = sigma * noise up to the rounding of the sum (|f_t| ~ 1): absolute 1e-13
        np.testing.assert_allclose(y_all[i] - teacher.target(X_all)[i], sigma * noise, rtol=0, atol=1e-13)


def test_finetune_paired_info_records_are_complete_on_every_quantity():
    from ftheory.simulate.paired import simulate_finetune_paired

    n, d, theta, sigma = 4, 8, 0.6, 0.25
    res = simulate_finetune_paired(n, d, theta, sigma, instances=2, seed=3, max_steps=400)
    assert set(res) == {"T_ft", "T_lt", "gap_paper", "gap_cmodel", "gd_minus_gf", "c_gd", "c_model"}
    for key, est in res.items():
        info = dict(est.info)
        steps_ft, steps_sc = info.pop("max_steps_ft"), info.pop("max_steps_sc")
        assert info == {"n": n, "d": d, "theta": theta, "sigma": sigma}, key
        assert isinstance(steps_ft, int) and isinstance(steps_sc, int) and 0 < steps_ft <= 400 and 0 < steps_sc <= 400


def test_dask_connect_gives_up_after_twenty_seconds(monkeypatch, tmp_path):
    """A scheduler must answer within 20 s (not distributed's longer default): the identity probe and the
    Client both get the 20 s limit, for an address and for a scheduler file, and a timeout becomes a one-line
    ValueError naming the scheduler. No network: the probe and the Client are stand-ins (a real unroutable
    address is answered by some sandboxes' proxies)."""
    import asyncio

    import distributed

    from ftheory.simulate import dask_connect
    from ftheory.simulate.sweeps import _connect

    probes, calls = [], []

    async def fake_identity(address, seconds):
        probes.append((address, seconds))
        return {"type": "Scheduler"}

    def fake_client(*args, **kwargs):
        calls.append((args, kwargs))
        raise TimeoutError("no scheduler")

    monkeypatch.setattr(dask_connect, "_identity", fake_identity)
    monkeypatch.setattr(distributed, "Client", fake_client)
    with pytest.raises(ValueError, match=r"^scheduler='tcp://10\.255\.255\.1:8786' is unreachable: no scheduler"):
        _connect("tcp://10.255.255.1:8786")
    sched = tmp_path / "sched.json"
    sched.write_text('{"address": "tcp://10.255.255.1:8786"}')
    with pytest.raises(ValueError, match="is unreachable"):
        _connect(str(sched))
    assert probes == [("tcp://10.255.255.1:8786", 20.0)] * 2
    assert calls == [(("tcp://10.255.255.1:8786",), {"timeout": "20s"})] * 2

    async def silent(address, seconds):
        await asyncio.sleep(30)

    monkeypatch.setattr(dask_connect, "_identity", silent)
    with pytest.raises(ValueError, match=r"^scheduler='tcp://h:1' is unreachable or not a dask scheduler: "
                                         r"no answer within 0\.2 s"):
        dask_connect.connect("tcp://h:1", seconds=0.2)
