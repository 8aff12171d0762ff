"""weib25's off-grid check: T_ft below n = d under its conditional rule and under the prepivoted one, on the same data
sets and the same draws (the band benchmark's replications, datasets()); counts truth below / above each band.
Ran at main fc3625b, where DifferenceLaw's default mode was "conditional" (since reverted: on main the first band
recorded as "new" is the prepivoted one too, so this script now needs that mode restored to compare).

    PYTHONPATH=. python benchmarks/diagnostics/weib25/both.py "(60, 0.7, 1.2, 0.3, 'two-level')" 901 300 OUT.json
"""
import json, sys, time
sys.path.insert(0, 'benchmarks')
import advisor_band_coverage as b
from ftheory.advise import aniso_difference as adiff
from ftheory.advise.report import predict

REC = {}
_orig = adiff.DifferenceLaw.bands


def bands(self, t_lt, t_ft, level=0.95):
    out = _orig(self, t_lt, t_ft, level)
    Sy, rho, r2, Sr = self._data()
    tau = float(self.ap.kinv @ self.ap.u["y"])
    self.mode = "prepivot"
    lo, hi = self.quantiles(max(Sy, 1e-300), tau, rho, r2, Sr, level)
    del self.mode
    REC["old"] = (t_ft, min(t_ft - hi[1] * Sy, t_ft), max(t_ft - lo[1] * Sy, t_ft))
    REC["new"] = out["finetune"]
    return out


adiff.DifferenceLaw.bands = bands
setting, seed, reps, out = eval(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
task, ev, n = b.setting_task(setting, seed)
T = b.true_risks(task, ev, n - 1, setting[0])["T_finetune"]
cnt = {"old": [0, 0], "new": [0, 0]}
k = 0
t0 = time.time()
for rep, prep, pe in b.datasets(setting, seed, reps, 0, 20, "rep"):
    REC.clear()
    m = prep.X.shape[0]
    predict(prep, pe, [m], m)
    if "new" not in REC:
        continue
    k += 1
    for w in ("old", "new"):
        v, lo, hi = REC[w]
        cnt[w][0] += int(T < lo)
        cnt[w][1] += int(T > hi)
    if k % 50 == 0:
        print(k, cnt, flush=True)
res = {"setting": list(setting), "seed": seed, "reps": reps, "counted": k, "T": T, "counts": cnt, "seconds": time.time() - t0}
json.dump(res, open(out, "w"), indent=1)
print(res)
