import sys
import numpy as np
sys.path.insert(0, __import__("os").path.join(__import__("os").path.dirname(__import__("os").path.abspath(__file__)), "..", ".."))  # benchmarks/
from advisor_band_coverage import SETTINGS
from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.synthetic import make_task
from ftheory.advise.bands import _real_rows, feasible_rows, param_cov_rows
from ftheory.advise.predict import isotropic_risk
from ftheory.advise import report
from ftheory.advise.own_test import studentized_margin
idx = 5
d, g, th, sg, sp = SETTINGS[idx]; n = int(round(g * d))
task = make_task(d, th, sg, seed=0)
rng = np.random.default_rng(1)
X, y = task.sample(n, rng)
prep = prepare(X, y, X @ task.beta_s, None); pe = estimate_parameters(prep); m = prep.X.shape[0]
reg = report._region(pe)
print("p_hat", pe.p, "truth", task.truth())
f = lambda P: isotropic_risk("finetune_min_norm", m, d, P)
v = f(reg.raw); Pa, va = reg.aimed_rays(f, True, v)
P, v = np.concatenate([reg.raw, Pa]), np.concatenate([v, va])
real = _real_rows(P)
print("points", len(P), "real", real.sum(), "f range all", v.min(), v.max(), "real", v[real].min(), v[real].max(), "value", v[0])
cov = lambda Q: param_cov_rows(m, d, feasible_rows(Q))
mg = studentized_margin(reg.cut, reg._evaluator(f, True), P[0], cov, 0.025, True)
mh = mg(P, reg._evaluator(f, True), v[0], 1.0)
print("accepted (upper test) all", (mh > 0).sum(), "real", (mh[real] > 0).sum(), "real & f>value", ((mh > 0) & real & (v > v[0])).sum(), "real & f > value", (real & (v > v[0])).sum())
