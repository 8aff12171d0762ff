"""Speed and range of the gradient-flow fine-tuning evaluators (``ftheory/stable_finetune.py``).

Baseline, built in the same process: the registered SymPy expression printed by :mod:`ftheory.codegen`
as branch-safe NumPy code, with the exact power-of-4 rescaling of ``ftheory.stable.rescaled`` (the generated
evaluator before these results got a stable form).
Reports, per result, the median time on 10^5 ordinary points (scales 0.1..3, depth 2..6) for both and
their ratio, whether the values are bit-identical there, and on 10^4 extreme points (norms and sigma
log-uniform from 2.2e-308 to 1e30) how many of 200 of them (checked in mpmath) each gets wrong:
non-finite where the value is finite, or more than 1e-12 relative off.

Run: ``python benchmarks/bench_finetune_range.py``.
"""
import time
import warnings

import mpmath
import numpy as np

import ftheory
from ftheory import codegen, stable, stable_finetune
from ftheory.symbolic import expr_of

NAMES = ("finetune_scale", "finetune_transferability_gf", "finetune_break_even_theta_gf")
#: degree of homogeneity in (sigma, norm_s, norm_t): the baseline rescales those exactly, as the generated
#: evaluator did (codegen.SCALING) before these results got a stable form
DEGREE = {"finetune_scale": 0, "finetune_transferability_gf": 2, "finetune_break_even_theta_gf": 0}


def baseline(name):
    """The SymPy-printed branch function of ``name`` (the code generator's output without the stable form)."""
    r = ftheory.get(name)
    printer = codegen._NumPyPrinter({"fully_qualified_modules": True})
    lines = codegen._branch_function(f"_{name}", codegen._plain(expr_of(name), r.params), r.params, printer)
    scope = {}
    exec("import functools\nimport numpy\nfrom ftheory._generated._support import broadcast_float\n"
         + "\n".join(lines), scope)
    group = tuple(r.params.index(p) for p in ("sigma", "norm_s", "norm_t"))
    return lambda *args: stable.rescaled(scope[f"_{name}"], args, group, DEGREE[name])


def points(rng, params, count, low, high):
    cols = []
    for p in params:
        if p == "theta":
            cols.append(rng.uniform(0, np.pi, count))
        elif p == "depth":
            cols.append(rng.integers(2, 7, count).astype(float))
        elif p == "gamma":
            cols.append(rng.uniform(0, 2, count))
        else:
            cols.append(10 ** rng.uniform(low, high, count))
    return cols


def median_time(fn, args, repeat=7):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main():
    rng = np.random.default_rng(0)
    print(f"{'result':32s} {'base ms':>8s} {'new ms':>8s} {'ratio':>6s} {'identical':>9s} {'extreme points off by > 1e-12 (base, new)':>44s}")
    for name in NAMES:
        r = ftheory.get(name)
        old, new = baseline(name), getattr(stable_finetune, name)
        args = points(rng, r.params, 100_000, -1, 0.5)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_old, t_new = median_time(old, args), median_time(new, args)
            same = np.array_equal(old(*args), new(*args))
            extreme = points(rng, r.params, 10_000, np.log10(2.2250738585072014e-308), 30)
            base, mine = old(*extreme), new(*extreme)
        bad, bad_new = 0, 0
        for i in rng.choice(10_000, 200, replace=False):
            kw = {p: (int(c[i]) if p == "depth" else float(c[i])) for p, c in zip(r.params, extreme)}
            exact = r.mp(dps=20, **kw)
            for values, counter in ((base, "bad"), (mine, "bad_new")):
                off = not np.isfinite(values[i]) if mpmath.isfinite(exact) and abs(exact) < 1.7e308 else \
                    values[i] != float(mpmath.sign(exact)) * np.inf
                if not off and np.isfinite(values[i]):
                    off = abs(mpmath.mpf(values[i]) - exact) > 1e-12 * abs(exact) + 2.3e-308
                if counter == "bad":
                    bad += off
                else:
                    bad_new += off
        print(f"{name:32s} {t_old * 1e3:8.1f} {t_new * 1e3:8.1f} {t_new / t_old:6.2f} {str(same):>9s} "
              f"{bad:>28d}, {bad_new} of 200")


if __name__ == "__main__":
    main()
