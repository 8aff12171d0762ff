"""Accuracy of the float64 evaluators against 50-digit mpmath, for every registered result.

For each result, draws random points inside the declared domains (integers up to 200, reals up
to 5) and reports the largest relative error of ``r(**p)`` against ``r.mp(dps=50, **p)`` on the
same binary inputs, plus, for results with ``gamma``, the error on points approaching the
interpolation peak ``gamma = 1 +- 10^-k``.

Run: ``python benchmarks/bench_accuracy.py [--points 2000] [--only NAME]``.
"""
import argparse
import math

import numpy as np

import ftheory
from ftheory.params import PARAMS


def draw(rng, result, count):
    pts = []
    for _ in range(count):
        p = {}
        for name in result.params:
            prm = PARAMS[name]
            if prm.integer:
                p[name] = int(rng.integers(max(int(prm.low), 1), 200))
            else:
                hi = prm.high if math.isfinite(prm.high) else 5.0
                p[name] = float(rng.uniform(prm.low, hi))
        pts.append(p)
    return pts


def rel_err(result, p):
    fast = float(result(**p))
    exact = float(result.mp(dps=50, **p))
    if math.isinf(exact) or exact == 0:
        return 0.0 if fast == exact else math.inf
    return abs(fast - exact) / abs(exact)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=2000)
    ap.add_argument("--only")
    ns = ap.parse_args()
    rng = np.random.default_rng(0)
    print(f"{'result':48s} {'points':>7s} {'max rel err':>12s} {'near gamma=1':>13s}")
    for r in ftheory.results():
        if ns.only and r.name != ns.only:
            continue
        errs = [rel_err(r, p) for p in draw(rng, r, ns.points)]
        near = ""
        if "gamma" in r.params:
            base = draw(rng, r, 1)[0]
            worst = 0.0
            for k in range(1, 16):
                for side in (-1, 1):
                    worst = max(worst, rel_err(r, {**base, "gamma": 1 + side * 10.0 ** -k}))
            near = f"{worst:13.2e}"
        print(f"{r.name:48s} {len(errs):7d} {max(errs):12.2e} {near}")


if __name__ == "__main__":
    main()
