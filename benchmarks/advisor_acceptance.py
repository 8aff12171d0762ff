"""Acceptance of the isotropic spectral tests at the TRUE task (the coverage of the interval, up to the
inversion grid and the hull): world fitted under the candidate (what the intervals invert) against the
true world (no plug-in), on the coverage study's tasks (``benchmarks/advisor_coverage.py``).

    PYTHONPATH=. python benchmarks/advisor_acceptance.py --only 8 --reps 2000 --stream 5 [--seeds 0,1]

``--stream 0`` replays the coverage study's default samples (``--stream k`` its stream k); ``--seeds``
are the seeds of the simulated draws (0 is the advisor's). Prints, per estimate and seed, the fraction of
samples whose true value is kept with the fitted and with the true world.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from advisor_coverage import SETTINGS  # noqa: E402

from ftheory.advise.overlap_spectral import SpectralCosine
from ftheory.advise.prepared import prepare
from ftheory.advise.spectral import SpectralWorlds
from ftheory.advise.synthetic import make_task


def run(i, reps, stream, seeds, params):
    d, gamma, theta, sigma, spec = SETTINGS[i]
    if spec is not None:
        raise ValueError(f"setting {i} is anisotropic: the spectral tests are isotropic only")
    n = int(round(gamma * d))
    task = make_task(d, theta, sigma, seed=100 + i)
    tr = task.truth()
    rng = np.random.default_rng(100 + i + 1 if stream == 0 else [100 + i + 1, stream])  # as the coverage study
    kept = {}
    for _ in range(reps):
        X, y = task.sample(n, rng)
        prep = prepare(X, y, X @ task.beta_s, None, center=True)
        for s in seeds:
            if "overlap" in params:
                sc = SpectralCosine(prep.X, prep.y, prep.z, seed=s)
                c = tr["overlap"]
                obs, sims = sc.law(c, tr["signal"], tr["noise_variance"])
                for key, ok in (("fitted", sc.accept(c) <= 0), ("true", obs <= np.quantile(sims, 0.95) + 1e-9)):
                    kept[("overlap", s, key)] = kept.get(("overlap", s, key), 0) + bool(ok)
            sw = SpectralWorlds(prep.X, prep.y, seed=s)
            for which, name in ((0, "signal"), (1, "noise_variance")):
                if name not in params:
                    continue
                t, nu = tr[name], tr["noise_variance" if which == 0 else "signal"]
                for key, w in (("fitted", sw.nuisance_fit(t, which)), ("true", nu)):
                    kept[(name, s, key)] = kept.get((name, s, key), 0) + bool(sw.profile_accept(t, w, which) <= 0)
    return {k: v / reps for k, v in sorted(kept.items())}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", type=int, required=True, help="setting index of benchmarks/advisor_coverage.py")
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--stream", type=int, default=5)
    ap.add_argument("--seeds", default="0")
    ap.add_argument("--params", default="overlap,signal,noise_variance")
    ns = ap.parse_args()
    res = run(ns.only, ns.reps, ns.stream, [int(s) for s in ns.seeds.split(",")], ns.params.split(","))
    for (name, s, key), v in res.items():
        print(f"setting {ns.only} stream {ns.stream} reps {ns.reps} {name} draws seed {s} {key} world: {v:.4f}")


if __name__ == "__main__":
    main()
