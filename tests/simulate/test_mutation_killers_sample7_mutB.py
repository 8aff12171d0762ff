"""Written against the survivors of the seventh simulate mutmut sample (seed 20261208) in the ReLU
simulators, the sweeps and the task estimators, AFTER that sample's survivors were listed: in-sample.

Expected values are computed in the test, independently of the code under test: ReLU risks from the
closed-form arc-cosine kernel ``E[relu(u.x) relu(v.x)] = |u||v| (sin t + (pi - t) cos t) / (2 pi)``
(not :func:`ftheory.relu.kernel.gram`), the documented seed streams redrawn with NumPy, exact message
texts, means and flags recounted from the raw samples, the checkpoint key hashed from its documented
contents.
"""
import hashlib
import json
import math
import os
import re
import time
from decimal import Decimal

import numpy as np
import pytest

from ftheory.mc.estimate import MCEstimate
from ftheory.simulate.relu.network import ReluFunction, ReluNet, ReluTeacher, draw_teacher, init_student
from ftheory.simulate.relu.procedures import pretrain, train
from ftheory.simulate.relu.result import ReluTransferResult
from ftheory.simulate.sweeps import SweepResult, _run_dask, sweep

TINY = dict(d=3, m=4, m_star=2, instances=2)


# ---------------------------------------------------------------------------------------------------
# independent references
# ---------------------------------------------------------------------------------------------------
def _arccos(U, V):
    """``E[relu(u.x) relu(v.x)]`` for rows u of U, v of V, x ~ N(0, I): the closed form, elementwise."""
    U, V = np.asarray(U, float), np.asarray(V, float)
    nu, nv = np.linalg.norm(U, axis=1), np.linalg.norm(V, axis=1)
    cos = np.clip((U @ V.T) / np.outer(nu, nv), -1.0, 1.0)
    t = np.arccos(cos)
    return np.outer(nu, nv) * (np.sin(t) + (np.pi - t) * cos) / (2 * np.pi)


def _risk(Wf, cf, Wg, cg):
    """``E (sum_i cf_i relu(Wf_i.x) - sum_j cg_j relu(Wg_j.x))^2`` exactly."""
    return float(cf @ _arccos(Wf, Wf) @ cf - 2 * cf @ _arccos(Wf, Wg) @ cg + cg @ _arccos(Wg, Wg) @ cg)


def _unit(rng, shape):
    g = rng.standard_normal(shape)
    return g / np.linalg.norm(g, axis=-1, keepdims=True)


def _documented_streams(seed, instances):
    """The driver's documented seeds: one child per instance, each split into 6 streams."""
    return [[np.random.default_rng(s) for s in child.spawn(6)]
            for child in np.random.SeedSequence(seed).spawn(instances)]


def _tiny_result(I=2, M=2, N=2, seed=0):
    rng = np.random.default_rng(seed)
    teacher = draw_teacher(3, 2, instances=I, seed=seed)
    return ReluTransferResult(
        params={}, ns=np.array([4, 8]), mus=np.array([0.0, 0.5]), kept=np.array([2, 1]),
        norm_sq=rng.uniform(1, 2, I), scratch=rng.uniform(size=(I, N)),
        scratch_converged=np.ones((I, N), bool), scratch_loss=rng.uniform(size=(I, N)),
        lt=rng.uniform(size=(I, M, N)), lt_rank=np.ones((I, M, N), np.int64),
        pretrain_risk=rng.uniform(size=(I, M)), pretrain_converged=np.ones((I, M), bool),
        source_norm_sq=rng.uniform(size=(I, M)), teacher_outside=rng.uniform(size=(I, M)),
        student_outside=rng.uniform(size=(I, M)), pretrained_weights=rng.standard_normal((I, M, 4, 3)),
        pretrained_readout=rng.standard_normal((I, M, 4)), teacher=teacher)


# ---------------------------------------------------------------------------------------------------
# procedures: messages and the sample-size check
# ---------------------------------------------------------------------------------------------------
def test_pretrain_without_source_names_the_expected_type():
    net = init_student(3, 4, instances=1, seed=0)
    with pytest.raises(ValueError, match=r"^source must be a ReluFunction with the batch size and input "
                                         r"dimension of net$"):
        pretrain(net, None)


def test_train_refuses_zero_samples_and_names_plateau():
    net = init_student(3, 4, instances=2, seed=0)
    with pytest.raises(ValueError, match=r"^n=0 is invalid: expected at least one sample$"):
        train(net, np.zeros((2, 0, 3)), np.zeros((2, 0)))
    X, y = np.ones((2, 2, 3)), np.ones((2, 2))
    for bad, text in ((-1.0, "-1.0 is invalid"), (math.nan, r"nan is not a number \(NaN\)"), (True, "True is invalid")):
        with pytest.raises(ValueError, match=rf"^plateau={text}"):
            train(net, X, y, plateau=bad, steps=1)


# ---------------------------------------------------------------------------------------------------
# networks and diagnostics: float conversion of every weight argument
# ---------------------------------------------------------------------------------------------------
def test_relu_function_stores_float64_weights_and_coefficients():
    f = ReluFunction(np.ones((1, 2, 3), dtype=np.int64), np.array([[1, -2]], dtype=np.int64))
    assert f.weights.dtype == np.float64 and f.coef.dtype == np.float64
    g = ReluFunction([[[1.0, 0.0]]], [[Decimal("0.5")]])            # any real numbers: converted
    assert g.coef.dtype == np.float64
    assert g(np.array([[2.0, 7.0], [-1.0, 3.0]])).tolist() == [[1.0, 0.0]]


def test_kernel_alignment_accepts_real_weights_in_both_positions():
    from ftheory.simulate.relu.diagnostics import kernel_alignment
    rng = np.random.default_rng(3)
    W1, W2 = rng.standard_normal((3, 4)), rng.standard_normal((2, 4))
    w1, w2 = [Decimal("0.5"), Decimal("1"), Decimal("2")], [Decimal("1.5"), Decimal("0.25")]
    f1, f2 = np.array([0.5, 1.0, 2.0]), np.array([1.5, 0.25])
    c12 = f1 @ _arccos(W1, W2) ** 2 @ f2
    c11, c22 = f1 @ _arccos(W1, W1) ** 2 @ f1, f2 @ _arccos(W2, W2) ** 2 @ f2
    expected = c12 / math.sqrt(c11 * c22)
    assert kernel_alignment(W1, w1, W2, w2) == pytest.approx(expected, rel=1e-12)
    assert kernel_alignment(W2, w2, W1, w1) == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------------------------------------------
# ReluTransferResult
# ---------------------------------------------------------------------------------------------------
def test_transferability_defaults_to_relative_linear_transfer_and_estimate_names_quantities():
    res = _tiny_result()
    expected = (res.scratch[:, None, :] - res.lt) / res.norm_sq[:, None, None]
    assert np.array_equal(res.transferability(), expected)
    assert np.array_equal(res.transferability(relative=False), res.scratch[:, None, :] - res.lt)
    with pytest.raises(ValueError, match=r"^quantity='bogus' is invalid: expected scratch, lt, ft, T_lt or T_ft$"):
        res.estimate("bogus", mu=0.5, n=8)


# ---------------------------------------------------------------------------------------------------
# the driver
# ---------------------------------------------------------------------------------------------------
def test_scratch_driver_streams_zero_and_four_are_the_teacher_and_the_scratch_init():
    """With ``steps=0`` the scratch student is its initialisation: its exact risk against the teacher,
    both redrawn from the documented streams (0: teacher, 4: scratch weights then read-out)."""
    from ftheory.simulate.relu.driver import simulate_relu_scratch
    seed, scale = 5, 0.7
    out = simulate_relu_scratch([3], seed=seed, steps=0, readout_scale=scale, **TINY)
    m, m_star, d = TINY["m"], TINY["m_star"], TINY["d"]
    for i, s in enumerate(_documented_streams(seed, TINY["instances"])):
        Wt = _unit(s[0], (m_star, d))
        ct = s[0].standard_normal(m_star) / m_star
        W = _unit(s[4], (m, d))
        a = scale * s[4].standard_normal(m) / m
        assert out["norm_sq"][i] == pytest.approx(_risk(Wt, ct, Wt[:0], ct[:0]), rel=1e-12)
        assert out["scratch"][i, 0] == pytest.approx(_risk(W, a, Wt, ct), rel=1e-10, abs=1e-14)


def test_scratch_driver_messages_name_n():
    from ftheory.simulate.relu.driver import simulate_relu_scratch, simulate_relu_transfer
    for bad in (0, 1.5):
        with pytest.raises(ValueError, match=rf"^n={bad} is invalid: expected an integer >= 1$"):
            simulate_relu_scratch([4, bad], seed=0, **TINY)
        with pytest.raises(ValueError, match=rf"^n={bad} is invalid: expected an integer >= 1$"):
            simulate_relu_transfer([4, bad], [0.0], seed=0, **TINY)


def test_scratch_progress_labels_count_instances_from_one():
    from ftheory.simulate.relu.driver import simulate_relu_scratch
    said = []
    simulate_relu_scratch([3, 5], seed=0, steps=2, progress=said.append, **TINY)
    labels = sorted(msg.split(":")[0] for msg in said)
    assert labels == ["scratch n=3 instances 1-2", "scratch n=5 instances 1-2"]


def test_memory_check_message_states_both_sizes_in_gib():
    from ftheory.simulate.relu.driver import simulate_relu_scratch
    have = float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    n = int(have)                                     # 8 (d + 2) n bytes > the memory for any d
    need = 8.0 * 1 * n * (3 + 2)
    expected = (f"n={n} is too large: the target inputs of 1 instances need about {need / 2 ** 30:.3g} GiB "
                f"(instances x n x d floats), this machine has {have / 2 ** 30:.3g} GiB")
    with pytest.raises(ValueError) as err:
        simulate_relu_scratch([n], seed=0, d=3, m=2, m_star=1, instances=1)
    assert str(err.value) == expected


@pytest.fixture(scope="module")
def transfer_run(tmp_path_factory):
    """One tiny transfer run with a checkpoint folder and its progress lines, timed."""
    from ftheory.simulate.relu.driver import simulate_relu_transfer
    folder = tmp_path_factory.mktemp("ckpt")
    said = []
    t0 = time.perf_counter()
    res = simulate_relu_transfer([4, 6], [0.0, 0.5], seed=3, checkpoint=folder, progress=said.append,
                                 steps=2, pretrain_steps=3, pretrain_lr=1e3, **TINY)
    return res, said, folder, time.perf_counter() - t0


def test_transfer_params_record_every_setting_and_the_gd_statistics(transfer_run):
    from ftheory.simulate.relu.spec import ReluSpec
    res = transfer_run[0]
    stats = {"pretrain_halvings", "pretrain_steps_taken_max", "pretrain_plateaued", "scratch_steps_taken_max"}
    assert set(res.params) == set(ReluSpec.names()) | {"seed", "ns", "mus"} | stats
    assert all(type(res.params[k]) is int for k in stats)
    assert res.params["pretrain_halvings"] >= 1                 # lr = 1000 is refused at least once
    assert 0 <= res.params["pretrain_steps_taken_max"] <= 3 and res.params["pretrain_plateaued"] == 0
    assert 0 <= res.params["scratch_steps_taken_max"] <= 2
    assert (res.params["seed"], res.params["ns"], res.params["mus"]) == (3, [4, 6], [0.0, 0.5])


def test_transfer_checkpoint_folder_is_keyed_by_spec_grids_and_seed(transfer_run):
    from ftheory.simulate.relu.spec import ReluSpec
    _, _, folder, _ = transfer_run
    spec = ReluSpec(steps=2, pretrain_steps=3, pretrain_lr=1e3, **TINY)
    data = {"spec": spec.as_dict(), "ns": [4, 6], "mus": [0.0, 0.5], "seed": 3}
    key = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]
    assert os.listdir(folder) == [key]
    assert {"n_4.npz", "n_6.npz"} <= set(os.listdir(folder / key))


def test_transfer_progress_reports_each_stage_wall_time(transfer_run):
    _, said, _, elapsed = transfer_run
    stages = [s for s in said if s.startswith(("pretraining pairs", "scratch n="))]
    assert any(s.startswith("pretraining pairs 1-4 of 4: max ") for s in stages)
    for s in stages:
        seconds = int(re.fullmatch(r".*: max \d+ steps, (\d+) s", s).group(1))
        assert 0 <= seconds <= elapsed + 1


def test_finetuning_freezes_an_instance_converged_at_the_start():
    """``tol`` so large that every fine-tuning starts converged: with early stopping (as documented for the
    target gradient descent) the fine-tuned network is the pretrained one, so its exact risk is the
    pretrained student's, recomputed here from the returned weights."""
    from ftheory.simulate.relu.driver import simulate_relu_transfer
    res = simulate_relu_transfer([5], [0.5], seed=2, steps=3, pretrain_steps=3, finetune=True, tol=1e6,
                                 ft_lr=0.5, **TINY)
    m, m_star = TINY["m"], TINY["m_star"]
    for i in range(TINY["instances"]):
        expected = _risk(res.pretrained_weights[i, 0], res.pretrained_readout[i, 0] / m,
                         res.teacher.weights[i], res.teacher.coef[i] / m_star)
        assert res.ft[i, 0, 0] == pytest.approx(expected, rel=1e-10, abs=1e-14)
        assert res.ft_converged[i, 0, 0]


# ---------------------------------------------------------------------------------------------------
# sweeps
# ---------------------------------------------------------------------------------------------------
def _flagged(a, instances=3, seed=None):
    """A deterministic simulator: samples a, 2a, 3a, ...; instance 1 flagged not converged."""
    samples = a * np.arange(1.0, instances + 1)
    conv = np.arange(instances) != 1
    return MCEstimate(samples, conv, {"a": a})


def test_sweep_records_flags_and_exports_them_to_pandas_and_xarray():
    res = sweep(_flagged, {"a": [1.0, 2.0]}, instances=3, seed=11, progress=False)
    assert res.records[0]["quantities"]["risk"]["converged"] == [True, False, True]
    assert res.estimate("risk", a=2.0).converged.tolist() == [True, False, True]
    frame = res.to_pandas()
    assert list(frame["a"]) == [1.0, 2.0] and list(frame["quantity"]) == ["risk", "risk"]
    assert list(frame["converged"]) == [2, 2] and list(frame["instances"]) == [3, 3]
    for a, row in zip((1.0, 2.0), frame.itertuples()):
        samples = np.array([a, 2 * a, 3 * a])            # every instance, flagged or not
        assert row.mean == pytest.approx(samples.mean(), rel=1e-15)
        assert row.std == pytest.approx(samples.std(ddof=1), rel=1e-15)
    ds = res.to_xarray()
    assert ds.attrs["seed"] == 11 and ds.attrs["instances"] == 3
    assert ds["converged"].sel(quantity="risk").values.tolist() == [2.0, 2.0]


_CALLS = []


def _count_call(x):
    """Impure on purpose: records each call (an in-process Dask worker shares this module)."""
    _CALLS.append(x)
    return x * x


def test_run_dask_finishes_every_call_on_a_given_client_and_repeats_identical_calls():
    """``run_tasks`` is ``[fn(*args) for args in tasks]``: two identical tasks are two calls (Dask's
    ``pure=True`` default would merge them into one task with one shared result)."""
    distributed = pytest.importorskip("distributed")
    client = distributed.Client(processes=False, n_workers=1, threads_per_worker=1,
                                dashboard_address=":0")   # any free port: 8787 may be taken
    try:
        got = {}
        _run_dask(pow, [(2, 3), (3, 2), (5, 1)], client, None, got.__setitem__)
        _CALLS.clear()
        twice = {}
        _run_dask(_count_call, [(3,), (3,)], client, None, twice.__setitem__)
    finally:
        client.close()
    assert got == {0: 8, 1: 9, 2: 5}
    assert twice == {0: 9, 1: 9} and _CALLS == [3, 3]


# ---------------------------------------------------------------------------------------------------
# whole message contracts (exact texts: a lower-cased or "XX"-wrapped message is a different message)
# ---------------------------------------------------------------------------------------------------
def _nd(n, d, instances=1, seed=None):
    """A simulator taking n and d (so a sweep may give it gamma)."""
    return MCEstimate(np.full(instances, float(n) / d))


def test_sweep_messages_are_exact(tmp_path):
    from ftheory.simulate.sweeps import check_call, use_executor

    def raises(text, fn, *args, **kw):
        with pytest.raises(ValueError) as err:
            fn(*args, **kw)
        assert str(err.value) == text

    ok = dict(instances=1, seed=0, progress=False)
    raises("fn=3 is not callable", sweep, 3, {"n": [1]}, **ok)
    raises("grid={} is invalid: expected a non-empty dict name -> values", sweep, _nd, {}, **ok)
    raises("executor='gpu' is invalid: expected one of serial, processes, dask", sweep, _nd, {"n": [1]},
           fixed={"d": 2}, executor="gpu", **ok)
    raises("instances=0 is invalid: expected an integer >= 1", sweep, _nd, {"n": [1]}, instances=0, seed=0)
    raises("seed=-1 is invalid: expected an integer >= 0", sweep, _nd, {"n": [1]}, instances=1, seed=-1)
    raises("parameter 'd' is both swept and fixed", sweep, _nd, {"n": [1], "d": [2]}, fixed={"d": 2}, **ok)
    raises("_nd: give n or gamma (n = round(gamma d)), not both", sweep, _nd, {"gamma": [0.5]},
           fixed={"n": 2, "d": 4}, **ok)
    raises("_nd: gamma needs d (n = round(gamma d)); give d in the grid or as a fixed value", sweep, _nd,
           {"gamma": [0.5]}, **ok)
    raises("_nd has no parameter 'q'; its parameters are n, d", check_call, _nd, ["n", "d", "q"])
    raises("_nd needs 'd' (give it in the grid or as a fixed value); its parameters are n, d", check_call, _nd,
           ["n"])
    raises("_unseeded takes no 'seed': it cannot be swept", check_call, _unseeded, ["a"])
    check_call(_strict, ["a"])                  # instances and seed are supplied by the sweep, never missing
    raises("grid['n'] is empty", sweep, _nd, {"n": []}, fixed={"d": 2}, **ok)
    raises("grid=400x400x1 has 160000 points: expected at most 100000 (split the sweep)", sweep, _nd,
           {"n": list(range(1, 401)), "d": list(range(1, 401)), "instances": [1]}, seed=0, progress=False)
    afile = tmp_path / "afile"
    afile.write_text("")
    raises(f"store={str(afile)!r} is invalid: expected a writable folder (it is a file)", sweep, _nd, {"n": [1]},
           fixed={"d": 2}, store=str(afile), **ok)
    res = sweep(_nd, {"n": [2]}, fixed={"d": 4}, **ok)
    raises("no grid point {'n': 3} in this sweep", res.estimate, "risk", n=3)
    raises("executor='gpu' is invalid: expected one of serial, processes, dask", use_executor("gpu").__enter__)
    raises("scheduler='tcp://x:1' needs executor='dask', got executor='serial'",
           use_executor("serial", scheduler="tcp://x:1").__enter__)


def _unseeded(a, instances=1):
    return MCEstimate(np.zeros(instances))


def _strict(a, instances, seed):
    return MCEstimate(np.zeros(instances))


def test_relu_result_and_procedure_messages_are_exact():
    def raises(text, fn, *args, **kw):
        with pytest.raises(ValueError) as err:
            fn(*args, **kw)
        assert str(err.value) == text

    res = _tiny_result()
    raises("method='LT' is invalid: expected 'lt' or 'ft'", res.transferability, "LT")
    raises("fine-tuning was not simulated (finetune=False)", res.transferability, "ft")
    raises("fine-tuning was not simulated (finetune=False)", res.estimate, "ft", mu=0.5, n=8)
    # (the grid is printed as list(ndarray): NumPy 2 shows np.int64(4); only the fixed parts are pinned)
    with pytest.raises(ValueError, match=r"^n=5(\.0)? is not on the grid \[.*4.*8.*\]$"):
        res.estimate("scratch", n=5)
    with pytest.raises(ValueError, match=r"^mu='x' is invalid: expected a value of the grid \[.*0\.5.*\]$"):
        res.estimate("lt", mu="x", n=4)
    net = init_student(3, 4, instances=2, seed=0)
    raises("X has shape (2, 5, 2); expected (2, n, 3)", train, net, np.ones((2, 5, 2)), np.ones((2, 5)))
    raises("y has shape (2, 4); expected (2, 5)", train, net, np.ones((2, 5, 3)), np.ones((2, 4)))
    raises("plateau > 0 needs the target network (target=...) whose risk it watches", train, net,
           np.ones((2, 5, 3)), np.ones((2, 5)), plateau=0.1)
    raises("target must be a ReluFunction with the batch size and input dimension of net", train, net,
           np.ones((2, 5, 3)), np.ones((2, 5)), target=draw_teacher(2, 2, instances=2, seed=0).target)
    raises("net=3 is invalid: expected a ReluNet", train, 3, np.ones((2, 5, 3)), np.ones((2, 5)))
    raises("weights (2, 3) / coef (2,): expected (B, p, d) and (B, p)", ReluFunction, np.ones((2, 3)), np.ones(2))
    raises("weights (1, 2, 3) / readout (1, 3): expected (B, m, d) and (B, m)", ReluNet, np.ones((1, 2, 3)),
           np.ones((1, 3)))
    f, g = ReluFunction(np.ones((1, 2, 3)), np.ones((1, 2))), ReluFunction(np.ones((2, 2, 3)), np.ones((2, 2)))
    from ftheory.simulate.relu.network import risk
    raises("f has shape (1, 2, 3), g (2, 2, 3): batch sizes and input dimensions must agree", risk, f, g)


def test_kernel_outside_fraction_message_is_exact():
    from ftheory.simulate.relu.diagnostics import kernel_outside_fraction
    for W, w in ((np.ones(3), [1.0]), (np.ones((2, 3)), [1.0]), (np.ones((2, 3)), [1.0, -1.0])):
        with pytest.raises(ValueError) as err:
            kernel_outside_fraction(W, w, np.ones((1, 3)))
        assert str(err.value) == "W must be (p, d) and weights a non-negative (p,) array"


def test_train_and_pretrain_defaults_reach_gradient_descent():
    """The documented defaults (lr 1, steps 1000, tol and grad_tol 1e-8, plateau 0) as recorded in the
    result's ``info``; the targets are the student itself, so both stop at once (zero loss)."""
    net = init_student(3, 4, instances=2, seed=0)
    X = np.random.default_rng(1).standard_normal((2, 5, 3))
    defaults = {"lr": 1.0, "max_steps": 1000, "tol": 1e-8, "grad_tol": 1e-8, "plateau": 0.0}
    res = train(net, X, net(X))
    assert res.info == defaults and res.steps.tolist() == [0, 0] and res.converged.all()
    pre = pretrain(net, net.function)
    assert pre.info == defaults and pre.steps.tolist() == [0, 0] and pre.converged.all()


def test_sweep_store_keys_are_the_documented_hash_and_name_the_simulator(tmp_path):
    """Store files: ``sha256(json({f, point, fixed, instances, seed}))[:24] + ".json"``; a different
    simulator on the same grid and store must not load the first one's points."""
    res = sweep(_nd, {"n": [2, 6]}, fixed={"d": 4}, instances=2, seed=7, store=str(tmp_path), progress=False)
    names = set()
    for n in (2, 6):
        payload = json.dumps({"f": f"{_nd.__module__}._nd", "point": {"n": n}, "fixed": {"d": 4},
                              "instances": 2, "seed": 7}, sort_keys=True, default=str)
        names.add(hashlib.sha256(payload.encode()).hexdigest()[:24] + ".json")
    assert set(os.listdir(tmp_path)) == names
    other = sweep(_nd_twice, {"n": [2, 6]}, fixed={"d": 4}, instances=2, seed=7, store=str(tmp_path),
                  progress=False)
    assert (other.computed, other.loaded) == (2, 0)
    assert other.estimate(n=6).samples.tolist() == [3.0, 3.0] and res.estimate(n=6).samples.tolist() == [1.5, 1.5]
    assert res.instances == 2 and other.instances == 2


def _nd_twice(n, d, instances=1, seed=None):
    return MCEstimate(np.full(instances, 2.0 * n / d))


def test_gamma_sweep_xarray_carries_integer_n_coordinate():
    res = sweep(_nd, {"gamma": [0.5, 1.5]}, fixed={"d": 4}, instances=2, seed=0, progress=False)
    ds = res.to_xarray()
    assert ds.coords["n"].dtype.kind == "i"
    assert ds.coords["n"].values.tolist() == [round(0.5 * 4), round(1.5 * 4)]
    assert ds.coords["gamma"].values.tolist() == [0.5, 1.5]


def test_relu_transferability_estimates_carry_every_convergence_flag():
    res = _tiny_result()
    res.scratch_converged = np.array([[True, True], [True, False]])
    res.pretrain_converged = np.array([[True, False], [True, True]])
    res.ft = res.lt + 0.25
    res.ft_converged = np.ones((2, 2, 2), bool)
    res.ft_converged[0, 0, 0] = False
    lt = res.estimate("T_lt", mu=0.0, n=4)
    assert lt.converged.tolist() == [True, True]
    assert res.estimate("T_lt", mu=0.5, n=8).converged.tolist() == [False, False]
    assert res.estimate("T_lt", mu=0.0, n=8).converged.tolist() == [True, False]
    assert res.estimate("T_ft", mu=0.0, n=4).converged.tolist() == [False, True]
    assert np.array_equal(res.estimate("T_ft", mu=0.0, n=4).samples, res.scratch[:, 0] - res.ft[:, 0, 0])


def test_kernel_outside_fraction_accepts_real_weights_and_matches_the_projection():
    """Against the projection computed here: ``||P^perp relu(w.)||^2 = |w|^2/2 - k^T G^+ k`` with the
    closed-form arc-cosine Gram matrix ``G`` of the basis and ``k`` its products with the feature."""
    from ftheory.simulate.relu.diagnostics import kernel_outside_fraction
    rng = np.random.default_rng(4)
    B = rng.standard_normal((2, 4))
    W = np.vstack([B[:1], rng.standard_normal((2, 4))])        # the first feature lies in the span
    weights = [Decimal("2"), Decimal("0.5"), Decimal("1")]
    wf = np.array([2.0, 0.5, 1.0])
    diag = 0.5 * np.sum(W * W, axis=1)
    K = _arccos(B, W)
    outside = diag - np.sum(K * (np.linalg.pinv(_arccos(B, B)) @ K), axis=0)
    assert abs(outside[0]) < 1e-12 * diag[0]
    expected = float(wf @ outside) / float(wf @ diag)
    assert kernel_outside_fraction(W, weights, B) == pytest.approx(expected, rel=1e-10)


def test_sweep_progress_bar_and_unwritable_store_texts(tmp_path, capsys):
    sweep(_nd, {"n": [2], "d": [4]}, instances=1, seed=0)                 # progress=True by default
    err = capsys.readouterr().err
    assert "_nd: 100%" in err and "1/1" in err and "pt/s" in err and "n=2, d=4" in err
    afile = tmp_path / "afile"
    afile.write_text("")
    with pytest.raises(ValueError) as exc:
        sweep(_nd, {"n": [1]}, fixed={"d": 2}, instances=1, seed=0, store=str(afile / "sub"), progress=False)
    import errno
    why = os.strerror(errno.ENOTDIR)                      # "Not a directory": the OS's text, no errno prefix
    assert str(exc.value) == f"store={str(afile / 'sub')!r} is invalid: expected a writable folder ({why})"



# ---------------------------------------------------------------------------------------------------
# batch 4 (mutants that had timed out under load)
# ---------------------------------------------------------------------------------------------------
def test_kept_count_names_m_star():
    from ftheory.simulate.relu.spec import kept_count
    with pytest.raises(ValueError) as err:
        kept_count(0, 0.5)
    assert str(err.value) == "m_star=0 is invalid: expected an integer >= 1"


def test_gd_overflowing_step_is_undone_silently():
    """A step size so large that the trial step overflows: the step is undone and lr halved, with no
    floating-point warning escaping (the trial evaluation is allowed to overflow)."""
    import warnings
    net = init_student(3, 4, instances=1, seed=0)
    X = np.random.default_rng(1).standard_normal((1, 5, 3))
    y = np.random.default_rng(2).standard_normal((1, 5))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = train(net, X, y, lr=1e300, steps=3, grad_tol=0.0, tol=0.0)
    assert res.halvings.tolist() == [3] and res.steps.tolist() == [0]
    assert np.array_equal(res.net.weights, net.weights) and np.array_equal(res.net.readout, net.readout)


def test_gd_accepts_steps_within_rounding_at_zero_loss():
    """At an exact fit (targets = the student, loss ~ 0) with tol = grad_tol = 0 and no early stop, every step
    changes the loss by rounding only: all are accepted (none halved, nothing diverges)."""
    net = init_student(3, 4, instances=2, seed=0)
    X = np.random.default_rng(1).standard_normal((2, 5, 3))
    res = train(net, X, net(X), tol=0.0, grad_tol=0.0, early_stop=False, steps=50)
    assert res.halvings.tolist() == [0, 0] and res.steps.tolist() == [50, 50]
    assert not res.diverged.any()


def test_gd_gradient_criterion_includes_its_boundary():
    """Every neuron dead on the data: the gradient is exactly 0 while the loss is mean y^2 > 0; with
    grad_tol = 0 the criterion ``|g| <= 0`` holds at once, so no step is taken."""
    W = np.tile(np.array([1.0, 0.0, 0.0]), (1, 4, 1))
    net = ReluNet(W, np.ones((1, 4)))
    X = np.random.default_rng(1).standard_normal((1, 5, 3))
    X[..., 0] = -np.abs(X[..., 0]) - 0.1                   # w . x < 0 for every sample
    y = np.ones((1, 5))
    res = train(net, X, y, grad_tol=0.0, steps=20)
    assert res.steps.tolist() == [0] and res.converged.tolist() == [True] and res.grad_norm.tolist() == [0.0]


def test_empirical_loss_gradient_uses_zero_slope_at_the_kink():
    """relu'(0) = 0: a neuron exactly orthogonal to a sample gets no gradient from it (here computed
    term by term)."""
    from ftheory.simulate.relu.objectives import EmpiricalLoss
    W = np.array([[[1.0, 0.0], [0.0, 1.0]]])
    a = np.array([[2.0, -1.0]])
    X = np.array([[[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]])     # samples on the kink of one neuron each
    y = np.array([[0.5, -0.5, 1.0]])
    loss, ga, gw = EmpiricalLoss(X, y)(W, a)
    n, m = 3, 2
    pre = X[0] @ W[0].T
    r = np.maximum(pre, 0) @ a[0] / m - y[0]
    exp_gw = np.zeros((m, 2))
    for i in range(m):
        for k in range(n):
            if pre[k, i] > 0:
                exp_gw[i] += (2.0 / n) * a[0, i] * r[k] * X[0, k]
    assert loss[0] == pytest.approx(np.mean(r * r), rel=1e-15)
    assert np.allclose(gw[0], exp_gw, rtol=0, atol=1e-15)


def test_sweep_store_writes_beside_its_files_whatever_the_temp_dir(tmp_path, monkeypatch):
    """The atomic write's temporary file is made in the store folder itself (same filesystem, so the
    rename is atomic): an unusable system temp directory does not matter."""
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-dir"))
    store = tmp_path / "store"
    res = sweep(_nd, {"n": [2]}, fixed={"d": 4}, instances=1, seed=0, store=str(store), progress=False)
    assert res.computed == 1 and len(os.listdir(store)) == 1 and os.listdir(store)[0].endswith(".json")


def test_finetuning_plateau_rule_watches_the_target_risk():
    """Fine-tuning with the plateau rule on: it must stop on the exact risk against the target (as
    ``train(..., plateau=p, target=f_t)`` does from the pretrained student), not on the training loss."""
    from ftheory.simulate.relu.driver import simulate_relu_transfer
    kw = dict(steps=3, pretrain_steps=3, finetune=True, ft_steps=400, ft_lr=1.0, tol=0.0, grad_tol=0.0,
              plateau=0.3, **TINY)
    res = simulate_relu_transfer([4], [0.5], seed=2, **kw)
    X = np.stack([s[2].standard_normal((4, TINY["d"])) for s in _documented_streams(2, TINY["instances"])])
    teacher = res.teacher
    y = teacher.target(X)                                            # sigma = 0
    net = ReluNet(res.pretrained_weights[:, 0], res.pretrained_readout[:, 0])
    ref = train(net, X, y, lr=1.0, steps=400, tol=0.0, grad_tol=0.0, plateau=0.3, target=teacher.target)
    assert ref.plateaued.any()                                       # the rule acts in this setting
    m, m_star = TINY["m"], TINY["m_star"]
    for i in range(TINY["instances"]):
        expected = _risk(ref.net.weights[i], ref.net.readout[i] / m, teacher.weights[i], teacher.coef[i] / m_star)
        assert res.ft[i, 0, 0] == pytest.approx(expected, rel=1e-9, abs=1e-14)


def _weighted(n, w, instances=1, seed=None):
    return MCEstimate(np.full(instances, n * float(np.sum(w))))


def test_sweep_store_refuses_values_json_cannot_hold_before_computing(tmp_path):
    """A stored point records its parameters as JSON: a value JSON cannot hold is refused up front with a ValueError
    naming it (it used to fail with a TypeError after computing the point, leaving a temporary file); without a
    store such values still run. NumPy arrays are stored as lists (trial22): the point of the list run."""
    with pytest.raises(ValueError) as err:
        sweep(_weighted, {"n": [2]}, fixed={"w": {1.0, 2.0}}, instances=1, seed=0, store=str(tmp_path),
              progress=False)
    assert str(err.value) == ("w={1.0, 2.0} is invalid with store=: a stored point records its parameters as "
                              "JSON (numbers, strings, booleans, None, lists of them, NumPy arrays)")
    assert os.listdir(tmp_path) == []
    res = sweep(_weighted, {"n": [2]}, fixed={"w": np.array([1.0, 2.0])}, instances=1, seed=0, progress=False)
    assert res.estimate(n=2).samples.tolist() == [6.0]
    ok = sweep(_weighted, {"n": [2]}, fixed={"w": np.array([1.0, 2.0])}, instances=1, seed=0, store=str(tmp_path),
               progress=False)
    assert ok.computed == 1 and len(os.listdir(tmp_path)) == 1 and ok.estimate(n=2).samples.tolist() == [6.0]
    again = sweep(_weighted, {"n": [2]}, fixed={"w": [1.0, 2.0]}, instances=1, seed=0, store=str(tmp_path),
                  progress=False)
    assert (again.loaded, again.computed) == (1, 0)
