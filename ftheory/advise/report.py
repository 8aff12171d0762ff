"""``advise(X, y, ...)``: will pretraining help on this data? Estimates, predictions, recommendation."""
from __future__ import annotations

import json
import math
import textwrap
import warnings
from dataclasses import dataclass, field

import numpy as np

from ftheory.advise.bands import Z95, exact_cut, regression_applies, score_region
from ftheory.advise.caps import CAPS, cap_tuned
from ftheory.advise.crossover import crossover_line, is_level
from ftheory.advise.estimators import Interval, ParameterEstimates, estimate_parameters, prepare
from ftheory.advise.io import check_inputs
from ftheory.advise.noise_ls import use_residual
from ftheory.advise.pool_size import check_not_degenerate
from ftheory.advise.predict import LINEAR, PROCEDURES, isotropic_risk, min_norm_coefficients
from ftheory.advise.report_flags import label_flags, report_flags, zero_value_flags
from ftheory.mc.seeds import check_seed
from ftheory.mc.threads import single_blas_thread

__all__ = ["Report", "advise", "predict"]

# the three procedures of the recommendation (the better-tuned variant of each)
HEADLINE = {"scratch": "scratch_ridge", "linear_transfer": "linear_transfer", "finetune": "finetune_ridge"}
CITE = ("Theory: docs/background.md §3 (scratch), §4 (linear probe), §6 (fine-tuning); estimators, "
        "intervals and caveats: docs/advisor.md")
WIDTH = 100  # columns of the text report (notes and flags wrap, indented under their label)


def _wrapped(text, width=WIDTH) -> str:
    """``text`` as lines of at most ``width`` columns: the first indented 2, the rest 8 (under the label)."""
    return textwrap.fill(text, width, initial_indent="  ", subsequent_indent="        ",
                         break_long_words=False, break_on_hyphens=False)


@dataclass
class Report:
    """What :func:`advise` found. ``predictions[proc]`` and ``transferability[proc]`` are
    :class:`~ftheory.advise.estimators.Interval` at the user's ``n``; ``curves`` holds the same on a
    grid of sample sizes ``curves["n"]``. ``resolved`` and ``strength`` say whether the 95% bands of
    the transferabilities confirm the recommendation."""

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
    flags: list = field(default_factory=list)

    @property
    def resolved(self) -> bool:
        """Whether the recommendation holds at 95% against the alternatives' transferability bands: a
        transfer procedure is resolved when its ``T = R_scratch - R_transfer`` band lies above 0,
        scratch when both bands lie below 0. The choice between the two transfer procedures is always
        by point estimate (no band compares them)."""
        T = self.transferability
        if self.recommendation == "scratch":
            return all(T[k].high < 0 for k in ("linear_transfer", "finetune"))
        return T[self.recommendation].low > 0

    @property
    def strength(self) -> str:
        """The recommendation and how strong it is, in words (the ``Recommendation:`` line of
        :meth:`summary`)."""
        T = self.transferability

        def band(k):
            return f"T_{k} in [{T[k].low:.4g}, {T[k].high:.4g}]"

        rec = self.recommendation
        if rec == "scratch":
            if self.resolved:
                return (f"scratch (transfer hurts at 95%: {band('linear_transfer')} < 0 and "
                        f"{band('finetune')} < 0)")
            open_ = [band(k) for k in ("linear_transfer", "finetune") if T[k].high >= 0]
            verb = "contains" if len(open_) == 1 else "contain"
            return f"scratch by point estimate; not resolved at 95%: {' and '.join(open_)} {verb} 0"
        other = "finetune" if rec == "linear_transfer" else "linear_transfer"
        if self.resolved:
            return (f"{rec} (beats scratch at 95%: {band(rec)} > 0; chosen over {other} by point estimate)")
        return f"{rec} by point estimate; not resolved at 95%: {band(rec)} contains 0"

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

    def summary(self, width: int = WIDTH) -> str:
        """A plain-text report; notes, flags, the recommendation and the references wrapped to ``width``
        columns (the tables are about 80 columns wide)."""
        L = [f"Target: n = {self.n} samples, d = {self.d} features ({self.theory} theory)"]
        L += [_wrapped(f"note: {t}", width) for t in self.notes]
        L += [_wrapped(f"FLAG: {t}", width) for t in self.flags]
        L.append("Estimates (95% intervals):")
        for k, iv in self.estimates.items():
            L.append(f"  {k:<16} {iv.value:10.4g}  [{iv.low:.4g}, {iv.high:.4g}]")
        L.append(f"Predicted excess test risk at n = {self.n}:")
        for k, iv in self.predictions.items():
            L.append(f"  {k:<18} {iv.value:10.4g}  [{iv.low:.4g}, {iv.high:.4g}]")
        for k, iv in self.transferability.items():
            sure = "" if iv.low > 0 or iv.high < 0 else "  (sign not resolved at 95%)"
            L.append(f"  T_{k:<16} {iv.value:10.4g}  [{iv.low:.4g}, {iv.high:.4g}]{sure}")
        L.append(textwrap.fill(f"Recommendation: {self.strength}", width, subsequent_indent="    "))
        cross = crossover_line(self.crossover_n, self.curves["n"], is_level(self.curves, self.crossover_n))
        L.append(textwrap.fill(cross, width, subsequent_indent="    "))
        L.append(textwrap.fill(CITE, width, subsequent_indent="    "))
        return "\n".join(L)

    def plot(self, ax=None, path=None):
        """Risk curves against n with 95% bands; the user's n and the crossover marked; the report's flags, if any,
        counted in the title and listed under the axes (:mod:`ftheory.advise.report_plot`). Returns the figure."""
        from ftheory.advise.report_plot import plot_report

        return plot_report(self, ax=ax, path=path, cite=CITE)


def _region(pe: ParameterEstimates):
    """The score region of ``p`` behind every prediction band (cached on ``pe``): its rays are cut by the exact
    law of the estimate (the bootstrap draws of the intervals) where :func:`~ftheory.advise.bands.exact_cut`
    says so for the draws' number, else by the Gaussian law. With unlabeled data (there the region carries
    only the probe's band) the draws are exact too (``K = (N - d - 1) W^-1``, :mod:`ftheory.advise.bootstrap`),
    1 600 of them: the cut is exact up to n = 399 effective samples. Isotropic path with the residual variance
    (``n > d``): the region of the four exact regression statistics (``score_region(residual=)``), whose rays
    start from their moment estimate; where the exact cut would apply (few rows) the tuned risks' bands at the
    user's n keep the exact-cut region's upper end (``pe._tuned_region``, :func:`_tuned_band`)."""
    reg = pe.__dict__.get("_score_region")
    if reg is None:
        exact = exact_cut(pe.n, pe.n_unlabeled, pe.worlds)
        residual = None
        if not pe.n_unlabeled and use_residual(pe.residual) and regression_applies(pe.n, pe.residual.df):
            residual = (pe.residual.value, pe.residual.df)
        worlds = pe.worlds if exact and residual is None else None
        reg = score_region(pe.p, pe.n, pe.d, pe.n_unlabeled, worlds=worlds, residual=residual)
        pe.__dict__["_score_region"] = reg
        # few rows above n = d: the tuned risks at the user's n keep the exact cut's upper end (the regression
        # region's one-degree-of-freedom cut under-covered them at 60 rows: docs/advisor_validation.md)
        pe.__dict__["_tuned_region"] = score_region(pe.p, pe.n, pe.d, worlds=pe.worlds) if exact and residual else None
    return reg


def _tuned_band(tuned, reg, f):
    """A tuned risk ``f`` at the user's n with few rows above n = d: the upper end of the exact-cut region ``tuned``,
    the lower end and the value (at its centre, as every other prediction there) of the regression region ``reg``.
    The exact cut's lower end sat at the risk's floor (it never missed), the regression region missed on both sides."""
    v, lo = reg.band(f)[:2]
    return v, lo, max(tuned.band(f)[2], v)


def _vectorised(fn):
    """``fn`` applied to the rows of a ``(K, 4)`` array (looping if ``fn`` only takes one ``p``)."""
    def g(P):
        try:
            v = np.asarray(fn(P), float)
            if v.shape == P.shape[:-1]:
                return v
        except (TypeError, ValueError, IndexError):
            pass
        return np.array([float(fn(p)) for p in P])
    return g


def _band_interval(value, low, high) -> Interval:
    """Interval from a band; ``se`` is its half-width / 1.96 (symmetric-equivalent)."""
    se = (high - low) / (2 * Z95) if np.isfinite(low) and np.isfinite(high) else float("inf")
    return Interval(float(value), float(low), float(high), float(se))


def _risk_interval(pe: ParameterEstimates, fn) -> Interval:
    """Prediction ``fn(p)`` and its 95% band: the range of ``fn`` over the score region of ``p``
    (:mod:`ftheory.advise.bands`); ``fn.linear`` marks a risk linear in ``p`` (evaluated unclipped)."""
    return _band_interval(*_region(pe).band(_vectorised(fn), linear=bool(getattr(fn, "linear", False))))


def _scaled(iv: Interval, c) -> Interval:
    """``iv`` in units ``c`` times larger (exact for a power of two ``c``)."""
    return Interval(iv.value * c, iv.low * c, iv.high * c, iv.se * c)


def _noise_coefficient(n, d):
    """``V`` when the isotropic min-norm risk at ``n`` effective samples is ``V sigma^2`` alone (``n > d + 1``:
    no bias term, finite variance), else None."""
    a, b = min_norm_coefficients(n, d)
    return b if a == 0 and math.isfinite(b) else None


def _with_noise_band(band, only, V, noise):
    """``band`` (values, lows, highs over the sample sizes) with the points ``only`` set to ``V`` times the noise
    variance's own 95% interval (the exact chi-square interval of the residual variance when it is reported): the
    band of a risk ``V sigma^2`` (min-norm above n = d), with the interval's coverage, whatever the region."""
    v, lo, hi = (np.array(b, float) for b in band)
    v[only], lo[only], hi[only] = V * noise.value, V * noise.low, V * noise.high
    return v, lo, hi


def _peak_value(band, ns, d, noise_high):
    """A min-norm band with the value ``inf`` at the interpolation peak (noise coefficient ``inf``: ``n = d, d + 1``
    effective samples) where the noise variance's interval reaches above 0: the risk is then ``inf`` unless the
    noise is exactly 0, and the clipped estimate 0 times ``inf`` gave a finite value below the band's meaning."""
    v, lo, hi = (np.array(b, float) for b in band)
    if noise_high > 0:
        peak = np.array([math.isinf(min_norm_coefficients(int(m), d)[1]) for m in ns])
        v[peak] = math.inf
        hi[peak] = math.inf
    return v, lo, hi


#: placeholder transferabilities for ls_point_values when only the curves' values are wanted (predict(n_at=None))
_NO_T = {k: Interval(0.0, -math.inf, math.inf, math.inf) for k in ("linear_transfer", "finetune")}

#: isotropic predictions whose own exact test (below n = d, exact cut) is studentized (own_test.studentized_margin)
STUDENTIZED = ("finetune_min_norm", "scratch_ridge")


def predict(prep, pe: ParameterEstimates, ns, n_at):
    """Predictions at ``n_at`` effective samples and bands over the effective sample sizes ``ns``
    (which must contain ``n_at``): ``(predictions, transferability, bands, theory, notes)`` with
    ``bands[proc] = (values, lows, highs)`` arrays over ``ns``. ``n_at=None``: the curves' bands of the tuned
    procedures and the probe over ``ns`` only (as at points of the curves; for :mod:`ftheory.advise.crossover`)."""
    ns = np.asarray(ns, int)
    at = int(np.searchsorted(ns, n_at)) if n_at is not None else -1
    d = pe.d
    bands, notes = {}, []
    reg = _region(pe)
    theory = "isotropic"
    aniso = None
    if not prep.isotropic:
        try:
            from ftheory.advise.aniso_predict import AnisotropicPredictor, units_note, units_spread
            aniso = pe.__dict__.get("_aniso")    # built once per report (reused by the crossover's n_at=None calls)
            if aniso is None:                    # refuses a Sigma_hat float64 does not resolve (ValueError naming X)
                aniso = pe.__dict__["_aniso"] = AnisotropicPredictor(prep, seed=pe.seed)
            if n_at is not None:                 # (the curves' calls, n_at=None, return no notes)
                notes += [t for t in (units_note(prep),) if t]
            theory = "anisotropic"
        except ImportError:
            notes.append("the anisotropic theory (ftheory.aniso) is not available in this installation: "
                         "scratch and fine-tuning predictions use the isotropic theory in Sigma-norms")
    for proc in PROCEDURES if n_at is not None else HEADLINE.values():
        if aniso is not None and proc != "linear_transfer":
            bands[proc] = aniso.bands(proc, ns)
            if proc in LINEAR:
                # min-norm above n = d: the risk is V sigma^2 with V = d/(n - d - 1) free of Sigma, increasing
                # in sigma^2: its band is V x the noise variance's own 95% interval (the bootstrap test
                # inversion of ParameterEstimates.interval), exact given that interval. V x the noise range
                # over the score region of p under-covered here (92.6-93.4% at gamma = 2-3).
                only = aniso.noise_only(ns)
                if only.any():
                    V = aniso._weights(ns[only], np.array([0.0]))[1][:, 0]
                    bands[proc] = _with_noise_band(bands[proc], only, V, pe.interval("noise_variance"))
            continue
        # isotropic min-norm above n = d + 1: V sigma^2 alone, its band V x the noise interval as above
        V = np.array([_noise_coefficient(int(m), d) if proc in LINEAR else None for m in ns], float)
        only = np.isfinite(V)
        # rays aimed at the band's ends and each prediction's own exact test at the user's n only (the predictions);
        # the curves from the cloud alone (both at every grid point multiplied the call's time by 4-5)
        tuned = pe.__dict__.get("_tuned_region") if proc in CAPS else None
        # fine-tuning min-norm's and tuned scratch's own tests studentized (over-covered: the nuisance at the region's
        # tips widens the plain test's law); scratch min-norm's is not (S_y drives both its estimate and spread: 94.0%
        # -> 91.6% at n = 30, d = 60; docs/advisor_validation.md, the studentized own test)
        rows = [(np.nan,) * 3 if only[j] else
                _tuned_band(tuned, reg, lambda P, m=int(m): isotropic_risk(proc, m, d, P)) if j == at and tuned else
                reg.band(lambda P, m=int(m): isotropic_risk(proc, m, d, P), linear=proc in LINEAR, aimed=j == at,
                         studentize=proc in STUDENTIZED)
                for j, m in enumerate(ns)]
        bands[proc] = tuple(np.array(c, float) for c in zip(*rows))
        if only.any():
            bands[proc] = _with_noise_band(bands[proc], only, V[only], pe.interval("noise_variance"))
        if proc in LINEAR:
            bands[proc] = _peak_value(bands[proc], ns, d, pe.interval("noise_variance").high)
    region = None
    # the disc is centred on the moment noise estimate S_y - U(y) that its statistics share: its own interval
    noise = pe.interval("noise_moment") if aniso is not None and aniso.n > aniso.d else None
    if noise is not None and np.isfinite(noise.low) and np.isfinite(noise.high):
        # more rows than features: tuned risks and fine-tuning transferability over the disc (noise variance
        # on its exact interval, the other statistics Gaussian given it): aniso_transfer.NoiseRegion
        from ftheory.advise.aniso_transfer import NoiseRegion
        region = NoiseRegion(aniso, (noise.low, noise.high))
        for proc in ("scratch_ridge", "finetune_ridge"):
            bands[proc] = region.merge(proc.split("_")[0], ns, bands[proc])
        if use_residual(pe.residual):
            # tuned scratch's lower end from the simulated law of its least-squares-centred estimate: the disc's
            # lower end reaches 0 with the moment noise interval and almost never missed
            # (docs/advisor_validation.md, lo18)
            v, lo, hi = bands["scratch_ridge"]
            ll = region.ls_lower(ns, (pe.residual.value, pe.residual.df))
            bands["scratch_ridge"] = (v, np.minimum(np.where(np.isfinite(ll), ll, lo), v), hi)
    if aniso is not None and n_at is not None:
        check_not_degenerate(bands, at, ns, d, aniso.rows_unlabeled, pe.interval("noise_variance").low, prep.centred,
                             prep.shared_rows, units=units_spread(prep), repeats=prep.pool_repeats)
    # the tuned risks never exceed the signal (scratch) / the distance (fine-tuning): caps.cap_tuned
    bands = cap_tuned(bands, pe)
    if n_at is None:
        if aniso is not None and region is not None and use_residual(pe.residual):
            from ftheory.advise.aniso_transfer import ls_point_values
            bands = ls_point_values(region, (pe.residual.value, pe.residual.df), ns, 0, bands, _NO_T)[0]
        return bands
    predictions = {proc: _band_interval(*(b[at] for b in bands[proc])) for proc in PROCEDURES}
    if aniso is None:
        def diff(tr):
            return _band_interval(*reg.band(lambda P: isotropic_risk("scratch_ridge", n_at, d, P)
                                            - isotropic_risk(tr, n_at, d, P)))
        transferability = {"linear_transfer": diff("linear_transfer"), "finetune": diff("finetune_ridge")}
    else:
        # T_ft from its own simulated law below n = d and over the noise disc above; T_lt the combined half-widths
        from ftheory.advise.aniso_difference import transfer_intervals
        transferability = {k: _band_interval(*b) for k, b in transfer_intervals(aniso, pe, predictions, n_at, region).items()}
        if region is not None and use_residual(pe.residual):
            # the values (not the bands) at the least-squares-conditioned centre: read at the moment noise estimate they
            # were up to 6x further from the truth, and 0 where it was <= 0 (docs/advisor.md, the noise disc)
            from ftheory.advise.aniso_transfer import ls_point_values
            bands, transferability = ls_point_values(region, (pe.residual.value, pe.residual.df), ns, at, bands,
                                                     transferability)
            predictions = {proc: _band_interval(*(b[at] for b in bands[proc])) for proc in PROCEDURES}
    return predictions, transferability, bands, theory, notes


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


def _contained(fn, *args):
    """``fn(*args)`` with its warnings held back: re-issued if it returns, dropped if it raises (a refusal, whose
    overflowing intermediate computations are not the user's concern)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(*args)
    for w in caught:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return out


@single_blas_thread  # many small simulations: threaded BLAS cost 3x the time (docs/performance.md)
def advise(X, y, source_pred=None, source_weights=None, unlabeled=None, *, center=True, standardize=None,
           n_max=None, grid_size=60, seed=0) -> Report:
    """Estimate the task, predict the risk of training from scratch, of a linear probe on the
    pretrained feature and of fine-tuning, and recommend one.

    Parameters
    ----------
    X : (n, d) array of target inputs; y : (n,) target labels.
    source_pred : (n,) predictions of the pretrained model on ``X``, or
    source_weights : (d,) weights of a pretrained linear predictor on the same features.
    unlabeled : (N, d) inputs without labels; their covariance selects the anisotropic theory.
    center : fit an intercept (Helmert centring, ``n - 1`` effective samples).
    standardize : isotropic path only: scale each column to unit variance (default: when the column
        variances differ); ``True`` with ``unlabeled`` is an error.
    n_max, grid_size : the sample-size grid of the curves, up to ``n_max`` >= n - center effective samples (default
        ``max(10 n, 4 d)``; ``curves["n"]`` counts rows: one more with ``center=True``);
        ``grid_size=0`` skips the curves (the crossover is then only checked at ``n``).
    seed : the simulated data sets behind the intervals and bands (int >= 0, numpy Generator, SeedSequence or
        None): the report is a deterministic function of the data for an int (default 0); another seed moves
        the ends by their Monte Carlo error only.

    Returns
    -------
    Report

    At the interpolation peak (``n`` within one of ``d`` effective samples) min-norm's value is ``inf`` whenever the noise variance's interval
    reaches above 0. With ``unlabeled``, a Sigma_hat of condition number above ``1e12`` (e.g. columns in very
    different units) is a ``ValueError`` naming ``X``: float64 does not resolve its smallest directions.

    BLAS runs with one thread during the call (``FTHEORY_BLAS_THREADS`` asks for more): its many small
    simulations took 3x the time with the default threads on 2 cores (docs/performance.md).
    """
    _check_options(center, standardize, n_max, grid_size)
    check_seed(seed)
    names = [str(c) for c in X.columns] if hasattr(X, "columns") and hasattr(X, "dtypes") else None
    X, y, z, U = check_inputs(X, y, source_pred, source_weights, unlabeled, min_rows=3 + int(center))
    if n_max is not None and n_max < X.shape[0] - int(center):  # curves that stop before the target's n
        raise ValueError(f"n_max={n_max} is invalid: expected an integer >= {X.shape[0] - int(center)} (the target's "
                         f"n={X.shape[0]} rows{', less one for the intercept' if center else ''}): the risk curves "
                         "and the crossover must reach the target's sample size")
    if z is None:
        raise ValueError("no pretrained model: give source_pred (its predictions on X) or source_weights")
    if standardize and U is not None:
        raise ValueError("standardize=True is invalid with unlabeled inputs: the anisotropic path estimates Sigma "
                         "from them and keeps the columns' scales (scaling a column changes the task); leave "
                         "standardize unset")
    y_flags = label_flags(y)
    # Work in label units of a power of two near max|y| (exact in float64) and scale back at the end:
    # the estimators and bands keep absolute floors and form fourth powers of the labels, which broke
    # for labels far from 1 although inside the accepted magnitudes [1e-150, 1e150].
    unit = 2.0 ** int(np.frexp(np.max(np.abs(y)))[1])
    y, z = y / unit, z / unit
    # likewise one power of two for all inputs (exact; the report depends on their common scale only
    # through standardize=False, which then keeps the given scale as Sigma = I)
    if standardize is not False or U is not None:
        xunit = 2.0 ** int(np.frexp(np.max(np.abs(X)))[1])
        X, U = X / xunit, (None if U is None else U / xunit)
    n, d = X.shape
    prep = prepare(X, y, z, U, center=center, standardize=standardize, names=names)  # messages name a table's columns
    n_eff = prep.X.shape[0]
    n_max = int(n_max or max(10 * n, 4 * d))
    ns = np.unique(np.round(np.geomspace(3, n_max, grid_size)).astype(int)) if grid_size else np.array([], int)
    allns = np.unique(np.r_[ns, n_eff]).astype(int)
    at = int(np.searchsorted(allns, n_eff))

    def estimate_and_predict():
        pe = estimate_parameters(prep, seed=seed)
        return pe, predict(prep, pe, allns, n_eff)
    # warnings (overflow in a degenerate pool's statistics) held back until the refusal has had its chance
    pe, (predictions, transferability, bands, theory, more) = _contained(estimate_and_predict)
    estimates = {k: pe.interval(k) for k in ("noise_variance", "signal", "overlap", "overlap_inner",
                                             "source_signal", "distance")}
    notes = list(prep.notes)
    notes += more
    reg = _region(pe)
    if reg.unbounded:
        notes.append("the data determine the parameters poorly: the score region reaches the search limit "
                     "(12 x the Wald radius), so some upper ends of the prediction bands are lower bounds")
    curves = {"n": (ns + int(center)) if grid_size else np.array([n_eff + int(center)])}
    pick = np.searchsorted(allns, ns) if grid_size else np.array([at])
    for proc in PROCEDURES:
        curves[proc] = tuple([float(x) for x in b[pick]] for b in bands[proc])
    u2 = unit * unit
    estimates = {k: iv if k == "overlap" else _scaled(iv, u2) for k, iv in estimates.items()}
    predictions = {k: _scaled(iv, u2) for k, iv in predictions.items()}
    transferability = {k: _scaled(iv, u2) for k, iv in transferability.items()}
    for proc in PROCEDURES:
        curves[proc] = tuple([x * u2 for x in b] for b in curves[proc])
    head = {k: predictions[v].value for k, v in HEADLINE.items()}
    recommendation = min(head, key=lambda k: (head[k], k != "scratch"))
    flags = (list(prep.warnings) + y_flags + report_flags(pe, estimates, predictions, transferability, unit=u2)
             + zero_value_flags(n_eff, d, estimates, predictions, HEADLINE[recommendation]))
    crossover, notes = _crossover(prep, pe, ns, curves, u2, int(center), notes)
    return Report(n, d, n_eff, estimates, predictions, transferability, recommendation, crossover, curves,
                  theory, notes, flags)


def _crossover(prep, pe, ns, curves, u2, center, notes):
    """``(crossover_n, notes)``: the smallest row count from which tuned scratch stays ahead of the better transfer
    procedure, exact to the integer between grid points (:mod:`ftheory.advise.crossover`), and a note with the
    crossover against each procedure."""
    from ftheory.advise.crossover import crossovers

    rows = np.asarray(curves["n"], int)
    eff = rows - center

    def values_at(ms):
        b = predict(prep, pe, np.asarray(ms, int), None)
        return {"scratch": b["scratch_ridge"][0] * u2, "linear_transfer": b["linear_transfer"][0] * u2,
                "finetune": b["finetune_ridge"][0] * u2}

    c = crossovers(eff, curves["scratch_ridge"][0], {"linear_transfer": curves["linear_transfer"][0],
                                                     "finetune": curves["finetune_ridge"][0]},
                   values_at if len(ns) else None)
    c = {k: None if v is None else v + center for k, v in c.items()}
    last = int(rows[-1])

    def when(name, k, proc):
        if k is None:
            return f"does not overtake {name} by n = {last}"
        level = is_level(curves, k, (proc,))
        how = "is level with" if level else "is ahead of" if k == rows[0] else "overtakes"
        where = f"from the curves' start, n = {k}" if k == rows[0] else f"from n = {k} on"
        return f"{how} {name} {where}" + (" (equal predictions: ties go to scratch)" if level else "")

    notes.append(f"scratch (tuned ridge) {when('the linear probe', c['linear_transfer'], 'linear_transfer')}; it "
                 f"{when('tuned fine-tuning', c['finetune'], 'finetune_ridge')}"
                 + (" (tuned fine-tuning is never worse when ||beta_t - beta_s|| < ||beta_t||)" if c["finetune"] is None
                    else ""))
    return c["best"], notes
