"""ftmn26: one quick screen (not a benchmark) of a candidate fix for the min-norm fine-tuning band below n = d.

Candidate ("Sr total"): the pivot's fitted world for min-norm fine-tuning keeps its fitted noise fraction
``f0 = sig0/(L0 + sig0)`` but puts the world's total (distance + noise, the label variance of ``y - z`` in the world)
at the data's label variance of ``y - z``, ``Sr = S_yy - 2 S_yz + S_zz`` (well determined), instead of
``L0 + sig0`` (whose noise part ``S_yy - U(y, Sigma^-1)`` carries the error of the whole target signal, source
included); each simulated draw's own world (the prepivot's table) is read at its own ``mean (y - z)^2`` likewise.
The source part is unscaled on the ray, so the total matters for fine-tuning (the law narrows as the total grows).

Second candidate ("resid", MODES arg ``current,resid``): the fitted world's noise from the residual labels,
``sig0 = max(Sr - L0, 0.05 Sr)`` with ``L0 = kinv.u_{y-z}`` as now (total ``Sr``, no part built from the full labels
``y``), each draw's own world likewise (``s_b = max(m_r - L_b, 0.05 m_r)``).

Applied by rewriting a copy of ``ScalePivot._ends`` in this process (nothing under ftheory/ changes); the tuned
bands and scratch are untouched. Replays the benchmark's data sets (``datasets``, rep seeds, stream 0) and counts,
for the current and the candidate band, the truth below / above and the median width.

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/ftmn26/screen.py KEY[,KEY...] REPS OUT.json [MODES]

(MODES: comma-separated of current, sr_total, resid; default current,sr_total.)

(KEY ``gN``: SETTINGS[N] at task seed 500 + N; an integer i: OFFGRID[i] at task seed 700 + i.)
"""
import inspect
import json
import os
import sys
import textwrap
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import advisor_band_coverage as b  # noqa: E402
import ftheory.advise.aniso_pivot as mod  # noqa: E402
from ftheory.advise.aniso_predict import AnisotropicPredictor  # noqa: E402

SRT = [0]
MODES = {"current": 0, "sr_total": 1, "resid": 2}
_orig = mod.ScalePivot._ends


def _patched():
    src = textwrap.dedent(inspect.getsource(_orig))
    a = "    L0, sig0, rz = self.base(which)\n"
    assert src.count(a) == 1
    src = src.replace(a, a + (
        "    if SRT[0] and which == 'finetune' and not tuned:\n"
        "        _Sr = float(ap.S_raw[0, 0] - 2 * ap.S_raw[0, 1] + ap.S_raw[1, 1])\n"
        "        if SRT[0] == 1:\n"
        "            _f = sig0 / (L0 + sig0)\n"
        "            L0, sig0 = (1 - _f) * _Sr, _f * _Sr\n"
        "        else:\n"
        "            sig0 = max(_Sr - L0, 0.05 * _Sr)\n"))
    r = "        return st, s_b / (L_b + s_b), ql, L_b + s_b\n"
    assert src.count(r) == 1
    src = src.replace(r, "        if SRT[0] == 2 and which == 'finetune' and not tuned:\n"
                         "            s_b = np.maximum(m_r - L_b, 0.05 * np.maximum(m_r, 1e-300))\n"
                         "        return st, s_b / (L_b + s_b), ql, (np.maximum(m_r, 1e-300) if SRT[0] == 1 and which == "
                         "'finetune' and not tuned else L_b + s_b)\n")
    ns = dict(vars(mod))
    ns["SRT"] = SRT
    exec(compile(src, "<patched _ends>", "exec"), ns)
    return ns["_ends"]


mod.ScalePivot._ends = _patched()


def main():
    keys, reps, out = sys.argv[1].split(","), int(sys.argv[2]), sys.argv[3]
    modes = sys.argv[4].split(",") if len(sys.argv) > 4 else ["current", "sr_total"]
    res = []
    for key in keys:
        if key.startswith("g"):
            setting, seed = b.SETTINGS[int(key[1:])], b.task_seed(int(key[1:]))
        else:
            setting, seed = b.OFFGRID[int(key)], b.task_seed(int(key), True)
        task, ev, n = b.setting_task(setting, seed)
        R = b.true_risks(task, ev, n - 1, setting[0])["finetune_min_norm"]
        cnt = {k: {"below": 0, "above": 0, "width": []} for k in modes}
        t0 = time.time()
        for rep, prep, pe in b.datasets(setting, seed, reps, 0, 20, "rep"):
            m = prep.X.shape[0]
            for k in modes:
                flag = MODES[k]
                SRT[0] = flag
                ap = AnisotropicPredictor(prep, seed=pe.seed)
                v, lo, hi = (float(x[0]) for x in ap.bands("finetune_min_norm", np.array([m])))
                cnt[k]["below"] += R < lo
                cnt[k]["above"] += R > hi
                cnt[k]["width"].append(hi - lo)
            SRT[0] = 0
        row = {"key": key, "setting": list(setting), "seed": seed, "reps": reps, "R_true": R,
               "seconds": time.time() - t0,
               **{k: {"below": int(c["below"]), "above": int(c["above"]),
                      "coverage": 1 - (c["below"] + c["above"]) / reps,
                      "median_width": float(np.median(c["width"]))} for k, c in cnt.items()}}
        res.append(row)
        print(json.dumps({k: row[k] for k in ["key"] + modes}), flush=True)
        with open(out, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
