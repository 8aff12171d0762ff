"""ftmn26: why the min-norm fine-tuning band below n = d (anisotropic) misses the truth only below (band too high).

Replays the band benchmark's data sets (``datasets``, rep seeds, stream 0), computes the band of
``finetune_min_norm`` exactly as the report does (``AnisotropicPredictor(prep, seed=pe.seed).bands``, unchanged) and
records, by wrapping (not changing) ``ScalePivot._ends`` / ``ScalePivot._prepivot``:

* the data's realised ratio ``v/R_true`` (a miss below iff it exceeds the prepivoted ``q_hi``), the band, ``q_lo``,
  ``q_hi``, the prepivoted levels, the plain 2.5/97.5% points of the fitted world, the fitted nuisances
  (distance ``L0``, noise ``sig0``, source ``rz``, the fitted exponents) and the true ones;
* the law of ``R_hat/R`` in worlds built as the pivot builds them (``Sigma = Sigma_hat`` known, ``B`` Gaussian
  draws of the data's size in Sigma_hat's eigenbasis, the estimate ``(W/lambda^2).u_{y-z} + V (S_yy - u_y/lambda)``,
  the risk ``sum W b^2 + V sigma^2``, plus the data's pool term ``g * extra_sd``) but at chosen teachers, with common
  random numbers across variants. Variants (per replication: its 2.5/97.5% points and mean):

  - ``true``: the true teachers (beta_t, beta_s in Sigma_hat's eigenbasis) and noise: the world's model at the truth;
  - ``true_nopool``: the same without the pool term;
  - ``true_indep``: the true per-direction energies of beta_t - beta_s and of beta_s, the source with random signs
    (cross term ~0, as the pivot's z): candidate (b);
  - ``true_orth``: the source made Sigma_hat-orthogonal to the distance (cross term exactly 0, same norm);
  - ``fitprof``: the true distance, noise and source size, but the pivot's fitted profiles (distance and source,
    the pivot's sign vector): the world's model at the true scalars: candidate (c);
  - ``fit_scalars_trueprof``: the fitted scalars (L0, sig0, rz) with the true profiles and cross term;
  - with the true profiles and cross term and the fitted source size ``rz``: ``fit_noise_only`` (sig0, true
    distance), ``fit_dist_only`` (L0, true noise), ``fit_f_true_tot`` (the fitted fraction ``f0 = sig0/(L0 + sig0)``
    at the true total distance + noise), ``fit_f_Sr_tot`` (``f0`` at the data's label variance of ``y - z``,
    ``Sr``, an estimate of the same total), ``true_f_fit_tot`` (the true fraction at the fitted total ``L0 + sig0``).

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/ftmn26/mech.py OFFGRID_INDEX|gN REPS OUT.json [B]

(``g8``: SETTINGS[8] at task seed 508; an integer: OFFGRID[i] at task seed 700 + i.)
"""
import json
import math
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import advisor_band_coverage as b  # noqa: E402
from ftheory.advise.aniso_pivot import ScalePivot  # noqa: E402
from ftheory.advise.aniso_predict import AnisotropicPredictor  # noqa: E402

REC = {}
CUR = [None]
_orig_ends = ScalePivot._ends
_orig_prepivot = ScalePivot._prepivot


def _ends(self, which, j, W, V, v_all, sel, tuned, level, extra_sd=None):
    CUR[0] = (which, tuned)
    if which == "finetune" and not tuned:
        REC["W"], REC["V"] = np.array(W[0, 0]), float(V[0, 0])
        REC["extra_sd"] = None if extra_sd is None else float(np.ravel(extra_sd)[0])
        REC["v_obs"] = float(v_all[0, sel[0]])
    return _orig_ends(self, which, j, W, V, v_all, sel, tuned, level, extra_sd)


def _prepivot(self, world, grid, i0, tot, alpha):
    qa, qb = _orig_prepivot(self, world, grid, i0, tot, alpha)
    if CUR[0] == ("finetune", False):
        st0 = world(grid[i0])[0][:, 0]
        L0, sig0, rz = self.base("finetune")
        REC.update({"q_lo": float(qa[0]), "q_hi": float(qb[0]), "levels": [float(np.ravel(v)[0]) for v in self.levels],
                    "fit_q": [float(np.quantile(st0, alpha)), float(np.quantile(st0, 1 - alpha))],
                    "fit_mean": float(np.mean(st0)), "f0": float(grid[i0]), "L0": L0, "sig0": sig0, "rz": rz,
                    "a_ft": self.a["finetune"], "a_src": self.a["source"]})
        REC["_pivot"] = self
    return qa, qb


ScalePivot._ends = _ends
ScalePivot._prepivot = _prepivot


def ustats(xq, x2, w, n):
    """Per-direction U-statistics (B, d) of label combinations ``w`` (B, n)."""
    v = np.einsum("bnd,bn->bd", xq, w)
    return (v * v - np.einsum("bn,bnd->bd", w * w, x2)) / (n * (n - 1))


def laws(ap, W, V, extra_sd, teachers, B, seed):
    """Ratio draws (B,) per variant: ``teachers`` {name: (b_delta, b_s, sigma2, pool)} in Sigma_hat's eigenbasis."""
    n, d, ev = ap.n, ap.d, ap.ev
    rng = np.random.default_rng(seed)
    xq = rng.standard_normal((B, n, d)) * np.sqrt(ev)
    x2 = xq * xq
    e = rng.standard_normal((B, n))
    g = rng.standard_normal(B)
    kk = W / ev ** 2
    out = {}
    for name, (bd, bs, s2, pool) in teachers.items():
        r = xq @ bd + math.sqrt(s2) * e
        y = r + xq @ bs
        est = ustats(xq, x2, r, n) @ kk + V * (np.mean(y * y, 1) - ustats(xq, x2, y, n) @ (1.0 / ev))
        if pool:
            est = est + g * (extra_sd or 0.0)
        R = float(np.sum(W * bd * bd) + V * s2)
        out[name] = est / R
    return out


def main():
    a = sys.argv[1:]
    key, reps, out = a[0], int(a[1]), a[2]
    B = int(a[3]) if len(a) > 3 else 1024
    if key.startswith("g"):
        setting, seed = b.SETTINGS[int(key[1:])], b.task_seed(int(key[1:]))
    else:
        setting, seed = b.OFFGRID[int(key)], b.task_seed(int(key), True)
    task, ev_true, n = b.setting_task(setting, seed)
    d = setting[0]
    truth = b.true_risks(task, ev_true, n - 1, d)
    tr = task.truth()
    R_true = truth["finetune_min_norm"]
    rows, t0 = [], time.time()
    for rep, prep, pe in b.datasets(setting, seed, reps, 0, 20, "rep"):
        REC.clear()
        m = prep.X.shape[0]
        ap = AnisotropicPredictor(prep, seed=pe.seed)
        val, lo, hi = ap.bands("finetune_min_norm", np.array([m]))
        piv = REC.pop("_pivot")
        Q = ap._Q
        bt, bs = Q.T @ task.beta_t, Q.T @ task.beta_s
        bd = bt - bs
        s2 = task.sigma ** 2
        rng = np.random.default_rng([seed, rep, 99])
        flip = np.where(rng.standard_normal(d) > 0, 1.0, -1.0)
        bs_orth = bs - (np.sum(ap.ev * bs * bd) / np.sum(ap.ev * bd * bd)) * bd
        bs_orth *= math.sqrt(np.sum(ap.ev * bs * bs) / np.sum(ap.ev * bs_orth * bs_orth))
        L_t = float(np.sum(ap.ev * bd * bd))                   # distance in Sigma_hat's norm
        r2_t = float(np.sum(ap.ev * bs * bs))
        sgn = np.where(np.random.default_rng([piv.seed, 0]).standard_normal(d) > 0, 1.0, -1.0)
        bd_fit = np.sqrt(L_t * piv.P[1]) / ap.ev               # P: u units, sum P/ev = 1
        bs_fit = np.sqrt(r2_t * piv.p_source) / ap.ev * sgn
        L0, sig0, rz = REC["L0"], REC["sig0"], REC["rz"]
        teachers = {"true": (bd, bs, s2, True), "true_nopool": (bd, bs, s2, False),
                    "true_indep": (bd, bs * flip, s2, True), "true_orth": (bd, bs_orth, s2, True),
                    "fitprof": (bd_fit, bs_fit, s2, True),
                    "fit_scalars_trueprof": (bd * math.sqrt(L0 / L_t), bs * math.sqrt(rz / r2_t), sig0, True)}
        S = ap.S_raw
        Sr = float(S[0, 0] - 2 * S[0, 1] + S[1, 1])
        f0, tot0, tot_t, f_t = sig0 / (L0 + sig0), L0 + sig0, L_t + s2, s2 / (L_t + s2)
        bsr = bs * math.sqrt(rz / r2_t)
        teachers.update({
            "fit_noise_only": (bd, bsr, sig0, True), "fit_dist_only": (bd * math.sqrt(L0 / L_t), bsr, s2, True),
            "fit_f_true_tot": (bd * math.sqrt((1 - f0) * tot_t / L_t), bsr, f0 * tot_t, True),
            "fit_f_Sr_tot": (bd * math.sqrt((1 - f0) * Sr / L_t), bsr, f0 * Sr, True),
            "true_f_fit_tot": (bd * math.sqrt((1 - f_t) * tot0 / L_t), bsr, f_t * tot0, True)})
        REC["Sr"], REC["Sy"] = Sr, float(S[0, 0])
        lw = laws(ap, REC["W"], REC["V"], REC["extra_sd"], teachers, B, [seed, rep, 7])
        ratio = REC["v_obs"] / R_true
        row = {"rep": rep, "ratio": ratio, "band": [float(val[0]), float(lo[0]), float(hi[0])],
               "miss_below": bool(R_true < lo[0]), "miss_above": bool(R_true > hi[0]),
               "L_true_hat": L_t, "r2_true_hat": r2_t, "cross_hat": float(np.sum(ap.ev * bs * bd)),
               "a_true_delta": float(__import__("ftheory.advise.aniso_pivot", fromlist=["x"]).fit_exponent(
                   ap.ev, ap.ev ** 2 * bd * bd)),
               "R_world_true": float(np.sum(REC["W"] * bd * bd) + REC["V"] * s2),
               "laws": {k: {"q": [float(np.quantile(v, 0.025)), float(np.quantile(v, 0.975))], "mean": float(v.mean()),
                            "sd": float(v.std())} for k, v in lw.items()}}
        row.update({k: v for k, v in REC.items() if k not in ("W",)})
        rows.append(row)
        if (rep + 1) % 10 == 0 or rep + 1 == reps:
            with open(out, "w") as f:
                json.dump({"setting": list(setting), "seed": seed, "reps": rep + 1, "R_true": R_true,
                           "truth": tr, "B": B, "seconds": time.time() - t0, "rows": rows}, f, indent=0)
            print(rep + 1, round(time.time() - t0), flush=True)


if __name__ == "__main__":
    main()
