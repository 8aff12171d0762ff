"""Predicted vs realised transferability across two patient groups of scikit-learn's diabetes data.

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/advisor_diabetes.py [--reps 200] [--n 6,10,20,40,80]
        [--seed 1] [--json docs/advisor_diabetes.json] [--png docs/images/advisor_digits_diabetes.png]
        [--from-json FILE]

Flags: ``--reps`` random target subsamples per (direction, n); ``--n`` target sample sizes; ``--seed``
seed of the subsamples; ``--json`` raw per-subsample results and summaries (``''``: not written);
``--png`` the figure (``''``: none); ``--from-json`` re-print and redraw from a saved JSON.

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
population task of the whole target group. Also printed: the realised T with tuned ridge at the penalty
that is best on the held-out patients (the oracle penalty the theory assumes) beside the cross-validated
one (the subsamples regenerated from the seed; added to a saved JSON by ``--from-json FILE --json FILE``).
Functions shared with ``benchmarks/advisor_digits.py``.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from advisor_digits import (_round, compact, figure, load_json, lstsq, oracle, predicted, realised,  # noqa: E402
                            summarise, table)

DIRECTIONS = ("A>B", "B>A")


def load():
    """``(X, y, groups)``: the 9 variables other than sex, the label, and the row indices of groups A, B."""
    from sklearn.datasets import load_diabetes
    X, y = load_diabetes(return_X_y=True)
    sex = X[:, 1]
    A = np.flatnonzero(sex < 0)
    B = np.flatnonzero(sex > 0)
    return np.delete(X, 1, axis=1), y.astype(float), {"A": A, "B": B}


def population(X, y, w, idx):
    """The Gaussian task of the whole target group (covariance, least-squares teacher, residual variance)."""
    Xt, yt = X[idx], y[idx]
    bt = lstsq(Xt, yt)
    Xc = Xt - Xt.mean(0)
    res = yt - yt.mean() - Xc @ bt
    N, d = Xt.shape
    return {"Sigma": Xc.T @ Xc / N, "beta_t": bt, "beta_s": w, "sigma2": float(res @ res / (N - d - 1)),
            "var_y": float(np.var(yt))}


def run(ns=(6, 10, 20, 40, 80), reps=200, seed=1):
    """Raw rows and summaries, as ``advisor_digits.run``."""
    X, y, groups = load()
    rows, summ = {}, []
    for k, direction in enumerate(DIRECTIONS):
        src, tgt = direction.split(">")
        w = lstsq(X[groups[src]], y[groups[src]])
        pool = groups[tgt]
        pop = population(X, y, w, pool)
        rng = np.random.default_rng([seed, k])
        for n in ns:
            cell = []
            for _ in range(reps):
                idx = rng.permutation(pool)
                tr, te = idx[:n], idx[n:]
                Xtr, Xte = X[tr], X[te]
                real = realised(Xtr, y[tr], Xte, y[te], {"s": w})["s"]
                cell.append({"d": X.shape[1], "real": real, "iso": predicted(Xtr, y[tr], w, None),
                             "aniso": predicted(Xtr, y[tr], w, Xte)})
            rows.setdefault(direction, {})[int(n)] = cell
            summ.append(summarise(direction, int(n), cell, oracle(pop, int(n))))
    return {"d": int(X.shape[1]), "reps": int(reps), "seed": int(seed), "rows": rows, "summary": summ}


def best_penalty(res, X, y, groups):
    """Attach to each summary the realised T with tuned ridge at the penalty that is best on the held-out
    patients (the oracle penalty the theory assumes) beside the cross-validated one, raw variables
    (the subsamples of :func:`run` regenerated: they depend only on the seed)."""
    ns = sorted({s["n"] for s in res["summary"]})
    by = {(s["pair"], s["n"]): s for s in res["summary"]}
    for k, direction in enumerate(DIRECTIONS):
        src, tgt = direction.split(">")
        w = lstsq(X[groups[src]], y[groups[src]])
        pool = groups[tgt]
        rng = np.random.default_rng([res["seed"], k])
        for n in ns:
            acc = []
            for _ in range(res["reps"]):
                idx = rng.permutation(pool)
                tr, te = idx[:n], idx[n:]
                mse = realised(X[tr], y[tr], X[te], y[te], {"s": w})["s"]["raw"]["mse"]
                A, B = X[tr] - X[tr].mean(0), X[te] - X[tr].mean(0)
                U, sv, Vt = np.linalg.svd(A, full_matrices=False)
                grid = np.logspace(-6, 4, 61) * float(np.mean(A * A)) * A.shape[1] / (n - 1)
                yc = y[tr] - y[tr].mean()
                best = {}
                for name, t, off in (("scratch", yc, 0.0), ("finetune", yc - A @ w, B @ w)):
                    ut = U.T @ t
                    best[name] = min(float(np.mean((B @ (Vt.T @ (sv / (sv ** 2 + (n - 1) * lam) * ut)) + off
                                                     + y[tr].mean() - y[te]) ** 2)) for lam in grid)
                acc.append([mse["scratch_ridge"] - mse["linear_transfer"], best["scratch"] - mse["linear_transfer"],
                            mse["scratch_ridge"] - mse["finetune_ridge"], best["scratch"] - best["finetune"]])
            a = np.array(acc)
            se = a.std(0, ddof=1) / np.sqrt(len(a))
            by[(direction, n)]["best_penalty"] = {
                "lt_cv": [float(a[:, 0].mean()), float(se[0])], "lt_best": [float(a[:, 1].mean()), float(se[1])],
                "ft_cv": [float(a[:, 2].mean()), float(se[2])], "ft_best": [float(a[:, 3].mean()), float(se[3])]}
    return res


def best_table(summ):
    """Markdown: realised T (raw variables) with cross-validated and with best-in-hindsight penalties."""
    L = ["| direction | n | T_lt, CV penalty | T_lt, best penalty | T_ft, CV penalty | T_ft, best penalty | "
         "oracle T_lt | oracle T_ft |", "|" + "---|" * 8]
    for s in summ:
        b = s["best_penalty"]
        cells = [s["pair"], str(s["n"])] + [f"{b[k][0]:.0f} ± {b[k][1]:.0f}" for k in ("lt_cv", "lt_best", "ft_cv", "ft_best")]
        cells += [f"{s['oracle']['raw']['lt']:.0f}", f"{s['oracle']['raw']['ft']:.0f}"]
        L.append("| " + " | ".join(cells) + " |")
    return "\n".join(L)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--n", default="6,10,20,40,80")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", default="docs/advisor_diabetes.json")
    ap.add_argument("--png", default="docs/images/advisor_digits_diabetes.png")
    ap.add_argument("--from-json", default="")
    ns = ap.parse_args(argv)
    t0 = time.time()
    if ns.from_json:
        res = load_json(ns.from_json)
    else:
        res = run([int(v) for v in ns.n.split(",")], ns.reps, ns.seed)
        res["seconds"] = round(time.time() - t0, 1)
        if ns.json:
            with open(ns.json, "w") as fh:
                json.dump(compact(res), fh, default=float, separators=(",", ":"))
    if "best_penalty" not in res["summary"][0]:
        res = best_penalty(res, *load())
        if ns.json:
            with open(ns.json, "w") as fh:
                json.dump(_round(res) if ns.from_json else compact(res), fh, default=float, separators=(",", ":"))
    print(f"diabetes: d = {res['d']} variables, {res['reps']} subsamples per (direction, n), "
          f"{res.get('seconds', '?')} s")
    print(table(res["summary"], unlabeled="the other target patients", features="variables", digits=0))
    if ns.png:
        figure(res["summary"], ns.png, title="diabetes", features="variables")
    print("\nrealised T with the cross-validated and with the best-in-hindsight penalty (raw variables)\n")
    print(best_table(res["summary"]))


if __name__ == "__main__":
    main()
