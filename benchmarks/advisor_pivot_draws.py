"""Cost of the anisotropic pivot's draws below n = d: ``advise`` with 1024 draws (the default) against 256.

    PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/advisor_pivot_draws.py [--shapes 60x30 200x100 500x250] \\
        [--runs 2] [--base 256]

Same process, same data (``make_task``, spectrum 1/i, teachers at angle 0.9, noise 0.6, ``N = 20 d``
unlabeled rows): CPU seconds (``time.process_time``) of ``advise(X, y, source_pred=z, unlabeled=U)`` with the
pivot's default draws and with ``--base`` draws patched in as the default, alternately, after a warm-up call
each, and the peak memory Python allocated during one call of each (``tracemalloc``; numpy's buffers are
traced). Prints the minimum over ``--runs``, the ratio, and the largest move of a band end between the two
relative to the band's width (the draws' Monte Carlo error).
"""
from __future__ import annotations

import argparse
import inspect
import os
import time
import tracemalloc
import warnings

import numpy as np

from ftheory.advise import advise
from ftheory.advise.aniso_pivot import PIVOT_DRAWS
from ftheory.advise.aniso_predict import AnisotropicPredictor
from ftheory.advise.synthetic import make_task


def _call(X, y, z, U, draws):
    """CPU seconds and report of one ``advise`` call with the pivot's default draws set to ``draws``."""
    init = AnisotropicPredictor.__init__
    saved = init.__defaults__
    init.__defaults__ = tuple(draws if p.name == "pivot_draws" else p.default
                              for p in inspect.signature(init).parameters.values() if p.default is not p.empty)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.process_time()
            rep = advise(X, y, source_pred=z, unlabeled=U)
            return time.process_time() - t0, rep
    finally:
        init.__defaults__ = saved


def _peak(X, y, z, U, draws):
    tracemalloc.start()
    try:
        _call(X, y, z, U, draws)
        return tracemalloc.get_traced_memory()[1] / 2 ** 20
    finally:
        tracemalloc.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shapes", nargs="+", default=["60x30", "200x100", "500x250"], metavar="DxN")
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--base", type=int, default=256, help="the baseline's pivot draws")
    a = ap.parse_args()
    print(f"load average: {os.getloadavg()[0]:.1f}; CPU seconds, min over {a.runs} runs; pivot draws "
          f"{PIVOT_DRAWS} against {a.base}")
    print(f"| d | n | {a.base} draws (s) | {PIVOT_DRAWS} draws (s) | ratio | peak MiB {a.base} | peak MiB {PIVOT_DRAWS} "
          "| largest end move / width |")
    print("|---|---|---|---|---|---|---|---|")
    for shape in a.shapes:
        d, n = map(int, shape.lower().split("x"))
        task = make_task(d, 0.9, 0.6, eigenvalues=np.arange(1, d + 1) ** -1.0, seed=1)
        rng = np.random.default_rng(2)
        X, y = task.sample(n, rng)
        U = task.sample(20 * d, rng)[0]
        z = X @ task.beta_s
        _call(X, y, z, U, a.base), _call(X, y, z, U, PIVOT_DRAWS)      # warm-up
        tb, td = [], []
        for _ in range(a.runs):
            t, rb = _call(X, y, z, U, a.base)
            tb.append(t)
            t, rd = _call(X, y, z, U, PIVOT_DRAWS)
            td.append(t)
        move = 0.0
        for k, (lo, hi) in ((k, v["ci"]) for k, v in rb.to_dict()["predictions"].items()):
            lo2, hi2 = rd.to_dict()["predictions"][k]["ci"]
            w = max(hi - lo, 1e-300)
            move = max(move, abs(lo2 - lo) / w, abs(hi2 - hi) / w)
        mb, md = _peak(X, y, z, U, a.base), _peak(X, y, z, U, PIVOT_DRAWS)
        print(f"| {d} | {n} | {min(tb):.2f} | {min(td):.2f} | {min(td) / min(tb):.2f} | {mb:.0f} | {md:.0f} | "
              f"{move:.3f} |", flush=True)


if __name__ == "__main__":
    main()
