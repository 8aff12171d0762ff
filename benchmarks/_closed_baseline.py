"""Frozen copy of the data code of the six closed-form / least-squares paper-scale figures at commit bd24e37
(before the grid simulators): one simulator call per grid point. The same-process baseline of
benchmarks/bench_paper_closed.py. Not used by the library. Since then only edited to give the simulators
``gamma=`` (n = round(gamma d), the simulators' own conversion) where it converted by hand: same points, same
seeds, same numbers."""
from __future__ import annotations

import numpy as np

from ftheory.figures import lt_ridge as _ltr
from ftheory.figures import similarity as _sim
from ftheory.figures import tuned as _tuned
from ftheory.figures.lt_phase import grid_axes
from ftheory.simulate.deep_linear import simulate_deep_linear
from ftheory.simulate.gamma import n_from_gamma
from ftheory.simulate.linear import (simulate_linear_transfer_risk, simulate_min_norm_risk,
                                     simulate_scratch_and_transfer, simulate_tuned_ridge_risk)
from ftheory.simulate.sweeps import point_seed, sweep
from ftheory.simulate.tasks import simulate_w1_estimate


def scratch_dd(scale, seed):
    d = scale["d"]
    rows = []
    for sigma in (0.0, 0.2):
        for k, g in enumerate(np.round(np.arange(0.1, 2.0001, 0.1), 10)):
            est = simulate_min_norm_risk(gamma=g, d=d, sigma=sigma, instances=scale["instances"],
                                         seed=np.random.SeedSequence([seed, int(sigma * 1000), k]))
            rows.append({"sigma": sigma, "n": est.info["n"], "mean": est.mean, "sem": est.sem})
    return {"rows": rows}


def lt_phase(scale, seed, sigma):
    d = scale["d"]
    thetas, gammas = grid_axes(scale)
    res = sweep(simulate_scratch_and_transfer, {"theta": thetas, "gamma": gammas}, fixed={"d": d, "sigma": sigma},
                instances=scale["instances"], seed=seed, progress=False)
    ns = res.values("n")                                   # n = round(gamma d), as the simulator ran
    T = np.full((len(ns), len(thetas)), np.nan)
    S = np.full_like(T, np.nan)
    for r in res.rows:
        if r["quantity"] == "transferability":
            i, j = ns.index(r["n"]), thetas.index(r["theta"])
            T[i, j], S[i, j] = r["mean"], r["sem"]
    return {"ns": ns, "thetas": thetas, "T": T.tolist(), "sem": S.tolist()}


def tuned(scale, seed):
    d = scale["d"]
    thetas, gammas = grid_axes(scale)
    sc_inst = scale.get("tuned_sc_instances", 4 * scale["instances"])
    lams = sorted(set(_tuned.WD_LAMS) | set(_tuned.FINE_LAMS))
    wd_idx = [lams.index(x) for x in _tuned.WD_LAMS]
    base_mean, base_sem, ns = [], [], []
    for g in gammas:
        n = n_from_gamma(g, d)                  # the seed stream is labelled by n; the simulator takes gamma
        ns.append(n)
        res = simulate_tuned_ridge_risk(gamma=g, d=d, sigma=_tuned.SIGMA, lams=lams, instances=sc_inst,
                                        seed=point_seed(seed, {"figure": _tuned.ID, "n": n}))
        means = res.means
        j = wd_idx[int(np.argmin(means[wd_idx]))]
        base_mean.append(means[j])
        base_sem.append(res.estimates[j].sem)
    res = sweep(simulate_linear_transfer_risk, {"theta": thetas, "gamma": gammas}, fixed={"d": d, "sigma": _tuned.SIGMA},
                instances=scale["instances"], seed=seed, progress=False)
    lt_mean = np.full((len(ns), len(thetas)), np.nan)
    lt_sem = np.full_like(lt_mean, np.nan)
    for r in res.rows:
        i, j = ns.index(r["n"]), thetas.index(r["theta"])
        lt_mean[i, j], lt_sem[i, j] = r["mean"], r["sem"]
    b, bs = np.array(base_mean)[:, None], np.array(base_sem)[:, None]
    return {"ns": ns, "thetas": thetas, "T_wd": (b - lt_mean).tolist(),
            "T_wd_sem": np.sqrt(bs ** 2 + lt_sem ** 2).tolist(), "lt_mean": lt_mean.tolist(),
            "lt_sem": lt_sem.tolist()}


def _deep_lt(n, d, theta, sigma, lam, instances, seed):
    return simulate_deep_linear("lt", n, d, theta, sigma, lam=lam, instances=instances, seed=seed)


def lt_ridge(scale, seed):
    d = scale["d"]
    mc = scale.get("ridge_instances", 50 * scale["instances"])
    gd = scale.get("ridge_gd_instances", 4 * scale["instances"])
    fixed = {"gamma": _ltr.GAMMA, "d": d, "theta": _ltr.THETA, "sigma": _ltr.SIGMA}
    closed = sweep(simulate_linear_transfer_risk, {"lam": _ltr.LAMS}, fixed=fixed, instances=mc, seed=seed,
                   progress=False).rows
    deep = sweep(_deep_lt, {"lam": _ltr.LAMS}, fixed=fixed, instances=gd, seed=seed, progress=False).rows
    small = []
    for n_small in _ltr.SMALL_NS:
        for lam in _ltr.SMALL_LAMS:
            est = simulate_linear_transfer_risk(n_small, d, _ltr.THETA, _ltr.SIGMA, lam=lam, instances=mc,
                                                seed=np.random.SeedSequence([seed, 7, n_small]))
            small.append({"n": n_small, "lam": lam, "mean": est.mean, "sem": est.sem})
    return {"closed_form": closed, "deep_linear": deep, "small_n": small}


def _pair_at_gamma(gamma, d, theta, sigma, instances, seed):
    return simulate_scratch_and_transfer(gamma=gamma, d=d, theta=theta, sigma=sigma, instances=instances, seed=seed)


def similarity(scale, seed):
    d = scale["d"]
    inst = scale.get("similarity_instances", 10 * scale["instances"])
    w1_inst = scale.get("w1_instances", max(2, scale["instances"] // 6))
    thetas = _sim._angles(scale)
    res = sweep(simulate_scratch_and_transfer, {"theta": thetas}, fixed={"gamma": _sim.GAMMA, "d": d, "sigma": _sim.SIGMA},
                instances=inst, seed=seed, progress=False)
    by_theta = [r for r in res.rows if r["quantity"] == "transferability"]
    gammas = [0.1, 0.3, 0.5, 0.7, 0.85, 1.2, 1.6, 2.5]
    res = sweep(_pair_at_gamma, {"gamma": gammas}, fixed={"d": d, "theta": _sim.THETA_FIXED, "sigma": _sim.SIGMA},
                instances=inst, seed=seed, progress=False)
    by_gamma = [r for r in res.rows if r["quantity"] == "transferability"]
    res = sweep(simulate_w1_estimate, {"theta": thetas},
                fixed={"sigma": _sim.SIGMA, "d": scale.get("w1_dim", _sim.W1_DIM), "size": _sim.W1_SIZE},
                instances=w1_inst, seed=seed, progress=False)
    return {"by_theta": by_theta, "by_gamma": by_gamma, "w1": res.rows}


FIGURES = {"scratch-dd": scratch_dd, "lt-phase": lambda s, seed: lt_phase(s, seed, 0.2),
           "lt-phase-noiseless": lambda s, seed: lt_phase(s, seed, 0.0), "tuned-baseline": tuned,
           "lt-ridge": lt_ridge, "similarity": similarity}
