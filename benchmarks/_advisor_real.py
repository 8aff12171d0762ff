"""What the real-data benchmarks (``advisor_digits.py``, ``advisor_diabetes.py``) share: the Gaussian
oracle at a population task, the realised and predicted transferability of one subsample, the
summaries, the markdown tables of docs/advisor_validation.md ("Real data"), the figure, the JSON
format and the command-line driver. Each script keeps only its data, split and subsamples.
"""
from __future__ import annotations

import argparse
import json
import resource
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ftheory.advise import advise
from ftheory.advise.predict import isotropic_risk
from ftheory.advise.synthetic import cv_lambda, fit_procedures

KINDS = ("lt", "ft", "ft_mn")
RISKS = ("scratch_ridge", "scratch_min_norm", "linear_transfer", "finetune_ridge", "finetune_min_norm")
PATHS = (("aniso", "raw"), ("iso", "std"))      # advisor path and the coding its realised T is measured in


def lstsq(X, y):
    """Least-squares weights (intercept fitted, not returned)."""
    return np.linalg.lstsq(X - X.mean(0), y - y.mean(), rcond=None)[0]


def population(X, y, w):
    """The Gaussian task of the rows ``(X, y)``: ``Sigma``, ``beta_t`` (least squares), residual
    variance, with the source weights ``w`` as ``beta_s``."""
    bt = lstsq(X, y)
    Xc = X - X.mean(0)
    res = y - y.mean() - Xc @ bt
    N, d = X.shape
    return {"Sigma": Xc.T @ Xc / N, "beta_t": bt, "beta_s": w, "sigma2": float(res @ res / (N - d - 1)),
            "var_y": float(np.var(y))}


def oracle(pop, n):
    """Gaussian theory at the population task, ``n - 1`` effective samples (intercept): T of the probe,
    tuned and min-norm fine-tuning, in raw and standardised inputs; and the isotropic limit (the
    isotropic theory at the values its estimates converge to: signal ``||C b||^2``, C the correlation)."""
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
            r = {k: isotropic_risk(k, m, len(bt), p) for k in RISKS}
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
    standardised inputs; ridge penalties by 5-fold cross-validation."""
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


def best_penalty_mse(A, B, ytr, yte, w):
    """Held-out MSE of tuned scratch and tuned fine-tuning (from ``w``) at the penalty that is best *on
    the held-out rows* (the oracle penalty the theory assumes); ``A``, ``B``: training and held-out
    inputs centred by the training mean."""
    U, sv, Vt = np.linalg.svd(A, full_matrices=False)
    m = A.shape[0] - 1
    grid = np.logspace(-6, 4, 61) * float(np.mean(A * A)) * A.shape[1] / m
    yc = ytr - ytr.mean()
    out = {}
    for name, t, off in (("scratch_ridge", yc, 0.0), ("finetune_ridge", yc - A @ w, B @ w)):
        ut = U.T @ t
        out[name] = min(float(np.mean((B @ (Vt.T @ (sv / (sv ** 2 + m * lam) * ut)) + off + ytr.mean() - yte) ** 2))
                        for lam in grid)
    return out


def predicted(Xtr, ytr, w, U):
    """The advisor's T (value, band) on one subsample; ``U`` None: isotropic path."""
    rep = advise(Xtr, ytr, source_weights=w, unlabeled=U, grid_size=0)
    p, t = rep.predictions, rep.transferability
    return {"lt": [t["linear_transfer"].value, t["linear_transfer"].low, t["linear_transfer"].high],
            "ft": [t["finetune"].value, t["finetune"].low, t["finetune"].high],
            "ft_mn": [p["scratch_min_norm"].value - p["finetune_min_norm"].value],
            "rec": rep.recommendation, "theory": rep.theory}


def _ms(a):
    a = np.asarray(a, float)
    a = a[np.isfinite(a)]
    return (float(a.mean()), float(a.std(ddof=1) / np.sqrt(a.size))) if a.size > 1 else (float("nan"),) * 2


def summarise(pair, n, rows, orc, hind=None):
    """Per (pair, n): means and s.e. of predicted and realised T, correlation, sign agreement, band
    coverage of the realised mean and of the Gaussian oracle (and the fraction of bands entirely below
    the realised mean), median band width, recommendation = realised best; with ``hind`` (``base``:
    held-out MSE of the population predictor per subsample; ``raw``/``std``: best-penalty MSEs) the
    realised excess risk of each procedure beside the oracle's risk."""
    out = {"pair": pair, "n": n, "reps": len(rows), "d_mean": float(np.mean([r["d"] for r in rows])), "oracle": orc}
    if hind is not None and "mse" in rows[0]["real"]["raw"]:
        base = hind["base"]
        out["excess"] = {c: {k: _ms([r["real"][c]["mse"][k] - b for r, b in zip(rows, base)])
                             for k in rows[0]["real"][c]["mse"]} for c in ("raw", "std")}
        out["excess_best_penalty"] = {c: {k: _ms(np.array(v) - base) for k, v in hind[c].items()}
                                      for c in ("raw", "std")}
    for path, coding in PATHS:
        res = {}
        for k in KINDS:
            pr = np.array([r[path][k][0] for r in rows], float)
            re = np.array([r["real"][coding][k] for r in rows], float)
            ok = np.isfinite(pr) & np.isfinite(re)
            varies = ok.sum() > 2 and np.std(pr[ok]) > 0
            c = {"pred": _ms(pr), "real": _ms(re), "n_finite": int(ok.sum()),
                 "corr": float(np.corrcoef(pr[ok], re[ok])[0, 1]) if varies else float("nan"),
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


def rows_from_columns(cols):
    """The per-subsample rows of :func:`summarise` back from their JSON columns (:func:`columns`;
    without the realised MSEs, which the JSON does not keep)."""
    out = []
    for i in range(len(cols["d"])):
        r = {"d": cols["d"][i], "real": {c: {k: cols[f"real_{c}_{k}"][i] for k in KINDS + ("best",)}
                                         for c in ("raw", "std")}}
        for path in ("iso", "aniso"):
            r[path] = {k: [cols[f"{path}_{k}{p}"][i] for p in ("", "_low", "_high") if f"{path}_{k}{p}" in cols]
                       for k in KINDS}
            r[path]["rec"] = cols[f"{path}_rec"][i]
        out.append(r)
    return out


def _pm(v, digits):
    return f"{v[0]:.{digits}f} ± {v[1]:.{digits}f}"


def _md(header, rows):
    return "\n".join(["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
                     + ["| " + " | ".join(r) + " |" for r in rows])


def table(summ, path, digits=3):
    """The markdown table of one advisor path (``"aniso"``: realised T in raw inputs, ``"iso"``:
    standardised), one row per (pair, n), ``digits`` decimals for T."""
    coding = dict(PATHS)[path]
    head = ["pair", "n", "d"]
    for k in ("lt", "ft"):
        head += [f"T_{k} predicted", "realised", "oracle", "corr", "sign", "band covers mean / oracle"]
    head += ["T_ft min-norm predicted", "realised", "oracle", "rec = best"]
    rows = []
    for s in summ:
        r, o = s[path], s["oracle"][coding]
        cells = [s["pair"], str(s["n"]), f"{s['d_mean']:.1f}"]
        for k in ("lt", "ft"):
            c = r[k]
            cells += [_pm(c["pred"], digits), _pm(c["real"], digits), f"{o[k]:.{digits}f}", f"{c['corr']:.2f}",
                      f"{c['sign']:.2f}", f"{c['cover_real_mean']:.2f} / {c['cover_oracle']:.2f}"]
        c = r["ft_mn"]
        cells += [_pm(c["pred"], digits), _pm(c["real"], digits), f"{o['ft_mn']:.{digits}f}", f"{r['rec_is_best']:.2f}"]
        rows.append(cells)
    return _md(head, rows)


def path_blocks(summ, unlabeled, features, digits=3):
    """``[(heading, table)]`` of the two advisor paths, as in docs/advisor_validation.md."""
    return [(f"**Anisotropic path** (`unlabeled=` {unlabeled}; realised T in raw {features}):",
             table(summ, "aniso", digits)),
            (f"**Isotropic path** (no unlabeled inputs; realised T in standardised {features}):",
             table(summ, "iso", digits))]


def band_table(summ, digits=3):
    """Markdown: per path and (pair, n), where the band of T misses the mean realised T (% of subsamples
    with the band below / containing / above it) and its median width."""
    head = ["path", "pair", "n"] + [f"T_{k} {h}" for k in ("lt", "ft") for h in ("below / covers / above", "width")]
    rows = []
    for path, _ in PATHS:
        for s in summ:
            cells = [path, s["pair"], str(s["n"])]
            for k in ("lt", "ft"):
                c = s[path][k]
                cov, below = c["cover_real_mean"], c["below_real_mean"]
                cells += [f"{100 * below:.0f} / {100 * cov:.0f} / {round(100 * (1 - cov - below)):.0f}",
                          f"{c['width']:.{digits}f}"]
            rows.append(cells)
    return _md(head, rows)


def compare_table(old, new, digits=3):
    """Markdown: before (``old`` summaries) -> after (``new``) per path and (pair, n): predicted mean T,
    band coverage of the mean realised T and median band width (cells present in both)."""
    by = {(s["pair"], s["n"]): s for s in old}
    head = ["path", "pair", "n"] + [f"T_{k} {h}" for k in ("lt", "ft") for h in ("predicted", "covers mean", "width")]
    rows = []
    for path, _ in PATHS:
        for s in new:
            o = by.get((s["pair"], s["n"]))
            if o is None:
                continue
            cells = [path, s["pair"], str(s["n"])]
            for k in ("lt", "ft"):
                a, b = o[path][k], s[path][k]
                cells += [f"{a['pred'][0]:.{digits}f} → {b['pred'][0]:.{digits}f}",
                          f"{a['cover_real_mean']:.2f} → {b['cover_real_mean']:.2f}",
                          f"{a['width']:.{digits}f} → {b['width']:.{digits}f}"]
            rows.append(cells)
    return _md(head, rows)


def matched(old, summ):
    """The summaries of the saved result ``old`` on the subsamples of ``summ``: a cell of ``summ`` with
    fewer subsamples (its ``reps``) than ``old`` kept is re-summarised on the first ``reps`` of ``old``'s
    (the same draws where the subsamples are a prefix of a longer run's, as in ``advisor_digits.py``)."""
    by = {(s["pair"], s["n"]): s for s in old["summary"]}
    out = []
    for s in summ:
        o = by.get((s["pair"], s["n"]))
        cols = old.get("rows", {}).get(s["pair"], {}).get(str(s["n"]))
        if o is not None and cols and "reps" in s and s["reps"] < len(cols["d"]):
            o = summarise(s["pair"], s["n"], rows_from_columns(cols)[:s["reps"]], o["oracle"])
        if o is not None:
            out.append(o)
    return out


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
    if isinstance(v, np.integer):
        return int(v)
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
    """The result with per-subsample rows as columns and floats to 5 significant digits (JSON); rows
    already in columns (a result read back from JSON) are kept."""
    out = dict(res)
    out["rows"] = {p: {str(n): columns(r) if isinstance(r, list) else r for n, r in v.items()}
                   for p, v in res["rows"].items()}
    return _round(out)


def save(res, path):
    """Write :func:`compact` of ``res`` to ``path`` (nothing if ``path`` is empty)."""
    if path:
        with open(path, "w") as fh:
            json.dump(compact(res), fh, separators=(",", ":"))


def merge(paths):
    """Several saved JSON results (same data and ``--seed``) as one: rows and summaries joined (``reps``
    says "100 or 50" if they differ)."""
    parts = [load_json(p) for p in paths]
    if len({(q["d"], q["seed"]) for q in parts}) > 1:
        raise ValueError(f"--merge: {paths} have different d or seed; expected the same in every file")
    out = {k: parts[0][k] for k in ("d", "seed")}
    reps = list(dict.fromkeys(str(q["reps"]) for q in parts))
    out["reps"] = int(reps[0]) if len(reps) == 1 else " or ".join(reps)   # a cell's own: len of its rows
    for key in ("seconds", "cpu_seconds"):
        out[key] = round(sum(float(q.get(key, 0)) for q in parts), 1)
    out["rows"], out["summary"] = {}, []
    for q in parts:
        for pair, v in q["rows"].items():
            out["rows"].setdefault(pair, {}).update(v)
        out["summary"] += q["summary"]
    return out


def cpu_seconds():
    """CPU time of this process and its finished children (worker processes), in seconds."""
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


@dataclass
class Study:
    """One real-data benchmark for :func:`main`: ``compute(ns)`` returns a fresh result (rows and
    summaries) from the parsed flags; ``blocks(res)`` the ``[(heading, markdown table)]`` of the docs,
    in their order; ``complete(res, ns)`` adds what a saved result lacks (or None); ``add_args(ap)`` the
    data set's own flags, ``check(ns)`` raises ``ValueError`` for a bad one; ``reps``, ``json``, ``png``
    the defaults (those of the docs); ``title``, ``features``, ``digits``: the figure's title, the name
    of the inputs, decimals of T; ``extras(res)`` more ``[(heading, table)]`` printed after the docs'
    (not in the docs); ``headline(res)`` the start of the first printed line."""

    description: str
    reps: int
    json: str
    png: str
    add_args: Callable
    compute: Callable
    blocks: Callable
    title: str = ""
    features: str = "inputs"
    digits: int = 3
    check: Callable = None
    complete: Callable = None
    headline: Callable = None
    extras: Callable = None


def main(study: Study, argv=None):
    """The shared command line: compute (or ``--from-json`` / ``--merge``), write ``--json``, print the
    docs' tables (``--compare OLD.json``: before -> after), draw ``--png``. A bad flag: one line, status 2."""
    ap = argparse.ArgumentParser(description=study.description)
    ap.add_argument("--reps", type=int, default=study.reps, help=f"random target subsamples per cell ({study.reps})")
    ap.add_argument("--seed", type=int, default=1, help="seed of the subsamples (1)")
    ap.add_argument("--json", default=None, help=f"where the results go ({study.json}; with --from-json: "
                    "not written unless given; '': not written)")
    ap.add_argument("--png", default=study.png, help=f"the figure ({study.png}; '': none)")
    ap.add_argument("--from-json", default="", help="re-print and redraw from a saved JSON, no computation")
    ap.add_argument("--merge", default="", help="comma list of saved JSONs (same --seed) to join into --json")
    ap.add_argument("--compare", default="", help="a saved JSON (earlier code, same subsamples): print before -> after")
    study.add_args(ap)
    ns = ap.parse_args(argv)
    if ns.json is None:
        ns.json = "" if ns.from_json else study.json
    t0, c0 = time.time(), cpu_seconds()
    res = None
    try:
        if ns.reps < 2:
            raise ValueError(f"--reps={ns.reps} is invalid: expected an integer >= 2")
        if study.check is not None:
            study.check(ns)
        old = load_json(ns.compare) if ns.compare else None
        if ns.from_json or ns.merge:
            res = load_json(ns.from_json) if ns.from_json else merge(ns.merge.split(","))
    except (ValueError, OSError) as e:
        ap.exit(2, f"{ap.prog}: error: {e}\n")
    if res is None:
        res = study.compute(ns)
        res["seconds"], res["cpu_seconds"] = round(time.time() - t0, 1), round(cpu_seconds() - c0, 1)
    if study.complete is not None:
        res = study.complete(res, ns)
    save(res, ns.json)
    print(f"{study.headline(res) if study.headline else ''}{res['reps']} subsamples per cell, "
          f"{res.get('seconds', '?')} s wall, {res.get('cpu_seconds', '?')} s CPU")
    for heading, tab in study.blocks(res):
        print(f"\n{heading}\n\n{tab}")
    print("\nWhere the bands miss the mean realised T (% of subsamples: band below / covering / above it) "
          f"and their median width:\n\n{band_table(res['summary'], study.digits)}")
    for heading, tab in study.extras(res) if study.extras else ():
        print(f"\n{heading}\n\n{tab}")
    if old is not None:
        print(f"\nBefore ({ns.compare}, on the same subsamples) -> after:\n\n"
              f"{compare_table(matched(old, res['summary']), res['summary'], study.digits)}")
    if ns.png:
        figure(res["summary"], ns.png, title=study.title, features=study.features)
    return res


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
        for col, (k, t) in enumerate((("lt", "linear probe vs tuned ridge"),
                                      ("ft", "tuned fine-tuning vs tuned ridge"))):
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
