"""House rules for the ReLU code: import direction, module size, one name per thing."""
import ast
import pathlib

import ftheory

ROOT = pathlib.Path(ftheory.__file__).parent
# seeds, Monte Carlo estimates and BLAS thread control: neutral helpers (moving to ftheory.mc)
NEUTRAL = {"ftheory.simulate._random", "ftheory.simulate.estimate", "ftheory.simulate._threads"}


def _imports(path):
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
    return out


def test_relu_math_does_not_import_the_simulators():
    """ftheory.relu (kernels, projections, fits) -> ftheory.simulate.relu is the only direction."""
    for path in (ROOT / "relu").glob("*.py"):
        bad = {m for m in _imports(path) if m.startswith("ftheory.simulate") and m not in NEUTRAL}
        assert not bad, (path.name, bad)


def test_relu_simulators_never_import_theory_and_stay_small():
    for path in (ROOT / "simulate" / "relu").glob("*.py"):
        assert not {m for m in _imports(path) if m.startswith("ftheory.theory")}, path.name
        assert len(path.read_text().splitlines()) < 500, path.name


def test_one_definition_per_public_name():
    names = {}
    for path in ROOT.rglob("*.py"):
        if "_generated" in path.parts:
            continue
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
                names.setdefault(node.name, []).append(str(path.relative_to(ROOT)))
    for name in ("sphere_projection_density", "simulate_linear_transfer_risk", "simulate_relu_readout_risk"):
        assert len(names.get(name, [])) == 1, (name, names.get(name))
    assert "funk_hecke_constant" not in names  # the symbolic one was renamed, the float one made private
