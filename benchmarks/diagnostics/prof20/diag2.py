"""Setting IDX, stream S, first REPS replications of the band benchmark: misses (below/above) of PROC's band with
the union (old), the profile over raw region points (A) and over their nearest real tasks (B); frontier ends at
non-real points counted."""
import sys
import numpy as np
sys.path.insert(0, "benchmarks")  # from the repository root, with variant_*.diff applied
from advisor_band_coverage import SETTINGS, true_risks
from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.predict import isotropic_risk
from ftheory.advise.report import _region, STUDENTIZED
from ftheory.advise.synthetic import make_task
from ftheory.advise.own_test import accepted
from ftheory.advise.bands import score_distance, param_cov_rows, feasible_rows, _ALPHA, ScoreRegion

idx, stream, reps, procs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].split(",")
d, gamma, theta, sigma, spec = SETTINGS[idx]
n = int(round(gamma * d)); seed = 500 + idx
task = make_task(d, theta, sigma, seed=seed)
truths = true_risks(task, None, n - 1, d)
rng = np.random.default_rng(seed + 1 if stream == 0 else [seed + 1, stream])
cnt = {p: np.zeros((3, 2), int) for p in procs}
wid = {p: np.zeros(3) for p in procs}
for rep in range(reps):
    X, y = task.sample(n, rng)
    prep = prepare(X, y, X @ task.beta_s, None)
    pe = estimate_parameters(prep)
    m = prep.X.shape[0]
    reg = _region(pe)
    for proc in procs:
        if proc.startswith("T_"):
            tr = "linear_transfer" if proc == "T_linear_transfer" else "finetune_ridge"
            f = lambda P, tr=tr: isotropic_risk("scratch_ridge", m, d, P) - isotropic_risk(tr, m, d, P)
        else:
            f = lambda P, proc=proc: isotropic_risk(proc, m, d, P)
        linear = proc.endswith("min_norm"); stud = proc in STUDENTIZED
        ev = ScoreRegion._evaluator(f, linear)
        v0 = np.asarray(f(reg.raw if linear else reg.points), float)
        Pa, va = reg.aimed_rays(f, linear, v0)
        P, v = np.concatenate([reg.raw, Pa]), np.concatenate([v0, va])
        cov = (lambda Q: param_cov_rows(reg.cut.n, reg.cut.d, feasible_rows(Q))) if stud else None
        Q = feasible_rows(P)
        res = [accepted(reg.cut, ev, P, v, cov=cov, alpha=_ALPHA, linear=linear),
               accepted(reg.cut, ev, P, v, cov=cov, alpha=_ALPHA, linear=linear,
                        profile=(P, v, score_distance(reg.cut.n, reg.cut.d, reg.raw[0], P))),
               accepted(reg.cut, ev, P, v, cov=cov, alpha=_ALPHA, linear=linear,
                        profile=(Q, ev(Q), score_distance(reg.cut.n, reg.cut.d, reg.raw[0], Q)))]
        value = max(v[0], 0) if linear else v[0]
        t = truths[proc]
        for k, r in enumerate(res):
            lo, hi = min(min(r), value), max(max(r), value)
            if linear:
                lo = max(lo, 0.0)
            cnt[proc][k] += [t < lo, t > hi]
            wid[proc][k] += hi - lo
for proc in procs:
    c = cnt[proc]
    print(proc, " | ".join(f"{name}: {1 - c[k].sum() / reps:.3f} ({c[k][0]}/{c[k][1]}) w {wid[proc][k] / reps:.3f}"
                           for k, name in enumerate(("union", "A raw", "B real"))), flush=True)
