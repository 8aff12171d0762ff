"""``ftheory.advise`` is both the advisor function and the package whose dotted module paths the docs name."""
import importlib
import inspect
import subprocess
import sys

import ftheory
from ftheory.advise.report import advise


def test_call_and_signature_are_the_functions():
    assert callable(ftheory.advise)
    assert inspect.signature(ftheory.advise) == inspect.signature(advise)
    assert ftheory.advise.advise is advise


def test_dotted_module_paths_of_the_docs_import():
    # each in a fresh interpreter: `import a.b.c as m` resolves a.b by attribute, which a plain function shadowed
    code = ("import ftheory.advise.report as R, ftheory.advise.estimators, ftheory.advise.prepared; "
            "print(R.advise is ftheory.advise.advise, callable(ftheory.advise.estimators.estimate_parameters), "
            "callable(ftheory.advise.prepared.independence_z))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "True", "True"]
    assert importlib.import_module("ftheory.advise") is ftheory.advise
