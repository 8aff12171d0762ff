"""Setting IDX, stream S, first REPS replications of the band benchmark: fine-tuning min-norm's (or PROC's) band
with the profile test (branch) and with the union (distance None), the truth, and at misses the lower frontier."""
import sys
import numpy as np
sys.path.insert(0, "benchmarks")  # from the repository root, with variant_*.diff applied
from advisor_band_coverage import SETTINGS, true_risks
from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.predict import isotropic_risk
from ftheory.advise.report import _region, STUDENTIZED
from ftheory.advise.synthetic import make_task
from ftheory.advise.own_test import accepted, profile_frontier, studentized_margin
from ftheory.advise.bands import score_distance, param_cov_rows, feasible_rows, _ALPHA, ScoreRegion

idx, stream, reps, proc = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
d, gamma, theta, sigma, spec = SETTINGS[idx]
n = int(round(gamma * d)); seed = 500 + idx
task = make_task(d, theta, sigma, seed=seed)
truth = true_risks(task, None, n - 1, d)[proc]
tr = task.truth(); ptrue = np.array([tr["signal"], tr["noise_variance"], tr["overlap_inner"], tr["source_signal"]])
print("truth", truth, "p_true", ptrue)
rng = np.random.default_rng(seed + 1 if stream == 0 else [seed + 1, stream])
linear = proc.endswith("min_norm"); stud = proc in STUDENTIZED
cnt = np.zeros((2, 2), int)
for rep in range(reps):
    X, y = task.sample(n, rng)
    prep = prepare(X, y, X @ task.beta_s, None)
    pe = estimate_parameters(prep)
    m = prep.X.shape[0]
    reg = _region(pe)
    f = lambda P: isotropic_risk(proc, m, d, P)
    ev = ScoreRegion._evaluator(f, linear)
    v0 = np.asarray(f(reg.raw if linear else reg.points), float)
    Pa, va = reg.aimed_rays(f, linear, v0)
    P, v = np.concatenate([reg.raw, Pa]), np.concatenate([v0, va])
    cov = (lambda Q: param_cov_rows(reg.cut.n, reg.cut.d, feasible_rows(Q))) if stud else None
    dist = score_distance(reg.cut.n, reg.cut.d, reg.raw[0], P)
    new = accepted(reg.cut, ev, P, v, cov=cov, alpha=_ALPHA, linear=linear, distance=dist)
    old = accepted(reg.cut, ev, P, v, cov=cov, alpha=_ALPHA, linear=linear)
    lo_n, lo_o = max(min(new), 0) if linear else min(new), max(min(old), 0) if linear else min(old)
    hi_n, hi_o = max(new), max(old)
    cnt[0] += [truth < lo_o, truth > hi_o]; cnt[1] += [truth < lo_n, truth > hi_n]
    if truth < lo_n and not truth < lo_o or truth > hi_n and not truth > hi_o:
        side = -1.0 if truth < lo_n else 1.0
        margin = cut_m = reg.cut.stat_margin if cov is None else studentized_margin(reg.cut, ev, P[0], cov, _ALPHA, linear)
        fr = profile_frontier(v, dist, side)
        mg = margin(P[fr], ev, float(v[0]), side)
        dtrue = score_distance(reg.cut.n, reg.cut.d, reg.raw[0], ptrue[None])[0]
        print(f"rep {rep} side {side:+.0f} p_hat {np.round(P[0],3)} value {v[0]:.3f} old [{lo_o:.3f},{hi_o:.3f}] new [{lo_n:.3f},{hi_n:.3f}] truth dist {dtrue:.2f}")
        for i, g in zip(fr[:12], mg[:12]):
            print(f"    f {v[i]:.3f} dist {dist[i]:.2f} margin {g:+.3f} p {np.round(P[i],3)}")
print("old below/above", cnt[0], "new", cnt[1])
