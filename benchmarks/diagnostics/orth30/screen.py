"""orth30: a screen of the noise variance below n = d estimated from the labels' part orthogonal to the pretrained
predictor. Given z, the rows rotated onto the complement of z (``H' X``, ``H' y``; ``H`` an orthonormal basis of
z's orthogonal complement, a function of z alone) are again a Gaussian linear model: n - 1 i.i.d. rows with inputs
``N(0, Sigma_perp)``, ``Sigma_perp = Sigma - Sigma beta_s beta_s' Sigma / r^2``, teacher signal
``||beta_perp||^2 = tau^2 (1 - cos^2)`` and the same noise (derivations in docs/advisor_validation.md, orth30). The
estimator and interval in use, applied to the rotated data, estimate sigma^2 with the target signal replaced by
``tau^2 sin^2 theta``. This screen runs both on the band benchmark's data sets and records their intervals. The
rotated estimates are ``ParameterEstimates.orthogonal_task`` (the screen's records were written with its own copy of
the reflection, before the library had one; the two agree to 14 digits).

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/orth30/screen.py SET INDEX REPS OUT.json
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import advisor_band_coverage as b  # noqa: E402


def main():
    kind, index, reps, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    setting, seed = b.setting_at(kind, index)
    task, ev, n = b.setting_task(setting, seed)
    tr = task.truth()
    res = {"set": kind, "index": index, "setting": setting, "truth": tr, "reps": []}
    t0 = time.time()
    for rep, prep, pe in b.datasets(setting, seed, reps, 0, 20, "rep"):
        po = pe.orthogonal_task
        row = {"rep": rep}
        for name, e in (("in_use", pe), ("orth", po)):
            iv = e.interval("noise_variance")
            row[name] = [float(e.p[1]), iv.value, iv.low, iv.high]
        row["orth_signal_perp"] = float(po.p[0])
        res["reps"].append(row)
    res["seconds"] = time.time() - t0
    with open(out, "w") as fh:
        json.dump(res, fh)


if __name__ == "__main__":
    main()
