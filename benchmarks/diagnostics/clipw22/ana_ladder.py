"""clipw22: ladder.py's layers compared statistic by statistic, unconditionally and given the clip.

    python benchmarks/diagnostics/clipw22/ana_ladder.py ladder_8_s0.pkl [...]

Per layer: the chance of the clip; given the clip (and overall) the mean and sd of each statistic's error against
its layer's truth (S_y, tau_raw, rho, r2 against the true scalars; r_s - R_s, r_p - R_p, T_hat - T), the 2.5 / 50 /
97.5% points of the pivot z = (T_hat - T)/S_y, and the correlations of (S_y, tau, rho, r2) and (r_s, r_p) errors.
"""
import pickle
import sys

import numpy as np


def layers(D):
    p0, tr = D["p0"], D["truth"]
    Rs0, Rp0 = tr["scratch_ridge"], tr["linear_transfer"]
    out = {}
    for k, v in D["rows"].items():
        T = v["T"]
        Rp = np.full(T.size, Rp0)
        out[k] = dict(v, Rs=T + Rp, Rp=Rp)
    for k, ws in D["worlds"].items():
        cat = {kk: np.concatenate([np.broadcast_to(w[kk], w["Sy"].shape) for w in ws]) for kk in
               ("Sy", "tau", "rho", "r2", "rs", "rp", "That", "T", "clip", "ccos", "Rs", "Rp")}
        cat["data_clip"] = np.concatenate([np.full(w["Sy"].size, w["data_clip"]) for w in ws])
        out[k] = cat
        # the same world draws, only those of data sets whose own noise estimate is clipped
        out[k + "|dc"] = {kk: vv[cat["data_clip"]] for kk, vv in cat.items()}
    return out, p0, Rs0, Rp0


def describe(name, L, p0, sel, label):
    Sy0 = p0[0] + p0[1]
    z = (L["That"] - L["T"]) / L["Sy"]
    s = sel
    e = {"Sy": L["Sy"] - Sy0, "tau": L["tau"] - p0[0], "rho": L["rho"] - p0[2], "r2": L["r2"] - p0[3],
         "es": L["rs"] - L["Rs"], "ep": L["rp"] - L["Rp"], "eT": L["That"] - L["T"]}
    mean = " ".join(f"{k} {np.mean(v[s]):+.3f}({np.std(v[s]):.3f})" for k, v in e.items())
    q = np.quantile(z[s], [0.025, 0.5, 0.975])
    C = np.corrcoef(np.stack([e[k][s] for k in ("Sy", "tau", "rho", "r2", "es", "ep")]))
    cc = (f"c(Sy,tau) {C[0, 1]:+.2f} c(Sy,rho) {C[0, 2]:+.2f} c(tau,rho) {C[1, 2]:+.2f} c(es,ep) {C[4, 5]:+.2f} "
          f"c(Sy,es) {C[0, 4]:+.2f} c(Sy,ep) {C[0, 5]:+.2f} c(Sy,eT) {np.corrcoef(e['Sy'][s], e['eT'][s])[0, 1]:+.2f}")
    print(f"  {name:12s} {label:5s} n {int(np.sum(s)):7d} z {q[0]:+.3f} / {q[1]:+.3f} / {q[2]:+.3f} "
          f"sd {np.std(z[s]):.3f} | {mean}")
    print(f"  {'':12s} {'':5s} {cc}; T {np.mean(L['T'][s]):.3f} Rs {np.mean(L['Rs'][s]):.3f} Rp {np.mean(L['Rp'][s]):.3f}"
          f" ccos {np.mean(L['ccos'][s]):.3f}")


def main():
    for path in sys.argv[1:]:
        D = pickle.load(open(path, "rb"))
        out, p0, Rs0, Rp0 = layers(D)
        print(f"{path}: setting {D['index']} stream {D['stream']}, p0 {np.round(p0, 4)}, Rs {Rs0:.4f} Rp {Rp0:.4f}")
        for name, L in out.items():
            cl = L["clip"].astype(bool)
            print(f"  {name}: P(clip) {np.mean(cl):.3f}")
            describe(name, L, p0, np.ones(cl.size, bool), "all")
            describe(name, L, p0, cl, "clip")


if __name__ == "__main__":
    main()
