"""Predicted vs realised transferability on real data shipped with scikit-learn (no download).

    PYTHONPATH=. python benchmarks/advisor_digits.py [--reps 200] [--n 40,80,160]

scikit-learn's handwritten digits (1797 images, 8x8 pixels; constant pixels dropped). Source task:
the digit's value (0-9) as a number, fitted by least squares on a 900-image source pool. Target
task: "is the digit >= 5" (0/1). For each of ``reps`` random target subsamples of size n (from the
other 897 images) the advisor predicts T = R_scratch - R_transfer (scratch: tuned ridge) for the linear
probe and for tuned fine-tuning (and for the min-norm pair of the paper); the realised T is the difference of held-out mean squared errors of the procedures
fitted on the same subsample (ridge penalties by 5-fold cross-validation; held-out = target pool minus
the subsample; the label noise cancels).
Prints a markdown table and writes docs/images/advisor_digits.png.
"""
from __future__ import annotations

import argparse

import numpy as np

from ftheory.advise import advise
from ftheory.advise.synthetic import fit_procedures, cv_lambda


def load():
    from sklearn.datasets import load_digits
    X, digit = load_digits(return_X_y=True)
    X = X[:, X.std(0) > 0]
    rng = np.random.default_rng(0)
    perm = rng.permutation(len(digit))
    src, tgt = perm[:900], perm[900:]
    Xs = X[src] - X[src].mean(0)
    w = np.linalg.lstsq(Xs, digit[src] - digit[src].mean(), rcond=None)[0]
    return X[tgt], (digit[tgt] >= 5).astype(float), w


def standardise(Xtr, Xte):
    mu, sd = Xtr.mean(0), Xtr.std(0)
    sd[sd == 0] = 1
    return (Xtr - mu) / sd, (Xte - mu) / sd, sd


def one(X, y, w, n, rng):
    idx = rng.permutation(len(y))
    tr, te = idx[:n], idx[n:]
    Xtr, Xte = X[tr], X[te]
    keep = (Xtr.std(0) > 0)
    # drop pixels constant or duplicated in this subsample (the advisor would refuse them)
    Z = Xtr[:, keep]
    C = np.corrcoef(Z.T)
    dup = np.any(np.triu(np.abs(C) > 1 - 1e-10, 1), axis=0)
    cols = np.flatnonzero(keep)[~dup]
    Xtr, Xte, wk = Xtr[:, cols], Xte[:, cols], w[cols]
    rep = advise(Xtr, y[tr], source_weights=wk, grid_size=0)
    p = rep.predictions
    A, B, sd = standardise(Xtr, Xte)
    ws = wk * sd  # the same predictor on standardised features
    # realised "tuned" ridge: penalties chosen by 5-fold cross-validation on the subsample
    Ac, yc_ = A - A.mean(0), y[tr] - y[tr].mean()
    lam_sc = cv_lambda(Ac, yc_)
    lam_ft = cv_lambda(Ac, yc_ - Ac @ ws)
    fits = fit_procedures(A, y[tr], None, ws, lam_sc, lam_ft)
    yc = y[tr].mean()
    # the linear probe refits an intercept and a slope on z; the others predict with an intercept
    mse = {k: float(np.mean((B @ b + yc - y[te]) ** 2)) for k, b in fits.items()}
    z = A @ ws
    zc = z - z.mean()
    slope = zc @ (y[tr] - yc) / (zc @ zc)
    mse["linear_transfer"] = float(np.mean((yc + slope * (B @ ws - z.mean()) - y[te]) ** 2))
    out = {
        "pred_T_lt": p["scratch_ridge"].value - p["linear_transfer"].value,
        "real_T_lt": mse["scratch_ridge"] - mse["linear_transfer"],
        "pred_T_ft": p["scratch_ridge"].value - p["finetune_ridge"].value,
        "real_T_ft": mse["scratch_ridge"] - mse["finetune_ridge"],
        "pred_T_ft_mn": p["scratch_min_norm"].value - p["finetune_min_norm"].value,
        "real_T_ft_mn": mse["scratch_min_norm"] - mse["finetune_min_norm"],
        "rec": rep.recommendation,
        "best": min(("scratch", mse["scratch_ridge"]), ("linear_transfer", mse["linear_transfer"]),
                    ("finetune", mse["finetune_ridge"]), key=lambda kv: kv[1])[0],
    }
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--n", default="40,80,160")
    ap.add_argument("--png", default="docs/images/advisor_digits.png")
    ns = ap.parse_args()
    X, y, w = load()
    rng = np.random.default_rng(1)
    rows = {}
    for n in map(int, ns.n.split(",")):
        res = [one(X, y, w, n, rng) for _ in range(ns.reps)]
        rows[n] = {k: np.array([r[k] for r in res], float if k not in ("rec", "best") else object)
                   for k in res[0]}
    print(f"d = {X.shape[1]} pixels, target pool {len(y)}, {ns.reps} subsamples per n")
    print("| n | T_lt predicted | T_lt realised | corr | sign agrees | T_ft predicted | T_ft realised | corr | "
          "sign agrees | T_ft min-norm predicted | realised | recommendation = best realised |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")

    def ms(a):
        a = a[np.isfinite(a)]
        return f"{a.mean():.3f} +- {a.std(ddof=1) / np.sqrt(a.size):.3f}"

    for n, r in rows.items():
        cells = [str(n)]
        for k in ("T_lt", "T_ft"):
            pr, re = r["pred_" + k], r["real_" + k]
            cells += [ms(pr), ms(re), f"{np.corrcoef(pr, re)[0, 1]:.2f}", f"{np.mean(np.sign(pr) == np.sign(re)):.2f}"]
        pr, re = r["pred_T_ft_mn"], r["real_T_ft_mn"]
        ok = np.isfinite(pr) & np.isfinite(re)
        cells += [ms(pr[ok]) if ok.any() else "inf", ms(re[ok]) if ok.any() else "-"]
        cells.append(f"{np.mean(r['rec'] == r['best']):.2f}")
        print("| " + " | ".join(cells) + " |")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
    for n, r in rows.items():
        axes[0].scatter(r["pred_T_lt"], r["real_T_lt"], s=6, alpha=0.5, label=f"n = {n}")
        axes[1].scatter(r["pred_T_ft"], r["real_T_ft"], s=6, alpha=0.5, label=f"n = {n}")
    for ax, t in zip(axes, ["linear probe vs tuned ridge", "tuned fine-tuning vs tuned ridge"]):
        lim = ax.get_xlim()
        ax.plot(lim, lim, "k--", lw=0.8)
        ax.axhline(0, color="grey", lw=0.5)
        ax.axvline(0, color="grey", lw=0.5)
        ax.set_xlabel("predicted T (isotropic theory)")
        ax.set_ylabel("realised T (held-out MSE difference)")
        ax.set_title(f"digits: {t}", fontsize=9)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(ns.png, dpi=120)


if __name__ == "__main__":
    main()
