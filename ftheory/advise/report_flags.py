"""The report's flags: statements of what a reader might misread (estimates shown at the nearest possible task,
unbounded bands, bands of a risk 0 for certain that the noise interval contradicts, a recommended risk shown as an
impossible 0) and of labels the Gaussian linear model does not describe (few distinct values)."""
from __future__ import annotations

import numpy as np

__all__ = ["FEW_LABEL_VALUES", "label_flags", "report_flags", "zero_band_flag", "zero_value_flags"]


def report_flags(pe, estimates, predictions, transferability, unit=1.0) -> list:
    """Plain statements of everything a reader might misread: unbiased estimates outside their
    parameter's domain (shown at the nearest end of their interval), unbounded bands, risk bands [.., <= 0] although
    the noise variance's interval reaches above 0 (:func:`zero_band_flag`); the report adds :func:`zero_value_flags`.
    ``pe`` is in label units ``sqrt(unit)`` (the estimates, predictions and transferability in user units)."""
    q = np.asarray(pe.p, float)
    cos = q[2] / np.sqrt(q[0] * q[3]) if q[0] > 0 and q[3] > 0 else np.nan
    p = q * unit
    raw = {"signal": pe.signal_value * unit, "noise_variance": pe.noise_value * unit, "overlap": cos, "overlap_inner": p[2],
           "source_signal": p[3]}
    if "distance" in estimates:
        raw["distance"] = pe.distance_value * unit
    out = []
    noise_high = float(estimates["noise_variance"].high) if "noise_variance" in estimates else 0.0
    for k, iv in estimates.items():
        r = raw.get(k)
        if r is not None and np.isfinite(iv.low) and np.isfinite(iv.high) and not (iv.low <= r <= iv.high):
            if not np.isfinite(r):
                what = "is undefined (signal estimate <= 0: sampling noise)"
            elif k == "overlap" and abs(r) > 1:
                what = f"{r:.4g} has |cos| > 1 (sampling noise) and lies outside [{iv.low:.4g}, {iv.high:.4g}]"
            elif k in ("signal", "noise_variance", "source_signal", "distance") and r < 0:  # variances
                what = f"{r:.4g} < 0 (sampling noise) lies outside [{iv.low:.4g}, {iv.high:.4g}]"
            else:
                what = f"{r:.4g} lies outside [{iv.low:.4g}, {iv.high:.4g}] (the exact test rejects it)"
            out.append(f"{k}: the unbiased estimate {what}; the value shown, {iv.value:.4g}, is that of the "
                       "nearest possible task (variances >= 0, |cos| <= 1, total label variance kept), "
                       "clipped to the interval")
    for group, d in (("prediction", predictions), ("transferability", transferability)):
        for k, iv in d.items():
            if not (iv.low <= iv.value <= iv.high):  # pragma: no cover - bands contain their centre
                out.append(f"{group} {k}: value {iv.value:.4g} outside [{iv.low:.4g}, {iv.high:.4g}]")
            elif np.isinf(iv.high) and np.isfinite(iv.value):
                out.append(f"{group} {k}: band unbounded above (the risk diverges somewhere in the 95% "
                           "parameter region, e.g. near the interpolation peak n = d)")
            elif group == "prediction" and iv.high <= 0 < noise_high:
                out.append(zero_band_flag(k, iv, noise_high))
    return out


#: procedure -> the estimate whose value 0 is the only way its risk is 0 below n = d (scratch: beta_t = 0; fine-tuning:
#: beta_t = beta_s; min-norm and ridge leave the part of the residual task outside the rows' span unfitted)
_ZERO_ONLY_IF = {"scratch_min_norm": "signal", "scratch_ridge": "signal", "finetune_min_norm": "distance",
                 "finetune_ridge": "distance"}


def zero_value_flags(n, d, estimates, predictions, recommended=None) -> list:
    """Flags for a risk (min-norm or tuned) shown as 0 at ``n < d`` effective samples although the estimate it needs to
    be 0 (the signal for scratch, the distance for fine-tuning) is shown above 0: below n = d neither fits the part of
    beta outside the rows' span, so the risk is positive whenever that parameter is; the 0 comes from signal
    statistics that came out negative (sampling noise), and a recommendation by point estimate can rest on it
    (synthetic d = 15, n = 4: tuned scratch 0 with signal 1.55 shown, scratch recommended; trial21). ``recommended``
    (a procedure): only the flag of the group holding it, i.e. when the recommendation rests on such a 0 (on the band
    benchmark's anisotropic settings 8, 10, 12, 40 reports each, in 10-13: true risk of the recommended procedure
    above the best by 0.12-0.34 on average, against 0.03-0.07 in the others)."""
    out = []
    for name in ("signal", "distance"):
        est = estimates.get(name)
        zero = [k for k, v in _ZERO_ONLY_IF.items() if v == name and k in predictions and predictions[k].value <= 0]
        if est is None or not zero or not (n < d and est.value > 0) or (recommended and recommended not in zero):
            continue
        what = f"prediction {zero[0]}: value 0" if len(zero) == 1 else f"predictions {' and '.join(zero)}: values 0"
        out.append(f"{what} at n = {n} effective samples < d = {d}, where such a risk is 0 only if the {name} is 0, "
                   f"and the {name} shown is {est.value:.4g}; the 0 comes from signal statistics that came out "
                   "negative (sampling noise), not from a task the report shows, so a recommendation by point estimate "
                   "resting on it is not supported; read the bands (docs/advisor.md, What is not done: point values of "
                   "min-norm and tuned risks)")
    return out


def zero_band_flag(k, iv, noise_high) -> str:
    """The flag of a risk band ``iv`` whose upper end is ``<= 0`` although the noise variance's 95% interval reaches
    ``noise_high > 0``: any noise makes a risk at a finite n positive, so the band claims a certainty the data do
    not give (seen with correlated features on the isotropic path, diabetes; and with a small pool, wine)."""
    return (f"prediction {k}: band [{iv.low:.4g}, {iv.high:.4g}], a risk of 0 for certain, although the noise "
            f"variance's 95% interval reaches {noise_high:.4g}; any noise makes the risk at a finite n positive, and "
            "the band admits no task with noise above 0 (the estimates lie outside the possible tasks, e.g. with "
            "correlated features and no unlabeled inputs, or a small unlabeled pool), so the band understates the "
            "uncertainty and a recommendation resting on it is not supported (docs/advisor.md, Bands)")


# at most this many distinct label values (and each value on >= 2 rows on average) marks discrete labels
FEW_LABEL_VALUES = 5


def label_flags(y) -> list:
    """A flag when ``y`` takes few distinct values (binary classes, ratings): the Gaussian linear model
    is then misspecified; what of the report still holds."""
    values = np.unique(y)
    k = values.size
    if k > FEW_LABEL_VALUES or y.size < 2 * k:
        return []
    shown = ", ".join(f"{v:.4g}" for v in values)
    kind = "binary labels" if k == 2 else f"labels with only {k} distinct values"
    return [f"{kind} ({shown}): the Gaussian linear model is misspecified. Still unbiased: the moment estimates "
            "behind signal, noise_variance and overlap, for the best linear predictor of y (noise_variance then "
            "includes the part of E[y | x] that is not linear). Not guaranteed: the 95% intervals, the bands and "
            "the risk predictions, which assume Gaussian noise independent of x (docs/advisor.md)"]
