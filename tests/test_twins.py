"""Every registered result against its simulation twin (ftheory/twins), at points drawn by Hypothesis.

Tolerance (ftheory.twins.compare): |mean - expected| <= Z_MAX standard errors (Z_MAX = 5) + the
twin's declared finite-size allowance (0 where the oracle is exact) + quadrature tolerance for
deterministic estimators + a float64 rounding floor. Seed policy, so CI is stable: Hypothesis runs
derandomised (the same points on every run) and each simulation's seed is a CRC32 of the twin and
the point (``ftheory.twins.seed_for``).
"""
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import ftheory
from ftheory import twins

TWINS = twins.twins()
EXAMPLES = 3


def test_every_registered_result_has_a_twin_or_a_reason():
    names = [r.name for r in ftheory.results()]
    assert twins.uncovered(names) == [], "results with neither a twin nor a reason"
    known = set(names)
    stale = sorted({t.result for t in TWINS} - known | set(twins.reasons()) - known)
    assert stale == [], "twins or reasons of results that are not registered"
    assert not set(twins.reasons()) & {t.result for t in TWINS}, "a result with both a twin and a reason"


@pytest.mark.parametrize("twin", TWINS, ids=[t.label for t in TWINS])
def test_twin_declaration_is_complete(twin):
    result = ftheory.get(twin.result)
    assert set(twin.region) == set(result.params), "the region must cover exactly the result's parameters"
    assert callable(twins.resolve(twin.simulator))
    assert twin.quantity and twin.admits(twin.example)
    if twin.oracle and not twin.expect:
        pytest.fail("an oracle needs an expect map")


def _point_strategy(twin):
    return st.fixed_dictionaries({k: dom.strategy() for k, dom in twin.region.items()})


def _marks(twin):
    return [pytest.mark.slow] if twin.slow else []


@pytest.mark.parametrize("twin", [pytest.param(t, id=t.label, marks=_marks(t)) for t in TWINS])
def test_simulation_agrees_with_theory(twin):
    @settings(max_examples=1 if twin.slow else EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
    @given(point=_point_strategy(twin))
    def check(point):
        assume(twin.admits(point))
        c = twins.compare(twin, point)
        assert c.passed, c.as_dict()

    check()


def test_compare_rejects_a_point_outside_the_region():
    twin = twins.twins("scratch_risk_finite")[0]
    with pytest.raises(ValueError, match="outside its region"):
        twins.compare(twin, {"n": 40, "d": 41, "sigma": 0.2, "norm_t": 1.0})


def test_a_wrong_expectation_fails():
    """The comparison has power: the same simulation against a 10% larger expectation fails."""
    import dataclasses

    twin = twins.twins("scratch_risk_finite")[0]
    wrong = dataclasses.replace(twin, expect=lambda p: 1.1 * float(ftheory.get("scratch_risk_finite")(**p)))
    assert twins.compare(twin, twin.example).passed
    assert not twins.compare(wrong, twin.example).passed
