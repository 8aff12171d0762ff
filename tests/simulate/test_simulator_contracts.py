"""Contracts of every public simulator of ftheory.simulate, driven by the parameter declarations
(``tests/simulate/_simulators.py``: ``ftheory.params.PARAMS`` and the deep-linear ``OPTIONS``), not by a hand
list per simulator:

* bad input: every value outside a declared parameter's domain (below or above a bound, exactly at an open
  bound, NaN, +-inf, a boolean, a non-integer float for an integer; for a grid, a bad last element) raises
  ``ValueError`` whose message names the parameter, the value and a domain; a closed bound is accepted;
* records: the full set of info keys (and their types) of each simulator's estimates at a tiny size;
* seeds: ``seed=int``, ``default_rng(int)`` and ``SeedSequence(int)`` give identical samples (every simulator
  splits the seed by ``SeedSequence.spawn``, or draws from ``as_generator``), another seed different ones.

Written for the weak categories of the mutmut survivors (messages and domains, records, seeds; docs/testing.md).
"""
import dataclasses
import inspect
import math
import re

import numpy as np
import pytest

from ftheory.mc.estimate import MCEstimate
from ftheory.simulate.deep_linear.options import OPTIONS
from ftheory.simulate.relu.spec import ReluSpec
from tests.simulate._simulators import BASE, DOMAINS, GRIDS, HELPER_CALLS, SIMS, call, declared, random_helpers, takes


def test_every_public_simulator_has_a_tiny_call():
    assert set(BASE) == set(SIMS)


def _bad_values(dom):
    lo, hi = dom["low"], dom["high"]
    if dom["integer"]:
        out = [int(lo) - 1, lo + 0.5, True, False, math.nan]
        return out + ([int(hi) + 1] if hi < math.inf else [])
    out = [lo - 1.0] if lo > -math.inf else []
    out += [lo] if dom["low_open"] else []
    out += [hi + 1.0] if hi < math.inf else []
    out += [hi] if dom["high_open"] else []
    return out + [math.nan, math.inf, -math.inf, True]


def _closed_edges(dom):
    edges = [dom["low"]] if dom["low"] > -math.inf and not dom["low_open"] else []
    edges += [dom["high"]] if dom["high"] < math.inf and not dom["high_open"] else []
    return [int(e) if dom["integer"] else e for e in edges]


PAIRS = [(sim, p) for sim in sorted(SIMS) for p in declared(sim)]
EDGES = [(sim, p, v) for sim, p in PAIRS if p not in ("gamma", "d") for v in _closed_edges(DOMAINS[GRIDS.get(p, p)])]
# a domain stated in the message: an interval, a comparison with a number, or words of the declaration
DOMAIN = re.compile(r"[\[(]-?[\d.]+(e-?\d+)?, (-?[\d.]+(e-?\d+)?|inf|pi)[\])]|(>=|>|<=|<) ?-?\d|integers? in \[|positive")


def test_every_declared_parameter_of_every_simulator_is_covered():
    assert len(PAIRS) > 150 and {p for _, p in PAIRS} >= {"n", "d", "theta", "sigma", "lam", "instances", "depth"}


@pytest.mark.parametrize("sim, param", PAIRS, ids=[f"{s}-{p}" for s, p in PAIRS])
def test_a_value_outside_the_declared_domain_is_refused_by_name(sim, param):
    for value in _bad_values(DOMAINS[GRIDS.get(param, param)]):
        given = [BASE[sim].get(param, [0.5])[0], value] if param in GRIDS else value   # a grid: its last element bad
        with pytest.raises(ValueError) as err:
            call(sim, **{param: given})
        msg = str(err.value)
        assert re.search(rf"\b({param}|{GRIDS.get(param, param)})(\[\d+\])?=", msg), f"{param} not named: {msg}"
        assert repr(value) in msg or (isinstance(value, float) and str(value) in msg), f"{value!r} not shown: {msg}"
        assert DOMAIN.search(msg) or "True or False" in msg or "boolean" in msg, f"no domain: {msg}"


@pytest.mark.parametrize("sim, param, value", EDGES, ids=[f"{s}-{p}={v!r}" for s, p, v in EDGES])
def test_a_closed_bound_of_the_declared_domain_is_accepted(sim, param, value):
    given = [value] if param in GRIDS else value
    call(sim, **{param: given})            # no ValueError at the edge (e.g. sigma = 0, theta = pi, lam = 0)


# ---------------------------------------------------------------------------------------------------------------
# records: the info keys and their types, pinned (regression values read off once at the tiny call; a key
# renamed, dropped or changed in type, e.g. a flag array turned into floats, fails here)
# ---------------------------------------------------------------------------------------------------------------
def _type(v):
    return f"ndarray[{v.dtype.kind}]" if isinstance(v, np.ndarray) else type(v).__name__


def _records(out) -> dict:
    """``{quantity: info}`` of a simulator's return value (one MCEstimate, a dict of them, a tuned-ridge
    result's estimates, or a ``params``/``info`` record)."""
    if isinstance(out, MCEstimate):
        return {"": out.info}
    if isinstance(out, dict):
        return {str(k): (v.info if isinstance(v, MCEstimate) else v) for k, v in out.items()
                if isinstance(v, MCEstimate) or (k in ("params", "info") and isinstance(v, dict))}
    if hasattr(out, "estimates"):
        return {f"[{i}]": e.info for i, e in enumerate(out.estimates)}
    return {"params": out.params}


RECORDS = {
    'sample_kl_divergence': {
        ('',):
            'd:int sigma_p:float sigma_q:float theta:float ',
    },
    'simulate_aniso_deep_finetune': {
        ('deep', 'linear', 'scale'):
            'd:int depth:int method:str n:int null_leak:float seed:int sigma:float steps_max:int ',
    },
    'simulate_aniso_finetune_linear_risk': {
        ('',):
            'd:int estimator:str n:int seed:int sigma:float ',
    },
    'simulate_aniso_linear_transfer_risk': {
        ('',):
            'd:int estimator:str n:int seed:int sigma:float ',
    },
    'simulate_aniso_scratch_risk': {
        ('',):
            'd:int estimator:str lam:float n:int seed:int sigma:float ',
    },
    'simulate_aniso_transfer': {
        ('scratch', 'linear_transfer', 'finetune', 'T_lt', 'T_ft'):
            'd:int n:int seed:int sigma:float ',
    },
    'simulate_aniso_tuned_ridge_risk': {
        ('[0]',):
            'd:int estimator:str lam:float n:int seed:int sigma:float ',
    },
    'simulate_deep_finetune': {
        ('',):
            'alpha:float d:int depth:int diverged:ndarray[b] final_loss:ndarray[f] lam:float '
            'loss_floor:ndarray[f] lr:ndarray[f] method:str n:int norm_s:float norm_t:float path:str '
            'pretrain_converged:ndarray[b] pretrain_loss:ndarray[f] pretrain_steps:ndarray[i] pretrained:str '
            'procedure:str reduced:bool seed:int sigma:float steps:ndarray[i] theta:float wd:float width:int ',
    },
    'simulate_deep_linear': {
        ('',):
            'alpha:float d:int depth:int diverged:ndarray[b] final_loss:ndarray[f] lam:float '
            'loss_floor:ndarray[f] lr:ndarray[f] method:str n:int norm_s:float norm_t:float path:str '
            'pretrain_converged:ndarray[b] pretrain_loss:ndarray[f] pretrain_steps:ndarray[i] pretrained:str '
            'procedure:str reduced:bool seed:int sigma:float steps:ndarray[i] theta:float wd:float width:int ',
    },
    'simulate_deep_linear_transfer': {
        ('',):
            'alpha:float d:int depth:int lam:float method:str n:int norm_s:float norm_t:float '
            'pretrain_converged:ndarray[b] pretrain_loss:ndarray[f] pretrain_steps:ndarray[i] pretrained:str '
            'procedure:str rank:NoneType rcond:float reduced:bool seed:int sigma:float theta:float wd:float '
            'width:int ',
    },
    'simulate_deep_linear_transfer_lams': {
        ('0.0',):
            'alpha:float d:int depth:int lam:float method:str n:int pretrain_steps_max:int procedure:str '
            'rcond:float reduced:bool sigma:float theta:float width:int ',
    },
    'simulate_deep_scratch': {
        ('',):
            'alpha:float d:int depth:int diverged:ndarray[b] final_loss:ndarray[f] lam:float '
            'loss_floor:ndarray[f] lr:ndarray[f] method:str n:int norm_s:float norm_t:float path:str '
            'pretrained:str procedure:str reduced:bool seed:int sigma:float steps:ndarray[i] theta:float '
            'wd:float width:int ',
    },
    'simulate_finetune_models': {
        ('T_paper', 'T_gf', 'c'):
            'd:int gamma_s:NoneType n:int sigma:float sigma_s:float theta:float ',
    },
    'simulate_finetune_paired': {
        ('T_ft', 'T_lt', 'gap_paper', 'gap_cmodel', 'gd_minus_gf', 'c_gd', 'c_model'):
            'd:int max_steps_ft:int max_steps_sc:int n:int sigma:float theta:float ',
    },
    'simulate_finetune_rows': {
        ('T_ft:0', 'T_lt:0', 'gap_paper:0', 'gap_cmodel:0', 'gd_minus_gf:0', 'c_gd:0', 'c_model:0'):
            'd:int max_steps_ft:int max_steps_sc:int n:int path_ft:str pretrained:str sigma:float '
            'theta:float ',
    },
    'simulate_linear_transfer_finite_source': {
        ('',):
            'd:int depth:int estimator:str gamma_s:float lam:float n:int n_s:int norm_s:float norm_t:float '
            'seed:int sigma:float sigma_s:float source_norm_sq:float source_norm_sq_samples:ndarray[f] '
            'source_norm_sq_sem:float source_overlap:float source_overlap_samples:ndarray[f] '
            'source_overlap_sem:float theta:float ',
    },
    'simulate_linear_transfer_risk': {
        ('',):
            'd:int depth:int estimator:str lam:float lam_eff:float n:int norm_s:float norm_t:float seed:int '
            'sigma:float theta:float ',
    },
    'simulate_lt_finite_source_paired': {
        ('sc', 'lt', 'T_lt', 'cos2_eff'):
            'd:int gamma_s:float n:int n_s:int sigma:float sigma_s:float theta:float ',
    },
    'simulate_lt_finite_source_rows': {
        ('sc:0', 'lt:0', 'T_lt:0', 'cos2_eff:0'):
            'd:int gamma_s:float n:int n_s:int sigma:float sigma_s:float theta:float ',
    },
    'simulate_min_norm_risk': {
        ('',):
            'd:int estimator:str n:int norm_t:float seed:int sigma:float ',
    },
    'simulate_min_norm_sigma_grid': {
        ('0.1',):
            'd:int estimator:str n:int norm_t:float seed:int sigma:float ',
    },
    'simulate_rank_k_risk': {
        ('',):
            'd:int estimator:str k:int n:int residual:float seed:int sigma:float ',
    },
    'simulate_relu': {
        ('scratch', 'lt', 'T_lt'):
            '',
    },
    'simulate_relu_scratch': {
        ('params',):
            'd:int dtype:str finetune:bool ft_lr:NoneType ft_steps:NoneType grad_tol:float instances:int '
            'keep_init:bool lr:float m:int m_star:int ns:list plateau:float pretrain_early_stop:bool '
            'pretrain_grad_tol:float pretrain_lr:float pretrain_steps:int pretrain_tol:float rcond:float '
            'readout_scale:float seed:int sigma:float source:str steps:int tol:float ',
    },
    'simulate_relu_transfer': {
        ('params',):
            'd:int dtype:str finetune:bool ft_lr:NoneType ft_steps:NoneType grad_tol:float instances:int '
            'keep_init:bool lr:float m:int m_star:int mus:list ns:list plateau:float '
            'pretrain_early_stop:bool pretrain_grad_tol:float pretrain_halvings:int pretrain_lr:float '
            'pretrain_plateaued:int pretrain_steps:int pretrain_steps_taken_max:int pretrain_tol:float '
            'rcond:float readout_scale:float scratch_steps_taken_max:int seed:int sigma:float source:str '
            'steps:int tol:float ',
    },
    'simulate_ridge_grid': {
        ('[0]',):
            'd:int estimator:str lam:float n:int norm_t:float seed:int sigma:float ',
    },
    'simulate_ridge_risk': {
        ('',):
            'd:int estimator:str lam:float n:int norm_t:float seed:int sigma:float ',
    },
    'simulate_scratch_and_transfer': {
        ('scratch',):
            'd:int estimator:str n:int norm_s:float norm_t:float seed:int sigma:float theta:float ',
        ('linear_transfer', 'transferability'):
            'd:int depth:int estimator:str lam:float lam_eff:float n:int norm_s:float norm_t:float seed:int '
            'sigma:float theta:float ',
    },
    'simulate_transfer': {
        ('sc',):
            'alpha:float d:int depth:int diverged:ndarray[b] final_loss:ndarray[f] lam:float '
            'loss_floor:ndarray[f] lr:ndarray[f] method:str n:int norm_s:float norm_t:float path:str '
            'pretrained:str procedure:str reduced:bool seed:int sigma:float steps:ndarray[i] theta:float '
            'wd:float width:int ',
        ('lt', 'T_lt'):
            'alpha:float d:int depth:int lam:float method:str n:int norm_s:float norm_t:float '
            'pretrain_converged:ndarray[b] pretrain_loss:ndarray[f] pretrain_steps:ndarray[i] pretrained:str '
            'procedure:str rank:NoneType rcond:float reduced:bool seed:int sigma:float theta:float wd:float '
            'width:int ',
        ('ft', 'T_ft'):
            'alpha:float d:int depth:int diverged:ndarray[b] final_loss:ndarray[f] lam:float '
            'loss_floor:ndarray[f] lr:ndarray[f] method:str n:int norm_s:float norm_t:float path:str '
            'pretrain_converged:ndarray[b] pretrain_loss:ndarray[f] pretrain_steps:ndarray[i] pretrained:str '
            'procedure:str reduced:bool seed:int sigma:float steps:ndarray[i] theta:float wd:float width:int ',
    },
    'simulate_transfer_grid': {
        ('info',):
            'd:int depth:int n:int norm_s:float norm_t:float seed:int sigma:float ',
    },
    'simulate_tuned_ridge_risk': {
        ('[0]', '[1]'):
            'd:int estimator:str lam:float n:int norm_t:float seed:int sigma:float ',
    },
    'simulate_tuned_vs_transfer': {
        ('',):
            'd:int lam:float n:int ',
    },
    'simulate_w1_estimate': {
        ('',):
            '',
    },
}


@pytest.mark.parametrize("sim", sorted(RECORDS))
def test_info_keys_and_types_of_every_estimate(sim):
    got = {q: " ".join(f"{k}:{_type(v)}" for k, v in sorted(info.items())) for q, info in _records(call(sim)).items()}
    want = {q: text.strip() for qs, text in RECORDS[sim].items() for q in qs}
    assert got == want


@pytest.mark.parametrize("sim", sorted(RECORDS))
def test_info_values_are_the_parameters_of_the_call(sim):
    """Every recorded parameter that the call gave equals the value given (the seed as the int given). (The
    deep-linear ``pretrain_steps`` record is the per-instance array of steps taken, not the budget.)"""
    given = {**BASE[sim], "seed": 0}
    checked = 0
    for q, info in _records(call(sim)).items():
        for k, v in info.items():
            if k in given and not isinstance(given[k], list) and not isinstance(v, np.ndarray):
                checked += 1
                assert v == given[k] and type(v) is not bool, (q, k, v, given[k])
    assert checked or sim in ("simulate_relu", "simulate_w1_estimate")      # these record no parameters


# ---------------------------------------------------------------------------------------------------------------
# seeds
# ---------------------------------------------------------------------------------------------------------------
def _samples(out) -> list:
    """Every random number a simulator returns, as a list of float arrays."""
    if isinstance(out, MCEstimate):
        return [out.samples]
    if isinstance(out, dict):
        return [a for k in sorted(out, key=str) for a in _samples(out[k]) if k not in ("params", "info")]
    if isinstance(out, np.ndarray):
        return [out.astype(float)] if out.dtype.kind in "fi" else []
    if hasattr(out, "estimates"):
        return [e.samples for e in out.estimates]
    if hasattr(out, "scratch"):
        return [out.scratch, out.lt, out.pretrain_risk]
    return []


def _same(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y, equal_nan=True) for x, y in zip(a, b))


@pytest.mark.parametrize("sim", sorted(SIMS))
def test_seed_int_generator_and_seed_sequence_give_the_same_draws_and_another_seed_others(sim):
    ref = _samples(call(sim, seed=5))
    assert ref and all(np.all(np.isfinite(x[np.isfinite(x)])) for x in ref)
    assert _same(_samples(call(sim, seed=5)), ref)
    assert _same(_samples(call(sim, seed=np.random.default_rng(5))), ref)
    assert _same(_samples(call(sim, seed=np.random.SeedSequence(5))), ref)
    other = _samples(call(sim, seed=6))
    assert not _same(other, ref)
    # every random output changes with the seed (none is drawn from a fixed stream), except exact constants
    for x, y in zip(other, ref):
        assert not np.array_equal(x, y, equal_nan=True) or np.ptp(np.concatenate([x, y])) == 0, sim


# ---------------------------------------------------------------------------------------------------------------
# options reach the computation: every declared keyword changes the samples, flags or records when given a
# value other than its default, and is recorded as given where the records name it
# ---------------------------------------------------------------------------------------------------------------
def _interior(dom, default):
    """A value inside the domain, not the default; a Python int for a real parameter unbounded above (it must
    be taken, and recorded, as a float)."""
    lo, hi = dom["low"], dom["high"]
    if dom["integer"] or hi == math.inf:
        return int(lo) + 1 if default != int(lo) + 1 else int(lo) + 2
    v = lo + (hi - lo) * 0.37
    return v + 0.1 if v == default else v


def _flags(out) -> list:
    if isinstance(out, MCEstimate):
        return [out.converged]
    if isinstance(out, dict):
        return [c for k in sorted(out, key=str) for c in _flags(out[k])]
    if hasattr(out, "estimates"):
        return [e.converged for e in out.estimates]
    if hasattr(out, "pretrain_converged"):
        return [out.pretrain_converged, out.scratch_converged]
    return []


def _fingerprint(out, skip):
    recs = {q: {k: v for k, v in info.items() if k != skip} for q, info in _records(out).items()}
    return _samples(out) + [np.asarray(c, float) for c in _flags(out)], repr(recs)


#: the setting in which an option acts (the source noise needs a finite source set; the feature's norm and
#: depth matter only through the read-out's penalty, lam / norm_s^(2(L-1)/L); pretraining must be able to stop
#: on its tolerance; the plateau rule looks first at step 64). Only the entries the simulator takes are used.
CONTEXT = {"sigma_s": {"gamma_s": 1.2}, "depth": {"lam": 0.3, "lams": [0.3], "norm_s": 2.0},
           "norm_s": {"lam": 0.3, "lams": [0.3]}, "plateau": {"steps": 200, "pretrain_steps": 200}}
VALUE = {"pretrain_tol": 2.0}
#: options the procedure of the simulator does not use (documented in its docstring or the option's)
INERT = {
    **{(s, p): "linear-transfer read-out option; scratch/fine-tuning do not refit a read-out"
       for s in ("simulate_deep_scratch", "simulate_deep_finetune", "simulate_deep_linear") for p in ("lam", "rcond", "rank")},
    **{("simulate_deep_linear_transfer", p): "target-training option; linear transfer trains no layer"
       for p in ("lr", "tol", "wd")},
    **{("simulate_deep_scratch", p): "pretraining option; scratch has no pretraining"
       for p in ("norm_s", "pretrain_lr", "pretrain_tol")},
    **{("simulate_relu_scratch", p): "pretraining / read-out option; scratch only"
       for p in ("pretrain_lr", "pretrain_tol", "rcond")},
}
# (scratch with a finite source set: the source noise, drawn only when sigma_s > 0, shifts the later draws;
# neither outcome is a contract)
def _default(sim, param):
    """The default of a parameter: the signature's, or the ReluSpec field's for ReLU ``**settings``."""
    params = inspect.signature(SIMS[sim]).parameters
    if param in params:
        return params[param].default
    return {f.name: f.default for f in dataclasses.fields(ReluSpec)}[param]


OPTION_CASES = [(sim, p) for sim, p in PAIRS if p not in BASE[sim] and p not in GRIDS and p not in ("gamma", "instances")
                and (sim, p) != ("simulate_deep_scratch", "sigma_s") and _default(sim, p) is not inspect.Parameter.empty]


@pytest.mark.parametrize("sim, param", OPTION_CASES, ids=[f"{s}-{p}" for s, p in OPTION_CASES])
def test_every_option_reaches_the_computation_and_is_recorded_as_given(sim, param):
    params = inspect.signature(SIMS[sim]).parameters
    value = VALUE.get(param, _interior(DOMAINS[param], _default(sim, param)))
    context = {k: v for k, v in CONTEXT.get(param, {}).items()
               if takes(SIMS[sim], k) and not (k in GRIDS and k in BASE[sim])}
    base, changed = call(sim, **context), call(sim, **context, **{param: value})
    for q, info in _records(changed).items():
        if param in info and not isinstance(info[param], np.ndarray):
            assert info[param] == value, (q, info[param], value)
            assert type(info[param]) is (int if DOMAINS[param]["integer"] else float), (q, info[param])
    a, b = _fingerprint(base, param), _fingerprint(changed, param)
    inert = _same(a[0], b[0]) and a[1] == b[1]
    assert inert == ((sim, param) in INERT), f"{param}={value!r} of {sim}: {'no effect' if inert else 'acts'}"


# choice and flag options of the deep-linear declaration (OPTIONS kinds "choice" and "bool"), wherever taken
CHOICES = {o.name: (o.choices if o.kind == "choice" else (True, False)) for o in OPTIONS if o.kind in ("choice", "bool")}
CHOICE_CASES = [(sim, p, c) for sim in sorted(SIMS) for p, cs in CHOICES.items()
                if p in inspect.signature(SIMS[sim]).parameters
                for c in cs if c != inspect.signature(SIMS[sim]).parameters[p].default]
CHOICE_CONTEXT = {"early_stop": {"max_steps": 40, "tol": 0.5}}   # converged before the budget: stopping matters
CHOICE_INERT = {
    ("simulate_deep_linear_transfer", "early_stop"): "target-training option; linear transfer trains no layer",
    ("simulate_deep_linear_transfer", "reduced"): "population pretraining: the reduced and full paths take the same "
                                                  "steps (the population loss is already diagonal)",
    ("simulate_deep_linear_transfer_lams", "reduced"): "population pretraining, as above",
    ("simulate_deep_scratch", "pretrained"): "pretraining option; scratch has no pretraining",
}


@pytest.mark.parametrize("sim, param, choice", CHOICE_CASES, ids=[f"{s}-{p}={c!r}" for s, p, c in CHOICE_CASES])
def test_every_choice_acts_and_a_bad_choice_is_refused_by_name(sim, param, choice):
    params = inspect.signature(SIMS[sim]).parameters
    context = {k: v for k, v in CHOICE_CONTEXT.get(param, {}).items() if k in params}
    a = _fingerprint(call(sim, **context), param)
    b = _fingerprint(call(sim, **context, **{param: choice}), param)
    inert = _same(a[0], b[0]) and a[1] == b[1]
    assert inert == ((sim, param) in CHOICE_INERT), f"{param}={choice!r} of {sim}: {'no effect' if inert else 'acts'}"
    for bad in ("nonsense", None, 1):
        with pytest.raises(ValueError, match=rf"^{param}={bad!r} is invalid"):
            call(sim, **{param: bad})


@pytest.mark.parametrize("sim", sorted(SIMS))
def test_numpy_scalars_give_the_same_draws_and_python_records(sim):
    """``np.int64`` / ``np.float64`` values of the declared parameters give the same samples, and the records
    hold Python numbers (a sweep's store keeps only int, float, str and bool info values)."""
    changes = {p: (np.int64(v) if DOMAINS[p]["integer"] else np.float64(v)) for p, v in BASE[sim].items()
               if p in DOMAINS and not isinstance(v, list)}
    out = call(sim, **changes)
    assert _same(_samples(out), _samples(call(sim)))
    for q, info in _records(out).items():
        bad = {k: type(v).__name__ for k, v in info.items() if isinstance(v, np.generic)}
        assert not bad, (q, bad)


# ---------------------------------------------------------------------------------------------------------------
# every other random function of ftheory.simulate: the same seed contract
# ---------------------------------------------------------------------------------------------------------------
def _arrays(obj, depth=0) -> list:
    """Every float array reachable in a result (arrays, tuples, dicts, dataclasses, MCEstimates)."""
    if depth > 4:
        return []
    if isinstance(obj, np.ndarray):
        return [obj.astype(float)] if obj.dtype.kind in "fi" else []
    if isinstance(obj, MCEstimate):
        return [obj.samples]
    if isinstance(obj, (tuple, list)):
        return [a for x in obj for a in _arrays(x, depth + 1)]
    if isinstance(obj, dict):
        return [a for k in sorted(obj, key=str) for a in _arrays(obj[k], depth + 1)]
    if dataclasses.is_dataclass(obj):
        return [a for f in dataclasses.fields(obj) for a in _arrays(getattr(obj, f.name), depth + 1)]
    return [a for k in ("weights", "readout") if hasattr(obj, k) for a in _arrays(getattr(obj, k), depth + 1)]


def test_every_random_helper_has_a_tiny_call():
    assert set(HELPER_CALLS) == set(random_helpers())


@pytest.mark.parametrize("name", sorted(HELPER_CALLS))
def test_random_helpers_follow_the_seed_contract(name):
    fn = random_helpers()[name]
    args, kw = HELPER_CALLS[name]

    def run(seed):
        return _arrays(fn(*(args() if callable(args) else args), **kw, seed=seed))

    ref = run(5)
    assert ref
    assert _same(run(5), ref) and _same(run(np.random.default_rng(5)), ref)
    assert not _same(run(6), ref)


HELPER_PAIRS = [(name, p) for name in sorted(HELPER_CALLS) for p in inspect.signature(random_helpers()[name]).parameters
                if p in DOMAINS and p != "gamma"]


@pytest.mark.parametrize("name, param", HELPER_PAIRS, ids=[f"{n.rsplit('.', 1)[1]}-{p}" for n, p in HELPER_PAIRS])
def test_random_helpers_refuse_a_value_outside_the_declared_domain_by_name(name, param):
    fn = random_helpers()[name]
    args, kw = HELPER_CALLS[name]
    bound = inspect.signature(fn).bind(*(args() if callable(args) else args), **kw).arguments
    for value in _bad_values(DOMAINS[param]):
        with pytest.raises(ValueError) as err:
            fn(**{**bound, param: value}, seed=0)
        msg = str(err.value)
        assert re.search(rf"\b{param}=", msg) and (repr(value) in msg or str(value) in msg), msg
        assert DOMAIN.search(msg) or "boolean" in msg, f"no domain: {msg}"
