"""ftheory/figures only draws: no random draws, no solvers, no closed forms and no numerics of its own.

Every number a figure shows comes from a registered result (``ftheory.get``) or a simulator of
``ftheory.simulate`` (or another computing package, e.g. ``ftheory.relu``, ``ftheory.simulate.stats``); this
AST scan fails on the constructs that would let a figure simulate, solve or compute by itself:

* random draws (``np.random.*`` except ``SeedSequence``, which is seed plumbing) and solvers/decompositions;
* imports of randomness, solvers, the theory internals and sympy;
* simulators written in the figure module and run there (a local function passed to ``sweep`` or ``run_tasks``);
* numerics on data: matrix products (``@``, ``einsum``, ``dot``, ``outer``, ...), anything under
  ``np.linalg`` (``np.linalg.norm``), elementary functions of numpy/math (``sqrt``, ``cos``, ``exp``,
  ``log``, ...), means and medians (``np.mean``, ``np.nanmean``, ``np.average``, ``np.median``, ``a.mean()``),
  ``np.nansum``, spreads (``std``, ``var``), fits (``polyfit``) and fractional powers (``x ** 0.5``);
* differences with a theory value: a subtraction one of whose operands is a registered result evaluated in the
  figure (``ftheory.get(name)(...)``, a name bound to one, or a module function returning one), e.g. a z-score
  ``(T - theory(...)) / S`` or a composition ``gf(...) - paper(...)``: those are
  :func:`ftheory.simulate.stats.z_scores` / :func:`~ftheory.simulate.stats.chi2` /
  :func:`~ftheory.simulate.stats.theory_gap` or registered results.

Pure drawing arithmetic that needs one of these constructs is listed in :data:`ALLOWED`, one entry per
(file, function, construct), each with its reason; an entry that no longer matches anything fails the test,
so the list cannot grow stale.
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

#: numeric functions of numpy / math that compute on data (``np.sqrt(x)``, ``math.cos(t)``, ``np.einsum``)
NUMERIC_FUNCS = {
    "sqrt", "cbrt", "exp", "expm1", "exp2", "log", "log1p", "log2", "log10", "power", "float_power",
    "cos", "sin", "tan", "arccos", "arcsin", "arctan", "arctan2", "cosh", "sinh", "tanh", "hypot",
    "acos", "asin", "atan", "atan2", "erf", "erfc", "lgamma",
    "einsum", "dot", "vdot", "inner", "outer", "tensordot", "matmul", "kron", "cross",
    "std", "var", "nanstd", "nanvar", "cov", "corrcoef", "polyfit", "polyval", "trapz", "trapezoid", "gradient",
    "convolve", "fft",
    "mean", "nanmean", "average", "median", "nanmedian", "nansum",
}
NUMERIC_MODULES = {"np", "numpy", "math", "cmath"}
#: methods that compute on arrays (``a.std()``, ``a.dot(b)``): flagged when called
NUMERIC_METHODS = {"std", "var", "dot", "cumprod", "mean"}

#: functions that run a simulator given as their first argument: a figure passes them one from ftheory.simulate,
#: never one it defines (a simulator written in a figure module is a simulation in the figure)
RUNNERS = {"sweep", "run_tasks"}

#: (file, enclosing function, construct) -> why it is drawing, not computing
ALLOWED = {
    ("layout_scene.py", "data_marks", "np.sqrt"):
        "a scatter marker's radius in points from matplotlib's marker size (an area in points^2): layout geometry",
    ("relu.py", "_edges", "np.log"):
        "heat-map cell edges on a log axis: geometric midpoints of the grid values (log, average, exp)",
    ("relu.py", "_edges", "np.exp"):
        "heat-map cell edges on a log axis: geometric midpoints of the grid values (log, average, exp)",
    ("relu.py", "render_phase", "np.log"):
        "height of the off-scale bands above/below the map as a fixed fraction of the log axis",
    ("relu.py", "render_phase", "np.exp"):
        "positions of the off-scale bands and their markers on the log axis",
    ("relu_spans.py", "render_gram", "np.mean"):
        "colour normalisation: each drawn Gram matrix divided by its mean diagonal so the three share one scale",
}


def _numeric(node):
    """The numeric construct at ``node`` (e.g. ``"np.sqrt"``, ``"@"``, ``".std()"``), or None."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        return "@"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Constant) \
            and isinstance(node.right.value, float) and not node.right.value.is_integer():
        return f"** {node.right.value!r}"
    if isinstance(node, ast.Attribute):
        if node.attr == "linalg":
            return "linalg"
        if isinstance(node.value, ast.Name) and node.value.id in NUMERIC_MODULES and node.attr in NUMERIC_FUNCS:
            return f"{node.value.id}.{node.attr}"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in NUMERIC_METHODS \
            and not (isinstance(node.func.value, ast.Name) and node.func.value.id in NUMERIC_MODULES):
        return f".{node.func.attr}()"
    return None


def _with_functions(tree):
    """``(node, enclosing function name or "<module>")`` for every node of ``tree``."""
    out = []

    def walk(node, where):
        out.append((node, where))
        inner = node.name if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else where
        for child in ast.iter_child_nodes(node):
            walk(child, inner)

    walk(tree, "<module>")
    return out


def _is_get(call) -> bool:
    """``ftheory.get(...)``, ``registry.get(...)`` or a bare ``get(...)`` (imported from ftheory.registry)."""
    f = call.func
    return isinstance(call, ast.Call) and (
        (isinstance(f, ast.Name) and f.id == "get")
        or (isinstance(f, ast.Attribute) and f.attr == "get" and isinstance(f.value, ast.Name)
            and f.value.id in ("ftheory", "registry")))


def _theory_names(tree):
    """``(functions, values)``: names bound in ``tree`` to a registered result (``f = ftheory.get(...)``, or a
    module function returning a registered result's value) and to a value of one (``v = f(...)``)."""
    funcs, values = set(), set()

    def is_value(node):
        return isinstance(node, ast.Call) and (_is_get(node.func) if isinstance(node.func, ast.Call) else
                                               isinstance(node.func, ast.Name) and node.func.id in funcs)

    for _ in range(3):                                   # wrappers of wrappers: a fixed point in a few rounds
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                if isinstance(node.value, ast.Call) and _is_get(node.value):
                    funcs.add(node.targets[0].id)
                elif is_value(node.value):
                    values.add(node.targets[0].id)
            if isinstance(node, ast.FunctionDef) and any(isinstance(r, ast.Return) and r.value is not None
                                                         and is_value(r.value) for r in ast.walk(node)):
                funcs.add(node.name)
    return funcs, values, is_value


def violations(source: str, filename: str = "", used=None) -> list:
    """Sorted ``(line, construct)`` for every forbidden construct in ``source`` that :data:`ALLOWED` does not list for
    ``filename`` (``used``: a set that collects the allow-list entries that matched)."""
    found = []
    tree = ast.parse(source)
    local = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    _, theory_values, is_theory_value = _theory_names(tree)

    def theory_operand(node):
        return is_theory_value(node) or (isinstance(node, ast.Name) and node.id in theory_values)

    for node, where in _with_functions(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in RUNNERS \
                and node.args and isinstance(node.args[0], ast.Name) and node.args[0].id in local:
            found.append((node.lineno, f"{node.args[0].id} simulated here"))
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
        what = _numeric(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub) \
                and (theory_operand(node.left) or theory_operand(node.right)):
            what = "- theory"
        if what is not None:
            entry = (filename, where, what)
            if entry in ALLOWED:
                if used is not None:
                    used.add(entry)
            else:
                found.append((node.lineno, what))
    return sorted(found)


def test_figures_contain_no_random_draws_solvers_or_formulas():
    bad, used = {}, set()
    for path in sorted(FIGURES.glob("*.py")):
        v = violations(path.read_text(), path.name, used)
        if v:
            bad[path.name] = v
    assert bad == {}
    assert set(ALLOWED) - used == set(), "allow-list entries that match nothing (remove them)"


def test_every_allowed_item_gives_a_reason():
    assert all(isinstance(why, str) and len(why) > 20 for why in ALLOWED.values())


def test_the_scan_catches_what_it_should():
    assert violations("import numpy as np\nrng = np.random.default_rng(0)\n") == [(2, "random.default_rng")]
    assert violations("x = np.linalg.solve(A, b)\n") == [(1, "linalg"), (1, "solve")]
    assert violations("from scipy.optimize import brentq\n")[0][1] == "import scipy.optimize"
    assert violations("s = np.random.SeedSequence([1, 2])\n") == []
    # numerics on data: the constructs the ReLU Gram figure used to compute its kernels and cosines with
    assert violations("c = (W / np.linalg.norm(W, axis=1, keepdims=True)) @ U.T\n") == [(1, "@"), (1, "linalg")]
    assert violations("K = (F * w) @ F.T\n") == [(1, "@")]
    assert violations("y = np.einsum('ij,j->i', A, x)\n") == [(1, "np.einsum")]
    assert violations("s = np.sqrt(a ** 2 + b ** 2)\nt = math.cos(theta)\n") == [(1, "np.sqrt"), (2, "math.cos")]
    assert violations("r = x ** 0.5\nq = x ** 2\n") == [(1, "** 0.5")]
    assert violations("s = samples.std(ddof=1)\nm = est.std\n") == [(1, ".std()")]
    assert violations("p = np.outer(a, b)\nv = a.dot(b)\n") == [(1, "np.outer"), (2, ".dot()")]
    # a simulator defined in the figure module and swept there (the old lt_ridge._deep_lt)
    src = "def _deep_lt(n, d, instances, seed):\n    return {}\nres = sweep(_deep_lt, {'n': [4]})\n"
    assert violations(src) == [(3, "_deep_lt simulated here")]
    assert violations("from ftheory.simulate.keyed import simulate_deep_lt_lam_rows as f\nres = sweep(f, g)\n") == []
    # instance means and medians (relu.compute_phase, _heuristic_slices, the relu-projection caption before the move)
    assert violations("t = res.relative('teacher_outside').mean(0)\nv = np.mean([f(r) for r in rho], axis=0)\n") \
        == [(1, ".mean()"), (2, "np.mean")]
    assert violations("a = np.nanmean(c, axis=1)\nb = np.median(x)\nc = np.average(x, weights=w)\n") == \
        [(1, "np.nanmean"), (2, "np.median"), (3, "np.average")]
    assert violations("chi = float(np.nansum(z[below] ** 2))\nm = est.mean\n") == [(1, "np.nansum")]
    # differences with a theory value: z-scores and compositions (finite_source._checks, ft_phase._summary)
    src = ("import ftheory\npaper = ftheory.get('finetune_transferability')\n"
           "z = (T - paper(gamma=G, theta=TH)) / S\n"
           "g = gf(gamma=g0) - ftheory.get('finetune_transferability')(gamma=g0)\n"
           "ref = paper(gamma=G, theta=TH)\nd = Tl - ref\n")
    assert violations(src) == [(3, "- theory"), (4, "- theory"), (6, "- theory")]
    src = ("def gf_fs(gamma):\n    return ftheory.get('finetune_transferability_gf_finite_source')(gamma=gamma)\n"
           "z = T - gf_fs(G)\n")
    assert violations(src) == [(3, "- theory")]                         # through a module-level wrapper
    # ... but not a difference of drawing quantities, nor one with data.get (a dict), nor a theory value unchanged
    assert violations("lo = m - s\nx = data.get('a')(1) - 2\npaper = ftheory.get('r')\ny = paper(gamma=g)\n"
                      "w = theory_gap(paper(gamma=g), y)\n") == []
    # drawing arithmetic stays allowed: limits, colours, grids of theory arguments, means for a colour scale
    assert violations("ax.set_xlim(0, 1.05 * x.max())\ng = np.linspace(0, 2, 100)\nv = np.quantile(K, 0.99)\n") == []
    # an allow-list entry counts only in its file and function
    src = "def _edges(v, log):\n    return np.exp(np.log(v))\n"
    used = set()
    assert violations(src, "relu.py", used) == []
    assert used == {("relu.py", "_edges", "np.exp"), ("relu.py", "_edges", "np.log")}
    assert violations(src, "tuned.py") == [(2, "np.exp"), (2, "np.log")]
    assert violations("def other(v):\n    return np.log(v)\n", "relu.py") == [(2, "np.log")]
