"""Before/after record of the exact inverse-Wishart ``Var U_y`` (``param_cov._var_u``) on the anisotropic
settings, paired on the same samples and the same bootstrap draws.

    PYTHONPATH=. python benchmarks/advisor_wishart_ab.py --grid coverage --only 6 --reps 500 --out F.json
    PYTHONPATH=. python benchmarks/advisor_wishart_ab.py --grid bands --only 8 --reps 500 --out F.json
    PYTHONPATH=. python benchmarks/advisor_wishart_ab.py --tables F.json ...

``--grid coverage``: the settings, tasks and sample streams of ``benchmarks/advisor_coverage.py``
(``N = 20 d`` unlabeled rows; ``--ratio``: another ``N / d``); ``--grid bands``: those of ``benchmarks/advisor_band_coverage.py``. Per
sample the estimates are made twice, with the exact variance (``new``) and with the previous one
(``old``: the known-Sigma variance plus ``2 tau^4/(N - d - 3)``, patched into ``param_cov._var_u`` and
``bands._var_u``), and for each the 95% intervals of the signal, the noise variance and the cosine and
the band of the linear-transfer risk (the score region of ``bands.score_region``; truth: the isotropic
formula at the true parameters, as in both benchmarks) are checked against the truth. The bootstrap
draws are shared (same seed), so ``new - old`` is the effect of the covariance alone: it enters the
tests' weights (the laws are simulated) and the score region of the band (Gaussian with unlabeled data).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import importlib  # noqa: E402

from _common import row_saver  # noqa: E402

bands = importlib.import_module("ftheory.advise.bands")    # (ftheory.advise is also a function's name)
pc = importlib.import_module("ftheory.advise.param_cov")
from ftheory.advise.estimators import estimate_parameters, prepare  # noqa: E402
from ftheory.advise.predict import isotropic_risk  # noqa: E402
from ftheory.advise.report import _risk_interval  # noqa: E402
from ftheory.advise.synthetic import make_task  # noqa: E402

NEW = pc._var_u
KEYS = ("signal", "noise_variance", "overlap", "linear_transfer")


def old_var_u(n, d, tau2, syy, n_unlabeled=0):
    """The previous ``Var U_y``: known-Sigma variance plus ``2 tau^4/(N - d - 3)``."""
    v = NEW(n, d, tau2, syy, 0)
    return v + (2 * tau2 * tau2 / (n_unlabeled - d - 3) if n_unlabeled > d + 3 else 0.0)


def _use(f):
    pc._var_u = f
    bands._var_u = f


def grid(name):
    """Settings, task seed and eigenvalues of setting ``i`` of the named benchmark."""
    if name == "coverage":
        import advisor_coverage as m
        return m.SETTINGS, (lambda i: 100 + i), (lambda spec, d: np.arange(1, d + 1) ** -1.0)
    import advisor_band_coverage as m
    return m.SETTINGS, (lambda i: 500 + i), (lambda spec, d: m.SPECTRA[spec](d))


def run(gname, i, reps, progress=None, ratio=20, band_only=False):
    """Coverage, miss sides and summed widths per estimate, ``old`` and ``new``, on ``reps`` samples."""
    settings, seed_of, spectrum = grid(gname)
    d, gamma, theta, sigma, spec = settings[i]
    seed = seed_of(i)
    n = int(round(gamma * d))
    task = make_task(d, theta, sigma, eigenvalues=spectrum(spec, d), seed=seed)
    tr = task.truth()
    p_true = np.array([tr["signal"], tr["noise_variance"], tr["overlap_inner"], tr["source_signal"]])
    rng = np.random.default_rng(seed + 1)
    keys = KEYS[3:] if band_only else KEYS
    res = {v: {k: {"hits": 0, "below": 0, "above": 0, "width": 0.0, "count": 0} for k in keys} for v in ("old", "new")}
    res["flips"] = []           # samples covered by one variant only: (rep, estimate, truth, {variant: (low, high)})
    truth = {k: tr[k] for k in KEYS[:3]}
    for rep in range(reps):
        if progress is not None and rep and rep % 25 == 0:
            progress(rep, res)
        X, y = task.sample(n, rng)
        U = task.sample(ratio * d, rng)[0]
        prep = prepare(X, y, X @ task.beta_s, U, center=True)
        m = prep.X.shape[0]
        truth["linear_transfer"] = isotropic_risk("linear_transfer", m, d, p_true)
        for which, f in (("old", old_var_u), ("new", NEW)):
            _use(f)
            try:
                pe = estimate_parameters(prep)
                ivs = {} if band_only else {k: pe.interval(k) for k in KEYS[:3]}

                def g(q):
                    return isotropic_risk("linear_transfer", m, d, q)
                g.linear = False
                ivs["linear_transfer"] = _risk_interval(pe, g)
            finally:
                _use(NEW)
            for k in keys:
                t, iv, r = truth[k], ivs[k], res[which][k]
                if not math.isfinite(t):
                    continue
                r["count"] += 1
                r["hits"] += bool(iv.low <= t <= iv.high)
                r["below"] += bool(t < iv.low)
                r["above"] += bool(t > iv.high)
                r["width"] += float(iv.high - iv.low)
            if which == "old":
                old_ivs = ivs
        for k in keys:
            t = truth[k]
            a, b = old_ivs[k], ivs[k]
            if math.isfinite(t) and (a.low <= t <= a.high) != (b.low <= t <= b.high):
                res["flips"].append((rep, k, [float(v) for v in pe.p], float(t),
                                     {"old": (float(a.low), float(a.high)), "new": (float(b.low), float(b.high))}))
    return res


def tables(rows):
    out = ["| grid | index | setting | N/d | reps | " + " | ".join(f"{k} old -> new" for k in KEYS) + " | "
           + " | ".join(f"width {k} old -> new" for k in KEYS) + " |", "|" + "---|" * (5 + 2 * len(KEYS))]
    for r in rows:
        res = r["result"]
        cov = []
        wid = []
        for k in KEYS:
            if k not in res["old"]:
                cov.append("-")
                wid.append("-")
                continue
            o, nn = res["old"][k], res["new"][k]
            c = max(o["count"], 1)
            cov.append(f"{o['hits'] / c:.3f} -> {nn['hits'] / c:.3f}")
            wid.append(f"{o['width'] / c:.4g} -> {nn['width'] / c:.4g} ({100 * (nn['width'] / max(o['width'], 1e-300) - 1):+.1f}%)")
        out.append(f"| {r['grid']} | {r['index']} | {tuple(r['setting'])} | {r.get('ratio', 20)} | {r['reps']}{' (partial)' if r.get('partial') else ''} | "
                   + " | ".join(cov) + " | " + " | ".join(wid) + " |")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--grid", choices=("coverage", "bands"), default="coverage")
    ap.add_argument("--only", default=None, help="comma-separated setting indices")
    ap.add_argument("--reps", type=int, default=500)
    ap.add_argument("--ratio", type=int, default=20, help="unlabeled rows per feature (N = ratio d)")
    ap.add_argument("--band-only", action="store_true", help="the linear-transfer band alone (cheap)")
    ap.add_argument("--out", default=None)
    ap.add_argument("--tables", nargs="*", default=None)
    ns = ap.parse_args()
    if ns.tables:
        print(tables([r for p in ns.tables for r in json.load(open(p))]))
        return
    settings = grid(ns.grid)[0]
    idx = [i for i, s in enumerate(settings) if s[4]] if ns.only is None else [int(k) for k in ns.only.split(",")]
    rows = []
    for i in idx:
        save = row_saver(rows, ns.out, "result", grid=ns.grid, index=i, setting=settings[i], ratio=ns.ratio)
        rows.append(save(ns.reps, run(ns.grid, i, ns.reps, progress=save, ratio=ns.ratio, band_only=ns.band_only), final=True))
        print(f"{ns.grid} {i} {settings[i]}: {rows[-1]['seconds']:.0f} s", file=sys.stderr, flush=True)
    print(tables(rows))


if __name__ == "__main__":
    main()
