"""A small `ftheory reproduce` output folder with the ReLU figure data the explorer reads.

Written in the format of ``ftheory reproduce`` (``OUT/data/ID.json`` = ``{"scale", "seed", "data"}``
with the keys of ``ftheory/figures/relu.py``: ``fit`` of the scratch power law, ``mus``,
``teacher_residual`` and ``n_star_teacher`` of ``relu-phase``, ``mus_fine``, ``teacher_abs``,
``teacher_rel`` of ``relu-projection``), with chosen numbers, so that the explorer's tests do not
have to run the ReLU simulations. The stored thresholds are computed like ``reproduce`` computes
them, with :func:`ftheory.relu.powerlaw.boundary_n`.
"""
import json
import math
import os

from ftheory.relu.powerlaw import boundary_n

FIT = {"A": 33.26771391205590, "nu": 1.0627053851574921, "A_ci": [22.01, 50.78], "nu_ci": [1.0037, 1.1163],
       "level": 0.95, "method": "bootstrap", "fixed_nu": False, "instances": 8, "n": [80.0, 160.0], "risk": [0.3, 0.15],
       "log_residual_sd": 0.05}
MUS = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
RELATIVE = [0.0, 0.0559725370468629, 0.12318696789584738, 0.1562753870091102, 0.22913088510753854,
            0.3046698367663398, 0.38205713630267724, 0.43399974120228785, 0.6177883089807484]
MUS_FINE = [round(0.05 * k, 10) for k in range(20)]
CONFIG = {"preset": "cpu", "d": 20, "m": 100, "m_star": 20, "fit_n_min": 80, "instances": 8}


def _json_number(v):
    return "inf" if v == math.inf else v


def write_reproduce_relu(folder, seed=1):
    """Write ``folder/data/relu-{phase,powerlaw,projection}.json``; return ``folder``."""
    os.makedirs(os.path.join(folder, "data"), exist_ok=True)
    n_star = [_json_number(float(v)) for v in boundary_n(FIT["A"], FIT["nu"], RELATIVE)]
    rel_fine = [min(1.0, 0.9 * mu ** 0.8) for mu in MUS_FINE]
    files = {
        "relu-phase": {"config": CONFIG, "fit": FIT, "mus": MUS, "teacher_residual": RELATIVE,
                       "n_star_teacher": n_star, "kept": [20 - int(math.floor(mu * 20 + 1e-9)) for mu in MUS]},
        "relu-powerlaw": {"config": CONFIG, "fit": FIT, "fit_fixed": dict(FIT, nu=1.18, fixed_nu=True)},
        "relu-projection": {"config": CONFIG, "mus_fine": MUS_FINE, "teachers": 200,
                            "teacher_rel": [rel_fine, [0.01] * len(MUS_FINE)],
                            "teacher_abs": [[0.02 * r for r in rel_fine], [2e-4] * len(MUS_FINE)]},
    }
    for fid, data in files.items():
        with open(os.path.join(folder, "data", f"{fid}.json"), "w") as fh:
            json.dump({"scale": "default", "seed": seed, "data": data}, fh)
    return folder
