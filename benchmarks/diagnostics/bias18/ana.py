"""The note's tables from pieces.py / atruth.py outputs: python ana.py DIR (files pieces_I.json, atruth_I.json)."""
import sys, json, os, numpy as np
D = sys.argv[1]
def ms(v):
    v = np.asarray(v, float); return f"{v.mean():+.3f} ({v.std() / np.sqrt(v.size):.3f})"
for I in (8, 10, 12):
    p, a = os.path.join(D, f"pieces_{I}.json"), os.path.join(D, f"atruth_{I}.json")
    if os.path.exists(p):
        R = json.load(open(p))["rows"]; g = lambda k: np.array([r[k] for r in R])  # noqa: E731
        print(f"{I} pieces ({len(R)}): probe Sigma_hat {ms(g('probe_20'))} true Sigma {ms(g('probe_trueSigma'))} "
              f"400d {ms(g('probe_400'))} | Sigma_hat - true (paired) {ms(g('probe_20') - g('probe_trueSigma'))} | "
              f"unclipped {ms(g('probe_unclipped_20'))} projection part {ms(g('probe_20') - g('probe_unclipped_20'))} | "
              f"true tau {ms(g('probe_true_tau'))} true rho,r2 {ms(g('probe_true_rho_r2'))} | tau_hat {ms(g('tau_20'))} "
              f"| clipped |cos|<=1 {g('clipped_20').mean():.2f}")
    if os.path.exists(a):
        R = json.load(open(a))["rows"]; g = lambda k: np.array([r[k] for r in R])  # noqa: E731
        print(f"{I} worlds ({len(R)}): real T {ms(g('real_T'))} probe {ms(g('real_probe'))} scratch {ms(g('real_scratch'))}"
              f" scratch(true Sigma) {ms(g('real_scratch_trueSigma'))}")
        for w in ("fitted", "truth", "f_true", "rho_true"):
            print(f"   world {w:9s} T {ms(g(w + '_T'))} probe {ms(g(w + '_probe'))} scratch {ms(g(w + '_scratch'))}"
                  f" resid {ms(g(w + '_resid'))} Sy_b/Sy {ms(g(w + '_Syratio'))}")
        print(f"   paired: real scratch Sigma_hat - true {ms(g('real_scratch') - g('real_scratch_trueSigma'))};"
              f" world T fitted - f_true {ms(g('fitted_T') - g('f_true_T'))}; fitted - rho_true"
              f" {ms(g('fitted_T') - g('rho_true_T'))}; real T - world at truth {ms(g('real_T') - g('truth_T'))}")
        f0 = g("f0"); print(f"   f_hat at its 0.95 clip {np.mean(f0 > 0.94):.2f}, at 0.05 {np.mean(f0 < 0.06):.2f}")
        for lo, hi in ((0, .3), (.3, .7), (.7, .94), (.94, 1)):
            k = (f0 >= lo) & (f0 < hi)
            if k.any():
                print(f"   f_hat in [{lo}, {hi}): {k.sum():3d}  world T bias {g('fitted_T')[k].mean():+.3f}  real T err "
                      f"{g('real_T')[k].mean():+.3f}  world probe bias {g('fitted_probe')[k].mean():+.3f}  real probe err "
                      f"{g('real_probe')[k].mean():+.3f}")
