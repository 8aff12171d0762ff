"""oog25: tables from mech.py's records (mechanism of the min-norm scratch and T_lt misses; candidate screens).

    python benchmarks/diagnostics/oog25/summarize.py MECH.json
"""
import json
import sys

import numpy as np


def cov(rows, t, key, band):
    lo = sum(t < band(r)[1] for r in rows)
    hi = sum(t > band(r)[2] for r in rows)
    return f"{1 - (lo + hi) / max(len(rows), 1):.3f} ({lo}/{hi}) of {len(rows)}"


def main(path):
    r = json.load(open(path))
    t, rows = r["truth"], r["rows"]
    print(f"{path}: {r['reps']} data sets, setting {r['setting']}, true noise fraction {r['f_true']:.4f}")
    fh = np.array([x["f_hat"] for x in rows])
    print("f_hat quantiles 10/25/50/75/90%:", np.round(np.quantile(fh, [.1, .25, .5, .75, .9]), 3),
          " clipped:", sum(x["clipped"] for x in rows))
    for name, sel in (("all", lambda x: True), ("clipped", lambda x: x["clipped"]),
                      ("unclipped", lambda x: not x["clipped"]),
                      ("f_hat < 0.2", lambda x: x["f_hat"] < 0.2), ("f_hat >= 0.2", lambda x: x["f_hat"] >= 0.2),
                      ("f_hat >= 0.35", lambda x: x["f_hat"] >= 0.35)):
        rs = [x for x in rows if sel(x)]
        print(f"  {name:13s} scratch_min_norm {cov(rs, t['scratch_min_norm'], 0, lambda x: x['bands']['scratch_min_norm'])}"
              f" | set_mn {cov(rs, t['scratch_min_norm'], 0, lambda x: x['set_mn'])}"
              f" | T_lt {cov(rs, t['T_linear_transfer'], 0, lambda x: x['bands']['T_linear_transfer'])}"
              f" | sim_lt {cov(rs, t['T_linear_transfer'], 0, lambda x: x.get('sim_lt', x['bands']['T_linear_transfer']))}")
        print(f"  {'':13s} set lower end + prepivot upper end"
              f" {cov(rs, t['scratch_min_norm'], 0, lambda x: (0, x['set_mn'][1], x['bands']['scratch_min_norm'][2]))}")
    mn = [x for x in rows if "mn" in x]
    miss = [x["ratio"] > x["mn"]["q_hi"] for x in mn]
    print("min-norm scratch: miss below iff ratio v/R_true > q_hi:",
          sum(miss), "== band misses", sum(t["scratch_min_norm"] < x["bands"]["scratch_min_norm"][1] for x in mn))
    for lab, grp in (("misses", [x for x, m in zip(mn, miss) if m]), ("covered", [x for x, m in zip(mn, miss) if not m])):
        g = lambda k: np.array([x["mn"][k] for x in grp])
        if not grp:
            continue
        print(f"  {lab} ({len(grp)}): median f0 {np.median(g('f0')):.3f}, ratio {np.median([x['ratio'] for x in grp]):.2f};"
              f" q_hi used {np.median(g('q_hi')):.2f} (fitted world plain 97.5% {np.median([x['mn']['fit_q'][1] for x in grp]):.2f},"
              f" level {np.median([x['mn']['levels'][1] for x in grp]):.4f});"
              f" true world 97.5% {np.median([x['mn']['true_q'][1] for x in grp]):.2f};"
              f" share of true-world draws above q_hi {np.mean(g('true_beyond_hi')):.3f};"
              f" among true-world draws with own f within 0.05 of f0: {np.nanmean([x['mn']['true_near_beyond_hi'] if x['mn']['true_near_beyond_hi'] is not None else np.nan for x in grp]):.3f}"
              f" (draws {np.median(g('true_near_f0')):.0f})")
    print("  true world's draws' own fraction 10/50/90% (median over data sets):",
          np.round(np.median([x["mn"]["true_fb_quant"] for x in mn], 0), 3))
    print("  share of true-world draws above the data's q_hi, mean over all data sets:",
          round(float(np.mean([x["mn"]["true_beyond_hi"] for x in mn])), 3),
          "below q_lo:", round(float(np.mean([x["mn"]["true_below_lo"] for x in mn])), 3))
    for lo_, hi_ in ((0, .05001), (.05001, .2), (.2, .35), (.35, .6), (.6, 1.01)):
        grp = [x for x in mn if lo_ <= x["mn"]["f0"] < hi_]
        if grp:
            print(f"  f0 in [{lo_:.2f},{hi_:.2f}): {len(grp)} data sets, misses {sum(x['ratio'] > x['mn']['q_hi'] for x in grp)},"
                  f" median q_hi {np.median([x['mn']['q_hi'] for x in grp]):.2f}, true-world 97.5% {np.median([x['mn']['true_q'][1] for x in grp]):.2f},"
                  f" true draws above q_hi {np.mean([x['mn']['true_beyond_hi'] for x in grp]):.3f}")
    # T_lt
    es = np.array([x["bands"]["scratch_ridge"][0] - t["scratch_ridge"] for x in rows])
    ep = np.array([x["bands"]["linear_transfer"][0] - t["linear_transfer"] for x in rows])
    print(f"T_lt: errors of the two estimates: corr {np.corrcoef(es, ep)[0, 1]:.2f}, same sign {np.mean(np.sign(es) == np.sign(ep)):.2f};"
          f" corr(probe error, f_hat) {np.corrcoef(ep, fh)[0, 1]:.2f}, corr(scratch ridge error, f_hat) {np.corrcoef(es, fh)[0, 1]:.2f}")
    rl = [x["rho_lt"][0] for x in rows if "rho_lt" in x]
    if rl:
        print(f"  plug-in correlation passed to combine_concordant: median {np.median(rl):.2f} (10-90%: {np.quantile(rl, .1):.2f}-{np.quantile(rl, .9):.2f})")
    lt_miss = [x for x in rows if t["T_linear_transfer"] < x["bands"]["T_linear_transfer"][1]]
    if lt_miss:
        print(f"  T_lt misses below ({len(lt_miss)}): clipped {sum(x['clipped'] for x in lt_miss)}, median f_hat {np.median([x['f_hat'] for x in lt_miss]):.2f},"
              f" median probe error {np.median([x['bands']['linear_transfer'][0] - t['linear_transfer'] for x in lt_miss]):.3f},"
              f" scratch ridge error {np.median([x['bands']['scratch_ridge'][0] - t['scratch_ridge'] for x in lt_miss]):.3f}")
    hit = [x for x in rows if "rho_lt" in x]
    for lab, grp in (("misses", [x for x in hit if x in lt_miss]), ("covered", [x for x in hit if x not in lt_miss])):
        if grp:
            print(f"  plug-in correlation, {lab} ({len(grp)}): median {np.median([x['rho_lt'][0] for x in grp]):.2f}")
    # offline candidates from the recorded bands (unclipped data sets: where combine_concordant is used)
    sys.path.insert(0, ".")
    from ftheory.advise.aniso_difference import combine, combine_concordant
    from ftheory.advise.estimators import Interval
    iv = lambda b: Interval(b[0], b[1], b[2], (b[2] - b[1]) / 3.92)
    un = [x for x in hit if not x["clipped"]]
    T = t["T_linear_transfer"]
    for lab, fn in (("combine_concordant(rho_lt) [current]", lambda a, c, r: combine_concordant(a, c, r)),
                    ("combine_concordant(rho=0)", lambda a, c, r: combine_concordant(a, c, 0.0)),
                    ("combine(rho_lt)", lambda a, c, r: combine(a, c, r)),
                    ("combine(rho=0)", lambda a, c, r: combine(a, c, 0.0))):
        bs = [fn(iv(x["bands"]["scratch_ridge"]), iv(x["bands"]["linear_transfer"]), tuple(x["rho_lt"])) for x in un]
        lo = sum(T < b_[1] for b_ in bs)
        hi = sum(T > b_[2] for b_ in bs)
        wid = np.median([b_[2] - b_[1] for b_ in bs])
        print(f"  unclipped, {lab}: {1 - (lo + hi) / len(un):.3f} ({lo}/{hi}) of {len(un)}, median width {wid:.3f}")
        cl_ = [x for x in rows if x["clipped"]]
        lo += sum(T < x["bands"]["T_linear_transfer"][1] for x in cl_)
        hi += sum(T > x["bands"]["T_linear_transfer"][2] for x in cl_)
        print(f"    all data sets (clipped ones: the current band): {1 - (lo + hi) / len(rows):.3f} ({lo}/{hi}) of {len(rows)}")
    cl = [x for x in rows if "clip" in x]
    if cl:
        print(f"T_lt clipped data sets ({len(cl)}): law given the clip, (T_hat - T)/S_y 2.5/97.5%: pooled over the grid"
              f" {np.round(np.median([x['clip']['pooled_q'] for x in cl], 0), 3)}, at the true fraction"
              f" {np.round(np.median([x['clip']['true_q'] for x in cl if x['clip']['true_q']], 0), 3)};"
              f" realised median {np.median([(x['bands']['T_linear_transfer'][0] - t['T_linear_transfer']) / x['clip']['Sy'] for x in cl]):.3f};"
              f" clip probability over the grid (median) {np.round(np.median([x['clip']['clip_prob_grid'] for x in cl], 0)[[0, 2, 4, 8, 12, 16]], 2)} at f = 0.02, 0.14, 0.26, 0.50, 0.74, 0.98")


if __name__ == "__main__":
    main(sys.argv[1])
