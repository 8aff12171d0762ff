"""``advise(X, y, ...)``: will pretraining help on this data? Estimates, predictions, recommendation."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from ftheory.advise.estimators import Interval, ParameterEstimates, estimate_parameters, interval, prepare
from ftheory.advise.io import check_inputs
from ftheory.advise.predict import PROCEDURES, isotropic_risk

__all__ = ["Report", "advise"]

# the three procedures of the recommendation (the better-tuned variant of each)
HEADLINE = {"scratch": "scratch_ridge", "linear_transfer": "linear_transfer", "finetune": "finetune_ridge"}


@dataclass
class Report:
    """What :func:`advise` found. ``predictions[proc]`` and ``transferability[proc]`` are
    :class:`~ftheory.advise.estimators.Interval` at the user's ``n``; ``curves`` holds the same on a
    grid of sample sizes ``curves["n"]``."""

    n: int
    d: int
    n_effective: int
    estimates: dict
    predictions: dict
    transferability: dict
    recommendation: str
    crossover_n: int | None
    curves: dict
    theory: str
    notes: list = field(default_factory=list)

    def to_dict(self) -> dict:
        """The JSON document of ``ftheory advise --json``."""
        return {
            "n": self.n,
            "d": self.d,
            "estimates": {k: self.estimates[k].as_dict() for k in ("noise_variance", "signal", "overlap")},
            "predictions": {k: self.predictions[v].as_dict() for k, v in HEADLINE.items()},
            "recommendation": self.recommendation,
            "crossover_n": self.crossover_n,
        }

    def to_json(self, **kw) -> str:
        """:meth:`to_dict` as a JSON string (``json.dumps`` keywords pass through)."""
        return json.dumps(self.to_dict(), **kw)

    def summary(self) -> str:
        """A plain-text report."""
        L = [f"Target: n = {self.n} samples, d = {self.d} features ({self.theory} theory)"]
        L += [f"  note: {t}" for t in self.notes]
        L.append("Estimates (95% intervals):")
        for k, iv in self.estimates.items():
            L.append(f"  {k:<16} {iv.value:10.4g}  [{iv.low:.4g}, {iv.high:.4g}]")
        L.append(f"Predicted excess test risk at n = {self.n}:")
        for k, iv in self.predictions.items():
            L.append(f"  {k:<18} {iv.value:10.4g}  [{iv.low:.4g}, {iv.high:.4g}]")
        for k, iv in self.transferability.items():
            sure = "" if iv.low > 0 or iv.high < 0 else "  (sign not resolved at 95%)"
            L.append(f"  T_{k:<16} {iv.value:10.4g}  [{iv.low:.4g}, {iv.high:.4g}]{sure}")
        L.append(f"Recommendation: {self.recommendation}")
        L.append("Scratch overtakes transfer at n = " + (str(self.crossover_n) if self.crossover_n
                                                          else "never on the grid (up to "
                                                          f"{int(self.curves['n'][-1])})"))
        return "\n".join(L)

    def plot(self, ax=None, path=None):
        """Risk curves against n with 95% bands; the user's n marked. Returns the matplotlib figure."""
        import matplotlib
        if ax is None:
            matplotlib.use("Agg", force=False) if path else None
            import matplotlib.pyplot as plt
            fig, ax = plt.subplots(figsize=(6.4, 4.2))
        else:
            fig = ax.figure
        ns = self.curves["n"]
        style = {"scratch_ridge": ("C0", "-", "scratch (tuned ridge)"),
                 "scratch_min_norm": ("C0", ":", "scratch (min-norm)"),
                 "linear_transfer": ("C1", "-", "linear probe on pretrained feature"),
                 "finetune_ridge": ("C2", "-", "fine-tune (tuned, towards pretrained)"),
                 "finetune_min_norm": ("C2", ":", "fine-tune (min-norm from pretrained)")}
        top = 0.0
        for proc, (c, ls, lab) in style.items():
            if proc not in self.curves:
                continue
            v, lo, hi = (np.asarray(a, float) for a in self.curves[proc])
            ax.plot(ns, v, color=c, ls=ls, label=lab)
            if ls == "-":
                ax.fill_between(ns, lo, hi, color=c, alpha=0.18, lw=0)
            fin = v[np.isfinite(v)]
            if fin.size:
                top = max(top, float(np.percentile(fin, 90)))
        ax.axvline(self.n, color="k", lw=0.8, ls="--")
        ax.text(self.n, 0.02, f" your n = {self.n}", transform=ax.get_xaxis_transform(), fontsize=8)
        if self.crossover_n:
            ax.axvline(self.crossover_n, color="C3", lw=0.8, ls="-.", label=f"scratch overtakes: n = {self.crossover_n}")
        ax.set_xscale("log")
        ax.set_ylim(0, 1.6 * top if top > 0 else 1)
        ax.set_xlabel("target sample size n")
        ax.set_ylabel(r"predicted excess risk $\|\hat\beta-\beta_t\|_\Sigma^2$")
        ax.set_title(f"Recommendation at n = {self.n}: {self.recommendation}  (d = {self.d}, {self.theory})", fontsize=9)
        ax.legend(fontsize=7)
        if path:
            fig.savefig(path, dpi=130, bbox_inches="tight")
        return fig


def _risk_interval(pe: ParameterEstimates, fn) -> Interval:
    """Plug-in risk at the nearest feasible parameters, delta-method interval."""
    if hasattr(fn, "interval"):
        return fn.interval()
    if getattr(fn, "linear", False):  # unbiased linear estimate: Wald with its exact (plug-in) variance
        from ftheory.advise.estimators import delta
        v = fn(pe.p)
        if not np.isfinite(v):
            return Interval(v, v, v, float("nan"))
        return interval(max(v, 0.0), delta(fn, pe.p, pe.cov), lo=0.0)
    iv = pe.profile(fn)
    return Interval(iv.value, max(iv.low, 0.0), iv.high, iv.se)


def _diff_interval(pe, f1, f2) -> Interval:
    if hasattr(f1, "interval") or hasattr(f2, "interval"):
        a, b = _risk_interval(pe, f1), _risk_interval(pe, f2)
        return interval(a.value - b.value, a.se ** 2 + b.se ** 2)  # conservative: correlation ignored
    return pe.profile(lambda q: f1(q) - f2(q))


def _check_options(center, standardize, n_max, grid_size):
    """``ValueError`` naming the keyword unless center/standardize are booleans (standardize may be None),
    n_max is None or an integer >= 4 and grid_size an integer >= 0."""
    from ftheory._checks import check_int

    if not isinstance(center, (bool, np.bool_)):
        raise ValueError(f"center={center!r} is invalid: expected True or False")
    if standardize is not None and not isinstance(standardize, (bool, np.bool_)):
        raise ValueError(f"standardize={standardize!r} is invalid: expected None, True or False")
    if n_max is not None:
        check_int("n_max", n_max, 4, note="largest sample size of the risk curves")
    check_int("grid_size", grid_size, 0, note="points of the risk curves; 0 skips them")


def advise(X, y, source_pred=None, source_weights=None, unlabeled=None, *, center=True, standardize=None,
           n_max=None, grid_size=60) -> Report:
    """Estimate the task, predict the risk of training from scratch, of a linear probe on the
    pretrained feature and of fine-tuning, and recommend one.

    Parameters
    ----------
    X : (n, d) array of target inputs; y : (n,) target labels.
    source_pred : (n,) predictions of the pretrained model on ``X``, or
    source_weights : (d,) weights of a pretrained linear predictor on the same features.
    unlabeled : (N, d) inputs without labels; their covariance selects the anisotropic theory.
    center : fit an intercept (Helmert centring, ``n - 1`` effective samples).
    standardize : isotropic path only: scale each column to unit variance (default True).
    n_max, grid_size : the sample-size grid of the curves (default up to ``max(10 n, 4 d)``);
        ``grid_size=0`` skips the curves (the crossover is then only checked at ``n``).

    Returns
    -------
    Report
    """
    _check_options(center, standardize, n_max, grid_size)
    X, y, z, U = check_inputs(X, y, source_pred, source_weights, unlabeled)
    if z is None:
        raise ValueError("no pretrained model: give source_pred (its predictions on X) or source_weights")
    n, d = X.shape
    prep = prepare(X, y, z, U, center=center, standardize=standardize)
    n_eff = prep.X.shape[0]
    if n_eff < 3:
        raise ValueError(f"X has n={n} rows: expected at least {3 + int(center)} with an intercept")
    pe = estimate_parameters(prep)
    estimates = {k: pe.interval(k) for k in ("noise_variance", "signal", "overlap", "overlap_inner",
                                             "source_signal", "distance")}
    notes = list(prep.notes)
    risk = None
    theory = "isotropic"
    if not prep.isotropic:
        from ftheory.advise.aniso_predict import anisotropic_risk_factory
        risk = anisotropic_risk_factory(prep, pe)
        if risk is None:
            notes.append("the anisotropic theory (ftheory.aniso) is not available in this installation: "
                         "scratch and fine-tuning predictions use the isotropic theory in Sigma-norms")
        else:
            theory = "anisotropic"
    if risk is None:
        def risk(proc, m):
            f = (lambda q: isotropic_risk(proc, m, d, q))
            f.linear = proc in ("scratch_min_norm", "finetune_min_norm")  # linear in (tau^2, sigma^2, rho, r^2)
            return f
    predictions = {proc: _risk_interval(pe, risk(proc, n_eff)) for proc in PROCEDURES}
    transferability = {
        "linear_transfer": _diff_interval(pe, risk("scratch_ridge", n_eff), risk("linear_transfer", n_eff)),
        "finetune": _diff_interval(pe, risk("scratch_ridge", n_eff), risk("finetune_ridge", n_eff)),
    }
    n_max = int(n_max or max(10 * n, 4 * d))
    ns = np.unique(np.round(np.geomspace(3, n_max, grid_size)).astype(int)) if grid_size else np.array([n_eff])
    curves = {"n": ns + int(center)}
    for proc in PROCEDURES:
        ivs = [_risk_interval(pe, risk(proc, int(m))) for m in ns]
        curves[proc] = ([iv.value for iv in ivs], [iv.low for iv in ivs], [iv.high for iv in ivs])
    head = {k: predictions[v].value for k, v in HEADLINE.items()}
    recommendation = min(head, key=lambda k: (head[k], k != "scratch"))
    sc = np.asarray(curves["scratch_ridge"][0])

    def overtakes(tr):
        """Smallest grid n from which scratch stays ahead of ``tr`` up to the end of the grid."""
        ahead = sc < tr
        if not ahead[-1]:
            return None
        k = len(ahead) - 1
        while k > 0 and ahead[k - 1]:
            k -= 1
        return int(curves["n"][k])

    lt, ft = np.asarray(curves["linear_transfer"][0]), np.asarray(curves["finetune_ridge"][0])
    crossover = overtakes(np.minimum(lt, ft))
    notes.append("scratch (tuned ridge) overtakes the linear probe at n = "
                 f"{overtakes(lt) or 'never on the grid'} and tuned fine-tuning at n = "
                 f"{overtakes(ft) or 'never on the grid'}" + (" (tuned fine-tuning is never worse when "
                                                              "||beta_t - beta_s|| < ||beta_t||)" if
                                                              overtakes(ft) is None else ""))
    return Report(n, d, n_eff, estimates, predictions, transferability, recommendation, crossover, curves,
                  theory, notes)
