"""CPU seconds of one advise call at n = 30, d = 60 (1/i spectrum, N = 20 d unlabeled rows), main's code, and of
building PoolLaw's worlds for the same data (what the pool worlds would add per call): python calltime.py RUNS"""
import sys, time, numpy as np
sys.path.insert(0, "benchmarks"); sys.path.insert(0, "benchmarks/diagnostics/tlw19")
import advisor_band_coverage as B
import ftheory
from ftheory.advise import aniso_difference as AD
from ftheory.advise.synthetic import make_task
from poolworld import PoolLaw
runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
d = 60; ev = B.SPECTRA["1/i"](d)
task = make_task(d, 0.5, 1.0, eigenvalues=ev, seed=510)
rng = np.random.default_rng(0)
X, y = task.sample(30, rng); U = task.sample(20 * d, rng)[0]
cap = {}
orig = AD.transfer_intervals
def ti(aniso, pe, predictions, n_at, region=None):
    cap.update(aniso=aniso, n_at=n_at); return orig(aniso, pe, predictions, n_at, region)
AD.transfer_intervals = ti
ftheory.advise(X, y, source_pred=X @ task.beta_s, unlabeled=U)      # warm-up (imports, caches)
ta, tp = [], []
for _ in range(runs):
    t0 = time.process_time(); ftheory.advise(X, y, source_pred=X @ task.beta_s, unlabeled=U); ta.append(time.process_time() - t0)
    t0 = time.process_time(); PoolLaw(cap["aniso"], cap["n_at"]); tp.append(time.process_time() - t0)
print(f"advise (main) CPU s min/median/max {min(ta):.2f} / {np.median(ta):.2f} / {max(ta):.2f}; PoolLaw build {min(tp):.2f} / {np.median(tp):.2f} / {max(tp):.2f}")
