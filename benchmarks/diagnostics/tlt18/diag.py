"""Per-replication records for T_lt below n = d: python diag.py I REPS OUT [STREAM]"""
import sys, time, math, pickle, numpy as np
sys.path.insert(0, "benchmarks")
import advisor_band_coverage as B
from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.report import predict
from ftheory.advise.synthetic import make_task
from ftheory.advise import aniso_difference as AD
from ftheory.advise.aniso_overlap_pivot import overlap_inverted
I, reps, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
stream = int(sys.argv[4]) if len(sys.argv) > 4 else 0
d, gamma, theta, sigma, spec = B.SETTINGS[I]
n = int(round(gamma*d)); ev = B.SPECTRA[spec](d)
seed = 500 + I
task = make_task(d, theta, sigma, eigenvalues=ev, seed=seed)
truth = B.true_risks(task, ev, n-1, d)["T_linear_transfer"]
rng = np.random.default_rng(seed + 1 if stream == 0 else [seed + 1, stream])
cap = {}
orig = AD.transfer_intervals
def ti(aniso, pe, predictions, n_at, region=None):
    cap.update(aniso=aniso, pe=pe, n_at=n_at)
    return orig(aniso, pe, predictions, n_at, region)
AD.transfer_intervals = ti
recs = []
t0 = time.time()
for rep in range(reps):
    X, y = task.sample(n, rng); U = task.sample(20*d, rng)[0]
    prep = prepare(X, y, X @ task.beta_s, U); pe = estimate_parameters(prep); m = prep.X.shape[0]
    preds, transf, *_ = predict(prep, pe, [m], m)
    a = cap["aniso"]; L = AD.DifferenceLaw(a, cap["n_at"])
    S = a.S_raw; Sy, rho, r2 = float(S[0,0]), float(S[0,1]), max(float(S[1,1]), 1e-300)
    tau = float(a.kinv @ a.u["y"])
    tl = transf["linear_transfer"]
    law = L.bands(tl.value, 0.0)["linear_transfer"]
    t1 = time.time()
    lo, hi, info = overlap_inverted(L, tl.value, Sy, tau, rho, r2)
    dt = time.time() - t1
    v = tl.value
    new = (v, min(lo, v), max(hi, v))
    lo2, hi2, info2 = overlap_inverted(L, tl.value, Sy, tau, rho, r2, prepivot=True)
    newp = (v, min(lo2, v), max(hi2, v))
    recs.append(dict(truth=truth, v=v, conc=(tl.low, tl.high), law=law[1:], new=new[1:], newp=newp[1:], info=info, info2=info2, Sy=Sy, rho=rho,
                     r2=r2, tau=tau, dt=dt))
    if rep % 25 == 24:
        def cov(k):
            lo_ = sum(r["truth"] < r[k][0] for r in recs); hi_ = sum(r["truth"] > r[k][1] for r in recs)
            return f"{1-(lo_+hi_)/len(recs):.3f} ({lo_}/{hi_})"
        print(rep+1, {k: cov(k) for k in ("conc", "law", "new", "newp")}, f"{time.time()-t0:.0f}s dt {dt:.2f}", flush=True)
        pickle.dump(recs, open(out, "wb"))
pickle.dump(recs, open(out, "wb"))
