"""Acceptance of the isotropic spectral tests at the TRUE task (the coverage of the interval, up to the
inversion grid and the hull): world fitted under the candidate (what the intervals invert) against the
true world (no plug-in), on the coverage study's tasks (``benchmarks/advisor_coverage.py``).

    PYTHONPATH=. python benchmarks/advisor_acceptance.py --only 8 --reps 2000 --stream 5 [--seeds 0,1]

``--stream 0`` replays the coverage study's default samples (``--stream k`` its stream k); ``--seeds``
are the seeds of the simulated draws (0 is the advisor's). Prints, per estimate and seed, the fraction of
samples whose true value is kept with the fitted and with the true world. ``--exact`` instead checks the
signal and noise test at the true world on fresh teachers (centred and scaled as the advisor does; the law
integrates over the estimated scale, ``SpectralWorlds(scale=...)``), with fresh draws for each sample (``--seeds fresh``)
or the advisor's seed 0: acceptance and the mean of the probability integral transform. ``--hull`` adds,
for the signal and noise with the advisor's draws, the interval's coverage, how often it covers a true
value the test rejects (the hull with the reported U-statistic value) and how often that value lies
outside the kept set.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from advisor_coverage import SETTINGS  # noqa: E402

from ftheory.advise.estimators import estimate_parameters
from ftheory.advise.overlap_spectral import SpectralCosine
from ftheory.advise.param_cov import feasible
from ftheory.advise.prepared import prepare
from ftheory.advise.spectral import SpectralWorlds, rms_scale
from ftheory.advise.synthetic import make_task


def run(i, reps, stream, seeds, params, hull=False):
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
        if hull:
            _hull(prep, tr, params, kept)
        for s in seeds:
            if "overlap" in params:
                sc = SpectralCosine(prep.X, prep.y, prep.z, seed=s)
                c = tr["overlap"]
                obs, sims = sc.law(c, tr["signal"], tr["noise_variance"])
                for key, ok in (("fitted", sc.accept(c) <= 0), ("true", obs <= np.quantile(sims, 0.95) + 1e-9)):
                    kept[("overlap", s, key)] = kept.get(("overlap", s, key), 0) + bool(ok)
            sw = SpectralWorlds(prep.X, prep.y, seed=s, scale=rms_scale(prep.X) if prep.common_scale else None)
            for which, name in ((0, "signal"), (1, "noise_variance")):
                if name not in params:
                    continue
                t, nu = tr[name], tr["noise_variance" if which == 0 else "signal"]
                for key, w in (("fitted", sw.nuisance_fit(t, which)), ("true", nu)):
                    kept[(name, s, key)] = kept.get((name, s, key), 0) + bool(sw.profile_accept(t, w, which) <= 0)
    return {k: v / reps for k, v in sorted(kept.items())}


def _hull(prep, tr, params, kept):
    pe = estimate_parameters(prep)
    sw = pe.spectral_worlds
    for which, name in ((0, "signal"), (1, "noise_variance")):
        if name not in params:
            continue
        t = tr[name]
        iv = pe.interval(name)
        ok = sw.profile_accept(t, sw.nuisance_fit(t, which), which) <= 0
        v = float(feasible(pe.p)[which])
        out = sw.profile_accept(v, sw.nuisance_fit(v, which), which) > 0
        for key, x in (("interval covers", iv.covers(t)), ("covers, test rejects", iv.covers(t) and not ok),
                       ("reported value outside kept set", out)):
            kept[(name, 0, key)] = kept.get((name, 0, key), 0) + bool(x)


def exact(i, reps, stream, fresh):
    """Acceptance and mean PIT of the spectral signal / noise test at the true world (exact law)."""
    d, gamma, theta, sigma, spec = SETTINGS[i]
    n = int(round(gamma * d))
    rng = np.random.default_rng([777, i, stream])
    acc, pit = np.zeros(2), np.zeros(2)
    for _ in range(reps):
        b = rng.standard_normal(d)
        b /= np.linalg.norm(b)
        X = rng.standard_normal((n, d))
        prep = prepare(X, X @ b + sigma * rng.standard_normal(n), X[:, 0], None, center=True)
        sw = SpectralWorlds(prep.X, prep.y, seed=rng if fresh else 0,
                            scale=rms_scale(prep.X) if prep.common_scale else None)
        for which, (t, nu) in enumerate(((1.0, sigma ** 2), (sigma ** 2, 1.0))):   # tau^2 = 1
            obs, sims = sw.profile_law(t, nu, which)
            lo, hi = np.quantile(sims, [0.025, 0.975])
            acc[which] += lo <= obs <= hi
            pit[which] += np.mean(sims < obs)
    return acc / reps, pit / reps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", type=int, required=True, help="setting index of benchmarks/advisor_coverage.py")
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--stream", type=int, default=5)
    ap.add_argument("--seeds", default="0")
    ap.add_argument("--params", default="overlap,signal,noise_variance")
    ap.add_argument("--exact", action="store_true", help="signal/noise test at the true world, fresh teachers")
    ap.add_argument("--hull", action="store_true", help="signal/noise intervals: coverage and the hull's share")
    ns = ap.parse_args()
    if ns.exact:
        acc, pit = exact(ns.only, ns.reps, ns.stream, ns.seeds == "fresh")
        for k, name in enumerate(("signal", "noise_variance")):
            print(f"setting {ns.only} stream {ns.stream} reps {ns.reps} draws {ns.seeds} {name}: kept {acc[k]:.4f}, "
                  f"mean PIT {pit[k]:.4f} (s.e. {(1 / 12 / ns.reps) ** 0.5:.4f})")
        return
    res = run(ns.only, ns.reps, ns.stream, [int(s) for s in ns.seeds.split(",")], ns.params.split(","), ns.hull)
    for (name, s, key), v in res.items():
        print(f"setting {ns.only} stream {ns.stream} reps {ns.reps} {name} draws seed {s} {key}"
              f"{' world' if key in ('fitted', 'true') else ''}: {v:.4f}")


if __name__ == "__main__":
    main()
