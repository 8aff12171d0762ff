"""Start-up cost of `ftheory eval` against baselines measured in the same run.

The numeric path evaluates generated NumPy code and never imports SymPy (DESIGN.md §3). This
benchmark times, as separate processes (median of several runs):

* ``python -c pass`` - the interpreter alone;
* ``python -c "import numpy"`` - the floor for any NumPy evaluator;
* ``ftheory eval scratch_risk gamma=0.5 sigma=0.2`` - the CLI;
* the counterfactual: import SymPy, build the expression and ``lambdify`` it per call.

Run: ``python benchmarks/bench_cli_startup.py [--repeat 7] [--against DIR]``. With ``--against DIR``
(e.g. ``git worktree add /tmp/base HEAD~5``) the CLI is also timed with ``DIR`` first on
``PYTHONPATH``, interleaved run by run with the current tree, to compare two versions of the package.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import numpy": [sys.executable, "-c", "import numpy"],
    "ftheory eval (generated code)": [sys.executable, "-m", "ftheory.cli", "eval", "scratch_risk",
                                      "gamma=0.5", "sigma=0.2"],
    "sympy + lambdify per call": [sys.executable, "-c",
                                  "import ftheory, sympy as sp; r = ftheory.get('scratch_risk'); "
                                  "f = sp.lambdify([s for s in r.symbols.values()], r.expr, 'numpy'); "
                                  "print(f(0.5, 0.2, 1.0))"],
}


def measure(cmd, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def compare(against, repeat):
    """Median times of ``ftheory eval`` with this tree and with ``against`` first on the path, interleaved."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    cmd = COMMANDS["ftheory eval (generated code)"]
    times = {here: [], against: []}
    for _ in range(repeat):
        for tree in (against, here):
            env = dict(os.environ, PYTHONPATH=tree)
            t = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=tree)
            times[tree].append(time.perf_counter() - t)
    new, old = statistics.median(times[here]), statistics.median(times[against])
    print(f"\nftheory eval: this tree {new:.3f} s, {against} {old:.3f} s (ratio {new / old:.3f}; "
          f"medians of {repeat} interleaved runs)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--against", metavar="DIR", help="another checkout to time ftheory eval against")
    ns = ap.parse_args()
    if ns.against:
        compare(os.path.abspath(ns.against), ns.repeat)
    results = {name: measure(cmd, ns.repeat) for name, cmd in COMMANDS.items()}
    base = results["import numpy"]
    print(f"{'command':34s} {'median s':>9s} {'/ import numpy':>15s}")
    for name, t in results.items():
        print(f"{name:34s} {t:9.3f} {t / base:15.2f}")
    eval_t = results["ftheory eval (generated code)"]
    print(f"\nftheory eval costs {eval_t - base:.3f} s above importing NumPy; "
          f"the SymPy route is {results['sympy + lambdify per call'] / eval_t:.1f}x slower.")


if __name__ == "__main__":
    main()
