"""tlt18's overlap inversion (d2a6757, copied here as overlap_pivot_d2a6757.py) with the worlds at the data's
f_hat against the same at the true noise fraction (an oracle, for diagnosis): python oracle.py I REPS OUT.json.
Same tasks, seeds and sampling order as pieces.py."""
import sys, json, numpy as np
sys.path.insert(0, "benchmarks"); sys.path.insert(0, "benchmarks/diagnostics/bias18")
import advisor_band_coverage as B
from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.report import predict
from ftheory.advise.synthetic import make_task
from ftheory.advise.predict import linear_transfer_risk as LTR
from ftheory.advise import aniso_difference as AD
from overlap_pivot_d2a6757 import overlap_inverted


class Law(AD.DifferenceLaw):
    """DifferenceLaw with d2a6757's ``world(..., overlap=True)`` (same draws; adds rho_b/Sy_b and the world's T)."""
    def world(self, f, Sy, rho, r2, Sr, overlap=False):
        stat, fb = super().world(f, Sy, rho, r2, Sr)
        if not overlap:
            return stat, fb
        a, b, ce, cs, kap = self._amplitudes(f, Sy, rho, r2, Sr)
        ev, W, V, n = self.ap.ev, self.W, self.V, self.n
        bt, bsrc, bd = a * self.bs + b * self.bz, kap * self.bs + b * self.bz, cs * self.bs
        sig = ce * ce
        Rs = float(np.min(W @ (bt * bt) + V * sig)); Rf = float(np.min(W @ (bd * bd) + V * sig))
        Rp = float(LTR(n, float(np.sum(ev * bt * bt)), sig, float(np.sum(ev * bt * bsrc)), float(np.sum(ev * bsrc * bsrc))))
        m = self.m; cy = AD._quad(a, b, ce); Sy_b = cy @ m
        rho_b = a * kap * m[0] + (a * b + b * kap) * m[3] + b * b * m[5] + ce * kap * m[1] + ce * b * m[4]
        return stat, fb, rho_b / np.maximum(Sy_b, 1e-300), np.array([Rs - Rp, Rs - Rf])


I, reps, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
d, gamma, theta, sigma, spec = B.SETTINGS[I]
n = int(round(gamma * d)); ev = B.SPECTRA[spec](d)
task = make_task(d, theta, sigma, eigenvalues=ev, seed=500 + I)
truth = B.true_risks(task, ev, n - 1, d); T = truth["T_linear_transfer"]
tr = task.truth(); fT = tr["noise_variance"] / (tr["signal"] + tr["noise_variance"])
rng = np.random.default_rng(500 + I + 1)
cap = {}
orig = AD.transfer_intervals
def ti(aniso, pe, predictions, n_at, region=None):
    cap.update(aniso=aniso, n_at=n_at); return orig(aniso, pe, predictions, n_at, region)
AD.transfer_intervals = ti
rows = []
for rep in range(reps):
    X, y = task.sample(n, rng); U = task.sample(20 * d, rng)[0]
    prep = prepare(X, y, X @ task.beta_s, U); pe = estimate_parameters(prep); m = prep.X.shape[0]
    _, transf, *_ = predict(prep, pe, [m], m)
    a = cap["aniso"]; L = Law(a, cap["n_at"]); v = transf["linear_transfer"].value
    S = a.S_raw; Sy, rho, r2 = max(float(S[0, 0]), 1e-300), float(S[0, 1]), max(float(S[1, 1]), 1e-300)
    tau = float(a.kinv @ a.u["y"])
    r = {"concordant": [transf["linear_transfer"].low, transf["linear_transfer"].high]}
    for name, t in (("fhat", tau), ("ftrue", (1 - fT) * Sy)):
        lo, hi, _ = overlap_inverted(L, v, Sy, t, rho, r2)
        r[name] = [min(lo, v), max(hi, v)]
    rows.append(r)
    if rep % 10 == 9:
        json.dump({"setting": I, "T": T, "reps": len(rows), "rows": rows}, open(out, "w"))
json.dump({"setting": I, "T": T, "reps": len(rows), "rows": rows}, open(out, "w"))
for k in ("concordant", "fhat", "ftrue"):
    b = np.array([r[k] for r in rows]); lo, hi = np.sum(T < b[:, 0]), np.sum(T > b[:, 1])
    print(I, len(rows), k, f"coverage {1 - (lo + hi) / len(rows):.3f} ({lo}/{hi}) median width {np.median(b[:, 1] - b[:, 0]):.2f}")
