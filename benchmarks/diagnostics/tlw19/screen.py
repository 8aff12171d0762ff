"""Step 2 screen: T_lt below n = d by d2a6757's overlap inversion with (old) main's worlds or (pool) the worlds
carrying each draw's own Sigma_hat_b, the noise fraction at f_hat, at the truth (oracle) or median-unbiased
(f_mu: the f whose world at rho_hat has the data's raw noise ratio 1 - tau_hat/S_y as its draws' median).
Same tasks, seeds and sampling order as the benchmark (stream as --stream).
python screen.py I REPS OUT.json [STREAM]"""
import sys, json, time, numpy as np
sys.path.insert(0, "benchmarks"); sys.path.insert(0, "benchmarks/diagnostics/tlw19")
import advisor_band_coverage as B
from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.report import predict
from ftheory.advise.synthetic import make_task
from ftheory.advise import aniso_difference as AD
from overlap_pivot_d2a6757 import overlap_inverted
from poolworld import PoolLaw, OldLaw

FGRID = np.linspace(0.02, 0.98, 25)


def f_median_unbiased(law, Sy, tau, rho, r2):
    """The f whose world (at the data's Sy, rho, r2) has the data's raw ratio 1 - tau/Sy as its draws' median
    of 1 - tau_b/Sy_b (linear between grid worlds; the grid's end where none does)."""
    target = 1.0 - tau / Sy
    med = []
    for f in FGRID:
        stat, fb = law.world(f, Sy, rho, r2, max(Sy - 2 * rho + r2, 1e-300))[:2]
        med.append(law._last_raw_median)
    med = np.array(med)
    med = np.maximum.accumulate(med)                  # increasing in f (guard against MC wiggles)
    if target <= med[0]:
        return float(FGRID[0])
    if target >= med[-1]:
        return float(FGRID[-1])
    return float(np.interp(target, med, FGRID))


def raw_median_patch(cls):
    orig = cls.world
    def world(self, f, Sy, rho, r2, Sr, overlap=False):
        a, b, ce, cs, kap = self._amplitudes(f, Sy, rho, r2, Sr)
        cy = AD._quad(a, b, ce)
        Sy_b = cy @ self.m
        tau_b = cy @ self.TUb if hasattr(self, "TUb") else cy @ self.TU - self.g * self.iwc * float(np.sum(self.ap.ev * (a * self.bs + b * self.bz) ** 2))
        self._last_raw_median = float(np.median(1.0 - tau_b / np.maximum(Sy_b, 1e-300)))
        return orig(self, f, Sy, rho, r2, Sr, overlap)
    cls.world = world
for c in (PoolLaw, OldLaw):
    raw_median_patch(c)

if __name__ == "__main__":
    I, reps, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    stream = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    d, gamma, theta, sigma, spec = B.SETTINGS[I]
    n = int(round(gamma * d)); ev = B.SPECTRA[spec](d)
    seed = 500 + I
    task = make_task(d, theta, sigma, eigenvalues=ev, seed=seed)
    T = B.true_risks(task, ev, n - 1, d)["T_linear_transfer"]
    tr = task.truth(); fT = tr["noise_variance"] / (tr["signal"] + tr["noise_variance"])
    rng = np.random.default_rng(seed + 1 if stream == 0 else [seed + 1, stream])
    cap = {}
    orig = AD.transfer_intervals
    def ti(aniso, pe, predictions, n_at, region=None):
        cap.update(aniso=aniso, n_at=n_at); return orig(aniso, pe, predictions, n_at, region)
    AD.transfer_intervals = ti
    rows = []
    t0 = time.time()
    for rep in range(reps):
        X, y = task.sample(n, rng); U = task.sample(20 * d, rng)[0]
        prep = prepare(X, y, X @ task.beta_s, U); pe = estimate_parameters(prep); m = prep.X.shape[0]
        _, transf, *_ = predict(prep, pe, [m], m)
        a = cap["aniso"]; v = transf["linear_transfer"].value
        S = a.S_raw; Sy, rho, r2 = max(float(S[0, 0]), 1e-300), float(S[0, 1]), max(float(S[1, 1]), 1e-300)
        tau = float(a.kinv @ a.u["y"])
        r = {"v": v, "concordant": [transf["linear_transfer"].low, transf["linear_transfer"].high], "Sy": Sy,
             "f0": float(AD._fraction(np.array([Sy - tau]), np.array([tau]), np.array([Sy]))[0])}
        c0 = time.process_time()
        Lp = PoolLaw(a, cap["n_at"])
        r["cpu_init"] = time.process_time() - c0
        Lo = OldLaw(a, cap["n_at"])
        Le = PoolLaw(a, cap["n_at"], even=True)
        for lname, L in (("old", Lo), ("pool", Lp), ("even", Le)):
            c0 = time.process_time()
            fmu = f_median_unbiased(L, Sy, tau, rho, r2)
            r[lname + "_f"] = fmu
            for name, t in (("fhat", tau), ("ftrue", (1 - fT) * Sy), ("fmu", (1 - fmu) * Sy)):
                lo, hi, _ = overlap_inverted(L, v, Sy, t, rho, r2)
                r[lname + "_" + name] = [min(lo, v), max(hi, v)]
            r["cpu_" + lname] = time.process_time() - c0
        rows.append(r)
        if rep % 10 == 9:
            json.dump({"setting": I, "stream": stream, "T": T, "fT": fT, "reps": len(rows), "rows": rows}, open(out, "w"))
        if rep % 25 == 24:
            print(rep + 1, f"{time.time() - t0:.0f}s", flush=True)
    json.dump({"setting": I, "stream": stream, "T": T, "fT": fT, "reps": len(rows), "rows": rows}, open(out, "w"))
    for k in ("concordant", "old_fhat", "old_ftrue", "old_fmu", "pool_fhat", "pool_ftrue", "pool_fmu", "even_fhat", "even_ftrue", "even_fmu"):
        b = np.array([r[k] for r in rows]); lo, hi = np.sum(T < b[:, 0]), np.sum(T > b[:, 1])
        print(I, len(rows), f"{k:12s} coverage {1 - (lo + hi) / len(rows):.3f} ({lo}/{hi}) median width {np.median(b[:, 1] - b[:, 0]):.2f}")
