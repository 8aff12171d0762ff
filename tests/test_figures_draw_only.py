"""ftheory/figures only draws: no random draws, no solvers, no closed forms of its own.

Every number a figure shows comes from a registered result (``ftheory.get``) or a simulator of
``ftheory.simulate`` (or another computing package); this AST scan fails on the constructs that
would let a figure simulate or solve by itself. ``np.random.SeedSequence`` (seed plumbing) is allowed.
"""
import ast
import pathlib

import ftheory

FIGURES = pathlib.Path(ftheory.__file__).parent / "figures"

#: attribute names that draw random numbers or solve / decompose
FORBIDDEN_ATTRS = {
    "default_rng", "standard_normal", "normal", "uniform", "integers", "choice", "permutation", "shuffle",
    "chisquare", "multivariate_normal", "Generator", "RandomState",
    "solve", "lstsq", "pinv", "inv", "svd", "eig", "eigh", "eigvalsh", "eigvals", "qr", "cholesky",
    "solve_ivp", "brentq", "root_scalar", "minimize", "quad",
}
#: modules a figure must not import from (randomness, solvers, the theory internals, mc seeding)
FORBIDDEN_MODULES = ("numpy.random", "numpy.linalg", "scipy", "ftheory.theory", "ftheory.rmt", "ftheory.mc.seeds",
                     "ftheory.simulate._random", "ftheory.simulate.deep_linear._", "sympy")
ALLOWED_RANDOM = {"SeedSequence"}


def violations(source: str) -> list:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) \
                and node.value.attr == "random" and node.attr not in ALLOWED_RANDOM:
            found.append((node.lineno, f"random.{node.attr}"))
        elif isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRS:
            found.append((node.lineno, node.attr))
        elif isinstance(node, ast.Name) and node.id in FORBIDDEN_ATTRS - {"choice", "normal", "uniform", "inv"}:
            found.append((node.lineno, node.id))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                if any(name == m or name.startswith(m + ".") for m in FORBIDDEN_MODULES):
                    found.append((node.lineno, f"import {name}"))
    return found


def test_figures_contain_no_random_draws_solvers_or_formulas():
    bad = {}
    for path in sorted(FIGURES.glob("*.py")):
        v = violations(path.read_text())
        if v:
            bad[path.name] = v
    assert bad == {}


def test_the_scan_catches_what_it_should():
    assert violations("import numpy as np\nrng = np.random.default_rng(0)\n") == [(2, "random.default_rng")]
    assert violations("x = np.linalg.solve(A, b)\n") == [(1, "solve")]
    assert violations("from scipy.optimize import brentq\n")[0][1] == "import scipy.optimize"
    assert violations("s = np.random.SeedSequence([1, 2])\n") == []
