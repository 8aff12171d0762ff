"""The shared ReLU experiment behind the four ReLU figures: settings per scale, the simulation
(memoised in-process and on disk), the scratch runs of extra seeds pooled for the power law, and
small helpers for the figure data."""
from __future__ import annotations

import hashlib
import json
import math
import os

import numpy as np

from ftheory.figures.jsonable import jsonable  # noqa: F401  (re-exported for the ReLU figures)
from ftheory.simulate.stats import mean_sem  # noqa: F401  (re-exported: it lived here)
from ftheory.relu.powerlaw import fit_power_law
from ftheory.simulate.relu import (RELU_SCALES, ReluSpec, ReluTransferResult, simulate_relu_scratch,
                                   simulate_relu_transfer)

#: Settings of the shared experiment per figure scale (``SCALES[...]["relu"]``).
CONFIGS = {
    "cpu": {**RELU_SCALES["cpu"], "instances": 8,
            "ns": [10, 20, 40, 80, 160, 320, 640, 1280], "mus": [round(0.1 * k, 10) for k in range(9)],
            "fit_n_min": 80, "rcond": 1e-6, "projection_teachers": 200, "gram_mu": 0.4, "gram_inputs": 40,
            "slice_mus": [0.2, 0.6], "nu_seeds": 3},
    # docs/background.md §10.6 sizes; cost model and measured times in docs/performance.md (ReLU section)
    "paper": {**RELU_SCALES["paper"], "instances": 8,
              "ns": [50, 100, 200, 400, 800, 1600, 3200], "mus": [round(0.1 * k, 10) for k in range(9)],
              "fit_n_min": 200, "rcond": 1e-6, "projection_teachers": 200, "gram_mu": 0.4, "gram_inputs": 40,
              "slice_mus": [0.2, 0.6], "nu_seeds": 2},
    "tiny": {**RELU_SCALES["tiny"], "instances": 3,
             "ns": [8, 16, 32, 64], "mus": [0.0, 0.25, 0.5], "fit_n_min": 8, "rcond": 1e-6,
             "projection_teachers": 20, "gram_mu": 0.25, "gram_inputs": 16, "slice_mus": [0.25],
             "nu_seeds": 2},
}
PROJECTION_MUS = [round(0.05 * k, 10) for k in range(20)]
_MEMO: dict = {}


def config(scale) -> dict:
    """Settings of the shared ReLU experiment for a figure scale (``scale['relu']``, else by ``scale['d']``), with the
    preset name; ValueError for an unknown preset.
    """
    name = scale.get("relu", "cpu" if scale.get("d", 100) >= 80 else "tiny")
    if name not in CONFIGS:
        raise ValueError(f"relu scale {name!r} is invalid: expected one of {', '.join(CONFIGS)}")
    return {"preset": name, **CONFIGS[name]}


def _key(cfg, seed, **extra) -> str:
    """Hash of what the simulation depends on (settings, grids, seed), not of figure-only options."""
    sim = {k: cfg[k] for k in sorted(cfg) if k in ReluSpec.names() or k in ("ns", "mus")}
    return hashlib.sha256(json.dumps({"sim": sim, "seed": seed, **extra}, sort_keys=True).encode()).hexdigest()[:20]


def experiment(scale, seed, store=None, progress=None) -> tuple[dict, ReluTransferResult]:
    """The shared simulation (memoised in-process and, with ``store``, on disk)."""
    cfg = config(scale)
    key = _key(cfg, seed)
    if key in _MEMO:
        return cfg, _MEMO[key]
    path = os.path.join(store, "relu", f"{key}.npz") if store else None
    res = None
    if path and os.path.exists(path):
        try:
            res = ReluTransferResult.load(path)
        except (OSError, ValueError, KeyError):
            res = None
    if res is None:
        say = (lambda msg: progress(f"relu: {msg}")) if progress else None
        settings = {k: v for k, v in cfg.items() if k in ReluSpec.names()}
        res = simulate_relu_transfer(cfg["ns"], cfg["mus"], ReluSpec(**settings, keep_init=True),
                                     seed=np.random.SeedSequence([seed, 10]), progress=say,
                                     checkpoint=os.path.join(store, "relu", "stages") if store else None)
        if path:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            tmp = path + ".tmp.npz"
            res.save(tmp)
            os.replace(tmp, path)
    _MEMO[key] = res
    return cfg, res


def settings_text(cfg, res) -> str:
    """One-sentence description of the simulation settings of ``res`` (sizes, training, read-out) for captions."""
    p = res.params
    pre = (f"up to {p['pretrain_steps']} GD steps at lr = {p['pretrain_lr']:g}, stopped at a source risk of "
           f"{p['pretrain_tol']:g} ||f_s||^2" if p.get("pretrain_early_stop") else
           f"{p['pretrain_steps']} GD steps at lr = {p['pretrain_lr']:g}")
    extra = ""
    if p.get("plateau"):
        extra += f"; every GD also stops on a plateau of its exact risk (rate < {p['plateau']:g})"
    if p.get("dtype", "float64") != "float64":
        extra += f"; population gradients in {p['dtype']}"
    return (f"d = {p['d']}, m = {p['m']}, m* = {p['m_star']}, sigma = {p['sigma']:g}, {p['instances']} instances; "
            f"pretraining: {pre} on the exact population loss; target training: up to {p['steps']} GD steps at "
            f"lr = {p['lr']:g} (mean-field time, both layers); linear transfer: lstsq read-out, "
            f"rcond = {p['rcond']:g}{extra}")


def pooled_scratch(cfg, res, seed, store=None, progress=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Relative scratch risks of the shared experiment and of ``nu_seeds - 1`` further seeds (scratch only).

    Returns ``(R, group, converged)``: ``R`` (instances x seeds, N) relative to each instance's
    ``||f_t||^2``, the seed index of every row (0: the shared experiment) and the convergence flags.
    """
    rows, group = [res.relative("scratch")], [np.zeros(res.scratch.shape[0], dtype=int)]
    conv = [res.scratch_converged]
    settings = {k: v for k, v in cfg.items() if k in ReluSpec.names()}
    for k in range(1, int(cfg.get("nu_seeds", 1))):
        key = _key(cfg, seed, scratch_seed=k)
        if key not in _MEMO:
            path = os.path.join(store, "relu", f"scratch-{key}.npz") if store else None
            got = None
            if path and os.path.exists(path):
                try:
                    with np.load(path) as z:
                        got = {k: z[k] for k in ("scratch", "norm_sq", "scratch_converged")}
                except (OSError, ValueError, KeyError):
                    got = None
            if got is None:
                if progress:
                    progress(f"relu: scratch, seed {k + 1} of {cfg['nu_seeds']}")
                got = simulate_relu_scratch(cfg["ns"], ReluSpec(**settings),
                                            seed=np.random.SeedSequence([seed, 10, k]))
                if path:
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    np.savez(path + ".tmp.npz", scratch=got["scratch"], norm_sq=got["norm_sq"],
                             scratch_converged=got["scratch_converged"])
                    os.replace(path + ".tmp.npz", path)
            _MEMO[key] = got
        got = _MEMO[key]
        rows.append(got["scratch"] / got["norm_sq"][:, None])
        group.append(np.full(got["scratch"].shape[0], k))
        conv.append(got["scratch_converged"])
    return np.concatenate(rows), np.concatenate(group), np.concatenate(conv)


def fit(cfg, seed, R, ns, nu=None, all_n=False):
    """Power law of the mean of the rows of ``R`` (n >= fit_n_min unless ``all_n``), bootstrap over the rows."""
    ns = np.asarray(ns)
    sel = np.ones(ns.size, bool) if all_n else ns >= cfg["fit_n_min"]
    return fit_power_law(ns[sel], R[:, sel], nu=nu, seed=np.random.SeedSequence([seed, 12 if all_n else 11]))


def clean(rel, floor=1e-10):
    """Relative residuals below ``floor`` are rounding (e.g. mu = 0): set them to 0."""
    rel = np.asarray(rel, dtype=float).copy()
    rel[rel < floor] = 0.0
    return rel


def num(v):
    """A number from figure JSON: ``"inf"``/``"-inf"`` to +-inf, None to NaN, anything else unchanged."""
    return math.inf if v == "inf" else (-math.inf if v == "-inf" else (math.nan if v is None else v))


