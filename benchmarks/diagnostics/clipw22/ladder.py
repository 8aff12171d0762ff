"""clipw22: the real law of the T_lt pipeline against DifferenceLaw's worlds at the TRUE parameters, statistic by
statistic, unconditionally and given the clip of the noise estimate (``feasible``'s sigma^2 = 0).

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/clipw22/ladder.py INDEX REPS STREAM OUT.pkl

Per replication of the band benchmark's sampling (its task, seed and stream; the first 500 replications of a
stream are the benchmark's data sets) the rows of four "layers", each a set of draws of the statistics
``(S_y, tau_raw, rho, r2, r_s, r_p, T_hat, T, clip)``:

* ``real``: the advisor's pipeline (``prepare`` with the unlabeled pool, ``estimate_parameters``, the tuned scratch
  value ``max(min_lam k.u + V sigma_hat^2, 0)``, the probe at ``feasible(p)``); T the benchmark's truth.
* ``known``: the same X, y, z with Sigma known (the true Sigma, no pool): the covariance estimate's part removed.
* ``wteach``: Sigma known and the same X and noise, the teachers replaced by DifferenceLaw's construction at the
  true scalars (``_amplitudes`` at f, S_y, rho, r^2 of the truth; profiles ``ev^a`` with ``a`` the exponents
  the pivot fits on this data set; source signs from the pivot's seed); T that teacher pair's own truth.
* ``w_true``: DifferenceLaw(aniso of the real data).world at the true scalars (256 draws per data set).
* ``w_known``: the same on the known-Sigma predictor (the data's fitted profile; no Sigma-hat term).
* ``w_plug``: DifferenceLaw's world at the true f with the data's S_y, rho_hat, r2_hat (clip21's "true fraction").

The world layers store only draws of every ``THIN``-th data set (all of them; 256 draws each).
"""
import os
import pickle
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from advisor_band_coverage import SETTINGS, SPECTRA, true_risks  # noqa: E402
from ftheory.advise.aniso_difference import DifferenceLaw, _quad  # noqa: E402
from ftheory.advise.aniso_predict import AnisotropicPredictor  # noqa: E402
from ftheory.advise.bands import feasible_rows  # noqa: E402
from ftheory.advise.estimators import estimate_parameters, feasible, prepare  # noqa: E402
from ftheory.advise.predict import isotropic_risk, linear_transfer_risk  # noqa: E402
from ftheory.advise.prepared import Prepared, helmert  # noqa: E402
from ftheory.advise.synthetic import make_task  # noqa: E402

KEYS = ("Sy", "tau", "rho", "r2", "rs", "rp", "That", "T", "clip", "ccos")


def pipeline(prep, m, d):
    """The advisor's statistics of one data set (as report.predict forms T_lt's value) and its predictor."""
    pe = estimate_parameters(prep)
    a = AnisotropicPredictor(prep)
    _, fin, _, _, _, _, val = a._estimate("scratch", np.array([m]), a.lams)
    rs = max(float(np.min(np.where(fin[0], val[0], np.inf))), 0.0)
    q = feasible(pe.p)
    rp = float(isotropic_risk("linear_transfer", m, d, q))
    p = [float(v) for v in pe.p]
    ccos = p[2] ** 2 / max(p[3], 1e-300) >= p[0] + p[1]          # the clip from |cos| <= 1 (tau^2 >= rho^2/r^2)
    return {"Sy": p[0] + p[1], "tau": p[0], "rho": p[2], "r2": p[3], "rs": rs, "rp": rp, "That": rs - rp,
            "clip": bool(q[1] == 0), "ccos": bool(ccos)}, a


def known_prep(X, y, z, Sigma, Sinv):
    """Prepared with the true Sigma (no unlabeled pool), centred by Helmert contrasts as ``prepare`` does."""
    return Prepared(helmert(X), helmert(y), helmert(z), Sigma, Sinv, 0, False, True, [])


def world_stats(law, f, Sy, rho, r2, Sr):
    """DifferenceLaw.world's draws, every statistic: dict of (B,) arrays (T: the world's truth, a scalar)."""
    a, b, ce, cs, kap = law._amplitudes(f, Sy, rho, r2, Sr)
    ev, W, V, n = law.ap.ev, law.W, law.V, law.n
    bt, bsrc = a * law.bs + b * law.bz, kap * law.bs + b * law.bz
    sig = ce * ce
    tau2w = float(np.sum(ev * bt * bt))
    Rs = float(np.min(W @ (bt * bt) + V * sig))
    Rp = float(linear_transfer_risk(n, tau2w, sig, float(np.sum(ev * bt * bsrc)), float(np.sum(ev * bsrc * bsrc))))
    cy = _quad(a, b, ce)
    m = law.m
    Sy_b = cy @ m
    tau_b = cy @ law.TU - law.g * law.iwc * tau2w
    sig_b = Sy_b - tau_b
    rs = np.maximum(np.min(np.tensordot(cy, law.KU, 1) + np.outer(sig_b, V), -1), 0.0)
    r2_b = kap * kap * m[0] + 2 * kap * b * m[3] + b * b * m[5]
    rho_b = a * kap * m[0] + (a * b + b * kap) * m[3] + b * b * m[5] + ce * kap * m[1] + ce * b * m[4]
    raw = np.stack([tau_b, sig_b, rho_b, r2_b], -1)
    P = feasible_rows(raw)
    rp = linear_transfer_risk(n, P[:, 0], P[:, 1], P[:, 2], P[:, 3])
    return {"Sy": Sy_b, "tau": tau_b, "rho": rho_b, "r2": r2_b, "rs": rs, "rp": rp, "That": rs - rp,
            "T": np.full(Sy_b.size, Rs - Rp), "clip": P[:, 1] == 0,
            "ccos": rho_b ** 2 / np.maximum(r2_b, 1e-300) >= Sy_b,
            "Rs": Rs, "Rp": Rp, "tau2w": tau2w}


def world_teachers(law, f, Sy, rho, r2, Sr, Qe):
    """The world's teacher pair (target, source) in the original coordinates (eigenbasis ``Qe`` of Sigma)."""
    a, b, ce, cs, kap = law._amplitudes(f, Sy, rho, r2, Sr)
    bt, bsrc = a * law.bs + b * law.bz, kap * law.bs + b * law.bz
    return Qe @ bt, Qe @ bsrc, ce


def main():
    index, reps, stream, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    thin = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    d, gamma, theta, sigma, spec = SETTINGS[index]
    n = int(round(gamma * d))
    m = n - 1
    ev = SPECTRA[spec](d)
    seed = 500 + index
    task = make_task(d, theta, sigma, eigenvalues=ev, seed=seed)
    truth = true_risks(task, ev, m, d)
    tr = task.truth()
    p0 = np.array([tr["signal"], tr["noise_variance"], tr["overlap_inner"], tr["source_signal"]])
    Sy0, f0 = p0[0] + p0[1], p0[1] / (p0[0] + p0[1])
    Sr0 = Sy0 - 2 * p0[2] + p0[3]
    Sigma = task.Sigma
    Sinv = np.linalg.inv(Sigma)
    evS, Qe = np.linalg.eigh(Sigma)
    rng = np.random.default_rng(seed + 1 if stream == 0 else [seed + 1, stream])
    rows = {k: [] for k in ("real", "known", "wteach")}
    worlds = {k: [] for k in ("w_true", "w_known", "w_plug")}
    T0 = truth["T_linear_transfer"]
    for rep in range(reps):
        X, y = task.sample(n, rng)
        U = task.sample(20 * d, rng)[0]
        z = X @ task.beta_s
        e = (y - X @ task.beta_t) / sigma
        r, a_real = pipeline(prepare(X, y, z, U), m, d)
        r["T"] = T0
        rows["real"].append(r)
        k, a_known = pipeline(known_prep(X, y, z, Sigma, Sinv), m, d)
        k["T"] = T0
        rows["known"].append(k)
        # world teachers on the true Sigma (profile exponents fitted on this data set, as the pivot fits them)
        lawk = DifferenceLaw(a_known, m)
        bt, bsrc, ce = world_teachers(lawk, f0, Sy0, p0[2], p0[3], Sr0, a_known._Q)
        yw = X @ bt + ce * e
        zw = X @ bsrc
        w, _ = pipeline(known_prep(X, yw, zw, Sigma, Sinv), m, d)
        btq = Qe.T @ bt
        from ftheory.aniso import scratch_risk
        lams = np.r_[0.0, float(evS.mean()) * np.logspace(-5, 3, 801)]
        with np.errstate(all="ignore"):
            Rs = float(np.min(np.asarray(scratch_risk(evS, btq, m, ce, lams), float)[1:]))
        Rp = float(linear_transfer_risk(m, float(bt @ Sigma @ bt), ce * ce, float(bt @ Sigma @ bsrc),
                                        float(bsrc @ Sigma @ bsrc)))
        w["T"] = Rs - Rp
        rows["wteach"].append(w)
        if rep % thin == 0:
            law = DifferenceLaw(a_real, m)
            ws = world_stats(law, f0, Sy0, p0[2], p0[3], Sr0)
            wk = world_stats(lawk, f0, Sy0, p0[2], p0[3], Sr0)
            Sr = max(r["Sy"] - 2 * r["rho"] + r["r2"], 1e-300)
            wp = world_stats(law, f0, max(r["Sy"], 1e-300), r["rho"], max(r["r2"], 1e-300), Sr)
            for key, v in (("w_true", ws), ("w_known", wk), ("w_plug", wp)):
                worlds[key].append({kk: (np.asarray(vv, np.float32) if np.ndim(vv) else vv) for kk, vv in v.items()}
                                   | {"rep": rep, "data_clip": r["clip"], "prof": dict(law.ap.pivot().a)})
        if rep % 200 == 0:
            print(index, stream, rep, flush=True)
    out_rows = {k: {kk: np.array([r[kk] for r in v]) for kk in KEYS} for k, v in rows.items()}
    pickle.dump({"index": index, "stream": stream, "truth": truth, "p0": p0, "rows": out_rows, "worlds": worlds},
                open(out, "wb"))


if __name__ == "__main__":
    main()
