"""ftheory.simulate.catalog: name lookup and its one-line errors (written against mutmut survivors)."""
import importlib

import pytest

from ftheory.simulate import catalog
from ftheory.simulate.catalog import SIMULATORS, simulator


def test_every_name_resolves_to_its_function():
    for name, (module, function, _) in SIMULATORS.items():
        fn = simulator(name)
        assert fn is getattr(importlib.import_module(module), function), name


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError) as err:
        simulator("nope")
    assert str(err.value) == "unknown simulator 'nope'; simulators are " + ", ".join(SIMULATORS)


@pytest.mark.parametrize("entry", [("ftheory.simulate.linear", "no_such_function", "x"),
                                   ("ftheory.no_such_module", "f", "x")])
def test_unavailable_simulator_is_a_value_error(monkeypatch, entry):
    monkeypatch.setitem(catalog.SIMULATORS, "ghost", entry)
    with pytest.raises(ValueError) as err:
        simulator("ghost")
    assert str(err.value) == (f"simulator 'ghost' ({entry[0]}.{entry[1]}) is not available in this version")
