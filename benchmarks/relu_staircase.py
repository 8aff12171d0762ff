"""Scratch risk of the mean-field ReLU network split by Hermite degree, over n (docs/performance.md, ReLU section).

The protocol of the ``paper`` preset (plateau rule 0.02, lr = 1, same seeds as ``reproduce``: instance streams
of ``SeedSequence([seed, 10])``) at m* = d, m = 10 d; for each n, prints the mean relative risk and the mean
residual ``||P_k (f - f_t)||^2 / ||f_t||^2`` for degrees 0, 1, 2 and >= 3 (``ftheory.relu.hermite``). With
``--d 100 --instances 8`` the instances are those of the stored paper-scale run (risks reproduced exactly).

    python benchmarks/relu_staircase.py --d 20 --instances 3 --ns 20,40,80,160,320,640
"""
import argparse
import json
import time

import numpy as np

from ftheory.relu.hermite import degree_norms
from ftheory.simulate._random import spawn_seeds
from ftheory.simulate.relu.driver import _draw, _streams
from ftheory.simulate.relu.gd import gradient_descent
from ftheory.simulate.relu.network import _concat, norm_sq
from ftheory.simulate.relu.objectives import EmpiricalLoss
from ftheory.simulate.relu.procedures import RiskMonitor
from ftheory.simulate.relu.spec import RELU_SCALES, ReluSpec


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--d", type=int, default=20)
    ap.add_argument("--instances", type=int, default=3)
    ap.add_argument("--ns", default="20,40,80,160,320,640")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    ns = [int(v) for v in a.ns.split(",")]
    D, I = a.d, a.instances
    spec = ReluSpec(**{**RELU_SCALES["paper"], "d": D, "m": 10 * D, "m_star": D, "instances": I})
    streams = [_streams(c) for c in spawn_seeds(np.random.SeedSequence([a.seed, 10]), I)]
    teacher, _, sc_init, X_all, y_all = _draw(spec, streams, max(max(ns), 3200))
    tg = teacher.target
    nf = norm_sq(tg)
    tdeg = np.mean([degree_norms(tg.weights[i], tg.coef[i]) / nf[i] for i in range(I)], axis=0)
    print(json.dumps({"d": D, "target_degrees": tdeg.round(4).tolist()}), flush=True)
    for n in ns:
        c0 = time.process_time()
        res = gradient_descent(EmpiricalLoss(X_all[:, :n], y_all[:, :n]), sc_init, spec.lr, spec.steps, spec.tol,
                               spec.grad_tol, True, plateau=spec.plateau, monitor=RiskMonitor(tg))
        f = _concat(res.net.function, tg)
        deg = np.array([degree_norms(f.weights[i], f.coef[i]) / nf[i] for i in range(I)])
        print(json.dumps({"d": D, "n": n, "risk": float(deg.sum(1).mean()), "degrees": deg.mean(0).round(4).tolist(),
                          "steps": res.steps.tolist(), "cpu_s": round(time.process_time() - c0, 1)}), flush=True)


if __name__ == "__main__":
    main()
