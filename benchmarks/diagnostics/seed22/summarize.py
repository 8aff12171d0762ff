"""seed22: summary of pivotseeds.py runs: per column, the seed-to-seed sd of each band end relative to the band's
half-width on that side, seed 0's z against the seeds' mean (per data set, then averaged over data sets), the
1024-draw seed-0 end's z, and the misses per seed over the scanned replications (replications not re-run count as
covered by every seed: their truth is more than NEAR half-widths inside the benchmark's band).

    PYTHONPATH=. python benchmarks/diagnostics/seed22/summarize.py RUN.json [RUN.json ...]
"""
import json
import sys

import numpy as np

TARGET = ("scratch_min_norm", "scratch_ridge", "finetune_min_norm", "finetune_ridge", "T_finetune",
          "T_linear_transfer")

SCANNED = TARGET[:5]                     # the columns pivotseeds.py's scan re-runs near-boundary replications of


def summarize(res):
    truth = res["truth"]
    runs = {int(r): v for r, v in res["reps"].items()}
    seeded = {r: v for r, v in runs.items() if "seeds" in v}
    K = res["K"]
    print(f"## setting {res['index']} {res['setting']} stream {res['stream']}: {len(runs)} replications scanned, "
          f"{len(seeded)} re-run at {K} seeds x {res['B']} draws (+ seed 0 at {res['Bbig']})")
    print("| column | side | n | median sd/hw | 90% sd/hw | mean z0 (se) | frac z0>0 | mean z_big (se) | "
          "misses seed 0 | misses over seeds: mean, sd, min-max | rank of seed 0 (fewer misses) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    tot, lines = {}, []
    for k in TARGET:
        t = truth[k]
        tot[k] = np.zeros(K, int)
        for side, j in (("low", 1), ("high", 2)):
            rel, z0, zb, zs = [], [], [], []
            for v in seeded.values():
                E = np.array([s[k] for s in v["seeds"]])          # (K, 3)
                e = E[:, j]
                if not np.all(np.isfinite(e)):
                    continue
                hw = abs(np.mean(E[:, 0]) - np.mean(e))
                sd = np.std(e, ddof=1)
                if hw <= 0:
                    continue
                rel.append(sd / hw)
                if sd > 0:
                    zs.append((e - e.mean()) / sd)
                    z0.append((e[0] - e.mean()) / sd)
                    if v.get("big"):
                        zb.append((v["big"][k][j] - e.mean()) / sd)
            miss = np.zeros(K, int)
            for v in runs.values():
                if "seeds" in v:
                    E = np.array([s[k][j] for s in v["seeds"]])
                    miss += (t < E) if side == "low" else (t > E)
            # how often some seed's end moves more than NEAR half-widths from seed 0's (then a replication that
            # was not re-run could miss at that seed: its counts above are lower bounds)
            far = [np.nanmax(np.abs(np.array([s[k][j] for s in v["seeds"]]) - v["seeds"][0][k][j]))
                   > 0.3 * abs(v["seeds"][0][k][0] - v["seeds"][0][k][j]) for v in seeded.values()]
            bench_miss = sum((t < v["bench"][k][1]) if side == "low" else (t > v["bench"][k][2]) for v in runs.values())
            if k not in SCANNED and len(seeded) < len(runs):
                miss[:] = -1                     # not scanned for nearness: no count
            elif res["B"] == 256:               # seed 0 at the default draws is the benchmark's band
                assert bench_miss == miss[0], (k, side, bench_miss, miss[0])
            tot[k] += miss
            if not rel:
                continue
            rel, z0, zb = np.array(rel), np.array(z0), np.array(zb)
            # each seed's z averaged over the data sets (the draws are shared by them: this, not the data sets'
            # se, is the scale against which seed 0's mean z is an outlier or not)
            ms = np.mean(zs, 0) if zs else np.full(K, np.nan)
            seedline = (f"seed 0 mean z {ms[0]:+.2f}, rank {int(np.sum(ms < ms[0]))} of {K} (0 lowest); "
                        f"sd of the seeds' mean z {np.std(ms, ddof=1):.2f}")
            lines.append(f"| {k} | {side} | {seedline} |")
            fz = lambda z: f"{z.mean():+.2f} ({z.std(ddof=1) / np.sqrt(len(z)):.2f})" if len(z) > 1 else "-"  # noqa: E731
            print(f"| {k} | {side} | {len(rel)} | {np.median(rel):.3f} | {np.quantile(rel, 0.9):.3f} | {fz(z0)} | "
                  f"{np.mean(z0 > 0):.2f} | {fz(zb)} | {miss[0]} | {miss.mean():.1f}, {miss.std(ddof=1):.1f}, "
                  f"{miss.min()}-{miss.max()} | {int(np.sum(miss < miss[0]))} of {K} fewer, "
                  f"{int(np.sum(miss > miss[0]))} more; moved > 0.3 hw in {np.mean(far):.2f} |")
    print()
    print("| column | side | seed 0 among the seeds (mean z over data sets) |")
    print("|---|---|---|")
    print("\n".join(lines))
    print()
    print("| column | misses seed 0 (coverage) | misses over seeds: mean (coverage), sd, min-max | seeds with fewer / more |")
    print("|---|---|---|---|")
    for k, m in tot.items():
        if np.any(m < 0):
            continue
        N = len(runs)
        print(f"| {k} | {m[0]} ({1 - m[0] / N:.3f}) | {m.mean():.1f} ({1 - m.mean() / N:.3f}), {m.std(ddof=1):.1f}, "
              f"{m.min()}-{m.max()} | {int(np.sum(m < m[0]))} / {int(np.sum(m > m[0]))} |")
    print()


def main():
    for p in sys.argv[1:]:
        with open(p) as fh:
            summarize(json.load(fh))


if __name__ == "__main__":
    main()
