"""tft23: tables from replay.py's JSON (one or more files of the same setting).

    python benchmarks/diagnostics/tft23/ana.py A.json [B.json ...]
"""
import json
import sys

import numpy as np


def load(paths):
    rows, head = [], None
    for p in paths:
        r = json.load(open(p))
        head = head or r
        rows += r["reps"]
    rows.sort(key=lambda x: x["rep"])
    return head, rows


def main():
    head, rows = load(sys.argv[1:])
    T = head["truth"]["T_finetune"]
    print(f"setting {head['setting']} stream {head['stream']}: {len(rows)} data sets; truth T_ft {T:.4f}, "
          f"scratch {head['truth']['scratch_ridge']:.4f}, finetune {head['truth']['finetune_ridge']:.4f}; "
          f"true scalars {', '.join(f'{k} {v:.3f}' for k, v in head['true_scalars'].items())}")
    a = lambda k: np.array([r[k] for r in rows], float)  # noqa: E731
    lo, hi, v, f0 = a("lo"), a("hi"), a("T_hat"), a("f0")
    real = np.array([r["real"] for r in rows])
    below, above = T < lo, T > hi
    clip = np.array([r["clipped"] for r in rows])
    print(f"band: {below.sum()} below / {above.sum()} above (coverage {1 - (below.sum() + above.sum()) / len(rows):.3f})")
    print(f"real t = (T_hat - T)/S_y: 2.5/50/97.5% {np.quantile(real[:, 0], [0.025, 0.5, 0.975]).round(3)}; "
          f"e_s {np.quantile(real[:, 1], [0.025, 0.5, 0.975]).round(3)}; e_f {np.quantile(real[:, 2], [0.025, 0.5, 0.975]).round(3)}")
    print(f"corr(real t, f0) {np.corrcoef(real[:, 0], f0)[0, 1]:.3f}; corr(e_s, e_f) {np.corrcoef(real[:, 1], real[:, 2])[0, 1]:.3f}")
    print()
    # each layer's calibration: real t below its 2.5% point (-> truth above the band) and above its 97.5% point
    print("| layer | real t below the layer's 2.5% point (truth above) | above its 97.5% point (truth below) | median 2.5% point | median 97.5% point |")
    print("|---|---|---|---|---|")
    Plo = np.array([r["P"]["lo"] for r in rows])
    Phi = np.array([r["P"]["hi"] for r in rows])
    lay = {"P (band's prepivoted quantiles)": (Plo, Phi)}
    for k in ("Fw", "Tw"):
        lay[k] = (np.array([r[k]["q"][0] for r in rows]), np.array([r[k]["q"][2] for r in rows]))
    for k in ("Fs", "Ts", "Ts_fm"):
        lay[k] = (np.array([r[k]["q"][0][0] for r in rows]), np.array([r[k]["q"][0][2] for r in rows]))
    for k, (ql, qh) in lay.items():
        print(f"| {k} | {np.mean(real[:, 0] < ql):.3f} ({np.sum(real[:, 0] < ql)}) | {np.mean(real[:, 0] > qh):.3f} "
              f"({np.sum(real[:, 0] > qh)}) | {np.median(ql):.3f} | {np.median(qh):.3f} |")
    print()
    bins = [0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.01]
    print("By the data's noise fraction f0 (true f = %.2f):" % head["true_scalars"]["f"])
    print("| f0 | data sets | below / above | clipped | median real t | P lo | Fw 2.5% | Tw 2.5% | Ts 2.5% | real t < Ts 2.5% | real t < Fw 2.5% | median level_a (ft) | median T_hat | P hi | Ts 97.5% | real t > Ts 97.5% | median level_b (ft) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    levb = np.array([r["P"]["last"]["level_b"][1] for r in rows])
    lev = np.array([r["P"]["last"]["level_a"][1] for r in rows])
    for b0, b1 in zip(bins[:-1], bins[1:]):
        s = (f0 >= b0) & (f0 < b1)
        if not s.any():
            continue
        print(f"| {b0}-{b1} | {s.sum()} | {below[s].sum()} / {above[s].sum()} | {clip[s].sum()} | "
              f"{np.median(real[s, 0]):.3f} | {np.median(Plo[s]):.3f} | {np.median(lay['Fw'][0][s]):.3f} | "
              f"{np.median(lay['Tw'][0][s]):.3f} | {np.median(lay['Ts'][0][s]):.3f} | {np.sum(real[s, 0] < lay['Ts'][0][s])} | "
              f"{np.sum(real[s, 0] < lay['Fw'][0][s])} | {np.median(lev[s]):.4f} | {np.median(v[s]):.3f} | {np.median(Phi[s]):.3f} | "
              f"{np.median(lay['Ts'][1][s]):.3f} | {np.sum(real[s, 0] > lay['Ts'][1][s])} | {np.median(levb[s]):.4f} |")
    print()
    print("By sign of T_hat and clip:")
    for name, s in (("T_hat < 0", v < 0), ("T_hat >= 0", v >= 0), ("clipped", clip), ("not clipped", ~clip)):
        print(f"  {name}: {s.sum()} data sets, {below[s].sum()} below / {above[s].sum()} above")
    print()
    # which side errs: the real scratch and fine-tuning errors (per S_y) in the misses above, and their PIT in Ts
    pit_s = np.array([r["Ts"]["pit"][1] for r in rows])
    pit_f = np.array([r["Ts"]["pit"][2] for r in rows])
    print("Misses above: the two errors (per S_y) and their PIT in the true world Ts (e_s low: scratch under-estimated; e_f high: fine-tuning over-estimated)")
    print("| rep | f0 | T_hat | band | real t | P lo | Fw 2.5% | Tw 2.5% | Ts 2.5% | e_s | PIT e_s | e_f | PIT e_f | level_a |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for i in np.flatnonzero(above):
        r = rows[i]
        print(f"| {r['rep']} | {f0[i]:.2f} | {v[i]:.3f} | [{lo[i]:.3f}, {hi[i]:.3f}] | {real[i, 0]:.3f} | {Plo[i]:.3f} | "
              f"{lay['Fw'][0][i]:.3f} | {lay['Tw'][0][i]:.3f} | {lay['Ts'][0][i]:.3f} | {real[i, 1]:.3f} | {pit_s[i]:.2f} | "
              f"{real[i, 2]:.3f} | {pit_f[i]:.2f} | {lev[i]:.4f} |")
    print()
    print(f"PIT of e_s in Ts: all data sets: <0.025 {np.mean(pit_s < 0.025):.3f}, >0.975 {np.mean(pit_s > 0.975):.3f}; "
          f"e_f: <0.025 {np.mean(pit_f < 0.025):.3f}, >0.975 {np.mean(pit_f > 0.975):.3f}")
    print(f"misses above: median PIT e_s {np.median(pit_s[above]) if above.any() else np.nan:.2f}, e_f "
          f"{np.median(pit_f[above]) if above.any() else np.nan:.2f}")
    # alternatives: a band [T_hat - hi S_y, T_hat - lo S_y] widened to hold T_hat misses above where
    # real t < min(lo, 0) and below where real t > max(hi, 0)
    alts = {"P (the band's rule; check)": (Plo, Phi), "Tw (true scalars, fitted profiles, plain 2.5/97.5%)": lay["Tw"],
            "Ts (true teachers, plain 2.5/97.5%)": lay["Ts"]}
    if "Pt" in rows[0]:
        alts["Pt (the band's rule at the true scalars)"] = (np.array([r["Pt"]["lo"] for r in rows]),
                                                           np.array([r["Pt"]["hi"] for r in rows]))
        alts["Fw at Pt's levels (fitted world, levels calibrated at the true scalars)"] = (
            np.array([r["Pt"]["Fw_at_true_levels"][0] for r in rows]), np.array([r["Pt"]["Fw_at_true_levels"][1] for r in rows]))
    if "cand" in rows[0]:
        for k in ("cond_fit", "cond_union", "post", "cond_pp"):
            if k not in rows[0]["cand"]:
                continue
            alts[f"cand {k}"] = (np.array([r["cand"][k][0] for r in rows]), np.array([r["cand"][k][1] for r in rows]))
    print()
    print("Bands from other quantiles (same data sets): misses below / above, coverage, and the same in the f0 >= 0.7 and f0 < 0.2 data sets; median width / S_y")
    print("| quantiles | below / above | coverage | f0 >= 0.7: below / above | f0 < 0.2: below / above | median (hi - lo) |")
    print("|---|---|---|---|---|---|")
    hiF, loF = f0 >= 0.7, f0 < 0.2
    for k, (ql, qh) in alts.items():
        ab = real[:, 0] < np.minimum(ql, 0)
        be = real[:, 0] > np.maximum(qh, 0)
        print(f"| {k} | {be.sum()} / {ab.sum()} | {1 - (ab.sum() + be.sum()) / len(rows):.3f} | {be[hiF].sum()} / {ab[hiF].sum()} | "
              f"{be[loF].sum()} / {ab[loF].sum()} | {np.median(np.maximum(qh, 0) - np.minimum(ql, 0)):.3f} |")
    # the law's 2.5% point over the grid (median over data sets) against f
    G = np.array([r["Fw_g"] for r in rows])                  # (N, G, 2)
    grid = np.linspace(0.02, 0.98, 17)
    print()
    print("Fitted scalars' law over the noise fraction (medians over data sets): f, 2.5%, 97.5% points")
    print(" ".join(f"{g:.2f}:{q:.2f}/{h:.2f}" for g, q, h in zip(grid, np.median(G[:, :, 0], 0), np.median(G[:, :, 1], 0))))
    # the fraction's spread: f_hat quantiles in the true world
    fq = np.median(np.array([r["Tw"]["fhat_q"] for r in rows]), 0)
    print(f"f_hat in the true world (median over data sets of its 2.5/50/97.5% points): {np.round(fq, 3)}; "
          f"data's f0: {np.quantile(f0, [0.025, 0.5, 0.975]).round(3)}")


if __name__ == "__main__":
    main()
