"""Predicted vs realised risks on synthetic tasks: the three headline procedures fitted on the same data.

    PYTHONPATH=. python benchmarks/advisor_realised.py [--reps 100]

For each setting draw a target sample, run ``advise`` (with ``N = 20 d`` unlabeled rows in the
anisotropic settings), fit tuned-ridge scratch (penalty by 5-fold cross-validation), the linear
probe and tuned fine-tuning (ridge towards the pretrained weights, GCV) on the same sample, and
compute their exact excess risks ||b - beta_t||_Sigma^2 (the truth is known). Also the same ridge fits
with the oracle penalty (the minimiser of the theory's risk at the true parameters, which is what the
tuned predictions assume). Prints mean predicted and mean realised risks, and how often the
recommendation is the realised best procedure.
"""
from __future__ import annotations

import argparse

import numpy as np

from ftheory.advise import advise
from ftheory.advise.synthetic import fit_procedures, cv_lambda, make_task

SETTINGS = [  # d, n, theta, sigma, spectrum
    (80, 40, 0.5, 0.5, None),
    (80, 40, 1.2, 0.5, None),
    (80, 160, 0.7, 0.5, None),
    (60, 30, 0.5, 0.5, "power"),
    (60, 120, 1.0, 0.5, "power"),
]
HEAD = {"scratch": "scratch_ridge", "linear_transfer": "linear_transfer", "finetune": "finetune_ridge"}


def oracle_penalties(task, ev, m):
    """Penalties minimising the theoretical risk at the truth (scratch, fine-tuning), ``m`` effective samples."""
    d = task.d
    if ev is None:
        dist2 = float((task.beta_t - task.beta_s) @ (task.beta_t - task.beta_s))
        return task.sigma ** 2 * d / (m * float(task.beta_t @ task.beta_t)), task.sigma ** 2 * d / (m * dist2)
    from ftheory.aniso import scratch_risk
    w, Q = np.linalg.eigh(task.Sigma)
    lams = float(w.mean()) * np.logspace(-5, 3, 801)
    out = []
    for beta in (task.beta_t, task.beta_t - task.beta_s):
        r = np.asarray(scratch_risk(w, Q.T @ beta, m, task.sigma, lams), float)
        out.append(float(lams[int(np.argmin(r))]))
    return tuple(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=100)
    ns = ap.parse_args()
    print("| d | n | theta | sigma | Sigma | procedure | predicted (mean) | realised, CV penalty (mean +- s.e.) | "
          "realised, oracle penalty | realised (CV) in predicted 95% band | recommendation = realised best |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for i, (d, n, theta, sigma, spec) in enumerate(SETTINGS):
        ev = None if spec is None else np.arange(1, d + 1) ** -1.0
        task = make_task(d, theta, sigma, eigenvalues=ev, seed=200 + i)
        rng = np.random.default_rng(300 + i)
        lam_s, lam_f = oracle_penalties(task, ev, n - 1)
        pred = {k: [] for k in HEAD}
        real = {k: [] for k in HEAD}
        orac = {k: [] for k in HEAD}
        inside = {k: 0 for k in HEAD}
        agree = 0
        for _ in range(ns.reps):
            X, y = task.sample(n, rng)
            U = task.sample(20 * d, rng)[0] if spec else None
            rep = advise(X, y, source_weights=task.beta_s, unlabeled=U, grid_size=0)
            Xc, yc = X - X.mean(0), y - y.mean()
            fits = fit_procedures(X, y, None, task.beta_s, cv_lambda(Xc, yc), cv_lambda(Xc, yc - Xc @ task.beta_s))
            risks = {k: task.risk(fits[v]) for k, v in HEAD.items()}
            ofits = fit_procedures(X, y, None, task.beta_s, lam_s, lam_f)
            for k, v in HEAD.items():
                orac[k].append(task.risk(ofits[v]))
            for k, v in HEAD.items():
                iv = rep.predictions[v]
                pred[k].append(iv.value)
                real[k].append(risks[k])
                inside[k] += iv.low <= risks[k] <= iv.high
            agree += rep.recommendation == min(risks, key=risks.get)
        for k in HEAD:
            r, o = np.array(real[k]), np.array(orac[k])
            print(f"| {d} | {n} | {theta} | {sigma} | {spec or 'identity'} | {k} | {np.mean(pred[k]):.3f} | "
                  f"{r.mean():.3f} +- {r.std(ddof=1) / np.sqrt(r.size):.3f} | "
                  f"{o.mean():.3f} +- {o.std(ddof=1) / np.sqrt(o.size):.3f} | {inside[k] / ns.reps:.2f} | "
                  f"{agree / ns.reps:.2f} |", flush=True)


if __name__ == "__main__":
    main()
