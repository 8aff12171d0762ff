"""ReluSpec and its validators: every setting is checked, converted and named (written against mutmut survivors)."""
import math

import numpy as np
import pytest

from ftheory.simulate.relu.spec import RELU_SCALES, ReluSpec, check_grid, check_mu, check_rcond, check_source, \
    kept_count


def test_defaults_are_the_declared_ones_and_round_trip():
    spec = ReluSpec()
    assert spec.as_dict() == {
        "d": 100, "m": 1000, "m_star": 100, "sigma": 0.0, "instances": 4, "lr": 1.0, "steps": 20000, "tol": 1e-8,
        "grad_tol": 1e-8, "pretrain_lr": 1.0, "pretrain_steps": 20000, "pretrain_tol": 1e-2,
        "pretrain_grad_tol": 1e-10, "pretrain_early_stop": False, "source": "population", "rcond": 1e-6,
        "readout_scale": 1.0, "finetune": False, "ft_lr": None, "ft_steps": None, "keep_init": False,
        "plateau": 0.0, "dtype": "float64"}
    assert ReluSpec.names() == tuple(spec.as_dict())
    assert ReluSpec.from_settings(spec.as_dict()) == spec
    assert ReluSpec.from_settings(spec) is spec
    assert ReluSpec.from_settings(None, d=7).d == 7
    assert ReluSpec.from_settings({"d": 5}, m=6).as_dict() == {**spec.as_dict(), "d": 5, "m": 6}
    assert ReluSpec.from_settings(spec, m=9).m == 9


def test_settings_are_converted_to_their_types():
    spec = ReluSpec(d=np.int64(3), sigma=1, lr=2, steps=np.int32(4), tol=0, grad_tol=0, pretrain_lr=3,
                    pretrain_steps=5, pretrain_tol=0, pretrain_grad_tol=0, source=np.int64(7), rcond=0,
                    readout_scale=0, ft_lr=1, ft_steps=2, plateau=0, finetune=np.bool_(True))
    for k in ("d", "steps", "pretrain_steps", "source", "ft_steps"):
        assert type(getattr(spec, k)) is int, k
    for k in ("sigma", "lr", "tol", "grad_tol", "pretrain_lr", "pretrain_tol", "pretrain_grad_tol", "rcond",
              "readout_scale", "ft_lr", "plateau"):
        assert type(getattr(spec, k)) is float, k
    assert spec.finetune is True and type(spec.finetune) is bool
    assert (spec.lr, spec.steps, spec.pretrain_lr, spec.pretrain_steps, spec.source) == (2.0, 4, 3.0, 5, 7)
    assert (spec.ft_lr, spec.ft_steps) == (1.0, 2)


def test_finetune_step_and_budget_default_to_the_target_ones():
    spec = ReluSpec(lr=0.5, steps=30)
    assert (spec.finetune_lr, spec.finetune_steps) == (0.5, 30)
    spec = ReluSpec(lr=0.5, steps=30, ft_lr=0.25, ft_steps=0)
    assert (spec.finetune_lr, spec.finetune_steps) == (0.25, 0)


@pytest.mark.parametrize("name,value,domain", [
    ("d", 0, "integer >= 1"), ("m", 0, "integer >= 1"), ("m_star", 0, "integer >= 1"),
    ("instances", 0, "integer >= 1"), ("sigma", -0.1, r"\[0, inf\)"), ("lr", 0.0, r"\(0, inf\)"),
    ("lr", True, r"\(0, inf\)"), ("steps", -1, "integer >= 0"), ("tol", -1e-9, r"\[0, inf\)"),
    ("grad_tol", -1e-9, r"\[0, inf\)"), ("source", "sample", "'population' or an integer >= 1"),
    ("source", 0, "integer >= 1"), ("rcond", 1.0, r"\[0, 1\)"), ("rcond", -0.5, r"\[0, inf\)"),
    ("readout_scale", -1.0, r"\[0, inf\)"), ("ft_lr", 0.0, r"\(0, inf\)"), ("ft_steps", -1, "integer >= 0"),
    ("plateau", -0.1, r"\[0, inf\)"), ("dtype", "float16", "'float64' or 'float32'"),
    ("finetune", 1, "True or False"), ("keep_init", "yes", "True or False"),
    ("pretrain_early_stop", None, "True or False"), ("sigma", float("nan"), r"\[0, inf\)"),
])
def test_each_bad_setting_raises_naming_it_and_its_domain(name, value, domain):
    with pytest.raises(ValueError, match=rf"^{name}=.*{domain}"):
        ReluSpec(**{name: value})


@pytest.mark.parametrize("name,value", [("pretrain_lr", 0.0), ("pretrain_steps", -1), ("pretrain_tol", -1.0),
                                        ("pretrain_grad_tol", -1.0)])
def test_bad_pretraining_settings_raise(name, value):
    with pytest.raises(ValueError, match="is invalid"):
        ReluSpec(**{name: value})


def test_boundary_values_are_accepted():
    spec = ReluSpec(steps=0, tol=0.0, grad_tol=0.0, rcond=0.0, readout_scale=0.0, plateau=0.0, source=1,
                    ft_steps=0, dtype="float32", sigma=0.0)
    assert (spec.steps, spec.source, spec.dtype, spec.rcond) == (0, 1, "float32", 0.0)
    assert check_rcond(0.999) == 0.999


def test_from_settings_rejects_unknown_names_and_bad_spec():
    with pytest.raises(ValueError, match="unknown ReLU setting.*width.*expected any of d, m, m_star"):
        ReluSpec.from_settings(width=3)
    with pytest.raises(ValueError, match="^spec=.*expected a ReluSpec"):
        ReluSpec.from_settings(3)


def test_validators():
    assert check_mu(0) == 0.0 and type(check_mu(0)) is float
    for bad in (True, False, 1.0, -0.01, "x"):
        with pytest.raises(ValueError, match="^mu="):
            check_mu(bad)
    assert check_grid("ns", [3, 1], int) == [3, 1]
    assert check_grid("ns", 4, int) == [4]
    for bad in ([], [[1, 2]]):
        with pytest.raises(ValueError, match=r"^ns=.*non-empty 1-D sequence"):
            check_grid("ns", bad, int)
    with pytest.raises(ValueError, match="^ns=.*distinct"):
        check_grid("ns", [2, 2.0], int)
    assert check_source("population") == "population" and check_source(3) == 3
    with pytest.raises(ValueError, match="^source="):
        check_source(2.5)


@pytest.mark.parametrize("m_star", [1, 7, 100, 1000])
def test_kept_count_matches_exact_rational_floor(m_star):
    from fractions import Fraction
    for k in range(0, 100):
        mu_dec = f"0.{k:02d}"  # decimal grid 0.00 .. 0.99
        removed = math.floor(Fraction(mu_dec) * m_star)
        assert kept_count(m_star, float(mu_dec)) == m_star - removed


def test_scales_are_valid_specs():
    for name, settings in RELU_SCALES.items():
        spec = ReluSpec(**settings)
        assert spec.d == settings["d"], name
    assert RELU_SCALES["paper"]["dtype"] == "float32" and RELU_SCALES["paper"]["pretrain_early_stop"] is True


@pytest.mark.parametrize("kw,name", [(dict(pretrain_lr=0), "pretrain_lr"), (dict(pretrain_steps=-1), "pretrain_steps"),
                                     (dict(pretrain_tol=-1.0), "pretrain_tol"),
                                     (dict(pretrain_grad_tol=-1.0), "pretrain_grad_tol")])
def test_pretraining_settings_are_named_in_their_errors(kw, name):
    with pytest.raises(ValueError, match=rf"^{name}=.* is invalid"):
        ReluSpec(**kw)
