"""Before/after at paper scale for the fine-tuning figures: the per-point simulator with GD pretraining
(`simulate_finetune_paired`, what the figures ran before) against the row simulator with the balanced
pretrained state (`simulate_finetune_rows`, what they run now), d = 500, 20 instances, the figures' seeds
(`point_seed(0, point)`), and the row simulator with GD pretraining on the same draws as the balanced one.

Run: ``PYTHONPATH=. python benchmarks/compare_rows_paper.py [CASES]`` (CASES: indices such as ``2,3,4``; all five take
about 15 CPU minutes).
"""
import math
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402

from ftheory.simulate.paired import simulate_finetune_paired  # noqa: E402
from ftheory.simulate.paired_rows import row_key, simulate_finetune_rows  # noqa: E402
from ftheory.simulate.sweeps import point_seed  # noqa: E402

d, I = 500, 20
TH = [math.pi / 8, math.pi / 4, 3 * math.pi / 8]
cases = [(None, 150), (None, 450), (None, 750), (0.5, 250), (1.5, 350)]
if len(sys.argv) > 1:  # a subset, e.g. "2,3,4"
    cases = [cases[int(i)] for i in sys.argv[1].split(",")]
# the angle compared with the per-point simulator at each n (a few points keep the old runs affordable)
ANGLE = {150: 0, 250: 0, 350: 2, 450: 2, 750: 1}


def main():
    for gs, n in cases:
        # a fresh SeedSequence per call: spawning children from the same object twice gives new children
        kw = dict(thetas=TH, gamma_s=gs, sigma_s=0.2, instances=I, max_steps=30000)
        t0 = time.perf_counter()
        new = simulate_finetune_rows(n, d, 0.2, seed=point_seed(0, {"n": n}), **kw)
        t1 = time.perf_counter()
        gd = simulate_finetune_rows(n, d, 0.2, pretrained="gd", seed=point_seed(0, {"n": n}), **kw)
        t2 = time.perf_counter()
        print(f"# gamma_s={gs} n={n}: rows balanced {t1 - t0:.1f}s, rows gd-pretrained {t2 - t1:.1f}s", flush=True)
        j = ANGLE[n]
        th = TH[j]
        t3 = time.perf_counter()
        old = simulate_finetune_paired(n, d, th, 0.2, gamma_s=gs, sigma_s=0.2, instances=I,
                                       seed=point_seed(0, {"theta": th, "n": n}), max_steps=30000)
        t4 = time.perf_counter()
        for q in ("T_ft", "T_lt", "c_gd", "gap_paper"):
            if q not in old:
                continue
            a, b, c = old[q], new[row_key(q, j)], gd[row_key(q, j)]
            z = (b.mean - a.mean) / math.hypot(a.sem, b.sem)
            dmax = np.abs(b.samples - c.samples).max()
            print(f"gamma_s={gs} n={n} theta={th:.4f} {q:9s} old {a.mean:+.4f}+-{a.sem:.4f} "
                  f"(conv {a.converged.sum()}) new {b.mean:+.4f}+-{b.sem:.4f} (conv {b.converged.sum()}) "
                  f"z={z:+.2f}  same-draw |balanced-gd| max {dmax:.1e}", flush=True)
        print(f"   old point {t4 - t3:.1f}s", flush=True)


if __name__ == "__main__":
    main()
