import sys, numpy as np
sys.path.insert(0, "benchmarks")
import advisor_band_coverage as B
from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.report import predict
from ftheory.advise.synthetic import make_task
from ftheory.advise import aniso_difference as AD
from ftheory.advise.aniso_overlap_pivot import overlap_calibrated
I, reps = int(sys.argv[1]), int(sys.argv[2])
d, gamma, theta, sigma, spec = B.SETTINGS[I]
n = int(round(gamma*d)); ev = B.SPECTRA[spec](d)
task = make_task(d, theta, sigma, eigenvalues=ev, seed=500+I)
rng = np.random.default_rng(500+I+1)
cap = {}
orig = AD.transfer_intervals
def ti(aniso, pe, predictions, n_at, region=None):
    cap.update(aniso=aniso, n_at=n_at); return orig(aniso, pe, predictions, n_at, region)
AD.transfer_intervals = ti
np.set_printoptions(precision=3, linewidth=200)
for rep in range(reps):
    X, y = task.sample(n, rng); U = task.sample(20*d, rng)[0]
    prep = prepare(X, y, X @ task.beta_s, U); pe = estimate_parameters(prep); m = prep.X.shape[0]
    predict(prep, pe, [m], m)
    a = cap["aniso"]; L = AD.DifferenceLaw(a, cap["n_at"])
    S = a.S_raw; Sy, rho, r2 = float(S[0,0]), float(S[0,1]), float(S[1,1]); tau = float(a.kinv @ a.u["y"])
    lo, hi, info = overlap_calibrated(L, Sy, tau, rho, r2)
    st, fb, qb = L.world(info["f0"], Sy, rho, r2, Sy-2*rho+r2, overlap=True)
    print(rep, "rho/Sy", rho/Sy, "f0", info["f0"], "sd", info["sd"], "qb mean", qb.mean(), "fb q", np.quantile(fb,[.1,.5,.9]))
    print(" t0 q", np.quantile(st[:,0],[.025,.5,.975]))
    print(" miss_lo", info["miss_lo"]); print(" ends_lo", info["ends_lo"])
    print(" miss_hi", info["miss_hi"]); print(" ends_hi", info["ends_hi"])
    rg = rho/Sy + info["sd"]*np.arange(-7,7.01,1.0)
    for r in rg:
        s_, _, q_ = L.world(info["f0"], Sy, r*Sy, r2, max(Sy-2*r*Sy+r2,1e-300), overlap=True)
        print(f"   rho/Sy {r:.3f}: z q2.5 {np.quantile(s_[:,0],.025):.3f} med {np.median(s_[:,0]):.3f} q97.5 {np.quantile(s_[:,0],.975):.3f}  rho_b/Sy_b mean {q_.mean():.3f} sd {q_.std():.3f} corr(z,rho_b) {np.corrcoef(s_[:,0],q_)[0,1]:.2f}")
