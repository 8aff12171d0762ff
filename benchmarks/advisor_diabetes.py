"""Predicted vs realised transferability across two patient groups of scikit-learn's diabetes data.

The tables of docs/advisor_validation.md ("Diabetes"), JSON and figure, in one command (~10 min CPU):

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/advisor_diabetes.py \\
        [--json docs/advisor_diabetes.json] [--png docs/images/advisor_digits_diabetes.png]

Flags: ``--n`` target sample sizes (comma list; 6,20,80); ``--reps`` random target subsamples per
(direction, n) (100); ``--seed`` seed of the subsamples (1); ``--json``/``--png`` outputs (``''``: none);
``--from-json FILE`` re-print and redraw from a saved JSON (the best-penalty table is computed and,
with ``--json``, saved if the file lacks it); ``--merge``, ``--compare OLD.json`` as in
``advisor_digits.py``. Printed: the docs' markdown tables verbatim (anisotropic path, isotropic path,
realised T with the cross-validated and with the best-in-hindsight penalty), then where the bands miss.

Data (bundled, no download): 442 patients, 10 baseline variables, the label is a measure of disease
progression one year later. The two values of the ``sex`` column split the patients into groups A
(235) and B (207) (the data set does not say which is which). The pretrained model is the least-squares
fit (with intercept) of the label on the other 9 variables in one group; the target task is the same
label in the other group (a real shift of population: Sigma-cosine of the two groups' least-squares
teachers 0.92). For each subsample of n target patients: the advisor's predictions, isotropic path and
anisotropic path with ``unlabeled=`` the other target patients (inputs only; the same patients are the
held-out set of the realised errors, whose labels the advisor never sees); realised
``T = R_scratch - R_transfer`` = difference of held-out mean squared errors (raw and standardised
variables, ridge penalties by 5-fold cross-validation). The Gaussian oracle is the theory at the
population task of the whole target group. Also: the realised T with tuned ridge at the penalty that is
best on the held-out patients (the oracle penalty the theory assumes) beside the cross-validated one.
Shared machinery: ``_advisor_real.py``.
"""
from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _advisor_real as real  # noqa: E402
from _advisor_real import lstsq, oracle, predicted, realised  # noqa: E402

DIRECTIONS = ("A>B", "B>A")
NS = (6, 20, 80)


def load():
    """``(X, y, groups)``: the 9 variables other than sex, the label, and the row indices of groups A, B."""
    from sklearn.datasets import load_diabetes
    X, y = load_diabetes(return_X_y=True)
    sex = X[:, 1]
    A = np.flatnonzero(sex < 0)
    B = np.flatnonzero(sex > 0)
    return np.delete(X, 1, axis=1), y.astype(float), {"A": A, "B": B}


def population(X, y, w, idx):
    """The Gaussian task of the whole target group ``idx`` (source weights ``w``)."""
    return real.population(X[idx], y[idx], w)


def subsamples(pool, ns, reps, seed, k):
    """``{n: [(train, held-out), ...]}`` of direction number ``k``: one generator per direction, drawn
    in the order of ``ns`` (so a cell depends on the sample sizes before it)."""
    rng = np.random.default_rng([seed, k])
    out = {}
    for n in ns:
        out[n] = []
        for _ in range(reps):
            idx = rng.permutation(pool)
            out[n].append((idx[:n], idx[n:]))
    return out


def run(ns=NS, reps=100, seed=1):
    """Raw rows and summaries, as ``advisor_digits.run``."""
    X, y, groups = load()
    rows, summ = {}, []
    for k, direction in enumerate(DIRECTIONS):
        src, tgt = direction.split(">")
        w = lstsq(X[groups[src]], y[groups[src]])
        pool = groups[tgt]
        pop = population(X, y, w, pool)
        for n, draws in subsamples(pool, ns, reps, seed, k).items():
            cell = []
            for tr, te in draws:
                Xtr, Xte = X[tr], X[te]
                cell.append({"d": X.shape[1], "real": realised(Xtr, y[tr], Xte, y[te], {"s": w})["s"],
                             "iso": predicted(Xtr, y[tr], w, None), "aniso": predicted(Xtr, y[tr], w, Xte)})
            rows.setdefault(direction, {})[int(n)] = cell
            summ.append(real.summarise(direction, int(n), cell, oracle(pop, int(n))))
    return {"d": int(X.shape[1]), "reps": int(reps), "seed": int(seed), "rows": rows, "summary": summ}


def best_penalty(res):
    """Attach to each summary the realised T with tuned ridge at the penalty that is best on the held-out
    patients beside the cross-validated one, raw variables (the subsamples of :func:`run` regenerated:
    they depend only on the seed and the sample sizes)."""
    X, y, groups = load()
    ns = list(dict.fromkeys(s["n"] for s in res["summary"]))
    by = {(s["pair"], s["n"]): s for s in res["summary"]}
    for k, direction in enumerate(DIRECTIONS):
        src, tgt = direction.split(">")
        w = lstsq(X[groups[src]], y[groups[src]])
        for n, draws in subsamples(groups[tgt], ns, res["reps"], res["seed"], k).items():
            acc = []
            for tr, te in draws:
                mse = realised(X[tr], y[tr], X[te], y[te], {"s": w})["s"]["raw"]["mse"]
                mu = X[tr].mean(0)
                best = real.best_penalty_mse(X[tr] - mu, X[te] - mu, y[tr], y[te], w)
                sc, bs = mse["scratch_ridge"], best["scratch_ridge"]
                acc.append([sc - mse["linear_transfer"], bs - mse["linear_transfer"],
                            sc - mse["finetune_ridge"], bs - best["finetune_ridge"]])
            a = np.array(acc)
            se = a.std(0, ddof=1) / np.sqrt(len(a))
            if (direction, n) in by:
                keys = ("lt_cv", "lt_best", "ft_cv", "ft_best")
                by[(direction, n)]["best_penalty"] = {k: [float(a[:, j].mean()), float(se[j])]
                                                      for j, k in enumerate(keys)}
    return res


def best_table(summ):
    """Markdown: realised T (raw variables) with cross-validated and with best-in-hindsight penalties."""
    head = ["direction", "n", "T_lt, CV penalty", "T_lt, best penalty", "T_ft, CV penalty", "T_ft, best penalty",
            "oracle T_lt", "oracle T_ft"]
    rows = []
    for s in summ:
        b = s["best_penalty"]
        rows.append([s["pair"], str(s["n"])] + [real._pm(b[k], 0) for k in ("lt_cv", "lt_best", "ft_cv", "ft_best")]
                    + [f"{s['oracle']['raw']['lt']:.0f}", f"{s['oracle']['raw']['ft']:.0f}"])
    return real._md(head, rows)


def blocks(res):
    """The docs' ``[(heading, table)]``: both advisor paths, then the best-penalty comparison."""
    return real.path_blocks(res["summary"], "the other target patients", "variables", digits=0) + [
        ("Realised T with the cross-validated and with the best-in-hindsight penalty (raw variables):",
         best_table(res["summary"]))]


def _complete(res, ns):
    """A result lacking the best-penalty table gets it."""
    return res if "best_penalty" in res["summary"][0] else best_penalty(res)


def _add_args(ap):
    ap.add_argument("--n", default=",".join(map(str, NS)), help="target sample sizes (comma list; 6,20,80)")


def _ns(ns):
    return [int(v) for v in ns.n.split(",")]


def _check(ns):
    try:
        sizes = _ns(ns)
    except ValueError:
        raise ValueError(f"--n={ns.n!r} is invalid: expected a comma list of integers") from None
    if min(sizes) < 5 or max(sizes) > 200:
        raise ValueError(f"--n={ns.n!r} is invalid: expected sample sizes in [5, 200] (groups of 235 and 207)")


STUDY = real.Study(
    description=__doc__.split("\n")[0], reps=100, json="docs/advisor_diabetes.json",
    png="docs/images/advisor_digits_diabetes.png", add_args=_add_args, check=_check,
    compute=lambda ns: run(_ns(ns), ns.reps, ns.seed), blocks=blocks, complete=_complete,
    title="diabetes", features="variables", digits=0,
    headline=lambda res: f"diabetes: d = {res['d']} variables, ")


def main(argv=None):
    return real.main(STUDY, argv)


if __name__ == "__main__":
    main()
