"""tftheta30: T_ft's band below n = d (``DifferenceLaw``) with the fitted world's nuisances replaced by the truth's,
one at a time, on the band benchmark's data sets (a diagnosis: which plug-in moves the misses). Reads a tfc29/run.py
record of the same run (the report's T_ft value and band at the rule in use, which the fitted variant must
reproduce) and writes, per data set, the band's pivot quantiles under four worlds:

* ``fitted``: the report's (the data's label variance Sy, signal tau, overlap rho, source r2);
* ``true_f``: the data's, with the noise fraction set to the truth's (tau = (1 - f) Sy);
* ``true_D``: the data's, with the overlap set so that the world's distance at the fitted fraction is the truth's;
* ``true``: the population's (Sy = tau^2 + sigma^2, rho, r2 and Sr of the task).

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/tftheta30/probe.py REC.json REPS OUT.json
"""
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
import advisor_band_coverage as b  # noqa: E402
from ftheory.advise.aniso_difference import DifferenceLaw, _fraction  # noqa: E402
from ftheory.advise.aniso_predict import AnisotropicPredictor  # noqa: E402


def main():
    rec, reps, out = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3]
    setting, seed = b.setting_at(rec["set"], rec["index"])
    task, ev, n = b.setting_task(setting, seed)
    tr = task.truth()
    tau2, rho_t, r2_t, sig2, D_t = (tr[k] for k in ("signal", "overlap_inner", "source_signal", "noise_variance",
                                                    "distance"))
    res = {"set": rec["set"], "index": rec["index"], "stream": rec["stream"], "setting": setting,
           "truth": {"T_finetune": rec["truth"]["T_finetune"], "tau2": tau2, "rho": rho_t, "r2": r2_t,
                     "sigma2": sig2, "D": D_t}, "reps": []}
    t0 = time.time()
    for (rep, prep, pe), x in zip(b.datasets(setting, seed, reps, rec["stream"], 20, "rep"), rec["reps"]):
        assert rep == x["rep"]
        m = prep.X.shape[0]
        dl = DifferenceLaw(AnisotropicPredictor(prep, seed=pe.seed), m)
        Sy, rho, r2, Sr = dl._data()
        tau = float(dl.ap.kinv @ dl.ap.u["y"])
        f0 = float(_fraction(np.array([Sy - tau]), np.array([tau]), np.array([Sy]))[0])
        f_t = sig2 / (tau2 + sig2)
        worlds = {"fitted": (Sy, tau, rho, r2, Sr), "true_f": (Sy, (1 - f_t) * Sy, rho, r2, Sr),
                  "true_D": (Sy, tau, ((1 - f0) * Sy + r2 - D_t) / 2, r2, Sr),
                  "true": (tau2 + sig2, tau2, rho_t, r2_t, D_t + sig2)}
        q = {k: [float(v[1]) for v in dl.quantiles(*w)] for k, w in worlds.items()}   # [lo, hi] of the T_ft pivot
        res["reps"].append({"rep": rep, "T_hat": x["ivs"]["T_finetune"][0], "band": x["ivs"]["T_finetune"][1:],
                            "Sy": Sy, "tau": tau, "rho": rho, "r2": r2, "Sr": Sr, "f0": f0,
                            "D_w": dl._amplitudes(f0, Sy, rho, r2, Sr)[3] ** 2, "q": q})
        if rep % 10 == 0:
            print(f"rep {rep} {time.time() - t0:.0f}s", flush=True)
    res["seconds"] = time.time() - t0
    with open(out, "w") as fh:
        json.dump(res, fh)


if __name__ == "__main__":
    main()
