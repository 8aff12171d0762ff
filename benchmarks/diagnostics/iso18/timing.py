import time, sys
import numpy as np
sys.path.insert(0, __import__("os").path.join(__import__("os").path.dirname(__import__("os").path.abspath(__file__)), "..", ".."))  # benchmarks/
from advisor_band_coverage import SETTINGS
from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.synthetic import make_task
from ftheory.advise.bands import score_region
from ftheory.advise.predict import isotropic_risk
from ftheory.advise import report
for idx in (5, 7):
    d, g, th, sg, sp = SETTINGS[idx]; n = int(round(g * d))
    task = make_task(d, th, sg, seed=0 + 0)
    rng = np.random.default_rng(1)
    X, y = task.sample(n, rng)
    prep = prepare(X, y, X @ task.beta_s, None); pe = estimate_parameters(prep); m = prep.X.shape[0]
    t = time.process_time(); reg = report._region(pe); t1 = time.process_time()
    reg2 = score_region(pe.p * 1.1, m, d, worlds=pe.worlds); t2 = time.process_time()
    f = lambda P: isotropic_risk("scratch_ridge", m, d, P) - isotropic_risk("linear_transfer", m, d, P)
    b = reg.band(f); t3 = time.process_time()
    b2 = reg.band(f, aimed=False); t4 = time.process_time()
    fm = lambda P: isotropic_risk("finetune_min_norm", m, d, P)
    b3 = reg.band(fm, linear=True, studentize=True); t5 = time.process_time()
    P = np.tile(pe.p, (400*500, 1)); t6 = time.process_time(); f(P); t7 = time.process_time()
    print(idx, m, "region", t1 - t, t2 - t1, "band Tlt", t3 - t2, "cloud only", t4 - t3, "ftmn", t5 - t4, "f on 200k", t7 - t6, b, b3)
