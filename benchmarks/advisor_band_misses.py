"""Where the advisor's anisotropic bands miss: per-replication bands of one setting of
``advisor_band_coverage.py`` (same settings, seeds and draws), with the quantities that explain the misses.

    PYTHONPATH=. python benchmarks/advisor_band_misses.py --only 11 [--reps 500] [--start 0] [--out FILE.json]

Per replication it records every column's ``(value, low, high)`` (the report's ``predict``), the moment noise
estimate's 95% interval (``noise_moment``, the interval the noise disc above n = d uses) and the truth. It
prints, per column of :data:`COLUMNS`: coverage and the sides of the misses; the 2.5/97.5% points of
``estimate - truth`` over the replications against the median half-widths of the band below and above the
estimate (a band too wide on one side has a half-width well above the matching point); and, for the
transferability ``T_finetune``, how many of its misses fall where the noise interval or the tuned scratch /
fine-tuning band also misses. ``--start K`` skips the first K replications' predictions (the draws are still
made, so replication K is the benchmark's replication K).
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

from ftheory.advise.report import predict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import print_load, write_json  # noqa: E402
from advisor_band_coverage import COLS, SETTINGS, datasets, setting_task, true_risks  # noqa: E402

COLUMNS = ("scratch_ridge", "finetune_min_norm", "finetune_ridge", "T_finetune")


def run(index, reps, start=0, per_feature=20):
    """Per-replication records of setting ``index`` (replications ``start`` to ``reps - 1``) and the truth."""
    setting = SETTINGS[index]
    task, ev, n = setting_task(setting, 500 + index)
    truth = true_risks(task, ev, n - 1, setting[0])
    rows = []
    for rep, prep, pe in datasets(setting, 500 + index, reps, per_feature=per_feature, start=start):
        m = prep.X.shape[0]
        preds, transf, *_ = predict(prep, pe, [m], m)
        ivs = {k: [v.value, v.low, v.high] for k, v in preds.items()}
        ivs.update({f"T_{k}": [v.value, v.low, v.high] for k, v in transf.items()})
        nm = pe.interval("noise_moment")
        rows.append({"rep": rep, "bands": ivs, "noise_moment": [nm.value, nm.low, nm.high]})
        if rep % 50 == 0:
            print(f"setting {index}: replication {rep}", file=sys.stderr, flush=True)
    return truth, rows, task.sigma ** 2


def summary(truth, rows, noise):
    """Printable lines: coverage, miss sides, error quantiles against half-widths, and T_finetune's misses."""
    out = []
    miss = {}
    for k in COLUMNS:
        b = np.array([r["bands"][k] for r in rows], float)
        t = truth[k]
        below, above = t < b[:, 1], t > b[:, 2]
        miss[k] = below | above
        err = np.quantile(b[:, 0] - t, [0.025, 0.975])
        out.append(f"{k}: truth {t:.4f}, coverage {1 - miss[k].mean():.3f} (below {below.mean():.3f}, above "
                   f"{above.mean():.3f}); estimate - truth 2.5/97.5%: {err[0]:.4f} / {err[1]:.4f}; median "
                   f"half-width below / above the estimate: {np.median(b[:, 0] - b[:, 1]):.4f} / "
                   f"{np.median(b[:, 2] - b[:, 0]):.4f}")
    nm = np.array([r["noise_moment"] for r in rows], float)
    nmiss = (noise < nm[:, 1]) | (noise > nm[:, 2])
    tm = miss["T_finetune"]
    tuned = miss["scratch_ridge"] | miss["finetune_ridge"]
    out.append(f"noise_moment interval: coverage {1 - nmiss.mean():.3f} (truth below {np.mean(noise < nm[:, 1]):.3f}, "
               f"above {np.mean(noise > nm[:, 2]):.3f})")
    out.append(f"T_finetune misses {int(tm.sum())}: with the noise interval missing {int((tm & nmiss).sum())}, with a "
               f"tuned band missing {int((tm & tuned).sum())}, with either {int((tm & (nmiss | tuned)).sum())}; "
               f"estimate exactly 0 in {int(np.sum(np.array([r['bands']['T_finetune'][0] for r in rows]) == 0))} "
               f"replications")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", type=int, required=True, help="setting index of advisor_band_coverage.py")
    ap.add_argument("--reps", type=int, default=500)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--out", default=None)
    ns = ap.parse_args()
    assert set(COLUMNS) <= set(COLS)
    print_load("start")
    truth, rows, noise = run(ns.only, ns.reps, ns.start)
    for line in summary(truth, rows, noise):
        print(line)
    print_load("end")
    write_json(ns.out, {"setting": SETTINGS[ns.only], "truth": truth, "noise_variance": noise, "rows": rows})


if __name__ == "__main__":
    main()
