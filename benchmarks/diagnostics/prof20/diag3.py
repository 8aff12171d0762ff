"""Setting IDX, stream S, first REPS replications: for each PROC, the own test (the report's: plain or studentized)
at the truth itself (rejection rate per side: the size a profile test can reach at best), and the profile's
restricted nearest point for c = f(truth) (nearest region point with f beyond f(truth) on the side; A: raw points,
B: their nearest real tasks): how often it is rejected, and (A) how often it is not a real task."""
import sys
import numpy as np
sys.path.insert(0, "benchmarks")  # from the repository root, with variant_*.diff applied
from advisor_band_coverage import SETTINGS, true_risks
from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.predict import isotropic_risk
from ftheory.advise.report import _region, STUDENTIZED
from ftheory.advise.synthetic import make_task
from ftheory.advise.own_test import studentized_margin
from ftheory.advise.bands import score_distance, param_cov_rows, feasible_rows, _ALPHA, ScoreRegion

idx, stream, reps, procs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].split(",")
d, gamma, theta, sigma, spec = SETTINGS[idx]
n = int(round(gamma * d)); seed = 500 + idx
task = make_task(d, theta, sigma, seed=seed)
truths = true_risks(task, None, n - 1, d)
tr = task.truth(); ptrue = np.array([tr["signal"], tr["noise_variance"], tr["overlap_inner"], tr["source_signal"]])
rng = np.random.default_rng(seed + 1 if stream == 0 else [seed + 1, stream])
stats = {p: {k: np.zeros(2) for k in ("truth_rej", "A_rej", "A_nonreal", "B_rej", "dist_truth_le_A")} for p in procs}
for rep in range(reps):
    X, y = task.sample(n, rng)
    prep = prepare(X, y, X @ task.beta_s, None)
    pe = estimate_parameters(prep)
    m = prep.X.shape[0]
    reg = _region(pe)
    for proc in procs:
        f = lambda P, proc=proc: isotropic_risk(proc, m, d, P)
        linear = proc.endswith("min_norm"); stud = proc in STUDENTIZED
        ev = ScoreRegion._evaluator(f, linear)
        v0 = np.asarray(f(reg.raw if linear else reg.points), float)
        Pa, va = reg.aimed_rays(f, linear, v0)
        P, v = np.concatenate([reg.raw, Pa]), np.concatenate([v0, va])
        cov = (lambda Q: param_cov_rows(reg.cut.n, reg.cut.d, feasible_rows(Q))) if stud else None
        margin = reg.cut.stat_margin if cov is None else studentized_margin(reg.cut, ev, P[0], cov, _ALPHA, linear)
        stat = float(v[0]); t = truths[proc]
        Q = feasible_rows(P); vq = ev(Q)
        dA = score_distance(reg.cut.n, reg.cut.d, reg.raw[0], P); dB = score_distance(reg.cut.n, reg.cut.d, reg.raw[0], Q)
        dt = score_distance(reg.cut.n, reg.cut.d, reg.raw[0], ptrue[None])[0]
        for k, sign in enumerate((1.0, -1.0)):
            s = stats[proc]
            s["truth_rej"][k] += margin(ptrue[None], ev, stat, sign)[0] <= 0
            for name, pts, vals, dist in (("A", P, v, dA), ("B", Q, vq, dB)):
                ok = (sign * (vals - t) >= 0) & np.isfinite(dist)
                if not ok.any():
                    s[name + "_rej"][k] += 1
                    continue
                i = np.flatnonzero(ok)[np.argmin(dist[ok])]
                s[name + "_rej"][k] += margin(pts[i:i + 1], ev, stat, sign)[0] <= 0
                if name == "A":
                    s["A_nonreal"][k] += not np.allclose(P[i], Q[i])
                    s["dist_truth_le_A"][k] += dt <= dist[i]
for proc in procs:
    print(proc, "upper / lower:", {k: (round(a[0] / reps, 3), round(a[1] / reps, 3)) for k, a in stats[proc].items()}, flush=True)
