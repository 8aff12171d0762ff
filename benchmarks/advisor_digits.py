"""Predicted vs realised transferability on scikit-learn's handwritten digits (no download).

The tables of docs/advisor_validation.md ("Digits"), JSON and figure, in one command (~15 min CPU):

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/advisor_digits.py \\
        [--json docs/advisor_digits.json] [--png docs/images/advisor_digits.png]

Flags: ``--pairs`` labelling pairs ``source>target`` (comma list; names in ``LABELS``) and ``--n`` target
sample sizes (comma list); without ``--n`` each pair gets its sample sizes of ``DESIGN`` (the docs':
``value>ge5`` at n = 23, 40, 92, 184, the other four pairs at n = 23, 92). ``--reps`` random target
subsamples per (pair, n) (100); ``--seed`` seed of the subsamples (1); ``--jobs`` worker processes (one
(target labelling, n) cell each); ``--cache DIR`` keep each finished (target, n, source) cell as a pickle
in DIR and reuse it (a long run can be resumed); ``--json``/``--png`` outputs (``''``: none);
``--from-json FILE`` re-print the tables and redraw from a saved JSON; ``--merge a.json,b.json`` join
saved results into ``--json``; ``--compare OLD.json`` also print before -> after (same subsamples).
Printed: the docs' markdown tables verbatim (anisotropic path, isotropic path, excess risk per
procedure in raw pixels), then where the bands miss, the standardised excess risks.

Data: 1797 images, 8x8 pixels, values 0-16; the pixels non-zero in at least 20% of the images
(d = 46). One fixed random split (seed 0): 600 *source* images (the pretrained model is the
least-squares fit, with intercept, of the source labelling on them), 600 *unlabeled* images (passed as
``unlabeled=`` on the anisotropic path) and a 597-image *target pool*. For each subsample of n images
from the pool: the advisor's predictions on the isotropic path (no unlabeled inputs) and on the
anisotropic path; the realised ``T = R_scratch - R_transfer`` = difference of held-out mean squared
errors (held-out: the rest of the pool; the label noise cancels), ridge on standardised pixels (what
the isotropic path models) and on raw pixels (what the anisotropic path models), penalties by 5-fold
cross-validation. Columns constant or duplicated in a subsample are dropped (the advisor refuses them).
The *Gaussian oracle* is the theory at the population task of all 1797 images (covariance,
least-squares teacher, residual variance; ``ftheory.aniso``). Shared machinery: ``_advisor_real.py``.
"""
from __future__ import annotations

import os
import pickle
import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _advisor_real as real  # noqa: E402
from _advisor_real import RISKS, lstsq, oracle, predicted, realised, usable_columns  # noqa: E402,F401

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
DESIGN = {"value>ge5": (23, 40, 92, 184), "ge5>ge5": (23, 92), "ge5>loopy": (23, 92), "eq8>eq3": (23, 92),
          "value>even": (23, 92)}     # the (pair, n) cells of the docs
MIN_NONZERO = 0.2     # keep pixels non-zero in at least this fraction of the images
N_POP = 1797


def load(n_source=600, n_unlabeled=600, seed=0):
    """``(X, digit, S, U, T)``: pixels (1797 x d), digits, and index arrays of the source, unlabeled
    and target-pool images (a fixed random split)."""
    from sklearn.datasets import load_digits
    X, digit = load_digits(return_X_y=True)
    X = X[:, (X > 0).mean(0) >= MIN_NONZERO]
    perm = np.random.default_rng(seed).permutation(len(digit))
    return X, digit, perm[:n_source], perm[n_source:n_source + n_unlabeled], perm[n_source + n_unlabeled:]


def population(X, digit, w, target):
    """The Gaussian task of all images for the ``target`` labelling, source weights ``w``."""
    return real.population(X, LABELS[target](digit), w)


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
    """All subsamples of one (target labelling, n) cell, for every source with that target; with a
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
            r = realised(Xtr, y[tr], Xte, y[te], {s: w[cols] for s, w in ws.items()})
            for s in todo:
                new[s].append({"d": int(cols.size), "real": r[s],
                               "iso": predicted(Xtr, y[tr], ws[s][cols], None),
                               "aniso": predicted(Xtr, y[tr], ws[s][cols], U)})
        for s in todo:
            rows[s] = new[s]
            if path[s]:
                with open(path[s], "wb") as fh:
                    pickle.dump((target, n, {s: new[s]}), fh)
    return target, n, {s: rows[s] for s in sources}


def hindsight(X, y, T, target, n, reps, seed, pop):
    """Per subsample of ``run_cell`` (regenerated: they depend only on seed, n, target): the held-out MSE
    of the population least-squares predictor (``base``; subtracted from a procedure's MSE it gives the
    realised excess risk, slightly over-stated: the population fit saw the held-out images, about
    sigma^2 d/1797), and the held-out MSEs of tuned scratch and fine-tuning at the penalty that is best
    on the held-out images (``real.best_penalty_mse``), raw and standardised pixels."""
    icpt = float(y.mean() - X.mean(0) @ pop["beta_t"])
    out = {"base": [], "raw": {"scratch_ridge": [], "finetune_ridge": []},
           "std": {"scratch_ridge": [], "finetune_ridge": []}}
    for tr, te in subsamples(T, y, target, n, reps, seed):
        out["base"].append(float(np.mean((X[te] @ pop["beta_t"] + icpt - y[te]) ** 2)))
        cols = usable_columns(X[tr])
        Xtr, Xte, wk = X[tr][:, cols], X[te][:, cols], pop["beta_s"][cols]
        mu, sd = Xtr.mean(0), Xtr.std(0)
        for coding, A, B, ws in (("raw", Xtr - mu, Xte - mu, wk), ("std", (Xtr - mu) / sd, (Xte - mu) / sd, wk * sd)):
            for k, v in real.best_penalty_mse(A, B, y[tr], y[te], ws).items():
                out[coding][k].append(v)
    return out


def design(pairs, ns):
    """``{pair: sample sizes}``: every pair at ``ns``, or (``ns`` empty) at its sample sizes of
    :data:`DESIGN` (23, 92 for a pair not in it). ``ValueError`` for a pair not ``source>target`` with
    names in :data:`LABELS` or a sample size below 5."""
    out = {}
    for p in pairs:
        s, _, t = p.partition(">")
        if s not in LABELS or t not in LABELS:
            raise ValueError(f"--pairs: {p!r} is invalid: expected source>target with names in {sorted(LABELS)}")
        out[p] = tuple(int(n) for n in ns) if ns else DESIGN.get(p, (23, 92))
        if min(out[p]) < 5 or max(out[p]) > 550:
            raise ValueError(f"--n: {out[p]} is invalid: expected sample sizes in [5, 550] (pool of 597 images)")
    return out


def run(pairs=PAIRS, ns=(), reps=100, seed=1, jobs=1, cache=""):
    """Raw rows and summaries: ``{"rows": {pair: {n: [...]}}, "summary": [...], ...}``; sample sizes as
    :func:`design`."""
    cells_of = design(pairs, ns)
    X, digit, S, _, T = load()
    by_cell = {}
    for p, sizes in cells_of.items():
        s, t = p.split(">")
        for n in sizes:
            by_cell.setdefault((t, n), []).append(s)
    jobs_ = [(t, n, srcs, int(reps), int(seed), cache) for (t, n), srcs in by_cell.items()]
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as ex:
            results = list(ex.map(run_cell, jobs_))
    else:
        results = [run_cell(j) for j in jobs_]
    rows = {}
    for t, n, r in results:
        for s, v in r.items():
            rows.setdefault(f"{s}>{t}", {})[n] = v
    summ = []
    for p, sizes in cells_of.items():
        s, t = p.split(">")
        pop = population(X, digit, lstsq(X[S], LABELS[s](digit[S])), t)
        y = LABELS[t](digit)
        for n in sizes:
            hind = hindsight(X, y, T, t, n, int(reps), int(seed), pop)
            summ.append(real.summarise(p, n, rows[p][n], oracle(pop, n), hind))
    return {"d": int(X.shape[1]), "reps": int(reps), "seed": int(seed), "rows": rows, "summary": summ}


def risk_table(summ, coding="raw", digits=3):
    """Markdown table: Gaussian theory at the population task against the realised excess risk of each
    procedure (mean ± s.e. over subsamples) in one coding, and tuned ridge at the best penalty."""
    head = ["pair", "n", "coding"] + [h for k in RISKS for h in (f"{k} theory", "realised")]
    head += ["scratch_ridge, best penalty", "finetune_ridge, best penalty"]
    rows = []
    for s in summ:
        if "excess" not in s:
            continue
        cells = [s["pair"], str(s["n"]), coding]
        for k in RISKS:
            cells += [f"{s['oracle']['risk_' + coding][k]:.{digits}f}", real._pm(s["excess"][coding][k], digits)]
        cells += [real._pm(s["excess_best_penalty"][coding][k], digits) for k in ("scratch_ridge", "finetune_ridge")]
        rows.append(cells)
    return real._md(head, rows)


def blocks(res):
    """The docs' ``[(heading, table)]``: both advisor paths, excess risks in raw pixels."""
    summ = res["summary"]
    return real.path_blocks(summ, "600 images", "pixels") + [
        ("Realised excess risk of each procedure against the Gaussian theory at the population task, raw pixels:",
         risk_table(summ, "raw"))]


def _add_args(ap):
    ap.add_argument("--pairs", default=",".join(PAIRS), help="source>target labelling pairs (comma list)")
    ap.add_argument("--n", default="", help="target sample sizes (comma list; default: each pair's of DESIGN)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (1)")
    ap.add_argument("--cache", default="", help="directory of per-cell pickles to reuse ('': none)")


def _ns(ns):
    return [int(v) for v in ns.n.split(",")] if ns.n else []


def _check(ns):
    try:
        sizes = _ns(ns)
    except ValueError:
        raise ValueError(f"--n={ns.n!r} is invalid: expected a comma list of integers") from None
    design(ns.pairs.split(","), sizes)
    if ns.jobs < 1:
        raise ValueError(f"--jobs={ns.jobs} is invalid: expected an integer >= 1")


STUDY = real.Study(
    description=__doc__.split("\n")[0], reps=100, json="docs/advisor_digits.json",
    png="docs/images/advisor_digits.png", add_args=_add_args, check=_check,
    compute=lambda ns: run(ns.pairs.split(","), _ns(ns), ns.reps, ns.seed, ns.jobs, ns.cache),
    blocks=blocks, extras=lambda res: [("Excess risks in standardised pixels:", risk_table(res["summary"], "std"))],
    title="digits", features="pixels",
    headline=lambda res: f"digits: d = {res['d']} pixels, target pool 597, ")


def main(argv=None):
    return real.main(STUDY, argv)


if __name__ == "__main__":
    main()
