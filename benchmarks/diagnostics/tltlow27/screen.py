"""tltlow27: a screen (not a benchmark) of the T_lt band below n = d "given no clip": where the data's noise
estimate is not clipped, the law of ``(T_hat - T)/S_y`` over the draws whose own noise estimate is not clipped
either, pooled over the worlds at every noise fraction of the calibration grid (``DifferenceLaw.given_clip``'s
construction with the condition reversed, ``CLIP_DRAWS`` draws), against the concordant band the report uses
there. Clipped data sets keep the report's band (the law given the clip) in both columns.

    PYTHONPATH=. python benchmarks/diagnostics/tltlow27/screen.py (grid|offgrid|fresh) INDEX REPS OUT.json
"""
import json
import sys
import time

import numpy as np

sys.path.insert(0, "benchmarks")
import advisor_band_coverage as b  # noqa: E402

from ftheory.advise.aniso_difference import CLIP_DRAWS, GRID, DifferenceLaw, _given_clip  # noqa: E402
from ftheory.advise.aniso_pivot import ScalePivot  # noqa: E402
from ftheory.advise.aniso_predict import AnisotropicPredictor  # noqa: E402
from ftheory.advise.estimators import feasible  # noqa: E402


def given_no_clip(prep, pe, m, t_lt, level=0.95):
    """``(low, high)`` of T_lt from the law given no clip (None with fewer than 40 such draws)."""
    ap = AnisotropicPredictor(prep, seed=pe.seed)
    law = DifferenceLaw(ap, m, pivot=ScalePivot(ap, max(CLIP_DRAWS, ap.pivot_draws), ap.seed))
    Sy, rho, r2, Sr = law._data()
    worlds = [law.world(f, max(Sy, 1e-300), rho, r2, Sr) for f in GRID]
    cl = np.stack([w[2] for w in worlds], 1)
    q = _given_clip(np.stack([w[0][:, 0] for w in worlds], 1), ~cl, (1 - level) / 2)
    if q is None:
        return None
    return min(t_lt - q[1] * Sy, t_lt), max(t_lt - q[0] * Sy, t_lt)


if __name__ == "__main__":
    kind, i, reps, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    setting, seed = b.setting_at("heldout" if kind == "fresh" else kind, i)
    task, ev, n = b.setting_task(setting, seed)
    t = b.true_risks(task, ev, n - 1, setting[0])["T_linear_transfer"]
    rows, t0 = [], time.time()
    for rep, prep, pe in b.datasets(setting, seed, reps, 0, 20, "rep"):
        m = prep.X.shape[0]
        preds, transf, *_ = b.predict(prep, pe, [m], m)
        iv = transf["linear_transfer"]
        clipped = bool(feasible(pe.p)[1] == 0)
        alt = None if clipped else given_no_clip(prep, pe, m, iv.value)
        rows.append({"rep": rep, "clipped": clipped, "value": iv.value, "band": [iv.low, iv.high],
                     "no_clip_law": list(alt) if alt else None})
    for name, get in (("report", lambda r: r["band"]), ("no-clip law", lambda r: r["no_clip_law"] or r["band"])):
        lo = sum(t < get(r)[0] for r in rows)
        hi = sum(t > get(r)[1] for r in rows)
        w = np.median([get(r)[1] - get(r)[0] for r in rows if not r["clipped"]])
        print(f"{setting} {name}: {1 - (lo + hi) / len(rows):.3f} ({lo} / {hi} of {len(rows)}), "
              f"median width unclipped {w:.3f}")
    with open(out, "w") as fh:
        json.dump({"setting": setting, "seed": seed, "truth": t, "seconds": time.time() - t0, "rows": rows}, fh,
                  indent=1)
