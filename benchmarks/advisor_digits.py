"""Predicted vs realised transferability on real data shipped with scikit-learn (no download).

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/advisor_digits.py [--reps 100] [--n 23,40,92,184]
        [--pairs value>ge5,ge5>ge5,...] [--jobs 2] [--seed 1] [--json docs/advisor_digits.json]
        [--png docs/images/advisor_digits.png] [--from-json FILE] [--merge A.json,B.json] [--cache DIR]

Flags: ``--reps`` random target subsamples per (pair, n); ``--n`` target sample sizes (comma list);
``--pairs`` labelling pairs ``source>target`` (comma list; names in ``LABELS``, default ``PAIRS``);
``--jobs`` worker processes (one (target labelling, n) cell each); ``--seed`` seed of the subsamples;
``--json`` where the raw per-subsample results and the summaries go (``''``: not written); ``--png``
the figure (``''``: none); ``--from-json`` re-print the table and redraw the figure from a saved JSON
without recomputing; ``--merge a.json,b.json`` join saved results (e.g. of two processes run with
different ``--pairs``/``--n``) into ``--json``; ``--cache DIR`` keep each finished (target, n) cell as a
pickle in DIR and reuse it (a long run can be resumed).

Data: scikit-learn's handwritten digits (1797 images, 8x8 pixels, values 0-16), the pixels that are
non-zero in at least 20% of the images (d = 46). One fixed random split (seed 0): 600 *source* images
(the pretrained model is the least-squares fit, with intercept, of the source labelling on them), 600
*unlabeled* images (passed as ``unlabeled=`` on the anisotropic path) and a 597-image *target pool*.
For each subsample of n images from the target pool: the advisor's predictions on the isotropic path
(no unlabeled inputs) and on the anisotropic path (``unlabeled=`` the 600 unlabeled images); the
realised transferability ``T = R_scratch - R_transfer`` = difference of held-out mean squared errors
(held-out: the rest of the pool; the label noise cancels) of the procedures fitted on the subsample,
in two codings: ridge on standardised pixels (what the isotropic path models) and on raw pixels (what
the anisotropic path models); ridge penalties by 5-fold cross-validation. Columns constant or duplicated
in a subsample are dropped (the advisor refuses them). The *Gaussian oracle* is the theory evaluated at
the population parameters of all 1797 images (covariance, least-squares teacher, residual variance;
``ftheory.aniso``), and the *isotropic limit* the isotropic theory at the values its estimates
converge to on these data (signal ``||C b||^2`` with C the pixel correlation matrix instead of
``b'C b``).
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from ftheory.advise import advise
from ftheory.advise.predict import isotropic_risk
from ftheory.advise.synthetic import cv_lambda, fit_procedures

LABELS = {
    "value": lambda g: g.astype(float),            # the digit as a number 0-9
    "ge5": lambda g: (g >= 5).astype(float),
    "even": lambda g: (g % 2 == 0).astype(float),
    "loopy": lambda g: np.isin(g, (0, 6, 8, 9)).astype(float),
    "eq3": lambda g: (g == 3).astype(float),
    "eq8": lambda g: (g == 8).astype(float),
    "eq5": lambda g: (g == 5).astype(float),
}
PAIRS = ("value>ge5", "ge5>ge5", "ge5>loopy", "eq8>eq3", "value>even")
MIN_NONZERO = 0.2     # keep pixels non-zero in at least this fraction of the images
KINDS = ("lt", "ft", "ft_mn")
RISKS = ("scratch_ridge", "scratch_min_norm", "linear_transfer", "finetune_ridge", "finetune_min_norm")
REAL_KEY = {"lt": "linear_transfer", "ft": "finetune_ridge", "ft_mn": "finetune_min_norm"}


def load(n_source=600, n_unlabeled=600, seed=0):
    """``(X, digit, S, U, T)``: pixels (1797 x d), digits, and index arrays of the source, unlabeled
    and target-pool images (a fixed random split)."""
    from sklearn.datasets import load_digits
    X, digit = load_digits(return_X_y=True)
    X = X[:, (X > 0).mean(0) >= MIN_NONZERO]
    perm = np.random.default_rng(seed).permutation(len(digit))
    return X, digit, perm[:n_source], perm[n_source:n_source + n_unlabeled], perm[n_source + n_unlabeled:]


def lstsq(X, y):
    """Least-squares weights (intercept fitted, not returned)."""
    return np.linalg.lstsq(X - X.mean(0), y - y.mean(), rcond=None)[0]


def population(X, digit, w, target):
    """The Gaussian task of all images: ``Sigma``, ``beta_t`` (least squares), residual variance."""
    y = LABELS[target](digit)
    bt = lstsq(X, y)
    Xc = X - X.mean(0)
    res = y - y.mean() - Xc @ bt
    N, d = X.shape
    return {"Sigma": Xc.T @ Xc / N, "beta_t": bt, "beta_s": w, "sigma2": float(res @ res / (N - d - 1)),
            "var_y": float(np.var(y))}


def oracle(pop, n):
    """Gaussian theory at the population task, ``n - 1`` effective samples (intercept): T of the probe,
    tuned and min-norm fine-tuning, in raw and standardised pixels; and the isotropic limit."""
    from ftheory.aniso import linear_transfer_risk, scratch_risk, tuned_ridge
    m = n - 1
    out = {}
    sd = np.sqrt(np.diag(pop["Sigma"]))
    for coding, S, bt, bs in (("raw", pop["Sigma"], pop["beta_t"], pop["beta_s"]),
                              ("std", pop["Sigma"] / np.outer(sd, sd), pop["beta_t"] * sd, pop["beta_s"] * sd)):
        ev, Q = np.linalg.eigh(S)
        ev = np.maximum(ev, 0)
        t, s = Q.T @ bt, Q.T @ bs
        sig = np.sqrt(pop["sigma2"])
        risk = {"scratch_ridge": float(tuned_ridge(ev, t, m, sig).risk),
                "scratch_min_norm": float(scratch_risk(ev, t, m, sig)),
                "linear_transfer": float(linear_transfer_risk(ev, s, t, m, sig)),
                "finetune_ridge": float(tuned_ridge(ev, t - s, m, sig).risk),
                "finetune_min_norm": float(scratch_risk(ev, t - s, m, sig))}
        sc, sc0 = risk["scratch_ridge"], risk["scratch_min_norm"]
        out[coding] = {"lt": sc - risk["linear_transfer"], "ft": sc - risk["finetune_ridge"],
                       "ft_mn": sc0 - risk["finetune_min_norm"]}
        out["risk_" + coding] = risk
        if coding == "std":
            C = S
            tau2_iso = float(np.sum((C @ bt) ** 2))
            p = np.array([tau2_iso, max(pop["var_y"] - tau2_iso, 0.0), float(bt @ C @ bs), float(bs @ C @ bs)])
            d = len(bt)
            r = {k: isotropic_risk(k, m, d, p) for k in ("scratch_ridge", "scratch_min_norm", "linear_transfer",
                                                          "finetune_ridge", "finetune_min_norm")}
            out["iso_limit"] = {"lt": r["scratch_ridge"] - r["linear_transfer"],
                                "ft": r["scratch_ridge"] - r["finetune_ridge"],
                                "ft_mn": r["scratch_min_norm"] - r["finetune_min_norm"]}
            out["tau2"], out["tau2_iso"] = float(bt @ C @ bt), tau2_iso
            out["cos"] = float(bt @ C @ bs / np.sqrt((bt @ C @ bt) * (bs @ C @ bs)))
    return out


def usable_columns(Xtr):
    """Columns neither constant nor duplicated (|corr| = 1) in the subsample."""
    keep = np.flatnonzero(Xtr.std(0) > 0)
    C = np.corrcoef(Xtr[:, keep].T)
    dup = np.any(np.triu(np.abs(C) > 1 - 1e-10, 1), axis=0)
    return keep[~dup]


def realised(Xtr, ytr, Xte, yte, ws):
    """Held-out MSE differences ``T`` for each source in ``ws`` (dict name -> weights), raw and
    standardised pixels; ridge penalties by 5-fold cross-validation."""
    out = {}
    mu, sd = Xtr.mean(0), Xtr.std(0)
    for coding, A, B, scale in (("raw", Xtr, Xte, np.ones_like(sd)),
                                ("std", (Xtr - mu) / sd, (Xte - mu) / sd, sd)):
        Ac, yc = A - A.mean(0), ytr - ytr.mean()
        lam_sc = cv_lambda(Ac, yc)
        for name, w in ws.items():
            wk = w * scale                      # the same predictor in this coding
            lam_ft = cv_lambda(Ac, yc - Ac @ wk)
            fits = fit_procedures(A, ytr, None, wk, lam_sc, lam_ft)
            mse = {k: float(np.mean((B @ b - A.mean(0) @ b + ytr.mean() - yte) ** 2)) for k, b in fits.items()}
            z, zt = A @ wk, B @ wk              # the probe: intercept + slope on z
            zc = z - z.mean()
            slope = zc @ yc / (zc @ zc)
            mse["linear_transfer"] = float(np.mean((ytr.mean() + slope * (zt - z.mean()) - yte) ** 2))
            r = out.setdefault(name, {})
            r[coding] = {"lt": mse["scratch_ridge"] - mse["linear_transfer"],
                         "ft": mse["scratch_ridge"] - mse["finetune_ridge"],
                         "ft_mn": mse["scratch_min_norm"] - mse["finetune_min_norm"],
                         "best": min(("scratch", mse["scratch_ridge"]), ("linear_transfer", mse["linear_transfer"]),
                                     ("finetune", mse["finetune_ridge"]), key=lambda kv: kv[1])[0],
                         "mse": mse}
    return out


def predicted(Xtr, ytr, w, U):
    """The advisor's T (value, band) on one subsample; ``U`` None: isotropic path."""
    rep = advise(Xtr, ytr, source_weights=w, unlabeled=U, grid_size=0)
    p, t = rep.predictions, rep.transferability
    return {"lt": [t["linear_transfer"].value, t["linear_transfer"].low, t["linear_transfer"].high],
            "ft": [t["finetune"].value, t["finetune"].low, t["finetune"].high],
            "ft_mn": [p["scratch_min_norm"].value - p["finetune_min_norm"].value],
            "rec": rep.recommendation, "theory": rep.theory}


def subsamples(T, y, target, n, reps, seed):
    """The ``reps`` (train, held-out) index pairs of one cell, drawn from the target pool ``T``; a draw whose
    labels are all equal (possible for a rare class: "digit == 3" at n = 23, ~9% of draws) is redrawn,
    since the advisor refuses a constant y. Depends only on seed, n and target."""
    rng = np.random.default_rng([seed, n, list(LABELS).index(target)])
    out = []
    while len(out) < reps:
        idx = rng.permutation(T)
        if np.ptp(y[idx[:n]]) > 0:
            out.append((idx[:n], idx[n:]))
    return out


def run_cell(job):
    """All subsamples of one (target labelling, n) cell, for every pair with that target; with a
    ``cache`` directory each (target, n, source) is read from / written to a pickle there (the
    subsamples depend only on seed, n and target, so a long run can resume or add sources)."""
    target, n, sources, reps, seed, cache = job
    path = {s: os.path.join(cache, f"{target}_{n}_{s}_{reps}_{seed}.pkl") if cache else "" for s in sources}
    rows = {}
    for s in sources:
        if path[s] and os.path.exists(path[s]):
            with open(path[s], "rb") as fh:
                rows[s] = pickle.load(fh)[2][s]
    todo = [s for s in sources if s not in rows]
    if todo:
        X, digit, S, Uidx, T = load()
        ws = {s: lstsq(X[S], LABELS[s](digit[S])) for s in todo}
        y = LABELS[target](digit)
        new = {s: [] for s in todo}
        for tr, te in subsamples(T, y, target, n, reps, seed):
            cols = usable_columns(X[tr])
            Xtr, Xte, U = X[tr][:, cols], X[te][:, cols], X[Uidx][:, cols]
            real = realised(Xtr, y[tr], Xte, y[te], {s: w[cols] for s, w in ws.items()})
            for s in todo:
                new[s].append({"d": int(cols.size), "real": real[s],
                               "iso": predicted(Xtr, y[tr], ws[s][cols], None),
                               "aniso": predicted(Xtr, y[tr], ws[s][cols], U)})
        for s in todo:
            rows[s] = new[s]
            if path[s]:
                with open(path[s], "wb") as fh:
                    pickle.dump((target, n, {s: new[s]}), fh)
    return target, n, {s: rows[s] for s in sources}


def _ms(a):
    a = np.asarray(a, float)
    a = a[np.isfinite(a)]
    return (float(a.mean()), float(a.std(ddof=1) / np.sqrt(a.size))) if a.size > 1 else (float("nan"),) * 2


def hindsight(X, y, T, target, n, reps, seed, pop, w):
    """Per subsample of ``run_cell`` (regenerated: they depend only on seed, n, target): the held-out MSE
    of the population least-squares predictor (``base``; subtracted from a procedure's MSE it gives the
    realised excess risk, slightly over-stated: the population fit saw the held-out images, about
    sigma^2 d/1797), and the held-out MSE of tuned scratch and tuned fine-tuning at the penalty that is
    best *on the held-out images* (the oracle penalty the theory assumes), raw and standardised pixels."""
    icpt = float(y.mean() - X.mean(0) @ pop["beta_t"])
    out = {"base": [], "raw": {"scratch_ridge": [], "finetune_ridge": []},
           "std": {"scratch_ridge": [], "finetune_ridge": []}}
    for tr, te in subsamples(T, y, target, n, reps, seed):
        out["base"].append(float(np.mean((X[te] @ pop["beta_t"] + icpt - y[te]) ** 2)))
        cols = usable_columns(X[tr])
        Xtr, Xte, wk = X[tr][:, cols], X[te][:, cols], w[cols]
        mu, sd = Xtr.mean(0), Xtr.std(0)
        for coding, A, B, ws in (("raw", Xtr - mu, Xte - mu, wk), ("std", (Xtr - mu) / sd, (Xte - mu) / sd, wk * sd)):
            U_, sv, Vt = np.linalg.svd(A, full_matrices=False)
            m = n - 1
            grid = np.logspace(-6, 4, 61) * float(np.mean(A * A)) * A.shape[1] / m
            yc = y[tr] - y[tr].mean()
            for name, t, off in (("scratch_ridge", yc, 0.0), ("finetune_ridge", yc - A @ ws, B @ ws)):
                ut = U_.T @ t
                best = np.inf
                for lam in grid:
                    b = Vt.T @ (sv / (sv ** 2 + m * lam) * ut)
                    best = min(best, float(np.mean((B @ b + off + y[tr].mean() - y[te]) ** 2)))
                out[coding][name].append(best)
    return out


def summarise(pair, n, rows, orc, hind=None):
    """Per (pair, n): means and s.e. of predicted and realised T, correlation, sign agreement, band
    coverage of the realised mean and of the Gaussian oracle, recommendation = realised best; with
    ``hind`` (:func:`hindsight`) the realised excess risk of each procedure beside the oracle's risk."""
    out = {"pair": pair, "n": n, "d_mean": float(np.mean([r["d"] for r in rows])), "oracle": orc}
    if hind is not None and "mse" in rows[0]["real"]["raw"]:
        base = hind["base"]
        out["excess"] = {c: {k: _ms([r["real"][c]["mse"][k] - b for r, b in zip(rows, base)])
                             for k in rows[0]["real"][c]["mse"]} for c in ("raw", "std")}
        out["excess_best_penalty"] = {c: {k: _ms(np.array(v) - base) for k, v in hind[c].items()}
                                      for c in ("raw", "std")}
    for path, coding in (("iso", "std"), ("aniso", "raw")):
        res = {}
        for k in KINDS:
            pr = np.array([r[path][k][0] for r in rows], float)
            re = np.array([r["real"][coding][k] for r in rows], float)
            ok = np.isfinite(pr) & np.isfinite(re)
            c = {"pred": _ms(pr), "real": _ms(re), "n_finite": int(ok.sum()),
                 "corr": float(np.corrcoef(pr[ok], re[ok])[0, 1]) if ok.sum() > 2 and np.std(pr[ok]) > 0 else float("nan"),
                 "sign": float(np.mean(np.sign(pr[ok]) == np.sign(re[ok]))) if ok.any() else float("nan")}
            if k != "ft_mn":
                lo = np.array([r[path][k][1] for r in rows], float)
                hi = np.array([r[path][k][2] for r in rows], float)
                m = c["real"][0]
                c["cover_real_mean"] = float(np.mean((lo <= m) & (m <= hi)))
                g = orc[coding][k]
                c["cover_oracle"] = float(np.mean((lo <= g) & (g <= hi)))
                c["below_real_mean"] = float(np.mean(hi < m))   # band entirely below the realised mean
                c["width"] = float(np.median(hi - lo))
            res[k] = c
        res["rec_is_best"] = float(np.mean([r[path]["rec"] == r["real"][coding]["best"] for r in rows]))
        out[path] = res
    return out


def table(summ, unlabeled="600 images", features="pixels", digits=3):
    """Markdown tables of the summaries (``digits`` decimals for T)."""
    f = lambda v: f"{v[0]:.{digits}f} ± {v[1]:.{digits}f}"  # noqa: E731
    L = []
    for path, coding, title in (("aniso", "raw", f"anisotropic path (unlabeled = {unlabeled}), raw {features}"),
                                ("iso", "std", f"isotropic path (no unlabeled), standardised {features}")):
        L += [f"\n{title}\n", "| pair | n | d | T_lt predicted | realised | oracle | corr | sign | band covers mean / oracle "
              "| T_ft predicted | realised | oracle | corr | sign | band covers mean / oracle | T_ft min-norm predicted "
              "| realised | oracle | rec = best |", "|" + "---|" * 19]
        for s in summ:
            r, o = s[path], s["oracle"][coding]
            cells = [s["pair"], str(s["n"]), f"{s['d_mean']:.1f}"]
            for k in ("lt", "ft"):
                c = r[k]
                cells += [f(c["pred"]), f(c["real"]), f"{o[k]:.{digits}f}", f"{c['corr']:.2f}", f"{c['sign']:.2f}",
                          f"{c['cover_real_mean']:.2f} / {c['cover_oracle']:.2f}"]
            c = r["ft_mn"]
            cells += [f(c["pred"]), f(c["real"]), f"{o['ft_mn']:.{digits}f}", f"{r['rec_is_best']:.2f}"]
            L.append("| " + " | ".join(cells) + " |")
    return "\n".join(L)


def risk_table(summ, digits=3):
    """Markdown table: Gaussian theory at the population task against the realised excess risk of each
    procedure (mean ± s.e. over subsamples), raw and standardised codings."""
    L = ["| pair | n | coding | " + " | ".join(f"{k} theory | realised" for k in RISKS)
         + " | scratch_ridge, best penalty | finetune_ridge, best penalty |", "|" + "---|" * 15]
    for s in summ:
        if "excess" not in s:
            continue
        for c in ("raw", "std"):
            cells = [s["pair"], str(s["n"]), c]
            for k in RISKS:
                e = s["excess"][c][k]
                cells += [f"{s['oracle']['risk_' + c][k]:.{digits}f}", f"{e[0]:.{digits}f} ± {e[1]:.{digits}f}"]
            for k in ("scratch_ridge", "finetune_ridge"):
                e = s["excess_best_penalty"][c][k]
                cells.append(f"{e[0]:.{digits}f} ± {e[1]:.{digits}f}")
            L.append("| " + " | ".join(cells) + " |")
    return "\n".join(L)


def figure(summ, path, title="digits", features="pixels"):
    """Predicted (mean ± s.e.) against realised (mean ± s.e.) T, one point per pair and n; open
    symbols: the Gaussian theory at the population task against the same realised mean."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    pairs = list(dict.fromkeys(s["pair"] for s in summ))
    ns = sorted({s["n"] for s in summ})
    colours = {p: plt.cm.tab10(i) for i, p in enumerate(pairs)}
    markers = dict(zip(ns, "o^sDv<>"))
    fig, axes = plt.subplots(2, 2, figsize=(10, 8.6))
    for row, (way, coding, name) in enumerate((("aniso", "raw", "anisotropic path"), ("iso", "std", "isotropic path"))):
        for col, (k, t) in enumerate((("lt", "linear probe vs tuned ridge"), ("ft", "tuned fine-tuning vs tuned ridge"))):
            ax = axes[row, col]
            for s in summ:
                c = s[way][k]
                ax.errorbar(c["pred"][0], c["real"][0], xerr=c["pred"][1], yerr=c["real"][1], fmt=markers[s["n"]],
                            color=colours[s["pair"]], ms=5, lw=0.8)
                ax.plot(s["oracle"][coding][k], c["real"][0], markers[s["n"]], mfc="none", mec=colours[s["pair"]],
                        ms=7, mew=0.9)
            vals = [v for s in summ for v in (s[way][k]["pred"][0], s[way][k]["real"][0], s["oracle"][coding][k])]
            lo, hi = min(vals), max(vals)
            if hi - lo > 0.5:   # transferabilities from -2 to 0.1: linear near 0, logarithmic beyond
                lin = 0.025 * max(abs(lo), abs(hi))
                steps = [m * 10.0 ** e for e in range(-2, 5) for m in (1, 2, 5)]
                ticks = [t for t in sorted([-v for v in steps] + [0.0] + steps)
                         if lo - 0.1 * abs(lo) <= t <= hi + 0.1 * abs(hi) and (t == 0 or abs(t) >= 1.2 * lin)]
                ax.set_xscale("symlog", linthresh=lin)
                ax.set_yscale("symlog", linthresh=lin)
                ax.set_xticks(ticks, [f"{t:g}" for t in ticks], fontsize=7)
                ax.set_yticks(ticks, [f"{t:g}" for t in ticks], fontsize=7)
            pad = 0.05 * (hi - lo)
            ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], "k--", lw=0.8)
            ax.axhline(0, color="grey", lw=0.5)
            ax.axvline(0, color="grey", lw=0.5)
            ax.set_xlabel(f"predicted T ({name}), mean over subsamples")
            ax.set_ylabel(f"realised T ({coding} {features}), held-out MSE difference")
            ax.set_title(f"{title}: {t}", fontsize=9)
    handles = [plt.Line2D([], [], color=colours[p], marker="o", ls="", label=p.replace(">", " → ")) for p in pairs]
    handles += [plt.Line2D([], [], color="k", marker=markers[n], ls="", label=f"n = {n}") for n in ns]
    handles += [plt.Line2D([], [], color="k", marker="o", ls="", label="advisor (mean ± s.e.)"),
                plt.Line2D([], [], color="k", marker="o", mfc="none", ls="", label="Gaussian theory, population task")]
    fig.legend(handles=handles, loc="lower center", ncol=7, fontsize=7, frameon=False)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run(pairs=PAIRS, ns=(23, 40, 92, 184), reps=100, seed=1, jobs=1, cache=""):
    """Raw rows and summaries: ``{"rows": {pair: {n: [...]}}, "summary": [...], "populations": ...}``."""
    X, digit, S, _, T = load()
    by_target = {}
    for p in pairs:
        s, t = p.split(">")
        if s not in LABELS or t not in LABELS:
            raise ValueError(f"pairs: {p!r} is invalid: expected source>target with names in {sorted(LABELS)}")
        by_target.setdefault(t, []).append(s)
    cells = [(t, int(n), srcs, int(reps), int(seed), cache) for t, srcs in by_target.items() for n in ns]
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as ex:
            results = list(ex.map(run_cell, cells))
    else:
        results = [run_cell(c) for c in cells]
    rows = {}
    for t, n, r in results:
        for s, v in r.items():
            rows.setdefault(f"{s}>{t}", {})[n] = v
    summ = []
    for p in pairs:
        s, t = p.split(">")
        pop = population(X, digit, lstsq(X[S], LABELS[s](digit[S])), t)
        y = LABELS[t](digit)
        for n in ns:
            hind = hindsight(X, y, T, t, int(n), int(reps), int(seed), pop, pop["beta_s"])
            summ.append(summarise(p, int(n), rows[p][int(n)], oracle(pop, int(n)), hind))
    return {"d": int(X.shape[1]), "reps": int(reps), "seed": int(seed), "rows": rows, "summary": summ}


def columns(rows):
    """Per-subsample rows as named columns (``real_raw_lt``, ``aniso_ft_low``, ``iso_rec``, ...)."""
    out = {"d": [r["d"] for r in rows]}
    for c in ("raw", "std"):
        for k in KINDS + ("best",):
            out[f"real_{c}_{k}"] = [r["real"][c][k] for r in rows]
    for path in ("iso", "aniso"):
        for k in KINDS:
            for j, part in enumerate(("", "_low", "_high")[:len(rows[0][path][k])]):
                out[f"{path}_{k}{part}"] = [r[path][k][j] for r in rows]
        out[f"{path}_rec"] = [r[path]["rec"] for r in rows]
    return out


def _round(v):
    if isinstance(v, dict):
        return {str(k): _round(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_round(x) for x in v]
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return float(f"{v:.5g}") if np.isfinite(v) else str(v)
    return v


def load_json(path):
    """A saved result; the non-finite numbers (stored as the strings "nan", "inf", "-inf") as floats."""
    def back(v):
        if isinstance(v, dict):
            return {k: back(x) for k, x in v.items()}
        if isinstance(v, list):
            return [back(x) for x in v]
        return float(v) if v in ("nan", "inf", "-inf") else v
    with open(path) as fh:
        return back(json.load(fh))


def compact(res):
    """The result with per-subsample rows as columns and floats to 5 significant digits (JSON)."""
    out = dict(res)
    out["rows"] = {p: {str(n): columns(r) for n, r in v.items()} for p, v in res["rows"].items()}
    return _round(out)


def merge(paths):
    """Several saved JSON results (same ``--reps`` and ``--seed``) as one: rows and summaries joined."""
    parts = [load_json(p) for p in paths]
    out = {k: parts[0][k] for k in ("d", "reps", "seed")}
    out["seconds"] = round(sum(float(q.get("seconds", 0)) for q in parts), 1)
    out["rows"], out["summary"] = {}, []
    for q in parts:
        for pair, v in q["rows"].items():
            out["rows"].setdefault(pair, {}).update(v)
        out["summary"] += q["summary"]
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--n", default="23,40,92,184")
    ap.add_argument("--pairs", default=",".join(PAIRS))
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", default="docs/advisor_digits.json")
    ap.add_argument("--png", default="docs/images/advisor_digits.png")
    ap.add_argument("--from-json", default="")
    ap.add_argument("--merge", default="")
    ap.add_argument("--cache", default="")
    ns = ap.parse_args(argv)
    t0 = time.time()
    if ns.from_json:
        res = load_json(ns.from_json)
    elif ns.merge:
        res = merge(ns.merge.split(","))
        if ns.json:
            with open(ns.json, "w") as fh:
                json.dump(_round(res), fh, separators=(",", ":"))
    else:
        res = run(ns.pairs.split(","), [int(v) for v in ns.n.split(",")], ns.reps, ns.seed, ns.jobs, ns.cache)
        res["seconds"] = round(time.time() - t0, 1)
        if ns.json:
            with open(ns.json, "w") as fh:
                json.dump(compact(res), fh, default=float, separators=(",", ":"))
    print(f"d = {res['d']} pixels, target pool 597, {res['reps']} subsamples per (pair, n), "
          f"{res.get('seconds', '?')} s")
    print(table(res["summary"]))
    print("\nGaussian theory at the population task against realised excess risk\n")
    print(risk_table(res["summary"]))
    if ns.png:
        figure(res["summary"], ns.png)


if __name__ == "__main__":
    main()
